// SPDX-License-Identifier: MIT
/*
 * The page-fault handler.  Faults are how a kernel learns about memory it
 * has not mapped yet: a vmalloc area populated lazily, a task's anonymous
 * page touched for the first time or swapped out.  guestmm resolves
 * faults in the address spaces it manages (mm_handle_fault).
 *
 * A fault in the user half belongs to the running task's address space
 * (include/guest/task_mm.h).  Resolving it may sleep (reclaim, swap I/O),
 * so interrupts go back on for it, which is only safe when the faulting
 * code could have slept itself: interrupts were on and no interrupt
 * handler was running.  A fault guestmm refuses is a bad access by the
 * task: it gets its "signal".
 *
 * Anything else nobody resolves is a kernel bug: report it (address,
 * error code, RIP, registers) and stop, via die().
 */
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/task_mm.h>
#include <guest/traps.h>
#include <guest/x86.h>
#include <guestmm/anon.h>
#include <guestmm/fault.h>
#include <guestmm/mm_task.h>
#include <guestmm/pte.h>

static unsigned long nr_page_faults;

static const char *fault_reason(unsigned long error_code)
{
	if (error_code & X86_PF_RSVD)
		return "reserved bit set in a page table entry";
	if (error_code & X86_PF_INSTR)
		return error_code & X86_PF_PROT ? "instruction fetch from a non-executable page" :
						  "instruction fetch from an unmapped page";
	if (error_code & X86_PF_PROT)
		return error_code & X86_PF_WRITE ? "write to a read-only page" :
						   "protection violation on read";
	return error_code & X86_PF_WRITE ? "write to an unmapped page" : "read of an unmapped page";
}

/* The running task was chosen by the OOM killer, or asked to stop. */
static bool task_killed(void)
{
	struct mm_task *t = mm_task_current();

	return (t && t->oom_killed) || kthread_should_stop();
}

/* A fault in the user half: true if the access may be retried (or the task was signalled). */
static bool do_user_fault(struct pt_regs *regs, unsigned long addr)
{
	struct task_struct *t = current;
	bool write = regs->error_code & X86_PF_WRITE;
	enum mm_fault_result ret;
	int sig = SIGSEGV;
	pte_t pte;

	if (!t->mm || in_atomic() || !(regs->flags & X86_EFLAGS_IF))
		return false;
	/* Present but refused (a write to a read-only region): nothing to resolve. */
	if (regs->error_code & X86_PF_PROT)
		goto bad;

	local_irq_enable();
	pte = platform_pte_read(t->mm->as, addr & ~(PAGE_SIZE_4K - 1));
	ret = mm_handle_fault(t->mm->as, addr, write);
	local_irq_disable();
	switch (ret) {
	case MM_FAULT_OK:
		if (pte_is_swap(pte))
			t->maj_flt++;
		else
			t->min_flt++;
		return true;
	case MM_FAULT_OOM:
		/*
		 * As Linux's pagefault_out_of_memory(): the allocator has
		 * already run the OOM killer; unless we were its victim,
		 * memory is coming back, so retry the access.
		 */
		if (!task_killed()) {
			yield();
			return true;
		}
		sig = SIGKILL;
		break;
	case MM_FAULT_SIGBUS:
		sig = SIGBUS;
		break;
	case MM_FAULT_SIGSEGV:
		break;
	}
bad:
	return task_fault_signal(regs, addr, sig);
}

void do_page_fault(struct pt_regs *regs)
{
	unsigned long addr = read_cr2();

	nr_page_faults++;
	if (addr >= USER_AS_START && addr < USER_AS_END && !(regs->error_code & X86_PF_RSVD) &&
	    do_user_fault(regs, addr))
		return;
	if (addr >= VMALLOC_START && addr < VMALLOC_END &&
	    !(regs->error_code & (X86_PF_PROT | X86_PF_RSVD)) &&
	    mm_handle_fault(platform_kernel_as(), addr, regs->error_code & X86_PF_WRITE) == MM_FAULT_OK)
		return;

	panic_in_progress = 1;
	printk(KERN_EMERG "#PF: %s at %#lx, error code %#lx, RIP %#lx\n",
	       fault_reason(regs->error_code), addr, regs->error_code, regs->ip);
	if (addr < 4096)
		printk(KERN_EMERG "#PF: looks like a NULL pointer dereference\n");
	panic_in_progress = 0;
	die("page fault", regs, addr);
}
