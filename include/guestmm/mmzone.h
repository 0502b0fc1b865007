/* SPDX-License-Identifier: MIT */
/*
 * Nodes, zones, free areas and per-CPU page lists: the data structures of
 * the page allocator.  Layout and names follow Linux's mmzone.h so that
 * /proc/zoneinfo reads the same.
 *
 *   pglist_data (one per NUMA node)
 *     node_zones[DMA, DMA32, Normal, Movable]
 *       free_area[order 0..10]
 *         free_list[migratetype]   -> struct page (head of a free block)
 *       per_cpu_pageset[cpu]
 *         lists[order 0..3 x migratetype]  -> struct page
 *       _watermark[min, low, high], lowmem_reserve[]
 *     node_zonelists[FALLBACK]    all zones of all nodes, nearest node first
 *     node_zonelists[NOFALLBACK]  this node's zones only (__GFP_THISNODE)
 */
#ifndef GUESTMM_MMZONE_H
#define GUESTMM_MMZONE_H

#include <guestmm/compiler.h>
#include <guestmm/cpulock.h>
#include <guestmm/gfp.h>
#include <guestmm/list.h>
#include <guestmm/page.h>
#include <guestmm/spinlock.h>
#include <guestmm/vmstat.h>

#define MAX_NUMNODES	8
#define NR_CPUS		16

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,	/* the number of types on the per-CPU lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,	/* can't allocate from here */
	MIGRATE_TYPES
};

extern const char *const migratetype_names[MIGRATE_TYPES];

static inline bool is_migrate_movable(int mt)
{
	return mt == MIGRATE_MOVABLE;
}

/* Free blocks of these types may merge across pageblocks. */
static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

enum zone_type {
	ZONE_DMA,	/* [0, 16 MiB) */
	ZONE_DMA32,	/* [16 MiB, 4 GiB) */
	ZONE_NORMAL,	/* [4 GiB, ...) */
	ZONE_MOVABLE,	/* kept empty, as on a Linux without movablecore= */
	MAX_NR_ZONES
};

extern const char *const zone_names[MAX_NR_ZONES];

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;		/* blocks of this order, all types */
};

/* Per-CPU lists hold orders 0..PAGE_ALLOC_COSTLY_ORDER of each pcp type. */
#define NR_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))

struct per_cpu_pages {
	struct cpu_lock lock;	/* the owner CPU, or a drain from elsewhere */
	int count;		/* pages on all lists */
	int high;		/* above this, free a batch back to the buddy */
	int batch;		/* chunk size for buddy refill and free */
	short free_factor;	/* batch scaling when freeing without allocating */
	/* Allocations served from the lists as they were, and those that refilled them first. */
	unsigned long alloc_hits, alloc_refills;
	struct list_head lists[NR_PCP_LISTS];
	/* This CPU's share of the zone's NUMA events, summed on read. */
	unsigned long numa_event[NR_VM_NUMA_EVENT_ITEMS];
} __cacheline_aligned;

/*
 * LRU lists, one set per node (Linux's lruvec): pages in use that reclaim
 * may take back, oldest at the tail.  Anonymous pages go to swap; the
 * file class holds clean cache pages that can simply be dropped;
 * unevictable pages are never scanned.  lru.c keeps them, vmscan.c
 * scans them, workingset.c ages them.
 */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

struct lruvec {
	spinlock_t lru_lock;			/* the lists; innermost lock */
	struct list_head lists[NR_LRU_LISTS];
	/* Evictions and activations so far: the clock refault distances use. */
	unsigned long nonresident_age;
	/* Recent reclaim cost per class (anon, file): swappiness balances on it. */
	unsigned long anon_cost, file_cost;
};

enum zone_flags {
	ZONE_BOOSTED_WATERMARK,	/* a fragmenting fallback boosted the watermark */
};

struct pglist_data;

struct zone {
	/* Read-mostly: the fast path reads these for every allocation. */
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	unsigned long nr_reserved_highatomic;
	/*
	 * Pages this zone keeps back from allocations that could have been
	 * served by a higher zone (index: the allocation's highest zone).
	 */
	long lowmem_reserve[MAX_NR_ZONES];
	int node;
	enum zone_type idx;
	struct pglist_data *zone_pgdat;
	struct per_cpu_pages *per_cpu_pageset;	/* [nr_cpus] */
	/*
	 * One byte per pageblock: migratetype in bits 0-2, the compaction
	 * skip bit in bit 3.  Bytes, not packed words, so that setting one
	 * block's bits never races with a neighbour's.
	 */
	uint8_t *pageblock_flags;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;	/* end_pfn - start_pfn, holes included */
	unsigned long present_pages;	/* RAM pages in the span */
	unsigned long managed_pages;	/* present minus reserved */
	const char *name;

	/* Written often: under the zone lock. */
	spinlock_t lock __cacheline_aligned;
	/*
	 * Times the allocation and free paths (zone_lock_irqsave) found the
	 * lock taken by another CPU: the contention the per-CPU lists exist
	 * to avoid, which the SMP benchmark reports.
	 */
	unsigned long lock_contended;
	struct free_area free_area[NR_PAGE_ORDERS];
	unsigned long flags;		/* enum zone_flags bits */

	/*
	 * Compaction (compaction.c): where the migrate scanner (one position
	 * for async, one for sync) and the free scanner resume, and the
	 * deferral state that backs off after failures.
	 */
	unsigned long compact_cached_free_pfn;
	unsigned long compact_cached_migrate_pfn[2];
	unsigned int compact_considered;	/* attempts skipped since the last failure */
	unsigned int compact_defer_shift;	/* skip up to 1 << shift attempts */
	int compact_order_failed;		/* lowest order that failed */
	bool compact_blockskip_flush;		/* the scanners met: clear skip bits */

	long vm_stat[NR_VM_ZONE_STAT_ITEMS] __cacheline_aligned;	/* atomic */
};

/* The zone lock on the allocation and free paths, counting contention. */
#define zone_lock_irqsave(zone, flags)					\
	do {								\
		(flags) = platform_irq_save();				\
		if (unlikely(!spin_trylock(&(zone)->lock))) {		\
			spin_lock(&(zone)->lock);			\
			(zone)->lock_contended++;			\
		}							\
	} while (0)

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *z, unsigned long pfn)
{
	return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

static inline bool managed_zone(const struct zone *z)
{
	return z->managed_pages != 0;
}

static inline unsigned long wmark_pages(const struct zone *z, enum zone_watermarks w)
{
	return z->_watermark[w] + z->watermark_boost;
}

#define min_wmark_pages(z)	wmark_pages(z, WMARK_MIN)
#define low_wmark_pages(z)	wmark_pages(z, WMARK_LOW)
#define high_wmark_pages(z)	wmark_pages(z, WMARK_HIGH)

/* A zonelist: zones to try in order, NULL-terminated. */
struct zoneref {
	struct zone *zone;
	int zone_idx;
};

enum {
	ZONELIST_FALLBACK,	/* every node, nearest first */
	ZONELIST_NOFALLBACK,	/* this node only, for __GFP_THISNODE */
	MAX_ZONELISTS
};

#define MAX_ZONES_PER_ZONELIST	(MAX_NUMNODES * MAX_NR_ZONES)

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	int nr_zones;			/* highest populated zone + 1 */
	int node_id;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;

	/* kswapd: the order and zone the last waker wanted. */
	int kswapd_order;
	enum zone_type kswapd_highest_zoneidx;
	int kswapd_failures;		/* fruitless reclaim passes */
	unsigned long kswapd_wakeups;
	struct platform_thread *kswapd;	/* kswapd.c */
	struct platform_event *kswapd_wait;
	bool kswapd_sleeping;		/* in its full sleep: the node is balanced */

	struct lruvec __lruvec;		/* lru.c */

	/* kcompactd (kcompactd.c): the order and zone it was woken for. */
	int kcompactd_max_order;
	enum zone_type kcompactd_highest_zoneidx;
	struct platform_thread *kcompactd;
	struct platform_event *kcompactd_wait;

	long vm_stat[NR_VM_NODE_STAT_ITEMS] __cacheline_aligned;	/* atomic */
};

extern struct pglist_data node_data[MAX_NUMNODES];
extern int nr_online_nodes;
extern unsigned int nr_cpu_ids;

#define NODE_DATA(nid)	(&node_data[nid])

static inline struct zone *page_zone(const struct page *page)
{
	return &node_data[page_to_nid(page)].node_zones[page_zonenum(page)];
}

static inline int zone_to_nid(const struct zone *z)
{
	return z->node;
}

#define for_each_online_node(nid) for (nid = 0; nid < nr_online_nodes; nid++)

#define for_each_zone_in_node(z, pgdat) \
	for (z = (pgdat)->node_zones; z < (pgdat)->node_zones + MAX_NR_ZONES; z++)

/* The zone after @z: the next in its node, then the next node's first. */
static inline struct zone *next_zone(struct zone *z)
{
	struct pglist_data *pgdat = z->zone_pgdat;

	if (z < pgdat->node_zones + MAX_NR_ZONES - 1)
		return z + 1;
	if (pgdat->node_id + 1 < nr_online_nodes)
		return node_data[pgdat->node_id + 1].node_zones;
	return NULL;
}

/* Every zone of every online node, populated or not. */
#define for_each_zone(z) \
	for (z = node_data[0].node_zones; z; z = next_zone(z))

#define for_each_populated_zone(z) \
	for_each_zone(z) if (!populated_zone(z)) ; else

#endif
