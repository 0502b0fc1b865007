/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the slab, shrinker and vmalloc tests (white-box: they see
 * guestmm/slab_internal.h).
 */
#ifndef EBB_TESTS_SLAB_TEST_H
#define EBB_TESTS_SLAB_TEST_H

#include "mm_test.h"

#include <guestmm/slab.h>

#include "../../guestmm/slab_internal.h"

/* Fail the test if a slab invariant is broken. */
static inline void slab_assert_invariants(void)
{
	static char buf[8192];
	struct seq_buf s;
	unsigned long bad;

	seq_buf_init(&s, buf, sizeof(buf));
	bad = slab_check_invariants(&s);
	ck_assert_msg(bad == 0, "%lu slab invariant violations:\n%s", bad, buf);
}

/* A node's slab counts, after the per-CPU arrays went back to the slabs. */
struct slab_counts {
	unsigned long partial, full, free, free_objects;
};

static inline struct slab_counts slab_counts(struct kmem_cache *s, int nid)
{
	struct kmem_cache_node *n = &s->node[nid];

	cache_drain_cpus(s);
	return (struct slab_counts){ n->nr_partial, n->nr_full, n->nr_free, n->free_objects };
}

#define ck_assert_slabs(s, p, f, e, fo)						\
	do {									\
		struct slab_counts c_ = slab_counts(s, 0);			\
		ck_assert_msg(c_.partial == (p) && c_.full == (f) && c_.free == (e) &&	\
			      c_.free_objects == (fo),				\
			      "slabs partial/full/free/free_objects %lu/%lu/%lu/%lu, want %lu/%lu/%lu/%lu", \
			      c_.partial, c_.full, c_.free, c_.free_objects,	\
			      (unsigned long)(p), (unsigned long)(f), (unsigned long)(e), \
			      (unsigned long)(fo));				\
	} while (0)

static inline long slab_bytes(enum node_stat_item item)
{
	return global_node_page_state(item);
}

#endif
