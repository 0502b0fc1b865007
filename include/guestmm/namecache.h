/* SPDX-License-Identifier: MIT */
/*
 * The name cache: a reclaimable cache of named objects, built the way
 * Linux's dentry cache is, for the guest's workloads and the balloon
 * tests to fill and for reclaim to shrink.
 *
 * Entries live in a hash by name and, while nobody holds them, on their
 * node's LRU.  A lookup that hits takes a reference; dropping the last
 * one puts the entry on the LRU, or marks it referenced if it is already
 * there.  The shrinker walks the LRU from the oldest end: referenced
 * entries lose the mark and go to the young end (a second chance),
 * entries in use leave the LRU, the rest are freed.  Entries are 192
 * bytes, as a dentry is, in the "namecache" slab cache
 * (SLAB_RECLAIM_ACCOUNT, so Reclaimable pageblocks).
 */
#ifndef GUESTMM_NAMECACHE_H
#define GUESTMM_NAMECACHE_H

#include <guestmm/gfp.h>
#include <guestmm/list.h>
#include <guestmm/seq_buf.h>

#define NC_NAME_MAX	63

#define NC_REFERENCED	BIT(0)	/* used again since the shrinker last looked */
#define NC_ON_LRU	BIT(1)

struct nc_entry {
	struct nc_entry *hash_next;
	struct nc_entry **hash_pprev;	/* what points at us: unhashing is O(1) */
	struct list_head lru;
	uint32_t hash;
	int refcount;			/* holders; 0: cached only */
	unsigned int flags;
	unsigned int len;
	char name[NC_NAME_MAX + 1];
	unsigned long value;		/* the holder's to use */
	unsigned char data[72];		/* inline payload, as a dentry's inline name */
};

struct nc_stats {
	unsigned long entries;		/* in the hash */
	unsigned long unused;		/* on the LRUs */
	unsigned long hits, misses;
	unsigned long freed;		/* by the shrinker */
};

/* Create the cache and register its shrinker (mm_init() calls it). */
void namecache_init(void);

/* A held entry for @name, or NULL (a miss).  Counts hits and misses. */
struct nc_entry *nc_lookup(const char *name);

/*
 * A held entry for @name, created if absent.  NULL if no memory or the
 * name is empty or longer than NC_NAME_MAX.
 */
struct nc_entry *nc_get(const char *name, gfp_t gfp);

/* Drop a reference; the entry stays cached. */
void nc_put(struct nc_entry *e);

/* Look @name up, creating it on a miss, and drop it: 1 hit, 0 miss, -1 no memory. */
int nc_touch(const char *name, gfp_t gfp);

void nc_get_stats(struct nc_stats *st);

/* Like /proc/sys/fs/dentry-state: entries, unused, hits, misses, freed. */
void report_namecache(struct seq_buf *s);

#endif
