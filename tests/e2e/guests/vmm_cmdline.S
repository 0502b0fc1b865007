/* SPDX-License-Identifier: MIT */
/*
 * Checks the hvm_start_info magic, prints the command line it points to
 * and the number of memory map entries, then powers off with status 0.
 */
#include "vmm_pvh.h"

	.code32
	.text
	.globl pvh_start
pvh_start:
	STACK_SETUP
	cmpl $0x336ec578, (%ebx)	/* magic */
	jne bad_magic
	mov $pre, %esi
	call puts
	mov 24(%ebx), %esi		/* cmdline_paddr (low half) */
	call puts
	mov $mm, %esi
	call puts
	mov 48(%ebx), %eax		/* memmap_entries */
	add $'0', %al
	mov $0x3f8, %dx
	out %al, %dx
	mov $nl, %esi
	call puts
	POWEROFF(0)
bad_magic:
	mov $badmsg, %esi
	call puts
	POWEROFF(1)

PUTS_FN

	.section .rodata
pre:	.asciz "cmdline: "
mm:	.asciz "\nmemmap entries: "
nl:	.asciz "\n"
badmsg:	.asciz "bad start_info magic\n"

PVH_NOTE(pvh_start)
