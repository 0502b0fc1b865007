/* SPDX-License-Identifier: MIT */
/* Figures from /proc: what a process holds resident (vmm/procfs.c). */
#ifndef VMM_PROCFS_H
#define VMM_PROCFS_H

#include <stdint.h>
#include <sys/types.h>

/* Field @field ("VmRSS", "Rss" ...) of the /proc file @path, in KiB; 0 if absent. */
uint64_t procfs_kib(const char *path, const char *field);
/* The resident set (VmRSS) of process @pid in bytes; 0 if unknown. */
uint64_t procfs_rss(pid_t pid);

#endif
