/* SPDX-License-Identifier: MIT */
/*
 * CPUs (docs/smp.md).  The boot CPU finds the others in the ACPI MADT the
 * VMM writes, starts each with INIT/SIPI through its local APIC and a
 * real-mode trampoline below 1 MiB, and every CPU then runs the scheduler
 * from one shared run queue.
 *
 * Each CPU has a per-CPU area (struct percpu) whose address is its GS base,
 * so this_cpu() is one load from %gs:0 and needs no CPU number first.  CPU
 * numbers are dense (0 .. nr_cpus_online-1, 0 the boot CPU); APIC IDs are
 * whatever the MADT says.
 *
 * IPIs: a reschedule vector (a task woke and this CPU idles) and a
 * function-call vector (smp_call_function: TLB shootdown).  A CPU that
 * spins on a lock with interrupts off still answers function calls: every
 * spin loop polls them (smp_call_poll), so a shootdown sent by a lock
 * holder cannot deadlock against a waiter for that lock.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <guestmm/compiler.h>
#include <guestmm/mmzone.h>	/* NR_CPUS */

struct task_struct;

#define RESCHEDULE_VECTOR	0xfd
#define CALL_FUNCTION_VECTOR	0xfc

struct percpu {
	struct percpu *self;		/* at %gs:0: this_cpu() */
	unsigned int cpu;		/* 0 .. nr_cpus_online-1 */
	unsigned int apic_id;
	int node;			/* NUMA node (SRAT), 0 without one */

	/* The scheduler's (guest/kernel/sched.c), changed only by this CPU. */
	struct task_struct *curr;
	struct task_struct *idle;
	struct task_struct *switched_from;	/* for finish_task_switch() */
	bool need_resched;
	int irq_depth;

	uint64_t loaded_cr3;		/* guest/arch/pgtable.c */
	unsigned long relax_spins;	/* platform_cpu_relax() */
	unsigned long lockup_jiffies;	/* its lockup check (guest/kernel/platform.c) */
	uint64_t lockup_since, lockup_last;
	int call_pending;		/* a function call waits for this CPU (smp.c) */
	unsigned long nr_ipis, nr_calls;	/* received: reschedule, function calls */
};

extern struct percpu percpu_areas[NR_CPUS];
extern unsigned int nr_cpus_online;
extern unsigned int nr_cpus_possible;	/* found in the MADT */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int smp_processor_id(void)
{
	unsigned int cpu;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(cpu) : "i"(offsetof(struct percpu, cpu)));
	return cpu;
}

/* Make @p this CPU's per-CPU area (the GS base); first thing on each CPU. */
void percpu_setup(struct percpu *p);

/* Reserve the trampoline page and read the MADT (before mm_core_init). */
void smp_prepare(uint64_t rsdp_pa);
/* The IPI vectors' handlers (before any CPU can send one). */
void smp_init_vectors(void);
/* Start every other CPU found; each ends in the idle loop. */
void smp_boot_cpus(void);
/* The idle loop of every CPU (guest/kernel/main.c). */
__noreturn void cpu_idle(void);

/*
 * Run fn(arg) on every other online CPU, from its interrupt (or from a
 * lock it spins on) and wait until all have.  fn must be short and take
 * no lock: it may run inside any spin loop.  Any context, interrupts on
 * or off.
 */
void smp_call_function(void (*fn)(void *), void *arg);
/* The same on the CPUs of @mask (bit per CPU) other than this one. */
void smp_call_function_many(uint64_t mask, void (*fn)(void *), void *arg);
/* Run a function call pending for this CPU, if any (spin loops). */
void smp_call_poll(void);
/* Ask @cpu to look at the run queue (it may be idle in hlt). */
void smp_send_reschedule(unsigned int cpu);

/* For /proc/cpuinfo-like views: online CPUs and their APIC IDs. */
static inline bool cpu_online(unsigned int cpu)
{
	return cpu < READ_ONCE(nr_cpus_online);
}

#endif
