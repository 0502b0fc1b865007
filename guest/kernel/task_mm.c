// SPDX-License-Identifier: MIT
/*
 * Tasks with address spaces of their own (include/guest/task_mm.h):
 * attaching an mm_anon to a task, and delivering what a user process
 * would get as a signal when its access cannot be satisfied.
 */
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/task_mm.h>
#include <guestmm/anon.h>

/*
 * The OOM killer's kill(): from whatever thread ran out of memory, so
 * only a flag and a wake-up.  Its memory is reaped right after; the
 * task's next access faults, finds it dying and gets SIGKILL.
 */
static void task_oom_kill(struct mm_task *t)
{
	kthread_request_stop(t->private_data);
}

void task_mm_attach(struct mm_task *t, struct mm_anon *mm)
{
	unsigned long flags;

	t->name = current->comm;
	t->mm = mm;
	t->kill = task_oom_kill;
	t->private_data = current;
	mm_task_register(t);

	flags = arch_local_irq_save();
	current->mm = mm;
	current->cr3 = platform_as_cr3(mm->as);
	switch_page_tables(current->cr3);
	arch_local_irq_restore(flags);
}

void task_mm_detach(struct mm_task *t)
{
	unsigned long flags = arch_local_irq_save();

	current->cr3 = 0;
	current->mm = NULL;
	current->fault_catch = NULL;
	switch_page_tables(0);
	arch_local_irq_restore(flags);
	mm_task_unregister(t);
}

bool task_fault_signal(struct pt_regs *regs, unsigned long addr, int sig)
{
	struct fault_catch *fc = current->fault_catch;

	if (!fc)
		return false;
	/*
	 * Linux's show_signal_msg() line (at error level: tests boot quiet and
	 * must see it); a SIGKILL was the OOM killer's, which said why.
	 */
	if (sig != SIGKILL)
		pr_err("%s[%d]: %s at %lx ip %016lx sp %016lx error %lx\n", current->comm,
			current->pid, sig == SIGBUS ? "bus error" : "segfault", addr, regs->ip,
			regs->sp, regs->error_code);
	current->fault_catch = NULL;	/* a second bad access is not caught again */
	regs->ip = (unsigned long)kernel_longjmp;
	regs->di = (unsigned long)fc;
	regs->si = (unsigned long)sig;
	return true;
}
