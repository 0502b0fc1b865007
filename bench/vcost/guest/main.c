// SPDX-License-Identifier: MIT
/*
 * The virtualization-cost guest: set up paging, an IDT and the LAPIC,
 * then time each op (ops.S) and report on COM1 (the lines of
 * bench/vcost/proto.h).  The same image runs under KVM and under QEMU;
 * the host runners turn cycles into nanoseconds and, under KVM, read
 * the KVM statistics at the marks around each timed run.
 *
 * Each op: sizing runs (from probe_n iterations up) give the cost of an
 * iteration, from which n is chosen so that a timed run takes about
 * vcost.target_us of guest time; then vcost.reps timed runs.  Ops that
 * use something up (window pages, untouched RAM) draw from a cursor and
 * never get more than their share of what is left.
 */
#include <stddef.h>
#include <stdint.h>

#include <pvh/start_info.h>

#include "../proto.h"
#include "guest.h"

/* One op, as the table below describes it. */
struct vcost_op {
	const char *name;			/* the host's tables show it */
	void (*loop)(uint64_t n, uint64_t arg);	/* ops.S */
	uint64_t probe_n;			/* iterations of the sizing run */
	uint64_t arg;				/* fixed argument, or ... */
	uint64_t *cursor;			/* ... drawn from here, stride bytes an iteration */
	uint64_t stride;
	uint64_t limit;				/* the cursor's end */
	uint64_t quantum;			/* n is a multiple of it, if set */
	unsigned int flags;
};

#define RUN_ONESHOT	0x1	/* arm the LAPIC timer one-shot (arg: count) */
#define RUN_TICK	0x2	/* ticks while looping: n is the ticks, base the loop alone */
#define RUN_FLUSH	0x4	/* reload CR3 after each run (stale window translations) */

#define HLT_TIMER_NS	10000	/* the hlt op's one-shot */
#define TICK_NS		50000	/* the tick op's period */
#define DEFAULT_TSC_KHZ	1000000	/* without vcost.tsc_khz: size runs as if 1 GHz */

void op_null(uint64_t n, uint64_t arg);
void op_alu(uint64_t n, uint64_t arg);
void op_alu_irq(uint64_t n, uint64_t arg);
void op_cli_sti(uint64_t n, uint64_t arg);
void op_pushf_popf(uint64_t n, uint64_t arg);
void op_rdtsc(uint64_t n, uint64_t arg);
void op_cr3_read(uint64_t n, uint64_t arg);
void op_cr3_write(uint64_t n, uint64_t arg);
void op_invlpg(uint64_t n, uint64_t arg);
void op_iretq(uint64_t n, uint64_t arg);
void op_page_fault(uint64_t n, uint64_t arg);
void op_pte_write(uint64_t n, uint64_t arg);
void op_first_touch(uint64_t n, uint64_t arg);
void op_pio(uint64_t n, uint64_t arg);
void op_mmio(uint64_t n, uint64_t arg);
void op_hlt_timer(uint64_t n, uint64_t arg);
void op_clear_stosq(uint64_t n, uint64_t arg);
void op_clear_stosb(uint64_t n, uint64_t arg);
void op_clear_movq(uint64_t n, uint64_t arg);

void vcost_main(uint32_t start_info);
void vcost_fault(uint64_t vec, uint64_t err, uint64_t rip, uint64_t cr2);

/* entry.S */
extern const uint8_t vcost_vector_stubs[];
void vcost_pf_entry(void);
void vcost_timer_entry(void);
void vcost_spurious_entry(void);

/* Paging (guest.h has the map).  The window's PTEs are entry.S's too. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t win_pd[512] __attribute__((aligned(4096)));
uint64_t vcost_win_pt[GUEST_WIN_PAGES] __attribute__((aligned(4096)));
uint64_t vcost_win_pte;			/* what the #PF handler installs */
static uint8_t data_page[4096] __attribute__((aligned(4096)));

static uint64_t idt[256][2] __attribute__((aligned(16)));

/* The timer handler's (entry.S). */
volatile uint64_t vcost_ticks;
volatile uint64_t vcost_early_ticks;	/* ticks that came before the hlt op's hlt */
volatile uint32_t vcost_rearm;

/* Cursors of the ops that use things up. */
static uint64_t win_cursor = GUEST_WIN_VA;
static uint64_t pte_cursor;
static uint64_t touch_cursor = GUEST_TOUCH_BASE;

static unsigned int cur_op;		/* for a fault report */

/*
 * The ops in the order they run.  Names are the host's keys
 * (bench/vcost/report.c describes each); indices are the marks'.
 */
enum {
	OP_NULL = VCOST_OP_NULL, OP_ALU, OP_CLI_STI, OP_PUSHF_POPF, OP_RDTSC, OP_CR3_READ,
	OP_CR3_WRITE, OP_INVLPG, OP_IRETQ, OP_PAGE_FAULT, OP_PTE_WRITE, OP_FIRST_TOUCH,
	OP_PIO, OP_MMIO, OP_HLT_TIMER, OP_TICK, OP_CLEAR_STOSQ, OP_CLEAR_MOVQ,
	OP_CLEAR_STOSB, NR_OPS
};

static struct vcost_op ops[NR_OPS] = {
	[OP_NULL] = { "null", op_null, 1 },
	[OP_ALU] = { "alu", op_alu, 4096 },
	[OP_CLI_STI] = { "cli_sti", op_cli_sti, 1024 },
	[OP_PUSHF_POPF] = { "pushf_popf", op_pushf_popf, 1024 },
	[OP_RDTSC] = { "rdtsc", op_rdtsc, 1024 },
	[OP_CR3_READ] = { "cr3_read", op_cr3_read, 1024 },
	[OP_CR3_WRITE] = { "cr3_write", op_cr3_write, 256 },
	[OP_INVLPG] = { "invlpg", op_invlpg, 256, .arg = (uint64_t)data_page },
	[OP_IRETQ] = { "iretq", op_iretq, 256 },
	[OP_PAGE_FAULT] = { "page_fault", op_page_fault, 16, .cursor = &win_cursor,
			    .stride = 4096, .limit = GUEST_WIN_VA + GUEST_WIN_PAGES * 4096ULL },
	/* Clears the PTEs the #PF op set: a live page table (limit: paging_setup). */
	[OP_PTE_WRITE] = { "pte_write", op_pte_write, 16, .cursor = &pte_cursor, .stride = 8,
			   .flags = RUN_FLUSH },
	/*
	 * Whole 2 MiB regions at a time (limit: the end of RAM, from
	 * start_info): a host that backs guest RAM with transparent huge
	 * pages (QEMU madvises them) pays once per region, and the figure
	 * is that spread over the pages it covers.
	 */
	[OP_FIRST_TOUCH] = { "first_touch", op_first_touch, 512, .cursor = &touch_cursor,
			     .stride = 4096, .quantum = 512 },
	[OP_PIO] = { "pio_exit", op_pio, 16 },
	[OP_MMIO] = { "mmio_exit", op_mmio, 16, .arg = VCOST_MMIO_ADDR },
	[OP_HLT_TIMER] = { "hlt_timer", op_hlt_timer, 4, .arg = HLT_TIMER_NS,
			   .flags = RUN_ONESHOT },
	[OP_TICK] = { "timer_tick", op_alu_irq, 4096, .flags = RUN_TICK },
	[OP_CLEAR_STOSQ] = { "clear_stosq", op_clear_stosq, 4, .arg = (uint64_t)data_page },
	[OP_CLEAR_MOVQ] = { "clear_movq", op_clear_movq, 4, .arg = (uint64_t)data_page },
	[OP_CLEAR_STOSB] = { "clear_stosb", op_clear_stosb, 4, .arg = (uint64_t)data_page },
};

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_BASE + reg) = v;
}

static void reload_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(v) : : "memory");
}

static void poweroff(uint8_t status)
{
	outb(VCOST_EXIT_PORT, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- COM1 lines ---------------------------------------------------- */

static void com1_putc(char c)
{
	while (!(inb(VCOST_COM1_LSR) & VCOST_LSR_THRE))
		;
	outb(VCOST_COM1, (uint8_t)c);
}

static void com1_puts(const char *s)
{
	while (*s)
		com1_putc(*s++);
}

static void com1_putu(uint64_t v)
{
	char buf[24];
	int i = 0;

	do
		buf[i++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (i)
		com1_putc(buf[--i]);
}

static void com1_putkv(const char *key, uint64_t v)
{
	com1_putc(' ');
	com1_puts(key);
	com1_putc('=');
	com1_putu(v);
}

/* ---- start_info ---------------------------------------------------- */

/* The decimal value after @key on the command line, or @def. */
static uint64_t cmdline_u64(const char *cl, const char *key, uint64_t def)
{
	for (const char *p = cl; cl && *p; p++) {
		const char *k = key, *q = p;
		uint64_t v = 0;

		if (p != cl && p[-1] != ' ')
			continue;
		while (*k && *q == *k)
			k++, q++;
		if (*k || *q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			v = v * 10 + (uint64_t)(*q++ - '0');
		return v;
	}
	return def;
}

/* The end of the RAM range holding GUEST_TOUCH_BASE, within the identity map; 0 if none. */
static uint64_t touch_end(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *m;

	if (si->version < 1)
		return 0;
	m = (const void *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		uint64_t end = m[i].addr + m[i].size;

		if (m[i].type != XEN_HVM_MEMMAP_TYPE_RAM || m[i].addr > GUEST_TOUCH_BASE ||
		    end <= GUEST_TOUCH_BASE)
			continue;
		return end < GUEST_IDENTITY_END ? end : GUEST_IDENTITY_END;
	}
	return 0;
}

/* ---- set-up -------------------------------------------------------- */

static void paging_setup(void)
{
	for (unsigned int g = 0; g < 4; g++) {
		/* The top GiB is the MMIO hole (the LAPIC, the MMIO op's target): uncached. */
		uint64_t attr = PTE_P | PTE_RW | PTE_PS | (g == 3 ? PTE_PCD | PTE_PWT : 0);

		for (unsigned int i = 0; i < 512; i++)
			pd[g][i] = ((uint64_t)g << 30) + ((uint64_t)i << 21) + attr;
		pdpt[g] = (uint64_t)pd[g] | PTE_P | PTE_RW;
	}
	for (unsigned int i = 0; i < GUEST_WIN_PTS; i++)
		win_pd[i] = (uint64_t)&vcost_win_pt[i * 512] | PTE_P | PTE_RW;
	pdpt[GUEST_WIN_VA >> 30] = (uint64_t)win_pd | PTE_P | PTE_RW;
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_RW;
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)pml4) : "memory");

	vcost_win_pte = (uint64_t)data_page | PTE_P | PTE_RW;
	pte_cursor = (uint64_t)vcost_win_pt;
	ops[OP_PTE_WRITE].limit = pte_cursor + sizeof(vcost_win_pt);
}

static void idt_set(unsigned int vec, uint64_t handler)
{
	idt[vec][0] = (handler & 0xffff) | ((uint64_t)GUEST_CS << 16) |
		      (0x8eULL << 40) |	/* present, DPL 0, 64-bit interrupt gate */
		      ((handler >> 16 & 0xffff) << 48);
	idt[vec][1] = handler >> 32;
}

static void idt_setup(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} desc = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned int v = 0; v < 256; v++)
		idt_set(v, (uint64_t)vcost_vector_stubs + 16 * v);
	idt_set(14, (uint64_t)vcost_pf_entry);
	idt_set(GUEST_TIMER_VEC, (uint64_t)vcost_timer_entry);
	idt_set(GUEST_SPURIOUS_VEC, (uint64_t)vcost_spurious_entry);
	__asm__ volatile("lidt %0" : : "m"(desc));
}

/* The 8259s masked (nothing comes from them), the LAPIC on, its timer masked. */
static void irq_setup(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | GUEST_SPURIOUS_VEC);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | GUEST_TIMER_VEC);
}

/* ---- runs ---------------------------------------------------------- */

/*
 * One run between TSC reads, bracketed by marks of kind @begin and
 * @begin + 1 (VCOST_BEGIN, VCOST_REF_BEGIN), or by none (0: the sizing
 * run, which the host need not see).  Returns cycles.
 */
static uint64_t timed(unsigned int op, unsigned int begin, const struct vcost_op *o,
		      uint64_t n, uint64_t arg)
{
	uint64_t t0, t1;

	if (begin)
		outl(VCOST_MARK_PORT, VCOST_MARK(op, begin));
	t0 = rdtsc();
	o->loop(n, arg);
	t1 = rdtsc();
	if (begin)
		outl(VCOST_MARK_PORT, VCOST_MARK(op, begin + 1));
	return t1 - t0;
}

/* The op's argument for a run of @n, drawing from its cursor. */
static uint64_t take(struct vcost_op *o, uint64_t n)
{
	uint64_t a = o->arg;

	if (o->cursor) {
		a = *o->cursor;
		*o->cursor += n * o->stride;
	}
	return a;
}

/* How many iterations are left in the op's cursor. */
static uint64_t left(const struct vcost_op *o)
{
	if (!o->cursor)
		return UINT64_MAX;
	return *o->cursor < o->limit ? (o->limit - *o->cursor) / o->stride : 0;
}

/*
 * Timed runs with the timer on: the one-shot for the hlt op, the
 * re-armed tick for the tick op.  The LVT goes back to masked after.
 */
static void timer_on(const struct vcost_op *o)
{
	vcost_ticks = 0;
	apic_write(APIC_LVTT, GUEST_TIMER_VEC);
	if (o->flags & RUN_TICK) {
		vcost_rearm = TICK_NS;
		apic_write(APIC_TMICT, TICK_NS);
	}
}

static void timer_off(void)
{
	vcost_rearm = 0;
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | GUEST_TIMER_VEC);
}

/* An unbracketed run of @n, for sizing: the cycles it took. */
static uint64_t sizing_run(unsigned int i, struct vcost_op *o, uint64_t n)
{
	uint64_t c;

	if (o->flags & RUN_ONESHOT)
		timer_on(o);
	c = timed(i, 0, o, n, take(o, n));
	timer_off();
	if (o->flags & RUN_FLUSH)
		reload_cr3();
	return c;
}

static void run_op(unsigned int i, uint64_t null_cycles, uint64_t target, unsigned int reps)
{
	struct vcost_op *o = &ops[i];
	uint64_t n, c, per;

	cur_op = i;
	vcost_early_ticks = 0;
	com1_puts(VCOST_LINE_PREFIX "op ");
	com1_putu(i);
	com1_putc(' ');
	com1_puts(o->name);
	com1_putc('\n');

	/*
	 * Sizing, unbracketed: runs of probe_n, then eight times more each
	 * time, until one takes an eighth of the target or the next would
	 * use more than its share of what a consuming op has left; the
	 * last one sets n.  The first is short, so the cost of a first run
	 * (TCG translates the loop then) does not decide n.  The tick op
	 * sizes its loop with the timer off.
	 */
	n = o->probe_n < left(o) ? o->probe_n : left(o);
	c = n ? sizing_run(i, o, n) : 0;
	while (n && c < target / 8 && n * 8 <= left(o) / (2 * reps)) {
		n *= 8;
		c = sizing_run(i, o, n);
	}
	per = n && c > null_cycles ? (c - null_cycles) / n : 1;
	n = target / (per ? per : 1);
	if (n < 1)
		n = 1;
	if (o->quantum)
		n = (n + o->quantum - 1) / o->quantum * o->quantum;
	if (n > left(o) / reps)
		n = o->quantum ? left(o) / reps / o->quantum * o->quantum : left(o) / reps;

	for (unsigned int r = 0; r < reps; r++) {
		uint64_t base = null_cycles, cnt = n;

		if (!n) {
			c = 0;
		} else if (o->flags & RUN_TICK) {
			base = timed(i, VCOST_REF_BEGIN, o, n, 0);
			timer_on(o);
			c = timed(i, VCOST_BEGIN, o, n, 0);
			timer_off();
			cnt = vcost_ticks;
		} else {
			if (o->flags & RUN_ONESHOT)
				timer_on(o);
			c = timed(i, VCOST_BEGIN, o, n, take(o, n));
			timer_off();
			if (o->flags & RUN_FLUSH)
				reload_cr3();
		}
		com1_puts(VCOST_LINE_PREFIX "run ");
		com1_putu(i);
		com1_putc(' ');
		com1_puts(o->name);
		com1_putkv("rep", r);
		com1_putkv("n", cnt);
		com1_putkv("cycles", c);
		com1_putkv("base", base);
		com1_putc('\n');
	}
	if (vcost_early_ticks) {
		com1_puts(VCOST_LINE_PREFIX "op ");
		com1_putu(i);
		com1_puts(": ");
		com1_putu(vcost_early_ticks);
		com1_puts(" ticks came inside sti's interrupt shadow, before hlt; "
			  "those iterations did not halt\n");
	}
}

void vcost_main(uint32_t start_info)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
	const char *cl;
	uint64_t from, tsc_khz, target_us, reps, null_cycles = UINT64_MAX;

	if (!si || si->magic != XEN_HVM_START_MAGIC_VALUE) {
		com1_puts(VCOST_LINE_PREFIX "no PVH start_info\n");
		poweroff(VCOST_EXIT_BADBOOT);
	}
	cl = si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : NULL;
	from = cmdline_u64(cl, VCOST_KEY_FROM, 1);
	tsc_khz = cmdline_u64(cl, VCOST_KEY_TSC_KHZ, DEFAULT_TSC_KHZ);
	target_us = cmdline_u64(cl, VCOST_KEY_TARGET_US, 20000);
	reps = cmdline_u64(cl, VCOST_KEY_REPS, 3);
	if (!reps)
		reps = 1;
	ops[OP_FIRST_TOUCH].limit = touch_end(si);
	if (ops[OP_FIRST_TOUCH].limit <= GUEST_TOUCH_BASE) {
		com1_puts(VCOST_LINE_PREFIX "no RAM above 64 MiB for the first-touch op\n");
		poweroff(VCOST_EXIT_BADBOOT);
	}

	paging_setup();
	idt_setup();
	irq_setup();
	data_page[0] = 1;	/* host memory behind it from now on */

	com1_puts(VCOST_LINE_PREFIX "hello");
	com1_putkv("ops", NR_OPS);
	com1_putkv("from", from);
	com1_putc('\n');

	/* The empty run's cost: the least of a few, each bracketed for the host. */
	for (unsigned int r = 0; r < 8; r++) {
		uint64_t c = timed(VCOST_OP_NULL, VCOST_BEGIN, &ops[OP_NULL], 1, 0);

		if (c < null_cycles)
			null_cycles = c;
	}
	for (uint64_t i = from ? from : 1; i < NR_OPS; i++)
		run_op((unsigned int)i, null_cycles, target_us * tsc_khz / 1000, (unsigned int)reps);
	com1_puts(VCOST_LINE_PREFIX "done\n");
	poweroff(VCOST_EXIT_DONE);
}

void vcost_fault(uint64_t vec, uint64_t err, uint64_t rip, uint64_t cr2)
{
	com1_puts(VCOST_LINE_PREFIX "fault");
	com1_putkv("op", cur_op);
	com1_putkv("vec", vec);
	com1_putkv("err", err);
	com1_putkv("rip", rip);
	com1_putkv("cr2", cr2);
	com1_putc('\n');
	poweroff(VCOST_EXIT_FAULT);
}
