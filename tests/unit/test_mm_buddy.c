// SPDX-License-Identifier: MIT
/*
 * Buddy allocator mechanics: split, merge, tail placement, migratetype
 * fallback and pageblock stealing, the high-order atomic reserve.
 *
 * The 64 MiB machine used here: DMA holds 4 free order-10 blocks; DMA32
 * is [4096, 16384) minus 263 boot pages at the top, so its free memory is
 * 11 order-10 blocks from pfn 4096 and then 512+128+64+32+16+8+1 pages.
 */
#include "unit.h"
#include "mm_test.h"

static void boot_64m(void)
{
	mm_test_boot(1, 64 * MiB, 1);
}

static void snapshot(struct zone *z, unsigned long counts[NR_PAGE_ORDERS])
{
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		counts[o] = z->free_area[o].nr_free;
}

START_TEST(boot_free_lists)
{
	static const unsigned long dma32[NR_PAGE_ORDERS] = { 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 11 };
	struct zone *z;

	boot_64m();
	z = mm_zone(0, ZONE_DMA32);
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_uint_eq(z->free_area[o].nr_free, dma32[o]);
	ck_assert_uint_eq(mm_zone(0, ZONE_DMA)->free_area[MAX_ORDER].nr_free, 4);
	ck_assert_uint_eq(z->managed_pages, 12288 - 263);
	ck_assert_uint_eq(zone_page_state(z, NR_FREE_PAGES), 12025);
	mm_assert_invariants();
}
END_TEST

START_TEST(split_then_merge)
{
	unsigned long before[NR_PAGE_ORDERS];
	struct zone *z;
	struct page *p;

	boot_64m();
	z = mm_zone(0, ZONE_DMA32);
	snapshot(z, before);
	/* Order 8 splits the order-9 block at 15360, leaving its upper half free. */
	p = alloc_pages(GFP_HIGHUSER_MOVABLE, 8);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(page_to_pfn(p), 15360);
	ck_assert_uint_eq(z->free_area[9].nr_free, before[9] - 1);
	ck_assert_uint_eq(z->free_area[8].nr_free, before[8] + 1);
	ck_assert(PageBuddy(p + 256) && buddy_order(p + 256) == 8);
	ck_assert_int_eq(page_count(p), 1);
	mm_assert_invariants();
	__free_pages(p, 8);
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		ck_assert_uint_eq(z->free_area[o].nr_free, before[o]);
	mm_assert_invariants();
}
END_TEST

/* One order-0 page out of an order-10 block leaves one free block at each order 0..9. */
START_TEST(split_full_height)
{
	struct zone *dma;
	struct page *p;

	boot_64m();
	dma = mm_zone(0, ZONE_DMA);
	p = alloc_pages(GFP_DMA | GFP_KERNEL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(page_zone(p), dma);
	/* DMA's per-CPU batch is 1: exactly one page left the buddy lists. */
	for (int o = 0; o < MAX_ORDER; o++)
		ck_assert_uint_eq(dma->free_area[o].nr_free, 1);
	ck_assert_uint_eq(dma->free_area[MAX_ORDER].nr_free, 3);
	__free_pages(p, 0);
	drain_all_pages(NULL);
	ck_assert_uint_eq(dma->free_area[MAX_ORDER].nr_free, 4);
	for (int o = 0; o < MAX_ORDER; o++)
		ck_assert_uint_eq(dma->free_area[o].nr_free, 0);
	mm_assert_invariants();
}
END_TEST

static struct page *take(struct zone *z, unsigned int order)
{
	struct page *p = __rmqueue_smallest(z, order, MIGRATE_MOVABLE);

	ck_assert_ptr_nonnull(p);
	__mod_zone_freepage_state(z, -(1L << order), MIGRATE_MOVABLE);
	return p;
}

/*
 * Freeing a block whose parent's buddy is free puts it at the list tail,
 * so it stays free longest and can merge when its own buddy returns.
 */
START_TEST(tail_placement_when_merge_likely)
{
	struct page *a, *b, *c;
	struct list_head *l4;
	unsigned long base;
	struct zone *z;

	boot_64m();
	z = mm_zone(0, ZONE_DMA);
	spin_lock(&z->lock);
	a = take(z, 4);			/* base .. +15; frees +16 (o4), +32 (o5), +64 ... */
	base = page_to_pfn(a);
	b = take(z, 4);			/* +16 */
	ck_assert_uint_eq(page_to_pfn(b), base + 16);
	c = take(z, 4);			/* splits +32 (o5): takes +32, frees +48 (o4) */
	ck_assert_uint_eq(page_to_pfn(c), base + 32);
	l4 = &z->free_area[4].free_list[MIGRATE_MOVABLE];
	ck_assert_uint_eq(page_to_pfn(list_first_entry(l4, struct page, lru)), base + 48);

	/* a's buddy (b) is in use, a's parent's buddy (+32, order 5) is not free either. */
	__free_one_page(a, base, z, 4, MIGRATE_MOVABLE, false);
	ck_assert_uint_eq(page_to_pfn(list_first_entry(l4, struct page, lru)), base);

	/* c merges with +48 into +32 (o5); its parent's buddy is +0 at order 5? No: free a first. */
	__free_one_page(c, base + 32, z, 4, MIGRATE_MOVABLE, false);
	ck_assert(PageBuddy(c) && buddy_order(c) == 5);
	/*
	 * Now +0 (o4) is free, and its parent [+0, +32)'s buddy +32 is free at
	 * order 5: take +0 out and free it again — it must go to the tail.
	 */
	list_del(&a->lru);
	ClearPageFlag(a, PG_buddy);
	z->free_area[4].nr_free--;
	__mod_zone_freepage_state(z, -16, MIGRATE_MOVABLE);
	/* Put a decoy at the head of the order-4 list first. */
	{
		struct page *d = take(z, 4);	/* from another region */

		ck_assert_uint_ne(page_to_pfn(d), base);
		__free_one_page(d, page_to_pfn(d), z, 4, MIGRATE_MOVABLE, true);
		__free_one_page(a, base, z, 4, MIGRATE_MOVABLE, false);
		ck_assert_uint_eq(page_to_pfn(list_last_entry(l4, struct page, lru)), base);
	}
	/* Returning b merges everything back up. */
	__free_one_page(b, base + 16, z, 4, MIGRATE_MOVABLE, false);
	spin_unlock(&z->lock);
	mm_assert_invariants();
}
END_TEST

/* An unmovable request finding only Movable order-10 blocks claims both pageblocks. */
START_TEST(fallback_claims_large_block)
{
	struct zone *z;
	unsigned long movable_before;
	struct page *p;

	boot_64m();
	z = mm_zone(0, ZONE_DMA32);
	movable_before = mm_blocks_of_type(z, MIGRATE_MOVABLE);
	p = alloc_pages(GFP_KERNEL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(page_zone(p), z);
	ck_assert_int_eq(get_pageblock_migratetype(p), MIGRATE_UNMOVABLE);
	/* The order-10 block (two pageblocks) changed type wholesale. */
	ck_assert_uint_eq(mm_blocks_of_type(z, MIGRATE_UNMOVABLE), 2);
	ck_assert_uint_eq(mm_blocks_of_type(z, MIGRATE_MOVABLE), movable_before - 2);
	/* Whole-block steals of >= pageblock order do not boost the watermark. */
	ck_assert_uint_eq(z->watermark_boost, 0);
	__free_pages(p, 0);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

/* Take every free page of the machine, largest blocks first. */
static int take_everything(struct page **held, unsigned int *orders, int max)
{
	int n = 0;

	for (int o = MAX_ORDER; o >= 0; o--) {
		struct page *p;

		while ((p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN |
					__GFP_NORETRY, (unsigned int)o)) != NULL) {
			ck_assert_int_lt(n, max);
			held[n] = p;
			orders[n++] = (unsigned int)o;
		}
	}
	ck_assert_uint_eq(mm_free_pages(), 0);
	return n;
}

/*
 * A Movable pageblock, 100 pages movable-allocated, the rest free: an
 * unmovable request steals it (412 free + 0 alike >= 256) and, since the
 * fallback fragments, boosts the watermark by one pageblock.
 */
START_TEST(fallback_steals_half_free_block)
{
	static struct page *held[4096];
	static unsigned int orders[4096];
	struct page *small[100], *p;
	int n, kept = -1;
	struct zone *z;

	boot_64m();
	z = mm_zone(0, ZONE_DMA32);
	n = take_everything(held, orders, 4096);
	for (int i = 0; i < n; i++)
		if (page_to_pfn(held[i]) == 15360 && orders[i] == 9)
			kept = i;
	ck_assert_int_ge(kept, 0);
	__free_pages(held[kept], 9);
	held[kept] = NULL;

	for (int i = 0; i < 100; i++) {
		small[i] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC, 0);
		ck_assert_ptr_nonnull(small[i]);
		ck_assert_uint_eq(pageblock_start_pfn(page_to_pfn(small[i])), 15360);
	}
	drain_all_pages(NULL);
	ck_assert_uint_eq(mm_free_pages(), 412);
	ck_assert_int_eq(get_pfnblock_migratetype(z, 15360), MIGRATE_MOVABLE);

	p = alloc_pages(GFP_KERNEL | __GFP_MEMALLOC, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(pageblock_start_pfn(page_to_pfn(p)), 15360);
	ck_assert_int_eq(get_pfnblock_migratetype(z, 15360), MIGRATE_UNMOVABLE);
	/* high 282 * 1.5 = 423 < one pageblock, so the boost is one pageblock. */
	ck_assert_uint_eq(z->watermark_boost, pageblock_nr_pages);

	__free_pages(p, 0);
	for (int i = 0; i < 100; i++)
		__free_pages(small[i], 0);
	for (int i = 0; i < n; i++)
		if (held[i])
			__free_pages(held[i], orders[i]);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

/* A movable request falling back to a large block takes the whole block over. */
START_TEST(movable_fallback_claims_large_block)
{
	struct zone *z;
	struct page *p;

	boot_64m();
	z = mm_zone(0, ZONE_DMA);
	spin_lock(&z->lock);
	for (unsigned long pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += pageblock_nr_pages) {
		set_pageblock_migratetype(pfn_to_page(pfn), MIGRATE_UNMOVABLE);
		move_freepages_block(z, pfn_to_page(pfn), MIGRATE_UNMOVABLE, NULL);
	}
	spin_unlock(&z->lock);
	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_DMA, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(mm_blocks_of_type(z, MIGRATE_UNMOVABLE), 6);
	ck_assert_uint_eq(mm_blocks_of_type(z, MIGRATE_MOVABLE), 2);
	__free_pages(p, 0);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

/*
 * When only small fallback blocks exist (below pageblock_order / 2), a
 * movable request may not steal: it takes the smallest suitable block,
 * moves just that block to its own lists, and pageblocks keep their type.
 */
START_TEST(movable_fallback_takes_smallest)
{
	struct page *two, *one, *p;
	struct zone *z;
	unsigned long pfn2, pfn1;

	boot_64m();
	z = mm_zone(0, ZONE_DMA);
	spin_lock(&z->lock);
	for (unsigned long pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += pageblock_nr_pages)
		set_pageblock_migratetype(pfn_to_page(pfn), MIGRATE_UNMOVABLE);
	/* Empty DMA's free lists, then free an order-2 and an order-1 block as Unmovable. */
	while ((p = __rmqueue_smallest(z, 0, MIGRATE_MOVABLE)) != NULL)
		__mod_zone_freepage_state(z, -1, MIGRATE_MOVABLE);
	pfn2 = 1024;
	pfn1 = 2048;
	two = pfn_to_page(pfn2);
	one = pfn_to_page(pfn1);
	__free_one_page(two, pfn2, z, 2, MIGRATE_UNMOVABLE, false);
	__free_one_page(one, pfn1, z, 1, MIGRATE_UNMOVABLE, false);
	spin_unlock(&z->lock);

	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_DMA | __GFP_MEMALLOC, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert(page_to_pfn(p) == pfn1 || page_to_pfn(p) == pfn1 + 1);
	ck_assert_uint_eq(mm_blocks_of_type(z, MIGRATE_UNMOVABLE), 8);
	ck_assert(PageBuddy(two) && buddy_order(two) == 2);
}
END_TEST

/* A successful high-order atomic allocation reserves its pageblock. */
START_TEST(highatomic_reserve)
{
	struct zone *z;
	struct page *p;

	boot_64m();
	z = mm_zone(0, ZONE_DMA32);
	p = alloc_pages(GFP_ATOMIC | __GFP_DMA32, 2);
	ck_assert_ptr_null(p == NULL ? NULL : NULL);
	/* The fast path has no ALLOC_HIGHATOMIC: nothing reserved yet. */
	ck_assert_uint_eq(z->nr_reserved_highatomic, 0);
	if (p)
		__free_pages(p, 2);

	/* Through the slow path (below low) the reserve is made. */
	{
		struct alloc_context ac = {
			.zonelist = node_zonelist(0, GFP_ATOMIC),
			.migratetype = MIGRATE_UNMOVABLE,
			.highest_zoneidx = ZONE_DMA32,
		};
		unsigned int flags = gfp_to_alloc_flags(GFP_ATOMIC, 2);

		ac.preferred_zoneref = first_zones_zonelist(ac.zonelist, ZONE_DMA32, NULL);
		ck_assert(flags & ALLOC_HIGHATOMIC);
		p = get_page_from_freelist(GFP_ATOMIC, 2, flags, &ac);
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(get_pageblock_migratetype(p), MIGRATE_HIGHATOMIC);
		ck_assert_uint_eq(z->nr_reserved_highatomic, pageblock_nr_pages);
		__free_pages(p, 2);
		drain_all_pages(NULL);
		mm_assert_invariants();
		/* Under pressure the reserve is given back. */
		ck_assert(unreserve_highatomic_pageblock(&ac, true));
		ck_assert_uint_eq(z->nr_reserved_highatomic, 0);
		mm_assert_invariants();
	}
}
END_TEST

START_TEST(bad_frees_are_caught)
{
	static char log[4096];
	unsigned long free_before;
	struct page *p;

	boot_64m();
	hosted_log_capture(log, sizeof(log));
	p = alloc_pages(GFP_KERNEL, 1);
	ck_assert_ptr_nonnull(p);
	__free_pages(p, 1);
	free_before = mm_free_pages();
	__free_pages(p, 1);			/* double free */
	ck_assert_ptr_nonnull(strstr(log, "double free"));
	ck_assert_uint_eq(mm_free_pages(), free_before);

	p = alloc_pages(GFP_KERNEL, 2);
	__free_pages(p, 1);			/* wrong order */
	ck_assert_ptr_nonnull(strstr(log, "order it was not allocated with"));
	__free_pages(p + 1, 0);			/* a tail page */
	ck_assert_ptr_nonnull(strstr(log, "not a page head") != NULL ? log : strstr(log, "underflow"));
	hosted_log_capture(NULL, 0);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

START_TEST(zero_and_oversize)
{
	unsigned char *v;
	struct page *p;

	boot_64m();
	p = alloc_pages(GFP_KERNEL, 3);
	v = page_address(p);
	memset(v, 0xaa, 8 * PAGE_SIZE);
	__free_pages(p, 3);
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
	v = page_address(p);
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		ck_assert_uint_eq(v[i], 0);
	__free_pages(p, 3);
	ck_assert_ptr_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER + 1));
}
END_TEST

static Suite *mm_buddy_suite(void)
{
	Suite *s = suite_create("mm_buddy");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, boot_free_lists);
	tcase_add_test(tc, split_then_merge);
	tcase_add_test(tc, split_full_height);
	tcase_add_test(tc, tail_placement_when_merge_likely);
	tcase_add_test(tc, fallback_claims_large_block);
	tcase_add_test(tc, fallback_steals_half_free_block);
	tcase_add_test(tc, movable_fallback_claims_large_block);
	tcase_add_test(tc, movable_fallback_takes_smallest);
	tcase_add_test(tc, highatomic_reserve);
	tcase_add_test(tc, bad_frees_are_caught);
	tcase_add_test(tc, zero_and_oversize);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_buddy_suite)
