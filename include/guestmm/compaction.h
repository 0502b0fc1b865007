/* SPDX-License-Identifier: MIT */
/*
 * Compaction: moving movable pages out of the way so that free memory
 * coalesces into high-order blocks.  The allocator's slow path compacts
 * directly (internal.h); this is the interface for everybody else: the
 * manual trigger, kcompactd and the tunables, as /proc/sys/vm has them.
 */
#ifndef GUESTMM_COMPACTION_H
#define GUESTMM_COMPACTION_H

#include <guestmm/mmzone.h>

/* vm.extfrag_threshold: compact costly orders only above this index (500). */
extern int sysctl_extfrag_threshold;

/*
 * vm.compaction_proactiveness, 0..100 (default 20): kcompactd compacts a
 * node in the background while its fragmentation score is above
 * 100 - proactiveness (+10 of hysteresis).  0 turns proactive
 * compaction off.
 */
extern unsigned int sysctl_compaction_proactiveness;
void set_compaction_proactiveness(unsigned int value);

/* Writing 1 to /proc/sys/vm/compact_memory: compact every zone fully. */
void compact_memory(void);
void compact_node(int nid);

/*
 * The fragmentation score of a node, 0..100: the share of its free
 * memory that is not in free pageblock-sized (order 9) blocks, each
 * zone weighted by its size.
 */
unsigned int fragmentation_score_node(struct pglist_data *pgdat);

/*
 * kcompactd, one kernel thread per node.  The platform starts them once
 * the allocator is up (kcompactd_run), tests and shutdown stop them.
 * kswapd wakes a node's kcompactd when it has reclaimed enough for an
 * order that fragmentation still fails.
 */
int kcompactd_run(int nid);
void kcompactd_stop(int nid);
void wakeup_kcompactd(struct pglist_data *pgdat, int order, enum zone_type highest_zoneidx);

#endif
