// SPDX-License-Identifier: MIT
/*
 * Compaction's decisions: is a zone worth compacting for an order, and
 * how fragmented is it.  The scanners that move pages build on these.
 */
#include "internal.h"

/*
 * Linux's fragmentation index for @order in @zone, 0..1000, or -1000 when
 * a suitable free block already exists.  Near 0, an allocation would
 * fail for lack of memory (reclaim helps); near 1000, for fragmentation
 * (compaction helps).
 */
int fragmentation_index(const struct zone *zone, unsigned int order)
{
	unsigned long free_pages = 0, free_blocks_total = 0, free_blocks_suitable = 0;
	unsigned long requested = 1UL << order;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long blocks = READ_ONCE(zone->free_area[o].nr_free);

		free_blocks_total += blocks;
		free_pages += blocks << o;
		if (o >= order)
			free_blocks_suitable += blocks << (o - order);
	}
	if (!free_blocks_total)
		return 0;
	if (free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + free_pages * 1000 / requested) / free_blocks_total);
}

/*
 * Enough free memory to compact with?  Migration needs free target pages:
 * the order-0 min watermark plus twice the request.
 */
static bool __compaction_suitable(struct zone *zone, unsigned int order,
				  enum zone_type highest_zoneidx, long free)
{
	unsigned long watermark = min_wmark_pages(zone) + (2UL << order);

	return __zone_watermark_ok(zone, 0, watermark, highest_zoneidx, ALLOC_CPUSET, free);
}

/* The extfrag threshold (sysctl vm.extfrag_threshold). */
int sysctl_extfrag_threshold = 500;

bool compaction_suitable(struct zone *zone, unsigned int order,
			 enum zone_type highest_zoneidx)
{
	if (!__compaction_suitable(zone, order, highest_zoneidx,
				   zone_page_state(zone, NR_FREE_PAGES)))
		return false;
	/*
	 * For costly orders, only when failure is due to fragmentation: an
	 * index at or below the threshold says memory is simply short.
	 */
	if (order > PAGE_ALLOC_COSTLY_ORDER) {
		int fragindex = fragmentation_index(zone, order);

		if (fragindex >= 0 && fragindex <= sysctl_extfrag_threshold)
			return false;
	}
	return true;
}

bool compaction_zonelist_suitable(const struct alloc_context *ac, unsigned int order,
				  unsigned int alloc_flags)
{
	struct zoneref *z;
	struct zone *zone;

	/* Would compaction be suitable if reclaim freed what it can? */
	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx,
					ac->nodemask) {
		long available = (long)zone_reclaimable_pages(zone) +
				 zone_page_state(zone, NR_FREE_PAGES);

		if (__compaction_suitable(zone, order, ac->highest_zoneidx, available))
			return true;
	}
	return false;
}

enum compact_result try_to_compact_pages(gfp_t gfp, unsigned int order,
					 unsigned int alloc_flags,
					 const struct alloc_context *ac,
					 enum compact_priority prio,
					 struct page **capture)
{
	enum compact_result rc = COMPACT_SKIPPED;
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx,
					ac->nodemask) {
		if (!compaction_suitable(zone, order, ac->highest_zoneidx))
			continue;
		/*
		 * The zone qualifies, but no page in it is migratable until
		 * movable memory has reverse mappings: the scan completes
		 * having moved nothing.
		 */
		rc = max(rc, COMPACT_COMPLETE);
	}
	return rc;
}
