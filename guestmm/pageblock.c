// SPDX-License-Identifier: MIT
/*
 * Per-pageblock flags: the migratetype a 2 MiB block is dedicated to, and
 * the compaction skip hint.  The byte per block lives in the zone.
 */
#include "internal.h"

int get_pageblock_migratetype(const struct page *page)
{
	return get_pfnblock_migratetype(page_zone(page), page_to_pfn(page));
}

void set_pageblock_migratetype(struct page *page, int mt)
{
	uint8_t *b = pageblock_byte(page_zone(page), page_to_pfn(page));
	uint8_t old = __atomic_load_n(b, __ATOMIC_RELAXED), new;

	do {
		new = (uint8_t)((old & ~PB_MIGRATETYPE_MASK) | (mt & PB_MIGRATETYPE_MASK));
	} while (!__atomic_compare_exchange_n(b, &old, new, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

bool get_pageblock_skip(const struct page *page)
{
	return __atomic_load_n(pageblock_byte(page_zone(page), page_to_pfn(page)),
			       __ATOMIC_RELAXED) & PB_SKIP;
}

void set_pageblock_skip(struct page *page)
{
	__atomic_fetch_or(pageblock_byte(page_zone(page), page_to_pfn(page)), PB_SKIP,
			  __ATOMIC_RELAXED);
}

void clear_pageblock_skip(struct page *page)
{
	__atomic_fetch_and(pageblock_byte(page_zone(page), page_to_pfn(page)),
			   (uint8_t)~PB_SKIP, __ATOMIC_RELAXED);
}
