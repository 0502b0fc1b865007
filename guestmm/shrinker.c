// SPDX-License-Identifier: MIT
/*
 * Shrinker registration and shrink_slab(), as Linux's mm/shrinker.c.
 *
 * The list is walked without its lock held while the callbacks run (they
 * free memory and take their caches' locks); shrinker_readers counts the
 * walkers, and registration waits for it to reach zero, which makes the
 * lock plus the count a reader-writer lock in the spirit of Linux's
 * shrinker_rwsem.
 */
#include "slab_internal.h"
#include <guestmm/shrinker.h>

static struct list_head shrinker_list = LIST_HEAD_INIT(shrinker_list);
static spinlock_t shrinker_lock = SPIN_LOCK_UNLOCKED;
static int shrinker_readers;

/* Take the list for writing: no walker may be inside. */
static void shrinker_write_lock(void)
{
	spin_lock(&shrinker_lock);
	while (READ_ONCE(shrinker_readers)) {
		spin_unlock(&shrinker_lock);
		platform_yield();
		spin_lock(&shrinker_lock);
	}
}

int register_shrinker(struct shrinker *s, const char *name)
{
	if (!s->count_objects || !s->scan_objects)
		return -1;
	s->name = name;
	memset(s->nr_deferred, 0, sizeof(s->nr_deferred));
	s->nr_scanned_total = 0;
	s->nr_freed_total = 0;
	shrinker_write_lock();
	list_add_tail(&s->list, &shrinker_list);
	spin_unlock(&shrinker_lock);
	return 0;
}

void unregister_shrinker(struct shrinker *s)
{
	if (!s->list.next)
		return;
	shrinker_write_lock();
	list_del(&s->list);
	spin_unlock(&shrinker_lock);
}

static int deferred_nid(const struct shrinker *s, const struct shrink_control *sc)
{
	return (s->flags & SHRINKER_NUMA_AWARE) ? sc->nid : 0;
}

unsigned long do_shrink_slab(struct shrink_control *sc, struct shrinker *s, int priority)
{
	long batch_size = s->batch ? s->batch : SHRINK_BATCH;
	long *deferred = &s->nr_deferred[deferred_nid(s, sc)];
	long freeable, nr, total_scan, scanned = 0, next_deferred;
	unsigned long freed = 0, delta;

	freeable = (long)s->count_objects(s, sc);
	if (freeable == 0 || (unsigned long)freeable == SHRINK_EMPTY)
		return (unsigned long)freeable;

	/* Take the deferred work, so a concurrent caller does not do it too. */
	nr = __atomic_exchange_n(deferred, 0, __ATOMIC_RELAXED);

	if (s->seeks) {
		delta = (unsigned long)freeable >> priority;
		delta *= 4;
		delta /= (unsigned long)s->seeks;
	} else {
		/* Free to recreate: trim hard so they do not crowd out costly objects. */
		delta = (unsigned long)freeable / 2;
	}

	total_scan = (nr >> priority) + (long)delta;
	total_scan = min(total_scan, 2 * freeable);

	/*
	 * Scan in batches; a cache smaller than a batch is scanned whole
	 * only when the pressure asks for more than it holds.
	 */
	while (total_scan >= batch_size || total_scan >= freeable) {
		unsigned long ret, nr_to_scan = (unsigned long)min(batch_size, total_scan);

		sc->nr_to_scan = nr_to_scan;
		sc->nr_scanned = nr_to_scan;
		ret = s->scan_objects(s, sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;
		count_vm_events(SLABS_SCANNED, sc->nr_scanned);
		total_scan -= (long)sc->nr_scanned;
		scanned += (long)sc->nr_scanned;
		platform_yield();
	}

	/* New work not done is deferred; old work done now is taken off. */
	next_deferred = max(nr + (long)delta - scanned, 0L);
	next_deferred = min(next_deferred, 2 * freeable);
	__atomic_add_fetch(deferred, next_deferred, __ATOMIC_RELAXED);

	__atomic_add_fetch(&s->nr_scanned_total, (unsigned long)scanned, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->nr_freed_total, freed, __ATOMIC_RELAXED);
	return freed;
}

unsigned long shrink_slab(gfp_t gfp, int nid, int priority)
{
	unsigned long freed = 0;
	struct shrinker *s;

	spin_lock(&shrinker_lock);
	shrinker_readers++;
	spin_unlock(&shrinker_lock);

	list_for_each_entry(s, &shrinker_list, list) {
		struct shrink_control sc = { .gfp_mask = gfp, .nid = nid };
		unsigned long ret = do_shrink_slab(&sc, s, priority);

		if (ret == SHRINK_EMPTY)
			ret = 0;
		freed += ret;
	}

	spin_lock(&shrinker_lock);
	shrinker_readers--;
	spin_unlock(&shrinker_lock);
	return freed;
}

void shrinker_for_each(void (*fn)(struct shrinker *s, void *arg), void *arg)
{
	struct shrinker *s;

	spin_lock(&shrinker_lock);
	shrinker_readers++;
	spin_unlock(&shrinker_lock);

	list_for_each_entry(s, &shrinker_list, list)
		fn(s, arg);

	spin_lock(&shrinker_lock);
	shrinker_readers--;
	spin_unlock(&shrinker_lock);
}

unsigned long drop_slab(void)
{
	unsigned long freed, total = 0;
	int shift = 0;

	count_vm_event(DROP_SLAB);
	do {
		int nid;

		freed = 0;
		for_each_online_node(nid)
			freed += shrink_slab(GFP_KERNEL, nid, 0);
		total += freed;
	} while ((freed >> shift++) > 1);
	kmem_cache_shrink_all();
	return total;
}
