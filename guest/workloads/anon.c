// SPDX-License-Identifier: MIT
/*
 * run anon SIZE [seq|random|hotcold|idle]: anonymous memory the way a program
 * uses it.  The task gets an address space of its own (task_mm.h) with
 * one SIZE region at TASK_MM_BASE and touches it directly: the first
 * touch of a page is a real page fault that guestmm fills with a zeroed
 * GFP_HIGHUSER_MOVABLE page (minor), a touch of a page reclaim swapped
 * out is one that reads it back from vda (major).  SIZE may exceed RAM
 * when there is swap.
 *
 * 2 x SIZE / 4 KiB touches in the chosen order:
 *   seq      two sequential passes
 *   random   uniformly random pages (some are never touched)
 *   hotcold  80% of touches go to the first 20% of pages
 *   idle     one sequential pass, then the pages sit untouched ("anon:
 *            holding ...") until `kill JOB`, which here ends the hold,
 *            not the run: every page is then verified as usual and the
 *            status is 0 if all held.  An idle program's memory, for
 *            reclaim and the balloon to take and give back.
 *
 * Every page carries a pattern that only its index and how often it was
 * written (gen[idx]) determine.  A touch first checks the page against
 * it (so every swap-in is checked as it happens), then writes the next
 * generation; at the end every page of the region is checked once more
 * (pages never touched must read as zeroes): "N pages verified, 0 bad".
 *
 * The report: throughput of the touch phase, faults (the task's own
 * minor / major counts), pswpin / pswpout during the run, latency of
 * first-touch faults as allocation latency (fast / slow path as the
 * other workloads split it) and of swap-ins, and the time the task
 * stalled on memory (PSI).
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/task_mm.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/anon.h>
#include <guestmm/page_alloc.h>
#include <guestmm/psi.h>
#include <guestmm/pte.h>
#include <guestmm/vmstat.h>

#define WORDS_PER_PAGE	(PAGE_SIZE / sizeof(uint64_t))
#define MAX_BAD_REPORTS	8

enum pattern { PAT_SEQ, PAT_RANDOM, PAT_HOTCOLD, PAT_IDLE };
static const char *const pattern_names[] = { "seq", "random", "hotcold", "idle" };

struct anon_stats {
	struct alloc_stats alloc;	/* first-touch faults */
	struct lat_hist swapin;		/* major faults */
};

/* Everything the code after the fault catch point reads lives here. */
struct anon_run {
	struct mm_anon *mm;
	unsigned long n;		/* pages in the region */
	enum pattern pat;
	uint32_t *gen;			/* per page: times written (0: never) */
	struct anon_stats *st;
	uint64_t rng;
	unsigned long touched, verified, bad;
	uint64_t touch_start, touch_ns, verify_ns;	/* TSC, ns, ns */
	bool stopped;			/* `kill JOB` */
	bool held;			/* idle: the hold ended with `kill JOB` */
};

static uint64_t *page_va(unsigned long idx)
{
	return (uint64_t *)(TASK_MM_BASE + idx * PAGE_SIZE);
}

/* Word @w of page @idx after its @gen'th write; generation 0 is a fresh zeroed page. */
static inline uint64_t pattern_word(unsigned long idx, uint32_t gen, unsigned int w)
{
	if (!gen)
		return 0;
	return (((uint64_t)idx << 32) | gen) * 0x9e3779b97f4a7c15ULL + w * 0x100000001b3ULL;
}

static unsigned long pick(enum pattern pat, unsigned long step, unsigned long n, uint64_t *rng)
{
	unsigned long hot;

	switch (pat) {
	case PAT_SEQ:
	case PAT_IDLE:
		return step % n;
	case PAT_RANDOM:
		return (unsigned long)(prandom_next(rng) % n);
	case PAT_HOTCOLD:
	default:
		hot = n / 5 ? n / 5 : 1;
		if (prandom_next(rng) % 100 < 80 || hot == n)
			return (unsigned long)(prandom_next(rng) % hot);
		return hot + (unsigned long)(prandom_next(rng) % (n - hot));
	}
}

/*
 * Bring page @idx in (a fault if it is not present, timed by what kind
 * it is) and compare it with its expected pattern; false if it differs.
 */
static bool check_page(struct anon_run *r, unsigned long idx)
{
	const volatile uint64_t *p = page_va(idx);
	pte_t pte = platform_pte_read(r->mm->as, (unsigned long)p);
	uint32_t gen = r->gen[idx];
	unsigned long wakeups = 0;
	uint64_t t0 = 0;
	bool ok;

	if (!pte_present(pte)) {
		wakeups = total_kswapd_wakeups();
		t0 = rdtsc();
	}
	ok = p[0] == pattern_word(idx, gen, 0);		/* the faulting access */
	if (t0) {
		uint64_t ns = tsc_ns_since(t0);	/* the fault may have moved us */

		if (pte_is_swap(pte))
			lat_hist_add(&r->st->swapin, ns);
		else
			alloc_stats_add(&r->st->alloc, wakeups, ns);
	}
	for (unsigned int w = 1; w < WORDS_PER_PAGE && ok; w++)
		ok = p[w] == pattern_word(idx, gen, w);
	if (!ok && r->bad++ < MAX_BAD_REPORTS)
		kprintf("anon: page %lu (%#lx) does not hold write %u: bad checksum\n", idx,
			(unsigned long)p, gen);
	return ok;
}

/* Touches in the touch phase: one pass when idle, else two passes' worth. */
static unsigned long touch_steps(const struct anon_run *r)
{
	return r->pat == PAT_IDLE ? r->n : 2 * r->n;
}

static void touch(struct anon_run *r)
{
	unsigned long steps = touch_steps(r);

	r->touch_start = rdtsc();
	for (unsigned long s = 0; s < steps; s++) {
		unsigned long idx = pick(r->pat, s, r->n, &r->rng);
		uint64_t *p = page_va(idx);
		uint32_t gen;

		check_page(r, idx);
		gen = ++r->gen[idx];
		for (unsigned int w = 0; w < WORDS_PER_PAGE; w++)
			p[w] = pattern_word(idx, gen, w);
		r->touched++;
		if (!(s & 255)) {
			cond_resched();
			if (workload_should_stop()) {
				r->stopped = true;
				break;
			}
		}
	}
	r->touch_ns = cycles_to_ns(rdtsc() - r->touch_start);
}

/* idle: leave the pages alone until `kill JOB`. */
static void hold(struct anon_run *r)
{
	kprintf("anon: holding %lu pages until kill\n", r->n);
	while (!workload_should_stop())
		msleep(100);
	r->held = true;
}

static void verify(struct anon_run *r)
{
	uint64_t t0 = rdtsc();

	for (unsigned long idx = 0; idx < r->n; idx++) {
		check_page(r, idx);
		r->verified++;
		if (!(idx & 255)) {
			cond_resched();
			/* After a hold the stop request is the one that ended it. */
			if (!r->held && workload_should_stop()) {
				r->stopped = true;
				break;
			}
		}
	}
	r->verify_ns = cycles_to_ns(rdtsc() - t0);
}

static const char *signal_name(int sig)
{
	return sig == SIGKILL ? "SIGKILL" : sig == SIGBUS ? "SIGBUS" : "SIGSEGV";
}

/* What the run did, measured from the first snapshot to the second. */
struct anon_snapshot {
	unsigned long min_flt, maj_flt, pswpin, pswpout;
	uint64_t memstall_ns, psi_some_us, ns;
};

static void snapshot(struct anon_snapshot *s, const struct mm_task *mt)
{
	struct psi_memory pm;

	psi_memory_read(&pm);
	s->min_flt = current->min_flt;
	s->maj_flt = current->maj_flt;
	s->pswpin = sum_vm_event(PSWPIN);
	s->pswpout = sum_vm_event(PSWPOUT);
	s->memstall_ns = mt->memstall_ns;
	s->psi_some_us = pm.some_total_us;
	s->ns = clock_ns_since_boot();
}

static void report(const struct anon_run *r, const struct anon_snapshot *a,
		   const struct anon_snapshot *b, const struct anon_snapshot *c)
{
	uint64_t run_ns = c->ns - a->ns, stall_ns = c->memstall_ns - a->memstall_ns;

	kprintf("anon: touched %llu MiB in %llu ms: %llu MiB/s\n",
		(unsigned long long)(r->touched * PAGE_SIZE >> 20),
		(unsigned long long)(r->touch_ns / NSEC_PER_MSEC),
		(unsigned long long)(r->touch_ns ?
				     r->touched * PAGE_SIZE * NSEC_PER_SEC / r->touch_ns >> 20 : 0));
	kprintf("anon: faults: %lu minor (first touch), %lu major (swap-in)\n",
		b->min_flt - a->min_flt, b->maj_flt - a->maj_flt);
	kprintf("anon: swap: pswpin %lu pswpout %lu\n", c->pswpin - a->pswpin,
		c->pswpout - a->pswpout);
	alloc_stats_report("anon", &r->st->alloc);
	lat_hist_report("anon", "swap-in latency", &r->st->swapin);
	kprintf("anon: memory stall %llu ms (%llu.%llu%% of %llu ms), PSI some total +%llu us\n",
		(unsigned long long)(stall_ns / NSEC_PER_MSEC),
		(unsigned long long)(run_ns ? stall_ns * 100 / run_ns : 0),
		(unsigned long long)(run_ns ? stall_ns * 1000 / run_ns % 10 : 0),
		(unsigned long long)(run_ns / NSEC_PER_MSEC),
		(unsigned long long)(c->psi_some_us - a->psi_some_us));
	kprintf("anon: verify: %lu major faults in %llu ms\n", c->maj_flt - b->maj_flt,
		(unsigned long long)(r->verify_ns / NSEC_PER_MSEC));
	kprintf("anon: %lu pages verified, %lu bad\n", r->verified, r->bad);
}

static int parse_args(int argc, char **argv, uint64_t *size, enum pattern *pat)
{
	const char *end;

	if (argc < 2) {
		kprintf("usage: run anon SIZE [seq|random|hotcold|idle]\n");
		return -1;
	}
	*size = memparse(argv[1], &end) & ~(uint64_t)(PAGE_SIZE - 1);
	if (*end || !*size || *size > USER_AS_END - TASK_MM_BASE) {
		kprintf("anon: bad size '%s' (e.g. 64M)\n", argv[1]);
		return -1;
	}
	*pat = PAT_SEQ;
	if (argc > 2) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(pattern_names); i++)
			if (!strcmp(argv[2], pattern_names[i]))
				break;
		if (i == ARRAY_SIZE(pattern_names)) {
			kprintf("anon: unknown pattern '%s' (seq, random, hotcold, idle)\n", argv[2]);
			return -1;
		}
		*pat = (enum pattern)i;
	}
	return 0;
}

static int run_anon(int argc, char **argv)
{
	struct anon_snapshot a, b, c;
	struct anon_run run = { .rng = 0x9e3779b97f4a7c15ULL };
	struct anon_run *r = &run;
	struct mm_task mt = { 0 };
	struct fault_catch fc;
	unsigned int gen_order, st_order;
	uint64_t size;
	char sz[24];
	int sig, ret = 1;

	if (parse_args(argc, argv, &size, &r->pat) < 0)
		return 1;
	r->n = (unsigned long)(size >> PAGE_SHIFT);
	r->gen = workload_alloc_array(r->n, sizeof(*r->gen), &gen_order);
	if (!r->gen) {
		kprintf("anon: cannot allocate the bookkeeping for %lu pages\n", r->n);
		return 1;
	}
	r->st = workload_alloc_array(1, sizeof(*r->st), &st_order);
	if (!r->st) {
		kprintf("anon: cannot allocate the statistics\n");
		goto out_gen;
	}
	r->mm = mm_anon_create();
	if (!r->mm || anon_map(r->mm, TASK_MM_BASE, size, true) < 0) {
		kprintf("anon: cannot create the address space\n");
		goto out_mm;
	}
	task_mm_attach(&mt, r->mm);

	format_size(sz, sizeof(sz), size);
	kprintf("anon: %s (%lu pages) %s at %#lx, %lu touches\n", sz, r->n,
		pattern_names[r->pat], TASK_MM_BASE, touch_steps(r));
	snapshot(&a, &mt);
	b = a;
	sig = task_catch_faults(&fc);
	if (!sig) {
		touch(r);
		snapshot(&b, &mt);
		if (r->pat == PAT_IDLE && !r->stopped)
			hold(r);
		if (!r->stopped)
			verify(r);
	}
	task_uncatch_faults();
	snapshot(&c, &mt);
	if (sig && !r->touch_ns) {
		/* The touch phase ended with the signal. */
		r->touch_ns = cycles_to_ns(rdtsc() - r->touch_start);
		b = c;
	}
	/*
	 * The OOM killer's kill() is a stop request, which a step may see
	 * before an access finds the memory gone: the same SIGKILL either way.
	 */
	if (!sig && r->stopped && READ_ONCE(mt.oom_killed))
		sig = SIGKILL;

	if (sig) {
		kprintf("anon: %s after %lu touches%s\n", signal_name(sig), r->touched,
			sig == SIGKILL ? " (chosen by the OOM killer)" : "");
		ret = 128 + sig;
	} else if (r->stopped) {
		kprintf("anon: killed after %lu touches\n", r->touched);
		ret = WORKLOAD_KILLED;
	} else {
		ret = r->bad ? 1 : 0;
	}
	report(r, &a, &b, &c);

	task_mm_detach(&mt);
out_mm:
	if (r->mm)
		mm_anon_destroy(r->mm);
	free_pages(r->st, st_order);
out_gen:
	free_pages(r->gen, gen_order);
	return ret;
}
WORKLOAD(anon, "anon", "SIZE [seq|random|hotcold|idle]", "touch anonymous memory", run_anon);
