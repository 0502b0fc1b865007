// SPDX-License-Identifier: MIT
/*
 * The page-fault handler.  Faults are how a kernel learns about memory it
 * has not mapped yet: a vmalloc area populated lazily, a page swapped out.
 * Those subsystems register a pf_hook; each is asked in turn, and the
 * first that resolves the fault lets the faulting instruction run again.
 * A fault nobody resolves is a kernel bug: report it (address, error
 * code, RIP, registers) and stop, via die().
 */
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/traps.h>
#include <guest/x86.h>
#include <guestmm/fault.h>

/*
 * guestmm resolves faults in the address spaces it manages (vmalloc now,
 * swapped-out anonymous memory later).  Weak until guestmm provides it,
 * so the kernel links against a guestmm without fault handling.
 */
extern enum mm_fault_result mm_handle_fault(struct platform_as *as, unsigned long va, bool write)
	__attribute__((weak));

static struct pf_hook *pf_hooks;
static unsigned long nr_page_faults;

void register_pf_hook(struct pf_hook *hook)
{
	unsigned long flags = arch_local_irq_save();

	hook->next = pf_hooks;
	pf_hooks = hook;
	arch_local_irq_restore(flags);
}

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

void do_page_fault(struct pt_regs *regs)
{
	unsigned long addr = read_cr2();

	nr_page_faults++;
	if (mm_handle_fault && addr >= VMALLOC_START && addr < VMALLOC_END &&
	    !(regs->error_code & (X86_PF_PROT | X86_PF_RSVD)) &&
	    mm_handle_fault(platform_kernel_as(), addr, regs->error_code & X86_PF_WRITE) == MM_FAULT_OK)
		return;
	for (struct pf_hook *h = pf_hooks; h; h = h->next)
		if (h->handle(regs, addr, regs->error_code))
			return;

	panic_in_progress = 1;
	printk(KERN_EMERG "#PF: %s at %#lx, error code %#lx, RIP %#lx\n",
	       fault_reason(regs->error_code), addr, regs->error_code, regs->ip);
	if (addr < 4096)
		printk(KERN_EMERG "#PF: looks like a NULL pointer dereference\n");
	panic_in_progress = 0;
	die("page fault", regs, addr);
}
