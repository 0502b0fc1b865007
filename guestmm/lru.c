// SPDX-License-Identifier: MIT
/*
 * The LRU lists themselves: which list a page belongs on, adding and
 * removing it, and the counters /proc/vmstat and /proc/meminfo show
 * (nr_{in,}active_{anon,file} per node and per zone).  Scanning them is
 * vmscan.c's business.
 *
 * Page flags that reclaim, compaction and the LRU share are changed with
 * atomic operations: compaction sets PG_isolated without the lru_lock.
 */
#include "internal.h"
#include <guestmm/vmscan.h>

static inline struct lruvec *page_lruvec(const struct page *page)
{
	return &NODE_DATA(page_to_nid(page))->__lruvec;
}

static inline enum lru_list page_lru(const struct page *page)
{
	enum lru_list lru = PageFlag(page, PG_swapbacked) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;

	return PageFlag(page, PG_active) ? lru + 1 : lru;
}

/* The LRU lists mirror the node and zone counters: same order. */
_Static_assert(NR_INACTIVE_ANON + LRU_UNEVICTABLE == NR_UNEVICTABLE, "lru vs node stats");
_Static_assert(NR_ZONE_INACTIVE_ANON + LRU_UNEVICTABLE == NR_ZONE_UNEVICTABLE, "lru vs zone stats");

static void update_lru_size(struct page *page, enum lru_list lru, long nr)
{
	struct zone *zone = page_zone(page);

	mod_node_page_state(zone->zone_pgdat, (enum node_stat_item)(NR_INACTIVE_ANON + lru), nr);
	mod_zone_page_state(zone, (enum zone_stat_item)(NR_ZONE_INACTIVE_ANON + lru), nr);
}

void lru_init(void)
{
	int nid;

	for_each_online_node(nid) {
		struct lruvec *lruvec = &NODE_DATA(nid)->__lruvec;

		spin_lock_init(&lruvec->lru_lock);
		for (int lru = 0; lru < NR_LRU_LISTS; lru++)
			INIT_LIST_HEAD(&lruvec->lists[lru]);
	}
}

unsigned long lruvec_size(const struct lruvec *lruvec, enum lru_list lru)
{
	const struct pglist_data *pgdat = container_of(lruvec, struct pglist_data, __lruvec);

	return (unsigned long)node_page_state(pgdat, (enum node_stat_item)(NR_INACTIVE_ANON + lru));
}

void lru_add_page(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	enum lru_list lru = page_lru(page);
	unsigned long flags;

	spin_lock_irqsave(&lruvec->lru_lock, flags);
	__atomic_fetch_or(&page->flags, BIT(PG_lru), __ATOMIC_RELAXED);
	list_add(&page->lru, &lruvec->lists[lru]);
	update_lru_size(page, lru, 1);
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
}

void lru_del_page(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;

	/*
	 * A clear PG_lru stays clear while the caller holds the owner's
	 * lock (see vmscan.h): reclaim's isolation, which took the page off
	 * already, need not pay for the lru_lock a second time.
	 */
	if (!(__atomic_load_n(&page->flags, __ATOMIC_RELAXED) & BIT(PG_lru)))
		return;
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	if (PageFlag(page, PG_lru)) {
		list_del(&page->lru);
		__atomic_fetch_and(&page->flags, ~BIT(PG_lru), __ATOMIC_RELAXED);
		update_lru_size(page, page_lru(page), -1);
	}
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
}

unsigned long isolate_lru_pages(struct lruvec *lruvec, enum lru_list lru, unsigned long nr,
				struct list_head *dst, unsigned long *nr_taken)
{
	struct list_head *src = &lruvec->lists[lru];
	unsigned long scanned = 0, taken = 0, flags;

	spin_lock_irqsave(&lruvec->lru_lock, flags);
	while (scanned < nr && !list_empty(src)) {
		struct page *page = list_last_entry(src, struct page, lru);

		scanned++;
		if (__atomic_fetch_or(&page->flags, BIT(PG_isolated), __ATOMIC_ACQ_REL) &
		    BIT(PG_isolated)) {
			/* Compaction is taking it: it will come off the list soon. */
			list_move(&page->lru, src);
			continue;
		}
		/* A page on the LRU is mapped, so it has its mapping's reference. */
		get_page(page);
		__atomic_fetch_and(&page->flags, ~BIT(PG_lru), __ATOMIC_RELAXED);
		list_move(&page->lru, dst);
		update_lru_size(page, lru, -1);
		taken++;
	}
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
	*nr_taken = taken;
	return scanned;
}
