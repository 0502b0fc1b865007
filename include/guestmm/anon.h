/* SPDX-License-Identifier: MIT */
/*
 * Anonymous memory: the address space of a task (a workload in the guest,
 * a simulated program on the hosted platform) and the private pages that
 * back it, allocated on first touch.
 *
 *   struct mm_anon
 *     as            the platform's page tables for it
 *     regions[]     the ranges that may be populated (like VMAs)
 *     mapping       what page->mapping of each of its pages points at:
 *                   the reverse map, with page->index the virtual address
 *
 * Pages come from GFP_HIGHUSER_MOVABLE, so they sit in Movable pageblocks
 * and compaction can move them: the reverse map leads from a page frame
 * to the one PTE that maps it (pages are private, mapped once).
 */
#ifndef GUESTMM_ANON_H
#define GUESTMM_ANON_H

#include <guestmm/fault.h>
#include <guestmm/migrate.h>
#include <guestmm/spinlock.h>

#define ANON_MAX_REGIONS	32

struct anon_region {
	unsigned long start, end;	/* page aligned, [start, end) */
	bool writable;
};

struct mm_anon {
	struct movable_mapping mapping;	/* first: page->mapping points here */
	struct platform_as *as;
	/*
	 * Serialises changes to this address space's PTEs and page->mapping
	 * of its pages: faults, unmaps and migration.  Never held across an
	 * allocation, which may compact and so migrate this mm's pages.
	 */
	spinlock_t lock;
	int refs;			/* the owner's, and one per isolated page */
	unsigned long rss;		/* pages mapped */
	unsigned long swapents;		/* pages out in swap (swap entries in PTEs) */
	bool dying;			/* the OOM killer is freeing it: no new pages */
	struct list_head list;		/* on anon_mms, for the fault handler */
	unsigned int nr_regions;
	struct anon_region regions[ANON_MAX_REGIONS];
};

/* A new, empty address space; NULL if out of memory. */
struct mm_anon *mm_anon_create(void);

/* Unmap and free every page, then the address space itself. */
void mm_anon_destroy(struct mm_anon *mm);

/*
 * Allow faults to populate [start, start + len) (an anonymous mmap).
 * 0, -EINVAL (unaligned, overlapping) or -ENOMEM (too many regions).
 */
int anon_map(struct mm_anon *mm, unsigned long start, unsigned long len, bool writable);

/* Free the pages of [start, start + len) and forget the range (munmap). */
void anon_unmap(struct mm_anon *mm, unsigned long start, unsigned long len);

/*
 * Free the pages of [start, start + len) but keep the range: the next
 * touch faults in a zeroed page (madvise MADV_DONTNEED).
 */
void anon_discard(struct mm_anon *mm, unsigned long start, unsigned long len);

/* Resolve a fault in @mm's address space (the fault handler dispatches here). */
enum mm_fault_result anon_fault(struct mm_anon *mm, unsigned long va, bool write);

/* The anonymous address space whose page tables are @as, with a hold; or NULL. */
struct mm_anon *anon_mm_get(struct platform_as *as);
void anon_mm_put(struct mm_anon *mm);

#endif
