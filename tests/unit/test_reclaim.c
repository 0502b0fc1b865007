// SPDX-License-Identifier: MIT
/*
 * Reclaim as a whole: a workload twice the size of RAM with a hot set
 * that fits runs to completion on swap, every page intact, the hot set
 * resident; kswapd keeps free memory above min and sleeps once balanced,
 * and gives up on a node where nothing is reclaimable; without swap,
 * reclaimable caches are emptied before anybody is killed.
 */
#include "unit.h"
#include "reclaim_test.h"

#include <guestmm/namecache.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>

#define RAM		(32 * MiB)
#define WORK_PAGES	(2 * RAM / PAGE_SIZE)	/* anonymous memory: twice RAM */
#define HOT_PAGES	512UL			/* 2 MiB, touched between cold pages */
#define COLD_STRIDE	64UL			/* cold pages per touch of the hot set */
#define ROUNDS		2

static volatile bool sampling;
static long min_free_seen;

static void *sample_free(void *arg)
{
	(void)arg;
	hosted_set_cpu(1);
	min_free_seen = LONG_MAX;
	while (sampling) {
		long f = zone_page_state(mm_zone(0, ZONE_DMA32), NR_FREE_PAGES);

		if (f < min_free_seen)
			min_free_seen = f;
		usleep(200);
	}
	return NULL;
}

static bool hot_touch(struct mm_anon *mm, unsigned long i)
{
	uint64_t word;

	return hosted_access(mm->as, anon_va(i), &word, sizeof(word), false) == 0 &&
	       word == ((i + 1) * 0x9e3779b97f4a7c15ull ^ 0);
}

/*
 * kswapd runs on its own thread, which a loaded machine (or ASan) may
 * starve for seconds: wait for what it must reach by a deadline on the
 * clock, generous, rather than a count of short sleeps.
 */
#define KSWAPD_DEADLINE_S	60

static bool wait_for(bool (*cond)(void))
{
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += KSWAPD_DEADLINE_S;
	do {
		if (cond())
			return true;
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	return cond();
}

static bool kswapd0_sleeping(void)
{
	return kswapd_is_sleeping(0);
}

static bool kswapd0_hopeless_asleep(void)
{
	return READ_ONCE(NODE_DATA(0)->kswapd_failures) >= MAX_RECLAIM_RETRIES &&
	       kswapd_is_sleeping(0);
}

START_TEST(overcommit_hot_set)
{
	struct test_task tt = { 0 };
	unsigned long hot_touches = 0, hot_misses = 0, bad = 0;
	struct zone *z;
	struct psi_memory pm;
	pthread_t sampler;

	reclaim_test_boot(RAM, 2, 3 * WORK_PAGES / 2);
	z = mm_zone(0, ZONE_DMA32);
	ck_assert_int_eq(kswapd_run(0), 0);
	sampling = true;
	ck_assert_int_eq(pthread_create(&sampler, NULL, sample_free, NULL), 0);

	test_task_start(&tt, "overcommit", WORK_PAGES);
	for (unsigned long i = 0; i < WORK_PAGES; i++)
		ck_assert(anon_fill(tt.mm, i));
	for (int round = 0; round < ROUNDS; round++) {
		for (unsigned long i = HOT_PAGES; i < WORK_PAGES; i++) {
			bad += !anon_intact(tt.mm, i);
			if (i % COLD_STRIDE)
				continue;
			for (unsigned long h = 0; h < HOT_PAGES; h++) {
				/* After the first round the hot set should be resident. */
				if (round > 0) {
					hot_touches++;
					hot_misses += !anon_pfn(tt.mm, h);
				}
				bad += !hot_touch(tt.mm, h);
			}
		}
	}
	sampling = false;
	pthread_join(sampler, NULL);

	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(ev(OOM_KILL), 0);
	for (unsigned long i = 0; i < WORK_PAGES; i++)
		ck_assert_msg(anon_intact(tt.mm, i), "page %lu", i);
	ck_assert_uint_gt(ev(PSWPOUT), WORK_PAGES / 2);
	ck_assert_uint_gt(ev(PSWPIN), WORK_PAGES / 2);
	/* The hot set stays in memory: few of its touches fault. */
	ck_assert_msg(hot_misses * 100 < hot_touches, "hot set misses %lu of %lu", hot_misses,
		      hot_touches);
	/*
	 * kswapd did most of the work, and free memory never went below
	 * min (but for what a per-CPU list holds back): direct reclaim
	 * covers what one fast faulter outruns.
	 */
	ck_assert_uint_gt(ev(PGSTEAL_KSWAPD), 0);
	ck_assert_uint_gt(ev(PGSCAN_KSWAPD), 0);
	ck_assert_uint_gt(ev(PGSTEAL_KSWAPD), ev(PGSTEAL_DIRECT));
	ck_assert_int_ge(min_free_seen, (long)min_wmark_pages(z) - zone_pcp(z, 0)->batch);
	/* Balanced: kswapd sleeps, free memory is above high. */
	ck_assert(wait_for(kswapd0_sleeping));
	ck_assert_int_ge(zone_page_state(z, NR_FREE_PAGES), (long)high_wmark_pages(z));
	/* Swap-in stalls were counted. */
	psi_memory_read(&pm);
	ck_assert_uint_gt(pm.some_total_us, 0);
	ck_assert_uint_gt(tt.task.memstall_ns, 0);

	test_task_end(&tt);
	kswapd_stop(0);
	mm_assert_invariants();
	ck_assert_uint_eq(nr_swap_pages(), total_swap_pages());
}
END_TEST

/* Nothing reclaimable: kswapd gives the node up after 16 passes and sleeps. */
START_TEST(kswapd_hopeless)
{
	unsigned long failed = 0;
	struct mm_anon *mm;

	reclaim_test_boot(RAM, 2, 0);
	ck_assert_int_eq(kswapd_run(0), 0);
	mm = mm_anon_create();
	ck_assert_int_eq(anon_map(mm, ANON_BASE, WORK_PAGES * PAGE_SIZE, true), 0);
	/*
	 * Out of memory, nobody to kill: faults fail.  Keep going (a boosted
	 * watermark fails some early, until kswapd drops the boost), so the
	 * node really is full.
	 */
	for (unsigned long i = 0; i < WORK_PAGES; i++)
		failed += !anon_fill(mm, i);
	ck_assert_uint_gt(failed, WORK_PAGES / 4);
	ck_assert(wait_for(kswapd0_hopeless_asleep));
	ck_assert_ptr_nonnull(strstr(mm_report(report_zoneinfo), "node_unreclaimable:  1"));
	kswapd_stop(0);
	mm_anon_destroy(mm);
	mm_assert_invariants();
}
END_TEST

/* No swap: the name cache is reclaimed for anonymous memory; nobody is killed. */
START_TEST(caches_before_oom)
{
	struct test_task tt = { 0 };
	struct nc_stats st;
	unsigned long want, n = 0;
	char name[32];

	reclaim_test_boot(64 * MiB, 2, 0);
	ck_assert_int_eq(kswapd_run(0), 0);
	while (global_node_page_state(NR_SLAB_RECLAIMABLE_B) < (long)(24 * MiB)) {
		snprintf(name, sizeof(name), "file-%lu", n++);
		ck_assert_int_ge(nc_touch(name, GFP_KERNEL), 0);
	}
	/* More than is free, less than free plus the cache. */
	want = mm_free_pages() + 8 * MiB / PAGE_SIZE;
	test_task_start(&tt, "needs-cache", want);
	for (unsigned long i = 0; i < want; i++)
		ck_assert_msg(anon_fill(tt.mm, i), "page %lu of %lu", i, want);
	ck_assert_uint_eq(ev(OOM_KILL), 0);
	ck_assert(!tt.killed);
	nc_get_stats(&st);
	ck_assert_uint_gt(st.freed, 0);
	ck_assert_uint_gt(ev(ALLOCSTALL_NORMAL) + ev(ALLOCSTALL_DMA32), 0);
	for (unsigned long i = 0; i < want; i++)
		ck_assert(anon_intact(tt.mm, i));
	test_task_end(&tt);
	kswapd_stop(0);
	mm_assert_invariants();
}
END_TEST

static Suite *reclaim_suite(void)
{
	Suite *s = suite_create("reclaim");
	TCase *tc = tcase_create("reclaim");

	tcase_set_timeout(tc, 240);	/* each wait above may take KSWAPD_DEADLINE_S */
	tcase_add_test(tc, overcommit_hot_set);
	tcase_add_test(tc, kswapd_hopeless);
	tcase_add_test(tc, caches_before_oom);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(reclaim_suite)
