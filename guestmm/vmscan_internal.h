/* SPDX-License-Identifier: MIT */
/*
 * What vmscan.c shares with kswapd.c: one reclaim pass's parameters and
 * results, and the per-node step.
 */
#ifndef GUESTMM_VMSCAN_INTERNAL_H
#define GUESTMM_VMSCAN_INTERNAL_H

#include <guestmm/mmzone.h>

struct scan_control {
	unsigned long nr_to_reclaim;	/* stop once this many pages are freed */
	unsigned long nr_reclaimed;
	unsigned long nr_scanned;
	gfp_t gfp_mask;
	int order;			/* the allocation's, for kswapd's balance check */
	int priority;			/* scan lists >> priority: DEF_PRIORITY .. 0 */
	enum zone_type reclaim_idx;	/* highest zone to reclaim for */
	bool is_kswapd;			/* pgscan/pgsteal_kswapd vs _direct */
	bool may_swap;			/* swap has room: anon is reclaimable */
};

void shrink_node(struct pglist_data *pgdat, struct scan_control *sc);

#endif
