/* SPDX-License-Identifier: MIT */
/*
 * A workload's own address space, as a user process has one: a guestmm
 * struct mm_anon whose page tables CR3 holds while the task runs (the
 * scheduler switches them; the kernel half, direct map, image and
 * vmalloc, is shared by every address space).  The task touches its
 * memory at user virtual addresses and the MMU does the rest: a
 * not-present access is a #PF that mm/fault.c hands to guestmm's
 * mm_handle_fault() (a zeroed page on first touch, swap-in from vda).
 *
 * A bad access there (outside every region, a write to a read-only
 * region, a page swap could not give back, or any access after the OOM
 * killer chose the task) is the task's fault, not the kernel's: the
 * handler reports it as Linux reports a segfault and sends the task back
 * to its catch point with the signal, as a handler leaving by siglongjmp
 * would:
 *
 *	struct fault_catch fc;
 *	int sig = task_catch_faults(&fc);	0 now; SIGSEGV, SIGBUS, SIGKILL later
 *
 *	if (!sig)
 *		touch(state);
 *	task_uncatch_faults();
 *
 * Registers are restored to what they were at the catch, so whatever the
 * code after it reads must live in memory (keep state behind a pointer
 * the touching function was given).
 */
#ifndef GUEST_TASK_MM_H
#define GUEST_TASK_MM_H

#include <guest/pgtable.h>
#include <guest/sched.h>
#include <guest/traps.h>
#include <guestmm/mm_task.h>

/* Where anonymous memory of a workload starts: the first per-space PML4 slot. */
#define TASK_MM_BASE	USER_AS_START

#define SIGKILL		9
#define SIGBUS		7
#define SIGSEGV		11

struct fault_catch {
	unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip;	/* setjmp.S */
};

int kernel_setjmp(struct fault_catch *fc) __attribute__((returns_twice));
__noreturn void kernel_longjmp(struct fault_catch *fc, int sig);

#define task_catch_faults(fc)	(current->fault_catch = (fc), kernel_setjmp(fc))

static inline void task_uncatch_faults(void)
{
	current->fault_catch = NULL;
}

/*
 * Give the calling task @mm: register it with guestmm as @t (its name
 * the task's; an OOM victim candidate whose kill() asks the task to
 * stop) and load its page tables.  task_mm_detach() undoes both; the
 * caller then destroys @mm.
 */
void task_mm_attach(struct mm_task *t, struct mm_anon *mm);
void task_mm_detach(struct mm_task *t);

/*
 * For the #PF handler: a bad access by the current task at @addr.
 * Report it and arrange for the return from the exception to land at
 * the task's catch point with @sig.  false if the task has none (then
 * it is a kernel bug after all).
 */
bool task_fault_signal(struct pt_regs *regs, unsigned long addr, int sig);

#endif
