// SPDX-License-Identifier: MIT
/*
 * The slab allocator: caches, slabs, and the allocation and free paths.
 *
 * The shape is Linux's SLAB (per-CPU arrays of free objects in front of
 * per-node full / partial / free slab lists, which is also what
 * /proc/slabinfo's tunables and slabdata columns describe) with SLUB's
 * choices where they are simpler: the free list is threaded through the
 * free objects, slab orders come from SLUB's calculate_order(), empty
 * slabs beyond min_partial per node go straight back to the page
 * allocator, and debugging is a per-cache runtime flag (slub_debug).
 *
 * Locking: a CPU's array is taken with trylock on the fast paths; if it
 * is busy (an interrupt, or a thread sharing the CPU id) the operation
 * goes straight to the node lists under the node's list_lock.  No page is
 * allocated with either lock held, so reclaim (and shrinkers, which free
 * objects) can run from inside a slab allocation.
 */
#include "slab_internal.h"

struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
spinlock_t slab_lock = SPIN_LOCK_UNLOCKED;
unsigned int slab_debug_boot;

#define MIN_PARTIAL		5	/* empty slabs a node keeps, at least ... */
#define MAX_PARTIAL		10	/* ... and at most (SLUB's bounds) */
#define SLAB_MAX_ORDER		PAGE_ALLOC_COSTLY_ORDER	/* slub_max_order */

/* Page allocator flags a caller's gfp may pass on to a new slab. */
#define GFP_SLAB_PAGE_MASK	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | \
				 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
				 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
				 __GFP_THISNODE)

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

/* Every CPU's array until a cache's own are installed: holds nothing. */
static struct array_cache boot_array = { .lock = SPIN_LOCK_UNLOCKED };

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
	s->cpu_arrays = (char *)&boot_array;
	s->cpu_stride = 0;
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
	}
	WRITE_ONCE(s->cpu_arrays, arrays);
	__atomic_store_n(&s->cpu_stride, stride, __ATOMIC_RELEASE);
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
	if (s->cpu_stride)
		__free_pages(virt_to_page(s->cpu_arrays), s->arrays_order);
	kmem_cache_free(&kmem_cache_cache, s);
}

unsigned int kmem_cache_size(const struct kmem_cache *s)
{
	return s->object_size;
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

/* --- Slabs ----------------------------------------------------------------- */

static void account_slab(struct kmem_cache *s, struct page *slab, long sign)
{
	enum node_stat_item item = (s->flags & SLAB_RECLAIM_ACCOUNT) ?
				   NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B;

	mod_node_page_state(NODE_DATA(page_to_nid(slab)), item, sign * (long)(PAGE_SIZE << s->order));
}

/* Pages for a new slab, every object free and constructed.  No lock held. */
static struct page *new_slab(struct kmem_cache *s, gfp_t gfp, int nid)
{
	gfp_t pgfp = (gfp & GFP_SLAB_PAGE_MASK) | s->allocflags;
	struct page *slab;
	void *prev = NULL;

	slab = nid == NUMA_NO_NODE ? alloc_pages(pgfp, s->order) :
				     alloc_pages_node(nid, pgfp, s->order);
	if (!slab)
		return NULL;
	for (unsigned long i = 0; i < (1UL << s->order); i++) {
		SetPageFlag(slab + i, PG_slab);
		slab[i].slab_cache = s;
	}
	slab->slab_inuse = 0;
	/* Thread the free list from the last object down, so it runs in address order. */
	for (unsigned int i = s->objects; i-- > 0;) {
		void *obj = slab_object(s, slab, i);

		if (slab_debug(s))
			debug_init_object(s, obj);
		if (s->ctor)
			s->ctor(obj);
		*free_ptr(s, obj) = prev;
		prev = obj;
	}
	slab->freelist = prev;
	account_slab(s, slab, 1);
	return slab;
}

static void free_slab(struct kmem_cache *s, struct page *slab)
{
	account_slab(s, slab, -1);
	for (unsigned long i = 0; i < (1UL << s->order); i++) {
		ClearPageFlag(slab + i, PG_slab);
		slab[i].slab_cache = NULL;
	}
	slab->freelist = NULL;
	slab->slab_inuse = 0;
	__free_pages(slab, s->order);
}

static void free_slab_list(struct kmem_cache *s, struct list_head *list)
{
	struct page *slab, *next;

	list_for_each_entry_safe(slab, next, list, lru)
		free_slab(s, slab);
}

/* --- Node lists (list_lock held) ---------------------------------------- */

enum slab_state { SLAB_FREE, SLAB_PARTIAL, SLAB_FULL };

static enum slab_state slab_state(const struct kmem_cache *s, unsigned long inuse)
{
	return inuse == 0 ? SLAB_FREE : inuse == s->objects ? SLAB_FULL : SLAB_PARTIAL;
}

static unsigned long *state_count(struct kmem_cache_node *n, enum slab_state st)
{
	return st == SLAB_FREE ? &n->nr_free : st == SLAB_FULL ? &n->nr_full : &n->nr_partial;
}

static struct list_head *state_list(struct kmem_cache_node *n, enum slab_state st)
{
	return st == SLAB_FREE ? &n->slabs_free : st == SLAB_FULL ? &n->slabs_full :
	       &n->slabs_partial;
}

/* Move @slab to the list its in-use count now calls for. */
static void fix_slab_list(struct kmem_cache *s, struct kmem_cache_node *n,
			  struct page *slab, unsigned long old_inuse)
{
	enum slab_state from = slab_state(s, old_inuse), to = slab_state(s, slab->slab_inuse);

	if (from == to)
		return;
	(*state_count(n, from))--;
	(*state_count(n, to))++;
	/* Freed-into slabs go to the tail: allocate from the fullest first. */
	if (to == SLAB_PARTIAL && from == SLAB_FULL)
		list_move_tail(&slab->lru, state_list(n, to));
	else
		list_move(&slab->lru, state_list(n, to));
}

static void *take_object(struct kmem_cache *s, struct page *slab)
{
	void *obj = slab->freelist;

	slab->freelist = *free_ptr(s, obj);
	slab->slab_inuse++;
	return obj;
}

/* The slab to allocate from next: partial ones first, then free ones. */
static struct page *node_next_slab(struct kmem_cache_node *n)
{
	if (!list_empty(&n->slabs_partial))
		return list_first_entry(&n->slabs_partial, struct page, lru);
	if (!list_empty(&n->slabs_free))
		return list_first_entry(&n->slabs_free, struct page, lru);
	return NULL;
}

/* Return empty slabs beyond min_partial: onto @list, to free unlocked. */
static void release_excess(struct kmem_cache *s, struct kmem_cache_node *n,
			   struct list_head *list)
{
	while (n->nr_free > s->min_partial) {
		struct page *slab = list_last_entry(&n->slabs_free, struct page, lru);

		list_move(&slab->lru, list);
		n->nr_free--;
		n->free_objects -= s->objects;
	}
}

static bool on_freelist(const struct kmem_cache *s, const struct page *slab, const void *obj)
{
	unsigned int n = 0;

	for (void *p = slab->freelist; p && n <= s->objects; p = *free_ptr(s, p), n++)
		if (p == obj)
			return true;
	return false;
}

static void put_object(struct kmem_cache *s, struct kmem_cache_node *n, struct page *slab,
		       void *obj)
{
	unsigned long old = slab->slab_inuse;

	*free_ptr(s, obj) = slab->freelist;
	slab->freelist = obj;
	slab->slab_inuse = old - 1;
	n->free_objects++;
	fix_slab_list(s, n, slab, old);
}

/* Give @nr objects back to their slabs, on whatever nodes they live. */
static void free_block(struct kmem_cache *s, void **objs, unsigned int nr)
{
	struct kmem_cache_node *locked = NULL;
	struct list_head to_free;
	unsigned long flags = 0;

	INIT_LIST_HEAD(&to_free);
	for (unsigned int i = 0; i < nr; i++) {
		struct page *slab = slab_head(s, virt_to_page(objs[i]));
		struct kmem_cache_node *n = &s->node[page_to_nid(slab)];

		if (n != locked) {
			if (locked) {
				release_excess(s, locked, &to_free);
				spin_unlock_irqrestore(&locked->list_lock, flags);
			}
			spin_lock_irqsave(&n->list_lock, flags);
			locked = n;
		}
		put_object(s, n, slab, objs[i]);
	}
	if (locked) {
		release_excess(s, locked, &to_free);
		spin_unlock_irqrestore(&locked->list_lock, flags);
	}
	free_slab_list(s, &to_free);
}

void cache_free_direct(struct kmem_cache *s, struct page *slab, void *obj)
{
	struct kmem_cache_node *n = &s->node[page_to_nid(slab)];
	struct list_head to_free;
	unsigned long flags;

	INIT_LIST_HEAD(&to_free);
	spin_lock_irqsave(&n->list_lock, flags);
	/* Without red zones a double free shows only on the free list. */
	if (unlikely(slab_debug(s)) && on_freelist(s, slab, obj)) {
		spin_unlock_irqrestore(&n->list_lock, flags);
		slab_bug(s, "Object already free", obj);
		return;
	}
	put_object(s, n, slab, obj);
	release_excess(s, n, &to_free);
	spin_unlock_irqrestore(&n->list_lock, flags);
	free_slab_list(s, &to_free);
}

/* --- Per-CPU arrays (the array's lock held) ------------------------------ */

/* Fill @ac with up to a batch of objects from node @nid's slabs. */
static void cache_refill(struct kmem_cache *s, struct array_cache *ac, int nid)
{
	struct kmem_cache_node *n = &s->node[nid];
	unsigned long flags;
	struct page *slab;

	if (!READ_ONCE(n->free_objects) || !ac->batchcount)
		return;
	/*
	 * The array's lock leaves interrupts on; the list lock must not, or
	 * a handler freeing to the lists on this CPU would spin on it.
	 */
	spin_lock_irqsave(&n->list_lock, flags);
	while (ac->avail < ac->batchcount && (slab = node_next_slab(n))) {
		unsigned long old = slab->slab_inuse;
		unsigned int take = min(ac->batchcount - ac->avail,
					s->objects - (unsigned int)old);

		for (unsigned int i = 0; i < take; i++)
			ac->entry[ac->avail++] = take_object(s, slab);
		n->free_objects -= take;
		fix_slab_list(s, n, slab, old);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
}

/* A full array: the oldest batch goes back to the slabs. */
static void cache_flusharray(struct kmem_cache *s, struct array_cache *ac)
{
	unsigned int batch = ac->batchcount;

	free_block(s, ac->entry, batch);
	ac->avail -= batch;
	memmove(ac->entry, ac->entry + batch, ac->avail * sizeof(void *));
}

void cache_drain_cpus(struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct array_cache *ac = cpu_array(s, cpu);

		cpu_lock_remote(&ac->lock);
		free_block(s, ac->entry, ac->avail);
		ac->avail = 0;
		cpu_lock_remote_unlock(&ac->lock);
	}
}

/* --- Allocation ------------------------------------------------------------ */

/* One object from node @nid's slabs, or NULL if it has none free. */
static void *node_alloc(struct kmem_cache *s, int nid)
{
	struct kmem_cache_node *n = &s->node[nid];
	struct page *slab;
	unsigned long flags;
	void *obj = NULL;

	if (!READ_ONCE(n->free_objects))
		return NULL;
	spin_lock_irqsave(&n->list_lock, flags);
	slab = node_next_slab(n);
	if (slab) {
		unsigned long old = slab->slab_inuse;

		obj = take_object(s, slab);
		n->free_objects--;
		fix_slab_list(s, n, slab, old);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	return obj;
}

/*
 * Without the per-CPU array: from @nid's slabs, then any node's (so that
 * slabs a full node had to place elsewhere get used), then a new slab.
 */
static void *cache_alloc_slow(struct kmem_cache *s, gfp_t gfp, int nid)
{
	int local = nid == NUMA_NO_NODE ? numa_node_id() : nid;
	struct kmem_cache_node *n;
	struct page *slab;
	unsigned long flags, old;
	void *obj;

	if (unlikely(!READ_ONCE(s->cpu_stride)) && s->limit)
		install_cpu_arrays(s, gfp);
	obj = node_alloc(s, local);
	for (int i = 0; !obj && i < nr_online_nodes && !(gfp & __GFP_THISNODE); i++)
		if (i != local)
			obj = node_alloc(s, i);
	if (obj)
		return obj;

	slab = new_slab(s, gfp, nid);
	if (!slab)
		return NULL;
	n = &s->node[page_to_nid(slab)];
	spin_lock_irqsave(&n->list_lock, flags);
	list_add(&slab->lru, &n->slabs_free);
	n->nr_free++;
	n->free_objects += s->objects;
	old = slab->slab_inuse;
	obj = take_object(s, slab);
	n->free_objects--;
	fix_slab_list(s, n, slab, old);
	spin_unlock_irqrestore(&n->list_lock, flags);
	return obj;
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int nid)
{
	unsigned int cpu = platform_cpu_id();
	struct array_cache *ac = cpu_array(s, cpu);
	void *obj;

	/* The array mixes nodes' objects: a caller naming a node gets its lists. */
	if (likely(nid == NUMA_NO_NODE) && likely(cpu_lock_trylock(&ac->lock))) {
		if (likely(ac->avail)) {
			obj = ac->entry[--ac->avail];
			cpu_lock_unlock(&ac->lock);
			goto out;
		}
		cache_refill(s, ac, cpu_to_node(cpu));
		if (ac->avail) {
			obj = ac->entry[--ac->avail];
			cpu_lock_unlock(&ac->lock);
			goto out;
		}
		cpu_lock_unlock(&ac->lock);
	}
	obj = cache_alloc_slow(s, gfp, nid);
	if (unlikely(!obj)) {
		if (!(gfp & __GFP_NOWARN))
			mm_printk("SLAB: Unable to allocate memory on node %d, gfp=%#x (cache %s)",
				  nid, gfp, s->name);
		return NULL;
	}
	if (unlikely(slab_debug(s)))
		debug_alloc_object(s, slab_head(s, virt_to_page(obj)), obj);
out:
	if (unlikely(gfp & __GFP_ZERO))
		memset(obj, 0, s->object_size);
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc_node(s, gfp, NUMA_NO_NODE);
}

/* --- Freeing --------------------------------------------------------------- */

static void cache_free_slow(struct kmem_cache *s, void *obj)
{
	struct page *slab;

	if (unlikely(slab_debug(s))) {
		s = debug_free_object(s, obj, &slab);
		if (!s)
			return;
	} else {
		slab = slab_head(s, virt_to_page(obj));
	}
	cache_free_direct(s, slab, obj);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct array_cache *ac;

	if (unlikely(!obj))
		return;
	ac = cpu_array(s, platform_cpu_id());
	if (likely(cpu_lock_trylock(&ac->lock))) {
		if (likely(ac->avail < ac->limit)) {
			ac->entry[ac->avail++] = obj;
			cpu_lock_unlock(&ac->lock);
			return;
		}
		if (ac->limit) {
			cache_flusharray(s, ac);
			ac->entry[ac->avail++] = obj;
			cpu_lock_unlock(&ac->lock);
			return;
		}
		cpu_lock_unlock(&ac->lock);
	}
	cache_free_slow(s, obj);
}

/* --- Shrinking ------------------------------------------------------------- */

unsigned long kmem_cache_shrink(struct kmem_cache *s)
{
	unsigned long pages = 0;

	cache_drain_cpus(s);
	for (int nid = 0; nid < nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];
		struct list_head to_free;
		unsigned long flags;

		INIT_LIST_HEAD(&to_free);
		spin_lock_irqsave(&n->list_lock, flags);
		list_splice(&n->slabs_free, &to_free);
		INIT_LIST_HEAD(&n->slabs_free);
		pages += n->nr_free << s->order;
		n->free_objects -= n->nr_free * s->objects;
		n->nr_free = 0;
		spin_unlock_irqrestore(&n->list_lock, flags);
		free_slab_list(s, &to_free);
	}
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
