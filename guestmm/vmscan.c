// SPDX-License-Identifier: MIT
/*
 * Page reclaim, as Linux's mm/vmscan.c: scanning the LRU lists (the
 * rules are in include/guestmm/vmscan.h), shrinking the slab caches, and
 * the two callers: kswapd (kswapd.c) and direct reclaim from the
 * allocator's slow path.
 *
 *   try_to_free_pages / balance_pgdat
 *     shrink_node                       per node, at a priority 12..0
 *       shrink_lruvec                   get_scan_count: how much of each list
 *         shrink_inactive_list          second chance, swap out the rest
 *         shrink_active_list            age into the inactive list
 *       shrink_slab                     the shrinkers (slab.c's caches)
 *
 * A page taken from the LRU is isolated as compaction isolates it: with
 * PG_isolated, a reference and its owner's claim (the mm held), so the
 * same putback returns it to its list.
 */
#include "internal.h"
#include <guestmm/migrate.h>
#include <guestmm/psi.h>
#include <guestmm/shrinker.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>
#include "vmscan_internal.h"

/* Isolate from @lru and let the owners claim the pages; returns pages scanned. */
static unsigned long isolate_and_claim(struct lruvec *lruvec, enum lru_list lru,
				       unsigned long nr, struct list_head *dst)
{
	struct list_head taken = LIST_HEAD_INIT(taken), refused = LIST_HEAD_INIT(refused);
	unsigned long scanned, nr_taken, flags;
	struct page *page, *next;

	/* Held from isolation to claim: no owner can be freed in between. */
	flags = movable_mapping_lock();
	scanned = isolate_lru_pages(lruvec, lru, nr, &taken, &nr_taken);
	list_for_each_entry_safe(page, next, &taken, lru) {
		struct movable_mapping *m = page_movable_mapping(page);

		if (m && m->ops->isolate_page(page, MIGRATE_SYNC_LIGHT))
			list_move_tail(&page->lru, dst);
		else
			list_move_tail(&page->lru, &refused);	/* unmapped meanwhile */
	}
	movable_mapping_unlock(flags);

	list_for_each_entry_safe(page, next, &refused, lru) {
		list_del(&page->lru);
		__atomic_fetch_and(&page->flags, ~BIT(PG_isolated), __ATOMIC_RELEASE);
		__free_pages(page, 0);
	}
	return scanned;
}

static bool test_and_clear_flag(struct page *page, enum pageflags f)
{
	return __atomic_fetch_and(&page->flags, ~BIT(f), __ATOMIC_RELAXED) & BIT(f);
}

static void set_flag(struct page *page, enum pageflags f)
{
	__atomic_fetch_or(&page->flags, BIT(f), __ATOMIC_RELAXED);
}

static unsigned long shrink_inactive_list(unsigned long nr_to_scan, struct lruvec *lruvec,
					  struct scan_control *sc, enum lru_list lru)
{
	struct list_head pages = LIST_HEAD_INIT(pages), keep = LIST_HEAD_INIT(keep);
	struct list_head evict = LIST_HEAD_INIT(evict);
	unsigned long scanned, reclaimed, activated = 0;
	struct page *page, *next;
	bool write_error;

	scanned = isolate_and_claim(lruvec, lru, nr_to_scan, &pages);
	sc->nr_scanned += scanned;
	count_vm_events(sc->is_kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, scanned);
	count_vm_events(PGSCAN_ANON, scanned);

	list_for_each_entry_safe(page, next, &pages, lru) {
		/*
		 * Linux's folio_check_references(): every mapped page starts
		 * with an accessed bit from its fault, so one use since the
		 * last look rotates it (PG_referenced) and a second activates.
		 */
		bool referenced_ptes = page_referenced(page);
		bool referenced_page = test_and_clear_flag(page, PG_referenced);

		if (referenced_ptes) {
			set_flag(page, PG_referenced);
			if (referenced_page) {
				set_flag(page, PG_active);
				workingset_activation(page);
				activated++;
			}
			list_move_tail(&page->lru, &keep);
		} else if (!sc->may_swap) {
			list_move_tail(&page->lru, &keep);
		} else {
			list_move_tail(&page->lru, &evict);
		}
	}
	reclaimed = swap_out_pages(&evict, &keep, &write_error);
	putback_movable_pages(&keep);
	/*
	 * The swap device failed a write (full, or failing): the rest of
	 * this reclaim call leaves anonymous pages alone.  Otherwise a full
	 * disk costs a failed write per 32 pages scanned, thousands before
	 * the allocation gives up; this way one per call (per priority for
	 * kswapd), and the slow path's retries still try again.
	 */
	if (write_error)
		sc->may_swap = false;

	count_vm_events(PGACTIVATE, activated);
	count_vm_events(sc->is_kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, reclaimed);
	count_vm_events(PGSTEAL_ANON, reclaimed);
	/* The cost of reclaiming anon: pages written, and pages that had to be kept. */
	__atomic_add_fetch(&lruvec->anon_cost, reclaimed + activated, __ATOMIC_RELAXED);
	return reclaimed;
}

static void shrink_active_list(unsigned long nr_to_scan, struct lruvec *lruvec,
			       struct scan_control *sc, enum lru_list lru)
{
	struct list_head pages = LIST_HEAD_INIT(pages);
	unsigned long scanned, deactivated = 0;
	struct page *page;

	scanned = isolate_and_claim(lruvec, lru, nr_to_scan, &pages);
	count_vm_events(PGREFILL, scanned);
	/*
	 * Anonymous pages are deactivated whether used or not (Linux keeps
	 * only executable file pages active); their accessed bits are
	 * cleared so the inactive list judges them by new use only.
	 */
	list_for_each_entry(page, &pages, lru) {
		page_referenced(page);
		__atomic_fetch_and(&page->flags, ~BIT(PG_active), __ATOMIC_RELAXED);
		deactivated++;
	}
	putback_movable_pages(&pages);
	count_vm_events(PGDEACTIVATE, deactivated);
}

/* Too few inactive pages for the active ones (Linux's inactive_is_low). */
static bool inactive_is_low(struct lruvec *lruvec, enum lru_list inactive_lru)
{
	unsigned long inactive = lruvec_size(lruvec, inactive_lru);
	unsigned long active = lruvec_size(lruvec, inactive_lru + 1);
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long inactive_ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * inactive_ratio < active;
}

/*
 * How much of each anon list to scan at this priority: size >> priority,
 * the anon share set by swappiness against the cache class weighted by
 * what reclaiming each cost recently (Linux's get_scan_count, SCAN_FRACT).
 */
static void get_scan_count(struct lruvec *lruvec, struct scan_control *sc, unsigned long *nr)
{
	unsigned long file = lruvec_size(lruvec, LRU_INACTIVE_FILE) +
			     lruvec_size(lruvec, LRU_ACTIVE_FILE);
	unsigned long anon_cost = READ_ONCE(lruvec->anon_cost);
	unsigned long file_cost = READ_ONCE(lruvec->file_cost);
	unsigned long total_cost = anon_cost + file_cost;
	unsigned long ap = 1, fp = 0;
	int swappiness = READ_ONCE(vm_swappiness);

	if (!sc->may_swap || !swappiness) {
		ap = 0;
		fp = 1;
	} else if (file) {
		ap = (unsigned long)swappiness * (total_cost + 1) / (anon_cost + 1);
		fp = (unsigned long)(200 - swappiness) * (total_cost + 1) / (file_cost + 1);
	}
	for (int lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_ANON; lru++) {
		unsigned long scan = lruvec_size(lruvec, lru) >> sc->priority;

		nr[lru] = ap ? scan * ap / (ap + fp) : 0;
	}
	/* Old costs count less: halve them once they outweigh a quarter of the lists. */
	if (total_cost > (file + lruvec_size(lruvec, LRU_INACTIVE_ANON) +
			  lruvec_size(lruvec, LRU_ACTIVE_ANON)) / 4) {
		WRITE_ONCE(lruvec->anon_cost, anon_cost / 2);
		WRITE_ONCE(lruvec->file_cost, file_cost / 2);
	}
}

static void shrink_lruvec(struct lruvec *lruvec, struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS] = { 0 }, rounds = 0;

	get_scan_count(lruvec, sc, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_ANON]) {
		for (int lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_ANON; lru++) {
			unsigned long n = min(nr[lru], SWAP_CLUSTER_MAX);

			if (!n)
				continue;
			nr[lru] -= n;
			if (lru == LRU_INACTIVE_ANON)
				sc->nr_reclaimed += shrink_inactive_list(n, lruvec, sc, lru);
			else if (inactive_is_low(lruvec, LRU_INACTIVE_ANON))
				shrink_active_list(n, lruvec, sc, lru);
		}
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
		/* cond_resched(), not too often: on the hosted platform it is a syscall. */
		if ((++rounds & 31) == 0)
			platform_yield();
	}
	/* Keep the anon lists balanced even when nothing was evicted. */
	if (sc->may_swap && inactive_is_low(lruvec, LRU_INACTIVE_ANON))
		shrink_active_list(SWAP_CLUSTER_MAX, lruvec, sc, LRU_ACTIVE_ANON);
}

void shrink_node(struct pglist_data *pgdat, struct scan_control *sc)
{
	unsigned long reclaimed = sc->nr_reclaimed;
	long slab_before, slab_after;

	shrink_lruvec(&pgdat->__lruvec, sc);

	/* Slab pages the shrinkers gave back count as reclaimed (reclaim_state). */
	slab_before = node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B);
	shrink_slab(sc->gfp_mask, pgdat->node_id, sc->priority);
	slab_after = node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B);
	if (slab_before > slab_after)
		sc->nr_reclaimed += (unsigned long)(slab_before - slab_after) >> PAGE_SHIFT;

	/* Any progress, by anyone, makes kswapd worth waking again. */
	if (sc->nr_reclaimed > reclaimed)
		WRITE_ONCE(pgdat->kswapd_failures, 0);
}

/*
 * Pages reclaim could free in @zone.  Unlike Linux, the node's
 * reclaimable slab counts too (in each of its zones): here the shrinkable
 * caches are the cache class that matters, and an allocation must not go
 * to the OOM killer while they still hold memory.  Overcounting costs only
 * retries, which stop after MAX_RECLAIM_RETRIES rounds without progress.
 */
unsigned long zone_reclaimable_pages(const struct zone *zone)
{
	unsigned long nr = (unsigned long)(zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
					   zone_page_state(zone, NR_ZONE_ACTIVE_FILE));

	nr += (unsigned long)node_stat_pages(zone->zone_pgdat, NR_SLAB_RECLAIMABLE_B);

	/* Anonymous pages count only where there is swap to put them in. */
	if (nr_swap_pages() > 0)
		nr += (unsigned long)(zone_page_state(zone, NR_ZONE_INACTIVE_ANON) +
				      zone_page_state(zone, NR_ZONE_ACTIVE_ANON));
	return nr;
}

/* Each node of the zonelist once per priority, until enough is reclaimed. */
static unsigned long do_try_to_free_pages(struct zonelist *zonelist, const nodemask_t *nodemask,
					  struct scan_control *sc)
{
	do {
		unsigned long done = 0;
		struct zoneref *z;
		struct zone *zone;

		for_each_zone_zonelist_nodemask(zone, z, zonelist, sc->reclaim_idx, nodemask) {
			if (!managed_zone(zone) || (done & BIT(zone->node)))
				continue;
			done |= BIT(zone->node);
			shrink_node(zone->zone_pgdat, sc);
			if (sc->nr_reclaimed >= sc->nr_to_reclaim)
				return sc->nr_reclaimed;
		}
	} while (--sc->priority >= 0);
	return sc->nr_reclaimed;
}

unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp,
				const nodemask_t *nodemask, enum zone_type highest_zoneidx)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = gfp,
		.order = order,
		.priority = DEF_PRIORITY,
		.reclaim_idx = highest_zoneidx,
		.may_swap = nr_swap_pages() > 0,
	};
	unsigned long stall, reclaimed;

	count_vm_event((enum vm_event_item)(ALLOCSTALL_DMA + highest_zoneidx));
	psi_memstall_enter(&stall);
	reclaimed = do_try_to_free_pages(zonelist, nodemask, &sc);
	psi_memstall_leave(&stall);
	return reclaimed;
}

unsigned long shrink_all_memory(unsigned long nr_pages)
{
	struct scan_control sc = {
		.nr_to_reclaim = nr_pages,
		.gfp_mask = GFP_KERNEL,
		.priority = DEF_PRIORITY,
		.reclaim_idx = MAX_NR_ZONES - 1,
		.may_swap = nr_swap_pages() > 0,
	};

	return do_try_to_free_pages(node_zonelist(numa_node_id(), GFP_KERNEL), NULL, &sc);
}
