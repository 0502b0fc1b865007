// SPDX-License-Identifier: MIT
/*
 * The local APIC and its timer: the scheduler's tick.
 *
 * The timer runs in periodic mode at HZ.  Its input clock (the bus or
 * crystal clock after a divider) is not given anywhere reliable, so it is
 * measured: start a one-shot count, wait 10 ms on the calibrated TSC, see
 * how far it went (Linux calibrates against the PIT or TSC the same way).
 */
#include <guest/apic.h>
#include <guest/interrupts.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/time.h>
#include <guest/traps.h>
#include <guest/x86.h>

#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_TASKPRI	0x080
#define APIC_EOI	0x0b0
#define APIC_SPIV	0x0f0
#define APIC_SPIV_APIC_ENABLED	0x100
#define APIC_LVTT	0x320
#define APIC_LVTT_PERIODIC	(1u << 17)
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_LVT_MASKED	(1u << 16)
#define APIC_DM_NMI	0x400
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_TDR_DIV_16	0x3
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_ICR_BUSY		(1u << 12)
#define APIC_DM_FIXED		0x000
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_INT_ASSERT		(1u << 14)
#define APIC_INT_LEVELTRIG	(1u << 15)

#define MSR_APICBASE_ENABLE	(1UL << 11)

uint64_t lapic_timer_hz;
volatile unsigned long jiffies;

static volatile uint32_t *lapic;

static inline uint32_t apic_read(unsigned int reg)
{
	return lapic[reg / 4];
}

static inline void apic_write(unsigned int reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

void apic_eoi(void)
{
	if (lapic)
		apic_write(APIC_EOI, 0);
}

void legacy_pic_disable(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* The LVTs and the spurious vector: the same on every CPU. */
static void apic_setup_local(void)
{
	apic_write(APIC_TASKPRI, 0);
	apic_write(APIC_LVT0, APIC_LVT_MASKED);		/* no 8259 through ExtINT */
	apic_write(APIC_LVT1, APIC_DM_NMI);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
}

unsigned int apic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

void apic_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		panic("no local APIC: the kernel needs one for its timer");
	base = rdmsr(MSR_IA32_APICBASE);
	if (!(base & MSR_APICBASE_ENABLE))
		wrmsr(MSR_IA32_APICBASE, base | MSR_APICBASE_ENABLE);
	lapic = ioremap(base & ~0xfffUL, 4096);
	if (!lapic)
		panic("cannot map the local APIC");

	apic_setup_local();
	pr_info("apic: local APIC id %u version %#x at %#llx\n", apic_read(APIC_ID) >> 24,
		apic_read(APIC_LVR) & 0xff, (unsigned long long)(base & ~0xfffUL));
}

static void local_timer_interrupt(void)
{
	scheduler_tick();
}

void apic_timer_init(void)
{
	uint64_t t0, t1;
	uint32_t counted;

	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, 0xffffffffu);
	t0 = rdtsc();
	udelay(10000);
	counted = 0xffffffffu - apic_read(APIC_TMCCT);
	t1 = rdtsc();
	apic_write(APIC_TMICT, 0);

	/* Scale by the TSC time that really passed (udelay may overshoot). */
	lapic_timer_hz = (uint64_t)counted * NSEC_PER_SEC / (cycles_to_ns(t1 - t0) ?: 1);
	if (lapic_timer_hz < HZ * 10)
		panic("apic: the LAPIC timer does not count (%llu Hz)",
		      (unsigned long long)lapic_timer_hz);

	set_vector_handler(LOCAL_TIMER_VECTOR, local_timer_interrupt);
	apic_timer_start();
	pr_info("apic: timer %llu.%03llu MHz after /16, tick %d Hz\n",
		(unsigned long long)(lapic_timer_hz / 1000000),
		(unsigned long long)(lapic_timer_hz / 1000 % 1000), HZ);
}

void apic_timer_start(void)
{
	apic_write(APIC_TDCR, APIC_TDR_DIV_16);
	apic_write(APIC_LVTT, APIC_LVTT_PERIODIC | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, (uint32_t)(lapic_timer_hz / HZ));
}

/*
 * An AP: its APIC is already enabled in the APIC base MSR (INIT/SIPI
 * reached it) and sits at the same address as the boot CPU's, which the
 * shared page tables already map.
 */
void apic_init_ap(void)
{
	apic_setup_local();
}

static void apic_wait_icr_idle(void)
{
	while (apic_read(APIC_ICR) & APIC_ICR_BUSY)
		cpu_relax();
}

static void apic_icr_write(unsigned int dest_apic_id, uint32_t low)
{
	unsigned long flags = arch_local_irq_save();

	apic_wait_icr_idle();
	apic_write(APIC_ICR2, dest_apic_id << 24);
	apic_write(APIC_ICR, low);	/* writing the low half sends it */
	apic_wait_icr_idle();
	arch_local_irq_restore(flags);
}

void apic_send_ipi(unsigned int dest_apic_id, unsigned int vector)
{
	apic_icr_write(dest_apic_id, APIC_DM_FIXED | APIC_INT_ASSERT | vector);
}

void apic_send_init(unsigned int dest_apic_id)
{
	apic_icr_write(dest_apic_id, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
	udelay(200);
	apic_icr_write(dest_apic_id, APIC_DM_INIT | APIC_INT_LEVELTRIG);	/* de-assert */
}

void apic_send_sipi(unsigned int dest_apic_id, uint64_t start_pa)
{
	apic_icr_write(dest_apic_id, APIC_DM_STARTUP | (uint32_t)(start_pa >> 12));
}
