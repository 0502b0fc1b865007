/* SPDX-License-Identifier: MIT */
/*
 * Errno values the guest kernel returns beyond guestmm's (negated, as the
 * kernel does); the numbers are Linux's, so a hosted build that also
 * includes <errno.h> agrees.
 */
#ifndef GUEST_ERRNO_H
#define GUEST_ERRNO_H

#include <guestmm/errno.h>

#ifndef EIO
#define EIO	5
#endif
#ifndef ENODEV
#define ENODEV	19
#endif
#ifndef EEXIST
#define EEXIST	17
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
