/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the compaction tests: an anonymous region filled page by
 * page with a pattern, and its checksums read back through the MMU.
 */
#ifndef EBB_TESTS_COMPACTION_TEST_H
#define EBB_TESTS_COMPACTION_TEST_H

#include "mm_test.h"

#include <guestmm/anon.h>
#include <guestmm/compaction.h>
#include <guestmm/pte.h>

#define ANON_BASE	0x40000000UL

/*
 * A machine whose RAM starts at 16 MiB: no DMA zone, so every test
 * allocation meets DMA32 alone and no untouched zone hides the
 * fragmentation.
 */
static inline void mm_test_boot_dma32(uint64_t bytes)
{
	struct hosted_machine m = { .nr_nodes = 1, .nr_cpus = 1, .phys_base = 16 * MiB,
				    .node_bytes = { bytes } };

	hosted_log_quiet(true);
	ck_assert_int_eq(hosted_boot(&m), 0);
	ck_assert(!populated_zone(mm_zone(0, ZONE_DMA)));
}

static inline unsigned long anon_va(unsigned long i)
{
	return ANON_BASE + i * PAGE_SIZE;
}

/* Write page @i's own pattern; false if the fault could not be served. */
static inline bool anon_fill(struct mm_anon *mm, unsigned long i)
{
	uint64_t buf[PAGE_SIZE / 8];

	for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
		buf[w] = (i + 1) * 0x9e3779b97f4a7c15ull ^ w;
	return hosted_access(mm->as, anon_va(i), buf, PAGE_SIZE, true) == 0;
}

/* Does page @i still hold its pattern (read through the software MMU)? */
static inline bool anon_intact(struct mm_anon *mm, unsigned long i)
{
	uint64_t buf[PAGE_SIZE / 8];

	if (hosted_access(mm->as, anon_va(i), buf, PAGE_SIZE, false))
		return false;
	for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
		if (buf[w] != ((i + 1) * 0x9e3779b97f4a7c15ull ^ w))
			return false;
	return true;
}

/* The frame mapped at page @i, or 0 if none. */
static inline unsigned long anon_pfn(struct mm_anon *mm, unsigned long i)
{
	pte_t pte = platform_pte_read(mm->as, anon_va(i));

	return pte_present(pte) ? pte_pfn(pte) : 0;
}

#endif
