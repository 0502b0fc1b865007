// SPDX-License-Identifier: MIT
/*
 * The hosted platform's software MMU: translation, accessed/dirty bits,
 * faults on unmapped addresses, entries that span page boundaries.
 */
#include "unit.h"
#include "mm_test.h"

#include <guestmm/anon.h>
#include <guestmm/pte.h>

START_TEST(map_access_unmap)
{
	struct platform_as *as;
	struct page *p, *q;
	char buf[64];
	uint64_t old;

	mm_test_boot(1, 64 * MiB, 1);
	as = platform_as_create();
	ck_assert_ptr_nonnull(as);
	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	q = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	old = platform_pte_xchg(as, 0x400000, pfn_pte(page_to_pfn(p), PTE_RW | PTE_USER));
	ck_assert_uint_eq(old, 0);
	platform_pte_xchg(as, 0x401000, pfn_pte(page_to_pfn(q), PTE_USER));	/* read-only */

	/* A write that crosses into the next page: the second page is read-only. */
	ck_assert_int_eq(hosted_access(as, 0x400ff0, "0123456789abcdef0123", 20, true), -1);
	ck_assert_int_eq(hosted_access(as, 0x400100, "hello", 6, true), 0);
	ck_assert_str_eq((char *)page_address(p) + 0x100, "hello");
	ck_assert(platform_pte_read(as, 0x400000) & PTE_DIRTY);
	ck_assert(platform_pte_test_and_clear_young(as, 0x400000));
	ck_assert(!platform_pte_test_and_clear_young(as, 0x400000));
	ck_assert_int_eq(hosted_access(as, 0x400100, buf, 6, false), 0);
	ck_assert_str_eq(buf, "hello");
	ck_assert(platform_pte_test_and_clear_young(as, 0x400000));

	/* Nothing mapped: the fault handler refuses, the access fails. */
	ck_assert_int_eq(hosted_access(as, 0x800000, buf, 1, false), -1);
	old = platform_pte_xchg(as, 0x400000, 0);
	ck_assert_uint_eq(pte_pfn(old), page_to_pfn(p));
	platform_tlb_flush_page(as, 0x400000);
	ck_assert_int_eq(hosted_access(as, 0x400100, buf, 1, false), -1);

	/* Swap entries round-trip through a non-present entry. */
	platform_pte_xchg(as, 0x402000, swp_entry_pte(3, 123456));
	ck_assert(pte_is_swap(platform_pte_read(as, 0x402000)));
	ck_assert_uint_eq(pte_swp_type(platform_pte_read(as, 0x402000)), 3);
	ck_assert_uint_eq(pte_swp_offset(platform_pte_read(as, 0x402000)), 123456);
	platform_as_destroy(as);
	__free_pages(p, 0);
	__free_pages(q, 0);
}
END_TEST

/*
 * A first touch installs its entry under mm->lock.  Were the page table
 * still missing then, the guest would have to take it without reclaim;
 * taking it with reclaim there once deadlocked a guest (reclaim wanted the
 * same mm->lock to unmap one of the faulting task's own pages).  So the
 * fault prepares the tables first, unlocked: the install never allocates.
 */
START_TEST(anon_fault_prepares_page_tables)
{
	const unsigned long base = 0x8000000000UL, len = 8 * MiB;
	unsigned long before;
	struct mm_anon *mm;
	uint64_t word = 1;

	mm_test_boot(1, 64 * MiB, 1);
	mm = mm_anon_create();
	ck_assert_ptr_nonnull(mm);
	ck_assert_int_eq(anon_map(mm, base, len, true), 0);
	before = hosted_pte_xchg_allocs();
	/* Four 2 MiB page tables, one write into each page. */
	for (unsigned long va = base; va < base + len; va += PAGE_SIZE)
		ck_assert_int_eq(hosted_access(mm->as, va, &word, sizeof(word), true), 0);
	ck_assert_uint_eq(mm->rss, len / PAGE_SIZE);
	ck_assert_uint_eq(hosted_pte_xchg_allocs(), before);
	mm_anon_destroy(mm);
}
END_TEST

static Suite *hosted_mmu_suite(void)
{
	Suite *s = suite_create("hosted_mmu");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, map_access_unmap);
	tcase_add_test(tc, anon_fault_prepares_page_tables);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(hosted_mmu_suite)
