/* SPDX-License-Identifier: MIT */
/*
 * Page reclaim: the LRU lists, kswapd and direct reclaim, as Linux's
 * mm/vmscan.c and mm/swap.c do them.
 *
 * Every anonymous page in use is on its node's LRU (struct lruvec in
 * mmzone.h), on the inactive list first.  Reclaim scans the inactive
 * tail: a page whose accessed bit was set since the last look gets a
 * second chance (referenced once: rotate; twice: activate), an unused
 * one is written to swap and freed.  The active list is aged into the
 * inactive one while the inactive list is too small (inactive_is_low:
 * inactive * int_sqrt(10 * GiB) < active).  swappiness balances anon
 * against the file (cache) class by the recent cost of reclaiming each.
 * A page that comes back from swap sooner than the workingset could
 * hold it (refault distance, workingset.c) goes straight to the active
 * list.
 *
 * Ownership of page->lru: on an LRU list while PG_lru; an isolated page
 * (PG_isolated, by reclaim or compaction) belongs to its isolator.  Lock
 * order: movable_mapping_lock -> mm_anon.lock -> lru_lock.
 */
#ifndef GUESTMM_VMSCAN_H
#define GUESTMM_VMSCAN_H

#include <guestmm/mmzone.h>
#include <guestmm/seq_buf.h>

#define SWAP_CLUSTER_MAX	32UL
#define MAX_RECLAIM_RETRIES	16	/* kswapd's fruitless passes before hopeless */

/* --- LRU lists (lru.c) ---------------------------------------------------- */

void lru_init(void);				/* mm_init() */

/*
 * Put a page in use on its node's LRU: active if PG_active, else
 * inactive.  The caller holds the owner's lock (the mm's for anonymous
 * pages), so a page goes on a list only under it.
 */
void lru_add_page(struct page *page);
/* Take it off if it is on one (compaction isolating, unmapping); the owner's lock held. */
void lru_del_page(struct page *page);

unsigned long lruvec_size(const struct lruvec *lruvec, enum lru_list lru);

/*
 * Take up to @nr pages from the tail of @lru onto @dst for reclaim: each
 * gets PG_isolated (compaction leaves it alone) and a reference; their
 * owners have not claimed them yet.  Pages compaction is isolating are
 * rotated past.  Returns pages scanned, *nr_taken those taken.
 */
unsigned long isolate_lru_pages(struct lruvec *lruvec, enum lru_list lru, unsigned long nr,
				struct list_head *dst, unsigned long *nr_taken);

/*
 * Test and clear the accessed bit of a page reclaim has isolated and its
 * owner claimed (swap_anon.c: through the reverse map).
 */
bool page_referenced(struct page *page);

/* --- Workingset (workingset.c) --------------------------------------------- */

/*
 * The shadow of an evicted page: its node and the node's nonresident
 * age at eviction (never 0).  At refault, the distance (age now - age
 * then) is how many evictions and activations happened meanwhile: if
 * the workingset could have held the page over that distance, it was
 * evicted too early and goes straight to the active list.
 */
uint32_t workingset_eviction(struct page *page);
void workingset_refault(struct page *page, uint32_t shadow);
/* Reclaim activated a page: the clock ticks. */
void workingset_activation(struct page *page);

/* --- Reclaim (vmscan.c) ---------------------------------------------------- */

/*
 * Reclaim up to @nr_pages from every node as hard as it takes (Linux's
 * shrink_all_memory, for hibernation; here for benchmarks and the
 * balloon).  Returns pages freed.
 */
unsigned long shrink_all_memory(unsigned long nr_pages);

/* --- kswapd (kswapd.c) ----------------------------------------------------- */

/*
 * One kernel thread per node, started by the platform once the
 * allocator is up (like kcompactd_run), stopped by tests and shutdown.
 */
int kswapd_run(int nid);
void kswapd_stop(int nid);

/* Is node @nid's kswapd in its full sleep (the node was balanced)? */
bool kswapd_is_sleeping(int nid);

#endif
