/* SPDX-License-Identifier: MIT */
/*
 * Memory statistics, named and ordered as Linux's /proc/vmstat names them.
 *
 * Three kinds, as in Linux: zone counters and node counters are states
 * (they go up and down and are kept exact), vm events only count up and
 * are per-CPU so the fast path pays a plain increment.
 */
#ifndef GUESTMM_VMSTAT_H
#define GUESTMM_VMSTAT_H

#include <guestmm/compiler.h>

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_BOUNCE,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS
};

enum numa_stat_item {
	NUMA_HIT,		/* allocated on the intended node */
	NUMA_MISS,		/* allocated here, intended elsewhere */
	NUMA_FOREIGN,		/* intended here, allocated elsewhere */
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,		/* allocated on the allocating CPU's node */
	NUMA_OTHER,
	NR_VM_NUMA_EVENT_ITEMS
};

enum node_stat_item {
	NR_INACTIVE_ANON,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_SLAB_RECLAIMABLE_B,
	NR_SLAB_UNRECLAIMABLE_B,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	WORKINGSET_NODES,
	WORKINGSET_REFAULT_ANON,
	WORKINGSET_REFAULT_FILE,
	WORKINGSET_ACTIVATE_ANON,
	WORKINGSET_ACTIVATE_FILE,
	WORKINGSET_RESTORE_ANON,
	WORKINGSET_RESTORE_FILE,
	WORKINGSET_NODERECLAIM,
	NR_ANON_MAPPED,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_SHMEM,
	NR_VMSCAN_WRITE,
	NR_VMSCAN_IMMEDIATE,
	NR_KERNEL_MISC_RECLAIMABLE,
	NR_KERNEL_STACK_KB,
	NR_PAGETABLE,
	NR_SWAPCACHE,
	NR_VM_NODE_STAT_ITEMS
};

enum vm_event_item {
	PGPGIN, PGPGOUT, PSWPIN, PSWPOUT,
	PGALLOC_DMA, PGALLOC_DMA32, PGALLOC_NORMAL, PGALLOC_MOVABLE,
	ALLOCSTALL_DMA, ALLOCSTALL_DMA32, ALLOCSTALL_NORMAL, ALLOCSTALL_MOVABLE,
	PGSKIP_DMA, PGSKIP_DMA32, PGSKIP_NORMAL, PGSKIP_MOVABLE,
	PGFREE, PGACTIVATE, PGDEACTIVATE, PGLAZYFREE,
	PGFAULT, PGMAJFAULT, PGLAZYFREED,
	PGREFILL, PGREUSE,
	PGSTEAL_KSWAPD, PGSTEAL_DIRECT,
	PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSCAN_DIRECT_THROTTLE,
	PGSCAN_ANON, PGSCAN_FILE, PGSTEAL_ANON, PGSTEAL_FILE,
	SLABS_SCANNED,
	KSWAPD_LOW_WMARK_HIT_QUICKLY, KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	PAGEOUTRUN, PGROTATED,
	DROP_PAGECACHE, DROP_SLAB,
	OOM_KILL,
	PGMIGRATE_SUCCESS, PGMIGRATE_FAIL,
	COMPACTMIGRATE_SCANNED, COMPACTFREE_SCANNED, COMPACTISOLATED,
	COMPACTSTALL, COMPACTFAIL, COMPACTSUCCESS,
	KCOMPACTD_WAKE, KCOMPACTD_MIGRATE_SCANNED, KCOMPACTD_FREE_SCANNED,
	BALLOON_INFLATE, BALLOON_DEFLATE, BALLOON_MIGRATE,
	SWAP_RA, SWAP_RA_HIT,
	PSWPOUT_FAIL, PSWPIN_FAIL,	/* pages not written out, reads that failed (swap_anon.c) */
	NR_VM_EVENT_ITEMS
};

extern const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS];
extern const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS];
extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

struct zone;
struct pglist_data;

/* Per-CPU event counters: a plain add on the owner CPU, summed on read. */
struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];
} __cacheline_aligned;

extern struct vm_event_state *vm_event_states;	/* [nr_cpu_ids] */

unsigned int platform_cpu_id(void);

static inline void __count_vm_events(enum vm_event_item item, unsigned long delta)
{
	vm_event_states[platform_cpu_id()].event[item] += delta;
}

static inline void count_vm_event(enum vm_event_item item)
{
	__count_vm_events(item, 1);
}

#define count_vm_events __count_vm_events

unsigned long sum_vm_event(enum vm_event_item item);

void mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta);
long zone_page_state(const struct zone *zone, enum zone_stat_item item);
void mod_node_page_state(struct pglist_data *pgdat, enum node_stat_item item, long delta);
long node_page_state(const struct pglist_data *pgdat, enum node_stat_item item);
unsigned long zone_numa_event_state(const struct zone *zone, enum numa_stat_item item);

/* System-wide sums over all zones / nodes. */
long global_zone_page_state(enum zone_stat_item item);
long global_node_page_state(enum node_stat_item item);

#endif
