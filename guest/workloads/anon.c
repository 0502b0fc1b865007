// SPDX-License-Identifier: MIT
/*
 * run anon SIZE [seq|random|hotcold]: anonymous memory the way a program
 * uses it.  SIZE of memory is touched page by page in the chosen order,
 * twice over (2 x SIZE / 4 KiB touches); the first touch of a page
 * allocates it, which is the guest's equivalent of an anonymous page fault
 * (counted as pgfault in /proc/vmstat).  Then everything is freed.
 *
 *   seq      two sequential passes
 *   random   uniformly random pages (some are never touched)
 *   hotcold  80% of touches go to the first 20% of pages
 *
 * Pages are movable, highuser allocations (GFP_HIGHUSER_MOVABLE), as
 * Linux's anonymous memory is.
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/page_alloc.h>
#include <guestmm/vmstat.h>

enum pattern { PAT_SEQ, PAT_RANDOM, PAT_HOTCOLD };
static const char *const pattern_names[] = { "seq", "random", "hotcold" };

static unsigned long pick(enum pattern pat, unsigned long step, unsigned long n, uint64_t *rng)
{
	unsigned long hot;

	switch (pat) {
	case PAT_SEQ:
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

static int run_anon(int argc, char **argv)
{
	struct alloc_stats *st;
	struct page **pages;
	enum pattern pat = PAT_SEQ;
	unsigned long n, steps, touched = 0, faults = 0;
	unsigned int arr_order, st_order;
	uint64_t size, rng = 0x9e3779b97f4a7c15ULL, t0, touch_ns, free_ns;
	const char *end;
	char sz[24];
	int ret = 0;

	if (argc < 2) {
		kprintf("usage: run anon SIZE [seq|random|hotcold]\n");
		return 1;
	}
	size = memparse(argv[1], &end);
	if (*end || size < PAGE_SIZE) {
		kprintf("anon: bad size '%s' (e.g. 64M)\n", argv[1]);
		return 1;
	}
	if (argc > 2) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(pattern_names); i++)
			if (!strcmp(argv[2], pattern_names[i]))
				break;
		if (i == ARRAY_SIZE(pattern_names)) {
			kprintf("anon: unknown pattern '%s' (seq, random, hotcold)\n", argv[2]);
			return 1;
		}
		pat = (enum pattern)i;
	}
	n = (unsigned long)(size >> PAGE_SHIFT);
	pages = workload_alloc_array(n, sizeof(*pages), &arr_order);
	st = workload_alloc_array(1, sizeof(*st), &st_order);
	if (!pages || !st) {
		kprintf("anon: cannot allocate the bookkeeping for %lu pages\n", n);
		if (pages)
			free_pages(pages, arr_order);
		return 1;
	}

	format_size(sz, sizeof(sz), size);
	kprintf("anon: %s (%lu pages) %s, %lu touches\n", sz, n, pattern_names[pat], 2 * n);
	steps = 2 * n;
	t0 = rdtsc();
	for (unsigned long s = 0; s < steps; s++) {
		unsigned long idx = pick(pat, s, n, &rng);

		if (!pages[idx]) {
			pages[idx] = workload_alloc_pages(st, GFP_HIGHUSER_MOVABLE, 0);
			if (!pages[idx]) {
				kprintf("anon: allocation failed after %lu pages: out of memory\n", faults);
				ret = 1;
				break;
			}
			faults++;
			count_vm_event(PGFAULT);
		}
		memset(page_address(pages[idx]), (int)(s & 0xff), PAGE_SIZE);
		touched++;
		if (!(s & 255)) {
			cond_resched();
			if (workload_should_stop()) {
				kprintf("anon: killed after %lu touches\n", touched);
				ret = WORKLOAD_KILLED;
				break;
			}
		}
	}
	touch_ns = cycles_to_ns(rdtsc() - t0);

	t0 = rdtsc();
	for (unsigned long i = 0; i < n; i++)
		if (pages[i])
			__free_page(pages[i]);
	free_ns = cycles_to_ns(rdtsc() - t0);

	kprintf("anon: touched %llu MiB in %llu ms: %llu MiB/s\n",
		(unsigned long long)(touched * PAGE_SIZE >> 20),
		(unsigned long long)(touch_ns / NSEC_PER_MSEC),
		(unsigned long long)(touch_ns ? touched * PAGE_SIZE * NSEC_PER_SEC / touch_ns >> 20 : 0));
	kprintf("anon: faults: %lu minor (first touch), 0 major; %lu allocations failed\n", faults,
		st->failed);
	alloc_stats_report("anon", st);
	kprintf("anon: freed %lu pages in %llu us\n", faults,
		(unsigned long long)(free_ns / NSEC_PER_USEC));

	free_pages(pages, arr_order);
	free_pages(st, st_order);
	return ret;
}
WORKLOAD(anon, "anon", "SIZE [seq|random|hotcold]", "touch anonymous memory", run_anon);
