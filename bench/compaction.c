// SPDX-License-Identifier: MIT
/*
 * Compaction benchmark, on the hosted platform (one node of 512 MiB, no
 * DMA zone):
 *
 *   throughput   fill the zone with anonymous pages, free every other
 *                one, compact the whole zone: MiB of pages moved per
 *                second, beside memcpy of the same number of 4 KiB pages
 *                in the same run (target: at least a third of memcpy)
 *   churn        the zone filled with anonymous pages, then pages
 *                discarded and faulted in again at random around 70%
 *                occupancy, an order-9 allocation every 256 steps:
 *                success rate and latency with direct compaction
 *                (GFP_HIGHUSER_MOVABLE) and without (no reclaim, no
 *                compaction)
 *
 * Each throughput figure is the best of RUNS (2 shared cores: the least
 * disturbed run).
 */
#include "bench_util.h"

#include <guestmm/anon.h>
#include <guestmm/compaction.h>
#include <guestmm/pte.h>
#include <hosted/hosted.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../guestmm/internal.h"

#define RUNS		5
#define BASE		0x40000000UL
#define CHURN_STEPS	200000
#define CHURN_PROBE	256

static struct zone *zone;

static void touch(struct mm_anon *mm, unsigned long i)
{
	uint64_t v = i;

	if (hosted_access(mm->as, BASE + i * PAGE_SIZE, &v, sizeof(v), true)) {
		fprintf(stderr, "compaction bench: fault failed at page %lu\n", i);
		exit(1);
	}
}

/* Fill the zone near its low mark, free every other page: returns pages moved and ns. */
static void one_compaction(unsigned long *moved, uint64_t *ns)
{
	struct mm_anon *mm = mm_anon_create();
	unsigned long n;
	uint64_t t0;

	anon_map(mm, BASE, zone->managed_pages * PAGE_SIZE, true);
	for (n = 0; zone_page_state(zone, NR_FREE_PAGES) > (long)(low_wmark_pages(zone) + 64); n++)
		touch(mm, n);
	for (unsigned long i = 0; i < n; i += 2)
		anon_discard(mm, BASE + i * PAGE_SIZE, PAGE_SIZE);
	drain_all_pages(NULL);

	t0 = bench_now_ns();
	*moved = compact_zone_full(zone, MIGRATE_SYNC);
	*ns = bench_now_ns() - t0;
	mm_anon_destroy(mm);
	drain_all_pages(NULL);
}

/* memcpy of @pages 4 KiB pages between two buffers as large as the zone's half. */
static uint64_t memcpy_ns(unsigned long pages)
{
	char *src = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
	char *dst = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
	uint64_t t0, ns;

	memset(src, 1, pages * PAGE_SIZE);
	memset(dst, 2, pages * PAGE_SIZE);
	t0 = bench_now_ns();
	for (unsigned long i = 0; i < pages; i++)
		memcpy(dst + i * PAGE_SIZE, src + i * PAGE_SIZE, PAGE_SIZE);
	ns = bench_now_ns() - t0;
	bench_keep(dst[pages * PAGE_SIZE - 1]);
	free(src);
	free(dst);
	return ns;
}

static double mib_per_s(unsigned long pages, uint64_t ns)
{
	return (double)pages * PAGE_SIZE / (1 << 20) / ((double)ns / 1e9);
}

struct churn_result {
	unsigned long tries, successes;
	double mean_ns, max_ns;
};

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void churn(gfp_t order9_gfp, struct churn_result *r)
{
	unsigned long slots = zone->managed_pages, live = 0, target = slots * 7 / 10;
	static unsigned char mapped[1 << 18];
	struct mm_anon *mm = mm_anon_create();
	uint64_t rng = 88172645463325252ull, total_ns = 0;

	memset(r, 0, sizeof(*r));
	memset(mapped, 0, sizeof(mapped));
	anon_map(mm, BASE, slots * PAGE_SIZE, true);
	/* Start full, so the churn's holes are scattered over the whole zone. */
	for (; zone_page_state(zone, NR_FREE_PAGES) > (long)(low_wmark_pages(zone) + 64); live++) {
		touch(mm, live);
		mapped[live] = 1;
	}
	for (unsigned long step = 0; step < CHURN_STEPS; step++) {
		unsigned long i = xorshift(&rng) % slots;

		/* Map below the target occupancy, unmap above it. */
		if (!mapped[i] && live < target) {
			touch(mm, i);
			mapped[i] = 1;
			live++;
		} else if (mapped[i] && live >= target) {
			anon_discard(mm, BASE + i * PAGE_SIZE, PAGE_SIZE);
			mapped[i] = 0;
			live--;
		}
		if (step % CHURN_PROBE == CHURN_PROBE - 1) {
			uint64_t t0 = bench_now_ns(), ns;
			struct page *p = alloc_pages(order9_gfp, pageblock_order);

			ns = bench_now_ns() - t0;
			total_ns += ns;
			r->max_ns = r->max_ns > (double)ns ? r->max_ns : (double)ns;
			r->tries++;
			if (p) {
				r->successes++;
				__free_pages(p, pageblock_order);
			}
		}
	}
	r->mean_ns = (double)total_ns / (double)r->tries;
	mm_anon_destroy(mm);
	drain_all_pages(NULL);
}

int main(void)
{
	struct hosted_machine m = { .nr_nodes = 1, .nr_cpus = 1, .phys_base = 16ULL << 20,
				    .node_bytes = { 512ULL << 20 } };
	struct churn_result with, without;
	double best_ebb = 0, best_memcpy = 0;
	unsigned long moved = 0;
	struct bench *b;

	hosted_log_quiet(true);
	if (hosted_boot(&m))
		return 1;
	zone = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	b = bench_open("compaction", false);
	printf("compaction: guestmm on the hosted platform, 1 node x 512 MiB (DMA32 only), "
	       "1 CPU; best of %d runs\n", RUNS);

	for (int r = 0; r < RUNS; r++) {
		uint64_t ns;
		double rate;

		one_compaction(&moved, &ns);
		rate = mib_per_s(moved, ns);
		best_ebb = rate > best_ebb ? rate : best_ebb;
		rate = mib_per_s(moved, memcpy_ns(moved));
		best_memcpy = rate > best_memcpy ? rate : best_memcpy;
	}
	printf("compaction: %lu pages (%lu MiB) moved per full-zone compaction\n", moved,
	       moved >> 8);
	bench_compare(b, "full zone compaction, half free", "pages moved", "MiB/s", best_ebb,
		      "memcpy of the same 4 KiB pages", best_memcpy, false);

	churn(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, &with);
	churn(__GFP_MOVABLE | __GFP_NOWARN | __GFP_NOMEMALLOC, &without);
	/* Figures, not a ratio: without compaction the rate may well be 0. */
	bench_figure(b, "order-9 under churn (70% full), compaction", "success", "%",
		     100.0 * (double)with.successes / (double)with.tries);
	bench_figure(b, "order-9 under churn (70% full), no compaction", "success", "%",
		     100.0 * (double)without.successes / (double)without.tries);
	bench_compare(b, "order-9 under churn (70% full)", "mean latency", "ns", with.mean_ns,
		      "no compaction", without.mean_ns, true);
	bench_figure(b, "order-9 under churn (70% full), compaction", "max latency", "ns",
		     with.max_ns);
	return bench_close(b) ? 1 : 0;
}
