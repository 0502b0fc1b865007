// SPDX-License-Identifier: MIT
/*
 * Slabs and the per-node slab lists: the layer under the per-CPU arrays
 * (slab_cpu.c).
 *
 * A slab is 2^order buddy pages flagged PG_slab, with a free list
 * threaded through its free objects and a count of objects in use.  Each
 * node keeps its slabs on one of three lists by that count (full, partial,
 * free) under its list_lock, and returns empty slabs beyond min_partial to
 * the page allocator.  Objects move in and out in batches (a refill, a
 * flush) so that the lock is taken once per batch, not per object.
 *
 * No page is allocated or freed with a list_lock held, so reclaim (and
 * shrinkers, which free objects) can run from inside a slab allocation.
 */
#include "slab_internal.h"

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

/* --- The layer's interface ------------------------------------------------ */

unsigned int slab_node_take(struct kmem_cache *s, int nid, void **objs, unsigned int nr)
{
	struct kmem_cache_node *n = &s->node[nid];
	unsigned int got = 0;
	unsigned long flags;
	struct page *slab;

	if (!READ_ONCE(n->free_objects) || !nr)
		return 0;
	/*
	 * A per-CPU array's lock leaves interrupts on; the list lock must
	 * not, or a handler freeing to the lists on this CPU would spin on it.
	 */
	spin_lock_irqsave(&n->list_lock, flags);
	while (got < nr && (slab = node_next_slab(n))) {
		unsigned long old = slab->slab_inuse;
		unsigned int take = min(nr - got, s->objects - (unsigned int)old);

		for (unsigned int i = 0; i < take; i++)
			objs[got++] = take_object(s, slab);
		n->free_objects -= take;
		fix_slab_list(s, n, slab, old);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	return got;
}

void slab_node_put(struct kmem_cache *s, void **objs, unsigned int nr)
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

void slab_node_free(struct kmem_cache *s, struct page *slab, void *obj)
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

void *slab_node_alloc(struct kmem_cache *s, gfp_t gfp, int nid)
{
	int local = nid == NUMA_NO_NODE ? numa_node_id() : nid;
	struct kmem_cache_node *n;
	struct page *slab;
	unsigned long flags, old;
	void *obj;

	/* Slabs a full node had to place elsewhere get used before a new one. */
	if (slab_node_take(s, local, &obj, 1))
		return obj;
	for (int i = 0; i < nr_online_nodes && !(gfp & __GFP_THISNODE); i++)
		if (i != local && slab_node_take(s, i, &obj, 1))
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

unsigned long slab_node_release_free(struct kmem_cache *s, int nid)
{
	struct kmem_cache_node *n = &s->node[nid];
	struct list_head to_free;
	unsigned long flags, pages;

	INIT_LIST_HEAD(&to_free);
	spin_lock_irqsave(&n->list_lock, flags);
	list_splice(&n->slabs_free, &to_free);
	INIT_LIST_HEAD(&n->slabs_free);
	pages = n->nr_free << s->order;
	n->free_objects -= n->nr_free * s->objects;
	n->nr_free = 0;
	spin_unlock_irqrestore(&n->list_lock, flags);
	free_slab_list(s, &to_free);
	return pages;
}
