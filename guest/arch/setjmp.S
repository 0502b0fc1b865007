/* SPDX-License-Identifier: MIT */
/*
 * kernel_setjmp / kernel_longjmp: setjmp and longjmp for the kernel, so
 * the page-fault handler can send a task back to its catch point after a
 * bad access in its own address space (include/guest/task_mm.h), the way
 * a signal handler leaves with siglongjmp.  struct fault_catch holds the
 * callee-saved registers, the stack pointer and the return address, in
 * that order; everything else is dead across a call anyway.
 *
 * The fault handler enters kernel_longjmp by iretq (rdi = the catch, esi
 * = the signal), not by a call: nothing here looks at the stack it
 * arrives on.
 */
	.text
	.globl kernel_setjmp
kernel_setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax		/* the stack pointer after our return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax		/* where we return to */
	movq %rax, 56(%rdi)
	xorl %eax, %eax
	ret

	.globl kernel_longjmp
kernel_longjmp:
	movl %esi, %eax
	testl %eax, %eax		/* setjmp returning 0 means "set": never jump with 0 */
	jnz 1f
	incl %eax
1:	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	jmpq *56(%rdi)
