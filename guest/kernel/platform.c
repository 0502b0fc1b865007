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
#include <guest/traps.h>
#include <guest/x86.h>
#include <guestmm/platform.h>

/* Spinning this long with the tick stopped is a lockup (Linux: 2 * watchdog_thresh). */
#define LOCKUP_NS	(20 * NSEC_PER_SEC)

unsigned int platform_cpu_id(void)
{
	return smp_processor_id();
}

/*
 * A lock nobody will release: every task spins with interrupts off, each
 * yielding to the next, so not even the tick runs.  Linux's watchdog
 * would report a lockup; with no NMI here we notice from inside the spin:
 * jiffies unchanged through LOCKUP_NS of spinning, looked at less than a
 * second apart (a host that stopped the VM for a while does not count).
 * Say so, with the spinner's call trace, and panic: a silent hang until
 * some outer timeout would tell nobody anything.
 */
static void lockup_check(void)
{
	struct percpu *p = this_cpu();	/* each CPU watches its own spinning */
	uint64_t now = clock_ns_since_boot();

	if (READ_ONCE(jiffies) != p->lockup_jiffies || now - p->lockup_last > NSEC_PER_SEC ||
	    now < p->lockup_since) {
		p->lockup_jiffies = READ_ONCE(jiffies);
		p->lockup_since = now;
	}
	p->lockup_last = now;
	if (now - p->lockup_since < LOCKUP_NS)
		return;
	printk(KERN_EMERG "BUG: soft lockup - CPU#%u stuck for %llus! [%s:%d], spinning on a lock "
	       "with the tick stopped\n", smp_processor_id(),
	       (unsigned long long)((now - p->lockup_since) / NSEC_PER_SEC),
	       current->comm, current->pid);
	dump_stack();
	panic("softlockup: a spinlock nobody releases");
}

/* Spins between yields on SMP: the holder is nearly always running elsewhere. */
#define SMP_SPINS_PER_YIELD	1024

void platform_cpu_relax(void)
{
	struct percpu *p = this_cpu();

	lockup_check();
	/* The lock holder may be waiting for this CPU to run a function call. */
	smp_call_poll();
	/*
	 * On one CPU the holder can only be a task preempted while holding
	 * the lock: let it run.  With more, the holder is nearly always
	 * running on another CPU, and a spinner that yields leaves the locks
	 * it holds itself off-CPU, so others yield too: spin, and only now
	 * and then yield in case the holder is a preempted task.
	 */
	if (READ_ONCE(nr_cpus_online) > 1 && ++p->relax_spins % SMP_SPINS_PER_YIELD) {
		cpu_relax();
		return;
	}
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

static void membarrier_ipi(void *unused)
{
	(void)unused;
	__asm__ volatile("mfence" ::: "memory");
}

void platform_membarrier(void)
{
	__asm__ volatile("mfence" ::: "memory");
	/* Every other CPU runs a full barrier before the call returns. */
	smp_call_function(membarrier_ipi, NULL);
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
