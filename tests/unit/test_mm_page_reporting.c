// SPDX-License-Identifier: MIT
/*
 * Free page reporting's side in the buddy allocator: which blocks a pass
 * takes, that the host hears of each free block once, and that a block
 * is news again once it has left the free lists.
 *
 * The 64 MiB machine of test_mm_buddy.c: DMA32 starts with 11 free
 * order-10 blocks and one order-9 block.
 */
#include <guestmm/page_reporting.h>

#include "unit.h"
#include "mm_test.h"

#define CAP	64

static struct zone *boot_64m(void)
{
	mm_test_boot(1, 64 * MiB, 1);
	return mm_zone(0, ZONE_DMA32);
}

static unsigned long pages_of(const struct page_report *r, unsigned int n)
{
	unsigned long pages = 0;

	for (unsigned int i = 0; i < n; i++)
		pages += 1UL << r[i].order;
	return pages;
}

START_TEST(reported_once)
{
	struct page_report r[CAP];
	struct zone *z = boot_64m();
	unsigned long free0 = zone_page_state(z, NR_FREE_PAGES);
	unsigned int n;

	n = page_reporting_isolate(z, 9, r, CAP);
	ck_assert_uint_gt(n, 0);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_uint_ge(r[i].order, 9);
		ck_assert(!PageBuddy(r[i].page) && !PageReported(r[i].page));
		if (i)	/* largest first */
			ck_assert_uint_le(r[i].order, r[i - 1].order);
	}
	/* Off the lists and out of the free count while the host has them... */
	ck_assert_uint_eq(zone_page_state(z, NR_FREE_PAGES), free0 - pages_of(r, n));
	/* ...but never below the low watermark. */
	ck_assert_uint_ge(zone_page_state(z, NR_FREE_PAGES), low_wmark_pages(z));
	mm_assert_invariants();

	page_reporting_putback(z, r, n, true);
	ck_assert_uint_eq(zone_page_state(z, NR_FREE_PAGES), free0);
	for (unsigned int i = 0; i < n; i++)
		ck_assert(PageBuddy(r[i].page) && PageReported(r[i].page));
	mm_assert_invariants();
	/* Nothing was freed since: the next pass has nothing to say. */
	ck_assert_uint_eq(page_reporting_isolate(z, 9, r, CAP), 0);
}
END_TEST

START_TEST(failed_report_is_retried)
{
	struct page_report r[CAP], again[CAP];
	struct zone *z = boot_64m();
	unsigned int n = page_reporting_isolate(z, 9, r, CAP);

	ck_assert_uint_gt(n, 0);
	page_reporting_putback(z, r, n, false);
	ck_assert(!PageReported(r[0].page));
	ck_assert_uint_eq(page_reporting_isolate(z, 9, again, CAP), n);
	page_reporting_putback(z, again, n, true);
	mm_assert_invariants();
}
END_TEST

START_TEST(capacity_and_order)
{
	struct page_report r[CAP];
	struct zone *z = boot_64m();
	unsigned int n;

	/* Two at a time: the largest blocks first. */
	n = page_reporting_isolate(z, 9, r, 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0].order, MAX_ORDER);
	ck_assert_uint_eq(r[1].order, MAX_ORDER);
	page_reporting_putback(z, r, n, true);
	/* Order 10 only: the order-9 block is never taken. */
	while ((n = page_reporting_isolate(z, MAX_ORDER, r, CAP))) {
		for (unsigned int i = 0; i < n; i++)
			ck_assert_uint_eq(r[i].order, MAX_ORDER);
		page_reporting_putback(z, r, n, true);
	}
	n = page_reporting_isolate(z, 9, r, CAP);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_uint_eq(r[i].order, 9);
	page_reporting_putback(z, r, n, true);
	mm_assert_invariants();
}
END_TEST

START_TEST(allocated_block_is_news_again)
{
	struct page_report r[CAP];
	struct zone *z = boot_64m();
	unsigned int n = page_reporting_isolate(z, 9, r, CAP);
	struct page *p;

	page_reporting_putback(z, r, n, true);
	p = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_ORDER);
	ck_assert_ptr_nonnull(p);
	ck_assert(!PageReported(p));	/* the allocation cleared the mark */
	memset(page_address(p), 0x5a, PAGE_SIZE << MAX_ORDER);
	__free_pages(p, MAX_ORDER);
	n = page_reporting_isolate(z, 9, r, CAP);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(r[0].page, p);
	page_reporting_putback(z, r, n, true);
	mm_assert_invariants();
}
END_TEST

/* A block whose buddy was freed while it was away merges: the host knows half of it. */
START_TEST(merged_block_is_news)
{
	struct page_report r[CAP];
	struct zone *z = boot_64m();
	struct page *lone, *a, *b, *lo;
	unsigned int n;

	n = page_reporting_isolate(z, 9, r, CAP);
	page_reporting_putback(z, r, n, true);
	lone = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);	/* the order-9 block: a and b split one of 10 */
	ck_assert_ptr_nonnull(lone);
	a = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	b = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(page_to_pfn(a) ^ page_to_pfn(b), 512);	/* buddies */
	lo = page_to_pfn(a) < page_to_pfn(b) ? a : b;
	__free_pages(a, 9);
	n = page_reporting_isolate(z, 9, r, CAP);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(r[0].page, a);
	__free_pages(b, 9);		/* its buddy is away: it stays order 9 */
	page_reporting_putback(z, r, n, true);
	ck_assert(PageBuddy(lo) && buddy_order(lo) == 10);
	ck_assert(!PageReported(lo));
	n = page_reporting_isolate(z, 9, r, CAP);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(r[0].page, lo);
	ck_assert_uint_eq(r[0].order, 10);
	page_reporting_putback(z, r, n, true);
	__free_pages(lone, 9);
	mm_assert_invariants();
}
END_TEST

static Suite *mm_page_reporting_suite(void)
{
	Suite *s = suite_create("mm_page_reporting");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, reported_once);
	tcase_add_test(tc, failed_report_is_retried);
	tcase_add_test(tc, capacity_and_order);
	tcase_add_test(tc, allocated_block_is_news_again);
	tcase_add_test(tc, merged_block_is_news);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_page_reporting_suite)
