// SPDX-License-Identifier: MIT
/*
 * The slab allocator and kmalloc: sizes and alignment of every class,
 * ksize and kzalloc, large kmallocs, slab list transitions with their
 * counters, pages going back to the buddy lists, reclaimable caches in
 * Reclaimable pageblocks, constructors, destroy.
 */
#include "unit.h"
#include "slab_test.h"

static const unsigned int classes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

/* The largest power of two dividing @n: what a slot of @n bytes keeps aligned. */
static unsigned long natural_align(unsigned long n)
{
	return n & -n;
}

START_TEST(kmalloc_every_class)
{
	unsigned int prev = 0;

	mm_test_boot(1, 256 * MiB, 1);
	for (unsigned int c = 0; c < ARRAY_SIZE(classes); c++) {
		unsigned int cls = classes[c];
		/* The class's smallest request, one in the middle, and its own size. */
		unsigned int sizes[] = { prev + 1, (prev + 1 + cls) / 2, cls };
		char name[32];

		snprintf(name, sizeof(name), cls >= 1024 ? "kmalloc-%uk" : "kmalloc-%u",
			 cls >= 1024 ? cls / 1024 : cls);
		for (unsigned int k = 0; k < 3; k++) {
			unsigned char *p = kmalloc(sizes[k], GFP_KERNEL);
			struct page *page;

			ck_assert_ptr_nonnull(p);
			page = virt_to_page(p);
			ck_assert(PageSlab(page));
			ck_assert_str_eq(kmem_cache_name(page->slab_cache), name);
			ck_assert_uint_eq(ksize(p), cls);
			ck_assert_msg(IS_ALIGNED((unsigned long)p,
						 min(natural_align(cls), PAGE_SIZE)),
				      "kmalloc(%u) = %p not aligned", sizes[k], (void *)p);
			memset(p, 0xa5, cls);		/* all of ksize() is usable */
			kfree(p);
		}
		prev = cls;
	}
	/* 96 and 192 are not powers of two: 32 and 64 bytes. */
	ck_assert_uint_eq(natural_align(96), 32);
	ck_assert_uint_eq(natural_align(192), 64);
	slab_assert_invariants();
}
END_TEST

START_TEST(kzalloc_zeroes)
{
	mm_test_boot(1, 256 * MiB, 1);
	for (unsigned int c = 0; c < ARRAY_SIZE(classes); c++) {
		unsigned char *p = kmalloc(classes[c], GFP_KERNEL), *q;

		memset(p, 0xff, classes[c]);
		kfree(p);
		q = kzalloc(classes[c], GFP_KERNEL);
		ck_assert_ptr_eq(q, p);		/* the hot object comes straight back */
		for (unsigned int i = 0; i < classes[c]; i++)
			ck_assert_uint_eq(q[i], 0);
		kfree(q);
	}
	ck_assert_ptr_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	ck_assert_ptr_null(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));
}
END_TEST

START_TEST(kmalloc_large_is_pages)
{
	long before;
	char *p;

	mm_test_boot(1, 256 * MiB, 1);
	before = slab_bytes(NR_SLAB_UNRECLAIMABLE_B);
	p = kmalloc(8193, GFP_KERNEL);
	ck_assert_ptr_nonnull(p);
	ck_assert(!PageSlab(virt_to_page(p)));
	ck_assert(IS_ALIGNED((unsigned long)p, PAGE_SIZE));
	ck_assert_uint_eq(ksize(p), 16384);	/* order 2 */
	ck_assert_int_eq(slab_bytes(NR_SLAB_UNRECLAIMABLE_B) - before, 16384);
	memset(p, 1, 16384);
	slab_assert_invariants();
	kfree(p);
	ck_assert_int_eq(slab_bytes(NR_SLAB_UNRECLAIMABLE_B), before);
	ck_assert_uint_eq(ksize(kzalloc(1 << 20, GFP_KERNEL)), 1 << 20);
	ck_assert_ptr_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	slab_assert_invariants();
}
END_TEST

/*
 * One slab of 16 objects of 256 bytes (order 0 on a 1-CPU machine) going
 * empty -> partial -> full -> partial -> empty, and the counters and
 * slabinfo after each step (per-CPU arrays drained before looking).
 */
START_TEST(slab_transitions)
{
	struct kmem_cache *s;
	void *obj[16];

	mm_test_boot(1, 256 * MiB, 1);
	s = kmem_cache_create("trans", 256, 0, 0, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->objects, 16);
	ck_assert_uint_eq(s->order, 0);
	ck_assert_slabs(s, 0, 0, 0, 0);
	ck_assert_int_eq(slab_cache_pages(s, 0), 0);

	obj[0] = kmem_cache_alloc(s, GFP_KERNEL);
	ck_assert_slabs(s, 1, 0, 0, 15);		/* partial */
	for (int i = 1; i < 16; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	ck_assert_slabs(s, 0, 1, 0, 0);			/* full */
	ck_assert_ptr_nonnull(strstr(mm_report(report_slabinfo),
				     "\ntrans                 16     16    256   16    1 : tunables  120   60    0 : slabdata      1      1      0\n"));
	slab_assert_invariants();

	kmem_cache_free(s, obj[3]);
	ck_assert_slabs(s, 1, 0, 0, 1);			/* partial again */
	ck_assert_ptr_nonnull(strstr(mm_report(report_slabinfo),
				     "\ntrans                 15     16    256   16    1 : tunables  120   60    0 : slabdata      1      1      0\n"));
	for (int i = 0; i < 16; i++)
		if (i != 3)
			kmem_cache_free(s, obj[i]);
	ck_assert_slabs(s, 0, 0, 1, 16);		/* empty, kept (min_partial) */
	ck_assert_ptr_nonnull(strstr(mm_report(report_slabinfo),
				     "\ntrans                  0     16    256   16    1 : tunables  120   60    0 : slabdata      0      1      0\n"));
	slab_assert_invariants();

	ck_assert_uint_eq(kmem_cache_shrink(s), 1);
	ck_assert_slabs(s, 0, 0, 0, 0);
	slab_assert_invariants();
	kmem_cache_destroy(s);
	ck_assert_ptr_null(strstr(mm_report(report_slabinfo), "trans"));
}
END_TEST

/* Empty slabs beyond min_partial go back to the page allocator at once. */
START_TEST(empty_slabs_beyond_min_partial)
{
	struct kmem_cache *s;
	static void *obj[16 * 20];

	mm_test_boot(1, 256 * MiB, 1);
	s = kmem_cache_create("minpart", 256, 0, 0, NULL);
	ck_assert_uint_eq(s->min_partial, 5);
	for (int i = 0; i < 16 * 20; i++)
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
	ck_assert_slabs(s, 0, 20, 0, 0);
	for (int i = 0; i < 16 * 20; i++)
		kmem_cache_free(s, obj[i]);
	ck_assert_slabs(s, 0, 0, 5, 5 * 16);
	ck_assert_uint_eq(slab_cache_pages(s, 0), 5);
	slab_assert_invariants();
}
END_TEST

/* Shrinking a cache gives its pages back; buddyinfo is as before. */
START_TEST(shrink_returns_pages_to_buddy)
{
	static char before[4096];
	static void *obj[4000];
	unsigned long free0;
	struct kmem_cache *s;
	long slab0;

	mm_test_boot(1, 256 * MiB, 1);
	s = kmem_cache_create("ret", 200, 0, 0, NULL);
	/* The first allocation sets up the cache's per-CPU arrays (one page). */
	kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_shrink(s);
	drain_all_pages(NULL);
	free0 = mm_free_pages();
	slab0 = slab_bytes(NR_SLAB_UNRECLAIMABLE_B);
	strcpy(before, mm_report(report_buddyinfo));

	for (int i = 0; i < 4000; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		ck_assert_ptr_nonnull(obj[i]);
		memset(obj[i], i, 200);
	}
	drain_all_pages(NULL);
	/* 20 objects per 4 KiB slab: 200 slabs. */
	ck_assert_uint_eq(s->objects, 20);
	ck_assert_int_eq(slab_bytes(NR_SLAB_UNRECLAIMABLE_B) - slab0, 200 * 4096);
	ck_assert_uint_eq(free0 - mm_free_pages(), 200);
	ck_assert_str_ne(mm_report(report_buddyinfo), before);
	slab_assert_invariants();

	for (int i = 0; i < 4000; i++)
		kmem_cache_free(s, obj[i]);
	/* The min_partial empties kept until now, and what the per-CPU array held up. */
	ck_assert_uint_ge(kmem_cache_shrink(s), 5);
	drain_all_pages(NULL);
	ck_assert_int_eq(slab_bytes(NR_SLAB_UNRECLAIMABLE_B), slab0);
	ck_assert_uint_eq(mm_free_pages(), free0);
	ck_assert_str_eq(mm_report(report_buddyinfo), before);
	slab_assert_invariants();
	mm_assert_invariants();
}
END_TEST

/* A SLAB_RECLAIM_ACCOUNT cache's slabs sit in Reclaimable pageblocks. */
START_TEST(reclaimable_cache_pageblocks)
{
	struct kmem_cache *s;
	static void *obj[2000];
	struct zone *z;
	const char *pti;

	mm_test_boot(1, 256 * MiB, 1);
	z = mm_zone(0, ZONE_DMA32);
	ck_assert_uint_eq(mm_blocks_of_type(z, MIGRATE_RECLAIMABLE), 0);
	s = kmem_cache_create("reclaimable", 512, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	for (int i = 0; i < 2000; i++) {
		struct page *slab;

		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		slab = slab_head(s, virt_to_page(obj[i]));
		ck_assert_int_eq(get_pageblock_migratetype(slab), MIGRATE_RECLAIMABLE);
	}
	ck_assert_uint_ge(mm_blocks_of_type(z, MIGRATE_RECLAIMABLE), 1);
	ck_assert_int_eq(slab_bytes(NR_SLAB_RECLAIMABLE_B),
			 (long)(slab_cache_pages(s, 0) << PAGE_SHIFT));
	ck_assert_int_gt(slab_bytes(NR_SLAB_RECLAIMABLE_B), 0);
	pti = mm_report(report_pagetypeinfo);
	/* The block-count row of DMA32: Reclaimable (third column) is not zero. */
	{
		const char *row = strstr(pti, "Node 0, zone    DMA32 ");
		unsigned long unmov, mov, recl;

		ck_assert_ptr_nonnull(row);
		ck_assert_int_eq(sscanf(row + strlen("Node 0, zone    DMA32 "), "%lu %lu %lu",
					&unmov, &mov, &recl), 3);
		ck_assert_uint_ge(recl, 1);
	}
	/* /proc/vmstat shows it in pages. */
	{
		char want[64];

		snprintf(want, sizeof(want), "\nnr_slab_reclaimable %lu\n", slab_cache_pages(s, 0));
		ck_assert_ptr_nonnull(strstr(mm_report(report_vmstat), want));
	}
	for (int i = 0; i < 2000; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_shrink(s);
	ck_assert_int_eq(slab_bytes(NR_SLAB_RECLAIMABLE_B), 0);
	slab_assert_invariants();
}
END_TEST

static unsigned long ctor_calls;

static void ctor_fill(void *p)
{
	memset(p, 0x3c, 40);
	ctor_calls++;
}

/* A constructor runs once per object per slab; freed objects stay constructed. */
START_TEST(constructor)
{
	struct kmem_cache *s;
	unsigned char *p;

	mm_test_boot(1, 256 * MiB, 1);
	s = kmem_cache_create("ctor", 40, 0, 0, ctor_fill);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	ck_assert_uint_eq(ctor_calls, s->objects);
	for (int i = 0; i < 40; i++)
		ck_assert_uint_eq(p[i], 0x3c);
	kmem_cache_free(s, p);
	cache_drain_cpus(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < 40; i++)
		ck_assert_uint_eq(p[i], 0x3c);	/* the free pointer is outside the object */
	ck_assert_uint_eq(ctor_calls, s->objects);
	kmem_cache_free(s, p);
	slab_assert_invariants();
}
END_TEST

START_TEST(alignment_and_hwcache)
{
	struct kmem_cache *a, *b;

	mm_test_boot(1, 256 * MiB, 1);
	a = kmem_cache_create("al128", 40, 128, 0, NULL);
	b = kmem_cache_create("hw", 40, 0, SLAB_HWCACHE_ALIGN, NULL);
	ck_assert_ptr_null(kmem_cache_create("bad", 40, 24, 0, NULL));
	for (int i = 0; i < 100; i++) {
		ck_assert(IS_ALIGNED((unsigned long)kmem_cache_alloc(a, GFP_KERNEL), 128));
		ck_assert(IS_ALIGNED((unsigned long)kmem_cache_alloc(b, GFP_KERNEL), 64));
	}
	ck_assert_uint_eq(b->size, 64);
	slab_assert_invariants();
	/* Destroying a cache with live objects is refused, loudly. */
	{
		static char log[4096];

		hosted_log_capture(log, sizeof(log));
		kmem_cache_destroy(a);
		hosted_log_capture(NULL, 0);
		ck_assert_ptr_nonnull(strstr(log, "kmem_cache_destroy al128: Slab cache still has objects"));
	}
}
END_TEST

/* Objects come from the requested node; a 2-node machine keeps per-node lists. */
START_TEST(numa_nodes)
{
	struct kmem_cache *s;
	void *p0, *p1;

	mm_test_boot(2, 128 * MiB, 2);
	s = kmem_cache_create("numa", 128, 0, 0, NULL);
	p0 = kmem_cache_alloc_node(s, GFP_KERNEL, 0);
	p1 = kmem_cache_alloc_node(s, GFP_KERNEL | __GFP_THISNODE, 1);
	ck_assert_int_eq(page_to_nid(virt_to_page(p0)), 0);
	ck_assert_int_eq(page_to_nid(virt_to_page(p1)), 1);
	ck_assert_int_eq(slab_cache_pages(s, 0), 1);
	ck_assert_int_eq(slab_cache_pages(s, 1), 1);
	kmem_cache_free(s, p0);
	kmem_cache_free(s, p1);
	slab_assert_invariants();
	kmem_cache_shrink(s);
	ck_assert_int_eq(slab_cache_pages(s, 0) + slab_cache_pages(s, 1), 0);
	slab_assert_invariants();
}
END_TEST

static Suite *slab_suite(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, kmalloc_every_class);
	tcase_add_test(tc, kzalloc_zeroes);
	tcase_add_test(tc, kmalloc_large_is_pages);
	tcase_add_test(tc, slab_transitions);
	tcase_add_test(tc, empty_slabs_beyond_min_partial);
	tcase_add_test(tc, shrink_returns_pages_to_buddy);
	tcase_add_test(tc, reclaimable_cache_pageblocks);
	tcase_add_test(tc, constructor);
	tcase_add_test(tc, alignment_and_hwcache);
	tcase_add_test(tc, numa_nodes);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(slab_suite)
