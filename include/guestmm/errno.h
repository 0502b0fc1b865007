/* SPDX-License-Identifier: MIT */
/*
 * The errno values guestmm and the guest kernel return (negated, as the
 * kernel does).  Freestanding: no <errno.h>.  The numbers are Linux's,
 * so a hosted program that also includes <errno.h> sees the same
 * definitions.
 */
#ifndef GUESTMM_ERRNO_H
#define GUESTMM_ERRNO_H

#ifndef ENOENT
#define ENOENT	2
#endif
#ifndef EIO
#define EIO	5
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
#ifndef EEXIST
#define EEXIST	17
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
#ifndef EROFS
#define EROFS	30
#endif
#ifndef ERANGE
#define ERANGE	34
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP	95
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT	110
#endif

#endif
