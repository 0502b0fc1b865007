// SPDX-License-Identifier: MIT
/*
 * Starting the application processors (docs/smp.md).
 *
 * smp_prepare() runs before the page allocator exists: it reads the CPUs
 * (and their nodes) from the MADT and SRAT and keeps the trampoline page
 * out of memblock's hands.  smp_boot_cpus() runs once the scheduler and
 * the boot CPU's timer work: for each AP in turn it gives it an idle task
 * (whose stack the AP starts on), fills in the trampoline and sends INIT,
 * STARTUP, STARTUP as the MP specification orders, then waits up to a
 * second for the AP to say it is online.  An AP that never answers is
 * reported and left out; the others still come up.
 */
#include <guest/acpi.h>
#include <guest/apic.h>
#include <guest/memblock.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/traps.h>
#include <guest/x86.h>

/* Below 1 MiB (a STARTUP vector is a page number), above the boot data (layout.h). */
#define TRAMPOLINE_PA		0x20000UL
#define AP_ONLINE_TIMEOUT_US	1000000UL
#define EFER_LMA		(1UL << 10)
#define MSR_IA32_TSC		0x10
/* A TSC this far from the boot CPU's is set; closer is the host's sync, left alone. */
#define TSC_SYNC_SLACK_US	100

extern const char trampoline_start[], trampoline_end[];
extern const char tr_gdt[], tr_gdt_desc[], tr_jmp32[], tr_jmp64[], tr_pm32[], tr_lm64[];
extern const char tr_cr3[], tr_cr4[], tr_efer[], tr_stack[], tr_percpu[], tr_entry[];

static struct acpi_cpu found[NR_CPUS];
static bool trampoline_ok;

/*
 * The TSC handshake: the AP raises tsc_ap_waiting, the boot CPU answers
 * with its TSC in tsc_bsp_value.  A hypervisor that starts an AP's TSC
 * from 0 at INIT (QEMU's TCG does) would otherwise give every CPU its
 * own clock, and a task that migrates would see time run backwards.
 */
static int tsc_ap_waiting;
static uint64_t tsc_bsp_value;

__noreturn void ap_start(struct percpu *p);

/* The boot CPU's initial APIC ID, before its APIC is mapped: CPUID 1, EBX[31:24]. */
static unsigned int apic_id_early(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

void smp_prepare(uint64_t rsdp_pa)
{
	unsigned int n = acpi_find_cpus(rsdp_pa, found, NR_CPUS);
	unsigned int bsp = apic_id_early();

	nr_cpus_possible = 1;
	percpu_areas[0].apic_id = bsp;
	percpu_areas[0].node = 0;
	/* CPU 0 is the boot CPU whichever MADT entry it has; the rest in MADT order. */
	for (unsigned int i = 0; i < n; i++) {
		if (found[i].apic_id == bsp) {
			percpu_areas[0].node = found[i].node;
			continue;
		}
		percpu_areas[nr_cpus_possible].apic_id = found[i].apic_id;
		percpu_areas[nr_cpus_possible].node = found[i].node;
		nr_cpus_possible++;
	}
	if (nr_cpus_possible == 1)
		return;
	if (!memblock_is_reserved(TRAMPOLINE_PA, PAGE_SIZE_4K) &&
	    memblock_reserve(TRAMPOLINE_PA, PAGE_SIZE_4K) < 0) {
		pr_err("smp: cannot reserve the trampoline page: one CPU\n");
		nr_cpus_possible = 1;
		return;
	}
	trampoline_ok = true;
	pr_info("smp: %u CPUs in the MADT\n", nr_cpus_possible);
}

static void tr_put(const char *field, uint64_t v, size_t size)
{
	memcpy((char *)TRAMPOLINE_PA + (field - trampoline_start), &v, size);
}

/* The trampoline's far pointers and descriptor hold absolute addresses. */
static void trampoline_install(void)
{
	size_t len = (size_t)(trampoline_end - trampoline_start);

	memcpy((void *)TRAMPOLINE_PA, trampoline_start, len);
	/* The descriptor's base is a 32-bit field 2 bytes in; far pointers are offset then selector. */
	tr_put(tr_gdt_desc + 2, TRAMPOLINE_PA + (uint64_t)(tr_gdt - trampoline_start), 4);
	tr_put(tr_jmp32, TRAMPOLINE_PA + (uint64_t)(tr_pm32 - trampoline_start), 4);
	tr_put(tr_jmp64, TRAMPOLINE_PA + (uint64_t)(tr_lm64 - trampoline_start), 4);
	tr_put(tr_cr3, read_cr3(), 8);
	tr_put(tr_cr4, read_cr4(), 8);
	tr_put(tr_efer, rdmsr(MSR_EFER) & ~EFER_LMA, 8);
	tr_put(tr_entry, (uint64_t)ap_start, 8);
}

static bool boot_one(unsigned int cpu)
{
	struct percpu *p = &percpu_areas[cpu];
	struct task_struct *idle = sched_idle_task_create(cpu);
	uint64_t waited = 0;

	if (!idle)
		return false;
	p->cpu = cpu;
	p->self = p;
	p->idle = p->curr = idle;
	tr_put(tr_stack, sched_task_stack_top(idle), 8);
	tr_put(tr_percpu, (uint64_t)p, 8);

	apic_send_init(p->apic_id);
	udelay(10000);
	/* The second STARTUP only if the first was lost; a started AP ignores it anyway. */
	for (int i = 0; i < 2 && READ_ONCE(nr_cpus_online) == cpu; i++) {
		apic_send_sipi(p->apic_id, TRAMPOLINE_PA);
		udelay(200);
	}
	while (READ_ONCE(nr_cpus_online) == cpu && waited < AP_ONLINE_TIMEOUT_US) {
		if (__atomic_load_n(&tsc_ap_waiting, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&tsc_bsp_value, __ATOMIC_ACQUIRE)) {
			tsc_ap_waiting = 0;
			__atomic_store_n(&tsc_bsp_value, rdtsc(), __ATOMIC_RELEASE);
			continue;
		}
		udelay(100);
		waited += 100;
	}
	if (READ_ONCE(nr_cpus_online) == cpu) {
		pr_err("smp: CPU %u (APIC %u) did not come up\n", cpu, p->apic_id);
		return false;
	}
	return true;
}

void smp_boot_cpus(void)
{
	unsigned int cpu;

	if (!trampoline_ok)
		return;
	trampoline_install();
	for (cpu = 1; cpu < nr_cpus_possible; cpu++)
		if (!boot_one(cpu))
			break;	/* CPU numbers stay dense: the rest stay down */
	pr_info("smp: brought up %u CPU%s\n", nr_cpus_online, nr_cpus_online == 1 ? "" : "s");
}

/*
 * Ask the boot CPU for its TSC a few times; the answer was read somewhere
 * between our request and its arrival, so the best estimate of the
 * offset is against the midpoint, off by at most half the round trip.
 * Keep the sample with the shortest round trip, and set the TSC only if
 * the offset is larger than both that uncertainty and TSC_SYNC_SLACK_US:
 * a host that keeps TSCs in step (KVM does) is left alone even when its
 * vCPUs answer slowly.
 */
#define TSC_SYNC_SAMPLES	5

static void tsc_sync_with_bsp(struct percpu *p)
{
	uint64_t slack = tsc_khz * TSC_SYNC_SLACK_US / 1000, best_rtt = ~0ULL;
	int64_t best = 0;

	for (int i = 0; i < TSC_SYNC_SAMPLES; i++) {
		uint64_t bsp, t0 = rdtsc(), t1;

		__atomic_store_n(&tsc_ap_waiting, 1, __ATOMIC_RELEASE);
		while (!(bsp = __atomic_load_n(&tsc_bsp_value, __ATOMIC_ACQUIRE)))
			cpu_relax();
		t1 = rdtsc();
		__atomic_store_n(&tsc_bsp_value, 0, __ATOMIC_RELEASE);
		if (t1 - t0 < best_rtt) {
			best_rtt = t1 - t0;
			best = (int64_t)(bsp - (t0 + (t1 - t0) / 2));
		}
	}
	if ((uint64_t)(best < 0 ? -best : best) > slack &&
	    (uint64_t)(best < 0 ? -best : best) > best_rtt) {
		wrmsr(MSR_IA32_TSC, rdtsc() + (uint64_t)best);
		pr_info("smp: CPU %u's TSC was %lld cycles off the boot CPU's (+-%llu): set\n",
			p->cpu, (long long)-best, (unsigned long long)(best_rtt / 2));
	}
}

/* The AP in C: on its idle task's stack, interrupts off, GS not yet set. */
void ap_start(struct percpu *p)
{
	percpu_setup(p);
	p->loaded_cr3 = read_cr3();
	gdt_init_cpu(p->cpu);
	idt_load();
	apic_init_ap();
	tsc_sync_with_bsp(p);
	apic_timer_start();
	pr_info("smp: CPU %u (APIC %u, node %d) online\n", p->cpu, apic_id(), p->node);
	/* Everything above is visible before the boot CPU sees us online. */
	__atomic_store_n(&nr_cpus_online, p->cpu + 1, __ATOMIC_RELEASE);
	cpu_idle();
}
