// SPDX-License-Identifier: MIT
/*
 * Per-CPU areas, interprocessor interrupts and the idle loop
 * (docs/smp.md).
 *
 * smp_call_function() runs one call at a time: the caller takes call_lock,
 * publishes the function and its argument, then raises each target CPU's
 * own call_pending flag, sends it CALL_FUNCTION_VECTOR, and waits until
 * every target has cleared its flag.  A target runs the call from the IPI
 * or, if it is spinning on a lock with interrupts off, from that spin loop
 * (smp_call_poll() via platform_cpu_relax and the scheduler's lock): the
 * lock holder may be the very CPU waiting for it.
 *
 * One flag per target, set by the caller and cleared by that target only:
 * a target reads the function only while its own flag is up, when the
 * caller is still waiting for it and cannot have moved on to the next
 * call.  (A shared sequence number and countdown were racy: a CPU that
 * was not a target of one call could read that call's number and the
 * next call's target set, answer the next call twice and drive its
 * countdown below zero; the caller then waited forever with interrupts
 * off, holding whatever lock it flushed under, or was released early
 * while a TLB still held the old entry.)
 */
#include <guest/apic.h>
#include <guest/interrupts.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/time.h>
#include <guest/x86.h>

/* A target that has not run a function call after this long is stuck (softlockup's 20 s). */
#define CALL_STUCK_NS	(20 * NSEC_PER_SEC)

struct percpu percpu_areas[NR_CPUS];
unsigned int nr_cpus_online = 1;
unsigned int nr_cpus_possible = 1;

static struct {
	int lock;
	void (*fn)(void *);	/* stable while any call_pending is up */
	void *arg;
} call;

void percpu_setup(struct percpu *p)
{
	p->self = p;
	p->cpu = (unsigned int)(p - percpu_areas);
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}

void smp_call_poll(void)
{
	/* A spinner may have interrupts on: stay on this CPU while answering for it. */
	unsigned long flags = arch_local_irq_save();
	struct percpu *p = this_cpu();

	if (__atomic_load_n(&p->call_pending, __ATOMIC_ACQUIRE)) {
		p->nr_calls++;
		call.fn(call.arg);
		__atomic_store_n(&p->call_pending, 0, __ATOMIC_RELEASE);
	}
	arch_local_irq_restore(flags);
}

static void call_function_interrupt(void)
{
	smp_call_poll();
}

/*
 * Wait for @cpu to run the call.  A CPU that never answers leaves this one
 * spinning with interrupts off, and the lock it flushes under makes the
 * others report lockups on that lock instead: say who is not answering.
 * Only waits seen less than a second apart count (a host that stopped
 * the VM for a while is no lockup), as in the lock spinners' own check.
 */
static void call_wait(unsigned int cpu)
{
	uint64_t last = clock_ns_since_boot(), waited = 0;

	while (__atomic_load_n(&percpu_areas[cpu].call_pending, __ATOMIC_ACQUIRE)) {
		uint64_t now;

		cpu_relax();
		now = clock_ns_since_boot();
		if (now > last && now - last < NSEC_PER_SEC)
			waited += now - last;
		last = now;
		if (waited > CALL_STUCK_NS)
			panic("smp: CPU %u has not answered CPU %u's function call for %llu s", cpu,
			      smp_processor_id(), (unsigned long long)(waited / NSEC_PER_SEC));
	}
}

void smp_call_function_many(uint64_t mask, void (*fn)(void *), void *arg)
{
	unsigned int n = READ_ONCE(nr_cpus_online);
	unsigned long flags;
	uint64_t targets;

	if (n == 1)
		return;
	flags = arch_local_irq_save();
	targets = mask & ~(1ULL << smp_processor_id()) & (n < 64 ? (1ULL << n) - 1 : ~0ULL);
	if (!targets) {
		arch_local_irq_restore(flags);
		return;
	}
	while (__atomic_exchange_n(&call.lock, 1, __ATOMIC_ACQUIRE)) {
		smp_call_poll();	/* the holder may be waiting for us */
		cpu_relax();
	}
	call.fn = fn;
	call.arg = arg;
	for (unsigned int c = 0; c < n; c++) {
		if (!(targets & (1ULL << c)))
			continue;
		/* Release: the target sees fn and arg once it sees its flag. */
		__atomic_store_n(&percpu_areas[c].call_pending, 1, __ATOMIC_RELEASE);
		apic_send_ipi(percpu_areas[c].apic_id, CALL_FUNCTION_VECTOR);
	}
	for (unsigned int c = 0; c < n; c++)
		if (targets & (1ULL << c))
			call_wait(c);
	__atomic_store_n(&call.lock, 0, __ATOMIC_RELEASE);
	arch_local_irq_restore(flags);
}

void smp_call_function(void (*fn)(void *), void *arg)
{
	smp_call_function_many(~0ULL, fn, arg);
}

static void reschedule_interrupt(void)
{
	/* irq_exit() switches tasks: the waker already queued one. */
	this_cpu()->nr_ipis++;
	this_cpu()->need_resched = true;
}

void smp_send_reschedule(unsigned int cpu)
{
	apic_send_ipi(percpu_areas[cpu].apic_id, RESCHEDULE_VECTOR);
}

void smp_init_vectors(void)
{
	set_vector_handler(RESCHEDULE_VECTOR, reschedule_interrupt);
	set_vector_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
}

void cpu_idle(void)
{
	for (;;) {
		local_irq_disable();
		/* Idle first, then look: a waker either sees us idle or we see its task. */
		sched_idle_enter();
		if (sched_runnable()) {
			sched_idle_exit();
			local_irq_enable();
			schedule();
		} else {
			safe_halt();	/* wakes on the next interrupt */
			sched_idle_exit();
		}
	}
}
