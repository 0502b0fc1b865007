/* SPDX-License-Identifier: MIT */
/*
 * Shrinkers: caches that can give memory back on request.
 *
 * A cache registers a shrinker with two callbacks: count_objects() says
 * how many objects could be freed, scan_objects() tries to free up to
 * sc->nr_to_scan of them.  Reclaim (kswapd, direct reclaim) and the
 * balloon call shrink_slab(), which asks every shrinker for a share that
 * grows as priority falls from DEF_PRIORITY (12) to 0, with Linux's
 * arithmetic (mm/shrinker.c do_shrink_slab()):
 *
 *   delta      = (freeable >> priority) * 4 / seeks     (freeable / 2 if seeks == 0)
 *   total_scan = min(nr_deferred >> priority + delta, 2 * freeable)
 *   scan in batches of `batch` (SHRINK_BATCH = 128), or all at once when
 *   total_scan >= freeable; SHRINK_STOP ends the round
 *   nr_deferred = min(max(nr_deferred + delta - scanned, 0), 2 * freeable)
 *
 * Work a shrinker could not do is deferred to the next call, per node
 * for SHRINKER_NUMA_AWARE shrinkers.
 */
#ifndef GUESTMM_SHRINKER_H
#define GUESTMM_SHRINKER_H

#include <guestmm/gfp.h>
#include <guestmm/list.h>
#include <guestmm/mmzone.h>
#include <guestmm/seq_buf.h>

#define SHRINK_STOP		(~0UL)		/* scan_objects: cannot make progress now */
#define SHRINK_EMPTY		(~0UL - 1)	/* count_objects: nothing cached at all */
#define SHRINK_BATCH		128
#define DEFAULT_SEEKS		2		/* cost to recreate an object, in seeks */
#define DEF_PRIORITY		12

#define SHRINKER_NUMA_AWARE	BIT(2)

struct shrink_control {
	gfp_t gfp_mask;
	int nid;			/* the node under pressure */
	unsigned long nr_to_scan;	/* scan_objects: look at this many */
	unsigned long nr_scanned;	/* scan_objects may lower it to what it looked at */
};

struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *sc);
	long batch;			/* 0: SHRINK_BATCH */
	int seeks;			/* 0: trim hard, objects cost nothing to recreate */
	unsigned int flags;		/* SHRINKER_NUMA_AWARE */
	void *private_data;

	/* Owned by shrinker.c. */
	const char *name;
	struct list_head list;
	long nr_deferred[MAX_NUMNODES];	/* [0] only, unless NUMA aware */
	unsigned long nr_scanned_total;	/* objects scanned, ever */
	unsigned long nr_freed_total;	/* objects freed, ever (balloon accounting) */
};

int register_shrinker(struct shrinker *s, const char *name);
void unregister_shrinker(struct shrinker *s);

/*
 * Run every shrinker for node @nid at @priority (DEF_PRIORITY gentlest,
 * 0 hardest).  Returns the objects freed.  Reclaim calls it per node;
 * the balloon before and while inflating.  May not be called from a
 * shrinker or with a slab or zone lock held.
 */
unsigned long shrink_slab(gfp_t gfp, int nid, int priority);

/* One shrinker, once: the arithmetic above (exported for tests). */
unsigned long do_shrink_slab(struct shrink_control *sc, struct shrinker *s, int priority);

/*
 * Call @fn for every shrinker, in registration order, with the list held
 * steady (as shrink_slab() holds it): @fn may run do_shrink_slab() on it.
 * The balloon shrinks one shrinker at a time this way, to account what
 * each gave back.
 */
void shrinker_for_each(void (*fn)(struct shrinker *s, void *arg), void *arg);

/*
 * echo 2 > /proc/sys/vm/drop_caches: shrink every node at priority 0
 * until a round frees (almost) nothing, then return every cache's empty
 * slabs to the page allocator.  Counts drop_slab.  Returns objects freed.
 */
unsigned long drop_slab(void);

#endif
