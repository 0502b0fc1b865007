/* SPDX-License-Identifier: MIT */
/*
 * Touches a port and MMIO addresses nobody handles, checks that reads come
 * back as all ones, then says so and powers off with status 0.
 */
#include "vmm_pvh.h"

	.code32
	.text
	.globl pvh_start
pvh_start:
	STACK_SETUP
	mov $0x1234, %dx
	mov $0x5a, %al
	out %al, %dx			/* unknown port write */
	in %dx, %al			/* unknown port read */
	cmp $0xff, %al
	jne fail
	movl $0xdeadbeef, 0xd0000000	/* unmapped MMIO write (the virtio window) */
	mov 0xe0000000, %eax		/* unmapped MMIO read */
	cmp $0xffffffff, %eax
	jne fail
	mov $msg, %esi
	call puts
	POWEROFF(0)
fail:
	mov $bad, %esi
	call puts
	POWEROFF(1)

PUTS_FN

	.section .rodata
msg:	.asciz "survived unknown I/O\n"
bad:	.asciz "unexpected value from an unhandled read\n"

PVH_NOTE(pvh_start)
