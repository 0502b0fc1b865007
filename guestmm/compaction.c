// SPDX-License-Identifier: MIT
/*
 * Memory compaction, as Linux's mm/compaction.c does it.
 *
 * Two scanners walk a zone towards each other.  The migrate scanner goes
 * up from the zone's start, isolating movable pages in clusters of
 * COMPACT_CLUSTER_MAX; the free scanner comes down from the end,
 * pageblock by pageblock, isolating free pages as migration targets.
 * Pages move from the bottom to the top, so free memory gathers at the
 * bottom, where it merges into high-order blocks.  A run ends when the
 * scanners meet (COMPACT_COMPLETE: the whole zone was scanned) or, for an
 * allocation, as soon as a free block of the order exists
 * (COMPACT_SUCCESS), checked at pageblock boundaries.
 *
 * Between runs the zone keeps where each scanner stopped (one migrate
 * position for async and one for sync runs), and a skip bit per
 * pageblock marks blocks in which the last scan found nothing to do;
 * both reset once the scanners have met and compaction restarts.
 * Attempts that fail are deferred: after a failure for order k, up to
 * 1 << compact_defer_shift (at most 64) further requests of order >= k
 * skip compaction.
 *
 * Priorities (the slow path escalates through them): async scans only
 * Movable pageblocks and never waits for a busy page owner; sync-light
 * scans every block and waits; sync-full also ignores the skip bits and
 * scans the whole zone.
 */
#include "internal.h"
#include <guestmm/compaction.h>
#include <guestmm/migrate.h>
#include <guestmm/psi.h>

int sysctl_extfrag_threshold = 500;
unsigned int sysctl_compaction_proactiveness = 20;

/* --- Deferral ------------------------------------------------------------ */

/* Compaction of @order failed in @zone: skip the next attempts, more each time. */
void defer_compaction(struct zone *zone, int order)
{
	zone->compact_considered = 0;
	zone->compact_defer_shift++;
	if (order < zone->compact_order_failed)
		zone->compact_order_failed = order;
	if (zone->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		zone->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
}

/* Should this attempt be skipped?  Counts the attempt. */
bool compaction_deferred(struct zone *zone, int order)
{
	unsigned long defer_limit = 1UL << zone->compact_defer_shift;

	if (order < zone->compact_order_failed)
		return false;
	if (++zone->compact_considered >= defer_limit) {
		zone->compact_considered = (unsigned int)defer_limit;
		return false;
	}
	return true;
}

/*
 * Compaction succeeded for @order: orders up to it are expected to work
 * again; if the allocation succeeded too, stop deferring altogether.
 */
void compaction_defer_reset(struct zone *zone, int order, bool alloc_success)
{
	if (alloc_success) {
		zone->compact_considered = 0;
		zone->compact_defer_shift = 0;
	}
	if (order >= zone->compact_order_failed)
		zone->compact_order_failed = order + 1;
}

/* Deferred to the limit and the limit reached: start over with a clean slate. */
bool compaction_restarting(struct zone *zone, int order)
{
	if (order < zone->compact_order_failed)
		return false;
	return zone->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       zone->compact_considered >= 1U << zone->compact_defer_shift;
}

/* --- Suitability ----------------------------------------------------------- */

/*
 * Enough free memory to compact with?  Migration needs free target pages:
 * the order-0 watermark (low for costly orders, to improve their chances;
 * min otherwise) plus compact_gap(order) = twice the request.
 */
static bool __compaction_suitable(struct zone *zone, int order,
				  enum zone_type highest_zoneidx, long free)
{
	unsigned long watermark;

	watermark = order > PAGE_ALLOC_COSTLY_ORDER ? low_wmark_pages(zone) :
						      min_wmark_pages(zone);
	watermark += 2UL << order;
	return __zone_watermark_ok(zone, 0, watermark, highest_zoneidx, 0, free);
}

bool compaction_suitable(struct zone *zone, unsigned int order,
			 enum zone_type highest_zoneidx)
{
	if (!__compaction_suitable(zone, (int)order, highest_zoneidx,
				   zone_page_state(zone, NR_FREE_PAGES)))
		return false;
	/*
	 * For costly orders, only when failure is due to fragmentation: an
	 * index at or below the threshold says memory is simply short, and
	 * reclaim is what helps.
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

		if (__compaction_suitable(zone, (int)order, ac->highest_zoneidx, available))
			return true;
	}
	return false;
}

/* --- Skip bits and cached scanner positions ------------------------------- */

static void reset_cached_positions(struct zone *zone)
{
	zone->compact_cached_migrate_pfn[0] = zone->zone_start_pfn;
	zone->compact_cached_migrate_pfn[1] = zone->zone_start_pfn;
	zone->compact_cached_free_pfn = pageblock_start_pfn(zone_end_pfn(zone) - 1);
}

static void __reset_isolation_suitable(struct zone *zone)
{
	for (unsigned long pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
	     pfn += pageblock_nr_pages)
		clear_pageblock_skip(pfn_to_page(pfn));
	reset_cached_positions(zone);
	zone->compact_blockskip_flush = false;
}

void reset_isolation_suitable(struct pglist_data *pgdat)
{
	struct zone *zone;

	for_each_zone_in_node(zone, pgdat)
		if (populated_zone(zone) && zone->compact_blockskip_flush)
			__reset_isolation_suitable(zone);
}

static bool isolation_suitable(const struct compact_control *cc, const struct page *page)
{
	return cc->ignore_skip_hint || !get_pageblock_skip(page);
}

static void update_cached_migrate(struct compact_control *cc, unsigned long pfn)
{
	struct zone *zone = cc->zone;

	if (pfn > zone->compact_cached_migrate_pfn[0])
		zone->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC && pfn > zone->compact_cached_migrate_pfn[1])
		zone->compact_cached_migrate_pfn[1] = pfn;
}

static inline bool compact_scanners_met(const struct compact_control *cc)
{
	return (cc->free_pfn >> pageblock_order) <= (cc->migrate_pfn >> pageblock_order);
}

/* --- The free scanner ----------------------------------------------------- */

/*
 * Only Movable pageblocks take migrated pages (they must stay movable),
 * and never a free block of a whole pageblock or more: splitting it to
 * fill it with moved pages would undo what compaction is for.
 */
static bool suitable_migration_target(const struct page *page)
{
	if (PageBuddy(page) && buddy_order(page) >= pageblock_order)
		return false;
	return is_migrate_movable(get_pageblock_migratetype(page));
}

/*
 * Take a free block off its list as order-0 pages for migration targets,
 * unless that would drop the zone below its min watermark.  Zone lock held.
 */
static bool __isolate_free_page(struct compact_control *cc, struct page *page,
				unsigned int order)
{
	struct zone *zone = cc->zone;
	unsigned long pfn = page_to_pfn(page);

	if (!zone_watermark_ok(zone, 0, min_wmark_pages(zone) + (1UL << order), 0, 0))
		return false;
	del_page_from_free_list(page, zone, order);
	__mod_zone_freepage_state(zone, -(1L << order), get_pfnblock_migratetype(zone, pfn));
	for (unsigned long i = 0; i < (1UL << order); i++) {
		page[i].private = 0;
		list_add_tail(&page[i].lru, &cc->freepages);
	}
	cc->nr_freepages += 1U << order;
	return true;
}

/*
 * Isolate free pages in [start, end) until there are as many as pages to
 * migrate.  Returns how many were isolated; *finished says whether the
 * scan reached @end.
 */
static unsigned long isolate_freepages_block(struct compact_control *cc, unsigned long start,
					     unsigned long end, bool *finished)
{
	struct zone *zone = cc->zone;
	unsigned long pfn, isolated = 0, flags;

	spin_lock_irqsave(&zone->lock, flags);
	for (pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);
		unsigned int order;

		cc->total_free_scanned++;
		if (!PageBuddy(page))
			continue;
		order = buddy_order(page);
		if (!__isolate_free_page(cc, page, order))
			break;
		isolated += 1UL << order;
		pfn += (1UL << order) - 1;
		if (cc->nr_freepages >= cc->nr_migratepages) {
			pfn++;
			break;
		}
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	count_vm_events(COMPACTISOLATED, isolated);
	*finished = pfn >= end;
	return isolated;
}

/*
 * The free scanner: from cc->free_pfn's pageblock downward, stopping
 * above the migrate scanner's block.  cc->free_pfn is left at the block
 * to scan next; a block left half done is scanned again from its start.
 */
static void isolate_freepages(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long low_pfn = pageblock_start_pfn(cc->migrate_pfn) + pageblock_nr_pages;
	unsigned long block = pageblock_start_pfn(cc->free_pfn);

	for (; block >= low_pfn; block -= pageblock_nr_pages) {
		unsigned long start = max(block, zone->zone_start_pfn);
		unsigned long end = min(block + pageblock_nr_pages, zone_end_pfn(zone));
		struct page *page = pfn_to_page(start);
		unsigned long isolated;
		bool finished;

		cc->free_pfn = block;
		if (!suitable_migration_target(page) || !isolation_suitable(cc, page))
			continue;
		isolated = isolate_freepages_block(cc, start, end, &finished);
		if (finished && !isolated)
			set_pageblock_skip(page);
		if (cc->nr_freepages >= cc->nr_migratepages) {
			if (finished)
				cc->free_pfn = block - pageblock_nr_pages;
			return;
		}
	}
	cc->free_pfn = block;
}

/* migrate_pages()' source of targets: the free scanner's pages. */
static struct page *compaction_alloc(struct page *src, unsigned long data)
{
	struct compact_control *cc = (struct compact_control *)data;
	struct page *page;

	if (list_empty(&cc->freepages)) {
		isolate_freepages(cc);
		if (list_empty(&cc->freepages))
			return NULL;
	}
	page = list_first_entry(&cc->freepages, struct page, lru);
	list_del(&page->lru);
	cc->nr_freepages--;
	prep_new_page(page, 0, 0, MIGRATE_MOVABLE);
	return page;
}

/* An unused target goes back to the list as a free page. */
static void compaction_free(struct page *page, unsigned long data)
{
	struct compact_control *cc = (struct compact_control *)data;

	page->refcount = 0;
	page->flags &= PAGE_LINKAGE_MASK;
	page->private = 0;
	page->mapping = NULL;
	list_add(&page->lru, &cc->freepages);
	cc->nr_freepages++;
}

/* Return unused targets straight to the buddy lists; the highest PFN, or 0. */
static unsigned long release_freepages(struct compact_control *cc)
{
	unsigned long high_pfn = 0;
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &cc->freepages, lru) {
		unsigned long pfn = page_to_pfn(page);

		list_del(&page->lru);
		free_one_page(cc->zone, page, pfn, 0, get_pfnblock_migratetype(cc->zone, pfn));
		high_pfn = max(high_pfn, pfn);
	}
	cc->nr_freepages = 0;
	return high_pfn;
}

/* --- The migrate scanner ---------------------------------------------------- */

/*
 * Async direct compaction only takes pages from blocks of the type it
 * allocates for: moving pages out of other blocks costs more and may
 * not free a block that the allocation can use anyway.
 */
static bool suitable_migration_source(const struct compact_control *cc, const struct page *page)
{
	int block_mt;

	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	block_mt = get_pageblock_migratetype(page);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return is_migrate_movable(block_mt);
	return block_mt == cc->migratetype;
}

/*
 * Isolate movable pages in [low, end), at most a cluster.  Returns where
 * the scan stopped.  A block scanned to its end without anything to
 * isolate gets its skip bit.
 */
static unsigned long isolate_migratepages_block(struct compact_control *cc, unsigned long low,
						unsigned long end)
{
	unsigned long pfn, isolated = 0, scanned = 0;

	for (pfn = low; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX)
			break;
		scanned++;
		if (PageBuddy(page)) {
			/* Racy without the zone lock: only trust a sane order. */
			unsigned long order = READ_ONCE(page->private);

			if (order <= MAX_ORDER)
				pfn += (1UL << order) - 1;
			continue;
		}
		if (!page_movable_candidate(page))
			continue;
		if (!isolate_movable_page(page, cc->mode))
			continue;
		list_add_tail(&page->lru, &cc->migratepages);
		cc->nr_migratepages++;
		isolated++;
	}
	pfn = min(pfn, end);
	if (pfn == end) {
		if (!isolated)
			set_pageblock_skip(pfn_to_page(pageblock_start_pfn(end - 1)));
		update_cached_migrate(cc, end);
	}
	cc->total_migrate_scanned += scanned;
	count_vm_events(COMPACTISOLATED, isolated);
	return pfn;
}

/* The migrate scanner: the next suitable pageblock below the free scanner. */
static void isolate_migratepages(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long low_pfn = cc->migrate_pfn;
	unsigned long block_start = max(pageblock_start_pfn(low_pfn), zone->zone_start_pfn);
	unsigned long block_end = pageblock_start_pfn(low_pfn) + pageblock_nr_pages;

	for (; block_end <= cc->free_pfn; block_start = block_end,
	     block_end += pageblock_nr_pages, low_pfn = block_start) {
		struct page *page = pfn_to_page(block_start);

		if (!isolation_suitable(cc, page))
			continue;
		if (!suitable_migration_source(cc, page)) {
			update_cached_migrate(cc, block_end);
			continue;
		}
		low_pfn = isolate_migratepages_block(cc, max(low_pfn, block_start),
						     min(block_end, zone_end_pfn(zone)));
		break;
	}
	cc->migrate_pfn = low_pfn;
}

/* --- A compaction run ---------------------------------------------------------- */

unsigned int fragmentation_score_wmark(bool low)
{
	unsigned int wmark_low = max(100U - sysctl_compaction_proactiveness, 5U);

	return low ? wmark_low : min(wmark_low + 10, 100U);
}

static enum compact_result compact_finished(struct compact_control *cc)
{
	if (compact_scanners_met(cc)) {
		reset_cached_positions(cc->zone);
		/* kswapd (or kcompactd) clears the skip bits before it sleeps. */
		if (cc->direct_compaction)
			cc->zone->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction)
		return fragmentation_score_zone(cc->zone) > fragmentation_score_wmark(true) ?
		       COMPACT_CONTINUE : COMPACT_SUCCESS;
	if (cc->order < 0)
		return COMPACT_CONTINUE;
	/* Finish the pageblock: a block left half-emptied invites fallbacks. */
	if (!IS_ALIGNED(cc->migrate_pfn, pageblock_nr_pages))
		return COMPACT_CONTINUE;
	/*
	 * A free block of the order in any of the ordinary types will do:
	 * the allocation takes its own type's or falls back and steals.
	 */
	for (unsigned int o = (unsigned int)cc->order; o < NR_PAGE_ORDERS; o++)
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(&cc->zone->free_area[o], mt))
				return COMPACT_SUCCESS;
	return COMPACT_CONTINUE;
}

/* Take the block compaction made, before anybody else can. */
static struct page *compaction_capture(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned int order = (unsigned int)cc->order;
	struct page *page = NULL;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	if (zone_watermark_ok(zone, order, wmark_pages(zone, cc->alloc_flags & ALLOC_WMARK_MASK),
			      cc->highest_zoneidx, cc->alloc_flags)) {
		page = __rmqueue(zone, order, cc->migratetype, cc->alloc_flags);
		if (page)
			__mod_zone_freepage_state(zone, -(1L << order), (int)page->index);
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return page;
}

static void compact_zone_start(struct compact_control *cc)
{
	struct zone *zone = cc->zone;
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);

	INIT_LIST_HEAD(&cc->freepages);
	INIT_LIST_HEAD(&cc->migratepages);
	cc->nr_freepages = cc->nr_migratepages = 0;
	if (cc->whole_zone) {
		cc->migrate_pfn = start;
		cc->free_pfn = pageblock_start_pfn(end - 1);
		return;
	}
	cc->migrate_pfn = zone->compact_cached_migrate_pfn[cc->mode != MIGRATE_ASYNC];
	cc->free_pfn = zone->compact_cached_free_pfn;
	if (cc->free_pfn < start || cc->free_pfn >= end) {
		cc->free_pfn = pageblock_start_pfn(end - 1);
		zone->compact_cached_free_pfn = cc->free_pfn;
	}
	if (cc->migrate_pfn < start || cc->migrate_pfn >= end) {
		cc->migrate_pfn = start;
		zone->compact_cached_migrate_pfn[0] = start;
		zone->compact_cached_migrate_pfn[1] = start;
	}
	/* Starting from the bottom: this run will see the whole zone. */
	if (cc->migrate_pfn == start)
		cc->whole_zone = true;
}

enum compact_result compact_zone(struct compact_control *cc, struct page **capture)
{
	struct zone *zone = cc->zone;
	enum compact_result ret;
	unsigned long free_pfn;
	bool migrated = false;

	if (cc->order >= 0) {
		unsigned long mark = wmark_pages(zone, cc->alloc_flags & ALLOC_WMARK_MASK);

		/* Already there: nothing to do. */
		if (zone_watermark_ok(zone, (unsigned int)cc->order, mark, cc->highest_zoneidx,
				      cc->alloc_flags))
			return COMPACT_SUCCESS;
		if (!compaction_suitable(zone, (unsigned int)cc->order, cc->highest_zoneidx))
			return COMPACT_SKIPPED;
	}
	if (cc->order >= 0 && compaction_restarting(zone, cc->order))
		__reset_isolation_suitable(zone);
	compact_zone_start(cc);

	while ((ret = compact_finished(cc)) == COMPACT_CONTINUE) {
		unsigned int nr_succeeded = 0;
		int err;

		isolate_migratepages(cc);
		if (!cc->nr_migratepages)
			continue;
		err = migrate_pages(&cc->migratepages, compaction_alloc, compaction_free,
				    (unsigned long)cc, cc->mode, &nr_succeeded);
		cc->nr_migrated += nr_succeeded;
		cc->nr_migratepages = 0;
		migrated |= nr_succeeded > 0;
		if (err) {
			putback_movable_pages(&cc->migratepages);
			/* Out of targets before the scanners met: memory is short. */
			if (err == -ENOMEM && !compact_scanners_met(cc)) {
				ret = COMPACT_CONTENDED;
				break;
			}
		}
		/* A block done: sources freed to this CPU's lists may merge now. */
		if (migrated && IS_ALIGNED(cc->migrate_pfn, pageblock_nr_pages)) {
			drain_local_pages(zone);
			migrated = false;
			platform_yield();
		}
	}

	if (migrated)
		drain_local_pages(zone);
	free_pfn = release_freepages(cc);
	/* Resume where the free scanner was, or where it left unused pages. */
	if (!compact_scanners_met(cc))
		zone->compact_cached_free_pfn = pageblock_start_pfn(max(cc->free_pfn, free_pfn));
	if (ret == COMPACT_SUCCESS && capture && cc->order > 0)
		*capture = compaction_capture(cc);

	count_vm_events(COMPACTMIGRATE_SCANNED, cc->total_migrate_scanned);
	count_vm_events(COMPACTFREE_SCANNED, cc->total_free_scanned);
	return ret;
}

static enum compact_result compact_zone_order(struct zone *zone, int order, gfp_t gfp,
					      enum compact_priority prio,
					      unsigned int alloc_flags,
					      enum zone_type highest_zoneidx,
					      struct page **capture)
{
	struct compact_control cc = {
		.zone = zone,
		.order = order,
		.gfp_mask = gfp,
		.migratetype = gfp_migratetype(gfp),
		.alloc_flags = alloc_flags,
		.highest_zoneidx = highest_zoneidx,
		.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT,
		.direct_compaction = true,
		.whole_zone = prio == MIN_COMPACT_PRIORITY,
		.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY,
	};

	return compact_zone(&cc, capture);
}

enum compact_result try_to_compact_pages(gfp_t gfp, unsigned int order,
					 unsigned int alloc_flags,
					 const struct alloc_context *ac,
					 enum compact_priority prio,
					 struct page **capture)
{
	enum compact_result rc = COMPACT_SKIPPED;
	unsigned long stall;
	struct zoneref *z;
	struct zone *zone;

	/* Migration may need I/O (swap-backed pages, later): not for GFP_NOIO. */
	if (!(gfp & __GFP_IO))
		return COMPACT_SKIPPED;

	/* The allocating task waits for memory here: a memory stall (psi.c). */
	psi_memstall_enter(&stall);
	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx,
					ac->nodemask) {
		enum compact_result status;

		if (!populated_zone(zone))
			continue;
		if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(zone, (int)order)) {
			rc = max(rc, COMPACT_DEFERRED);
			continue;
		}
		status = compact_zone_order(zone, (int)order, gfp, prio, alloc_flags,
					    ac->highest_zoneidx, capture);
		rc = max(rc, status);
		if (status == COMPACT_SUCCESS) {
			/* The order works here again; a captured page means the allocation did too. */
			compaction_defer_reset(zone, (int)order, capture && *capture);
			break;
		}
		/* A full scan that failed: back off (async may just have been unlucky). */
		if (prio != COMPACT_PRIO_ASYNC &&
		    (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(zone, (int)order);
	}
	psi_memstall_leave(&stall);
	return rc;
}

/* --- Compacting everything --------------------------------------------------- */

/* Compact one zone fully, as the manual trigger does; pages moved. */
unsigned long compact_zone_full(struct zone *zone, int mode)
{
	struct compact_control cc = {
		.zone = zone,
		.order = -1,
		.gfp_mask = GFP_KERNEL,
		.mode = mode,
		.whole_zone = true,
		.ignore_skip_hint = true,
	};

	compact_zone(&cc, NULL);
	return cc.nr_migrated;
}

void compact_node(int nid)
{
	struct zone *zone;

	for_each_zone_in_node(zone, NODE_DATA(nid))
		if (populated_zone(zone))
			compact_zone_full(zone, MIGRATE_SYNC);
}

void compact_memory(void)
{
	int nid;

	for_each_online_node(nid)
		compact_node(nid);
}
