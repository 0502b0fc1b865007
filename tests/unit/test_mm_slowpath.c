// SPDX-License-Identifier: MIT
/*
 * The slow path's semantics: who may dip how far below the watermarks,
 * who gives up early, who never leaves its node, who never fails.
 * No reclaimable memory exists yet, so direct reclaim finds nothing and
 * the OOM hook has no victim: each case must fail cleanly or, where
 * Linux would, keep trying.
 */
#include "unit.h"
#include "mm_test.h"

#include <pthread.h>
#include <unistd.h>

#define MAXHELD 200000

static struct page *held[MAXHELD];
static int nheld;

/* Allocate order-0 pages with @gfp until it fails; returns how many. */
static int drain_with(gfp_t gfp)
{
	int n = 0;
	struct page *p;

	while ((p = alloc_pages(gfp | __GFP_NOWARN, 0)) != NULL) {
		ck_assert_int_lt(nheld, MAXHELD);
		held[nheld++] = p;
		n++;
	}
	return n;
}

static void free_held(void)
{
	while (nheld)
		__free_pages(held[--nheld], 0);
	drain_all_pages(NULL);
}

/* GFP_KERNEL stops at min; GFP_ATOMIC goes on to about 3/8 of min. */
START_TEST(atomic_dips_below_min)
{
	struct zone *z;
	unsigned long min, free_after_kernel, free_after_atomic;

	mm_test_boot(1, 64 * MiB, 1);
	z = mm_zone(0, ZONE_DMA32);
	min = z->_watermark[WMARK_MIN];
	ck_assert_int_gt(drain_with(GFP_KERNEL | __GFP_DMA32), 0);
	drain_all_pages(NULL);
	free_after_kernel = (unsigned long)zone_page_state(z, NR_FREE_PAGES);
	/*
	 * Stopped at the min mark, raised by any boost that unmovable
	 * fallbacks caused (no kswapd clears it yet); the per-CPU list held
	 * a batch at most.
	 */
	ck_assert_uint_le(free_after_kernel, min_wmark_pages(z) + 1 + (unsigned long)zone_pcp(z, 0)->batch);
	ck_assert_uint_ge(free_after_kernel, min - (unsigned long)zone_pcp(z, 0)->batch);

	ck_assert_int_gt(drain_with(GFP_ATOMIC | __GFP_DMA32), 0);
	drain_all_pages(NULL);
	free_after_atomic = (unsigned long)zone_page_state(z, NR_FREE_PAGES);
	/*
	 * min - min/2 - (min/2)/4 = 3/8 of min remains for the most urgent;
	 * __GFP_HIGH order-0 requests ignore the boost at min.
	 */
	ck_assert_uint_lt(free_after_atomic, free_after_kernel);
	ck_assert_uint_le(free_after_atomic, (min - min / 2 - (min - min / 2) / 4) + 1 +
					     (unsigned long)zone_pcp(z, 0)->batch);
	/* The slow path was entered and woke kswapd. */
	ck_assert_uint_gt(z->zone_pgdat->kswapd_wakeups, 0);
	free_held();
	mm_assert_invariants();
}
END_TEST

/* __GFP_NORETRY: one reclaim attempt, no OOM; GFP_KERNEL goes on to the OOM hook. */
START_TEST(noretry_fails_fast)
{
	static char log[1 << 14];
	unsigned long stalls;
	struct page *p;

	mm_test_boot(1, 64 * MiB, 1);
	drain_with(GFP_KERNEL);
	hosted_log_capture(log, sizeof(log));
	stalls = sum_vm_event(ALLOCSTALL_NORMAL);
	p = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(sum_vm_event(ALLOCSTALL_NORMAL), stalls + 1);
	ck_assert_ptr_null(strstr(log, "Out of memory"));

	p = alloc_pages(GFP_KERNEL, 0);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(log, "Out of memory"));
	ck_assert_ptr_nonnull(strstr(log, "page allocation failure: order:0"));

	/* A costly order without __GFP_RETRY_MAYFAIL fails without OOM either. */
	hosted_log_capture(log, sizeof(log));
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 5);
	ck_assert_ptr_null(p);
	ck_assert_ptr_null(strstr(log, "Out of memory"));
	/* __GFP_RETRY_MAYFAIL never calls the OOM killer. */
	p = alloc_pages(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 0);
	ck_assert_ptr_null(p);
	ck_assert_ptr_null(strstr(log, "Out of memory"));
	hosted_log_capture(NULL, 0);
	free_held();
	mm_assert_invariants();
}
END_TEST

/* __GFP_THISNODE fills its own node and then fails; without it, node 1 serves. */
START_TEST(thisnode_stays_local)
{
	struct page *p;
	int n;

	mm_test_boot(2, 64 * MiB, 2);
	hosted_set_cpu(0);
	n = drain_with(GFP_HIGHUSER_MOVABLE | __GFP_THISNODE);
	ck_assert_int_gt(n, 10000);
	for (int i = 0; i < nheld; i++)
		ck_assert_int_eq(page_to_nid(held[i]), 0);
	ck_assert_uint_gt(zone_page_state(mm_zone(1, ZONE_DMA32), NR_FREE_PAGES), 10000);

	p = alloc_pages_node(0, GFP_HIGHUSER_MOVABLE, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(page_to_nid(p), 1);
	/* Counted as a miss on node 1 and foreign on node 0. */
	ck_assert_uint_ge(zone_numa_event_state(mm_zone(1, ZONE_DMA32), NUMA_MISS), 1);
	ck_assert_uint_ge(zone_numa_event_state(mm_zone(0, ZONE_DMA32), NUMA_FOREIGN), 1);
	__free_pages(p, 0);
	free_held();
	mm_assert_invariants();
}
END_TEST

struct nofail_arg {
	struct page *page;
	int done;
};

static void *nofail_thread(void *arg)
{
	struct nofail_arg *a = arg;

	hosted_set_cpu(1);
	a->page = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* __GFP_NOFAIL with memory truly gone waits until a page comes back. */
START_TEST(nofail_keeps_trying)
{
	struct nofail_arg a = { 0 };
	pthread_t t;

	mm_test_boot(1, 64 * MiB, 2);
	/* Take everything, reserves included. */
	drain_with(GFP_KERNEL | __GFP_MEMALLOC);
	drain_all_pages(NULL);
	drain_with(GFP_KERNEL | __GFP_MEMALLOC);
	ck_assert_uint_eq(mm_free_pages(), 0);

	ck_assert_int_eq(pthread_create(&t, NULL, nofail_thread, &a), 0);
	usleep(200 * 1000);
	ck_assert_int_eq(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE), 0);
	/* Give one page back (to a CPU list the drain in the slow path releases). */
	hosted_set_cpu(0);
	__free_pages(held[--nheld], 0);
	drain_all_pages(NULL);
	pthread_join(t, NULL);
	ck_assert_int_eq(a.done, 1);
	ck_assert_ptr_nonnull(a.page);
	__free_pages(a.page, 0);
	free_held();
	mm_assert_invariants();
}
END_TEST

/* __GFP_DMA allocations never leave the DMA zone; DMA is protected from others. */
START_TEST(zone_limits_and_reserve)
{
	int n;

	mm_test_boot(1, 64 * MiB, 1);
	n = drain_with(GFP_KERNEL | __GFP_DMA);
	for (int i = 0; i < nheld; i++)
		ck_assert_int_eq(page_zonenum(held[i]), ZONE_DMA);
	ck_assert_int_gt(n, 3000);
	free_held();
	/* Normal-capable requests leave DMA's lowmem_reserve alone. */
	drain_with(GFP_KERNEL);
	drain_all_pages(NULL);
	ck_assert_int_ge(zone_page_state(mm_zone(0, ZONE_DMA), NR_FREE_PAGES),
			 mm_zone(0, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL]);
	free_held();
	mm_assert_invariants();
}
END_TEST

static Suite *mm_slowpath_suite(void)
{
	Suite *s = suite_create("mm_slowpath");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, atomic_dips_below_min);
	tcase_add_test(tc, noretry_fails_fast);
	tcase_add_test(tc, thisnode_stays_local);
	tcase_add_test(tc, nofail_keeps_trying);
	tcase_add_test(tc, zone_limits_and_reserve);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_slowpath_suite)
