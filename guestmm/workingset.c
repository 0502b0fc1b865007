// SPDX-License-Identifier: MIT
/*
 * Workingset detection, as Linux's mm/workingset.c: telling a page that
 * was evicted too early (a refault within the workingset's reach) from
 * one that is merely being streamed through.
 *
 * Each node keeps a clock, lruvec->nonresident_age, that ticks once per
 * eviction and once per activation.  An evicted page leaves a shadow
 * (node, clock) in its swap slot.  When it faults back in, the refault
 * distance (clock now - clock then) is the number of pages that entered
 * or were pushed through the inactive list meanwhile.  Had the active
 * list been that much smaller, the page would have stayed resident: so
 * if the distance is within the workingset (active anon plus the file
 * lists, which anon pages compete with), the page is activated at once.
 */
#include "internal.h"
#include <guestmm/vmscan.h>

#define EVICTION_BITS	28
#define EVICTION_MASK	((1U << EVICTION_BITS) - 1)

_Static_assert(MAX_NUMNODES < 15, "the node must fit the shadow's top bits");

static void workingset_age_nonresident(struct lruvec *lruvec, unsigned long nr)
{
	__atomic_add_fetch(&lruvec->nonresident_age, nr, __ATOMIC_RELAXED);
}

uint32_t workingset_eviction(struct page *page)
{
	int nid = page_to_nid(page);
	struct lruvec *lruvec = &NODE_DATA(nid)->__lruvec;
	unsigned long age = __atomic_fetch_add(&lruvec->nonresident_age, 1, __ATOMIC_RELAXED);

	return ((uint32_t)(nid + 1) << EVICTION_BITS) | ((uint32_t)age & EVICTION_MASK);
}

void workingset_refault(struct page *page, uint32_t shadow)
{
	struct pglist_data *pgdat;
	struct lruvec *lruvec;
	unsigned long distance, workingset_size;
	int nid;

	if (!shadow)
		return;
	nid = (int)(shadow >> EVICTION_BITS) - 1;
	if (nid < 0 || nid >= nr_online_nodes)
		return;
	pgdat = NODE_DATA(nid);
	lruvec = &pgdat->__lruvec;
	distance = (READ_ONCE(lruvec->nonresident_age) - (shadow & EVICTION_MASK)) & EVICTION_MASK;
	mod_node_page_state(page_zone(page)->zone_pgdat, WORKINGSET_REFAULT_ANON, 1);

	workingset_size = lruvec_size(lruvec, LRU_ACTIVE_ANON) +
			  lruvec_size(lruvec, LRU_ACTIVE_FILE) +
			  lruvec_size(lruvec, LRU_INACTIVE_FILE);
	if (distance > workingset_size)
		return;
	/* Not on a list yet: nobody else looks at its flags. */
	SetPageFlag(page, PG_active);
	workingset_age_nonresident(lruvec, 1);
	mod_node_page_state(page_zone(page)->zone_pgdat, WORKINGSET_ACTIVATE_ANON, 1);
}

void workingset_activation(struct page *page)
{
	workingset_age_nonresident(&NODE_DATA(page_to_nid(page))->__lruvec, 1);
}
