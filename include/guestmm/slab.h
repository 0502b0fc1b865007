/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator: caches of equal-sized objects carved from buddy
 * pages, and kmalloc() on top of them.
 *
 *   kmem_cache
 *     per-CPU array of free objects (limit, batchcount: the slabinfo tunables)
 *     per node: slabs_partial, slabs_full, slabs_free (under list_lock)
 *       slab = 2^order pages (PG_slab), a freelist threaded through its
 *              free objects, a count of objects in use
 *
 * Allocation pops from the CPU's array; an empty array is refilled with a
 * batch from the node's partial (then free) slabs; with none left a new
 * slab is allocated from the page allocator.  Freeing pushes onto the
 * array; a full array returns a batch to the slabs, and empty slabs
 * beyond min_partial per node go back to the page allocator.
 * See docs/slab.md.
 */
#ifndef GUESTMM_SLAB_H
#define GUESTMM_SLAB_H

#include <guestmm/gfp.h>
#include <guestmm/seq_buf.h>

/* Cache flags (kmem_cache_create); values as Linux's slab.h. */
#define SLAB_CONSISTENCY_CHECKS	0x00000100u	/* check pointers on free (slub_debug=F) */
#define SLAB_RED_ZONE		0x00000400u	/* red zones around objects (Z) */
#define SLAB_POISON		0x00000800u	/* poison free objects (P) */
#define SLAB_HWCACHE_ALIGN	0x00002000u	/* align objects on cache lines */
#define SLAB_PANIC		0x00040000u	/* creation failure is fatal */
#define SLAB_RECLAIM_ACCOUNT	0x00020000u	/* reclaimable: Reclaimable pageblocks */
#define SLAB_DEBUG		(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON)

/*
 * Debug flags added to every cache created from now on: the boot option
 * (slub_debug on the guest's command line).  Set it before mm_init() to
 * cover the kmalloc caches.  Debug caches skip the per-CPU arrays, so
 * every free is checked at once.
 */
extern unsigned int slab_debug_boot;

/* Parse a slub_debug value ("" or NULL: all checks; else letters F Z P). */
unsigned int slab_parse_debug(const char *opt);

struct kmem_cache;

/* Bring up the kmalloc caches (mm_init() calls it). */
void kmem_cache_init(void);

/*
 * Create a cache of @size-byte objects aligned to @align (0: the word
 * size), with @ctor run on every object when its slab is created (so a
 * freed object must be left constructed).  NULL on failure.
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned int flags, void (*ctor)(void *));

/* Free the cache; it must be empty (otherwise it is reported and kept). */
void kmem_cache_destroy(struct kmem_cache *s);

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
/* From node @nid's slabs if it has any (NUMA_NO_NODE: the local node). */
void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int nid);
void kmem_cache_free(struct kmem_cache *s, void *obj);

static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

/*
 * Return every per-CPU array's objects to their slabs and every empty
 * slab to the page allocator.  Returns the pages released.
 */
unsigned long kmem_cache_shrink(struct kmem_cache *s);

/* kmem_cache_shrink() for every cache. */
unsigned long kmem_cache_shrink_all(void);

const char *kmem_cache_name(const struct kmem_cache *s);

#define NUMA_NO_NODE	(-1)

/* --- kmalloc --------------------------------------------------------- */

/*
 * Size classes 8, 16, 32, 64, 96, 128, 192, 256, 512, 1k, 2k, 4k, 8k
 * (caches kmalloc-N); larger requests are whole pages from the page
 * allocator.  Power-of-two sizes are aligned to their size; every object
 * to at least 8 bytes.
 */
#define KMALLOC_MIN_SIZE	8
#define KMALLOC_MAX_CACHE_SIZE	8192
#define KMALLOC_SHIFT_MAX	(10 + 12)		/* MAX_ORDER pages */
#define KMALLOC_MAX_SIZE	(1UL << KMALLOC_SHIFT_MAX)

/* kmalloc(0) returns this: not NULL, but faults if used. kfree() accepts it. */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *p);

/* The usable size of a kmalloc'ed block: its class size (or pages). */
size_t ksize(const void *p);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kzalloc(n * size, gfp);
}

/* --- Reports ----------------------------------------------------------- */

void report_slabinfo(struct seq_buf *s);	/* /proc/slabinfo, version 2.1 */
void report_slabtop(struct seq_buf *s);		/* slabtop -o, sorted by cache size */

/*
 * Check every cache's slabs, lists, freelists, counters and red zones,
 * and the slab page counts in the node statistics.  The caller keeps the
 * allocator quiet.  Returns the number of violations, described in @err.
 */
unsigned long slab_check_invariants(struct seq_buf *err);

/* Bugs the debug checks have reported (double free, bad pointer ...). */
unsigned long slab_debug_errors(void);

#endif
