// SPDX-License-Identifier: MIT
/*
 * kswapd: background reclaim, one kernel thread per node, as Linux's.
 *
 * An allocation that finds every zone below its low watermark wakes the
 * node's kswapd (wakeup_kswapd, from the slow path; also after a
 * fragmenting fallback boosted a watermark).  kswapd reclaims at
 * priority 12 down to 1 until one eligible zone is above its high
 * watermark for the order asked (boost included); the boosts it started
 * with are taken off after the pass, met or not, as Linux does.
 * Before sleeping it naps HZ/10: woken during the nap it goes straight
 * back to work (kswapd_low_wmark_hit_quickly); otherwise, still
 * balanced, it wakes kcompactd for the order it was asked and sleeps
 * until the next wake-up.  A pass that reclaims nothing counts a
 * failure; after MAX_RECLAIM_RETRIES of them the node is hopeless
 * (node_unreclaimable) and wake-ups are ignored until some reclaim,
 * direct or not, makes progress.
 */
#include "internal.h"
#include <guestmm/compaction.h>
#include <guestmm/shrinker.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>
#include "vmscan_internal.h"

#define KSWAPD_NAP_NS	(100ULL * 1000 * 1000)	/* HZ/10 */

/* Is any zone up to @highest_zoneidx above its high watermark for @order? */
static bool pgdat_balanced(struct pglist_data *pgdat, int order, int highest_zoneidx)
{
	bool any = false;

	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (!managed_zone(zone))
			continue;
		any = true;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone),
				      highest_zoneidx, 0))
			return true;
	}
	/* No eligible zone at all: nothing to balance. */
	return !any;
}

static bool pgdat_watermark_boosted(struct pglist_data *pgdat, int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx; i++)
		if (READ_ONCE(pgdat->node_zones[i].watermark_boost))
			return true;
	return false;
}

static bool pgdat_hopeless(struct pglist_data *pgdat)
{
	return READ_ONCE(pgdat->kswapd_failures) >= MAX_RECLAIM_RETRIES;
}

void wakeup_kswapd(struct zone *zone, gfp_t gfp, int order, enum zone_type highest_zoneidx)
{
	struct pglist_data *pgdat;

	if (!managed_zone(zone))
		return;
	pgdat = zone->zone_pgdat;
	/* kswapd works for the largest order and highest zone asked for since it last ran. */
	if (READ_ONCE(pgdat->kswapd_order) < order)
		WRITE_ONCE(pgdat->kswapd_order, order);
	/* MAX_NR_ZONES: nobody asked since kswapd last looked. */
	if (READ_ONCE(pgdat->kswapd_highest_zoneidx) == MAX_NR_ZONES ||
	    READ_ONCE(pgdat->kswapd_highest_zoneidx) < highest_zoneidx)
		WRITE_ONCE(pgdat->kswapd_highest_zoneidx, highest_zoneidx);
	__atomic_add_fetch(&pgdat->kswapd_wakeups, 1, __ATOMIC_RELAXED);
	if (!pgdat->kswapd_wait)
		return;

	if (pgdat_hopeless(pgdat) ||
	    (pgdat_balanced(pgdat, order, highest_zoneidx) &&
	     !pgdat_watermark_boosted(pgdat, highest_zoneidx))) {
		/*
		 * Reclaim won't help, or there is enough memory but too
		 * fragmented: a caller that cannot compact itself gets
		 * kcompactd.
		 */
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			wakeup_kcompactd(pgdat, order, highest_zoneidx);
		return;
	}
	platform_event_signal(pgdat->kswapd_wait);
}

/* Take off the boosts this pass started with (new ones may have come since). */
static void clear_boost(struct pglist_data *pgdat, const unsigned long *zone_boosts,
			int highest_zoneidx)
{
	for (int i = 0; i <= highest_zoneidx; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		unsigned long flags;

		if (!zone_boosts[i])
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		zone->watermark_boost -= min(zone->watermark_boost, zone_boosts[i]);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
}

/* Reclaim until balanced; returns the order it ended up balancing for. */
static int balance_pgdat(struct pglist_data *pgdat, int order, int highest_zoneidx)
{
	unsigned long zone_boosts[MAX_NR_ZONES] = { 0 };
	bool boosted = false;
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL,
		.order = order,
		.priority = DEF_PRIORITY,
		.reclaim_idx = (enum zone_type)highest_zoneidx,
		.is_kswapd = true,
	};

	for (int i = 0; i <= highest_zoneidx; i++) {
		zone_boosts[i] = READ_ONCE(pgdat->node_zones[i].watermark_boost);
		boosted |= zone_boosts[i] != 0;
	}
	count_vm_event(PAGEOUTRUN);
	do {
		unsigned long before = sc.nr_reclaimed;

		if (pgdat_balanced(pgdat, sc.order, highest_zoneidx))
			break;
		/*
		 * Order-0 pages are what reclaim makes; high orders are
		 * kcompactd's once there is room (the compaction gap).
		 */
		if (sc.order && pgdat_balanced(pgdat, 0, highest_zoneidx)) {
			struct zone *zone = &pgdat->node_zones[highest_zoneidx];

			if (!managed_zone(zone) ||
			    zone_page_state(zone, NR_FREE_PAGES) >
			    (long)(high_wmark_pages(zone) + (2UL << sc.order))) {
				sc.order = 0;
				continue;
			}
		}
		sc.nr_to_reclaim = 0;
		for (int i = 0; i <= highest_zoneidx; i++) {
			struct zone *zone = &pgdat->node_zones[i];

			if (managed_zone(zone))
				sc.nr_to_reclaim += max(high_wmark_pages(zone), SWAP_CLUSTER_MAX);
		}
		sc.may_swap = nr_swap_pages() > 0;
		sc.nr_to_reclaim += sc.nr_reclaimed;
		shrink_node(pgdat, &sc);
		if (platform_thread_should_stop())
			break;
		/* Not enough at this priority: look harder. */
		if (sc.nr_reclaimed - before < sc.nr_to_reclaim - before)
			sc.priority--;
	} while (sc.priority >= 1);

	if (!sc.nr_reclaimed && !pgdat_balanced(pgdat, sc.order, highest_zoneidx))
		WRITE_ONCE(pgdat->kswapd_failures, pgdat->kswapd_failures + 1);
	/*
	 * A boost asks for one pass of extra reclaim, not for balance at
	 * any price: it goes now, whether the pass met it or not.
	 */
	if (boosted) {
		clear_boost(pgdat, zone_boosts, highest_zoneidx);
		/* The boost was for fragmentation: let kcompactd finish the job. */
		wakeup_kcompactd(pgdat, pageblock_order, (enum zone_type)highest_zoneidx);
	}
	return sc.order;
}

static bool prepare_kswapd_sleep(struct pglist_data *pgdat, int order, int highest_zoneidx)
{
	return pgdat_hopeless(pgdat) || pgdat_balanced(pgdat, order, highest_zoneidx);
}

static void kswapd_try_to_sleep(struct pglist_data *pgdat, int alloc_order, int reclaim_order,
				int highest_zoneidx)
{
	if (!prepare_kswapd_sleep(pgdat, reclaim_order, highest_zoneidx))
		return;
	/* A nap first: memory pressure often comes back at once. */
	if (platform_event_wait(pgdat->kswapd_wait, KSWAPD_NAP_NS)) {
		count_vm_event(KSWAPD_LOW_WMARK_HIT_QUICKLY);
		return;
	}
	if (platform_thread_should_stop())
		return;
	if (!prepare_kswapd_sleep(pgdat, reclaim_order, highest_zoneidx)) {
		count_vm_event(KSWAPD_HIGH_WMARK_HIT_QUICKLY);
		return;
	}
	/* Reclaim is done; what fragmentation still fails is kcompactd's. */
	wakeup_kcompactd(pgdat, alloc_order, (enum zone_type)highest_zoneidx);
	WRITE_ONCE(pgdat->kswapd_sleeping, true);
	platform_event_wait(pgdat->kswapd_wait, 0);
	WRITE_ONCE(pgdat->kswapd_sleeping, false);
}

static int kswapd(void *arg)
{
	struct pglist_data *pgdat = arg;
	int alloc_order = 0, reclaim_order = 0, highest_zoneidx = pgdat->nr_zones - 1, zoneidx;

	while (!platform_thread_should_stop()) {
		kswapd_try_to_sleep(pgdat, alloc_order, reclaim_order, highest_zoneidx);
		if (platform_thread_should_stop())
			break;
		/* Take what the wakers asked for, and reset it for the next round. */
		alloc_order = __atomic_exchange_n(&pgdat->kswapd_order, 0, __ATOMIC_RELAXED);
		zoneidx = (int)__atomic_exchange_n(&pgdat->kswapd_highest_zoneidx, MAX_NR_ZONES,
						   __ATOMIC_RELAXED);
		if (zoneidx != MAX_NR_ZONES)
			highest_zoneidx = min(zoneidx, pgdat->nr_zones - 1);
		reclaim_order = balance_pgdat(pgdat, alloc_order, highest_zoneidx);
		if (reclaim_order < alloc_order)
			alloc_order = reclaim_order;
	}
	return 0;
}

int kswapd_run(int nid)
{
	struct pglist_data *pgdat = NODE_DATA(nid);

	if (pgdat->kswapd)
		return 0;
	pgdat->kswapd_highest_zoneidx = MAX_NR_ZONES;
	return node_kthread_run(nid, kswapd, "kswapd", &pgdat->kswapd, &pgdat->kswapd_wait);
}

void kswapd_stop(int nid)
{
	struct pglist_data *pgdat = NODE_DATA(nid);

	node_kthread_stop(&pgdat->kswapd, &pgdat->kswapd_wait);
}

bool kswapd_is_sleeping(int nid)
{
	return READ_ONCE(NODE_DATA(nid)->kswapd_sleeping);
}
