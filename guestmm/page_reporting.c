// SPDX-License-Identifier: MIT
/*
 * Free page reporting, the allocator's side (include/guestmm/page_reporting.h).
 *
 * Blocks being reported are off the free lists and out of NR_FREE_PAGES,
 * like compaction's isolated free pages, so nobody allocates memory the
 * host is discarding.  PG_reported lives on a free block's head page and
 * is cleared by del_page_from_free_list(), the one way off a free list.
 */
#include <guestmm/page_alloc.h>
#include <guestmm/page_reporting.h>
#include <guestmm/spinlock.h>

#include "internal.h"

/* Can the zone spare a block of @order and stay above its low watermark? */
static bool report_watermark_ok(struct zone *zone, unsigned int order)
{
	return zone_watermark_ok(zone, 0, low_wmark_pages(zone) + (1UL << order), 0, 0);
}

unsigned int page_reporting_isolate(struct zone *zone, unsigned int order,
				    struct page_report *r, unsigned int max)
{
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	for (int o = MAX_ORDER; o >= (int)order && n < max; o--) {
		struct free_area *area = &zone->free_area[o];

		for (int mt = 0; mt < MIGRATE_TYPES && n < max; mt++) {
			struct page *page, *next;

			if (mt == MIGRATE_ISOLATE)
				continue;
			list_for_each_entry_safe(page, next, &area->free_list[mt], lru) {
				if (n == max || !report_watermark_ok(zone, (unsigned int)o))
					goto out;
				if (PageReported(page))
					continue;
				del_page_from_free_list(page, zone, (unsigned int)o);
				__mod_zone_freepage_state(zone, -(1L << o), mt);
				r[n++] = (struct page_report){ page, (unsigned int)o };
			}
		}
	}
out:
	spin_unlock_irqrestore(&zone->lock, flags);
	return n;
}

void page_reporting_putback(struct zone *zone, const struct page_report *r, unsigned int n,
			    bool reported)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	for (unsigned int i = 0; i < n; i++) {
		struct page *page = r[i].page;
		unsigned long pfn = page_to_pfn(page);

		/* The pageblock may have changed type (or been isolated) meanwhile. */
		__free_one_page(page, pfn, zone, r[i].order, get_pfnblock_migratetype(zone, pfn),
				true);
		if (reported && PageBuddy(page) && buddy_order(page) == r[i].order)
			SetPageFlag(page, PG_reported);
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}
