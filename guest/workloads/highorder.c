// SPDX-License-Identifier: MIT
/*
 * run highorder ORDER COUNT: bursts of high-order allocations, as drivers
 * and THP make them.  COUNT blocks of 2^ORDER pages are requested in
 * bursts of up to 64 (GFP_KERNEL | __GFP_NOWARN, the way a driver asks
 * for a contiguous buffer it can live without), all held until the end so
 * that later bursts find memory more fragmented than the first, then
 * freed.  The report adds the success rate and what the slow path did
 * (compaction stalls, kswapd wakeups).
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/page_alloc.h>
#include <guestmm/vmstat.h>

#define BURST	64

static int run_highorder(int argc, char **argv)
{
	unsigned long long order, count;
	unsigned long ok = 0, bursts = 0;
	bool killed = false;
	unsigned long stall0 = sum_vm_event(COMPACTSTALL), success0 = sum_vm_event(COMPACTSUCCESS);
	struct alloc_stats *st;
	struct page **blocks;
	unsigned int arr_order, st_order;
	uint64_t t0, ns;

	if (argc < 3 || kstrtoull(argv[1], 0, &order) < 0 || kstrtoull(argv[2], 0, &count) < 0 ||
	    order > MAX_ORDER || !count) {
		kprintf("usage: run highorder ORDER(0-%d) COUNT\n", MAX_ORDER);
		return 1;
	}
	blocks = workload_alloc_array(count, sizeof(*blocks), &arr_order);
	st = workload_alloc_array(1, sizeof(*st), &st_order);
	if (!blocks || !st) {
		kprintf("highorder: cannot allocate the bookkeeping for %llu blocks\n", count);
		if (blocks)
			free_pages(blocks, arr_order);
		return 1;
	}

	kprintf("highorder: %llu blocks of order %llu (%llu KiB each), bursts of %d\n", count,
		order, (unsigned long long)((PAGE_SIZE << order) >> 10), BURST);
	t0 = rdtsc();
	for (unsigned long i = 0; i < count; i += BURST, bursts++) {
		for (unsigned long j = i; j < count && j < i + BURST; j++) {
			blocks[j] = workload_alloc_pages(st, GFP_KERNEL | __GFP_NOWARN,
							 (unsigned int)order);
			if (blocks[j]) {
				ok++;
				/* Touch the block, as its user would. */
				memset(page_address(blocks[j]), 0x5a, PAGE_SIZE << order);
			}
		}
		cond_resched();
		if (workload_should_stop()) {
			kprintf("highorder: killed after %lu bursts\n", bursts + 1);
			killed = true;
			break;
		}
	}
	ns = cycles_to_ns(rdtsc() - t0);
	for (unsigned long i = 0; i < count; i++)
		if (blocks[i])
			__free_pages(blocks[i], (unsigned int)order);

	kprintf("highorder: %lu/%llu succeeded (%llu%%) in %lu bursts, %llu ms, %llu allocs/s\n", ok,
		count, ok * 100 / count, bursts, (unsigned long long)(ns / NSEC_PER_MSEC),
		(unsigned long long)(ns ? count * NSEC_PER_SEC / ns : 0));
	kprintf("highorder: compact_stall %lu compact_success %lu; faults: 0 (kernel allocations)\n",
		sum_vm_event(COMPACTSTALL) - stall0, sum_vm_event(COMPACTSUCCESS) - success0);
	alloc_stats_report("highorder", st);
	free_pages(blocks, arr_order);
	free_pages(st, st_order);
	if (killed)
		return WORKLOAD_KILLED;
	return ok == count ? 0 : 2;
}
WORKLOAD(highorder, "highorder", "ORDER COUNT", "bursts of high-order allocations", run_highorder);
