// SPDX-License-Identifier: MIT
/*
 * run slab COUNT [ROUNDS]: churn in the reclaimable name cache, the way
 * path lookups churn a kernel's dentry cache.  COUNT names are created,
 * then ROUNDS passes of COUNT lookups each: 80% go to a hot fifth of the
 * names, 20% to fresh names that grow the cache further.  The entries
 * stay cached when the workload ends (unused, on the LRU), so a full
 * reclaimable cache is left for reclaim and the balloon to shrink.
 *
 * The report gives hits, misses, lookups per second and the slab memory
 * the cache holds (nr_slab_reclaimable).
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/mmzone.h>
#include <guestmm/namecache.h>
#include <guestmm/seq_buf.h>

static uint64_t slab_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int run_slab(int argc, char **argv)
{
	unsigned long long count, rounds = 4;
	unsigned long hot, fresh = 0, lookups = 0, nomem = 0;
	long slab0 = global_node_page_state(NR_SLAB_RECLAIMABLE_B);
	struct nc_stats before, after;
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ rdtsc(), t0, ns;
	char name[NC_NAME_MAX + 1];

	if (argc < 2 || kstrtoull(argv[1], 0, &count) < 0 || !count ||
	    (argc > 2 && kstrtoull(argv[2], 0, &rounds) < 0)) {
		kprintf("usage: run slab COUNT [ROUNDS]\n");
		return 1;
	}
	hot = count / 5 ? count / 5 : 1;
	nc_get_stats(&before);
	t0 = rdtsc();
	for (unsigned long i = 0; i < count; i++) {
		mm_snprintf(name, sizeof(name), "/w/%lu", i);
		if (nc_touch(name, GFP_KERNEL) < 0)
			nomem++;
		lookups++;
		if ((i & 1023) == 0) {
			cond_resched();
			if (workload_should_stop())
				return WORKLOAD_KILLED;
		}
	}
	for (unsigned long long r = 0; r < rounds; r++) {
		for (unsigned long i = 0; i < count; i++) {
			uint64_t x = slab_rand(&rng);

			if (x % 100 < 80)
				mm_snprintf(name, sizeof(name), "/w/%lu", (unsigned long)((x >> 8) % hot));
			else
				mm_snprintf(name, sizeof(name), "/w/new/%lu", fresh++);
			if (nc_touch(name, GFP_KERNEL) < 0)
				nomem++;
			lookups++;
			if ((i & 1023) == 0) {
				cond_resched();
				if (workload_should_stop())
					return WORKLOAD_KILLED;
			}
		}
	}
	ns = cycles_to_ns(rdtsc() - t0);
	nc_get_stats(&after);

	kprintf("slab: %lu lookups of %llu names (+%lu fresh) in %llu ms, %llu lookups/s\n", lookups,
		count, fresh, (unsigned long long)(ns / NSEC_PER_MSEC),
		(unsigned long long)(ns ? lookups * NSEC_PER_SEC / ns : 0));
	kprintf("slab: hits %lu, misses %lu, freed by the shrinker %lu, no memory %lu\n",
		after.hits - before.hits, after.misses - before.misses, after.freed - before.freed,
		nomem);
	kprintf("slab: name cache holds %lu entries (%lu unused); reclaimable slab %ld KiB (%+ld KiB)\n",
		after.entries, after.unused, global_node_page_state(NR_SLAB_RECLAIMABLE_B) >> 10,
		(global_node_page_state(NR_SLAB_RECLAIMABLE_B) - slab0) / 1024);
	return nomem ? 2 : 0;
}
WORKLOAD(slab, "slab", "COUNT [ROUNDS]", "churn in the reclaimable name cache", run_slab);
