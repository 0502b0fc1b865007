// SPDX-License-Identifier: MIT
/*
 * The slab allocator's per-CPU arrays and its allocation and free entry
 * points.
 *
 * Each CPU keeps a stack of free objects per cache (struct array_cache)
 * in front of the node lists (slab_node.c).  The fast paths, inlined into
 * every caller from slab_internal.h, pop from or push onto it under the
 * array's cpu_lock and do nothing else.  Everything else is here, out of
 * line: an empty array is refilled with a batch from the node's slabs, a
 * full one flushes its oldest batch back, and when the array is busy (an
 * interrupt, a thread sharing the CPU id, a drain from another CPU), is
 * not there yet, or the cache keeps none (debug caches), the object goes
 * to or comes from the node lists directly.
 */
#include "slab_internal.h"

/*
 * Each CPU's array until a cache's own are installed: holds nothing
 * (limit 0).  One per CPU, shared by every such cache, because the
 * owner's side of a cpu_lock is not atomic against other CPUs.
 */
static struct array_cache boot_arrays[NR_CPUS] = {
	[0 ... NR_CPUS - 1] = { .lock = { .owner_free = 1, .lock = SPIN_LOCK_UNLOCKED } },
};

void slab_cpu_arrays_init(struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		s->cpu_ac[cpu] = &boot_arrays[cpu];
	s->arrays_state = 0;
}

void slab_cpu_arrays_free(struct kmem_cache *s)
{
	if (s->cpu_ac[0] != &boot_arrays[0])
		__free_pages(virt_to_page(s->cpu_ac[0]), s->arrays_order);
}

/*
 * Give the cache per-CPU arrays of its own, on its first allocation that
 * had to go to the slabs.  Whoever wins arrays_state installs; the others
 * carry on without for now.  No lock is held: this allocates pages.
 */
static void install_cpu_arrays(struct kmem_cache *s, gfp_t gfp)
{
	unsigned int stride = ALIGN_UP((unsigned int)(sizeof(struct array_cache) +
						      s->limit * sizeof(void *)), 64U);
	struct page *page;
	char *arrays;

	if (__atomic_exchange_n(&s->arrays_state, 1, __ATOMIC_ACQUIRE))
		return;
	s->arrays_order = get_order((unsigned long)stride * nr_cpu_ids);
	page = alloc_pages((gfp & GFP_SLAB_PAGE_MASK) | __GFP_NOWARN | __GFP_ZERO,
			   s->arrays_order);
	if (!page) {
		__atomic_store_n(&s->arrays_state, 0, __ATOMIC_RELEASE);
		return;
	}
	arrays = page_address(page);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct array_cache *ac = (struct array_cache *)(arrays + (size_t)cpu * stride);

		cpu_lock_init(&ac->lock);
		ac->limit = s->limit;
		ac->batchcount = s->batchcount;
		__atomic_store_n(&s->cpu_ac[cpu], ac, __ATOMIC_RELEASE);
	}
}

/* --- Refill, flush, drain (the array's lock held) ------------------------ */

static void cache_refill(struct kmem_cache *s, struct array_cache *ac, int nid)
{
	if (ac->avail < ac->batchcount)
		ac->avail += slab_node_take(s, nid, ac->entry + ac->avail,
					    ac->batchcount - ac->avail);
}

/* A full array: the oldest batch goes back to the slabs. */
static void cache_flusharray(struct kmem_cache *s, struct array_cache *ac)
{
	unsigned int batch = ac->batchcount;

	slab_node_put(s, ac->entry, batch);
	ac->avail -= batch;
	memmove(ac->entry, ac->entry + batch, ac->avail * sizeof(void *));
}

void cache_drain_cpus(struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct array_cache *ac = cpu_array(s, cpu);

		cpu_lock_remote(&ac->lock);
		slab_node_put(s, ac->entry, ac->avail);
		ac->avail = 0;
		cpu_lock_remote_unlock(&ac->lock);
	}
}

/* --- Allocation ------------------------------------------------------------ */

void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, int nid)
{
	unsigned int cpu = platform_cpu_id();
	struct array_cache *ac = cpu_array(s, cpu);
	void *obj = NULL;

	if (nid == NUMA_NO_NODE && cpu_lock_trylock(&ac->lock)) {
		if (!ac->avail)
			cache_refill(s, ac, cpu_to_node(cpu));
		if (ac->avail)
			obj = ac->entry[--ac->avail];
		cpu_lock_unlock(&ac->lock);
	}
	if (!obj) {
		if (unlikely(!READ_ONCE(s->arrays_state)) && s->limit)
			install_cpu_arrays(s, gfp);
		obj = slab_node_alloc(s, gfp, nid);
		if (unlikely(!obj)) {
			if (!(gfp & __GFP_NOWARN))
				mm_printk("SLAB: Unable to allocate memory on node %d, gfp=%#x (cache %s)",
					  nid, gfp, s->name);
			return NULL;
		}
		if (unlikely(slab_debug(s)))
			debug_alloc_object(s, slab_head(s, virt_to_page(obj)), obj);
	}
	if (unlikely(gfp & __GFP_ZERO))
		memset(obj, 0, s->object_size);
	return obj;
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int nid)
{
	return slab_alloc(s, gfp, nid);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc(s, gfp, NUMA_NO_NODE);
}

/* --- Freeing --------------------------------------------------------------- */

void slab_free_slow(struct kmem_cache *s, void *obj)
{
	struct array_cache *ac = cpu_array(s, platform_cpu_id());
	struct page *slab;

	if (cpu_lock_trylock(&ac->lock)) {
		if (ac->limit) {
			if (ac->avail >= ac->limit)
				cache_flusharray(s, ac);
			ac->entry[ac->avail++] = obj;
			cpu_lock_unlock(&ac->lock);
			return;
		}
		cpu_lock_unlock(&ac->lock);
	}
	if (unlikely(slab_debug(s))) {
		s = debug_free_object(s, obj, &slab);
		if (!s)
			return;
	} else {
		slab = slab_head(s, virt_to_page(obj));
	}
	slab_node_free(s, slab, obj);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (likely(obj))
		slab_free(s, obj);
}
