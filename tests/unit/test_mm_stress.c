// SPDX-License-Identifier: MIT
/*
 * Randomized stress: a million mixed allocations and frees over orders
 * 0..10, every migratetype, two nodes, with the invariant checker run
 * every 50,000 operations and at the end; then the same with four
 * threads on four CPUs, both with per-CPU data locked by atomics and with
 * the exclusive-CPU protocol the guest uses (include/guestmm/cpulock.h).
 * Every block carries a tag at both ends, checked when it is freed, so
 * two owners of one page cannot go unnoticed.
 */
#include "unit.h"
#include "mm_test.h"

#include <pthread.h>

#define STRESS_OPS	1000000
#define CHECK_EVERY	50000
#define MAX_HELD	4096

struct held_block {
	struct page *page;
	unsigned int order;
	uint64_t tag;
};

struct stress_state {
	uint64_t rng;
	unsigned int cpu;
	int nheld;
	struct held_block held[MAX_HELD];
	unsigned long allocs, fails, frees;
};

static uint64_t next_rand(struct stress_state *st)
{
	uint64_t x = st->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	st->rng = x;
	return x;
}

static unsigned int pick_order(struct stress_state *st)
{
	unsigned int r = next_rand(st) % 100;

	if (r < 70)
		return 0;
	if (r < 85)
		return 1 + next_rand(st) % 3;
	if (r < 95)
		return 4 + next_rand(st) % 5;
	return 9 + next_rand(st) % 2;
}

static const gfp_t stress_gfps[] = {
	GFP_KERNEL,
	GFP_HIGHUSER_MOVABLE,
	GFP_KERNEL | __GFP_RECLAIMABLE,
	GFP_ATOMIC,			/* order > 0 may make a HighAtomic reserve */
	GFP_NOWAIT | __GFP_MOVABLE,
	GFP_KERNEL | __GFP_NORETRY,
	GFP_KERNEL | __GFP_DMA32,
};

static void tag_block(struct held_block *b)
{
	uint64_t *first = page_address(b->page);
	uint64_t *last = (uint64_t *)((char *)first + (PAGE_SIZE << b->order)) - 1;

	*first = b->tag;
	*last = ~b->tag;
}

static void check_and_free(struct stress_state *st, int i)
{
	struct held_block *b = &st->held[i];
	uint64_t *first = page_address(b->page);
	uint64_t *last = (uint64_t *)((char *)first + (PAGE_SIZE << b->order)) - 1;

	ck_assert_msg(*first == b->tag && *last == ~b->tag,
		      "block at pfn %lx order %u was overwritten", page_to_pfn(b->page), b->order);
	__free_pages(b->page, b->order);
	st->held[i] = st->held[--st->nheld];
	st->frees++;
}

static void stress_step(struct stress_state *st)
{
	bool alloc = st->nheld == 0 || (st->nheld < MAX_HELD && next_rand(st) % 100 < 55);

	if (alloc) {
		unsigned int order = pick_order(st);
		gfp_t gfp = stress_gfps[next_rand(st) % ARRAY_SIZE(stress_gfps)] | __GFP_NOWARN;
		int nid = (int)(next_rand(st) % 2);
		bool thisnode = next_rand(st) % 8 == 0;
		struct page *p;

		if (thisnode)
			gfp |= __GFP_THISNODE;
		p = alloc_pages_node(nid, gfp, order);
		if (!p) {
			st->fails++;
			/* Make room: free a few blocks. */
			for (int k = 0; k < 4 && st->nheld; k++)
				check_and_free(st, (int)(next_rand(st) % (uint64_t)st->nheld));
			return;
		}
		ck_assert_int_eq(page_count(p), 1);
		ck_assert_uint_eq(page_to_pfn(p) & ((1UL << order) - 1), 0);
		if (thisnode)
			ck_assert_int_eq(page_to_nid(p), nid);
		if (gfp & __GFP_DMA32)
			ck_assert_int_le(page_zonenum(p), ZONE_DMA32);
		st->held[st->nheld] = (struct held_block){ p, order, next_rand(st) };
		tag_block(&st->held[st->nheld]);
		st->nheld++;
		st->allocs++;
	} else {
		check_and_free(st, (int)(next_rand(st) % (uint64_t)st->nheld));
	}
}

static void stress_release_all(struct stress_state *st)
{
	while (st->nheld)
		check_and_free(st, st->nheld - 1);
}

START_TEST(stress_single_thread)
{
	static struct stress_state st;
	unsigned long total;

	mm_test_boot(2, 32 * MiB, 1);
	total = mm_free_pages();
	st.rng = 0x9e3779b97f4a7c15ull;
	for (int i = 1; i <= STRESS_OPS; i++) {
		stress_step(&st);
		if (i % CHECK_EVERY == 0)
			mm_assert_invariants();
	}
	ck_assert_uint_gt(st.allocs, STRESS_OPS / 3);
	ck_assert_uint_gt(st.fails, 0);		/* memory pressure was reached */
	stress_release_all(&st);
	drain_all_pages(NULL);
	mm_assert_invariants();
	ck_assert_uint_eq(mm_free_pages(), total);
	/* Everything merged back: no free block smaller than it must be. */
	ck_assert_uint_eq(sum_vm_event(PGFREE),
			  sum_vm_event(PGALLOC_DMA) + sum_vm_event(PGALLOC_DMA32));
}
END_TEST

#define NTHREADS 4

static pthread_barrier_t barrier;
static struct stress_state thread_state[NTHREADS];

static void *stress_thread(void *arg)
{
	struct stress_state *st = arg;

	hosted_set_cpu(st->cpu);
	for (int i = 1; i <= STRESS_OPS / NTHREADS; i++) {
		stress_step(st);
		if (i % (CHECK_EVERY / NTHREADS) == 0) {
			/* Quiesce, let one thread check, go on together. */
			pthread_barrier_wait(&barrier);
			if (st->cpu == 0) {
				drain_all_pages(NULL);
				mm_assert_invariants();
			}
			pthread_barrier_wait(&barrier);
		}
	}
	stress_release_all(st);
	return NULL;
}

/* Loop tests: _i is 0 for shared CPU ids (atomics), 1 for exclusive CPUs. */
START_TEST(stress_four_threads)
{
	pthread_t t[NTHREADS];
	unsigned long total, allocs = 0;

	mm_test_boot_cpus(2, 32 * MiB, NTHREADS, _i);
	total = mm_free_pages();
	hosted_release_cpu();	/* the workers need every CPU */
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		thread_state[i].rng = 0x2545f4914f6cdd1dull * (uint64_t)(i + 1);
		thread_state[i].cpu = (unsigned int)i;
		ck_assert_int_eq(pthread_create(&t[i], NULL, stress_thread, &thread_state[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		allocs += thread_state[i].allocs;
	}
	pthread_barrier_destroy(&barrier);
	hosted_set_cpu(0);
	ck_assert_uint_gt(allocs, STRESS_OPS / 3);
	drain_all_pages(NULL);
	mm_assert_invariants();
	ck_assert_uint_eq(mm_free_pages(), total);
}
END_TEST

/*
 * Three CPUs allocate and free while a fourth keeps draining everybody's
 * per-CPU lists through their locks: nothing may be lost or doubled.
 * With exclusive CPUs this exercises the membarrier handshake.
 */
static int drain_stop;

static void *drainer_thread(void *arg)
{
	unsigned long *drains = arg;

	hosted_set_cpu(NTHREADS - 1);
	while (!__atomic_load_n(&drain_stop, __ATOMIC_ACQUIRE)) {
		drain_all_pages(NULL);
		(*drains)++;
	}
	return NULL;
}

static void *churn_thread(void *arg)
{
	struct stress_state *st = arg;

	hosted_set_cpu(st->cpu);
	for (int i = 0; i < 100000; i++)
		stress_step(st);
	stress_release_all(st);
	return NULL;
}

START_TEST(stress_concurrent_drain)
{
	pthread_t t[NTHREADS - 1], d;
	unsigned long total, drains = 0;

	mm_test_boot_cpus(2, 32 * MiB, NTHREADS, _i);
	total = mm_free_pages();
	hosted_release_cpu();
	drain_stop = 0;
	for (int i = 0; i < NTHREADS - 1; i++) {
		thread_state[i] = (struct stress_state){ .rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)(i * 7919 + 1),
							 .cpu = (unsigned int)i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn_thread, &thread_state[i]), 0);
	}
	ck_assert_int_eq(pthread_create(&d, NULL, drainer_thread, &drains), 0);
	for (int i = 0; i < NTHREADS - 1; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&drain_stop, 1, __ATOMIC_RELEASE);
	pthread_join(d, NULL);
	hosted_set_cpu(0);
	ck_assert_uint_gt(drains, 10);
	drain_all_pages(NULL);
	mm_assert_invariants();
	ck_assert_uint_eq(mm_free_pages(), total);
}
END_TEST

static Suite *mm_stress_suite(void)
{
	Suite *s = suite_create("mm_stress");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, stress_single_thread);
	tcase_add_loop_test(tc, stress_four_threads, 0, 2);
	tcase_add_loop_test(tc, stress_concurrent_drain, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(mm_stress_suite)
