// SPDX-License-Identifier: MIT
/*
 * Tasks on the hosted platform: each POSIX thread is one, and guestmm's
 * per-task slot is a thread-local variable.
 */
#include <guestmm/platform.h>

static __thread void *current_slot;

void **platform_current_slot(void)
{
	return &current_slot;
}
