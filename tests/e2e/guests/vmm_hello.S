/* SPDX-License-Identifier: MIT */
/* Prints "hello" on COM1 and powers off with status 0 (or EXIT_STATUS). */
#include "vmm_pvh.h"

#ifndef EXIT_STATUS
#define EXIT_STATUS 0
#endif

	.code32
	.text
	.globl pvh_start
pvh_start:
	/* The first instruction writes to a port: bench/boot.sh times it. */
	mov $0x3f8, %dx
	mov $'h', %al
	out %al, %dx
	STACK_SETUP
	mov $msg, %esi
	call puts
	POWEROFF(EXIT_STATUS)

PUTS_FN

	.section .rodata
msg:	.asciz "ello from a PVH guest\n"

PVH_NOTE(pvh_start)
