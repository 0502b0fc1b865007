// SPDX-License-Identifier: MIT
/*
 * The slab allocator: caches, their layout and lifecycle.
 *
 * The shape is Linux's SLAB (per-CPU arrays of free objects in front of
 * per-node full / partial / free slab lists, which is also what
 * /proc/slabinfo's tunables and slabdata columns describe) with SLUB's
 * choices where they are simpler: the free list is threaded through the
 * free objects, slab orders come from SLUB's calculate_order(), empty
 * slabs beyond min_partial per node go straight back to the page
 * allocator, and debugging is a per-cache runtime flag (slub_debug).
 *
 * Three layers, a file each: this one sizes and creates caches, shrinks
 * and destroys them; slab_cpu.c holds the per-CPU arrays and the
 * allocation and free paths (whose fast paths are inline in
 * slab_internal.h); slab_node.c the slabs themselves and the node lists.
 */
#include "slab_internal.h"

struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
spinlock_t slab_lock = SPIN_LOCK_UNLOCKED;
unsigned int slab_debug_boot;

#define MIN_PARTIAL		5	/* empty slabs a node keeps, at least ... */
#define MAX_PARTIAL		10	/* ... and at most (SLUB's bounds) */
#define SLAB_MAX_ORDER		PAGE_ALLOC_COSTLY_ORDER	/* slub_max_order */

static unsigned int fls32(unsigned int x)
{
	return x ? 32 - (unsigned int)__builtin_clz(x) : 0;
}

static unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)((PAGE_SIZE << order) / size);
}

/* The smallest order from @min_order whose leftover is at most 1/@fract. */
static unsigned int calc_slab_order(unsigned int size, unsigned int min_order,
				    unsigned int max_order, unsigned int fract)
{
	unsigned int order;

	for (order = min_order; order <= max_order; order++) {
		unsigned int slab_size = (unsigned int)PAGE_SIZE << order;

		if (slab_size % size <= slab_size / fract)
			break;
	}
	return order;
}

/*
 * SLUB's calculate_order(): enough objects per slab that the per-node
 * lists are not touched too often (4 * (fls(nr_cpus) + 1)), at most 1/16
 * of the slab wasted if an order up to 3 allows it, backing off to 1/8,
 * 1/4 and 1/2.
 */
static unsigned int calculate_order(unsigned int size)
{
	unsigned int min_objects = 4 * (fls32(nr_cpu_ids) + 1);
	unsigned int max_objects = max(order_objects(SLAB_MAX_ORDER, size), 1U);
	unsigned int min_order;

	min_objects = min(min_objects, max_objects);
	min_order = get_order((unsigned long)min_objects * size);
	if (order_objects(min_order, size) > MAX_OBJS_PER_SLAB)
		return get_order((unsigned long)size * MAX_OBJS_PER_SLAB) - 1;
	for (unsigned int fract = 16; fract > 1; fract /= 2) {
		unsigned int order = calc_slab_order(size, min_order, SLAB_MAX_ORDER, fract);

		if (order <= SLAB_MAX_ORDER)
			return order;
	}
	return get_order(size);
}

static unsigned int calculate_alignment(unsigned int flags, unsigned int align,
					unsigned int size)
{
	/* Cache-line alignment, but small objects may share a line. */
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = 64;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	return max(align, (unsigned int)sizeof(void *));
}

/*
 * The per-CPU array, as SLAB's enable_cpucache() sizes it: many small
 * objects, few big ones.  Debug caches keep none, so that every free
 * meets the checks while the object's state is exact.
 */
static void calculate_tunables(struct kmem_cache *s)
{
	unsigned int limit;

	if (slab_debug(s))
		limit = 0;
	else if (s->size > 131072)
		limit = 1;
	else if (s->size > PAGE_SIZE)
		limit = 8;
	else if (s->size > 1024)
		limit = 24;
	else if (s->size > 256)
		limit = 54;
	else
		limit = 120;
	s->limit = limit;
	s->batchcount = (limit + 1) / 2;
}

/* Lay out the slot (see struct kmem_cache) and size the slab. */
static int calculate_sizes(struct kmem_cache *s)
{
	unsigned int size;

	s->inuse = ALIGN_UP(s->object_size, (unsigned int)sizeof(void *));
	s->red_left_pad = (s->flags & SLAB_RED_ZONE) ? max(s->align, (unsigned int)sizeof(void *)) : 0;
	size = s->red_left_pad + s->inuse;
	if (s->flags & SLAB_RED_ZONE)
		size += sizeof(void *);
	if (s->ctor || slab_debug(s)) {
		s->offset = size - s->red_left_pad;
		size += sizeof(void *);
	} else {
		s->offset = 0;
	}
	s->size = ALIGN_UP(size, s->align);
	s->order = calculate_order(s->size);
	if (s->order > MAX_ORDER)
		return -1;
	s->objects = order_objects(s->order, s->size);
	s->min_partial = clamp(fls32(s->size) / 2, (unsigned int)MIN_PARTIAL,
			       (unsigned int)MAX_PARTIAL);
	calculate_tunables(s);
	return 0;
}

/* The cache of kmem_cache structures, itself static, as in Linux. */
static struct kmem_cache kmem_cache_cache;

int __kmem_cache_create(struct kmem_cache *s, const char *name, unsigned int size,
			unsigned int align, unsigned int flags, void (*ctor)(void *))
{
	unsigned long irqflags;
	size_t len;

	if (!size || size > (PAGE_SIZE << MAX_ORDER) / 2 || (align & (align - 1)))
		return -1;
	memset(s, 0, sizeof(*s));
	s->object_size = size;
	s->ctor = ctor;
	s->flags = flags | slab_debug_boot;
	s->align = calculate_alignment(s->flags, align, size);
	if (calculate_sizes(s))
		return -1;
	s->allocflags = (flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0;
	slab_cpu_arrays_init(s);
	len = strlen(name);
	if (len >= SLAB_NAME_LEN)
		len = SLAB_NAME_LEN - 1;
	memcpy(s->name, name, len);
	s->name[len] = '\0';
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		struct kmem_cache_node *n = &s->node[nid];

		spin_lock_init(&n->list_lock);
		INIT_LIST_HEAD(&n->slabs_partial);
		INIT_LIST_HEAD(&n->slabs_full);
		INIT_LIST_HEAD(&n->slabs_free);
	}
	spin_lock_irqsave(&slab_lock, irqflags);
	list_add(&s->list, &slab_caches);
	spin_unlock_irqrestore(&slab_lock, irqflags);
	return 0;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *s = kmem_cache_alloc(&kmem_cache_cache, GFP_KERNEL);

	if (s && __kmem_cache_create(s, name, size, align, flags, ctor) == 0)
		return s;
	kmem_cache_free(&kmem_cache_cache, s);
	mm_printk("kmem_cache_create(%s) size %u align %u: failed", name, size, align);
	if (flags & SLAB_PANIC)
		platform_panic("kmem_cache_create failed");
	return NULL;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long flags;

	if (!s)
		return;
	kmem_cache_shrink(s);
	for (int nid = 0; nid < nr_online_nodes; nid++) {
		if (slab_cache_pages(s, nid)) {
			mm_printk("kmem_cache_destroy %s: Slab cache still has objects", s->name);
			return;
		}
	}
	spin_lock_irqsave(&slab_lock, flags);
	list_del(&s->list);
	spin_unlock_irqrestore(&slab_lock, flags);
	slab_cpu_arrays_free(s);
	kmem_cache_free(&kmem_cache_cache, s);
}

const char *kmem_cache_name(const struct kmem_cache *s)
{
	return s->name;
}

unsigned long slab_cache_pages(struct kmem_cache *s, int nid)
{
	struct kmem_cache_node *n = &s->node[nid];

	return (READ_ONCE(n->nr_partial) + READ_ONCE(n->nr_full) + READ_ONCE(n->nr_free))
		<< s->order;
}

/* --- Shrinking ------------------------------------------------------------- */

unsigned long kmem_cache_shrink(struct kmem_cache *s)
{
	unsigned long pages = 0;

	cache_drain_cpus(s);
	for (int nid = 0; nid < nr_online_nodes; nid++)
		pages += slab_node_release_free(s, nid);
	return pages;
}

unsigned long kmem_cache_shrink_all(void)
{
	unsigned long pages = 0, flags;
	struct kmem_cache *s;

	spin_lock_irqsave(&slab_lock, flags);
	list_for_each_entry(s, &slab_caches, list)
		pages += kmem_cache_shrink(s);
	spin_unlock_irqrestore(&slab_lock, flags);
	return pages;
}

void kmem_cache_init(void)
{
	INIT_LIST_HEAD(&slab_caches);
	spin_lock_init(&slab_lock);
	__kmem_cache_create(&kmem_cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0,
			    SLAB_HWCACHE_ALIGN, NULL);
	kmalloc_init();
}
