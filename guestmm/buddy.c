// SPDX-License-Identifier: MIT
/*
 * The buddy free lists: splitting, merging, migratetype fallback and
 * pageblock stealing.  Every function here runs under the zone lock.
 *
 * A free block of order k starts at a PFN aligned to 2^k; its head page
 * carries PG_buddy and the order, and sits on free_area[k].free_list[mt]
 * where mt is (normally) its pageblock's migratetype.  The block's buddy
 * is the block at pfn ^ (1 << k).
 */
#include "internal.h"

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/*
 * When a type's own lists are empty, where to look next.  Movable falls
 * back to Reclaimable first because reclaimable slabs are at least
 * shrinkable; unmovable and reclaimable fall back to each other first
 * to keep Movable blocks clean for compaction.
 */
static const int fallbacks[MIGRATE_TYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

void __mod_zone_freepage_state(struct zone *zone, long nr, int mt)
{
	if (mt != MIGRATE_ISOLATE)
		zone_stat_add(zone, NR_FREE_PAGES, nr);
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	SetPageFlag(page, PG_buddy);
}

static inline void add_to_free_list(struct page *page, struct zone *zone,
				    unsigned int order, int mt, bool tail)
{
	struct free_area *area = &zone->free_area[order];

	if (tail)
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	area->nr_free++;
}

/* Move a free block to another type's list (its pageblock changed type). */
static inline void move_to_free_list(struct page *page, struct zone *zone,
				     unsigned int order, int mt)
{
	list_move_tail(&page->lru, &zone->free_area[order].free_list[mt]);
}

/*
 * Is @buddy the head of a free block of exactly @order, in the same zone?
 * Holes and other zones are never merged into: their pages are reserved
 * or belong to another zone.
 */
static inline bool page_is_buddy(const struct page *page, const struct page *buddy,
				 unsigned int order)
{
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return false;
	return ((page->flags ^ buddy->flags) & PAGE_LINKAGE_MASK) == 0;
}

static inline struct page *find_buddy_page_pfn(struct page *page, unsigned long pfn,
					       unsigned int order, unsigned long *buddy_pfn)
{
	unsigned long bpfn = pfn ^ (1UL << order);
	struct page *buddy;

	if (!pfn_valid(bpfn))
		return NULL;
	buddy = page + (long)(bpfn - pfn);
	if (!page_is_buddy(page, buddy, order))
		return NULL;
	*buddy_pfn = bpfn;
	return buddy;
}

/*
 * Will this block likely merge further soon?  If the buddy of its parent
 * block is free, the only missing piece is its own buddy, which is in
 * use and may come back; put the block at the tail so it is handed out
 * last and gets the chance to merge.
 */
static bool buddy_merge_likely(unsigned long pfn, struct page *page, unsigned int order)
{
	unsigned long higher_pfn, higher_buddy_pfn;

	if (order >= MAX_ORDER - 1)
		return false;
	higher_pfn = pfn & ~(1UL << order);
	higher_buddy_pfn = higher_pfn ^ (1UL << (order + 1));
	if (!pfn_valid(higher_buddy_pfn))
		return false;
	return page_is_buddy(page + (long)(higher_pfn - pfn),
			     pfn_to_page(higher_buddy_pfn), order + 1);
}

void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int mt, bool to_tail)
{
	unsigned long buddy_pfn, combined_pfn;
	struct page *buddy;

	__mod_zone_freepage_state(zone, 1L << order, mt);

	while (order < MAX_ORDER) {
		buddy = find_buddy_page_pfn(page, pfn, order, &buddy_pfn);
		if (!buddy)
			break;
		if (unlikely(order >= pageblock_order)) {
			/*
			 * Don't merge a HighAtomic or Isolate block with its
			 * neighbour: that would hide or leak the reserve.
			 */
			int buddy_mt = get_pfnblock_migratetype(zone, buddy_pfn);

			if (mt != buddy_mt &&
			    (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		del_page_from_free_list(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = page + (long)(combined_pfn - pfn);
		pfn = combined_pfn;
		order++;
	}

	set_buddy_order(page, order);
	if (!to_tail)
		to_tail = buddy_merge_likely(pfn, page, order);
	add_to_free_list(page, zone, order, mt, to_tail);
}

/*
 * Split a block of order @high down to @low, giving back the upper
 * halves: the classic buddy "expand".
 */
static inline void expand(struct zone *zone, struct page *page, unsigned int low,
			  unsigned int high, int mt)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, mt, false);
		set_buddy_order(&page[size], high);
	}
}

struct page *__rmqueue_smallest(struct zone *zone, unsigned int order, int mt)
{
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &zone->free_area[o];
		struct page *page;

		if (list_empty(&area->free_list[mt]))
			continue;
		page = list_first_entry(&area->free_list[mt], struct page, lru);
		del_page_from_free_list(page, zone, o);
		expand(zone, page, order, o, mt);
		page->index = (unsigned long)mt;
		return page;
	}
	return NULL;
}

/*
 * Move the free blocks of @page's pageblock to @mt's lists.  Returns the
 * number of free pages moved; *movable_pages counts the allocated pages
 * that are movable (the block's "compatible" population).
 */
unsigned long move_freepages_block(struct zone *zone, struct page *page, int mt,
				   unsigned long *movable_pages)
{
	unsigned long start = pageblock_start_pfn(page_to_pfn(page));
	unsigned long end = start + pageblock_nr_pages;
	unsigned long moved = 0, movable = 0;

	/* The block may stick out of the zone at either end. */
	start = max(start, zone->zone_start_pfn);
	end = min(end, zone_end_pfn(zone));

	for (unsigned long pfn = start; pfn < end;) {
		struct page *p = pfn_to_page(pfn);

		if (!PageBuddy(p)) {
			if (PageMovable(p))
				movable++;
			pfn++;
			continue;
		}
		move_to_free_list(p, zone, buddy_order(p), mt);
		moved += 1UL << buddy_order(p);
		pfn += 1UL << buddy_order(p);
	}
	if (movable_pages)
		*movable_pages = movable;
	return moved;
}

static void change_pageblock_range(struct page *page, unsigned int order, int mt)
{
	unsigned long nr = 1UL << (order > pageblock_order ? order - pageblock_order : 0);

	while (nr--) {
		set_pageblock_migratetype(page, mt);
		page += pageblock_nr_pages;
	}
}

/*
 * Stealing a whole pageblock avoids scattering one type's pages over
 * many blocks: worth it when the request is large, or when an unmovable
 * or reclaimable allocation would otherwise pollute a movable block.
 */
static bool can_steal_fallback(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	return order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

bool boost_watermark(struct zone *zone)
{
	unsigned long max_boost;

	if (!watermark_boost_factor)
		return false;
	/* Boosting tiny zones would make them reclaim all the time. */
	if (pageblock_nr_pages * 4 > zone->managed_pages)
		return false;
	max_boost = zone->_watermark[WMARK_HIGH] * (unsigned long)watermark_boost_factor / 10000;
	if (!max_boost)
		return false;
	max_boost = max(pageblock_nr_pages, max_boost);
	zone->watermark_boost = min(zone->watermark_boost + pageblock_nr_pages, max_boost);
	return true;
}

static void steal_suitable_fallback(struct zone *zone, struct page *page,
				    unsigned int alloc_flags, int start_type,
				    bool whole_block)
{
	unsigned int current_order = buddy_order(page);
	unsigned long free_pages, movable_pages, alike_pages;
	int old_block_type = get_pfnblock_migratetype(zone, page_to_pfn(page));

	if (old_block_type == MIGRATE_HIGHATOMIC)
		goto single_page;

	/* A block this big is all ours: retype every pageblock in it. */
	if (current_order >= pageblock_order) {
		change_pageblock_range(page, current_order, start_type);
		goto single_page;
	}

	/*
	 * Falling back fragments memory: raise the watermark so kswapd
	 * frees more, and since the zone may be balanced overall, wake it
	 * when this allocation completes.
	 */
	if (boost_watermark(zone) && (alloc_flags & ALLOC_KSWAPD))
		zone->flags |= BIT(ZONE_BOOSTED_WATERMARK);

	if (!whole_block)
		goto single_page;

	free_pages = move_freepages_block(zone, page, start_type, &movable_pages);
	/* The pages of the block that are compatible with this allocation. */
	if (start_type == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_block_type == MIGRATE_MOVABLE)
		alike_pages = pageblock_nr_pages - (free_pages + movable_pages);
	else
		alike_pages = 0;

	/* Claim the block when at least half of it is free or alike. */
	if (free_pages + alike_pages >= (1UL << (pageblock_order - 1)))
		set_pageblock_migratetype(page, start_type);
	return;

single_page:
	move_to_free_list(page, zone, current_order, start_type);
}

/*
 * The first fallback type with a free block of @order, or -1.
 * *can_steal says whether that type's block may be stolen whole.
 */
static int find_suitable_fallback(struct free_area *area, unsigned int order,
				  int mt, bool *can_steal)
{
	if (!area->nr_free)
		return -1;
	*can_steal = false;
	for (int i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int fallback_mt = fallbacks[mt][i];

		if (free_area_empty(area, fallback_mt))
			continue;
		if (can_steal_fallback(order, mt))
			*can_steal = true;
		return fallback_mt;
	}
	return -1;
}

/*
 * Take a block from another migratetype.  Search from the largest order
 * down, so the steal takes a whole pageblock and later allocations of
 * this type find their own lists filled, instead of nibbling small
 * pieces out of many blocks.
 */
static bool __rmqueue_fallback(struct zone *zone, int order, int start_mt,
			       unsigned int alloc_flags)
{
	struct free_area *area;
	int current_order, min_order = order, fallback_mt = -1;
	struct page *page;
	bool can_steal = false;

	/* ALLOC_NOFRAGMENT: only whole pageblocks may change type. */
	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;

	for (current_order = MAX_ORDER; current_order >= min_order; current_order--) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, (unsigned int)current_order,
						     start_mt, &can_steal);
		if (fallback_mt == -1)
			continue;
		/*
		 * A movable allocation that may not steal the block should
		 * not split a large block of another type either: take the
		 * smallest suitable one instead.
		 */
		if (!can_steal && start_mt == MIGRATE_MOVABLE && current_order > order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, (unsigned int)current_order,
						     start_mt, &can_steal);
		if (fallback_mt != -1)
			break;
	}
	if (current_order == NR_PAGE_ORDERS)
		return false;

do_steal:
	page = list_first_entry(&area->free_list[fallback_mt], struct page, lru);
	steal_suitable_fallback(zone, page, alloc_flags, start_mt, can_steal);
	return true;
}

struct page *__rmqueue(struct zone *zone, unsigned int order, int mt,
		       unsigned int alloc_flags)
{
	struct page *page;

	for (;;) {
		page = __rmqueue_smallest(zone, order, mt);
		if (likely(page))
			return page;
		if (!__rmqueue_fallback(zone, (int)order, mt, alloc_flags))
			return NULL;
	}
}

void free_one_page(struct zone *zone, struct page *page, unsigned long pfn,
		   unsigned int order, int mt)
{
	unsigned long flags;

	zone_lock_irqsave(zone, flags);
	if (unlikely(mt == MIGRATE_ISOLATE || get_pfnblock_migratetype(zone, pfn) == MIGRATE_ISOLATE))
		mt = get_pfnblock_migratetype(zone, pfn);
	__free_one_page(page, pfn, zone, order, mt, false);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/*
 * A whole free pageblock that could not merge with its buddy because the
 * types differed may merge now that its type changed: free it again.
 */
static void remerge_pageblock(struct zone *zone, unsigned long pfn, int mt)
{
	unsigned long start = pageblock_start_pfn(pfn);
	struct page *page = pfn_to_page(start);
	unsigned int order;

	if (!zone_spans_pfn(zone, start) || !PageBuddy(page) ||
	    (order = buddy_order(page)) < pageblock_order)
		return;
	del_page_from_free_list(page, zone, order);
	__mod_zone_freepage_state(zone, -(1L << order), mt);
	__free_one_page(page, start, zone, order, mt, false);
}

/*
 * The high-order atomic reserve: when a high-order atomic allocation
 * succeeds, set its pageblock aside (up to 1% of the zone) so the next
 * one finds a block even when memory is fragmented.
 */
void reserve_highatomic_pageblock(struct page *page, struct zone *zone)
{
	unsigned long max_managed = zone->managed_pages / 100 + pageblock_nr_pages;
	unsigned long flags;
	int mt;

	if (zone->nr_reserved_highatomic >= max_managed)
		return;
	spin_lock_irqsave(&zone->lock, flags);
	if (zone->nr_reserved_highatomic >= max_managed)
		goto out;
	mt = get_pfnblock_migratetype(zone, page_to_pfn(page));
	if (mt != MIGRATE_HIGHATOMIC && mt != MIGRATE_ISOLATE) {
		zone->nr_reserved_highatomic += pageblock_nr_pages;
		set_pageblock_migratetype(page, MIGRATE_HIGHATOMIC);
		move_freepages_block(zone, page, MIGRATE_HIGHATOMIC, NULL);
	}
out:
	spin_unlock_irqrestore(&zone->lock, flags);
}

/*
 * Give a reserved HighAtomic block back to ordinary use, because an
 * allocation is about to fail (or OOM) for want of it.  Unless @force,
 * keep one pageblock in reserve.
 */
bool unreserve_highatomic_pageblock(const struct alloc_context *ac, bool force)
{
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->highest_zoneidx,
					ac->nodemask) {
		unsigned long flags;

		if (!force && zone->nr_reserved_highatomic <= pageblock_nr_pages)
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
			struct free_area *area = &zone->free_area[order];
			struct page *page;

			if (free_area_empty(area, MIGRATE_HIGHATOMIC))
				continue;
			page = list_first_entry(&area->free_list[MIGRATE_HIGHATOMIC],
						struct page, lru);
			if (get_pfnblock_migratetype(zone, page_to_pfn(page)) == MIGRATE_HIGHATOMIC)
				zone->nr_reserved_highatomic -=
					min(pageblock_nr_pages, zone->nr_reserved_highatomic);
			set_pageblock_migratetype(page, ac->migratetype);
			if (move_freepages_block(zone, page, ac->migratetype, NULL)) {
				remerge_pageblock(zone, page_to_pfn(page), ac->migratetype);
				spin_unlock_irqrestore(&zone->lock, flags);
				return true;
			}
		}
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	return false;
}
