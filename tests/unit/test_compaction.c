// SPDX-License-Identifier: MIT
/*
 * Compaction: the fragmentation index and suitability for hand-built
 * free lists (worked out in the comments), deferral counting, the two
 * scanners meeting, direct compaction from the slow path, kcompactd, and
 * the extfrag reports.
 */
#include "unit.h"
#include "compaction_test.h"

#include <unistd.h>

/* A zone that exists only for its free-area counts and watermarks. */
static struct zone fake_zone(unsigned long min, unsigned long low, long free)
{
	struct zone z;

	memset(&z, 0, sizeof(z));
	z._watermark[WMARK_MIN] = min;
	z._watermark[WMARK_LOW] = low;
	z._watermark[WMARK_HIGH] = low + (low - min);
	z.vm_stat[NR_FREE_PAGES] = free;
	return z;
}

START_TEST(fragmentation_index_by_hand)
{
	struct zone z = fake_zone(0, 0, 0);

	/* No free memory at all: 0 (reclaim, not compaction). */
	ck_assert_int_eq(fragmentation_index(&z, 4), 0);

	/*
	 * 8 order-0, 4 order-2, 2 order-3 blocks: 40 pages in 14 blocks, none
	 * of order >= 4.  For order 4 (16 pages):
	 *   1000 - (1000 + 40 * 1000 / 16) / 14 = 1000 - 3500 / 14 = 750.
	 */
	z.free_area[0].nr_free = 8;
	z.free_area[2].nr_free = 4;
	z.free_area[3].nr_free = 2;
	ck_assert_int_eq(fragmentation_index(&z, 4), 750);
	/* An order-3 block exists: suitable for order 3, -1000. */
	ck_assert_int_eq(fragmentation_index(&z, 3), -1000);

	/*
	 * 100 single pages for order 9: 1000 - (1000 + 100000 / 512) / 100
	 * = 1000 - 1195 / 100 = 989: badly fragmented.
	 */
	memset(z.free_area, 0, sizeof(z.free_area));
	z.free_area[0].nr_free = 100;
	ck_assert_int_eq(fragmentation_index(&z, 9), 989);

	/*
	 * Five order-9 blocks for order 10: 1000 - (1000 + 2560 * 1000 /
	 * 1024) / 5 = 1000 - 3500 / 5 = 300: memory is short, not scattered.
	 */
	memset(z.free_area, 0, sizeof(z.free_area));
	z.free_area[9].nr_free = 5;
	ck_assert_int_eq(fragmentation_index(&z, 10), 300);
}
END_TEST

START_TEST(suitability_by_hand)
{
	/* min 100, low 125. */
	struct zone z = fake_zone(100, 125, 0);

	/*
	 * Order 2 is not costly: min + 2 << 2 = 108 must be exceeded.  With
	 * all free pages single, the index does not matter below order 4.
	 */
	z.vm_stat[NR_FREE_PAGES] = 108;
	z.free_area[0].nr_free = 108;
	ck_assert(!compaction_suitable(&z, 2, ZONE_NORMAL));
	z.vm_stat[NR_FREE_PAGES] = 109;
	z.free_area[0].nr_free = 109;
	ck_assert(compaction_suitable(&z, 2, ZONE_NORMAL));

	/*
	 * Order 9 is costly: low + 2 << 9 = 1149 must be exceeded, and the
	 * index must be above 500.  4 order-8 blocks + 126 singles = 1150
	 * pages in 130 blocks: 1000 - (1000 + 1150000 / 512) / 130
	 * = 1000 - 3246 / 130 = 976: fragmented, compaction helps.
	 */
	memset(z.free_area, 0, sizeof(z.free_area));
	z.free_area[8].nr_free = 4;
	z.free_area[0].nr_free = 126;
	z.vm_stat[NR_FREE_PAGES] = 1150;
	ck_assert_int_eq(fragmentation_index(&z, 9), 976);
	ck_assert(compaction_suitable(&z, 9, ZONE_NORMAL));
	z.vm_stat[NR_FREE_PAGES] = 1149;
	ck_assert(!compaction_suitable(&z, 9, ZONE_NORMAL));

	/*
	 * Order 10 with five order-9 blocks (2560 pages): the watermark
	 * (125 + 2048 = 2173) is met, but the index is 300 <= 500: memory
	 * is short, so compaction is not suitable.
	 */
	memset(z.free_area, 0, sizeof(z.free_area));
	z.free_area[9].nr_free = 5;
	z.vm_stat[NR_FREE_PAGES] = 2560;
	ck_assert(!compaction_suitable(&z, 10, ZONE_NORMAL));
	/* A lowmem reserve against the caller's zone counts too. */
	z.free_area[0].nr_free = 1000;
	z.vm_stat[NR_FREE_PAGES] = 2560 + 1000;
	ck_assert(compaction_suitable(&z, 10, ZONE_NORMAL));
	z.lowmem_reserve[ZONE_NORMAL] = 1500;
	ck_assert(!compaction_suitable(&z, 10, ZONE_NORMAL));
}
END_TEST

START_TEST(deferral_counting)
{
	struct zone z = fake_zone(0, 0, 0);
	int skipped;

	/* Never failed: never deferred. */
	ck_assert(!compaction_deferred(&z, 9));

	/* First failure at order 4: the next attempt is skipped, the one after runs. */
	defer_compaction(&z, 4);
	ck_assert_uint_eq(z.compact_defer_shift, 1);
	ck_assert_int_eq(z.compact_order_failed, 0);	/* never raised above 0 yet */
	z.compact_order_failed = 4;
	ck_assert(!compaction_deferred(&z, 3));		/* smaller orders are not deferred */
	ck_assert(compaction_deferred(&z, 4));
	ck_assert(!compaction_deferred(&z, 4));

	/* Each further failure doubles the skips: 3, 7, 15, ... up to 63. */
	for (unsigned int shift = 2; shift <= 8; shift++) {
		defer_compaction(&z, 5);
		ck_assert_uint_eq(z.compact_defer_shift, min(shift, (unsigned int)COMPACT_MAX_DEFER_SHIFT));
		for (skipped = 0; compaction_deferred(&z, 5); skipped++)
			;
		ck_assert_int_eq(skipped, (1 << z.compact_defer_shift) - 1);
	}
	/* At the limit and through it: compaction restarts from scratch. */
	ck_assert(compaction_restarting(&z, 5));
	ck_assert(!compaction_restarting(&z, 3));

	/* Success at order 6 without an allocation: orders <= 6 are fine, deferral stays. */
	compaction_defer_reset(&z, 6, false);
	ck_assert_int_eq(z.compact_order_failed, 7);
	ck_assert_uint_eq(z.compact_defer_shift, COMPACT_MAX_DEFER_SHIFT);
	compaction_defer_reset(&z, 6, true);
	ck_assert_uint_eq(z.compact_defer_shift, 0);
	ck_assert_uint_eq(z.compact_considered, 0);
}
END_TEST

/*
 * Fill most of DMA32 with anonymous pages, free every other one: the
 * migrate scanner must empty every block below where the scanners meet,
 * into blocks above it, and every page must keep its contents.
 */
START_TEST(scanners_meet)
{
	struct zone *z;
	struct mm_anon *mm;
	unsigned long n, pages, before9, meet;
	struct compact_control cc;

	mm_test_boot(1, 64 * MiB, 1);
	z = mm_zone(0, ZONE_DMA32);
	mm = mm_anon_create();
	pages = z->managed_pages * 8 / 10;
	ck_assert_int_eq(anon_map(mm, ANON_BASE, pages * PAGE_SIZE, true), 0);
	for (n = 0; n < pages; n++)
		ck_assert(anon_fill(mm, n));
	for (n = 0; n < pages; n += 2)
		anon_discard(mm, anon_va(n), PAGE_SIZE);
	drain_all_pages(NULL);
	before9 = 0;
	for (unsigned int o = pageblock_order; o < NR_PAGE_ORDERS; o++)
		before9 += z->free_area[o].nr_free << (o - pageblock_order);

	memset(&cc, 0, sizeof(cc));
	cc.zone = z;
	cc.order = -1;
	cc.mode = MIGRATE_SYNC;
	cc.whole_zone = true;
	cc.ignore_skip_hint = true;
	ck_assert_int_eq(compact_zone(&cc, NULL), COMPACT_COMPLETE);

	/* Met: the free scanner's next block is at or below the migrate scanner's. */
	ck_assert_uint_le(cc.free_pfn >> pageblock_order, cc.migrate_pfn >> pageblock_order);
	meet = pageblock_start_pfn(cc.migrate_pfn);
	ck_assert_uint_gt(cc.nr_migrated, 0);
	/* Cached positions start over at the zone's ends. */
	ck_assert_uint_eq(z->compact_cached_migrate_pfn[1], z->zone_start_pfn);
	ck_assert_uint_eq(z->compact_cached_free_pfn, pageblock_start_pfn(zone_end_pfn(z) - 1));

	for (n = 1; n < pages; n += 2) {
		unsigned long pfn = anon_pfn(mm, n);

		ck_assert_msg(pfn >= meet || !zone_spans_pfn(z, pfn),
			      "page %lu at pfn %#lx below the meeting point %#lx", n, pfn, meet);
		ck_assert_msg(anon_intact(mm, n), "page %lu lost its contents", n);
	}
	/* Below the meeting point the zone is free and merged. */
	{
		unsigned long after9 = 0;

		for (unsigned int o = pageblock_order; o < NR_PAGE_ORDERS; o++)
			after9 += z->free_area[o].nr_free << (o - pageblock_order);
		ck_assert_uint_ge(after9, before9 + (meet - z->zone_start_pfn) / pageblock_nr_pages / 2);
	}
	ck_assert_uint_gt(sum_vm_event(COMPACTMIGRATE_SCANNED), 0);
	ck_assert_uint_gt(sum_vm_event(COMPACTFREE_SCANNED), 0);
	ck_assert_uint_ge(sum_vm_event(COMPACTISOLATED), 2 * cc.nr_migrated);
	mm_assert_invariants();
	mm_anon_destroy(mm);
}
END_TEST

/* Fragment DMA32 with a movable half, then ask the slow path for order 9. */
static struct mm_anon *fragment_dma32(struct zone *z, unsigned long *pages)
{
	struct mm_anon *mm = mm_anon_create();
	unsigned long n;

	*pages = 0;
	ck_assert_int_eq(anon_map(mm, ANON_BASE, z->managed_pages * PAGE_SIZE, true), 0);
	/* Until the zone is near its low mark, where the fast path stops. */
	for (n = 0; zone_page_state(z, NR_FREE_PAGES) > (long)(low_wmark_pages(z) + 64); n++)
		ck_assert(anon_fill(mm, n));
	for (unsigned long i = 0; i < n; i += 2)
		anon_discard(mm, anon_va(i), PAGE_SIZE);
	drain_all_pages(NULL);
	*pages = n;
	return mm;
}

START_TEST(direct_compaction_from_slowpath)
{
	struct zone *z;
	struct mm_anon *mm;
	unsigned long pages, stall0, success0;
	struct page *page;

	mm_test_boot_dma32(64 * MiB);
	z = mm_zone(0, ZONE_DMA32);
	mm = fragment_dma32(z, &pages);
	/* Nothing of order 9 without compaction's help. */
	page = alloc_pages(__GFP_DMA32 | __GFP_NOWARN | __GFP_NOMEMALLOC, pageblock_order);
	ck_assert_ptr_null(page);

	stall0 = sum_vm_event(COMPACTSTALL);
	success0 = sum_vm_event(COMPACTSUCCESS);
	/*
	 * A movable costly request (a huge page, say): async compaction of
	 * Movable blocks first, which is all it takes here.  (An unmovable
	 * one would get async only too: without reclaim progress the slow
	 * path does not escalate, as in Linux.)
	 */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_DMA32 | __GFP_NOWARN, pageblock_order);
	ck_assert_ptr_nonnull(page);
	ck_assert_int_eq(page_zonenum(page), ZONE_DMA32);
	ck_assert_uint_ge(sum_vm_event(COMPACTSTALL), stall0 + 1);
	ck_assert_uint_eq(sum_vm_event(COMPACTSUCCESS), success0 + 1);
	ck_assert_uint_gt(sum_vm_event(PGMIGRATE_SUCCESS), 0);
	for (unsigned long n = 1; n < pages; n += 2)
		ck_assert(anon_intact(mm, n));
	__free_pages(page, pageblock_order);
	mm_anon_destroy(mm);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

START_TEST(kcompactd_proactive_and_woken)
{
	struct zone *z;
	struct mm_anon *mm;
	unsigned long pages, wake0;
	unsigned int score;

	mm_test_boot_dma32(64 * MiB);
	z = mm_zone(0, ZONE_DMA32);
	mm = fragment_dma32(z, &pages);
	score = fragmentation_score_node(NODE_DATA(0));
	/* Half the free memory is single pages: the score is high. */
	ck_assert_uint_gt(score, fragmentation_score_wmark(false));

	set_compaction_proactiveness(0);
	ck_assert_int_eq(kcompactd_run(0), 0);
	wake0 = sum_vm_event(KCOMPACTD_WAKE);
	/* Woken for order 9: compacts, and counts the wake. */
	wakeup_kcompactd(NODE_DATA(0), pageblock_order, ZONE_DMA32);
	for (int i = 0; i < 500 && sum_vm_event(KCOMPACTD_WAKE) == wake0; i++)
		usleep(10000);
	ck_assert_uint_eq(sum_vm_event(KCOMPACTD_WAKE), wake0 + 1);

	/* Proactive: raising proactiveness makes it look at the score now. */
	set_compaction_proactiveness(90);
	for (int i = 0; i < 500 && fragmentation_score_node(NODE_DATA(0)) >
				    fragmentation_score_wmark(false); i++)
		usleep(10000);
	kcompactd_stop(0);
	ck_assert_uint_le(fragmentation_score_node(NODE_DATA(0)), fragmentation_score_wmark(false));
	ck_assert_uint_gt(sum_vm_event(KCOMPACTD_MIGRATE_SCANNED), 0);
	for (unsigned long n = 1; n < pages; n += 2)
		ck_assert(anon_intact(mm, n));
	set_compaction_proactiveness(20);
	mm_anon_destroy(mm);
}
END_TEST

START_TEST(extfrag_reports)
{
	struct mm_anon *mm;
	unsigned long pages;
	const char *r, *p;
	bool positive = false;

	mm_test_boot(1, 64 * MiB, 1);
	r = mm_report(report_extfrag_index);
	/* A fresh machine: order-10 blocks everywhere, every order is suitable. */
	ck_assert_str_eq(r,
		"Node 0, zone      DMA -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 \n"
		"Node 0, zone    DMA32 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 -1.000 \n");
	r = mm_report(report_unusable_index);
	ck_assert_ptr_eq(strstr(r,
		"Node 0, zone      DMA 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 \n"
		"Node 0, zone    DMA32 0.000 "), r);

	/* Fragmented: each field is the index, "%2d.%03d " as debugfs prints it. */
	mm = fragment_dma32(mm_zone(0, ZONE_DMA32), &pages);
	r = mm_report(report_extfrag_index);
	p = strstr(r, "zone    DMA32 ");
	ck_assert_ptr_nonnull(p);
	p += strlen("zone    DMA32 ");
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		int idx = fragmentation_index(mm_zone(0, ZONE_DMA32), o);
		char want[16];

		snprintf(want, sizeof(want), "%2d.%03d ", idx / 1000, idx % 1000);
		ck_assert_msg(strncmp(p, want, strlen(want)) == 0, "order %u: '%.7s' vs '%s'", o, p, want);
		positive |= idx >= 0;
		p += strlen(want);
	}
	ck_assert(positive);
	mm_anon_destroy(mm);
}
END_TEST

static Suite *compaction_suite(void)
{
	Suite *s = suite_create("compaction");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fragmentation_index_by_hand);
	tcase_add_test(tc, suitability_by_hand);
	tcase_add_test(tc, deferral_counting);
	tcase_add_test(tc, scanners_meet);
	tcase_add_test(tc, direct_compaction_from_slowpath);
	tcase_add_test(tc, kcompactd_proactive_and_woken);
	tcase_add_test(tc, extfrag_reports);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(compaction_suite)
