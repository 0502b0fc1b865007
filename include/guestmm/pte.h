/* SPDX-License-Identifier: MIT */
/*
 * Page table entries as guestmm sees them: the x86-64 layout, so the
 * guest platform stores them into real page tables unchanged and the
 * hosted platform's software MMU interprets them the same way.
 *
 *   present:      bit 0 P, 1 RW, 2 US, 5 A (accessed), 6 D (dirty),
 *                 12..51 PFN, 63 NX
 *   not present:  0 = nothing mapped; otherwise a swap entry,
 *                 (type << 1) | (offset << 8), P clear
 */
#ifndef GUESTMM_PTE_H
#define GUESTMM_PTE_H

#include <guestmm/compiler.h>

typedef uint64_t pte_t;

#define PTE_PRESENT	BIT(0)
#define PTE_RW		BIT(1)
#define PTE_USER	BIT(2)
#define PTE_ACCESSED	BIT(5)
#define PTE_DIRTY	BIT(6)
#define PTE_NX		(1ULL << 63)
#define PTE_PFN_MASK	0x000ffffffffff000ULL

#define PTE_SWP_TYPE_SHIFT	1
#define PTE_SWP_TYPE_MASK	0x1fULL
#define PTE_SWP_OFFSET_SHIFT	8

static inline bool pte_present(pte_t pte)
{
	return pte & PTE_PRESENT;
}

static inline bool pte_none(pte_t pte)
{
	return pte == 0;
}

static inline bool pte_is_swap(pte_t pte)
{
	return !pte_present(pte) && !pte_none(pte);
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return (unsigned long)((pte & PTE_PFN_MASK) >> 12);
}

static inline pte_t pfn_pte(unsigned long pfn, uint64_t prot)
{
	return ((uint64_t)pfn << 12) | prot | PTE_PRESENT;
}

/* A swap entry: which swap area, and which slot in it. */
static inline pte_t swp_entry_pte(unsigned int type, unsigned long offset)
{
	return ((uint64_t)(type & PTE_SWP_TYPE_MASK) << PTE_SWP_TYPE_SHIFT) |
	       ((uint64_t)offset << PTE_SWP_OFFSET_SHIFT) | 0x80;	/* never 0 */
}

static inline unsigned int pte_swp_type(pte_t pte)
{
	return (unsigned int)((pte >> PTE_SWP_TYPE_SHIFT) & PTE_SWP_TYPE_MASK);
}

static inline unsigned long pte_swp_offset(pte_t pte)
{
	return (unsigned long)(pte >> PTE_SWP_OFFSET_SHIFT);
}

#endif
