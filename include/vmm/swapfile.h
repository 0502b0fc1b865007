/* SPDX-License-Identifier: MIT */
/*
 * The host file behind the guest's swap disk (`--swap FILE[,size=N]`), for
 * either backend: created if missing, extended (sparsely) to N bytes if
 * shorter; without size= it must exist and is used at its own size.
 */
#ifndef EBB_VMM_SWAPFILE_H
#define EBB_VMM_SWAPFILE_H

#include <stddef.h>
#include <stdint.h>

/* Open (O_RDWR) and size @path.  fd with *@bytes set, or -1 with a message. */
int swapfile_open(const char *path, uint64_t size, uint64_t *bytes, char *err, size_t errlen);

#endif
