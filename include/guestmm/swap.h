/* SPDX-License-Identifier: MIT */
/*
 * Swap: where reclaim puts anonymous pages it takes away, as Linux's
 * mm/swapfile.c keeps a swap area.
 *
 *   swap_info (one area, type 0, on the platform's swap device)
 *     swap_map[slot]      one byte per slot: how many PTEs hold the slot
 *                         (0 free, 1 for our private pages) | SWAP_HAS_CACHE
 *                         while a page is being written out or read in
 *     shadow[slot]        what workingset.c recorded at eviction
 *     cluster_info[]      256-slot clusters: use count, free-cluster list;
 *                         each CPU allocates runs from its own cluster so
 *                         one reclaim batch becomes one sequential write
 *
 * SWAP_HAS_CACHE is the per-slot lock of the swap cache: whoever holds
 * it (swap-out during writeback, swap-in during the read) keeps the slot
 * from being freed and reused under the I/O.  A PTE that holds a swap
 * entry holds one count; zapping the PTE or swapping the page in drops it.
 */
#ifndef GUESTMM_SWAP_H
#define GUESTMM_SWAP_H

#include <guestmm/compiler.h>
#include <guestmm/fault.h>
#include <guestmm/list.h>
#include <guestmm/pte.h>
#include <guestmm/seq_buf.h>

#define SWAPFILE_CLUSTER	256
#define SWAP_HAS_CACHE		0x40	/* a page is in flight for this slot */
#define SWAP_MAP_MAX		0x3e	/* counts above this are not kept */
#define SWAP_BATCH		32	/* pages per swap-out write (SWAP_CLUSTER_MAX) */

/* vm.swappiness, 0..200 (default 60): reclaim's preference for anon over cache. */
extern int vm_swappiness;

/*
 * Take the platform's swap area @type into use (swapon).  0, -ENODEV if
 * the platform has none, -EBUSY if one is on, -ENOMEM for the maps.
 * Areas larger than one map block can index are used up to that size.
 */
int swapon(unsigned int type);

/* Free and total swap slots (SwapFree, SwapTotal), in pages. */
unsigned long nr_swap_pages(void);
unsigned long total_swap_pages(void);

/* /proc/swaps. */
void report_swaps(struct seq_buf *s);

/* --- guestmm internal: the owners of swap entries ------------------------ */

/*
 * Up to @want consecutive free slots of one cluster, each with count 1
 * and SWAP_HAS_CACHE.  Returns how many (0: the area is full or absent),
 * the first in *slot and the area in *type.
 */
unsigned int swap_alloc_run(unsigned int want, unsigned int *type, unsigned long *slot);

/* A PTE holding @entry is gone: drop its count (the slot frees at 0). */
void swap_free_entry(pte_t entry);

/*
 * Take SWAP_HAS_CACHE of a slot to read it in: 0, -EAGAIN if somebody
 * else holds it (wait and look again), -ENOENT if the slot is free.
 */
int swapcache_prepare(pte_t entry);

/* Give SWAP_HAS_CACHE back; the slot frees if no PTE holds it. */
void swapcache_clear(unsigned int type, unsigned long slot);
/* swapcache_clear() for @nr consecutive slots, under one lock hold. */
void swapcache_clear_run(unsigned int type, unsigned long slot, unsigned int nr);

/*
 * Write isolated anonymous pages (claimed from the LRU, linked through
 * page->lru) to swap and free them.  Pages that stay (swap full, I/O
 * error, unmapped meanwhile) go to @keep for putback_movable_pages().
 * Returns pages freed; *@write_error says whether the device failed a
 * write.  (swap_anon.c)
 */
unsigned long swap_out_pages(struct list_head *pages, struct list_head *keep, bool *write_error);

/* The fault on a swap entry in @mm's PTE for @va; @prot for the new PTE. */
struct mm_anon;
enum mm_fault_result swapin_anon_page(struct mm_anon *mm, unsigned long va, pte_t entry,
				      uint64_t prot);

/* Workingset shadows: set at eviction, taken (and cleared) at refault. */
void swap_set_shadow(unsigned int type, unsigned long slot, uint32_t shadow);
uint32_t swap_take_shadow(unsigned int type, unsigned long slot);

#endif
