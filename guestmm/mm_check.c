// SPDX-License-Identifier: MIT
/*
 * The invariant checker.
 *
 * The checker recounts everything from first principles: it walks every
 * list and the memory map and compares with what the allocator believes.
 * It uses the page's `mapcount` field of free pages as a scratch mark,
 * which free pages never use otherwise, and clears it again.
 */
#include "internal.h"
#include <guestmm/mm_check.h>

#define SCRATCH_FREE	0x5eed

static unsigned long violation(struct seq_buf *err, unsigned long n, const char *what,
			       unsigned long pfn, unsigned long a, unsigned long b)
{
	if (n < 32)
		seq_printf(err, "invariant: %s: pfn %#lx (%lu vs %lu)\n", what, pfn, a, b);
	return 1;
}

static unsigned long mark_block(struct seq_buf *err, unsigned long bad, struct zone *zone,
				struct page *head, unsigned int order)
{
	unsigned long pfn = page_to_pfn(head);

	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = head + i;

		if (!zone_spans_pfn(zone, pfn + i) || page_zone(p) != zone)
			bad += violation(err, bad, "free block leaves its zone", pfn + i, order, 0);
		if (p->mapcount == SCRATCH_FREE)
			bad += violation(err, bad, "page in two free blocks", pfn + i, order, 0);
		if (p->refcount != 0)
			bad += violation(err, bad, "free page has a reference", pfn + i,
					 (unsigned long)p->refcount, 0);
		if (PageReserved(p))
			bad += violation(err, bad, "reserved page is free", pfn + i, order, 0);
		p->mapcount = SCRATCH_FREE;
	}
	return bad;
}

static unsigned long check_zone(struct seq_buf *err, unsigned long bad, struct zone *zone)
{
	unsigned long free_pages = 0, pcp_pages = 0;

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &zone->free_area[o];
		unsigned long blocks = 0;

		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &area->free_list[mt], lru) {
				unsigned long pfn = page_to_pfn(page);

				blocks++;
				if (!PageBuddy(page) || buddy_order(page) != o)
					bad += violation(err, bad, "listed block not marked buddy of its order",
							 pfn, buddy_order(page), o);
				if (pfn & ((1UL << o) - 1))
					bad += violation(err, bad, "free block misaligned", pfn, o, 0);
				bad = mark_block(err, bad, zone, page, o);
				free_pages += 1UL << o;
			}
		}
		if (blocks != area->nr_free)
			bad += violation(err, bad, "nr_free differs from recount",
					 zone->zone_start_pfn, area->nr_free, blocks);
	}
	if (free_pages != (unsigned long)zone_page_state(zone, NR_FREE_PAGES))
		bad += violation(err, bad, "NR_FREE_PAGES differs from recount", zone->zone_start_pfn,
				 (unsigned long)zone_page_state(zone, NR_FREE_PAGES), free_pages);

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct per_cpu_pages *pcp = zone_pcp(zone, cpu);
		unsigned long count = 0;

		for (unsigned int i = 0; i < NR_PCP_LISTS; i++) {
			unsigned int order = i / MIGRATE_PCPTYPES;
			struct page *page;

			list_for_each_entry(page, &pcp->lists[i], lru) {
				if (!PagePcp(page) || PageBuddy(page) || page->private != order)
					bad += violation(err, bad, "per-CPU page in wrong state",
							 page_to_pfn(page), page->private, order);
				bad = mark_block(err, bad, zone, page, order);
				count += 1UL << order;
			}
		}
		pcp_pages += count;
		if (count != (unsigned long)pcp->count)
			bad += violation(err, bad, "pcp count differs from recount", cpu,
					 (unsigned long)pcp->count, count);
	}

	/* Marked pages are the free ones; everything else must not claim to be. */
	for (unsigned long pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone); pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (page_zone(page) != zone)
			continue;
		if (page->mapcount != SCRATCH_FREE) {
			if (PageBuddy(page) || PagePcp(page))
				bad += violation(err, bad, "page marked free but on no list", pfn, 0, 0);
			continue;
		}
		page->mapcount = 0;
		/* A free block head whose buddy is free and of its order: unmerged. */
		if (PageBuddy(page)) {
			unsigned int o = buddy_order(page);
			unsigned long bpfn = pfn ^ (1UL << o);
			struct page *buddy;

			if (o >= MAX_ORDER || !pfn_valid(bpfn))
				continue;
			buddy = pfn_to_page(bpfn);
			if (PageBuddy(buddy) && buddy_order(buddy) == o && page_zone(buddy) == zone) {
				/*
				 * Whole pageblocks of different types may stay apart:
				 * merging stops at a HighAtomic or Isolate boundary,
				 * and a later type change does not re-merge them.
				 */
				bool may_stay_apart = o >= pageblock_order &&
					get_pfnblock_migratetype(zone, pfn) !=
					get_pfnblock_migratetype(zone, bpfn);

				if (!may_stay_apart && pfn < bpfn)
					bad += violation(err, bad, "free buddies left unmerged", pfn, o, bpfn);
			}
		}
	}
	(void)pcp_pages;
	return bad;
}

unsigned long mm_check_invariants(struct seq_buf *err)
{
	unsigned long bad = 0;
	struct zone *zone;

	for_each_populated_zone(zone) {
		unsigned long flags;

		spin_lock_irqsave(&zone->lock, flags);
		bad = check_zone(err, bad, zone);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	return bad;
}
