// SPDX-License-Identifier: MIT
/*
 * Memory stall accounting: "some" and "full" time, per-task totals,
 * nesting counted once, the 2 s averages, and the /proc/pressure/memory
 * text.
 */
#include "unit.h"
#include "reclaim_test.h"

#include <pthread.h>

static void stall_ms(unsigned int ms)
{
	unsigned long flags;

	psi_memstall_enter(&flags);
	usleep(ms * 1000);
	psi_memstall_leave(&flags);
}

static volatile bool other_done;

static void *idle_task(void *arg)
{
	struct mm_task *t = arg;

	mm_task_register(t);
	while (!other_done)
		usleep(1000);
	mm_task_unregister(t);
	return NULL;
}

START_TEST(psi_some_full_and_tasks)
{
	struct mm_task self = { .name = "self" }, other = { .name = "other" };
	struct psi_memory pm;
	unsigned long outer, inner;
	pthread_t th;

	reclaim_test_boot(64 * MiB, 2, 0);
	mm_task_register(&self);
	/* Alone: every running task is stalled, so full == some. */
	stall_ms(50);
	psi_memory_read(&pm);
	ck_assert_uint_ge(pm.some_total_us, 50000);
	ck_assert_uint_ge(pm.full_total_us, 50000);
	ck_assert_uint_ge(self.memstall_ns, 50000000ULL);

	/* Nested stalls (swap-in that reclaims) count once. */
	psi_memstall_enter(&outer);
	psi_memstall_enter(&inner);
	usleep(20000);
	psi_memstall_leave(&inner);
	psi_memstall_leave(&outer);
	ck_assert_uint_ge(self.memstall_ns, 70000000ULL);
	ck_assert_uint_lt(self.memstall_ns, 200000000ULL);

	/* With a second task running, a stall is "some" but not "full". */
	ck_assert_int_eq(pthread_create(&th, NULL, idle_task, &other), 0);
	while (mm_task_nr_running() < 2)
		usleep(1000);
	psi_memory_read(&pm);
	{
		uint64_t some = pm.some_total_us, full = pm.full_total_us;

		stall_ms(50);
		psi_memory_read(&pm);
		ck_assert_uint_ge(pm.some_total_us - some, 50000);
		ck_assert_uint_lt(pm.full_total_us - full, 5000);
	}
	other_done = true;
	pthread_join(th, NULL);
	mm_task_unregister(&self);
}
END_TEST

/* A 1 s stall in a ~2.1 s period: avg10 folds in ~47% * (1 - 1677/2048). */
START_TEST(psi_averages)
{
	char buf[256];
	struct psi_memory pm;
	struct seq_buf s;
	unsigned long flags;

	reclaim_test_boot(64 * MiB, 1, 0);
	psi_memstall_enter(&flags);	/* the first change starts the averaging clock */
	usleep(1000000);
	psi_memstall_leave(&flags);
	usleep(1100000);
	psi_memory_read(&pm);
	ck_assert_uint_ge(pm.some_avg[0], 700);		/* 7.00% */
	ck_assert_uint_le(pm.some_avg[0], 1000);
	ck_assert_uint_gt(pm.some_avg[1], pm.some_avg[2]);
	ck_assert_uint_gt(pm.some_avg[0], pm.some_avg[1]);
	seq_buf_init(&s, buf, sizeof(buf));
	report_psi_memory(&s);
	ck_assert_msg(!strncmp(buf, "some avg10=", 11) && strstr(buf, "\nfull avg10=") &&
		      strstr(buf, " avg60=") && strstr(buf, " avg300=") && strstr(buf, " total="),
		      "%s", buf);
}
END_TEST

static Suite *psi_suite(void)
{
	Suite *s = suite_create("psi");
	TCase *tc = tcase_create("psi");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, psi_some_full_and_tasks);
	tcase_add_test(tc, psi_averages);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(psi_suite)
