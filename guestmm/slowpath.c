// SPDX-License-Identifier: MIT
/*
 * The allocator's slow path, in Linux's order:
 *
 *   1. wake kswapd, retry at the min watermark (with the caller's reserves)
 *   2. costly or non-movable high-order: async direct compaction first
 *   3. loop: direct reclaim, then direct compaction, with retry limits
 *      (16 reclaim rounds without progress, 16 compaction rounds, a quarter
 *      of that for costly orders) and compaction priority escalation
 *   4. the OOM killer, unless the request is costly, __GFP_THISNODE,
 *      __GFP_NORETRY or __GFP_RETRY_MAYFAIL
 *   5. __GFP_NOFAIL never returns NULL: it keeps retrying, and may use part
 *      of the min reserve
 */
#include "internal.h"

#define MAX_RECLAIM_RETRIES	16
#define MAX_COMPACT_RETRIES	16

unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	/* These two map bit for bit (see the static asserts in page_alloc.h). */
	alloc_flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);

	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		/* A caller that cannot reclaim gets a little more of the reserve. */
		if (!(gfp & __GFP_NOMEMALLOC)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0)
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
		if (alloc_flags & ALLOC_MIN_RESERVE)
			alloc_flags &= ~ALLOC_CPUSET;
	}
	return alloc_flags;
}

static void wake_all_kswapds(unsigned int order, gfp_t gfp, const struct alloc_context *ac)
{
	int last_nid = -1;
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx,
					ac->nodemask) {
		if (zone->node != last_nid) {
			last_nid = zone->node;
			wakeup_kswapd(zone, gfp, (int)order, ac->highest_zoneidx);
		}
	}
}

/* __GFP_MEMALLOC callers (reclaim itself) may ignore the watermarks. */
static unsigned int gfp_pfmemalloc_flags(gfp_t gfp)
{
	if (gfp & __GFP_NOMEMALLOC)
		return 0;
	if (gfp & __GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	return 0;
}

static struct page *__alloc_pages_direct_compact(gfp_t gfp, unsigned int order,
						 unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 enum compact_priority prio,
						 enum compact_result *result)
{
	struct page *page = NULL;

	if (!order)
		return NULL;
	*result = try_to_compact_pages(gfp, order, alloc_flags, ac, prio, &page);
	if (*result == COMPACT_SKIPPED)
		return NULL;

	count_vm_event(COMPACTSTALL);
	if (page)
		prep_new_page(page, order, gfp, ac->migratetype);
	else
		page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	if (page) {
		count_vm_event(COMPACTSUCCESS);
		return page;
	}
	count_vm_event(COMPACTFAIL);
	return NULL;
}

static struct page *__alloc_pages_direct_reclaim(gfp_t gfp, unsigned int order,
						 unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 unsigned long *did_some_progress)
{
	bool drained = false;
	struct page *page;

	*did_some_progress = try_to_free_pages(ac->zonelist, (int)order, gfp, ac->nodemask,
					       ac->highest_zoneidx);
	if (!*did_some_progress)
		return NULL;
retry:
	page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	/*
	 * Reclaim freed pages but they may sit in per-CPU lists or behind
	 * the high-order atomic reserve: release those and try once more.
	 */
	if (!page && !drained) {
		unreserve_highatomic_pageblock(ac, false);
		drain_all_pages(NULL);
		drained = true;
		goto retry;
	}
	return page;
}

/*
 * Is another round of reclaim worth it?  Yes while some zone could meet
 * the min watermark if everything reclaimable in it were freed, until
 * MAX_RECLAIM_RETRIES rounds without progress.
 */
static bool should_reclaim_retry(gfp_t gfp, unsigned int order,
				 const struct alloc_context *ac, unsigned int alloc_flags,
				 bool did_some_progress, int *no_progress_loops)
{
	struct zoneref *z;
	struct zone *zone;

	/* Costly orders count as no progress: reclaim alone rarely helps them. */
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;

	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return unreserve_highatomic_pageblock(ac, true);

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx,
					ac->nodemask) {
		long available = (long)zone_reclaimable_pages(zone) +
				 zone_page_state(zone, NR_FREE_PAGES);

		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone),
					ac->highest_zoneidx, alloc_flags, available)) {
			platform_yield();
			return true;
		}
	}
	return false;
}

static bool should_compact_retry(const struct alloc_context *ac, unsigned int order,
				 unsigned int alloc_flags, enum compact_result result,
				 enum compact_priority *prio, int *compaction_retries)
{
	int max_retries = MAX_COMPACT_RETRIES;
	enum compact_priority min_priority;

	if (!order)
		return false;
	/* Too few free pages to migrate into: go on if reclaim can help. */
	if (result == COMPACT_SKIPPED)
		return compaction_zonelist_suitable(ac, order, alloc_flags);
	/*
	 * Compaction made a block but somebody else took it: retry, a few
	 * times only for costly orders, whose callers can cope with failure.
	 */
	if (result == COMPACT_SUCCESS) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++(*compaction_retries) <= max_retries)
			return true;
	}
	/* Compaction failed: escalate async -> sync-light -> sync-full. */
	min_priority = order > PAGE_ALLOC_COSTLY_ORDER ? MIN_COMPACT_COSTLY_PRIORITY :
							  MIN_COMPACT_PRIORITY;
	if (*prio > min_priority) {
		(*prio)--;
		*compaction_retries = 0;
		return true;
	}
	return false;
}

static struct page *__alloc_pages_may_oom(gfp_t gfp, unsigned int order,
					  const struct alloc_context *ac,
					  unsigned long *did_some_progress)
{
	struct oom_control oc = {
		.zonelist = ac->zonelist,
		.nodemask = ac->nodemask,
		.gfp_mask = gfp,
		.order = (int)order,
	};
	struct page *page;

	*did_some_progress = 0;
	/*
	 * Somebody may have freed memory meanwhile; check at the high mark
	 * so we don't kill for an allocation that would barely succeed.
	 */
	page = get_page_from_freelist(gfp & ~__GFP_DIRECT_RECLAIM, order,
				      ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
	if (page)
		return page;

	/* The OOM killer cannot help these. */
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NULL;
	if (gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE))
		return NULL;
	if (!(gfp & __GFP_FS) && !(gfp & __GFP_NOFAIL))
		return NULL;

	if (out_of_memory(&oc)) {
		*did_some_progress = 1;
	} else if (gfp & __GFP_NOFAIL) {
		/* Nothing to kill: a __GFP_NOFAIL caller may take the reserves. */
		page = get_page_from_freelist(gfp, order,
					      ALLOC_NO_WATERMARKS | ALLOC_CPUSET, ac);
		if (page)
			return page;
	}
	return NULL;
}

struct page *__alloc_pages_slowpath(gfp_t gfp, unsigned int order,
				    struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp & __GFP_DIRECT_RECLAIM;
	bool costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	enum compact_priority compact_priority = INIT_COMPACT_PRIORITY;
	enum compact_result compact_result = COMPACT_SKIPPED;
	unsigned long did_some_progress;
	int no_progress_loops = 0, compaction_retries = 0;
	unsigned int alloc_flags, reserve_flags;
	struct page *page;

	alloc_flags = gfp_to_alloc_flags(gfp, order);
	if (!ac->preferred_zoneref->zone)
		goto nopage;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp, ac);

	page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	if (page)
		return page;

	/*
	 * High-order requests that fragmentation may be failing: try a
	 * cheap async compaction before reclaiming anything.
	 */
	if (can_direct_reclaim && (costly_order ||
	    (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !gfp_pfmemalloc_flags(gfp)) {
		page = __alloc_pages_direct_compact(gfp, order, alloc_flags, ac,
						    INIT_COMPACT_PRIORITY, &compact_result);
		if (page)
			return page;
		/* A costly __GFP_NORETRY caller prefers failing to reclaiming. */
		if (costly_order && (gfp & __GFP_NORETRY) &&
		    (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED))
			goto nopage;
	}

retry:
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(order, gfp, ac);

	reserve_flags = gfp_pfmemalloc_flags(gfp);
	if (reserve_flags)
		alloc_flags = reserve_flags | (alloc_flags & ALLOC_CPUSET);

	page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	if (page)
		return page;

	if (!can_direct_reclaim)
		goto nopage;

	page = __alloc_pages_direct_reclaim(gfp, order, alloc_flags, ac, &did_some_progress);
	if (page)
		return page;

	page = __alloc_pages_direct_compact(gfp, order, alloc_flags, ac, compact_priority,
					    &compact_result);
	if (page)
		return page;

	if (gfp & __GFP_NORETRY)
		goto nopage;
	if (costly_order && !(gfp & __GFP_RETRY_MAYFAIL))
		goto nopage;

	if (should_reclaim_retry(gfp, order, ac, alloc_flags, did_some_progress > 0,
				 &no_progress_loops))
		goto retry;
	if (did_some_progress > 0 &&
	    should_compact_retry(ac, order, alloc_flags, compact_result, &compact_priority,
				 &compaction_retries))
		goto retry;

	page = __alloc_pages_may_oom(gfp, order, ac, &did_some_progress);
	if (page)
		return page;
	/* The OOM killer freed something: start the accounting over. */
	if (did_some_progress) {
		no_progress_loops = 0;
		goto retry;
	}

nopage:
	if (gfp & __GFP_NOFAIL) {
		/*
		 * Never fail.  A caller that cannot block is a bug in Linux;
		 * here, as there, we warn once per call and keep trying, with
		 * a share of the min reserve so progress is possible.
		 */
		if (!can_direct_reclaim)
			mm_printk("mm: __GFP_NOFAIL without __GFP_DIRECT_RECLAIM, order %u", order);
		page = get_page_from_freelist(gfp, order, ALLOC_MIN_RESERVE | ALLOC_CPUSET |
					      ALLOC_WMARK_MIN, ac);
		if (page)
			return page;
		platform_yield();
		goto retry;
	}
	if (!(gfp & __GFP_NOWARN))
		mm_printk("mm: page allocation failure: order:%u, mode:%#x, nodemask:%s",
			  order, gfp, ac->nodemask ? "set" : "(null)");
	return NULL;
}
