// SPDX-License-Identifier: MIT
/*
 * Anonymous memory and page migration: faults populate movable pages
 * with a reverse map; migration moves contents and mapping together;
 * failure puts pages back untouched; unmovable pages never isolate;
 * a page unmapped while isolated is simply freed.
 */
#include "unit.h"
#include "mm_test.h"

#include <guestmm/anon.h>
#include <guestmm/pte.h>

#define BASE	0x10000000UL

/* Fill page @i of the region with a pattern of its own. */
static void fill_page(struct mm_anon *mm, unsigned long i, uint32_t seed)
{
	uint32_t buf[PAGE_SIZE / 4];

	for (unsigned int w = 0; w < PAGE_SIZE / 4; w++)
		buf[w] = seed * 2654435761u + (uint32_t)i * 40503u + w;
	ck_assert_int_eq(hosted_access(mm->as, BASE + i * PAGE_SIZE, buf, PAGE_SIZE, true), 0);
}

/* FNV-1a of page @i, read back through the software MMU. */
static uint64_t page_sum(struct mm_anon *mm, unsigned long i)
{
	unsigned char buf[PAGE_SIZE];
	uint64_t h = 1469598103934665603ull;

	ck_assert_int_eq(hosted_access(mm->as, BASE + i * PAGE_SIZE, buf, PAGE_SIZE, false), 0);
	for (unsigned int b = 0; b < PAGE_SIZE; b++)
		h = (h ^ buf[b]) * 1099511628211ull;
	return h;
}

static struct page *mapped_page(struct mm_anon *mm, unsigned long i)
{
	pte_t pte = platform_pte_read(mm->as, BASE + i * PAGE_SIZE);

	ck_assert(pte_present(pte));
	return pfn_to_page(pte_pfn(pte));
}

/* migrate_pages() target: from node 1, so a move is visible. */
static struct page *target_node1(struct page *src, unsigned long private)
{
	return alloc_pages_node(1, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, 0);
}

static struct page *target_none(struct page *src, unsigned long private)
{
	return NULL;
}

START_TEST(fault_populates_with_rmap)
{
	struct mm_anon *mm;
	struct page *page;
	char buf[8];

	mm_test_boot(1, 64 * MiB, 1);
	mm = mm_anon_create();
	ck_assert_ptr_nonnull(mm);
	ck_assert_int_eq(anon_map(mm, BASE, 16 * PAGE_SIZE, true), 0);
	ck_assert_int_eq(anon_map(mm, BASE + PAGE_SIZE, PAGE_SIZE, true), -EINVAL);
	ck_assert_int_eq(anon_map(mm, BASE + 64 * PAGE_SIZE, PAGE_SIZE, false), 0);

	/* First touch reads zeroes, and the page knows who maps it where. */
	ck_assert_int_eq(hosted_access(mm->as, BASE + 5 * PAGE_SIZE + 3, buf, 8, false), 0);
	ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0\0", 8);
	page = mapped_page(mm, 5);
	ck_assert_ptr_eq(page_movable_mapping(page), &mm->mapping);
	ck_assert_uint_eq(page->index, BASE + 5 * PAGE_SIZE);
	ck_assert(PageMovable(page));
	ck_assert_int_eq(get_pageblock_migratetype(page), MIGRATE_MOVABLE);
	ck_assert_uint_eq(mm->rss, 1);
	ck_assert_int_eq(global_node_page_state(NR_ANON_MAPPED), 1);

	/* Outside any region, or writing a read-only one: SIGSEGV. */
	hosted_log_quiet(true);
	ck_assert_int_eq(hosted_access(mm->as, BASE + 32 * PAGE_SIZE, buf, 1, false), -1);
	ck_assert_int_eq(hosted_access(mm->as, BASE + 64 * PAGE_SIZE, buf, 1, true), -1);
	ck_assert_int_eq(hosted_access(mm->as, BASE + 64 * PAGE_SIZE, buf, 1, false), 0);

	anon_unmap(mm, BASE, 16 * PAGE_SIZE);
	ck_assert_uint_eq(mm->rss, 1);
	ck_assert_int_eq(hosted_access(mm->as, BASE + 5 * PAGE_SIZE, buf, 1, false), -1);
	mm_anon_destroy(mm);
	ck_assert_int_eq(global_node_page_state(NR_ANON_MAPPED), 0);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

START_TEST(migrate_preserves_contents_and_mapping)
{
	enum { N = 100 };
	struct list_head list = LIST_HEAD_INIT(list);
	unsigned long old_pfn[N], migrated0;
	uint64_t sum[N];
	unsigned int nr = 0;
	struct mm_anon *mm;

	mm_test_boot(2, 64 * MiB, 2);
	hosted_set_cpu(0);
	mm = mm_anon_create();
	ck_assert_int_eq(anon_map(mm, BASE, N * PAGE_SIZE, true), 0);
	for (unsigned long i = 0; i < N; i++) {
		fill_page(mm, i, 7);
		sum[i] = page_sum(mm, i);
		old_pfn[i] = page_to_pfn(mapped_page(mm, i));
		ck_assert_int_eq(page_to_nid(mapped_page(mm, i)), 0);
	}
	/* Clear the accessed/dirty bits of one entry: they must survive the move. */
	platform_pte_test_and_clear_young(mm->as, BASE);

	for (unsigned long i = 0; i < N; i++)
		ck_assert(isolate_movable_page(mapped_page(mm, i), MIGRATE_SYNC));
	ck_assert_int_eq(global_node_page_state(NR_ISOLATED_ANON), N);
	/* Already isolated: a second isolation fails. */
	ck_assert(!isolate_movable_page(mapped_page(mm, 0), MIGRATE_SYNC));
	for (unsigned long i = 0; i < N; i++)
		list_add_tail(&mapped_page(mm, i)->lru, &list);

	migrated0 = sum_vm_event(PGMIGRATE_SUCCESS);
	ck_assert_int_eq(migrate_pages(&list, target_node1, NULL, 0, MIGRATE_SYNC, &nr), 0);
	ck_assert_uint_eq(nr, N);
	ck_assert(list_empty(&list));
	ck_assert_uint_eq(sum_vm_event(PGMIGRATE_SUCCESS) - migrated0, N);
	ck_assert_int_eq(global_node_page_state(NR_ISOLATED_ANON), 0);
	/* The entry's bits moved with it: not accessed since the clear, still dirty. */
	ck_assert(!(platform_pte_read(mm->as, BASE) & PTE_ACCESSED));
	ck_assert(platform_pte_read(mm->as, BASE) & PTE_DIRTY);
	ck_assert(platform_pte_read(mm->as, BASE) & PTE_RW);

	for (unsigned long i = 0; i < N; i++) {
		struct page *page = mapped_page(mm, i);
		struct page *old = pfn_to_page(old_pfn[i]);

		ck_assert_uint_ne(page_to_pfn(page), old_pfn[i]);
		ck_assert_int_eq(page_to_nid(page), 1);
		ck_assert_ptr_eq(page_movable_mapping(page), &mm->mapping);
		ck_assert_uint_eq(page->index, BASE + i * PAGE_SIZE);
		ck_assert_int_eq(page_count(page), 1);
		/* The source is free again and forgets its owner. */
		ck_assert_int_eq(page_count(old), 0);
		ck_assert_ptr_null(old->mapping);
		ck_assert_uint_eq(page_sum(mm, i), sum[i]);
	}
	ck_assert_uint_eq(mm->rss, N);
	mm_anon_destroy(mm);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

START_TEST(migrate_failure_puts_back)
{
	struct list_head list = LIST_HEAD_INIT(list);
	struct mm_anon *mm;
	struct page *page;
	uint64_t sum;

	mm_test_boot(1, 64 * MiB, 1);
	mm = mm_anon_create();
	ck_assert_int_eq(anon_map(mm, BASE, 4 * PAGE_SIZE, true), 0);
	fill_page(mm, 2, 3);
	sum = page_sum(mm, 2);
	page = mapped_page(mm, 2);

	ck_assert(isolate_movable_page(page, MIGRATE_ASYNC));
	list_add_tail(&page->lru, &list);
	/* No target: -ENOMEM, the page is left on the list for the caller. */
	ck_assert_int_eq(migrate_pages(&list, target_none, NULL, 0, MIGRATE_SYNC, NULL), -ENOMEM);
	ck_assert_ptr_eq(list_first_entry(&list, struct page, lru), page);
	putback_movable_pages(&list);
	ck_assert(!PageFlag(page, PG_isolated));
	ck_assert_int_eq(page_count(page), 1);
	ck_assert_ptr_eq(mapped_page(mm, 2), page);
	ck_assert_uint_eq(page_sum(mm, 2), sum);
	ck_assert_int_eq(global_node_page_state(NR_ISOLATED_ANON), 0);

	mm_anon_destroy(mm);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

static struct page *target_any(struct page *src, unsigned long private)
{
	return alloc_page(GFP_HIGHUSER_MOVABLE);
}

START_TEST(busy_owner_counts_failure)
{
	struct list_head list = LIST_HEAD_INIT(list);
	struct mm_anon *mm;
	struct page *page;
	unsigned long fail0, free0;

	mm_test_boot(1, 64 * MiB, 1);
	mm = mm_anon_create();
	ck_assert_int_eq(anon_map(mm, BASE, PAGE_SIZE, true), 0);
	fill_page(mm, 0, 1);
	page = mapped_page(mm, 0);
	ck_assert(isolate_movable_page(page, MIGRATE_ASYNC));
	list_add_tail(&page->lru, &list);
	fail0 = sum_vm_event(PGMIGRATE_FAIL);
	drain_all_pages(NULL);
	free0 = mm_free_pages();
	spin_lock(&mm->lock);
	ck_assert_int_eq(migrate_pages(&list, target_any, NULL, 0, MIGRATE_ASYNC, NULL), 1);
	spin_unlock(&mm->lock);
	ck_assert_uint_eq(sum_vm_event(PGMIGRATE_FAIL) - fail0, 1);
	/* Targets of failed attempts were freed. */
	drain_all_pages(NULL);
	ck_assert_uint_eq(mm_free_pages(), free0);
	putback_movable_pages(&list);
	ck_assert_ptr_eq(mapped_page(mm, 0), page);
	mm_anon_destroy(mm);
}
END_TEST

START_TEST(unmovable_never_isolated)
{
	struct page *k, *m;

	mm_test_boot(1, 64 * MiB, 1);
	k = alloc_page(GFP_KERNEL);
	m = alloc_page(GFP_HIGHUSER_MOVABLE);	/* movable type, but no owner to move it */
	ck_assert(!isolate_movable_page(k, MIGRATE_SYNC));
	ck_assert(!isolate_movable_page(m, MIGRATE_SYNC));
	ck_assert_int_eq(page_count(k), 1);
	ck_assert_int_eq(page_count(m), 1);
	ck_assert(!PageFlag(m, PG_isolated));
	__free_page(k);
	__free_page(m);
}
END_TEST

START_TEST(unmapped_while_isolated_is_freed)
{
	struct list_head list = LIST_HEAD_INIT(list);
	struct mm_anon *mm;
	struct page *page;
	unsigned int nr;

	mm_test_boot(1, 64 * MiB, 1);
	mm = mm_anon_create();
	ck_assert_int_eq(anon_map(mm, BASE, 2 * PAGE_SIZE, true), 0);
	fill_page(mm, 1, 9);
	page = mapped_page(mm, 1);
	ck_assert(isolate_movable_page(page, MIGRATE_SYNC));
	list_add_tail(&page->lru, &list);
	/* The owner exits while compaction holds the page. */
	mm_anon_destroy(mm);
	ck_assert_int_eq(page_count(page), 1);
	ck_assert_int_eq(migrate_pages(&list, target_any, NULL, 0, MIGRATE_SYNC, &nr), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_int_eq(page_count(page), 0);
	ck_assert_int_eq(global_node_page_state(NR_ISOLATED_ANON), 0);
	ck_assert_int_eq(global_node_page_state(NR_ANON_MAPPED), 0);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

static Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fault_populates_with_rmap);
	tcase_add_test(tc, migrate_preserves_contents_and_mapping);
	tcase_add_test(tc, migrate_failure_puts_back);
	tcase_add_test(tc, busy_owner_counts_failure);
	tcase_add_test(tc, unmovable_never_isolated);
	tcase_add_test(tc, unmapped_while_isolated_is_freed);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(migrate_suite)
