// SPDX-License-Identifier: MIT
/*
 * Reclaim under concurrency: two tasks whose memory together exceeds RAM
 * read, rewrite and discard random pages while kswapd swaps, direct
 * reclaim steals, and another thread compacts the zone over and over.
 * Every read checks the page's current version; nothing may be lost,
 * stale or mixed up, and every slot comes back at the end.
 */
#include "unit.h"
#include "reclaim_test.h"

#include <pthread.h>

#define STRESS_RAM	(32 * MiB)
#define STRESS_PAGES	6144UL		/* 24 MiB per task, two tasks */
#define STRESS_OPS	200000

struct stress_worker {
	struct test_task tt;
	unsigned int cpu;
	unsigned int seed;
	uint16_t version[STRESS_PAGES];	/* 0: discarded (reads as zeros) */
	unsigned long bad, failed;
};

static volatile bool stress_done;

static uint64_t word_of(unsigned long i, uint16_t v, unsigned int w)
{
	return v ? ((i + 1) * 0x9e3779b97f4a7c15ull ^ w ^ ((uint64_t)v << 48)) : 0;
}

static void *stress_run(void *arg)
{
	struct stress_worker *sw = arg;
	static __thread uint64_t buf[PAGE_SIZE / 8];

	hosted_set_cpu(sw->cpu);
	test_task_start(&sw->tt, sw->cpu ? "stress1" : "stress0", STRESS_PAGES);
	for (int op = 0; op < STRESS_OPS; op++) {
		unsigned long i = (unsigned long)rand_r(&sw->seed) % STRESS_PAGES;
		unsigned int what = (unsigned int)rand_r(&sw->seed) % 10;
		unsigned long va = anon_va(i);

		if (what < 6) {
			if (hosted_access(sw->tt.mm->as, va, buf, PAGE_SIZE, false)) {
				sw->failed++;
				continue;
			}
			for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
				if (buf[w] != word_of(i, sw->version[i], w)) {
					sw->bad++;
					break;
				}
		} else if (what < 9) {
			uint16_t v = (uint16_t)(sw->version[i] + 1 ? sw->version[i] + 1 : 1);

			for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
				buf[w] = word_of(i, v, w);
			if (hosted_access(sw->tt.mm->as, va, buf, PAGE_SIZE, true)) {
				sw->failed++;
				continue;
			}
			sw->version[i] = v;
		} else {
			anon_discard(sw->tt.mm, va, PAGE_SIZE);
			sw->version[i] = 0;
		}
	}
	return NULL;
}

static void *compactor(void *arg)
{
	(void)arg;
	hosted_set_cpu(1);
	while (!stress_done) {
		compact_memory();
		usleep(20000);
	}
	return NULL;
}

START_TEST(reclaim_compaction_faults_discards)
{
	static struct stress_worker sw[2];
	pthread_t th[2], comp;

	reclaim_test_boot(STRESS_RAM, 2, 3 * STRESS_PAGES);
	ck_assert_int_eq(kswapd_run(0), 0);
	ck_assert_int_eq(pthread_create(&comp, NULL, compactor, NULL), 0);
	for (unsigned int t = 0; t < 2; t++) {
		sw[t].cpu = t;
		sw[t].seed = 12345 + t;
		ck_assert_int_eq(pthread_create(&th[t], NULL, stress_run, &sw[t]), 0);
	}
	for (unsigned int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	stress_done = true;
	pthread_join(comp, NULL);
	kswapd_stop(0);

	for (unsigned int t = 0; t < 2; t++) {
		unsigned long wrong = 0;

		ck_assert_uint_eq(sw[t].failed, 0);
		ck_assert_uint_eq(sw[t].bad, 0);
		/* A last full check, swap-ins and all (counted: asserts are slow). */
		for (unsigned long i = 0; i < STRESS_PAGES; i++) {
			uint64_t buf[PAGE_SIZE / 8];

			if (hosted_access(sw[t].tt.mm->as, anon_va(i), buf, PAGE_SIZE, false)) {
				wrong++;
				continue;
			}
			for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
				if (buf[w] != word_of(i, sw[t].version[i], w)) {
					wrong++;
					break;
				}
		}
		ck_assert_msg(wrong == 0, "task %u: %lu pages wrong", t, wrong);
	}
	ck_assert_uint_gt(ev(PSWPOUT), 0);
	ck_assert_uint_gt(ev(PGMIGRATE_SUCCESS), 0);
	ck_assert_uint_eq(ev(OOM_KILL), 0);
	for (unsigned int t = 0; t < 2; t++)
		test_task_end(&sw[t].tt);
	ck_assert_uint_eq(nr_swap_pages(), total_swap_pages());
	ck_assert_uint_eq(global_node_page_state(NR_INACTIVE_ANON) +
			  global_node_page_state(NR_ACTIVE_ANON), 0);
	ck_assert_uint_eq(global_node_page_state(NR_ISOLATED_ANON), 0);
	mm_assert_invariants();
}
END_TEST

static Suite *reclaim_stress_suite(void)
{
	Suite *s = suite_create("reclaim_stress");
	TCase *tc = tcase_create("reclaim_stress");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, reclaim_compaction_faults_discards);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(reclaim_stress_suite)
