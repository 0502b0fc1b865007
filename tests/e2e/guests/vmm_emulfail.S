/* SPDX-License-Identifier: MIT */
/*
 * Loads an x87 operand from MMIO nobody handles.  The access exits to
 * KVM, whose instruction emulator has no x87 loads: the VM ends with
 * KVM_EXIT_INTERNAL_ERROR (emulation), which ebb must explain by naming
 * the instruction at the guest's RIP, as it must on an interpreting KVM
 * that cannot run a guest's SSE or xsave.  Should it be emulated after
 * all, the guest says so and powers off with status 9.
 */
#include "vmm_pvh.h"

	.code32
	.text
	.globl pvh_start
pvh_start:
	STACK_SETUP
	fninit
	fldl 0xd0000000			/* dd 05 00 00 00 d0 */
	mov $msg, %esi
	call puts
	POWEROFF(9)

PUTS_FN

	.section .rodata
msg:	.asciz "the x87 load from MMIO was emulated\n"

PVH_NOTE(pvh_start)
