// SPDX-License-Identifier: MIT
/*
 * include/guestmm/platform.h for the guest kernel: what guestmm needs
 * from below, on (virtual) x86-64 hardware.  Each is a line or two
 * because the kernel's own subsystems do the work.
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/time.h>
#include <guest/x86.h>
#include <guestmm/platform.h>

unsigned int platform_cpu_id(void)
{
	return smp_processor_id();
}

void platform_cpu_relax(void)
{
	/*
	 * A spinning waiter on a uniprocessor can only be waiting for a task
	 * that was preempted while holding the lock: let it run.
	 */
	if (!sched_relax_yield())
		cpu_relax();
}

unsigned long platform_irq_save(void)
{
	return arch_local_irq_save();
}

void platform_irq_restore(unsigned long flags)
{
	arch_local_irq_restore(flags);
}

void platform_membarrier(void)
{
	/* One CPU: its own full barrier is every CPU's. */
	__asm__ volatile("mfence" ::: "memory");
}

void platform_yield(void)
{
	cond_resched();
}

uint64_t platform_clock_ns(void)
{
	return clock_ns_since_boot();
}

void **platform_current_slot(void)
{
	static void *boot_slot;	/* before sched_init() there is no task yet */

	return current ? &current->mm_slot : &boot_slot;
}

void platform_log(const char *msg, size_t len)
{
	printk(KERN_INFO "%.*s\n", (int)len, msg);
}

void platform_panic(const char *msg)
{
	panic("%s", msg);
}
