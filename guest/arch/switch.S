/* SPDX-License-Identifier: MIT */
/*
 * __switch_to(prev, next): the context switch.  Only the callee-saved
 * registers need saving, because the switch is an ordinary function call
 * from schedule(): the caller-saved ones are already on the stack or dead.
 * The saved stack pointer is the first member of struct task_struct.
 *
 * A new task's stack is prepared (sched.c) to look as if it had called
 * __switch_to, with ret_from_kernel_thread as the return address.
 */
	.text
	.globl __switch_to
__switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	/* First return of a new task: r12 holds the task, see copy_thread(). */
	.globl ret_from_kernel_thread
ret_from_kernel_thread:
	movq %r12, %rdi
	call kthread_entry
	ud2
