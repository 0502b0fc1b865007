// SPDX-License-Identifier: MIT
/*
 * The page allocator's entry points and its fast path.
 *
 * __alloc_pages() computes the allocation context once (zonelist, highest
 * usable zone, migratetype), then get_page_from_freelist() walks the
 * zonelist at the low watermark, taking pages from the per-CPU lists for
 * small orders and from the buddy lists otherwise.  Only if every zone is
 * below low does the slow path (slowpath.c) run.
 */
#include "internal.h"

enum zone_type gfp_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	/* Without movablecore=, ZONE_MOVABLE is empty: movable means Normal. */
	return ZONE_NORMAL;
}

struct zonelist *node_zonelist(int nid, gfp_t gfp)
{
	return &NODE_DATA(nid)->node_zonelists[(gfp & __GFP_THISNODE) ?
					       ZONELIST_NOFALLBACK : ZONELIST_FALLBACK];
}

struct zoneref *first_zones_zonelist(struct zonelist *zl, enum zone_type highest,
				     const nodemask_t *nodemask)
{
	struct zoneref *z = zl->_zonerefs;

	while (z->zone && !zref_allowed(z, highest, nodemask))
		z++;
	return z;
}

void bad_page(const struct page *page, const char *reason)
{
	mm_printk("BUG: Bad page state: pfn:%lx refcount:%d mapcount:%d flags:%#lx order:%lu: %s",
		  page_to_pfn(page), page->refcount, page->mapcount, page->flags,
		  page->private, reason);
}

/* NUMA hit/miss/foreign and local/other, per CPU, as /proc/zoneinfo shows. */
static inline void zone_statistics(struct zone *preferred, struct zone *z,
				   unsigned int cpu, long nr)
{
	unsigned long *ev = zone_pcp(z, cpu)->numa_event;

	if (likely(z->node == preferred->node)) {
		ev[NUMA_HIT] += nr;
	} else {
		ev[NUMA_MISS] += nr;
		zone_pcp(preferred, cpu)->numa_event[NUMA_FOREIGN] += nr;
	}
	if (z->node == cpu_to_node(cpu))
		ev[NUMA_LOCAL] += nr;
	else
		ev[NUMA_OTHER] += nr;
}

static struct page *rmqueue_buddy(struct zone *zone, unsigned int order, int mt,
				  unsigned int alloc_flags)
{
	struct page *page = NULL;
	unsigned long flags;

	zone_lock_irqsave(zone, flags);
	if (alloc_flags & ALLOC_HIGHATOMIC)
		page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
	if (!page) {
		page = __rmqueue(zone, order, mt, alloc_flags);
		/* Failing now is worse than failing a future atomic request. */
		if (!page && (alloc_flags & ALLOC_OOM))
			page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
	}
	if (page)
		__mod_zone_freepage_state(zone, -(1L << order), (int)page->index);
	spin_unlock_irqrestore(&zone->lock, flags);
	return page;
}

static struct page *rmqueue(struct zone *preferred, struct zone *zone, unsigned int order,
			    int mt, unsigned int alloc_flags, unsigned int cpu)
{
	struct page *page = NULL;

	if (likely(pcp_allowed_order(order)))
		page = rmqueue_pcplist(preferred, zone, order, mt, alloc_flags, cpu);
	if (!page)
		page = rmqueue_buddy(zone, order, mt, alloc_flags);
	if (unlikely(!page))
		return NULL;

	vm_event_states[cpu].event[PGALLOC_DMA + zone->idx] += 1UL << order;
	zone_statistics(preferred, zone, cpu, 1);

	/* A steal boosted the watermark: now that we have our page, wake kswapd. */
	if (unlikely((alloc_flags & ALLOC_KSWAPD) && (zone->flags & BIT(ZONE_BOOSTED_WATERMARK)))) {
		__atomic_fetch_and(&zone->flags, ~BIT(ZONE_BOOSTED_WATERMARK), __ATOMIC_RELAXED);
		wakeup_kswapd(zone, 0, 0, zone->idx);
	}
	return page;
}

/*
 * ALLOC_NOFRAGMENT: on a machine with DMA32 below Normal, prefer falling
 * back to another node or to DMA32 over mixing migratetypes in Normal.
 */
static unsigned int alloc_flags_nofragment(struct zone *zone, gfp_t gfp)
{
	unsigned int alloc_flags = gfp & __GFP_KSWAPD_RECLAIM;

	if (!zone || zone->idx != ZONE_NORMAL)
		return alloc_flags;
	if (nr_online_nodes > 1 && !populated_zone(zone - 1))
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

struct page *get_page_from_freelist(gfp_t gfp, unsigned int order,
				    unsigned int alloc_flags,
				    const struct alloc_context *ac)
{
	unsigned int cpu = platform_cpu_id();
	struct zone *preferred;
	struct zoneref *z;
	struct zone *zone;
	bool no_fallback;

	if (!ac->preferred_zoneref->zone)
		return NULL;
	preferred = ac->preferred_zoneref->zone;
retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	for (z = ac->preferred_zoneref; (zone = z->zone) != NULL; z++) {
		unsigned long mark;
		struct page *page;

		if (!zref_allowed(z, ac->highest_zoneidx, ac->nodemask))
			continue;
		/*
		 * Leaving the local node while avoiding fragmentation: first
		 * try the local node again allowing fragmentation, since a
		 * remote page costs more than a mixed pageblock.
		 */
		if (no_fallback && nr_online_nodes > 1 && zone->node != preferred->node) {
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto retry;
		}

		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags) &&
		    !(alloc_flags & ALLOC_NO_WATERMARKS))
			continue;

		page = rmqueue(preferred, zone, order, ac->migratetype, alloc_flags, cpu);
		if (page) {
			prep_new_page(page, order, gfp, ac->migratetype);
			if (unlikely(order && (alloc_flags & ALLOC_HIGHATOMIC)))
				reserve_highatomic_pageblock(page, zone);
			return page;
		}
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return NULL;
}

struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid,
			   const nodemask_t *nodemask)
{
	struct alloc_context ac;
	unsigned int alloc_flags;
	struct page *page;

	if (unlikely(order > MAX_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			mm_printk("mm: order %u allocation is larger than MAX_ORDER %d", order,
				  MAX_ORDER);
		return NULL;
	}
	if (unlikely(preferred_nid < 0 || preferred_nid >= nr_online_nodes))
		preferred_nid = numa_node_id();

	ac.highest_zoneidx = gfp_zone(gfp);
	ac.zonelist = node_zonelist(preferred_nid, gfp);
	ac.nodemask = nodemask;
	ac.migratetype = gfp_migratetype(gfp);
	ac.preferred_zoneref = first_zones_zonelist(ac.zonelist, ac.highest_zoneidx, nodemask);

	alloc_flags = ALLOC_WMARK_LOW;
	alloc_flags |= alloc_flags_nofragment(ac.preferred_zoneref->zone, gfp);
	page = get_page_from_freelist(gfp, order, alloc_flags, &ac);
	if (likely(page))
		return page;
	return __alloc_pages_slowpath(gfp, order, &ac);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return __alloc_pages(gfp, order, numa_node_id(), NULL);
}

void *__get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? page_address(page) : NULL;
}

/* Checks a caller's free: a bad one is reported and the page is leaked. */
static bool free_pages_prepare(struct page *page, unsigned int order)
{
	if (unlikely(PageBuddy(page) || PagePcp(page) || page->refcount != 0)) {
		bad_page(page, PageBuddy(page) || PagePcp(page) ? "double free" :
			 "freed while still referenced");
		return false;
	}
	if (unlikely(page->private != order)) {
		bad_page(page, "freed with an order it was not allocated with");
		return false;
	}
	if (unlikely(PageReserved(page))) {
		bad_page(page, "freeing a reserved page");
		return false;
	}
	page->flags &= PAGE_LINKAGE_MASK;
	page->mapping = NULL;
	return true;
}

static void __free_pages_ok(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	unsigned long pfn = page_to_pfn(page);

	free_one_page(zone, page, pfn, order, get_pfnblock_migratetype(zone, pfn));
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned int cpu;
	int ref;

	if (unlikely(!page))
		return;
	if (unlikely(page < mem_map || page >= mem_map + max_pfn ||
		     (page_to_pfn(page) & ((1UL << order) - 1)))) {
		mm_printk("BUG: freeing %p: not a page head of order %u", (void *)page, order);
		return;
	}
	/*
	 * The last reference needs no atomic operation: its holder is the
	 * only one who may touch the count, so nobody can race with it.
	 */
	if (likely(READ_ONCE(page->refcount) == 1)) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		WRITE_ONCE(page->refcount, 0);
		ref = 0;
	} else {
		ref = __atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL);
	}
	if (ref > 0)
		return;
	if (unlikely(ref < 0)) {
		page->refcount = 0;
		bad_page(page, PageBuddy(page) || PagePcp(page) ? "double free" :
			 "reference count underflow");
		return;
	}
	if (!free_pages_prepare(page, order))
		return;

	cpu = platform_cpu_id();
	vm_event_states[cpu].event[PGFREE] += 1UL << order;
	if (likely(pcp_allowed_order(order)) && free_unref_page(page, order, cpu))
		return;
	__free_pages_ok(page, order);
}

void free_pages(void *addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page(addr), order);
}
