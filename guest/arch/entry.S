/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry.  One 16-byte stub per vector pushes a
 * zero where the CPU pushes no error code (so every frame looks the same)
 * and the vector number, then joins common_interrupt, which saves the
 * general registers as a struct pt_regs (include/guest/traps.h) and calls
 * do_interrupt(regs) in C.
 *
 * All gates are interrupt gates: the CPU clears IF on entry, and iretq
 * restores the interrupted context's IF.  The kernel has no user mode, so
 * there is no swapgs and no stack switch except the IST stacks the TSS
 * gives to #DF, NMI and #MC.
 */
	.text
	.balign 16
	.globl interrupt_stubs
interrupt_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	/* The CPU pushed an error code. */
	.else
	pushq $0
	.endif
	pushq $vec
	jmp common_interrupt
	.set vec, vec + 1
	.endr

common_interrupt:
	cld
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi		/* the frame is 16-byte aligned here */
	call do_interrupt
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq
