// SPDX-License-Identifier: MIT
/*
 * Per-CPU page lists: refill by batch, free back over high, drain.
 * 512 MiB machine: DMA32 batch 31, high 868 (test_mm_watermark.c).
 */
#include "unit.h"
#include "mm_test.h"

START_TEST(refill_takes_a_batch)
{
	struct per_cpu_pages *pcp;
	unsigned long free_before;
	struct page *p;

	mm_test_boot(1, 512 * MiB, 1);
	pcp = zone_pcp(mm_zone(0, ZONE_DMA32), 0);
	free_before = mm_free_pages();
	p = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	ck_assert_ptr_nonnull(p);
	/* One batch left the buddy lists; one page of it was handed out. */
	ck_assert_int_eq(pcp->count, 31 - 1);
	ck_assert_uint_eq(mm_free_pages(), free_before - 31);
	/* Refills of order n take max(batch >> n, 2) blocks. */
	{
		struct page *q = alloc_pages(GFP_HIGHUSER_MOVABLE, 3);

		ck_assert_ptr_nonnull(q);
		ck_assert_int_eq(pcp->count, 30 + (3 - 1) * 8);
		__free_pages(q, 3);
	}
	__free_pages(p, 0);
	mm_assert_invariants();
	drain_all_pages(NULL);
	ck_assert_int_eq(pcp->count, 0);
	ck_assert_uint_eq(mm_free_pages(), free_before);
	mm_assert_invariants();
}
END_TEST

/* The list never grows past high: frees over it go back in batches. */
START_TEST(free_over_high_returns_batches)
{
	static struct page *pages[2000];
	struct per_cpu_pages *pcp;
	unsigned long free_before;

	mm_test_boot(1, 512 * MiB, 1);
	pcp = zone_pcp(mm_zone(0, ZONE_DMA32), 0);
	free_before = mm_free_pages();
	for (int i = 0; i < 2000; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		ck_assert_ptr_nonnull(pages[i]);
	}
	for (int i = 0; i < 2000; i++) {
		__free_pages(pages[i], 0);
		ck_assert_int_lt(pcp->count, pcp->high);
	}
	/* Consecutive frees escalate the batch: free_factor grew. */
	ck_assert_int_gt(pcp->free_factor, 0);
	ck_assert_int_ge(pcp->count, pcp->batch);
	mm_assert_invariants();
	/* An allocation halves it again. */
	{
		short f = pcp->free_factor;
		struct page *p = alloc_pages(GFP_KERNEL, 0);

		ck_assert_int_eq(pcp->free_factor, f >> 1);
		__free_pages(p, 0);
	}
	drain_all_pages(NULL);
	ck_assert_uint_eq(mm_free_pages(), free_before);
	mm_assert_invariants();
}
END_TEST

/* Each CPU has its own lists; drain_all_pages empties every one. */
START_TEST(per_cpu_isolation_and_drain)
{
	struct page *a, *b;
	struct zone *z;

	mm_test_boot(1, 512 * MiB, 2);
	z = mm_zone(0, ZONE_DMA32);
	hosted_set_cpu(0);
	a = alloc_pages(GFP_KERNEL, 0);
	hosted_set_cpu(1);
	b = alloc_pages(GFP_KERNEL, 0);
	ck_assert_int_eq(zone_pcp(z, 0)->count, 30);
	ck_assert_int_eq(zone_pcp(z, 1)->count, 30);
	__free_pages(a, 0);	/* freed on CPU 1: goes to CPU 1's list */
	ck_assert_int_eq(zone_pcp(z, 1)->count, 31);
	__free_pages(b, 0);
	drain_local_pages(NULL);
	ck_assert_int_eq(zone_pcp(z, 1)->count, 0);
	ck_assert_int_eq(zone_pcp(z, 0)->count, 30);
	drain_all_pages(NULL);
	ck_assert_int_eq(zone_pcp(z, 0)->count, 0);
	mm_assert_invariants();
}
END_TEST

/* Unmovable and movable pages live on separate lists. */
START_TEST(lists_by_migratetype)
{
	struct per_cpu_pages *pcp;
	struct page *u, *m;

	mm_test_boot(1, 512 * MiB, 1);
	pcp = zone_pcp(mm_zone(0, ZONE_DMA32), 0);
	u = alloc_pages(GFP_KERNEL, 0);
	m = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	ck_assert_int_eq(get_pageblock_migratetype(u), MIGRATE_UNMOVABLE);
	ck_assert_int_eq(get_pageblock_migratetype(m), MIGRATE_MOVABLE);
	ck_assert(!list_empty(&pcp->lists[MIGRATE_UNMOVABLE]));
	ck_assert(!list_empty(&pcp->lists[MIGRATE_MOVABLE]));
	ck_assert(list_empty(&pcp->lists[MIGRATE_RECLAIMABLE]));
	__free_pages(u, 0);
	__free_pages(m, 0);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

static Suite *mm_pcp_suite(void)
{
	Suite *s = suite_create("mm_pcp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, refill_takes_a_batch);
	tcase_add_test(tc, free_over_high_returns_batches);
	tcase_add_test(tc, per_cpu_isolation_and_drain);
	tcase_add_test(tc, lists_by_migratetype);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_pcp_suite)
