// SPDX-License-Identifier: MIT
/*
 * run pages PAIRS [ring|burst]: the page allocator's own throughput, with
 * nothing around it: PAIRS order-0 allocations and frees, timed.
 *
 *   ring   keep the 32 newest pages, free the oldest for each new one:
 *          the per-CPU lists serve nearly every request
 *   burst  take 1024 pages, free them all, again: past the lists' high
 *          mark, so batches move to and from the buddy lists under the
 *          zone lock
 *
 * With `--threads N` each copy runs the same on whichever CPU it is
 * scheduled, so the copies' rates add up to the machine's
 * (bench/alloc-smp-nest.sh: 1, 2, 4 vCPUs).  The report gives the rate,
 * the nanoseconds per pair, the CPUs the copy ran on, and what the
 * per-CPU lists and the zone lock saw meanwhile (all CPUs' counts).
 */
#include <guest/printk.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/mmzone.h>
#include <guestmm/page_alloc.h>

#include "../../guestmm/internal.h"

#define PAGES_RING	32
#define PAGES_BURST	1024

struct pages_counts {
	unsigned long hits, refills, contended;
};

static void pages_counts_read(struct pages_counts *c)
{
	struct zone *zone;

	*c = (struct pages_counts){ 0 };
	for_each_populated_zone(zone) {
		c->contended += READ_ONCE(zone->lock_contended);
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
			c->hits += READ_ONCE(zone_pcp(zone, cpu)->alloc_hits);
			c->refills += READ_ONCE(zone_pcp(zone, cpu)->alloc_refills);
		}
	}
}

/* One step: @n pairs in @slot, the pattern's way.  Pages that could not be had, counted. */
static unsigned long pages_step(struct page **slot, bool burst, unsigned long n)
{
	unsigned long failed = 0;

	if (!burst) {
		for (unsigned long i = 0; i < n; i++) {
			unsigned int s = i % PAGES_RING;

			if (slot[s])
				__free_pages(slot[s], 0);
			slot[s] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
			failed += !slot[s];
		}
		return failed;
	}
	for (unsigned int s = 0; s < PAGES_BURST; s++) {
		slot[s] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		failed += !slot[s];
	}
	for (unsigned int s = 0; s < PAGES_BURST; s++) {
		if (slot[s])
			__free_pages(slot[s], 0);
		slot[s] = NULL;
	}
	return failed;
}

static int run_pages(int argc, char **argv)
{
	unsigned long long pairs;
	unsigned long done = 0, failed = 0, cpus_seen = 0;
	struct pages_counts c0, c1;
	struct page **slot;
	unsigned int slot_order;
	bool burst = false, killed = false;
	uint64_t t0, ns;

	if (argc < 2 || argc > 3 || kstrtoull(argv[1], 0, &pairs) < 0 || !pairs ||
	    (argc == 3 && strcmp(argv[2], "ring") && strcmp(argv[2], "burst"))) {
		kprintf("usage: run pages PAIRS [ring|burst]\n");
		return 1;
	}
	burst = argc == 3 && !strcmp(argv[2], "burst");
	slot = workload_alloc_array(PAGES_BURST, sizeof(*slot), &slot_order);
	if (!slot) {
		kprintf("pages: no memory for the slots\n");
		return 1;
	}
	memset(slot, 0, PAGES_BURST * sizeof(*slot));
	pages_counts_read(&c0);
	t0 = rdtsc();
	/* Steps of a burst (or as many ring pairs), rescheduling between them. */
	while (done < pairs) {
		unsigned long n = pairs - done < PAGES_BURST ? pairs - done : PAGES_BURST;

		cpus_seen |= 1UL << (smp_processor_id() % 64);
		failed += pages_step(slot, burst, burst ? PAGES_BURST : n);
		done += burst ? PAGES_BURST : n;
		cond_resched();
		if (workload_should_stop()) {
			killed = true;
			break;
		}
	}
	ns = cycles_to_ns(rdtsc() - t0);
	pages_counts_read(&c1);
	for (unsigned int s = 0; s < PAGES_RING; s++)
		if (slot[s])
			__free_pages(slot[s], 0);
	free_pages(slot, slot_order);

	kprintf("pages: %lu pairs (%s) in %llu ms: %llu ns/pair, %llu Kpairs/s; CPUs %#lx\n",
		done, burst ? "burst" : "ring", (unsigned long long)(ns / NSEC_PER_MSEC),
		(unsigned long long)(done ? ns / done : 0),
		(unsigned long long)(ns ? (uint64_t)done * 1000000ULL / ns : 0), cpus_seen);
	kprintf("pages: meanwhile on all CPUs: per-CPU list hits %lu, refills %lu (%llu%% hits), "
		"zone lock contended %lu; %lu failed\n", c1.hits - c0.hits, c1.refills - c0.refills,
		(unsigned long long)(c1.hits + c1.refills > c0.hits + c0.refills ?
			(c1.hits - c0.hits) * 100ULL / (c1.hits - c0.hits + c1.refills - c0.refills) : 0),
		c1.contended - c0.contended, failed);
	if (killed)
		return WORKLOAD_KILLED;
	return failed ? 2 : 0;
}
WORKLOAD(pages, "pages", "PAIRS [ring|burst]", "order-0 alloc+free throughput", run_pages);
