// SPDX-License-Identifier: MIT
/*
 * Golden tests of the /proc formats, on the 512 MiB machine whose free
 * memory is worked out in test_mm_watermark.c: DMA holds four order-10
 * blocks; DMA32 is [4096, 129017) free, i.e. 121 order-10 blocks from pfn
 * 4096 and then 512+256+128+64+32+16+8+1 pages.
 */
#include "unit.h"
#include "mm_test.h"

static const char buddyinfo_golden[] =
	"Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      4 \n"
	"Node 0, zone    DMA32      1      0      0      1      1      1      1      1      1      1    121 \n";

static const char pagetypeinfo_golden[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
	"Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      0      4 \n"
	"Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone    DMA32, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone    DMA32, type      Movable      1      0      0      1      1      1      1      1      1      1    121 \n"
	"Node    0, zone    DMA32, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone    DMA32, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone    DMA32, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            0            8            0            0            0 \n"
	"Node 0, zone    DMA32            0          248            0            0            0 \n";

/* The DMA zone's record, after the per-node stats. */
static const char zoneinfo_dma_golden[] =
	"\n  pages free     4096"
	"\n        boost    0"
	"\n        min      22"
	"\n        low      27"
	"\n        high     32"
	"\n        spanned  4096"
	"\n        present  4096"
	"\n        managed  4096"
	"\n        cma      0"
	"\n        protection: (0, 487, 487, 487)"
	"\n      nr_free_pages 4096"
	"\n      nr_zone_inactive_anon 0"
	"\n      nr_zone_active_anon 0"
	"\n      nr_zone_inactive_file 0"
	"\n      nr_zone_active_file 0"
	"\n      nr_zone_unevictable 0"
	"\n      nr_zone_write_pending 0"
	"\n      nr_mlock     0"
	"\n      nr_bounce    0"
	"\n      nr_zspages   0"
	"\n      nr_free_cma  0"
	"\n      numa_hit     0"
	"\n      numa_miss    0"
	"\n      numa_foreign 0"
	"\n      numa_interleave 0"
	"\n      numa_local   0"
	"\n      numa_other   0"
	"\n  pagesets"
	"\n    cpu: 0"
	"\n              count: 0"
	"\n              high:  27"
	"\n              batch: 1"
	"\n  vm stats threshold: 0"
	"\n  node_unreclaimable:  0"
	"\n  start_pfn:           0\n";

/* Empty zones print their marks and protection only, as Linux's do. */
static const char zoneinfo_normal_golden[] =
	"Node 0, zone   Normal"
	"\n  pages free     0"
	"\n        boost    0"
	"\n        min      0"
	"\n        low      0"
	"\n        high     0"
	"\n        spanned  0"
	"\n        present  0"
	"\n        managed  0"
	"\n        cma      0"
	"\n        protection: (0, 0, 0, 0)\n"
	"Node 0, zone  Movable";

START_TEST(buddyinfo_format)
{
	mm_test_boot(1, 512 * MiB, 1);
	ck_assert_str_eq(mm_report(report_buddyinfo), buddyinfo_golden);
}
END_TEST

START_TEST(pagetypeinfo_format)
{
	mm_test_boot(1, 512 * MiB, 1);
	ck_assert_str_eq(mm_report(report_pagetypeinfo), pagetypeinfo_golden);
}
END_TEST

START_TEST(zoneinfo_format)
{
	const char *zi, *dma;

	mm_test_boot(1, 512 * MiB, 1);
	zi = mm_report(report_zoneinfo);
	{
		static const char head[] = "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0\n";

		ck_assert(strncmp(zi, head, strlen(head)) == 0);
	}
	/* Per-node stats appear once per node, in the first populated zone. */
	ck_assert_ptr_null(strstr(strstr(zi, "per-node stats") + 1, "per-node stats"));
	dma = strstr(zi, "\n  pages free     4096");
	ck_assert_ptr_nonnull(dma);
	ck_assert(strncmp(dma, zoneinfo_dma_golden, strlen(zoneinfo_dma_golden)) == 0);
	ck_assert_ptr_nonnull(strstr(zi, zoneinfo_normal_golden));
	ck_assert_ptr_nonnull(strstr(zi, "\n        min      695\n        low      868\n        high     1041\n"
					 "        spanned  126976\n        present  126976\n        managed  124921\n"));
	ck_assert_ptr_nonnull(strstr(zi, "\n              high:  868\n              batch: 31\n"));
}
END_TEST

START_TEST(vmstat_format)
{
	const char *vs;
	struct page *p;

	mm_test_boot(1, 512 * MiB, 1);
	p = alloc_pages(GFP_KERNEL, 2);
	__free_pages(p, 2);
	vs = mm_report(report_vmstat);
	ck_assert(strncmp(vs, "nr_free_pages ", 14) == 0);
	/* Order-2 refill took max(31 >> 2, 2) = 7 blocks: 28 pages are on the pcp list. */
	ck_assert_ptr_nonnull(strstr(vs, "\nnr_free_pages") == NULL ? vs : NULL);
	ck_assert_ptr_nonnull(strstr(vs, "nr_free_pages 128989\n"));
	ck_assert_ptr_nonnull(strstr(vs, "\npgalloc_dma32 4\n"));
	ck_assert_ptr_nonnull(strstr(vs, "\npgfree 4\n"));
	ck_assert_ptr_nonnull(strstr(vs, "\nnuma_hit 1\n"));
	ck_assert_ptr_nonnull(strstr(vs, "\ncompact_stall 0\n"));
	ck_assert_ptr_nonnull(strstr(vs, "\nballoon_inflate 0\n"));
	/* Every line is "name value". */
	for (const char *l = vs; *l; l = strchr(l, '\n') + 1) {
		const char *sp = strchr(l, ' '), *nl = strchr(l, '\n');

		ck_assert(sp && nl && sp < nl);
		for (const char *d = sp + 1; d < nl; d++)
			ck_assert(*d >= '0' && *d <= '9');
	}
}
END_TEST

START_TEST(two_node_buddyinfo)
{
	const char *bi;

	mm_test_boot(2, 256 * MiB, 2);
	bi = mm_report(report_buddyinfo);
	ck_assert(strncmp(bi, "Node 0, zone      DMA ", 22) == 0);
	ck_assert_ptr_nonnull(strstr(bi, "\nNode 0, zone    DMA32 "));
	ck_assert_ptr_nonnull(strstr(bi, "\nNode 1, zone    DMA32 "));
	/* Node 1 starts at 256 MiB: no DMA zone there. */
	ck_assert_ptr_null(strstr(bi, "Node 1, zone      DMA "));
}
END_TEST

START_TEST(seq_buf_bounds)
{
	char small[16];
	struct seq_buf s;

	seq_buf_init(&s, small, sizeof(small));
	seq_printf(&s, "%s", "0123456789");
	seq_printf(&s, "%s", "0123456789");	/* does not fit: dropped whole */
	ck_assert(seq_buf_overflowed(&s));
	ck_assert_str_eq(small, "0123456789");
	ck_assert_int_eq(mm_snprintf(small, sizeof(small), "%5d|%-4s|%#lx|%03u", -42, "ab", 255UL, 7),
			 19);
	ck_assert_str_eq(small, "  -42|ab  |0xff");
}
END_TEST

/* The formats the guest kernel's messages use, from the one formatter. */
START_TEST(vsprintf_formats)
{
	char buf[128];

	mm_snprintf(buf, sizeof(buf), "%.3d|% d|%+i|%-5c|%5.2s|%*d|%.*s", 7, 5, 3, 'x', "abc", -4,
		    9, 2, "xyz");
	ck_assert_str_eq(buf, "007| 5|+3|x    |   ab|9   |xy");
	mm_snprintf(buf, sizeof(buf), "%hhu|%hd|%o|%#x|%#X|%8.3x|%.0u|", 257, 65535, 8, 0, 255,
		    0xa, 0);
	ck_assert_str_eq(buf, "1|-1|10|0x0|0XFF|     00a||");
	mm_snprintf(buf, sizeof(buf), "%zu|%td|%llx|%p", (size_t)1 << 40, (ptrdiff_t)-2,
		    0x1234567890ULL, (void *)0xabc);
	ck_assert_str_eq(buf, "1099511627776|-2|1234567890|0000000000000abc");
}
END_TEST

static Suite *mm_report_suite(void)
{
	Suite *s = suite_create("mm_report");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, buddyinfo_format);
	tcase_add_test(tc, pagetypeinfo_format);
	tcase_add_test(tc, zoneinfo_format);
	tcase_add_test(tc, vmstat_format);
	tcase_add_test(tc, two_node_buddyinfo);
	tcase_add_test(tc, seq_buf_bounds);
	tcase_add_test(tc, vsprintf_formats);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_report_suite)
