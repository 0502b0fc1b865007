/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator's data structures and its fast paths, shared by
 * slab.c (cache lifecycle), slab_cpu.c (per-CPU arrays, the entry
 * points), slab_node.c (slabs and the node lists), slab_debug.c (red
 * zones and poisoning), kmalloc.c, slab_report.c and slab_check.c
 * (/proc/slabinfo, the invariant checker).
 */
#ifndef GUESTMM_SLAB_INTERNAL_H
#define GUESTMM_SLAB_INTERNAL_H

#include "internal.h"
#include <guestmm/slab.h>

#define SLAB_NAME_LEN	32
#define SLAB_DEBUG_FLAGS	SLAB_DEBUG
#define MAX_OBJS_PER_SLAB	32767

/*
 * A CPU's stack of free objects.  Only the owner CPU uses it in the
 * normal course; the lock (taken with trylock on the fast paths, as the
 * per-CPU page lists do) keeps out an interrupt handler or a thread that
 * shares the CPU id, and a drain from another CPU.
 */
struct array_cache {
	struct cpu_lock lock;
	unsigned int avail;		/* objects in entry[0 .. avail-1]; the top is hottest */
	unsigned int limit;		/* at most this many (0: no caching, debug caches) */
	unsigned int batchcount;	/* refill and flush this many at a time */
	void *entry[];
};

/*
 * A node's slabs.  A slab is on exactly one list, by how many of its
 * objects are in use: all (full), some (partial) or none (free).  Not
 * cache-line aligned: only the slow paths touch it, and an aligned member
 * would make the list walks over slab_caches misaligned accesses for
 * UBSan when they compute the list head's would-be container.
 */
struct kmem_cache_node {
	spinlock_t list_lock;
	struct list_head slabs_partial;
	struct list_head slabs_full;
	struct list_head slabs_free;
	unsigned long nr_partial, nr_full, nr_free;	/* slabs on each list */
	unsigned long free_objects;	/* free objects in all of this node's slabs */
};

/*
 * An object's slot, from the slab's start at s->size intervals:
 *
 *   [red_left_pad][object_size .. inuse][right red zone][free pointer] pad
 *
 * The pointer callers see is the slot plus red_left_pad.  The red zones
 * (debug only) hold SLAB_RED_ACTIVE while the object is allocated and
 * SLAB_RED_INACTIVE while it is free, so they also record its state.
 * The free pointer overlays the object's first word unless the object
 * must keep its contents while free (a constructor, or poisoning).
 */
struct kmem_cache {
	/* Read on every allocation and free. */
	unsigned int size;		/* slot size */
	unsigned int object_size;	/* what the creator asked for */
	unsigned int offset;		/* free pointer, from the object pointer */
	unsigned int red_left_pad;
	unsigned int flags;
	unsigned int order;		/* pages per slab: 2^order */
	unsigned int objects;		/* objects per slab */
	unsigned int align;
	unsigned int inuse;		/* object_size rounded to a word */
	unsigned int min_partial;	/* empty slabs a node keeps */
	gfp_t allocflags;		/* added to the page allocations of slabs */
	void (*ctor)(void *);
	/*
	 * Each CPU's array_cache.  Until the first allocation that misses
	 * (install_cpu_arrays()) every CPU has an empty boot array of limit
	 * 0 that all such caches share, so that a cache costs no page before
	 * it is used.  One pointer per CPU, published after its array is
	 * set up: a CPU sees either its boot array or its own.
	 */
	struct array_cache *cpu_ac[NR_CPUS];
	unsigned int limit, batchcount;	/* the per-CPU array tunables */
	unsigned int arrays_order;	/* pages holding the arrays, from cpu_ac[0] */
	int arrays_state;		/* 0 none, 1 being installed or installed */
	struct list_head list;		/* slab_caches, newest first */
	char name[SLAB_NAME_LEN];
	struct kmem_cache_node node[MAX_NUMNODES];
};

static inline struct array_cache *cpu_array(const struct kmem_cache *s, unsigned int cpu)
{
	return __atomic_load_n(&s->cpu_ac[cpu], __ATOMIC_ACQUIRE);
}

static inline bool slab_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

/* The first page of the slab holding @page (slabs are aligned to their order). */
static inline struct page *slab_head(const struct kmem_cache *s, struct page *page)
{
	return pfn_to_page(page_to_pfn(page) & ~((1UL << s->order) - 1));
}

static inline char *slab_base(const struct page *slab)
{
	return page_address(slab);
}

static inline void **free_ptr(const struct kmem_cache *s, void *obj)
{
	return (void **)((char *)obj + s->offset);
}

/* The object in slot @i of @slab. */
static inline void *slab_object(const struct kmem_cache *s, const struct page *slab,
				unsigned int i)
{
	return slab_base(slab) + (size_t)i * s->size + s->red_left_pad;
}

/* Is @p within the direct map, so that virt_to_page() means something? */
static inline bool direct_mapped(const void *p)
{
	return (uintptr_t)p - (uintptr_t)mm_direct_map < (max_pfn << PAGE_SHIFT);
}

/* The smallest order whose block holds @size bytes. */
static inline unsigned int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return (unsigned int)(64 - __builtin_clzl((size - 1) >> PAGE_SHIFT));
}

extern struct list_head slab_caches;
extern spinlock_t slab_lock;		/* slab_caches */

/* slab.c: set up a cache in @s (caches that exist before any allocation). */
int __kmem_cache_create(struct kmem_cache *s, const char *name, unsigned int size,
			unsigned int align, unsigned int flags, void (*ctor)(void *));

/* Page allocator flags a caller's gfp may pass on to a slab's pages. */
#define GFP_SLAB_PAGE_MASK	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | \
				 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
				 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
				 __GFP_THISNODE)

/* --- Per-CPU arrays and the entry points (slab_cpu.c) ------------------ */

void slab_cpu_arrays_init(struct kmem_cache *s);	/* the boot arrays */
void slab_cpu_arrays_free(struct kmem_cache *s);
void cache_drain_cpus(struct kmem_cache *s);

/* Everything but the fast paths: refill, flush, node lists, debug, new slabs. */
void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, int nid);
void slab_free_slow(struct kmem_cache *s, void *obj);

/*
 * The fast paths: pop from or push onto this CPU's array, nothing else,
 * inlined into kmalloc(), kfree() and the kmem_cache_* entry points.
 * Whatever can fail, wait or check (debug caches keep no array) is out
 * of line, so these need no stack frame of their own.
 */
static __fastpath void *slab_alloc(struct kmem_cache *s, gfp_t gfp, int nid)
{
	struct array_cache *ac;
	void *obj = NULL;

	/* The array mixes nodes' objects: a caller naming a node gets its lists. */
	if (unlikely(nid != NUMA_NO_NODE))
		return slab_alloc_slow(s, gfp, nid);
	ac = cpu_array(s, platform_cpu_id());
	if (likely(cpu_lock_trylock(&ac->lock))) {
		if (likely(ac->avail))
			obj = ac->entry[--ac->avail];
		cpu_lock_unlock(&ac->lock);
	}
	if (unlikely(!obj))
		return slab_alloc_slow(s, gfp, nid);
	if (unlikely(gfp & __GFP_ZERO))
		memset(obj, 0, s->object_size);
	return obj;
}

static __fastpath void slab_free(struct kmem_cache *s, void *obj)
{
	struct array_cache *ac = cpu_array(s, platform_cpu_id());

	if (likely(cpu_lock_trylock(&ac->lock))) {
		if (likely(ac->avail < ac->limit)) {
			ac->entry[ac->avail++] = obj;
			cpu_lock_unlock(&ac->lock);
			return;
		}
		cpu_lock_unlock(&ac->lock);
	}
	slab_free_slow(s, obj);
}

/* --- Slabs and the node lists (slab_node.c) ---------------------------- */

/* Up to @nr objects from node @nid's partial, then free slabs (no new slab). */
unsigned int slab_node_take(struct kmem_cache *s, int nid, void **objs, unsigned int nr);
/* Give @nr objects back to their slabs, on whatever nodes they live. */
void slab_node_put(struct kmem_cache *s, void **objs, unsigned int nr);
/*
 * One object from node @nid's slabs (NUMA_NO_NODE: the local node), then
 * any node's unless __GFP_THISNODE, then from a new slab.  No lock held.
 */
void *slab_node_alloc(struct kmem_cache *s, gfp_t gfp, int nid);
/* Free @obj of @slab straight to its node's lists (debug: refuse a double free). */
void slab_node_free(struct kmem_cache *s, struct page *slab, void *obj);
/* Return node @nid's empty slabs to the page allocator; the pages released. */
unsigned long slab_node_release_free(struct kmem_cache *s, int nid);

/* Bytes of slab pages per node, as accounted in NR_SLAB_*_B (checker). */
unsigned long slab_cache_pages(struct kmem_cache *s, int nid);

/* --- Debug (slab_debug.c) ---------------------------------------------- */

#define SLAB_RED_INACTIVE	0xbb
#define SLAB_RED_ACTIVE		0xcc
#define POISON_FREE		0x6b
#define POISON_END		0xa5

/* A new slab: every object free, red zones inactive, poisoned. */
void debug_init_object(struct kmem_cache *s, void *obj);
/* Allocation: check the free object, then mark it active.  False: don't use it. */
bool debug_alloc_object(struct kmem_cache *s, struct page *slab, void *obj);
/*
 * Free: the checks of slub_debug.  Returns the cache the object really
 * belongs to and its slab, or NULL if the free must be refused (the
 * problem has been reported).
 */
struct kmem_cache *debug_free_object(struct kmem_cache *s, const void *obj,
				     struct page **slabp);
bool debug_object_is_free(const struct kmem_cache *s, const void *obj);
void slab_bug(const struct kmem_cache *s, const char *what, const void *obj);

/* kmalloc.c: bytes of large (page) kmallocs per node, for the checker. */
extern long kmalloc_large_bytes[MAX_NUMNODES];
void kmalloc_init(void);

#endif
