/* SPDX-License-Identifier: MIT */
/*
 * struct page: one per 4 KiB page frame, in one flat array (mem_map) that
 * covers every PFN from 0 to max_pfn, holes included.  64 bytes, as in
 * Linux, so the array costs 1.6% of RAM.
 */
#ifndef GUESTMM_PAGE_H
#define GUESTMM_PAGE_H

#include <guestmm/compiler.h>
#include <guestmm/list.h>

struct kmem_cache;

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define MAX_ORDER		10	/* largest block: 2^10 pages = 4 MiB */
#define NR_PAGE_ORDERS		(MAX_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1UL << MAX_ORDER)
#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER	3

/*
 * Page flags.  The low bits are states; the top bits hold the node and
 * zone the page belongs to, so page_zone() needs no lookup.
 */
enum pageflags {
	PG_buddy,	/* head of a free block on a buddy free list; order in private */
	PG_pcp,		/* on a per-CPU list; order in private, migratetype in index */
	PG_reserved,	/* never given to the allocator: hole, kernel, mem_map */
	PG_movable,	/* allocated as movable (counted when stealing a pageblock) */
	PG_head,	/* first page of an allocated block of order > 0 */
	PG_slab,
	PG_lru,
	PG_active,
	PG_referenced,
	PG_swapbacked,
	PG_isolated,
	PG_reported,	/* free block head the host was told about (page_reporting.c) */
	NR_PAGEFLAGS
};

#define PAGE_NODE_SHIFT		56
#define PAGE_NODE_MASK		0xfUL
#define PAGE_ZONE_SHIFT		60
#define PAGE_ZONE_MASK		0x3UL
#define PAGE_LINKAGE_MASK	((PAGE_NODE_MASK << PAGE_NODE_SHIFT) | \
				 (PAGE_ZONE_MASK << PAGE_ZONE_SHIFT))

struct page {
	unsigned long flags;
	struct list_head lru;		/* free list, per-CPU list, LRU or slab list */
	unsigned long private;		/* buddy/pcp: order */
	union {
		struct {
			unsigned long index;	/* pcp: migratetype it was taken as */
			void *mapping;		/* owner of an allocated page */
		};
		struct {			/* PG_slab (slab.c) */
			void *freelist;		/* first page of a slab: first free object */
			struct kmem_cache *slab_cache;	/* every page of a slab: its cache */
		};
	};
	int refcount;			/* 0 when free */
	int mapcount;
	union {
		unsigned long pad;
		unsigned long slab_inuse;	/* PG_slab, first page: objects handed out */
	};
};

_Static_assert(sizeof(struct page) == 64, "struct page must stay 64 bytes");

/* The memory map and the direct map, set up by mm_init(). */
extern struct page *mem_map;
extern unsigned long max_pfn;
extern char *mm_direct_map;

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - mem_map);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return mem_map + pfn;
}

static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < max_pfn;
}

static inline void *page_address(const struct page *page)
{
	return mm_direct_map + (page_to_pfn(page) << PAGE_SHIFT);
}

static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page((unsigned long)((const char *)addr - mm_direct_map) >> PAGE_SHIFT);
}

static inline uint64_t page_to_phys(const struct page *page)
{
	return (uint64_t)page_to_pfn(page) << PAGE_SHIFT;
}

static inline bool PageFlag(const struct page *p, enum pageflags f)
{
	return p->flags & BIT(f);
}

static inline void SetPageFlag(struct page *p, enum pageflags f)
{
	p->flags |= BIT(f);
}

static inline void ClearPageFlag(struct page *p, enum pageflags f)
{
	p->flags &= ~BIT(f);
}

#define PageBuddy(p)		PageFlag(p, PG_buddy)
#define PagePcp(p)		PageFlag(p, PG_pcp)
#define PageReserved(p)		PageFlag(p, PG_reserved)
#define PageMovable(p)		PageFlag(p, PG_movable)
#define PageHead(p)		PageFlag(p, PG_head)
#define PageSlab(p)		PageFlag(p, PG_slab)
#define PageReported(p)		PageFlag(p, PG_reported)

static inline int page_to_nid(const struct page *page)
{
	return (int)((page->flags >> PAGE_NODE_SHIFT) & PAGE_NODE_MASK);
}

static inline int page_zonenum(const struct page *page)
{
	return (int)((page->flags >> PAGE_ZONE_SHIFT) & PAGE_ZONE_MASK);
}

static inline unsigned int buddy_order(const struct page *page)
{
	return (unsigned int)page->private;
}

static inline int page_count(const struct page *page)
{
	return __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);
}

static inline void get_page(struct page *page)
{
	__atomic_add_fetch(&page->refcount, 1, __ATOMIC_RELAXED);
}

#endif
