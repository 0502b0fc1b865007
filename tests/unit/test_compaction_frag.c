// SPDX-License-Identifier: MIT
/*
 * The fragmentation scenario.  Fill a zone with interleaved movable
 * (anonymous), unmovable and reclaimable allocations, then free a random
 * half of the movable ones.  Before compaction, order-9 allocations
 * mostly fail; after a full compaction at least 90% of the order-9
 * blocks that the unmovable and reclaimable pages leave possible are
 * allocatable.  Every anonymous page is checked by its contents; the
 * kernel pages never move and keep theirs.
 */
#include "unit.h"
#include "compaction_test.h"

#define ZONE_BYTES	(128 * MiB)
#define MAX_KPAGES	8192

/* The order-9 gfp that neither reclaims nor compacts nor dips into reserves. */
#define GFP_ORDER9_PROBE (__GFP_MOVABLE | __GFP_NOWARN | __GFP_NOMEMALLOC)

static struct page *kpages[MAX_KPAGES];
static unsigned int nr_kpages;

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Take every order-9 block the zone can give without help; free them again. */
static unsigned long count_order9(struct zone *z)
{
	static struct page *got[1024];
	unsigned long n = 0;
	struct page *p;

	while (n < ARRAY_SIZE(got) && (p = alloc_pages(GFP_ORDER9_PROBE, pageblock_order)) != NULL)
		got[n++] = p;
	for (unsigned long i = 0; i < n; i++) {
		ck_assert_ptr_eq(page_zone(got[i]), z);
		__free_pages(got[i], pageblock_order);
	}
	return n;
}

static void fill_kernel_page(struct page *p)
{
	uint64_t *w = page_address(p);

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = page_to_pfn(p) * 31 + i;
}

static bool kernel_page_intact(struct page *p)
{
	const uint64_t *w = page_address(p);

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != page_to_pfn(p) * 31 + i)
			return false;
	return true;
}

START_TEST(fragmentation_scenario)
{
	struct zone *z;
	struct mm_anon *mm;
	static unsigned long pfn_before[1 << 16];
	static bool pinned_block[1024];
	uint64_t rng = 0x2545f4914f6cdd1dull;
	unsigned long n, pages, before, after, possible, blocks, pinned = 0, live = 0, moved = 0;
	unsigned long limit;

	mm_test_boot_dma32(ZONE_BYTES);
	z = mm_zone(0, ZONE_DMA32);
	mm = mm_anon_create();
	ck_assert_int_eq(anon_map(mm, ANON_BASE, z->managed_pages * PAGE_SIZE, true), 0);

	/*
	 * Interleave: of every 20 allocations, 18 anonymous pages, one
	 * unmovable and one reclaimable kernel page, until the zone is near
	 * its low watermark.
	 */
	nr_kpages = 0;
	for (n = pages = 0; zone_page_state(z, NR_FREE_PAGES) > (long)(low_wmark_pages(z) + 64); n++) {
		if (n % 20 == 9 || n % 20 == 19) {
			gfp_t gfp = GFP_KERNEL | (n % 20 == 19 ? __GFP_RECLAIMABLE : 0);
			struct page *p = alloc_page(gfp | __GFP_NOWARN);

			ck_assert_ptr_nonnull(p);
			ck_assert_uint_lt(nr_kpages, MAX_KPAGES);
			fill_kernel_page(p);
			kpages[nr_kpages++] = p;
			continue;
		}
		ck_assert_uint_lt(pages, ARRAY_SIZE(pfn_before));
		ck_assert(anon_fill(mm, pages));
		pages++;
	}
	/* Free a random half of the anonymous pages. */
	for (unsigned long i = 0; i < pages; i++) {
		if (xorshift(&rng) & 1)
			anon_discard(mm, anon_va(i), PAGE_SIZE);
		else
			pfn_before[i] = anon_pfn(mm, i);
	}
	drain_all_pages(NULL);

	/*
	 * The possible blocks: pageblocks with no kernel page in them, less
	 * those the remaining anonymous pages fill when packed tight, and no
	 * more than the free memory above the low watermark holds.
	 */
	for (unsigned int i = 0; i < nr_kpages; i++) {
		unsigned long b = (page_to_pfn(kpages[i]) - z->zone_start_pfn) >> pageblock_order;

		ck_assert_uint_lt(b, ARRAY_SIZE(pinned_block));
		pinned += !pinned_block[b];
		pinned_block[b] = true;
	}
	for (unsigned long i = 0; i < pages; i++)
		live += pfn_before[i] != 0;
	blocks = z->spanned_pages >> pageblock_order;
	possible = blocks - pinned - (live + pageblock_nr_pages - 1) / pageblock_nr_pages;
	limit = ((unsigned long)zone_page_state(z, NR_FREE_PAGES) - low_wmark_pages(z)) >>
		pageblock_order;
	possible = min(possible, limit);

	before = count_order9(z);
	compact_memory();
	after = count_order9(z);
	printf("fragmentation scenario: %lu blocks, %lu pinned by kernel pages, %lu anon pages "
	       "live; order-9 blocks before %lu, after %lu, possible %lu\n",
	       blocks, pinned, live, before, after, possible);

	ck_assert_uint_le(before * 10, possible);	/* mostly fail */
	ck_assert_uint_ge(after * 10, possible * 9);

	for (unsigned long i = 0; i < pages; i++) {
		if (!pfn_before[i])
			continue;
		ck_assert_msg(anon_intact(mm, i), "anon page %lu lost its contents", i);
		moved += anon_pfn(mm, i) != pfn_before[i];
	}
	ck_assert_uint_gt(moved, 0);
	ck_assert_uint_eq(sum_vm_event(PGMIGRATE_SUCCESS), moved);
	for (unsigned int i = 0; i < nr_kpages; i++) {
		ck_assert(kernel_page_intact(kpages[i]));
		ck_assert_int_eq(page_count(kpages[i]), 1);
		__free_page(kpages[i]);
	}
	mm_anon_destroy(mm);
	drain_all_pages(NULL);
	mm_assert_invariants();
}
END_TEST

static Suite *compaction_frag_suite(void)
{
	Suite *s = suite_create("compaction_frag");
	TCase *tc = tcase_create("scenario");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fragmentation_scenario);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(compaction_frag_suite)
