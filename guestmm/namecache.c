// SPDX-License-Identifier: MIT
/*
 * The name cache (see include/guestmm/namecache.h): a hash of named
 * entries, per-node LRUs of unused ones with a referenced bit for a
 * second chance, and a NUMA-aware shrinker, as Linux's dcache with its
 * list_lru.  One lock covers the hash, the LRUs and the reference counts:
 * the cache is there to be filled and shrunk, not to scale.
 */
#include "slab_internal.h"
#include <guestmm/namecache.h>
#include <guestmm/shrinker.h>

_Static_assert(sizeof(struct nc_entry) == 192, "a name cache entry is a dentry's size");

/*
 * 2^15 buckets (256 KiB): a guest's worth of entries (half a million in
 * 96 MiB) keeps chains short enough for lookups.
 */
#define NC_HASH_BITS	15
#define NC_HASH_SIZE	(1U << NC_HASH_BITS)

static struct kmem_cache nc_cache_struct;	/* static: no page used until filled */
static struct kmem_cache *nc_cache = &nc_cache_struct;
static struct nc_entry *nc_hash[NC_HASH_SIZE];
static struct list_head nc_lru[MAX_NUMNODES];
static unsigned long nc_lru_count[MAX_NUMNODES];
static spinlock_t nc_lock = SPIN_LOCK_UNLOCKED;
static struct nc_stats nc_stats;
static struct shrinker nc_shrinker;

/* FNV-1a: short names, good spread, no tables. */
static uint32_t nc_hash_name(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	return h;
}

static struct nc_entry **nc_bucket(uint32_t hash)
{
	return &nc_hash[(hash ^ (hash >> NC_HASH_BITS)) & (NC_HASH_SIZE - 1)];
}

static int nc_nid(const struct nc_entry *e)
{
	return page_to_nid(virt_to_page(e));
}

static void lru_add(struct nc_entry *e)
{
	int nid = nc_nid(e);

	list_add_tail(&e->lru, &nc_lru[nid]);
	nc_lru_count[nid]++;
	e->flags |= NC_ON_LRU;
	nc_stats.unused++;
}

static void lru_del(struct nc_entry *e)
{
	list_del_init(&e->lru);
	nc_lru_count[nc_nid(e)]--;
	e->flags &= ~NC_ON_LRU;
	nc_stats.unused--;
}

/* Under nc_lock. */
static struct nc_entry *__nc_find(const char *name, size_t len, uint32_t hash)
{
	for (struct nc_entry *e = *nc_bucket(hash); e; e = e->hash_next)
		if (e->hash == hash && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

struct nc_entry *nc_lookup(const char *name)
{
	size_t len = strlen(name);
	uint32_t hash = nc_hash_name(name, len);
	struct nc_entry *e;
	unsigned long flags;

	spin_lock_irqsave(&nc_lock, flags);
	e = __nc_find(name, len, hash);
	if (e) {
		e->refcount++;
		nc_stats.hits++;
	} else {
		nc_stats.misses++;
	}
	spin_unlock_irqrestore(&nc_lock, flags);
	return e;
}

/* nc_get(), saying whether it was a hit. */
static struct nc_entry *__nc_get(const char *name, gfp_t gfp, bool *hit)
{
	size_t len = strlen(name);
	uint32_t hash = nc_hash_name(name, len);
	struct nc_entry *e, *found;
	unsigned long flags;

	*hit = false;
	if (!len || len > NC_NAME_MAX)
		return NULL;
	e = nc_lookup(name);
	if (e) {
		*hit = true;
		return e;
	}

	/* Allocate unlocked: the allocation may reclaim, and so call our shrinker. */
	e = kmem_cache_alloc(nc_cache, gfp);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	INIT_LIST_HEAD(&e->lru);
	e->hash = hash;
	e->len = (unsigned int)len;
	e->refcount = 1;
	memcpy(e->name, name, len);

	spin_lock_irqsave(&nc_lock, flags);
	found = __nc_find(name, len, hash);
	if (found) {
		/* Somebody else added it meanwhile: use theirs. */
		found->refcount++;
	} else {
		struct nc_entry **b = nc_bucket(hash);

		e->hash_next = *b;
		if (e->hash_next)
			e->hash_next->hash_pprev = &e->hash_next;
		e->hash_pprev = b;
		*b = e;
		nc_stats.entries++;
	}
	spin_unlock_irqrestore(&nc_lock, flags);
	if (found) {
		kmem_cache_free(nc_cache, e);
		return found;
	}
	return e;
}

struct nc_entry *nc_get(const char *name, gfp_t gfp)
{
	bool hit;

	return __nc_get(name, gfp, &hit);
}

void nc_put(struct nc_entry *e)
{
	unsigned long flags;

	spin_lock_irqsave(&nc_lock, flags);
	if (--e->refcount == 0) {
		/* As dput(): onto the LRU the first time, referenced after that. */
		if (!(e->flags & NC_ON_LRU))
			lru_add(e);
		else
			e->flags |= NC_REFERENCED;
	}
	spin_unlock_irqrestore(&nc_lock, flags);
}

int nc_touch(const char *name, gfp_t gfp)
{
	bool hit;
	struct nc_entry *e = __nc_get(name, gfp, &hit);

	if (!e)
		return -1;
	nc_put(e);
	return hit;
}

static void nc_unhash(struct nc_entry *e)
{
	*e->hash_pprev = e->hash_next;
	if (e->hash_next)
		e->hash_next->hash_pprev = e->hash_pprev;
	nc_stats.entries--;
}

static unsigned long nc_count(struct shrinker *sh, struct shrink_control *sc)
{
	return READ_ONCE(nc_lru_count[sc->nid]);
}

/*
 * Look at up to nr_to_scan entries from the old end of the node's LRU:
 * in use, off the LRU; referenced, a second chance at the young end;
 * otherwise freed.  Then give the cache's empty slabs back, which is the
 * point of shrinking it.
 */
static unsigned long nc_scan(struct shrinker *sh, struct shrink_control *sc)
{
	struct list_head *lru = &nc_lru[sc->nid];
	struct list_head dispose;
	unsigned long freed = 0, flags;
	struct nc_entry *e, *next;

	INIT_LIST_HEAD(&dispose);
	spin_lock_irqsave(&nc_lock, flags);
	for (unsigned long n = 0; n < sc->nr_to_scan && !list_empty(lru); n++) {
		e = list_first_entry(lru, struct nc_entry, lru);
		if (e->refcount) {
			lru_del(e);
		} else if (e->flags & NC_REFERENCED) {
			e->flags &= ~NC_REFERENCED;
			list_move_tail(&e->lru, lru);
		} else {
			lru_del(e);
			nc_unhash(e);
			list_add(&e->lru, &dispose);
			freed++;
		}
	}
	nc_stats.freed += freed;
	spin_unlock_irqrestore(&nc_lock, flags);

	list_for_each_entry_safe(e, next, &dispose, lru)
		kmem_cache_free(nc_cache, e);
	if (freed)
		kmem_cache_shrink(nc_cache);
	return freed;
}

void namecache_init(void)
{
	memset(nc_hash, 0, sizeof(nc_hash));
	memset(nc_lru_count, 0, sizeof(nc_lru_count));
	memset(&nc_stats, 0, sizeof(nc_stats));
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		INIT_LIST_HEAD(&nc_lru[nid]);
	if (__kmem_cache_create(nc_cache, "namecache", sizeof(struct nc_entry), 0,
				SLAB_RECLAIM_ACCOUNT | SLAB_HWCACHE_ALIGN, NULL))
		platform_panic("namecache: cannot create its cache");
	unregister_shrinker(&nc_shrinker);
	nc_shrinker.count_objects = nc_count;
	nc_shrinker.scan_objects = nc_scan;
	nc_shrinker.seeks = DEFAULT_SEEKS;
	nc_shrinker.flags = SHRINKER_NUMA_AWARE;
	register_shrinker(&nc_shrinker, "namecache");
}

void nc_get_stats(struct nc_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&nc_lock, flags);
	*st = nc_stats;
	spin_unlock_irqrestore(&nc_lock, flags);
}

void report_namecache(struct seq_buf *s)
{
	struct nc_stats st;

	nc_get_stats(&st);
	seq_printf(s, "%lu\t%lu\t%lu\t%lu\t%lu\n", st.entries, st.unused, st.hits, st.misses,
		   st.freed);
}
