/* SPDX-License-Identifier: MIT */
/*
 * The errno values guestmm returns (negated, as the kernel does).
 * Freestanding: no <errno.h>.  The numbers are Linux's, so a hosted
 * program that also includes <errno.h> sees the same definitions.
 */
#ifndef GUESTMM_ERRNO_H
#define GUESTMM_ERRNO_H

#ifndef ENOENT
#define ENOENT	2
#endif
#ifndef EAGAIN
#define EAGAIN	11
#endif
#ifndef ENOMEM
#define ENOMEM	12
#endif
#ifndef EBUSY
#define EBUSY	16
#endif
#ifndef EIO
#define EIO	5
#endif
#ifndef ENODEV
#define ENODEV	19
#endif
#ifndef EINVAL
#define EINVAL	22
#endif
#ifndef ENOSPC
#define ENOSPC	28
#endif

#endif
