/* SPDX-License-Identifier: MIT */
/*
 * GFP ("get free pages") flags: how an allocation may behave.  Bit values
 * and combinations follow Linux (include/linux/gfp_types.h) so that a
 * reader who knows GFP_KERNEL knows these.
 */
#ifndef GUESTMM_GFP_H
#define GUESTMM_GFP_H

#include <guestmm/compiler.h>

typedef unsigned int gfp_t;

/* Zone modifiers: the highest zone the allocation may use. */
#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u	/* no highmem on x86-64: ignored */
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u	/* also the Movable migratetype */
#define GFP_ZONEMASK		(__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)

/* Mobility: which pageblock migratetype the pages belong to. */
#define __GFP_RECLAIMABLE	0x10u
#define GFP_MOVABLE_MASK	(__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT	3

/* Watermark modifiers. */
#define __GFP_HIGH		0x20u	/* high priority: may dip into min/2 */
#define __GFP_MEMALLOC		0x20000u	/* ignore watermarks entirely */
#define __GFP_NOMEMALLOC	0x80000u	/* never use the reserves */

/* Reclaim modifiers. */
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_RETRY_MAYFAIL	0x4000u	/* retry hard, but may fail; no OOM kill */
#define __GFP_NOFAIL		0x8000u	/* never fail: retry forever */
#define __GFP_NORETRY		0x10000u	/* one light attempt, then fail */

/* Action modifiers. */
#define __GFP_NOWARN		0x2000u
#define __GFP_COMP		0x40000u
#define __GFP_ZERO		0x100u
#define __GFP_HARDWALL		0x100000u
#define __GFP_THISNODE		0x200000u	/* only the requested node */
#define __GFP_ACCOUNT		0x400000u

/* The combinations callers use. */
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER		(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32
#define GFP_HIGHUSER		GFP_USER
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)

static inline int gfp_migratetype(gfp_t gfp)
{
	return (int)((gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT);
}

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

#endif
