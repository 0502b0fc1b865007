// SPDX-License-Identifier: MIT
/*
 * Swap: pages written out come back bit-exact; slots come in cluster
 * runs and are all given back; a full area and failing I/O are reported
 * and lose nothing.
 */
#include "unit.h"
#include "reclaim_test.h"

#define PAGES	4096UL		/* 16 MiB of anonymous memory */

static void fill_all(struct mm_anon *mm, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		ck_assert(anon_fill(mm, i));
}

static unsigned long count_intact(struct mm_anon *mm, unsigned long n)
{
	unsigned long ok = 0;

	for (unsigned long i = 0; i < n; i++)
		ok += anon_intact(mm, i);
	return ok;
}

START_TEST(swap_roundtrip)
{
	static char meminfo[4096];
	struct test_task tt = { 0 };
	unsigned long freed, out;
	struct seq_buf s;

	reclaim_test_boot(64 * MiB, 1, 8192);
	ck_assert_uint_eq(total_swap_pages(), 8192);
	test_task_start(&tt, "roundtrip", PAGES);
	fill_all(tt.mm, PAGES);
	ck_assert_uint_eq(tt.mm->rss, PAGES);

	freed = shrink_all_memory(2048);
	out = ev(PSWPOUT);
	ck_assert_uint_ge(freed, 2048);
	ck_assert_uint_ge(out, 2048);
	ck_assert_uint_eq(tt.mm->swapents + tt.mm->rss, PAGES);
	ck_assert_uint_eq(total_swap_pages() - nr_swap_pages(), tt.mm->swapents);
	ck_assert_uint_gt(ev(PGSCAN_DIRECT), 0);
	ck_assert_uint_eq(ev(PGSTEAL_DIRECT), freed);

	seq_buf_init(&s, meminfo, sizeof(meminfo));
	report_meminfo(&s);
	ck_assert_ptr_nonnull(strstr(meminfo, "SwapTotal:         32768 kB\n"));
	ck_assert_ptr_nonnull(strstr(meminfo, "MemAvailable:"));
	ck_assert_ptr_nonnull(strstr(meminfo, "Inactive(anon):"));

	/* Every page comes back with its own contents. */
	ck_assert_uint_eq(count_intact(tt.mm, PAGES), PAGES);
	ck_assert_uint_eq(ev(PSWPIN), out);
	ck_assert_uint_eq(tt.mm->swapents, 0);
	ck_assert_uint_eq(nr_swap_pages(), 8192);
	ck_assert_uint_ge((unsigned long)global_node_page_state(WORKINGSET_REFAULT_ANON), out);

	test_task_end(&tt);
	mm_assert_invariants();
	ck_assert_uint_eq(global_node_page_state(NR_INACTIVE_ANON) +
			  global_node_page_state(NR_ACTIVE_ANON), 0);
}
END_TEST

/* Unmapping swapped-out pages gives their slots back. */
START_TEST(swap_unmap_frees_slots)
{
	struct test_task tt = { 0 };

	reclaim_test_boot(64 * MiB, 1, 8192);
	test_task_start(&tt, "unmap", PAGES);
	fill_all(tt.mm, PAGES);
	shrink_all_memory(PAGES);
	ck_assert_uint_gt(tt.mm->swapents, 0);
	anon_discard(tt.mm, ANON_BASE, PAGES * PAGE_SIZE);
	ck_assert_uint_eq(tt.mm->swapents, 0);
	ck_assert_uint_eq(tt.mm->rss, 0);
	ck_assert_uint_eq(nr_swap_pages(), 8192);
	/* Discarded pages read back as zero, not as the old contents. */
	ck_assert(!anon_intact(tt.mm, 7));
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

/* Slots: consecutive runs inside one 256-slot cluster; all come back. */
START_TEST(swap_cluster_runs)
{
	unsigned long slot, slot2;
	unsigned int type, n;

	reclaim_test_boot(64 * MiB, 1, 1024);
	n = swap_alloc_run(SWAP_BATCH, &type, &slot);
	ck_assert_uint_eq(n, SWAP_BATCH);
	ck_assert_uint_eq(slot % SWAPFILE_CLUSTER, 0);
	/* The next run continues the same cluster, and stops at its end. */
	n = swap_alloc_run(SWAPFILE_CLUSTER, &type, &slot2);
	ck_assert_uint_eq(slot2, slot + SWAP_BATCH);
	ck_assert_uint_eq(n, SWAPFILE_CLUSTER - SWAP_BATCH);
	ck_assert_uint_eq(nr_swap_pages(), 1024 - SWAPFILE_CLUSTER);
	/* A slot held by a PTE and by the cache frees only when both let go. */
	swap_free_entry(swp_entry_pte(type, slot));
	ck_assert_uint_eq(nr_swap_pages(), 1024 - SWAPFILE_CLUSTER);
	swapcache_clear(type, slot);
	ck_assert_uint_eq(nr_swap_pages(), 1024 - SWAPFILE_CLUSTER + 1);
	for (unsigned long i = 1; i < SWAPFILE_CLUSTER; i++) {
		swapcache_clear(type, slot + i);
		swap_free_entry(swp_entry_pte(type, slot + i));
	}
	ck_assert_uint_eq(nr_swap_pages(), 1024);
	/* Busy and free slots, as a swap-in sees them. */
	n = swap_alloc_run(1, &type, &slot);
	ck_assert_int_eq(swapcache_prepare(swp_entry_pte(type, slot)), -EAGAIN);
	swapcache_clear(type, slot);
	ck_assert_int_eq(swapcache_prepare(swp_entry_pte(type, slot)), 0);
	swapcache_clear(type, slot);
	swap_free_entry(swp_entry_pte(type, slot));
	ck_assert_int_eq(swapcache_prepare(swp_entry_pte(type, slot)), -ENOENT);
}
END_TEST

/* A full area: reclaim stops swapping, says nothing is lost, pages stay. */
START_TEST(swap_area_full)
{
	struct test_task tt = { 0 };

	reclaim_test_boot(64 * MiB, 1, SWAPFILE_CLUSTER);
	test_task_start(&tt, "full", PAGES);
	fill_all(tt.mm, PAGES);
	shrink_all_memory(PAGES);
	ck_assert_uint_eq(nr_swap_pages(), 0);
	ck_assert_uint_eq(tt.mm->swapents, SWAPFILE_CLUSTER);
	ck_assert_uint_eq(ev(PSWPOUT), SWAPFILE_CLUSTER);
	ck_assert_uint_eq(zone_reclaimable_pages(mm_zone(0, ZONE_DMA32)), 0);
	ck_assert_uint_eq(count_intact(tt.mm, PAGES), PAGES);
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

/* Writes fail: reported, every page stays mapped and intact. */
START_TEST(swap_write_error)
{
	static char log[1 << 14];
	struct test_task tt = { 0 };

	reclaim_test_boot(64 * MiB, 1, 8192);
	test_task_start(&tt, "werr", PAGES);
	fill_all(tt.mm, PAGES);
	hosted_swap_fail(0, true, 0);
	hosted_log_capture(log, sizeof(log));
	ck_assert_uint_eq(shrink_all_memory(1024), 0);
	hosted_log_capture(NULL, 0);
	ck_assert_ptr_nonnull(strstr(log, "Write-error on swap-device"));
	ck_assert_uint_eq(ev(PSWPOUT), 0);
	ck_assert_uint_eq(tt.mm->rss, PAGES);
	ck_assert_uint_eq(tt.mm->swapents, 0);
	ck_assert_uint_eq(nr_swap_pages(), 8192);
	ck_assert_uint_eq(count_intact(tt.mm, PAGES), PAGES);
	/* The device recovers: swap works again. */
	hosted_swap_fail(0, true, -1);
	ck_assert_uint_ge(shrink_all_memory(1024), 1024);
	ck_assert_uint_eq(count_intact(tt.mm, PAGES), PAGES);
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

/* A read fails: that access gets SIGBUS, reported; the data is still there. */
START_TEST(swap_read_error)
{
	static char log[1 << 14];
	struct test_task tt = { 0 };
	unsigned long i;

	reclaim_test_boot(64 * MiB, 1, 8192);
	test_task_start(&tt, "rerr", PAGES);
	fill_all(tt.mm, PAGES);
	shrink_all_memory(PAGES / 2);
	for (i = 0; i < PAGES && anon_pfn(tt.mm, i); i++)
		;
	ck_assert_uint_lt(i, PAGES);		/* page i is out */
	hosted_swap_fail(0, false, 0);
	hosted_log_capture(log, sizeof(log));
	ck_assert(!anon_intact(tt.mm, i));
	hosted_log_capture(NULL, 0);
	ck_assert_ptr_nonnull(strstr(log, "Read-error on swap-device"));
	ck_assert(pte_is_swap(platform_pte_read(tt.mm->as, anon_va(i))));
	hosted_swap_fail(0, false, -1);
	ck_assert_uint_eq(count_intact(tt.mm, PAGES), PAGES);
	test_task_end(&tt);
	mm_assert_invariants();
}
END_TEST

static Suite *swap_suite(void)
{
	Suite *s = suite_create("swap");
	TCase *tc = tcase_create("swap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, swap_roundtrip);
	tcase_add_test(tc, swap_unmap_frees_slots);
	tcase_add_test(tc, swap_cluster_runs);
	tcase_add_test(tc, swap_area_full);
	tcase_add_test(tc, swap_write_error);
	tcase_add_test(tc, swap_read_error);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(swap_suite)
