/* SPDX-License-Identifier: MIT */
/*
 * Free page reporting, the allocator's side (guestmm/page_reporting.c).
 * A driver that tells the host about free memory (the balloon's reporting
 * queue) takes blocks the host has not heard of off the free lists,
 * reports them, and puts them back.  Put back as reported, a block is
 * skipped by later passes until it leaves the free lists: only memory
 * freed since is reported again, as with Linux's PG_reported.
 */
#ifndef EBB_GUESTMM_PAGE_REPORTING_H
#define EBB_GUESTMM_PAGE_REPORTING_H

#include <stdbool.h>

#include <guestmm/mmzone.h>

/* One block taken for reporting. */
struct page_report {
	struct page *page;
	unsigned int order;
};

/*
 * Take up to @max free blocks of at least @order that are not reported
 * yet off @zone's free lists into @r (largest orders first), as long as
 * the zone stays above its low watermark: reporting must never be why an
 * allocation has to reclaim.  Returns how many were taken.
 */
unsigned int page_reporting_isolate(struct zone *zone, unsigned int order,
				    struct page_report *r, unsigned int max);

/*
 * Give blocks taken by page_reporting_isolate() back to the free lists,
 * at the tail so they are handed out last.  @reported: the host has them;
 * a block that merged with a neighbour on the way back is a larger block
 * the host knows only part of, so it stays unreported.
 */
void page_reporting_putback(struct zone *zone, const struct page_report *r, unsigned int n,
			    bool reported);

#endif
