// SPDX-License-Identifier: MIT
/*
 * System call names for seccomp's messages (include/vmm/seccomp.h).  The
 * table is generated from the kernel's own header at build time
 * (vmm/Makefile.inc: the __NR_ macros of asm/unistd_64.h), so each name
 * sits at the number that header gives it.
 */
#include <stddef.h>

#include <asm/unistd_64.h>

#include <vmm/seccomp.h>

static const char *const names[] = {
#include "syscall_names.h"
};

const char *seccomp_syscall_name(long nr)
{
	if (nr < 0 || (size_t)nr >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[nr];
}
