// SPDX-License-Identifier: MIT
/*
 * Randomized slab stress: many caches (sizes from 8 bytes to pages,
 * constructors, reclaimable ones, debug ones) and kmalloc of every size
 * up to large, allocations and frees in random order on two nodes.  Each
 * object is filled with a tag checked when it is freed, so two owners of
 * one object cannot go unnoticed; the slab and page allocator invariant
 * checkers run every few thousand operations.  Then the same with four
 * threads on four CPUs sharing the caches, with frees from other CPUs.
 */
#include "unit.h"
#include "slab_test.h"

#include <pthread.h>

#define NCACHES		12
#define STRESS_OPS	1000000
#define CHECK_EVERY	50000
#define MAX_HELD	3000

struct held_obj {
	unsigned char *p;
	int cache;			/* index into caches[], or -1 for kmalloc */
	unsigned int size;
	uint8_t tag;
};

struct stress {
	uint64_t rng;
	int nheld;
	struct held_obj held[MAX_HELD];
	unsigned long allocs, frees;
};

static struct kmem_cache *caches[NCACHES];
static unsigned int cache_size[NCACHES];

static uint64_t rnd(struct stress *st)
{
	uint64_t x = st->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	st->rng = x;
	return x;
}

static void ctor_zero(void *p)
{
	memset(p, 0, 24);
}

static void make_caches(void)
{
	static const unsigned int sizes[NCACHES] = {
		8, 24, 40, 100, 192, 256, 500, 1000, 3000, 5000, 24, 72,
	};

	for (int i = 0; i < NCACHES; i++) {
		unsigned int flags = 0;
		char name[32];

		if (i % 3 == 1)
			flags |= SLAB_RECLAIM_ACCOUNT;
		if (i == 10 || i == 11)
			flags |= SLAB_DEBUG;
		if (i == 6)
			flags |= SLAB_HWCACHE_ALIGN;
		snprintf(name, sizeof(name), "stress-%d", i);
		caches[i] = kmem_cache_create(name, sizes[i], 0, flags, i == 4 ? ctor_zero : NULL);
		ck_assert_ptr_nonnull(caches[i]);
		cache_size[i] = sizes[i];
	}
}

static void check_and_free(struct stress *st, int i)
{
	struct held_obj *h = &st->held[i];

	/* Check's assertions write to a file each: test first, assert on failure. */
	for (unsigned int b = 0; b < h->size; b += 7)
		if (h->p[b] != h->tag)
			ck_abort_msg("object %p byte %u: %#x, tag %#x", (void *)h->p, b, h->p[b],
				     h->tag);
	if (h->cache < 0)
		kfree(h->p);
	else
		kmem_cache_free(caches[h->cache], h->p);
	st->held[i] = st->held[--st->nheld];
	st->frees++;
}

static void stress_step(struct stress *st)
{
	uint64_t r = rnd(st);
	struct held_obj *h;

	if (st->nheld && (st->nheld == MAX_HELD || r % 100 < 45)) {
		check_and_free(st, (int)(rnd(st) % (uint64_t)st->nheld));
		return;
	}
	h = &st->held[st->nheld];
	if (r % 3 == 0) {
		/* kmalloc: mostly small, sometimes pages. */
		unsigned int size = (r >> 8) % 100 < 95 ? 1 + (unsigned int)((r >> 16) % 8192) :
				    8193 + (unsigned int)((r >> 16) % 40000);

		h->p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		h->cache = -1;
		h->size = size;
		if (h->p && ksize(h->p) < size)
			ck_abort_msg("ksize(%p) = %zu < %u", (void *)h->p, ksize(h->p), size);
	} else {
		int c = (int)((r >> 8) % NCACHES);

		h->p = kmem_cache_alloc_node(caches[c], GFP_KERNEL | __GFP_NOWARN,
					     (r >> 20) % 4 == 0 ? (int)((r >> 24) % 2) : NUMA_NO_NODE);
		h->cache = c;
		h->size = cache_size[c];
	}
	if (!h->p)
		return;
	h->tag = (uint8_t)(r >> 32);
	memset(h->p, h->tag, h->size);
	st->nheld++;
	st->allocs++;
}

static void release_all(struct stress *st)
{
	while (st->nheld)
		check_and_free(st, st->nheld - 1);
}

static void assert_all_returned(unsigned long free0)
{
	kmem_cache_shrink_all();
	drain_all_pages(NULL);
	slab_assert_invariants();
	mm_assert_invariants();
	for (int i = 0; i < NCACHES; i++)
		ck_assert_uint_eq(slab_cache_pages(caches[i], 0) + slab_cache_pages(caches[i], 1), 0);
	ck_assert_int_eq(slab_bytes(NR_SLAB_RECLAIMABLE_B), 0);
	/* What stays: the per-CPU arrays the caches set up, a page or two each. */
	ck_assert_uint_le(free0 - mm_free_pages(), 64);
}

START_TEST(slab_stress_single)
{
	static struct stress st;
	unsigned long free0;

	mm_test_boot(2, 32 * MiB, 1);
	free0 = mm_free_pages();
	make_caches();
	st.rng = 0x2545f4914f6cdd1dull;
	for (int i = 1; i <= STRESS_OPS; i++) {
		stress_step(&st);
		if (i % CHECK_EVERY == 0) {
			slab_assert_invariants();
			mm_assert_invariants();
		}
		if (i == STRESS_OPS / 2)
			kmem_cache_shrink_all();
	}
	ck_assert_uint_gt(st.allocs, STRESS_OPS / 2);
	ck_assert_uint_eq(slab_debug_errors(), 0);
	release_all(&st);
	assert_all_returned(free0);
}
END_TEST

#define NTHREADS 4

static struct stress tstate[NTHREADS];
static pthread_barrier_t barrier;

static void *stress_thread(void *arg)
{
	int id = (int)(long)arg;
	struct stress *st = &tstate[id];

	hosted_set_cpu((unsigned int)id);
	st->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < STRESS_OPS / NTHREADS; i++)
		stress_step(st);
	pthread_barrier_wait(&barrier);
	/* Free half of the next thread's objects: frees from another CPU. */
	{
		struct stress *other = &tstate[(id + 1) % NTHREADS];

		for (int i = other->nheld / 2; i > 0; i--)
			check_and_free(other, other->nheld - 1);
	}
	return NULL;
}

START_TEST(slab_stress_threads)
{
	pthread_t t[NTHREADS];
	unsigned long free0;

	mm_test_boot(2, 64 * MiB, NTHREADS);
	free0 = mm_free_pages();
	make_caches();
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (long i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, stress_thread, (void *)i), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	slab_assert_invariants();
	mm_assert_invariants();
	ck_assert_uint_eq(slab_debug_errors(), 0);
	for (int i = 0; i < NTHREADS; i++)
		release_all(&tstate[i]);
	assert_all_returned(free0);
}
END_TEST

static Suite *slab_stress_suite(void)
{
	Suite *s = suite_create("slab_stress");
	TCase *single = tcase_create("single");
	TCase *threads = tcase_create("threads");

	tcase_set_timeout(single, 120);
	tcase_set_timeout(threads, 120);
	tcase_add_test(single, slab_stress_single);
	tcase_add_test(threads, slab_stress_threads);
	suite_add_tcase(s, single);
	suite_add_tcase(s, threads);
	return s;
}
UNIT_SUITE(slab_stress_suite)
