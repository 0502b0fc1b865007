// SPDX-License-Identifier: MIT
/*
 * Reclaim entry points used by the allocator.
 *
 * The allocator wakes kswapd when a zone dips below low and calls direct
 * reclaim from the slow path.  What can be reclaimed is what sits on the
 * LRU lists and in shrinkable caches; the LRU, kswapd and swap are built
 * by the reclaim work and plug in here.  Until something is reclaimable,
 * direct reclaim is still entered and counted (allocstall_*), finds
 * nothing and reports no progress, so the slow path moves on to OOM.
 */
#include "internal.h"

void wakeup_kswapd(struct zone *zone, gfp_t gfp, int order, enum zone_type highest_zoneidx)
{
	struct pglist_data *pgdat;

	if (!managed_zone(zone))
		return;
	pgdat = zone->zone_pgdat;
	/* kswapd works for the largest order and highest zone asked for since it last ran. */
	if (READ_ONCE(pgdat->kswapd_order) < order)
		WRITE_ONCE(pgdat->kswapd_order, order);
	if (READ_ONCE(pgdat->kswapd_highest_zoneidx) < highest_zoneidx)
		WRITE_ONCE(pgdat->kswapd_highest_zoneidx, highest_zoneidx);
	__atomic_add_fetch(&pgdat->kswapd_wakeups, 1, __ATOMIC_RELAXED);
}

unsigned long zone_reclaimable_pages(const struct zone *zone)
{
	/* Anonymous pages count only where there is swap to put them in. */
	return (unsigned long)(zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
			       zone_page_state(zone, NR_ZONE_ACTIVE_FILE));
}

unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp,
				const nodemask_t *nodemask, enum zone_type highest_zoneidx)
{
	count_vm_event((enum vm_event_item)(ALLOCSTALL_DMA + highest_zoneidx));
	return 0;
}
