/* SPDX-License-Identifier: MIT */
/*
 * The page allocator's interface.
 *
 * Every allocation goes through __alloc_pages(): a fast path that tries
 * the zonelist at the low watermark, and a slow path that wakes kswapd,
 * retries at min, compacts, reclaims and finally calls the OOM killer, in
 * the order Linux uses (see docs/ARCHITECTURE.md).
 */
#ifndef GUESTMM_PAGE_ALLOC_H
#define GUESTMM_PAGE_ALLOC_H

#include <guestmm/gfp.h>
#include <guestmm/mmzone.h>
#include <guestmm/page.h>

/* Allocation flags: the internal form of a gfp mask (Linux's ALLOC_*). */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04	/* don't check watermarks at all */
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08	/* OOM victim: halve min again */
#define ALLOC_NON_BLOCK		0x10	/* caller cannot block: a quarter of min */
#define ALLOC_MIN_RESERVE	0x20	/* __GFP_HIGH: may use half of min (== __GFP_HIGH) */
#define ALLOC_CPUSET		0x40
#define ALLOC_NOFRAGMENT	0x100	/* avoid mixing pageblock types */
#define ALLOC_HIGHATOMIC	0x200	/* may use the high-order atomic reserve */
#define ALLOC_KSWAPD		0x800	/* allowed to wake kswapd (== __GFP_KSWAPD_RECLAIM) */
#define ALLOC_RESERVES	(ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

_Static_assert(ALLOC_MIN_RESERVE == __GFP_HIGH, "ALLOC_MIN_RESERVE must equal __GFP_HIGH");
_Static_assert(ALLOC_KSWAPD == __GFP_KSWAPD_RECLAIM, "ALLOC_KSWAPD must equal __GFP_KSWAPD_RECLAIM");

typedef struct {
	unsigned long bits;
} nodemask_t;

/*
 * Allocate 2^order contiguous pages.  @preferred_nid is where the caller
 * wants them (it falls back to other nodes unless __GFP_THISNODE);
 * @nodemask, if not NULL, limits the nodes.  NULL on failure.
 */
struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid,
			   const nodemask_t *nodemask);

static inline struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return __alloc_pages(gfp, order, nid, NULL);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order);	/* local node */

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/* Give back a block obtained from __alloc_pages() with the same order. */
void __free_pages(struct page *page, unsigned int order);

static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/* Direct-map address forms. */
void *__get_free_pages(gfp_t gfp, unsigned int order);
void free_pages(void *addr, unsigned int order);

/* The watermark check, exactly as Linux's __zone_watermark_ok(). */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages);
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);

/* The zone an allocation with @gfp may use at most. */
enum zone_type gfp_zone(gfp_t gfp);
unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order);

struct zonelist *node_zonelist(int nid, gfp_t gfp);

/* Return every per-CPU list's pages to the buddy lists (NULL: all zones). */
void drain_all_pages(struct zone *zone);
void drain_local_pages(struct zone *zone);

/* Tunables (/proc/sys/vm); each recomputes what depends on it. */
extern int min_free_kbytes;
extern int watermark_scale_factor;	/* default 10, i.e. 0.1% */
extern int watermark_boost_factor;	/* default 15000 */
extern int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];
void setup_per_zone_wmarks(void);
void setup_per_zone_lowmem_reserve(void);
int set_min_free_kbytes(int kbytes);
int set_watermark_scale_factor(int factor);

unsigned long totalram_pages(void);
unsigned long nr_free_pages(void);
extern unsigned long totalreserve_pages;

/* Pageblock migratetype and compaction skip bit. */
int get_pageblock_migratetype(const struct page *page);
void set_pageblock_migratetype(struct page *page, int migratetype);
bool get_pageblock_skip(const struct page *page);
void set_pageblock_skip(struct page *page);
void clear_pageblock_skip(struct page *page);

#endif
