// SPDX-License-Identifier: MIT
/*
 * The slab invariant checker, for tests and debugging.  Like the page
 * allocator's, it recounts from first principles:
 *
 *   - every slab on a node's lists is PG_slab in all its pages, belongs
 *     to the cache and the node, is aligned to the cache's order, and is
 *     on the list its in-use count calls for;
 *   - its free list holds exactly objects - inuse distinct objects, each
 *     at a slot boundary inside the slab (and, in debug caches, with
 *     inactive red zones);
 *   - the per-list slab counts and the node's free-object count equal a
 *     recount;
 *   - every object in a per-CPU array belongs to the cache and is not
 *     also on its slab's free list;
 *   - NR_SLAB_RECLAIMABLE_B and NR_SLAB_UNRECLAIMABLE_B equal the bytes of
 *     the slabs (and large kmallocs) on each node.
 */
#include "slab_internal.h"

/* One bit per object of the slab being checked: seen on its free list. */
static uint8_t seen[(MAX_OBJS_PER_SLAB + 7) / 8];

static unsigned long violation(struct seq_buf *err, unsigned long n, const struct kmem_cache *s,
			       const char *what, unsigned long a, unsigned long b)
{
	if (n < 32)
		seq_printf(err, "slab invariant: %s: %s (%lu vs %lu)\n", s->name, what, a, b);
	return 1;
}

static unsigned long check_slab(struct seq_buf *err, unsigned long bad, struct kmem_cache *s,
				struct page *slab, int nid, unsigned long *nfree)
{
	unsigned long pfn = page_to_pfn(slab), count = 0;
	char *base = slab_base(slab);

	if (pfn & ((1UL << s->order) - 1))
		bad += violation(err, bad, s, "slab misaligned", pfn, s->order);
	if (page_to_nid(slab) != nid)
		bad += violation(err, bad, s, "slab on another node's list", pfn, (unsigned long)nid);
	for (unsigned long i = 0; i < (1UL << s->order); i++)
		if (!PageSlab(slab + i) || slab[i].slab_cache != s)
			bad += violation(err, bad, s, "slab page not marked for its cache", pfn + i, 0);
	if (slab->slab_inuse > s->objects)
		bad += violation(err, bad, s, "inuse above objects", slab->slab_inuse, s->objects);

	memset(seen, 0, (s->objects + 7) / 8);
	for (char *p = slab->freelist; p; p = *free_ptr(s, p)) {
		unsigned long off = (unsigned long)(p - base);
		unsigned long idx;

		if (p < base || off < s->red_left_pad || (off - s->red_left_pad) % s->size ||
		    (idx = (off - s->red_left_pad) / s->size) >= s->objects) {
			bad += violation(err, bad, s, "free pointer outside the slab's slots", pfn, off);
			break;
		}
		if (seen[idx / 8] & (1 << (idx % 8))) {
			bad += violation(err, bad, s, "free list loops", pfn, idx);
			break;
		}
		seen[idx / 8] |= (uint8_t)(1 << (idx % 8));
		if (slab_debug(s) && !debug_object_is_free(s, p))
			bad += violation(err, bad, s, "free object's red zone not inactive", pfn, idx);
		count++;
	}
	if (count != s->objects - slab->slab_inuse)
		bad += violation(err, bad, s, "free list length differs from objects - inuse",
				 count, s->objects - slab->slab_inuse);
	*nfree += count;
	return bad;
}

static unsigned long check_list(struct seq_buf *err, unsigned long bad, struct kmem_cache *s,
				struct list_head *list, int nid, unsigned long lo,
				unsigned long hi, unsigned long expect, unsigned long *nfree)
{
	unsigned long nr = 0;
	struct page *slab;

	list_for_each_entry(slab, list, lru) {
		if (slab->slab_inuse < lo || slab->slab_inuse > hi)
			bad += violation(err, bad, s, "slab on the wrong list for its inuse",
					 slab->slab_inuse, lo);
		bad = check_slab(err, bad, s, slab, nid, nfree);
		nr++;
	}
	if (nr != expect)
		bad += violation(err, bad, s, "list length differs from its count", nr, expect);
	return bad;
}

static unsigned long check_cpu_arrays(struct seq_buf *err, unsigned long bad,
				      struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct array_cache *ac = cpu_array(s, cpu);

		if (ac->avail > ac->limit)
			bad += violation(err, bad, s, "per-CPU array above its limit", ac->avail,
					 ac->limit);
		for (unsigned int i = 0; i < ac->avail && i < ac->limit; i++) {
			void *obj = ac->entry[i];
			struct page *page;

			if (!direct_mapped(obj) || !PageSlab(page = virt_to_page(obj)) ||
			    page->slab_cache != s) {
				bad += violation(err, bad, s, "per-CPU object not of this cache", cpu, i);
				continue;
			}
			for (void *p = slab_head(s, page)->freelist; p; p = *free_ptr(s, p)) {
				if (p == obj) {
					bad += violation(err, bad, s, "per-CPU object also on a free list",
							 cpu, i);
					break;
				}
			}
		}
	}
	return bad;
}

static unsigned long check_cache(struct seq_buf *err, unsigned long bad, struct kmem_cache *s)
{
	if (s->objects > MAX_OBJS_PER_SLAB)
		return violation(err, bad, s, "too many objects per slab to check", s->objects, 0);
	for (int nid = 0; nid < nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];
		unsigned long nfree = 0, flags;

		spin_lock_irqsave(&n->list_lock, flags);
		bad = check_list(err, bad, s, &n->slabs_free, nid, 0, 0, n->nr_free, &nfree);
		bad = check_list(err, bad, s, &n->slabs_partial, nid, 1, s->objects - 1,
				 n->nr_partial, &nfree);
		bad = check_list(err, bad, s, &n->slabs_full, nid, s->objects, s->objects,
				 n->nr_full, &nfree);
		if (nfree != n->free_objects)
			bad += violation(err, bad, s, "free_objects differs from recount",
					 n->free_objects, nfree);
		spin_unlock_irqrestore(&n->list_lock, flags);
	}
	return check_cpu_arrays(err, bad, s);
}

unsigned long slab_check_invariants(struct seq_buf *err)
{
	long reclaimable[MAX_NUMNODES] = { 0 }, unreclaimable[MAX_NUMNODES] = { 0 };
	unsigned long bad = 0, flags;
	struct kmem_cache *s;

	spin_lock_irqsave(&slab_lock, flags);
	list_for_each_entry(s, &slab_caches, list) {
		bad = check_cache(err, bad, s);
		for (int nid = 0; nid < nr_online_nodes; nid++) {
			long bytes = (long)(slab_cache_pages(s, nid) << PAGE_SHIFT);

			if (s->flags & SLAB_RECLAIM_ACCOUNT)
				reclaimable[nid] += bytes;
			else
				unreclaimable[nid] += bytes;
		}
	}
	spin_unlock_irqrestore(&slab_lock, flags);

	for (int nid = 0; nid < nr_online_nodes; nid++) {
		long r = node_page_state(NODE_DATA(nid), NR_SLAB_RECLAIMABLE_B);
		long u = node_page_state(NODE_DATA(nid), NR_SLAB_UNRECLAIMABLE_B);

		unreclaimable[nid] += READ_ONCE(kmalloc_large_bytes[nid]);
		if (r != reclaimable[nid] && bad++ < 32)
			seq_printf(err, "slab invariant: node %d NR_SLAB_RECLAIMABLE_B %ld, slabs hold %ld\n",
				   nid, r, reclaimable[nid]);
		if (u != unreclaimable[nid] && bad++ < 32)
			seq_printf(err, "slab invariant: node %d NR_SLAB_UNRECLAIMABLE_B %ld, slabs hold %ld\n",
				   nid, u, unreclaimable[nid]);
	}
	return bad;
}
