// SPDX-License-Identifier: MIT
/*
 * run frag SIZE: fragmentation churn.  SIZE of memory is allocated page
 * by page with the migratetypes interleaved the way a busy kernel mixes
 * them (every 8th page unmovable, as a slab or page table page would be;
 * the rest movable, as user memory), then the movable pages are freed and
 * reallocated in random order for several rounds, then the movable pages
 * go away while the unmovable ones stay pinned.
 *
 * What it shows is how well the allocator keeps unmovable pages together
 * (pageblock migratetypes, fallback stealing): with them grouped, the
 * freed movable memory comes back as high-order blocks; scattered, it
 * stays in small pieces.  The report gives free blocks per order before
 * and after, and how many order-9 (2 MiB) blocks can be had at the end.
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/mmzone.h>
#include <guestmm/page_alloc.h>

#define ROUNDS		4
#define PROBE_ORDER	pageblock_order
#define PROBE_MAX	64

static void free_blocks_by_order(unsigned long nr[NR_PAGE_ORDERS])
{
	struct zone *zone;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		nr[o] = 0;
	for_each_populated_zone(zone)
		for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
			nr[o] += READ_ONCE(zone->free_area[o].nr_free);
}

static void print_orders(const char *when, const unsigned long nr[NR_PAGE_ORDERS])
{
	char line[256];
	int n = snprintf(line, sizeof(line), "frag: free blocks by order %-6s", when);

	for (unsigned int o = 0; o < NR_PAGE_ORDERS && n < (int)sizeof(line); o++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %6lu", nr[o]);
	kprintf("%s\n", line);
}

static gfp_t frag_gfp(unsigned long i)
{
	return i % 8 == 0 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE;
}

static int run_frag(int argc, char **argv)
{
	unsigned long before[NR_PAGE_ORDERS], after[NR_PAGE_ORDERS], n, held = 0, probes = 0;
	struct page **pages, *probe[PROBE_MAX];
	struct alloc_stats *st;
	unsigned int arr_order, st_order;
	uint64_t size, rng = 0x243f6a8885a308d3ULL, t0, ns;
	const char *end;
	int ret = 0;

	size = argc > 1 ? memparse(argv[1], &end) : 0;
	if (argc < 2 || *end || size < PAGE_SIZE * 16) {
		kprintf("usage: run frag SIZE (at least 64K)\n");
		return 1;
	}
	n = (unsigned long)(size >> PAGE_SHIFT);
	pages = workload_alloc_array(n, sizeof(*pages), &arr_order);
	st = workload_alloc_array(1, sizeof(*st), &st_order);
	if (!pages || !st) {
		kprintf("frag: cannot allocate the bookkeeping for %lu pages\n", n);
		if (pages)
			free_pages(pages, arr_order);
		return 1;
	}

	free_blocks_by_order(before);
	kprintf("frag: %lu pages, 1 in 8 unmovable, %d rounds of random movable churn\n", n, ROUNDS);
	t0 = rdtsc();
	for (unsigned long i = 0; i < n; i++) {
		pages[i] = workload_alloc_pages(st, frag_gfp(i), 0);
		if (!pages[i]) {
			kprintf("frag: out of memory after %lu pages\n", i);
			ret = 1;
			break;
		}
		held++;
	}
	for (int round = 0; round < ROUNDS && !ret; round++) {
		/* Free half the movable pages at random, then refill the holes. */
		for (unsigned long k = 0; k < n / 2; k++) {
			unsigned long i = (unsigned long)(prandom_next(&rng) % n);

			if (pages[i] && frag_gfp(i) != GFP_KERNEL) {
				__free_page(pages[i]);
				pages[i] = NULL;
				held--;
			}
		}
		for (unsigned long i = 0; i < n; i++) {
			if (!pages[i]) {
				pages[i] = workload_alloc_pages(st, frag_gfp(i), 0);
				if (pages[i])
					held++;
			}
		}
		cond_resched();
		if (workload_should_stop()) {
			kprintf("frag: killed in round %d\n", round);
			ret = WORKLOAD_KILLED;
		}
	}
	/* The movable pages leave; the unmovable ones stay pinned. */
	for (unsigned long i = 0; i < n; i++) {
		if (pages[i] && frag_gfp(i) != GFP_KERNEL) {
			__free_page(pages[i]);
			pages[i] = NULL;
		}
	}
	ns = cycles_to_ns(rdtsc() - t0);
	free_blocks_by_order(after);

	/* How many 2 MiB blocks can still be had, without compaction's help. */
	while (probes < PROBE_MAX &&
	       (probe[probes] = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
					    PROBE_ORDER)) != NULL)
		probes++;
	for (unsigned long i = 0; i < probes; i++)
		__free_pages(probe[i], PROBE_ORDER);
	for (unsigned long i = 0; i < n; i++)
		if (pages[i])
			__free_page(pages[i]);

	kprintf("frag: orders                      %6d %6d %6d %6d %6d %6d %6d %6d %6d %6d %6d\n",
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	print_orders("before", before);
	print_orders("after", after);
	kprintf("frag: %lu unmovable pages pinned during the probe; order-%d blocks available: %lu%s\n",
		(n + 7) / 8, PROBE_ORDER, probes, probes == PROBE_MAX ? "+" : "");
	kprintf("frag: churn took %llu ms; faults: 0 (kernel allocations)\n",
		(unsigned long long)(ns / NSEC_PER_MSEC));
	alloc_stats_report("frag", st);
	free_pages(pages, arr_order);
	free_pages(st, st_order);
	return ret;
}
WORKLOAD(frag, "frag", "SIZE", "fragmentation churn", run_frag);
