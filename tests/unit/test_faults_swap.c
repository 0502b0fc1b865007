// SPDX-License-Identifier: MIT
/*
 * Swap under failing I/O (docs/fault-injection.md): every page is
 * checksummed before reclaim, the hosted swap device fails writes and
 * reads (transiently or for good), and afterwards every page is read back
 * through the software MMU and must match its checksum.  The counters
 * (pswpout_fail, pswpin_fail), the log and the slot accounting must say
 * what happened.
 */
#include "unit.h"
#include "reclaim_test.h"

#include <guestmm/seq_buf.h>
#include <pthread.h>

#define PAGES		4096UL		/* 16 MiB of anonymous memory */
#define SWAP_PAGES	8192UL

static uint64_t sums[PAGES];

static uint64_t fnv1a(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* Random contents in every page, each page's checksum kept. */
static void fill_checksummed(struct mm_anon *mm, unsigned long n)
{
	static uint64_t buf[PAGE_SIZE / 8];
	uint64_t x = 0x2545f4914f6cdd1dULL;

	for (unsigned long i = 0; i < n; i++) {
		for (unsigned int w = 0; w < PAGE_SIZE / 8; w++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[w] = x;
		}
		sums[i] = fnv1a(buf, PAGE_SIZE);
		ck_assert_int_eq(hosted_access(mm->as, anon_va(i), buf, PAGE_SIZE, true), 0);
	}
}

/* Does page @i read back (0) and match its checksum? */
static bool page_ok(struct mm_anon *mm, unsigned long i)
{
	static uint64_t buf[PAGE_SIZE / 8];

	return hosted_access(mm->as, anon_va(i), buf, PAGE_SIZE, false) == 0 &&
	       fnv1a(buf, PAGE_SIZE) == sums[i];
}

/* Pages that do not read back bit-exact: the lost ones. */
static unsigned long lost_pages(struct mm_anon *mm, unsigned long n)
{
	unsigned long lost = 0;

	for (unsigned long i = 0; i < n; i++)
		lost += !page_ok(mm, i);
	return lost;
}

/* Every page is either mapped or in exactly one swap slot the area counts. */
static void assert_accounted(struct test_task *tt)
{
	ck_assert_uint_eq(tt->mm->rss + tt->mm->swapents, tt->pages);
	ck_assert_uint_eq(total_swap_pages() - nr_swap_pages(), tt->mm->swapents);
}

static unsigned long first_swapped(struct mm_anon *mm)
{
	for (unsigned long i = 0; i < PAGES; i++)
		if (pte_is_swap(platform_pte_read(mm->as, anon_va(i))))
			return i;
	ck_abort_msg("no page was swapped out");
	return 0;
}

/* The vmstat text has the failure counters, with these values. */
static void assert_vmstat(unsigned long out_fail, unsigned long in_fail)
{
	static char text[16384];
	char want[64];
	struct seq_buf s;

	seq_buf_init(&s, text, sizeof(text));
	report_vmstat(&s);
	snprintf(want, sizeof(want), "\npswpout_fail %lu\n", out_fail);
	ck_assert_msg(strstr(text, want), "vmstat has no \"%s\"", want + 1);
	snprintf(want, sizeof(want), "\npswpin_fail %lu\n", in_fail);
	ck_assert_msg(strstr(text, want), "vmstat has no \"%s\"", want + 1);
}

/* Three failing writes, then the device works: nothing lost, then swapping resumes. */
START_TEST(faults_swap_write_transient)
{
	static char log[1 << 14];
	struct test_task tt = { 0 };
	unsigned long freed = 0;

	reclaim_test_boot(64 * MiB, 1, SWAP_PAGES);
	test_task_start(&tt, "wtrans", PAGES);
	fill_checksummed(tt.mm, PAGES);
	hosted_swap_fail_times(0, true, 3);
	hosted_log_capture(log, sizeof(log));
	for (int pass = 0; pass < 8 && freed < 1024; pass++)
		freed += shrink_all_memory(1024);
	hosted_log_capture(NULL, 0);
	ck_assert_uint_ge(freed, 1024);
	ck_assert_ptr_nonnull(strstr(log, "Write-error on swap-device"));
	ck_assert_ptr_nonnull(strstr(log, "pages stay in memory"));
	/* Each failed write kept at least its batch, and the count says so. */
	ck_assert_uint_ge(ev(PSWPOUT_FAIL), 3);
	ck_assert_uint_eq(ev(PSWPOUT), tt.mm->swapents);
	assert_accounted(&tt);
	assert_vmstat(ev(PSWPOUT_FAIL), 0);
	ck_assert_uint_eq(lost_pages(tt.mm, PAGES), 0);
	ck_assert_uint_eq(tt.mm->swapents, 0);
	test_task_end(&tt);
	mm_assert_invariants();
	ck_assert_uint_eq(nr_swap_pages(), SWAP_PAGES);
}
END_TEST

/* Writes work for a while, then fail for good (a full host disk). */
START_TEST(faults_swap_write_until_full)
{
	struct test_task tt = { 0 };

	reclaim_test_boot(64 * MiB, 1, SWAP_PAGES);
	test_task_start(&tt, "wfull", PAGES);
	fill_checksummed(tt.mm, PAGES);
	hosted_swap_fail(0, true, 4);
	shrink_all_memory(PAGES);
	shrink_all_memory(PAGES);
	/* What was written stays written; the rest stayed in memory. */
	ck_assert_uint_gt(tt.mm->swapents, 0);
	ck_assert_uint_lt(tt.mm->swapents, PAGES);
	ck_assert_uint_eq(ev(PSWPOUT), tt.mm->swapents);
	ck_assert_uint_gt(ev(PSWPOUT_FAIL), 0);
	assert_accounted(&tt);
	/* Reads still work: every page comes back, the swapped ones too. */
	ck_assert_uint_eq(lost_pages(tt.mm, PAGES), 0);
	ck_assert_uint_eq(ev(PSWPIN), ev(PSWPOUT));
	hosted_swap_fail(0, true, -1);
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

/* Two failing reads: the third try brings the page in; no signal. */
START_TEST(faults_swap_read_transient)
{
	static char log[1 << 14];
	struct test_task tt = { 0 };
	unsigned long i;

	reclaim_test_boot(64 * MiB, 1, SWAP_PAGES);
	test_task_start(&tt, "rtrans", PAGES);
	fill_checksummed(tt.mm, PAGES);
	shrink_all_memory(PAGES / 2);
	i = first_swapped(tt.mm);
	hosted_swap_fail_times(0, false, 2);
	hosted_log_capture(log, sizeof(log));
	ck_assert(page_ok(tt.mm, i));
	hosted_log_capture(NULL, 0);
	ck_assert_ptr_nonnull(strstr(log, "Read-error on swap-device"));
	ck_assert_ptr_nonnull(strstr(log, "try 2 of 3"));
	ck_assert_ptr_null(strstr(log, "SIGBUS"));
	ck_assert_uint_eq(ev(PSWPIN_FAIL), 2);
	ck_assert_uint_eq(ev(PSWPIN), 1);
	ck_assert_uint_eq(lost_pages(tt.mm, PAGES), 0);
	assert_accounted(&tt);
	assert_vmstat(0, 2);
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

/*
 * Every try fails: that access gets SIGBUS, the page's entry and slot
 * stay, no other page is touched, and the page comes back once the
 * device does.
 */
START_TEST(faults_swap_read_persistent)
{
	static char log[1 << 14];
	struct test_task tt = { 0 };
	unsigned long i, swapents;

	reclaim_test_boot(64 * MiB, 1, SWAP_PAGES);
	test_task_start(&tt, "rperm", PAGES);
	fill_checksummed(tt.mm, PAGES);
	shrink_all_memory(PAGES / 2);
	i = first_swapped(tt.mm);
	swapents = tt.mm->swapents;
	hosted_swap_fail_times(0, false, 3);
	hosted_log_capture(log, sizeof(log));
	ck_assert(!page_ok(tt.mm, i));
	hosted_log_capture(NULL, 0);
	ck_assert_ptr_nonnull(strstr(log, "after 3 tries, SIGBUS"));
	ck_assert_uint_eq(ev(PSWPIN_FAIL), 3);
	ck_assert_uint_eq(ev(PSWPIN), 0);
	ck_assert(pte_is_swap(platform_pte_read(tt.mm->as, anon_va(i))));
	ck_assert_uint_eq(tt.mm->swapents, swapents);
	assert_accounted(&tt);
	/* The device answers again: nothing was lost, that page included. */
	ck_assert_uint_eq(lost_pages(tt.mm, PAGES), 0);
	ck_assert_uint_eq(tt.mm->swapents, 0);
	test_task_end(&tt);
	mm_assert_invariants();
	ck_assert_uint_eq(nr_swap_pages(), SWAP_PAGES);
}
END_TEST

/*
 * Rounds of reclaim and partial re-reads with a few failures each way
 * (never three reads in a row, so no access is refused): at the end
 * every page is bit-exact and every count adds up.
 */
START_TEST(faults_swap_mixed_rounds)
{
	struct test_task tt = { 0 };
	unsigned long armed_in_fail = 0;

	reclaim_test_boot(64 * MiB, 1, SWAP_PAGES);
	test_task_start(&tt, "mixed", PAGES);
	fill_checksummed(tt.mm, PAGES);
	for (unsigned int r = 0; r < 8; r++) {
		hosted_swap_fail_times(0, true, r % 3);
		shrink_all_memory(PAGES / 4);
		hosted_swap_fail_times(0, true, 0);
		assert_accounted(&tt);
		hosted_swap_fail_times(0, false, r % 3);
		/* Touch a stride of pages: some were out, and come back through the failures. */
		for (unsigned long i = r; i < PAGES; i += 7)
			ck_assert_msg(page_ok(tt.mm, i), "round %u: page %lu", r, i);
		armed_in_fail += r % 3;
		hosted_swap_fail_times(0, false, 0);
	}
	ck_assert_uint_gt(ev(PSWPOUT), 0);
	ck_assert_uint_gt(ev(PSWPOUT_FAIL), 0);
	ck_assert_uint_le(ev(PSWPIN_FAIL), armed_in_fail);
	ck_assert_uint_gt(ev(PSWPIN_FAIL), 0);
	ck_assert_uint_eq(lost_pages(tt.mm, PAGES), 0);
	assert_accounted(&tt);
	test_task_end(&tt);
	mm_assert_invariants();
	ck_assert_uint_eq(nr_swap_pages(), SWAP_PAGES);
}
END_TEST

/* The hog: fills its pages until the OOM killer stops it. */
static void *hog_run(void *arg)
{
	struct test_task *tt = arg;
	unsigned long i;

	hosted_set_cpu(1);
	for (i = 0; i < tt->pages && !tt->killed; i++)
		if (!anon_fill(tt->mm, i))
			break;
	tt->done = true;
	return NULL;
}

/*
 * The swap device fills up (every write fails from some point on) while
 * a task needs more than RAM: reclaim cannot swap, so the OOM killer
 * takes the hog, in bounded time, and the other task's pages are intact.
 */
START_TEST(faults_swap_full_oom)
{
	static char log[1 << 15];
	struct test_task small = { 0 }, hog = { 0 };
	pthread_t th;

	reclaim_test_boot(64 * MiB, 2, SWAP_PAGES);
	ck_assert_int_eq(kswapd_run(0), 0);
	test_task_start(&small, "small", 2048);
	fill_checksummed(small.mm, 2048);
	test_task_start(&hog, "hog", 96 * MiB / PAGE_SIZE);
	hosted_swap_fail(0, true, 8);
	hosted_log_capture(log, sizeof(log));
	ck_assert_int_eq(pthread_create(&th, NULL, hog_run, &hog), 0);
	pthread_join(th, NULL);
	hosted_log_capture(NULL, 0);
	kswapd_stop(0);
	ck_assert_msg(hog.killed, "the hog was not OOM-killed: %s", log);
	ck_assert(!small.killed);
	ck_assert_uint_eq(ev(OOM_KILL), 1);
	ck_assert_ptr_nonnull(strstr(log, "Write-error on swap-device"));
	ck_assert_ptr_nonnull(strstr(log, "Out of memory: Killed process"));
	ck_assert_uint_gt(ev(PSWPOUT_FAIL), 0);
	/*
	 * A failed write ends swapping for the rest of its reclaim call:
	 * ~600 pages kept on the way to the OOM kill here, where retrying
	 * every 32 pages scanned kept over 400000 (and took minutes nested).
	 */
	ck_assert_uint_lt(ev(PSWPOUT_FAIL), 5000);
	test_task_end(&hog);
	hosted_swap_fail(0, true, -1);
	ck_assert_uint_eq(lost_pages(small.mm, 2048), 0);
	test_task_end(&small);
	mm_assert_invariants();
}
END_TEST

static Suite *faults_swap_suite(void)
{
	Suite *s = suite_create("faults_swap");
	TCase *tc = tcase_create("faults_swap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, faults_swap_write_transient);
	tcase_add_test(tc, faults_swap_write_until_full);
	tcase_add_test(tc, faults_swap_read_transient);
	tcase_add_test(tc, faults_swap_read_persistent);
	tcase_add_test(tc, faults_swap_mixed_rounds);
	tcase_add_test(tc, faults_swap_full_oom);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(faults_swap_suite)
