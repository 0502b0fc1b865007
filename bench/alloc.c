// SPDX-License-Identifier: MIT
/*
 * Page allocator benchmark: nanoseconds per alloc+free pair, each case
 * beside baselines timed in the same process on the same machine:
 *
 *   order-0 via the per-CPU lists   vs glibc malloc/free(4 KiB) and a
 *                                    plain single free list of pages
 *   order-0 straight from the buddy  (per-CPU caching off: high = 0)
 *   order 3, order 9                 vs glibc malloc/free of 32 KiB, 2 MiB
 *   mixed-order churn (0..10, 512 live blocks) vs glibc with the same sizes
 *
 * Each figure is the best of several runs (the least disturbed).
 */
#include "bench_util.h"

#include <guestmm/page_alloc.h>
#include <hosted/hosted.h>
#include <stdio.h>
#include <stdlib.h>

#include "../guestmm/internal.h"

#define RUNS	7

typedef void (*bench_fn)(unsigned long iters);

static double best_ns(bench_fn fn, unsigned long iters)
{
	double best = 1e30;

	fn(iters / 10);		/* warm up caches and per-CPU lists */
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_now_ns();

		fn(iters);
		double ns = (double)(bench_now_ns() - t0) / (double)iters;

		if (ns < best)
			best = ns;
	}
	return best;
}

static unsigned int cur_order;

static void ebb_pair(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, cur_order);

		bench_keep(p);
		__free_pages(p, cur_order);
	}
}

static void glibc_pair(unsigned long iters)
{
	size_t size = 4096UL << cur_order;

	for (unsigned long i = 0; i < iters; i++) {
		void *p = malloc(size);

		bench_keep(p);
		free(p);
	}
}

/* The simplest page allocator there is: a LIFO list threaded through free pages. */
static void **freelist_head;

static void freelist_init(void *mem, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++) {
		void **page = (void **)((char *)mem + i * 4096);

		*page = freelist_head;
		freelist_head = page;
	}
}

static void freelist_pair(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		void **p = freelist_head;

		freelist_head = *p;
		bench_keep(p);
		*p = freelist_head;
		freelist_head = p;
	}
}

/* Churn: a window of live blocks of random orders, each slot replaced in turn. */
#define CHURN_SLOTS 512
static unsigned int churn_orders[1 << 16];

static void churn_init(void)
{
	uint64_t x = 88172645463325252ull;

	for (unsigned int i = 0; i < ARRAY_SIZE(churn_orders); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Mostly small, like a kernel's mix: 0 (60%), 1-3 (30%), 4-10 (10%). */
		unsigned int r = (unsigned int)(x % 100);

		churn_orders[i] = r < 60 ? 0 : r < 90 ? 1 + (unsigned int)(x >> 8) % 3 :
				  4 + (unsigned int)(x >> 8) % 7;
	}
}

static void ebb_churn(unsigned long iters)
{
	static struct page *slot[CHURN_SLOTS];
	static unsigned int slot_order[CHURN_SLOTS];

	for (unsigned long i = 0; i < iters; i++) {
		unsigned int s = i % CHURN_SLOTS;
		unsigned int o = churn_orders[i % ARRAY_SIZE(churn_orders)];

		if (slot[s])
			__free_pages(slot[s], slot_order[s]);
		slot[s] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, o);
		slot_order[s] = o;
	}
	for (unsigned int s = 0; s < CHURN_SLOTS; s++) {
		if (slot[s])
			__free_pages(slot[s], slot_order[s]);
		slot[s] = NULL;
	}
}

static void glibc_churn(unsigned long iters)
{
	static void *slot[CHURN_SLOTS];

	for (unsigned long i = 0; i < iters; i++) {
		unsigned int s = i % CHURN_SLOTS;

		free(slot[s]);
		slot[s] = malloc(4096UL << churn_orders[i % ARRAY_SIZE(churn_orders)]);
	}
	for (unsigned int s = 0; s < CHURN_SLOTS; s++) {
		free(slot[s]);
		slot[s] = NULL;
	}
}

static void set_pcp_high(int high, int batch)
{
	struct zone *zone;

	drain_all_pages(NULL);
	for_each_populated_zone(zone) {
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
			zone_pcp(zone, cpu)->high = high;
			zone_pcp(zone, cpu)->batch = batch;
		}
	}
}

int main(void)
{
	/* Exclusive CPUs: per-CPU data locked the way the guest kernel locks it. */
	struct hosted_machine m = { .nr_nodes = 2, .nr_cpus = 1, .exclusive_cpus = true,
				    .node_bytes = { 1ULL << 30, 1ULL << 30 } };
	struct bench *b;
	double ebb, base;
	void *flmem;

	hosted_log_quiet(true);
	if (hosted_boot(&m))
		return 1;
	churn_init();
	b = bench_open("alloc", false);
	printf("alloc: guestmm on the hosted platform, 2 nodes x 1 GiB, 1 exclusive CPU "
	       "(per-CPU locking as in the guest); best of %d runs\n", RUNS);

	cur_order = 0;
	ebb = best_ns(ebb_pair, 5000000);
	base = best_ns(glibc_pair, 5000000);
	bench_compare(b, "order0 per-cpu pair", "alloc+free", "ns", ebb, "glibc malloc/free 4KiB",
		      base, true);
	flmem = aligned_alloc(4096, 1024 * 4096);
	freelist_init(flmem, 1024);
	base = best_ns(freelist_pair, 5000000);
	bench_compare(b, "order0 per-cpu pair", "alloc+free", "ns", ebb, "single free list", base,
		      true);

	/*
	 * Straight from the buddy lists: per-CPU caching off.  In a pristine
	 * zone every pair splits a 4 MiB block down ten levels and merges it
	 * back; holding one page keeps its order-0 buddy from merging, which
	 * is the steady state of a zone in use.
	 */
	set_pcp_high(0, 1);
	ebb = best_ns(ebb_pair, 2000000);
	bench_compare(b, "order0 buddy pair, pristine", "alloc+free", "ns", ebb,
		      "single free list", base, true);
	{
		struct page *held = alloc_pages(GFP_KERNEL, 0);

		ebb = best_ns(ebb_pair, 2000000);
		bench_compare(b, "order0 buddy pair, steady", "alloc+free", "ns", ebb,
			      "glibc malloc/free 4KiB", best_ns(glibc_pair, 2000000), true);
		__free_pages(held, 0);
	}
	set_pcp_high(zone_highsize(&NODE_DATA(0)->node_zones[ZONE_DMA32], 63), 63);
	{
		struct zone *zone;

		for_each_populated_zone(zone)
			zone_pcp_update(zone);
	}

	cur_order = 3;
	ebb = best_ns(ebb_pair, 2000000);
	base = best_ns(glibc_pair, 2000000);
	bench_compare(b, "order3 pair", "alloc+free", "ns", ebb, "glibc malloc/free 32KiB", base,
		      true);

	cur_order = 9;
	ebb = best_ns(ebb_pair, 1000000);
	base = best_ns(glibc_pair, 200000);
	bench_compare(b, "order9 pair", "alloc+free", "ns", ebb, "glibc malloc/free 2MiB", base,
		      true);

	ebb = best_ns(ebb_churn, 1000000);
	base = best_ns(glibc_churn, 200000);
	bench_compare(b, "mixed-order churn 0..10", "replace", "ns", ebb,
		      "glibc malloc/free same sizes", base, true);

	free(flmem);
	return bench_close(b) ? 1 : 0;
}
