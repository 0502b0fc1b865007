/* SPDX-License-Identifier: MIT */
/* Triple-faults: an empty IDT, then an invalid opcode. */
#include "vmm_pvh.h"

	.code32
	.text
	.globl pvh_start
pvh_start:
	STACK_SETUP
	mov $msg, %esi
	call puts
	lidt idt_empty
	ud2
	POWEROFF(1)	/* never reached */

PUTS_FN

	.section .rodata
	.balign 8
idt_empty:
	.word 0
	.long 0
msg:	.asciz "about to triple fault\n"

PVH_NOTE(pvh_start)
