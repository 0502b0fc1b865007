// SPDX-License-Identifier: MIT
/*
 * Per-CPU page lists: small caches of free pages of orders 0..3 in front
 * of the buddy lists, so most allocations and frees take one uncontended
 * per-CPU lock instead of the zone lock.  Refill and drain move @batch
 * pages at a time under one zone-lock hold.
 *
 * The lock is a cpu_lock (cpulock.h): the owner only tries it, and an
 * interrupt handler or an owner racing a drain that finds it held goes to
 * the buddy lists directly instead of spinning, as Linux 6.x does.
 */
#include "internal.h"

static inline unsigned int order_to_pindex(int mt, unsigned int order)
{
	return MIGRATE_PCPTYPES * order + (unsigned int)mt;
}

static inline unsigned int pindex_to_order(unsigned int pindex)
{
	return pindex / MIGRATE_PCPTYPES;
}

/*
 * The batch: about 0.1% of the zone, at most 1 MiB worth, then scaled to
 * 1.5x and rounded to 2^n - 1 (which spreads batched pages across cache
 * colours).  A zone of 1 GiB or more gets 63.
 */
int zone_batchsize(const struct zone *zone)
{
	unsigned long batch = min(zone->managed_pages >> 10, (1UL << 20) / PAGE_SIZE);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	return (int)rounddown_pow_of_two(batch + batch / 2) - 1;
}

/* Each CPU may keep its share of the low mark, and at least four batches. */
int zone_highsize(const struct zone *zone, int batch)
{
	unsigned long high = low_wmark_pages(zone) / nr_cpu_ids;

	return (int)max(high, (unsigned long)batch << 2);
}

void zone_pcp_init(struct zone *zone)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct per_cpu_pages *pcp = zone_pcp(zone, cpu);

		cpu_lock_init(&pcp->lock);
		for (unsigned int i = 0; i < NR_PCP_LISTS; i++)
			INIT_LIST_HEAD(&pcp->lists[i]);
		/* Until the zone is sized, behave as if there were no cache. */
		pcp->high = 0;
		pcp->batch = 1;
	}
}

void zone_pcp_update(struct zone *zone)
{
	int batch, high;

	if (!managed_zone(zone))
		return;
	/* Tiny zones compute a batch of 0; one page at a time is the floor. */
	batch = max(1, zone_batchsize(zone));
	high = zone_highsize(zone, batch);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct per_cpu_pages *pcp = zone_pcp(zone, cpu);

		WRITE_ONCE(pcp->batch, batch);
		WRITE_ONCE(pcp->high, high);
	}
}

/* Take @count blocks of @order from the buddy lists onto @list. */
static int rmqueue_bulk(struct zone *zone, unsigned int order, int count,
			struct list_head *list, int mt, unsigned int alloc_flags)
{
	unsigned long flags;
	int i;

	zone_lock_irqsave(zone, flags);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(zone, order, mt, alloc_flags);

		if (unlikely(!page))
			break;
		page->private = order;
		SetPageFlag(page, PG_pcp);
		/* In order, so the first pages handed out are physically adjacent. */
		list_add_tail(&page->lru, list);
	}
	zone_stat_add(zone, NR_FREE_PAGES, -((long)i << order));
	spin_unlock_irqrestore(&zone->lock, flags);
	return i;
}

/*
 * Return @count pages from @pcp to the buddy lists, round-robin over the
 * lists starting after @pindex (so the list just freed to goes first) and
 * oldest pages first, which are the coldest in the cache.
 */
static void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp,
			       unsigned int pindex)
{
	unsigned long flags;

	count = min(pcp->count, count);
	pindex = pindex ? pindex - 1 : NR_PCP_LISTS - 1;

	zone_lock_irqsave(zone, flags);
	while (count > 0) {
		struct list_head *list;
		unsigned int order;

		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (list_empty(list));

		order = pindex_to_order(pindex);
		do {
			struct page *page = list_last_entry(list, struct page, lru);
			int mt = (int)page->index;
			unsigned long pfn = page_to_pfn(page);

			list_del(&page->lru);
			ClearPageFlag(page, PG_pcp);
			count -= 1 << order;
			pcp->count -= 1 << order;
			/* A block isolated meanwhile must not take pages back to free lists. */
			if (unlikely(get_pfnblock_migratetype(zone, pfn) == MIGRATE_ISOLATE))
				mt = MIGRATE_ISOLATE;
			__free_one_page(page, pfn, zone, order, mt, false);
		} while (count > 0 && !list_empty(list));
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

struct page *rmqueue_pcplist(struct zone *preferred, struct zone *zone,
			     unsigned int order, int mt, unsigned int alloc_flags,
			     unsigned int cpu)
{
	struct per_cpu_pages *pcp = zone_pcp(zone, cpu);
	struct list_head *list;
	struct page *page;

	if (unlikely(!cpu_lock_trylock(&pcp->lock)))
		return NULL;
	/* Allocating again: stop escalating the free batch size. */
	pcp->free_factor >>= 1;
	list = &pcp->lists[order_to_pindex(mt, order)];
	if (likely(!list_empty(list))) {
		pcp->alloc_hits++;
	} else {
		int batch = READ_ONCE(pcp->batch), got;

		pcp->alloc_refills++;
		/* Scale high-order refills down, but always take a couple. */
		if (order)
			batch = max(batch >> order, 2);
		got = rmqueue_bulk(zone, order, batch, list, mt, alloc_flags);
		pcp->count += got << order;
		if (unlikely(list_empty(list))) {
			cpu_lock_unlock(&pcp->lock);
			return NULL;
		}
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	ClearPageFlag(page, PG_pcp);
	pcp->count -= 1 << order;
	cpu_lock_unlock(&pcp->lock);
	return page;
}

/*
 * How many pages to free once the list is over high: a batch, doubled
 * for each consecutive free without an allocation in between, but always
 * leaving a batch on the list.
 */
static int nr_pcp_free(struct per_cpu_pages *pcp, int high, int batch)
{
	int min_nr_free = batch, max_nr_free = high - batch;

	if (unlikely(high < batch))
		return 1;
	batch <<= pcp->free_factor;
	if (batch < max_nr_free)
		pcp->free_factor++;
	return clamp(batch, min_nr_free, max_nr_free);
}

bool free_unref_page(struct page *page, unsigned int order, unsigned int cpu)
{
	struct zone *zone = page_zone(page);
	struct per_cpu_pages *pcp = zone_pcp(zone, cpu);
	int block_mt = get_pfnblock_migratetype(zone, page_to_pfn(page));
	int mt = block_mt;
	unsigned int pindex;
	int high;

	/*
	 * Isolated blocks are not cached.  HighAtomic pages are cached on the
	 * Movable list but remember their type, so that they return to the
	 * reserve when the list is drained.
	 */
	if (unlikely(mt >= MIGRATE_PCPTYPES)) {
		if (mt == MIGRATE_ISOLATE)
			return false;
		mt = MIGRATE_MOVABLE;
	}
	if (unlikely(!cpu_lock_trylock(&pcp->lock)))
		return false;
	pindex = order_to_pindex(mt, order);
	page->private = order;
	page->index = (unsigned long)block_mt;
	SetPageFlag(page, PG_pcp);
	list_add(&page->lru, &pcp->lists[pindex]);
	pcp->count += 1 << order;
	high = READ_ONCE(pcp->high);
	if (pcp->count >= high)
		free_pcppages_bulk(zone, high ? nr_pcp_free(pcp, high, READ_ONCE(pcp->batch)) :
					       pcp->count, pcp, pindex);
	cpu_lock_unlock(&pcp->lock);
	return true;
}

void drain_local_pages(struct zone *zone)
{
	unsigned int cpu = platform_cpu_id();
	struct zone *z;

	for_each_zone(z) {
		struct per_cpu_pages *pcp;

		if ((zone && z != zone) || !managed_zone(z))
			continue;
		pcp = zone_pcp(z, cpu);
		cpu_lock_remote(&pcp->lock);
		if (pcp->count)
			free_pcppages_bulk(z, pcp->count, pcp, 0);
		cpu_lock_remote_unlock(&pcp->lock);
	}
}

void drain_all_pages(struct zone *zone)
{
	struct zone *z;

	for_each_zone(z) {
		if ((zone && z != zone) || !managed_zone(z))
			continue;
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
			struct per_cpu_pages *pcp = zone_pcp(z, cpu);

			cpu_lock_remote(&pcp->lock);
			if (pcp->count)
				free_pcppages_bulk(z, pcp->count, pcp, 0);
			cpu_lock_remote_unlock(&pcp->lock);
		}
	}
}
