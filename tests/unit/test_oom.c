// SPDX-License-Identifier: MIT
/*
 * The OOM killer: with nothing left to reclaim, exactly one task dies —
 * the one holding the most — and the rest run to completion with their
 * memory intact; OOM notifiers that give memory back spare everybody.
 */
#include "unit.h"
#include "reclaim_test.h"

#include <guestmm/oom.h>
#include <pthread.h>

#define NR_TASKS	3
#define TASK_PAGES	(24 * MiB / PAGE_SIZE)	/* 3 x 24 MiB on a 64 MiB machine */

struct oom_worker {
	struct test_task tt;
	unsigned int cpu;
	unsigned long filled;
	bool failed_alive;		/* a fault failed although not killed */
};

static const char *const names[NR_TASKS] = { "worker0", "worker1", "worker2" };
/* Nobody frees its memory before all have filled theirs (or died). */
static pthread_barrier_t filled;

static void *oom_worker_run(void *arg)
{
	struct oom_worker *w = arg;
	unsigned long i;

	hosted_set_cpu(w->cpu);
	test_task_start(&w->tt, names[w->cpu], TASK_PAGES);
	for (i = 0; i < TASK_PAGES && !w->tt.killed; i++) {
		if (!anon_fill(w->tt.mm, i)) {
			w->failed_alive = !w->tt.killed;
			break;
		}
		/* Interleave the workers so they all grow together. */
		if (i % 256 == 0)
			sched_yield();
	}
	w->filled = i;
	pthread_barrier_wait(&filled);
	if (!w->tt.killed)
		for (i = 0; i < TASK_PAGES; i++)
			w->tt.bad += !anon_intact(w->tt.mm, i);
	test_task_end(&w->tt);
	return NULL;
}

START_TEST(oom_one_victim)
{
	static struct oom_worker w[NR_TASKS];
	static char log[1 << 14];
	pthread_t th[NR_TASKS];
	int killed = 0;

	reclaim_test_boot(64 * MiB, NR_TASKS, 0);
	ck_assert_int_eq(kswapd_run(0), 0);
	hosted_log_capture(log, sizeof(log));
	pthread_barrier_init(&filled, NULL, NR_TASKS);
	for (unsigned int t = 0; t < NR_TASKS; t++) {
		w[t].cpu = t;
		ck_assert_int_eq(pthread_create(&th[t], NULL, oom_worker_run, &w[t]), 0);
	}
	for (unsigned int t = 0; t < NR_TASKS; t++)
		pthread_join(th[t], NULL);
	hosted_log_capture(NULL, 0);
	kswapd_stop(0);

	for (unsigned int t = 0; t < NR_TASKS; t++) {
		ck_assert_msg(!w[t].failed_alive, "%s failed without being killed: %s", names[t], log);
		if (w[t].tt.killed) {
			killed++;
			continue;
		}
		ck_assert_uint_eq(w[t].filled, TASK_PAGES);
		ck_assert_uint_eq(w[t].tt.bad, 0);
	}
	ck_assert_int_eq(killed, 1);
	ck_assert_uint_eq(ev(OOM_KILL), 1);
	ck_assert_ptr_nonnull(strstr(log, "Out of memory: Killed process"));
	ck_assert_uint_eq(global_node_page_state(NR_ANON_MAPPED), 0);
	mm_assert_invariants();
}
END_TEST

/* Memory an OOM notifier holds goes back first; nobody is killed. */
static struct page *spare[4096];
static unsigned int nr_spare;

static unsigned long give_back(struct oom_notifier *n)
{
	unsigned long freed = nr_spare;

	(void)n;
	while (nr_spare)
		__free_pages(spare[--nr_spare], 0);
	return freed;
}

START_TEST(oom_notifier_first)
{
	struct oom_notifier nb = { .notify = give_back };
	struct test_task tt = { 0 };
	unsigned long want;

	reclaim_test_boot(64 * MiB, 1, 0);
	while (nr_spare < ARRAY_SIZE(spare))
		spare[nr_spare++] = alloc_page(GFP_KERNEL);
	register_oom_notifier(&nb);
	want = mm_free_pages() + ARRAY_SIZE(spare) / 2;
	test_task_start(&tt, "notified", want);
	for (unsigned long i = 0; i < want; i++)
		ck_assert_msg(anon_fill(tt.mm, i), "page %lu", i);
	ck_assert_uint_eq(nr_spare, 0);
	ck_assert_uint_eq(ev(OOM_KILL), 0);
	ck_assert(!tt.killed);
	unregister_oom_notifier(&nb);
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

static Suite *oom_suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("oom");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, oom_one_victim);
	tcase_add_test(tc, oom_notifier_first);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(oom_suite)
