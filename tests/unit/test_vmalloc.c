// SPDX-License-Identifier: MIT
/*
 * vmalloc through the hosted software MMU: contents across page
 * boundaries, the pages behind the mapping, guard pages, unmapping on
 * vfree (a later access faults), first-fit reuse of a freed range, and
 * /proc/vmallocinfo.
 */
#include "unit.h"
#include "slab_test.h"

#include <guestmm/vmalloc.h>

static struct platform_as *kas(void)
{
	return platform_kernel_as();
}

START_TEST(vmalloc_maps_scattered_pages)
{
	const unsigned long size = 5 * PAGE_SIZE + 100;
	static unsigned char buf[6 * 4096], back[6 * 4096];
	unsigned long free0, va;
	unsigned char *v;

	mm_test_boot(1, 128 * MiB, 1);
	/* The first vmalloc sets up kmalloc's arrays: measure after one. */
	vfree(vmalloc(PAGE_SIZE));
	drain_all_pages(NULL);
	free0 = mm_free_pages();

	v = vmalloc(size);
	ck_assert_ptr_nonnull(v);
	va = (unsigned long)v;
	ck_assert(is_vmalloc_addr(v));
	ck_assert(IS_ALIGNED(va, PAGE_SIZE));
	ck_assert_uint_eq(vmalloc_nr_pages(), 6);

	for (unsigned long i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	ck_assert_int_eq(hosted_access(kas(), va, buf, 6 * PAGE_SIZE, true), 0);
	ck_assert_int_eq(hosted_access(kas(), va, back, 6 * PAGE_SIZE, false), 0);
	ck_assert_mem_eq(back, buf, sizeof(buf));
	/* Each virtual page is the physical page vmalloc_to_page() names. */
	for (int i = 0; i < 6; i++) {
		struct page *p = vmalloc_to_page(v + i * PAGE_SIZE + 17);

		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(page_count(p), 1);
		ck_assert_mem_eq(page_address(p), buf + i * PAGE_SIZE, PAGE_SIZE);
		for (int j = 0; j < i; j++)
			ck_assert_ptr_ne(vmalloc_to_page(v + j * PAGE_SIZE), p);
	}
	/* The guard page after the area is not mapped. */
	ck_assert_int_eq(hosted_access(kas(), va + 6 * PAGE_SIZE, buf, 1, false), -1);

	vfree(v);
	ck_assert_uint_eq(vmalloc_nr_pages(), 0);
	/* Unmapped and flushed: an access is a fault nobody resolves. */
	ck_assert_int_eq(hosted_access(kas(), va, buf, 1, false), -1);
	ck_assert_ptr_null(vmalloc_to_page(v));
	drain_all_pages(NULL);
	ck_assert_uint_eq(mm_free_pages(), free0);
	mm_assert_invariants();
	slab_assert_invariants();
}
END_TEST

START_TEST(vzalloc_and_first_fit)
{
	unsigned char *a, *b, *c, *d;
	static unsigned char page[4096];

	mm_test_boot(1, 128 * MiB, 1);
	a = vmalloc(3 * PAGE_SIZE);
	b = vmalloc(2 * PAGE_SIZE);
	c = vmalloc(PAGE_SIZE);
	/* Areas follow each other, one guard page apart. */
	ck_assert_ptr_eq(b, a + 4 * PAGE_SIZE);
	ck_assert_ptr_eq(c, b + 3 * PAGE_SIZE);
	memset(page, 0xee, sizeof(page));
	ck_assert_int_eq(hosted_access(kas(), (unsigned long)b, page, PAGE_SIZE, true), 0);
	vfree(b);
	/* A freed range is reused by the next request that fits; zeroed when asked. */
	d = vzalloc(2 * PAGE_SIZE);
	ck_assert_ptr_eq(d, b);
	ck_assert_int_eq(hosted_access(kas(), (unsigned long)d, page, PAGE_SIZE, false), 0);
	for (int i = 0; i < 4096; i++)
		ck_assert_uint_eq(page[i], 0);
	/* Too big for the range that is left after c: goes after it. */
	{
		unsigned char *e = vmalloc(3 * PAGE_SIZE);

		ck_assert_ptr_eq(e, c + 2 * PAGE_SIZE);
		vfree(e);
	}
	vfree(a);
	vfree(c);
	vfree(d);
	ck_assert_uint_eq(vmalloc_nr_pages(), 0);
	mm_assert_invariants();
}
END_TEST

START_TEST(vmallocinfo_and_bad_vfree)
{
	static char log[4096];
	char want[128];
	void *v;

	mm_test_boot(2, 64 * MiB, 2);
	v = vmalloc_node(3 * PAGE_SIZE, 1);
	snprintf(want, sizeof(want), "0x%016lx-0x%016lx   16384 pages=3 vmalloc N1=3\n",
		 (unsigned long)v, (unsigned long)v + 4 * PAGE_SIZE);
	ck_assert_str_eq(mm_report(report_vmallocinfo), want);

	hosted_log_capture(log, sizeof(log));
	vfree((char *)v + PAGE_SIZE);
	hosted_log_capture(NULL, 0);
	ck_assert_ptr_nonnull(strstr(log, "Trying to vfree() nonexistent vm area"));
	ck_assert_uint_eq(vmalloc_nr_pages(), 3);
	vfree(v);
	ck_assert_str_eq(mm_report(report_vmallocinfo), "");
	ck_assert_ptr_null(vmalloc(0));
	ck_assert_ptr_null(vmalloc(1UL << 40));
}
END_TEST

static Suite *vmalloc_suite(void)
{
	Suite *s = suite_create("vmalloc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, vmalloc_maps_scattered_pages);
	tcase_add_test(tc, vzalloc_and_first_fit);
	tcase_add_test(tc, vmallocinfo_and_bad_vfree);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(vmalloc_suite)
