/* SPDX-License-Identifier: MIT */
/*
 * guestmm's private interfaces, shared between its files and nobody else
 * (like Linux's mm/internal.h).
 */
#ifndef GUESTMM_INTERNAL_H
#define GUESTMM_INTERNAL_H

#include <guestmm/boot.h>
#include <guestmm/page_alloc.h>
#include <guestmm/seq_buf.h>

/*
 * Everything one allocation needs to know, computed once in
 * __alloc_pages() and passed down the fast and slow paths.
 */
struct alloc_context {
	struct zonelist *zonelist;
	const nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;	/* first usable zone */
	int migratetype;
	enum zone_type highest_zoneidx;
};

/* Iterate a zonelist over the zones an allocation may use. */
static inline bool zref_allowed(const struct zoneref *z, enum zone_type highest,
				const nodemask_t *nodemask)
{
	return z->zone_idx <= (int)highest &&
	       (!nodemask || (nodemask->bits & BIT(z->zone->node)));
}

#define for_each_zone_zonelist_nodemask(zone, z, zlist, highidx, nodemask)	\
	for (z = (zlist)->_zonerefs; (zone = z->zone) != NULL; z++)		\
		if (!zref_allowed(z, highidx, nodemask)) ; else

struct zoneref *first_zones_zonelist(struct zonelist *zl, enum zone_type highest,
				     const nodemask_t *nodemask);

/* --- Pageblocks --------------------------------------------------------- */

#define PB_MIGRATETYPE_MASK	0x7
#define PB_SKIP			0x8

static inline uint8_t *pageblock_byte(const struct zone *zone, unsigned long pfn)
{
	unsigned long base = ALIGN_DOWN(zone->zone_start_pfn, pageblock_nr_pages);

	return &zone->pageblock_flags[(pfn - base) >> pageblock_order];
}

static inline int get_pfnblock_migratetype(const struct zone *zone, unsigned long pfn)
{
	return __atomic_load_n(pageblock_byte(zone, pfn), __ATOMIC_RELAXED) &
	       PB_MIGRATETYPE_MASK;
}

static inline unsigned long pageblock_start_pfn(unsigned long pfn)
{
	return ALIGN_DOWN(pfn, pageblock_nr_pages);
}

/* --- The buddy free lists (buddy.c); the zone lock is held ------------- */

static inline bool free_area_empty(const struct free_area *area, int mt)
{
	return list_empty(&area->free_list[mt]);
}

struct page *__rmqueue_smallest(struct zone *zone, unsigned int order, int mt);
struct page *__rmqueue(struct zone *zone, unsigned int order, int mt,
		       unsigned int alloc_flags);
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int mt, bool to_tail);

/*
 * Take a free block off its list.  Whatever it leaves for (allocation, a
 * merge, compaction, reporting), it is no longer what the host was told
 * about: free again, it is news (page_reporting.c).
 */
static inline void del_page_from_free_list(struct page *page, struct zone *zone,
					   unsigned int order)
{
	list_del(&page->lru);
	page->flags &= ~(BIT(PG_buddy) | BIT(PG_reported));
	page->private = 0;
	zone->free_area[order].nr_free--;
}
unsigned long move_freepages_block(struct zone *zone, struct page *page, int mt,
				   unsigned long *movable_pages);
void reserve_highatomic_pageblock(struct page *page, struct zone *zone);
bool unreserve_highatomic_pageblock(const struct alloc_context *ac, bool force);
bool boost_watermark(struct zone *zone);
void __mod_zone_freepage_state(struct zone *zone, long nr, int mt);

/* Freeing a block of any order straight to the buddy lists (no pcp). */
void free_one_page(struct zone *zone, struct page *page, unsigned long pfn,
		   unsigned int order, int mt);

/* --- Per-CPU lists (pcp.c) --------------------------------------------- */

static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER;
}

static inline struct per_cpu_pages *zone_pcp(const struct zone *zone, unsigned int cpu)
{
	return &zone->per_cpu_pageset[cpu];
}

struct page *rmqueue_pcplist(struct zone *preferred, struct zone *zone,
			     unsigned int order, int mt, unsigned int alloc_flags,
			     unsigned int cpu);
/* Returns false if the pcp was busy; the caller frees to the buddy. */
bool free_unref_page(struct page *page, unsigned int order, unsigned int cpu);
void zone_pcp_update(struct zone *zone);
void zone_pcp_init(struct zone *zone);
int zone_batchsize(const struct zone *zone);
int zone_highsize(const struct zone *zone, int batch);

/* --- Watermarks (watermark.c) ------------------------------------------ */

void init_per_zone_wmark_min(void);

/* Free pages a request cannot count: the rest of its block, others' reserves. */
static inline long zone_watermark_unusable_free(const struct zone *z, unsigned int order,
						unsigned int alloc_flags)
{
	long unusable = (1L << order) - 1;

	if (!(alloc_flags & ALLOC_RESERVES))
		unusable += (long)z->nr_reserved_highatomic;
	return unusable;
}

/* zone_watermark_fast() when the quick check fails: the full rules. */
bool zone_watermark_slow(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages);

/*
 * The fast path's check, inline as it runs on every allocation: order-0
 * requests well above the mark skip the rest.
 */
static inline bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark,
				       int highest_zoneidx, unsigned int alloc_flags)
{
	long free_pages = READ_ONCE(z->vm_stat[NR_FREE_PAGES]);

	if (likely(!order)) {
		long fast_free = free_pages - zone_watermark_unusable_free(z, 0, alloc_flags);

		if (fast_free > (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	return zone_watermark_slow(z, order, mark, highest_zoneidx, alloc_flags, free_pages);
}
void calculate_totalreserve_pages(void);

/* --- The allocation paths ---------------------------------------------- */

struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
				    unsigned int alloc_flags,
				    const struct alloc_context *ac);
struct page *__alloc_pages_slowpath(gfp_t gfp, unsigned int order,
				    struct alloc_context *ac);

/* A page leaving the allocator: its state as its new owner expects it. */
static inline void prep_new_page(struct page *page, unsigned int order, gfp_t gfp, int mt)
{
	page->flags &= PAGE_LINKAGE_MASK;
	if (order)
		SetPageFlag(page, PG_head);
	if (mt == MIGRATE_MOVABLE)
		SetPageFlag(page, PG_movable);
	page->private = order;
	page->mapping = NULL;
	page->mapcount = 0;
	page->refcount = 1;
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

/* --- Hooks filled by reclaim, compaction and OOM ------------------------ */

enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,
	MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL,
	COMPACT_PRIO_SYNC_LIGHT,
	MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT,
	COMPACT_PRIO_ASYNC,
	INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC
};

enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED,	/* not worth trying: too few free pages */
	COMPACT_DEFERRED,	/* failed recently: wait */
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,	/* scanned the whole zone, no page */
	COMPACT_PARTIAL_SKIPPED,
	COMPACT_CONTENDED,
	COMPACT_SUCCESS,	/* a suitable page exists now */
};

/*
 * kthread.c: a node's daemon @fn (kswapd, kcompactd) on a thread named
 * @what and the node's number, *@wait the event that wakes it; 0 (also if
 * it runs already), or -ENOMEM with nothing left behind.
 */
int node_kthread_run(int nid, int (*fn)(void *), const char *what,
		     struct platform_thread **thread, struct platform_event **wait);
/* Stop it (if it runs) and free its event. */
void node_kthread_stop(struct platform_thread **thread, struct platform_event **wait);

/* vmscan.c */
void wakeup_kswapd(struct zone *zone, gfp_t gfp, int order, enum zone_type highest_zoneidx);
unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp,
				const nodemask_t *nodemask, enum zone_type highest_zoneidx);
unsigned long zone_reclaimable_pages(const struct zone *zone);

/* extfrag.c: how fragmented free memory is */
int fragmentation_index(const struct zone *zone, unsigned int order);
unsigned int extfrag_for_order(const struct zone *zone, unsigned int order);
unsigned int fragmentation_score_zone(const struct zone *zone);

/* compaction.c */
#define COMPACT_CLUSTER_MAX	32	/* pages isolated per migration batch */
#define COMPACT_MAX_DEFER_SHIFT	6	/* defer at most 1 << 6 attempts */

/* One compaction run over one zone: the scanners' state and the request. */
struct compact_control {
	struct list_head freepages;	/* isolated free order-0 pages: targets */
	struct list_head migratepages;	/* isolated movable pages */
	unsigned int nr_freepages;
	unsigned int nr_migratepages;
	unsigned long free_pfn;		/* the pageblock the free scanner scans next */
	unsigned long migrate_pfn;	/* the PFN the migrate scanner looks at next */
	unsigned long total_migrate_scanned;
	unsigned long total_free_scanned;
	unsigned long nr_migrated;	/* pages moved */
	struct zone *zone;
	gfp_t gfp_mask;
	int order;			/* the allocation's, or -1: everything */
	int migratetype;		/* the allocation's */
	unsigned int alloc_flags;
	enum zone_type highest_zoneidx;
	int mode;			/* enum migrate_mode */
	bool ignore_skip_hint;		/* scan blocks whose skip bit is set */
	bool whole_zone;		/* this run started at the zone's ends */
	bool direct_compaction;		/* for an allocation in the slow path */
	bool proactive_compaction;	/* kcompactd, by fragmentation score */
};

enum compact_result compact_zone(struct compact_control *cc, struct page **capture);
unsigned long compact_zone_full(struct zone *zone, int mode);
void defer_compaction(struct zone *zone, int order);
bool compaction_deferred(struct zone *zone, int order);
void compaction_defer_reset(struct zone *zone, int order, bool alloc_success);
bool compaction_restarting(struct zone *zone, int order);
void reset_isolation_suitable(struct pglist_data *pgdat);
/* The proactive score band: compact above high, stop below low. */
unsigned int fragmentation_score_wmark(bool low);
bool compaction_suitable(struct zone *zone, unsigned int order,
			 enum zone_type highest_zoneidx);
enum compact_result try_to_compact_pages(gfp_t gfp, unsigned int order,
					 unsigned int alloc_flags,
					 const struct alloc_context *ac,
					 enum compact_priority prio,
					 struct page **capture);
bool compaction_zonelist_suitable(const struct alloc_context *ac, unsigned int order,
				  unsigned int alloc_flags);

/* oom_kill.c */
struct oom_control {
	struct zonelist *zonelist;
	const nodemask_t *nodemask;
	gfp_t gfp_mask;
	int order;
};
bool out_of_memory(struct oom_control *oc);

long node_stat_pages(const struct pglist_data *pgdat, enum node_stat_item item);

/* --- Boot-time state ----------------------------------------------------- */

extern struct mm_boot_params mm_boot;

/* Reports the bug and returns; the caller leaks the page rather than corrupt. */
void bad_page(const struct page *page, const char *reason);

/* int_sqrt, as Linux's lib/math/int_sqrt.c computes it. */
unsigned long int_sqrt(unsigned long x);

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (63 - __builtin_clzl(n));
}

static inline void zone_stat_add(struct zone *zone, enum zone_stat_item item, long delta)
{
	__atomic_add_fetch(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
}

#endif
