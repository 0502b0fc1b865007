// SPDX-License-Identifier: MIT
/*
 * Watermarks, lowmem_reserve and per-CPU batch/high, worked out by hand
 * from Linux's formulas for three machines.  The managed page counts are
 * the RAM minus what boot reserves: the memory map (64 bytes a page), one
 * page of event counters, one page of per-CPU page sets per zone (4 zones
 * per node) and one page of pageblock flags per populated zone.
 */
#include "unit.h"
#include "mm_test.h"

static void assert_marks(struct zone *z, unsigned long managed, unsigned long min,
			 unsigned long low, unsigned long high)
{
	ck_assert_uint_eq(z->managed_pages, managed);
	ck_assert_uint_eq(min_wmark_pages(z), min);
	ck_assert_uint_eq(low_wmark_pages(z), low);
	ck_assert_uint_eq(high_wmark_pages(z), high);
}

static void assert_reserve(struct zone *z, long dma, long dma32, long normal, long movable)
{
	ck_assert_int_eq(z->lowmem_reserve[ZONE_DMA], dma);
	ck_assert_int_eq(z->lowmem_reserve[ZONE_DMA32], dma32);
	ck_assert_int_eq(z->lowmem_reserve[ZONE_NORMAL], normal);
	ck_assert_int_eq(z->lowmem_reserve[ZONE_MOVABLE], movable);
}

static void assert_pcp(struct zone *z, unsigned int cpu, int batch, int high)
{
	ck_assert_int_eq(zone_pcp(z, cpu)->batch, batch);
	ck_assert_int_eq(zone_pcp(z, cpu)->high, high);
}

/*
 * 512 MiB, one node, one CPU.  131072 pages; boot reserves 2048 (memory
 * map) + 1 + 4 + 2 = 2055, all at the top of DMA32.
 *   managed: DMA 4096, DMA32 126976 - 2055 = 124921; lowmem 129017 pages
 *   min_free_kbytes = int_sqrt(129017 * 4 * 16) = int_sqrt(8257088) = 2873
 *   pages_min = 2873 / 4 = 718
 *   DMA:   min = 718 * 4096 / 129017 = 22; gap = max(22/4, 4096*10/10000) = max(5, 4) = 5
 *   DMA32: min = 718 * 124921 / 129017 = 695; gap = max(173, 124) = 173
 *   reserve: DMA against DMA32.. = 124921 / 256 = 487
 *   pcp: DMA batch max(1, rounddown_pow2(1 + 0) - 1) = 1, high max(27 / 1, 4) = 27
 *        DMA32 batch: 124921 >> 10 = 121, / 4 = 30, rounddown_pow2(45) - 1 = 31;
 *        high = 868 / 1 = 868
 */
START_TEST(marks_512m_one_node)
{
	mm_test_boot(1, 512 * MiB, 1);
	ck_assert_int_eq(min_free_kbytes, 2873);
	assert_marks(mm_zone(0, ZONE_DMA), 4096, 22, 27, 32);
	assert_marks(mm_zone(0, ZONE_DMA32), 124921, 695, 868, 1041);
	assert_reserve(mm_zone(0, ZONE_DMA), 0, 487, 487, 487);
	assert_reserve(mm_zone(0, ZONE_DMA32), 0, 0, 0, 0);
	assert_pcp(mm_zone(0, ZONE_DMA), 0, 1, 27);
	assert_pcp(mm_zone(0, ZONE_DMA32), 0, 31, 868);
	ck_assert(!managed_zone(mm_zone(0, ZONE_NORMAL)));
}
END_TEST

/*
 * 2 x 1 GiB, two CPUs.  Node 0 reserves 8192 (memory map for 524288
 * pages) + 1 + 4 + 2 = 8199 pages; node 1 reserves its 4 per-CPU pages and
 * 1 pageblock page = 5.
 *   managed: N0 DMA 4096, N0 DMA32 258048 - 8199 = 249849, N1 DMA32 262144 - 5 = 262139
 *   lowmem 516084 pages: min_free_kbytes = int_sqrt(516084 * 64) = int_sqrt(33029376) = 5747
 *   pages_min = 1436
 *   N0 DMA:   min = 1436 * 4096 / 516084 = 11, gap max(2, 4) = 4
 *   N0 DMA32: min = 1436 * 249849 / 516084 = 695, gap max(173, 249) = 249
 *   N1 DMA32: min = 1436 * 262139 / 516084 = 729, gap max(182, 262) = 262
 *   reserve: N0 DMA = 249849 / 256 = 975 (own node's upper zones only)
 *   pcp: N0 DMA32 batch 63, high max(944 / 2, 252) = 472
 *        N1 DMA32 batch 63, high max(991 / 2, 252) = 495
 */
START_TEST(marks_two_nodes)
{
	mm_test_boot(2, 1 * GiB, 2);
	ck_assert_int_eq(min_free_kbytes, 5747);
	assert_marks(mm_zone(0, ZONE_DMA), 4096, 11, 15, 19);
	assert_marks(mm_zone(0, ZONE_DMA32), 249849, 695, 944, 1193);
	assert_marks(mm_zone(1, ZONE_DMA32), 262139, 729, 991, 1253);
	assert_reserve(mm_zone(0, ZONE_DMA), 0, 975, 975, 975);
	assert_reserve(mm_zone(1, ZONE_DMA32), 0, 0, 0, 0);
	assert_pcp(mm_zone(0, ZONE_DMA32), 0, 63, 472);
	assert_pcp(mm_zone(0, ZONE_DMA32), 1, 63, 472);
	assert_pcp(mm_zone(1, ZONE_DMA32), 1, 63, 495);
	ck_assert_uint_eq(mm_zone(1, ZONE_DMA32)->zone_start_pfn, 262144);
	ck_assert(!populated_zone(mm_zone(1, ZONE_DMA)));
}
END_TEST

/*
 * 6 GiB, one node: DMA, DMA32 up to 4 GiB, Normal above.  The boot tables
 * (24576 pages of memory map + 1 + 4 + 3) come from the top, in Normal.
 *   managed: DMA 4096, DMA32 1044480, Normal 524288 - 24584 = 499704; lowmem 1548280
 *   min_free_kbytes = int_sqrt(1548280 * 64) = int_sqrt(99089920) = 9954; pages_min 2488
 *   DMA:    min = 2488 * 4096 / 1548280 = 6, gap max(1, 4) = 4
 *   DMA32:  min = 2488 * 1044480 / 1548280 = 1678, gap max(419, 1044) = 1044
 *   Normal: min = 2488 * 499704 / 1548280 = 802, gap max(200, 499) = 499
 *   reserve: DMA: 1044480/256 = 4080 against DMA32, 1544184/256 = 6031 against Normal
 *            DMA32: 499704/256 = 1951 against Normal; Normal (ratio 32): 0 against Movable
 */
START_TEST(marks_with_normal_zone)
{
	mm_test_boot(1, 6 * GiB, 1);
	ck_assert_int_eq(min_free_kbytes, 9954);
	assert_marks(mm_zone(0, ZONE_DMA), 4096, 6, 10, 14);
	assert_marks(mm_zone(0, ZONE_DMA32), 1044480, 1678, 2722, 3766);
	assert_marks(mm_zone(0, ZONE_NORMAL), 499704, 802, 1301, 1800);
	assert_reserve(mm_zone(0, ZONE_DMA), 0, 4080, 6031, 6031);
	assert_reserve(mm_zone(0, ZONE_DMA32), 0, 0, 1951, 1951);
	assert_reserve(mm_zone(0, ZONE_NORMAL), 0, 0, 0, 0);
	/*
	 * totalreserve: per zone, max reserve + high, at most the zone's size:
	 * DMA min(6031 + 14, 4096) + DMA32 (1951 + 3766) + Normal (0 + 1800)
	 */
	ck_assert_uint_eq(totalreserve_pages, 4096 + 5717 + 1800);
}
END_TEST

/* Changing the tunables recomputes the marks and per-CPU high. */
START_TEST(tunables_recompute)
{
	struct zone *z;

	mm_test_boot(1, 512 * MiB, 1);
	z = mm_zone(0, ZONE_DMA32);
	/* 8192 kB -> 2048 pages; DMA32 share 2048 * 124921 / 129017 = 1982, gap 495 */
	ck_assert_int_eq(set_min_free_kbytes(8192), 0);
	assert_marks(z, 124921, 1982, 2477, 2972);
	ck_assert_int_eq(zone_pcp(z, 0)->high, 2477);
	/* scale factor 100 (1%): gap max(495, 1249) = 1249 */
	ck_assert_int_eq(set_watermark_scale_factor(100), 0);
	assert_marks(z, 124921, 1982, 3231, 4480);
	ck_assert_int_eq(set_watermark_scale_factor(0), -1);
	ck_assert_int_eq(set_min_free_kbytes(-1), -1);
}
END_TEST

/*
 * The check itself: free pages must exceed min + lowmem_reserve; __GFP_HIGH
 * halves min, a non-blocking caller takes a further quarter, an OOM victim
 * halves again; order > 0 also needs a free block of that order.
 */
START_TEST(watermark_check_semantics)
{
	struct zone *z;
	unsigned int high_flags = ALLOC_MIN_RESERVE, atomic_flags = ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK;

	mm_test_boot(1, 512 * MiB, 1);
	z = mm_zone(0, ZONE_DMA32);
	/* mark 800: plain needs > 800, HIGH > 400, ATOMIC > 300, OOM > 200 */
	ck_assert(!__zone_watermark_ok(z, 0, 800, ZONE_DMA32, 0, 800));
	ck_assert(__zone_watermark_ok(z, 0, 800, ZONE_DMA32, 0, 801));
	ck_assert(!__zone_watermark_ok(z, 0, 800, ZONE_DMA32, high_flags, 400));
	ck_assert(__zone_watermark_ok(z, 0, 800, ZONE_DMA32, high_flags, 401));
	ck_assert(!__zone_watermark_ok(z, 0, 800, ZONE_DMA32, atomic_flags, 300));
	ck_assert(__zone_watermark_ok(z, 0, 800, ZONE_DMA32, atomic_flags, 301));
	ck_assert(!__zone_watermark_ok(z, 0, 800, ZONE_DMA32, ALLOC_OOM, 400));
	ck_assert(__zone_watermark_ok(z, 0, 800, ZONE_DMA32, ALLOC_OOM, 401));
	/* The order discount: an order-3 request needs 7 more pages. */
	ck_assert(!__zone_watermark_ok(z, 3, 800, ZONE_DMA32, 0, 807));
	ck_assert(__zone_watermark_ok(z, 3, 800, ZONE_DMA32, 0, 808));
	/* lowmem_reserve: DMA refuses a Normal-capable request below min + 487. */
	ck_assert(!__zone_watermark_ok(mm_zone(0, ZONE_DMA), 0, 22, ZONE_NORMAL, 0, 509));
	ck_assert(__zone_watermark_ok(mm_zone(0, ZONE_DMA), 0, 22, ZONE_NORMAL, 0, 510));
	ck_assert(__zone_watermark_ok(mm_zone(0, ZONE_DMA), 0, 22, ZONE_DMA, 0, 23));
	/* Order check: the free lists have order-10 blocks, so any order passes. */
	ck_assert(__zone_watermark_ok(z, 10, 800, ZONE_DMA32, 0, 100000));
}
END_TEST

START_TEST(min_free_kbytes_clamps)
{
	ck_assert_uint_eq(int_sqrt(0), 0);
	ck_assert_uint_eq(int_sqrt(15), 3);
	ck_assert_uint_eq(int_sqrt(16), 4);
	ck_assert_uint_eq(int_sqrt(8257088), 2873);
	/* 16 MiB machine: sqrt(4096*4*16) = 512; 1 MiB would give 128 (the floor). */
	mm_test_boot(1, 16 * MiB, 1);
	ck_assert_int_ge(min_free_kbytes, 128);
	ck_assert_int_le(min_free_kbytes, 512);
}
END_TEST

static Suite *mm_watermark_suite(void)
{
	Suite *s = suite_create("mm_watermark");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, marks_512m_one_node);
	tcase_add_test(tc, marks_two_nodes);
	tcase_add_test(tc, marks_with_normal_zone);
	tcase_add_test(tc, tunables_recompute);
	tcase_add_test(tc, watermark_check_semantics);
	tcase_add_test(tc, min_free_kbytes_clamps);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_watermark_suite)
