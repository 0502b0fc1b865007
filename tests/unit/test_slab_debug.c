// SPDX-License-Identifier: MIT
/*
 * slub_debug-style checks: double free, frees of pointers that were
 * never allocated, frees into the wrong cache, writes past the end of an
 * object and into a freed one.  Each is reported with a clear message
 * (captured from the platform log), counted, and leaves the allocator's
 * structures intact: the invariant checkers pass afterwards and the
 * caches keep working.
 */
#include "unit.h"
#include "slab_test.h"

static char log_buf[16384];

static void debug_boot(unsigned int boot_flags)
{
	slab_debug_boot = boot_flags;
	mm_test_boot(1, 256 * MiB, 1);
	hosted_log_capture(log_buf, sizeof(log_buf));
}

static void assert_logged(const char *msg)
{
	ck_assert_msg(strstr(log_buf, msg) != NULL, "expected \"%s\" in the log:\n%s", msg,
		      log_buf);
}

/* The allocator is still whole and still hands out distinct objects. */
static void assert_still_sound(struct kmem_cache *s)
{
	void *a = kmem_cache_alloc(s, GFP_KERNEL), *b = kmem_cache_alloc(s, GFP_KERNEL);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	slab_assert_invariants();
	mm_assert_invariants();
}

START_TEST(double_free_kmalloc)
{
	char *p, *q;

	debug_boot(slab_parse_debug(NULL));	/* slub_debug: every cache */
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	kfree(p);
	ck_assert_uint_eq(slab_debug_errors(), 0);
	kfree(p);
	assert_logged("BUG kmalloc-64: Object already free");
	ck_assert_uint_eq(slab_debug_errors(), 1);
	/* The object went back once: the next two allocations differ. */
	{
		char *a = kmalloc(64, GFP_KERNEL), *b = kmalloc(64, GFP_KERNEL);

		ck_assert_ptr_ne(a, b);
		ck_assert(a != q && b != q);
		kfree(a);
		kfree(b);
	}
	kfree(q);
	slab_assert_invariants();
	mm_assert_invariants();
}
END_TEST

/* Without red zones, the free list itself shows the double free. */
START_TEST(double_free_poison_only)
{
	struct kmem_cache *s;
	void *p;

	debug_boot(0);
	s = kmem_cache_create("poisoned", 100, 0, SLAB_POISON, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);
	assert_logged("BUG poisoned: Object already free");
	ck_assert_uint_eq(slab_debug_errors(), 1);
	assert_still_sound(s);
}
END_TEST

START_TEST(wrong_cache)
{
	struct kmem_cache *a, *b;
	void *p;

	debug_boot(0);
	a = kmem_cache_create("cache-a", 64, 0, SLAB_DEBUG, NULL);
	b = kmem_cache_create("cache-b", 64, 0, SLAB_DEBUG, NULL);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, p);
	assert_logged("kmem_cache_free: Wrong slab cache. cache-b but object is from cache-a");
	ck_assert_uint_eq(slab_debug_errors(), 1);
	/* As Linux: the object went back to the cache it came from. */
	ck_assert_slabs(a, 0, 0, 1, a->objects);
	ck_assert_slabs(b, 0, 0, 0, 0);
	assert_still_sound(a);
	assert_still_sound(b);
}
END_TEST

START_TEST(never_allocated)
{
	struct kmem_cache *s;
	struct page *page;
	char stack_buf[64];
	char *p;

	debug_boot(SLAB_DEBUG);
	s = kmem_cache_create("victim", 48, 0, 0, NULL);

	/* Not memory the kernel hands out at all. */
	kfree(stack_buf);
	assert_logged("kfree: invalid pointer (not a kernel direct-map address)");

	/* A page from the page allocator is not a kmalloc block. */
	page = alloc_page(GFP_KERNEL);
	kfree(page_address(page));
	assert_logged("kfree: invalid pointer (not allocated by kmalloc, or freed already)");
	kmem_cache_free(s, page_address(page));
	assert_logged("BUG victim: Invalid object pointer (not in a slab page: never allocated here)");
	ck_assert_int_eq(page_count(page), 1);	/* untouched */
	__free_page(page);

	/* Inside an object, not at its start. */
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p + 8);
	assert_logged("BUG victim: Invalid object pointer (not the start of an object)");

	/* A large kmalloc freed twice. */
	{
		char *big = kmalloc(100000, GFP_KERNEL);

		kfree(big);
		kfree(big);
	}
	ck_assert_uint_eq(slab_debug_errors(), 5);
	kmem_cache_free(s, p);		/* the real free still works */
	assert_still_sound(s);
}
END_TEST

/* The cheap checks of kfree() are there without debugging too. */
START_TEST(bad_kfree_without_debug)
{
	char stack_buf[16];
	struct page *page;

	debug_boot(0);
	kfree(stack_buf);
	page = alloc_page(GFP_KERNEL);
	kfree(page_address(page));
	ck_assert_uint_eq(slab_debug_errors(), 2);
	assert_logged("not a kernel direct-map address");
	assert_logged("not allocated by kmalloc");
	__free_page(page);
	mm_assert_invariants();
}
END_TEST

START_TEST(overflow_hits_red_zone)
{
	unsigned char *p, *q;

	debug_boot(slab_parse_debug("FZP"));
	p = kmalloc(16, GFP_KERNEL);
	q = kmalloc(16, GFP_KERNEL);
	p[16] = 'x';				/* one byte too far */
	kfree(p);
	assert_logged("BUG kmalloc-16: Right Redzone overwritten");
	assert_logged("FIX kmalloc-16: Object at");
	q[-1] = 'y';				/* one byte too early */
	kfree(q);
	assert_logged("BUG kmalloc-16: Left Redzone overwritten");
	ck_assert_uint_eq(slab_debug_errors(), 2);
	/* Neither was freed: nothing on a free list is damaged. */
	slab_assert_invariants();
	mm_assert_invariants();
}
END_TEST

START_TEST(use_after_free_poison)
{
	struct kmem_cache *s;
	unsigned char *p, *again;

	debug_boot(0);
	s = kmem_cache_create("uaf", 64, 0, SLAB_RED_ZONE | SLAB_POISON, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	for (int i = 0; i < 63; i++)
		ck_assert_uint_eq(p[i], POISON_FREE);
	ck_assert_uint_eq(p[63], POISON_END);
	p[10] = 0;				/* a write after free */
	again = kmem_cache_alloc(s, GFP_KERNEL);
	ck_assert_ptr_eq(again, p);
	assert_logged("BUG uaf: Poison overwritten (use after free)");
	ck_assert_uint_eq(slab_debug_errors(), 1);
	kmem_cache_free(s, again);
	assert_still_sound(s);
}
END_TEST

START_TEST(parse_debug_option)
{
	ck_assert_uint_eq(slab_parse_debug(NULL), SLAB_DEBUG);
	ck_assert_uint_eq(slab_parse_debug(""), SLAB_DEBUG);
	ck_assert_uint_eq(slab_parse_debug("Z"), SLAB_RED_ZONE);
	ck_assert_uint_eq(slab_parse_debug("fp"), SLAB_CONSISTENCY_CHECKS | SLAB_POISON);
	ck_assert_uint_eq(slab_parse_debug("-"), 0);
}
END_TEST

static Suite *slab_debug_suite(void)
{
	Suite *s = suite_create("slab_debug");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, double_free_kmalloc);
	tcase_add_test(tc, double_free_poison_only);
	tcase_add_test(tc, wrong_cache);
	tcase_add_test(tc, never_allocated);
	tcase_add_test(tc, bad_kfree_without_debug);
	tcase_add_test(tc, overflow_hits_red_zone);
	tcase_add_test(tc, use_after_free_poison);
	tcase_add_test(tc, parse_debug_option);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(slab_debug_suite)
