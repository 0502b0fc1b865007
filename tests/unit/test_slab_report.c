// SPDX-License-Identifier: MIT
/*
 * Golden tests of /proc/slabinfo (version 2.1, Linux's widths) and the
 * slabtop summary, on a 1-CPU machine after a known set of allocations.
 * Worked out: kmalloc-64 has 64 objects per page; 100 kmallocs took one
 * slab whole and 61 objects of a second (the per-CPU array holds the
 * rest of its batch), so 125 of 128 are active.  kmalloc(3000) is
 * kmalloc-4k: 8 objects on 8 pages.  golden_cache's 100-byte objects take
 * 104-byte slots, 39 to a page (40 bytes left over, under 1/16).  The
 * kmem_cache cache holds golden_cache's structure (960-byte slots, 8 to
 * its two pages).  slabtop: 244 of 254 objects, 90648 of 97560 bytes
 * (88.52K / 95.27K), caches by memory.
 */
#include "unit.h"
#include "slab_test.h"

#include <guestmm/namecache.h>

static const char slabinfo_golden[] =
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
	"golden_cache          39     39    104   39    1 : tunables  120   60    0 : slabdata      1      1      0\n"
	"namecache             63     63    192   21    1 : tunables  120   60    0 : slabdata      3      3      0\n"
	"kmalloc-8k             0      0   8192    4    8 : tunables    8    4    0 : slabdata      0      0      0\n"
	"kmalloc-4k            16     16   4096    8    8 : tunables   24   12    0 : slabdata      2      2      0\n"
	"kmalloc-2k             0      0   2048    8    4 : tunables   24   12    0 : slabdata      0      0      0\n"
	"kmalloc-1k             0      0   1024    8    2 : tunables   54   27    0 : slabdata      0      0      0\n"
	"kmalloc-512            0      0    512    8    1 : tunables   54   27    0 : slabdata      0      0      0\n"
	"kmalloc-256            0      0    256   16    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmalloc-192            0      0    192   21    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmalloc-128            0      0    128   32    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmalloc-96             0      0     96   42    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmalloc-64           125    128     64   64    1 : tunables  120   60    0 : slabdata      2      2      0\n"
	"kmalloc-32             0      0     32  128    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmalloc-16             0      0     16  256    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmalloc-8              0      0      8  512    1 : tunables  120   60    0 : slabdata      0      0      0\n"
	"kmem_cache             1      8    960    8    2 : tunables   54   27    0 : slabdata      1      1      0\n";

static const char slabtop_golden[] =
	" Active / Total Objects (% used)    : 244 / 254 (96.1%)\n"
	" Active / Total Slabs (% used)      : 9 / 9 (100.0%)\n"
	" Active / Total Caches (% used)     : 5 / 16 (31.3%)\n"
	" Active / Total Size (% used)       : 88.52K / 95.27K (92.9%)\n"
	" Minimum / Average / Maximum Object : 0.01K / 0.38K / 8.00K\n"
	"\n"
	"  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME                   \n"
	"    16     16 100%    4.00K      2        8        64K kmalloc-4k             \n"
	"    63     63 100%    0.19K      3       21        12K namecache              \n"
	"   128    125  97%    0.06K      2       64         8K kmalloc-64             \n"
	"     8      1  12%    0.94K      1        8         8K kmem_cache             \n"
	"    39     39 100%    0.10K      1       39         4K golden_cache           \n"
	"     0      0   0%    8.00K      0        4         0K kmalloc-8k             \n"
	"     0      0   0%    2.00K      0        8         0K kmalloc-2k             \n"
	"     0      0   0%    1.00K      0        8         0K kmalloc-1k             \n"
	"     0      0   0%    0.50K      0        8         0K kmalloc-512            \n"
	"     0      0   0%    0.25K      0       16         0K kmalloc-256            \n"
	"     0      0   0%    0.19K      0       21         0K kmalloc-192            \n"
	"     0      0   0%    0.13K      0       32         0K kmalloc-128            \n"
	"     0      0   0%    0.09K      0       42         0K kmalloc-96             \n"
	"     0      0   0%    0.03K      0      128         0K kmalloc-32             \n"
	"     0      0   0%    0.02K      0      256         0K kmalloc-16             \n"
	"     0      0   0%    0.01K      0      512         0K kmalloc-8              \n";

static void known_allocations(void)
{
	struct kmem_cache *s;
	char name[32];

	for (int i = 0; i < 100; i++)
		ck_assert_ptr_nonnull(kmalloc(64, GFP_KERNEL));
	for (int i = 0; i < 10; i++)
		ck_assert_ptr_nonnull(kmalloc(3000, GFP_KERNEL));
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ck_assert_int_eq(nc_touch(name, GFP_KERNEL), 0);
	}
	s = kmem_cache_create("golden_cache", 100, 0, 0, NULL);
	for (int i = 0; i < 7; i++)
		ck_assert_ptr_nonnull(kmem_cache_alloc(s, GFP_KERNEL));
}

START_TEST(slabinfo_format)
{
	mm_test_boot(1, 512 * MiB, 1);
	known_allocations();
	ck_assert_str_eq(mm_report(report_slabinfo), slabinfo_golden);
}
END_TEST

START_TEST(slabtop_format)
{
	mm_test_boot(1, 512 * MiB, 1);
	known_allocations();
	ck_assert_str_eq(mm_report(report_slabtop), slabtop_golden);
}
END_TEST

/* /proc/vmstat shows the slab counters in pages. */
START_TEST(vmstat_slab_pages)
{
	const char *vs;

	mm_test_boot(1, 512 * MiB, 1);
	known_allocations();
	vs = mm_report(report_vmstat);
	/* namecache: 3 pages reclaimable; 2 + 16 + 2 + 1 pages unreclaimable. */
	ck_assert_ptr_nonnull(strstr(vs, "\nnr_slab_reclaimable 3\n"));
	ck_assert_ptr_nonnull(strstr(vs, "\nnr_slab_unreclaimable 21\n"));
	slab_assert_invariants();
}
END_TEST

static Suite *slab_report_suite(void)
{
	Suite *s = suite_create("slab_report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, slabinfo_format);
	tcase_add_test(tc, slabtop_format);
	tcase_add_test(tc, vmstat_slab_pages);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(slab_report_suite)
