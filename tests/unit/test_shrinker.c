// SPDX-License-Identifier: MIT
/*
 * Shrinkers: do_shrink_slab()'s arithmetic in cases worked out by hand,
 * SHRINK_STOP and SHRINK_EMPTY, deferred work (per node when NUMA
 * aware), slabs_scanned; then the name cache: hits and misses, the LRU's
 * second chance, and a shrink that frees everything giving the cache's
 * pages back to the buddy lists.
 */
#include "unit.h"
#include "slab_test.h"

#include <guestmm/namecache.h>
#include <guestmm/shrinker.h>

/* A cache of @objects[nid] imaginary objects; scanning frees them. */
struct fake {
	struct shrinker sh;
	long objects[MAX_NUMNODES];
	unsigned long calls, scans[4096];	/* nr_to_scan of each scan_objects call */
	bool empty_means_stop;
};

static unsigned long fake_count(struct shrinker *sh, struct shrink_control *sc)
{
	struct fake *f = container_of(sh, struct fake, sh);
	long n = f->objects[(sh->flags & SHRINKER_NUMA_AWARE) ? sc->nid : 0];

	return n < 0 ? SHRINK_EMPTY : (unsigned long)n;
}

static unsigned long fake_scan(struct shrinker *sh, struct shrink_control *sc)
{
	struct fake *f = container_of(sh, struct fake, sh);
	long *n = &f->objects[(sh->flags & SHRINKER_NUMA_AWARE) ? sc->nid : 0];
	unsigned long freed = min((unsigned long)*n, sc->nr_to_scan);

	if (f->calls < ARRAY_SIZE(f->scans))
		f->scans[f->calls] = sc->nr_to_scan;
	f->calls++;
	if (!freed && f->empty_means_stop)
		return SHRINK_STOP;
	*n -= (long)freed;
	return freed;
}

static void fake_init(struct fake *f, long objects, int seeks, long batch)
{
	memset(f, 0, sizeof(*f));
	f->sh.count_objects = fake_count;
	f->sh.scan_objects = fake_scan;
	f->sh.seeks = seeks;
	f->sh.batch = batch;
	f->objects[0] = objects;
	ck_assert_int_eq(register_shrinker(&f->sh, "fake"), 0);
}

static unsigned long shrink_once(struct fake *f, int nid, int priority)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid };

	return do_shrink_slab(&sc, &f->sh, priority);
}

START_TEST(gentle_priority_defers)
{
	static struct fake f;

	mm_test_boot(1, 64 * MiB, 1);
	/* 1000 >> 12 = 0: no pressure at all. */
	fake_init(&f, 1000, DEFAULT_SEEKS, 0);
	ck_assert_uint_eq(shrink_once(&f, 0, DEF_PRIORITY), 0);
	ck_assert_uint_eq(f.calls, 0);
	ck_assert_int_eq(f.sh.nr_deferred[0], 0);

	/*
	 * 100000 objects at priority 12: delta = (100000 >> 12) * 4 / 2 = 24 * 2
	 * = 48 < batch (128) and < freeable: nothing scanned, 48 deferred.
	 */
	f.objects[0] = 100000;
	ck_assert_uint_eq(shrink_once(&f, 0, 12), 0);
	ck_assert_uint_eq(f.calls, 0);
	ck_assert_int_eq(f.sh.nr_deferred[0], 48);
	/* Again: 48 >> 12 = 0 of the deferred work, 48 new, 96 deferred. */
	shrink_once(&f, 0, 12);
	ck_assert_int_eq(f.sh.nr_deferred[0], 96);
	unregister_shrinker(&f.sh);
}
END_TEST

START_TEST(hardest_priority_scans_in_batches)
{
	static struct fake f;
	unsigned long freed, scanned0 = 0;

	mm_test_boot(1, 64 * MiB, 1);
	fake_init(&f, 100000, DEFAULT_SEEKS, 0);
	f.empty_means_stop = true;
	f.sh.nr_deferred[0] = 96;
	scanned0 = sum_vm_event(SLABS_SCANNED);
	/*
	 * Priority 0: delta = 100000 * 4 / 2 = 200000; total_scan = 96 + 200000,
	 * capped at 2 * freeable = 200000.  Batches of 128: 781 of them free
	 * 99968, the 782nd frees the last 32, the 783rd finds nothing and
	 * says SHRINK_STOP.  Scanned: 782 * 128 = 100096.  Deferred:
	 * 96 + 200000 - 100096 = 100000 (under the cap of 200000).
	 */
	freed = shrink_once(&f, 0, 0);
	ck_assert_uint_eq(freed, 100000);
	ck_assert_uint_eq(f.calls, 783);
	for (unsigned long i = 0; i < f.calls; i++)
		ck_assert_uint_eq(f.scans[i], 128);
	ck_assert_int_eq(f.sh.nr_deferred[0], 100000);
	ck_assert_uint_eq(sum_vm_event(SLABS_SCANNED) - scanned0, 100096);
	ck_assert_uint_eq(f.sh.nr_freed_total, 100000);
	ck_assert_uint_eq(f.sh.nr_scanned_total, 100096);

	/* An empty cache: count says 0, nothing is called, nothing changes. */
	ck_assert_uint_eq(shrink_once(&f, 0, 0), 0);
	ck_assert_uint_eq(f.calls, 783);
	ck_assert_int_eq(f.sh.nr_deferred[0], 100000);
	unregister_shrinker(&f.sh);
}
END_TEST

START_TEST(small_cache_scanned_whole)
{
	static struct fake f;

	mm_test_boot(1, 64 * MiB, 1);
	/*
	 * 50 objects at priority 0: delta = 50 * 4 / 2 = 100 = total_scan
	 * (cap 100).  100 < batch, but >= freeable: one call of 100, which
	 * frees all 50.  Deferred: 0 + 100 - 100 = 0.
	 */
	fake_init(&f, 50, DEFAULT_SEEKS, 0);
	ck_assert_uint_eq(shrink_once(&f, 0, 0), 50);
	ck_assert_uint_eq(f.calls, 1);
	ck_assert_uint_eq(f.scans[0], 100);
	ck_assert_int_eq(f.sh.nr_deferred[0], 0);

	/*
	 * seeks 0 (free to recreate): delta = freeable / 2 whatever the
	 * priority.  1000 objects at priority 12: delta 500, batch 10:
	 * 50 calls of 10, 500 freed, nothing deferred.
	 */
	unregister_shrinker(&f.sh);
	fake_init(&f, 1000, 0, 10);
	ck_assert_uint_eq(shrink_once(&f, 0, 12), 500);
	ck_assert_uint_eq(f.calls, 50);
	ck_assert_uint_eq(f.scans[49], 10);
	ck_assert_int_eq(f.sh.nr_deferred[0], 0);

	/*
	 * seeks 8 at priority 2 with 2000: delta = (2000 >> 2) * 4 / 8 = 250;
	 * batch 128: one call (250 -> 122 < 128 and < 2000), 128 freed,
	 * 122 deferred.
	 */
	unregister_shrinker(&f.sh);
	fake_init(&f, 2000, 8, 0);
	ck_assert_uint_eq(shrink_once(&f, 0, 2), 128);
	ck_assert_uint_eq(f.calls, 1);
	ck_assert_int_eq(f.sh.nr_deferred[0], 122);
	/*
	 * Next call at priority 0: nr = 122 (122 >> 0), delta = 1872 * 4 / 8 =
	 * 936, total 1058: 8 calls of 128 (1024), 34 left.  Deferred:
	 * 122 + 936 - 1024 = 34.
	 */
	ck_assert_uint_eq(shrink_once(&f, 0, 0), 1024);
	ck_assert_uint_eq(f.calls, 9);
	ck_assert_int_eq(f.sh.nr_deferred[0], 34);
	unregister_shrinker(&f.sh);
}
END_TEST

static unsigned long scan_stop(struct shrinker *sh, struct shrink_control *sc)
{
	return SHRINK_STOP;
}

START_TEST(stop_and_empty)
{
	static struct fake f;

	mm_test_boot(1, 64 * MiB, 1);
	/* SHRINK_EMPTY from count: do_shrink_slab passes it on, shrink_slab counts 0. */
	fake_init(&f, -1, DEFAULT_SEEKS, 0);
	ck_assert_uint_eq(shrink_once(&f, 0, 0), SHRINK_EMPTY);
	ck_assert_uint_eq(shrink_slab(GFP_KERNEL, 0, 0), 0);
	ck_assert_uint_eq(f.calls, 0);

	/*
	 * A scan that says SHRINK_STOP at once: nothing freed or scanned,
	 * so the whole delta is deferred: 300 * 4 / 2 = 600, capped at 600.
	 */
	f.objects[0] = 300;
	f.sh.scan_objects = scan_stop;
	ck_assert_uint_eq(shrink_once(&f, 0, 0), 0);
	ck_assert_int_eq(f.sh.nr_deferred[0], 600);
	unregister_shrinker(&f.sh);
}
END_TEST

START_TEST(numa_aware_defers_per_node)
{
	static struct fake numa, flat;

	mm_test_boot(2, 64 * MiB, 2);
	fake_init(&numa, 0, DEFAULT_SEEKS, 0);
	numa.sh.flags = SHRINKER_NUMA_AWARE;
	numa.objects[0] = 100000;
	numa.objects[1] = 200000;
	fake_init(&flat, 100000, DEFAULT_SEEKS, 0);

	/* Node 1 under gentle pressure: (200000 >> 12) * 2 = 48 * 2 = 96 deferred on node 1. */
	shrink_slab(GFP_KERNEL, 1, 12);
	ck_assert_int_eq(numa.sh.nr_deferred[0], 0);
	ck_assert_int_eq(numa.sh.nr_deferred[1], 96);
	/* A shrinker that is not NUMA aware keeps its work in slot 0. */
	ck_assert_int_eq(flat.sh.nr_deferred[0], 48);
	ck_assert_int_eq(flat.sh.nr_deferred[1], 0);
	shrink_slab(GFP_KERNEL, 0, 12);
	ck_assert_int_eq(numa.sh.nr_deferred[0], 48);
	ck_assert_int_eq(numa.sh.nr_deferred[1], 96);
	ck_assert_int_eq(flat.sh.nr_deferred[0], 96);
	unregister_shrinker(&numa.sh);
	unregister_shrinker(&flat.sh);
}
END_TEST

/* --- The name cache ------------------------------------------------------ */

static void name_of(char *buf, size_t size, int i)
{
	snprintf(buf, size, "dir/file-%d", i);
}

static bool cached(int i)
{
	char name[32];
	struct nc_entry *e;

	name_of(name, sizeof(name), i);
	e = nc_lookup(name);
	if (e)
		nc_put(e);
	return e != NULL;
}

START_TEST(namecache_hits_and_misses)
{
	struct nc_stats st;
	char name[32];

	mm_test_boot(1, 128 * MiB, 1);
	for (int i = 0; i < 1000; i++) {
		name_of(name, sizeof(name), i);
		ck_assert_int_eq(nc_touch(name, GFP_KERNEL), 0);
	}
	for (int i = 0; i < 1000; i += 2) {
		name_of(name, sizeof(name), i);
		ck_assert_int_eq(nc_touch(name, GFP_KERNEL), 1);
	}
	nc_get_stats(&st);
	ck_assert_uint_eq(st.entries, 1000);
	ck_assert_uint_eq(st.unused, 1000);
	ck_assert_uint_eq(st.misses, 1000);
	ck_assert_uint_eq(st.hits, 500);
	{
		struct nc_entry *e = nc_get("dir/file-7", GFP_KERNEL);

		ck_assert_str_eq(e->name, "dir/file-7");
		ck_assert_ptr_eq(nc_lookup("dir/file-7"), e);
		ck_assert_int_eq(e->refcount, 2);
		nc_put(e);
		nc_put(e);
	}
	ck_assert_ptr_null(nc_get("", GFP_KERNEL));
	ck_assert_str_eq(mm_report(report_namecache), "1000\t1000\t502\t1000\t0\n");
	slab_assert_invariants();
}
END_TEST

/*
 * 200 unused entries at priority 1: delta = (200 >> 1) * 4 / 2 = 200;
 * one batch of 128 from the old end of the LRU (the remaining 72 are
 * less than a batch and than the cache).  The 10 oldest were used again,
 * so they are referenced: they get a second chance and go to the young
 * end.  The next 118 are freed; the newest 72 were not reached.
 */
START_TEST(namecache_second_chance)
{
	char name[32];
	struct nc_stats st;
	unsigned long freed;

	mm_test_boot(1, 128 * MiB, 1);
	for (int i = 0; i < 200; i++) {
		name_of(name, sizeof(name), i);
		nc_touch(name, GFP_KERNEL);
	}
	for (int i = 0; i < 10; i++) {
		name_of(name, sizeof(name), i);
		ck_assert_int_eq(nc_touch(name, GFP_KERNEL), 1);
	}
	freed = shrink_slab(GFP_KERNEL, 0, 1);
	ck_assert_uint_eq(freed, 118);
	nc_get_stats(&st);
	ck_assert_uint_eq(st.entries, 82);
	ck_assert_uint_eq(st.freed, 118);
	for (int i = 0; i < 200; i++)
		ck_assert_msg(cached(i) == (i < 10 || i >= 128), "entry %d", i);

	/* An entry in use is never freed: it leaves the LRU instead. */
	{
		struct nc_entry *held = nc_get("held", GFP_KERNEL);

		drop_slab();
		nc_get_stats(&st);
		ck_assert_uint_eq(st.entries, 1);
		ck_assert_uint_eq(st.unused, 0);
		ck_assert_ptr_eq(nc_lookup("held"), held);
		nc_put(held);
		nc_put(held);
	}
	slab_assert_invariants();
}
END_TEST

/* A shrink that frees everything gives the cache's pages back. */
START_TEST(namecache_drop_returns_pages)
{
	static char before[4096];
	unsigned long free0, scanned0;
	struct kmem_cache *s;
	char name[32];
	struct nc_stats st;

	mm_test_boot(1, 256 * MiB, 1);
	nc_touch("warm-up", GFP_KERNEL);	/* per-CPU arrays, first slab */
	drop_slab();
	drain_all_pages(NULL);
	free0 = mm_free_pages();
	strcpy(before, mm_report(report_buddyinfo));
	ck_assert_int_eq(slab_bytes(NR_SLAB_RECLAIMABLE_B), 0);

	for (int i = 0; i < 20000; i++) {
		name_of(name, sizeof(name), i);
		ck_assert_int_eq(nc_touch(name, GFP_KERNEL), 0);
	}
	{
		struct nc_entry *e = nc_lookup("dir/file-0");

		s = virt_to_page(e)->slab_cache;
		nc_put(e);
	}
	ck_assert_str_eq(kmem_cache_name(s), "namecache");
	/* 192-byte entries, 21 to a page: 953 slabs. */
	ck_assert_uint_eq(s->objects, 21);
	ck_assert_int_eq(slab_bytes(NR_SLAB_RECLAIMABLE_B), 953 * 4096);
	ck_assert_uint_ge(mm_blocks_of_type(mm_zone(0, ZONE_DMA32), MIGRATE_RECLAIMABLE), 1);
	slab_assert_invariants();

	scanned0 = sum_vm_event(SLABS_SCANNED);
	ck_assert_uint_eq(drop_slab(), 20000);
	ck_assert_uint_ge(sum_vm_event(SLABS_SCANNED) - scanned0, 20000);
	ck_assert_uint_eq(sum_vm_event(DROP_SLAB), 2);
	nc_get_stats(&st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_int_eq(slab_bytes(NR_SLAB_RECLAIMABLE_B), 0);
	drain_all_pages(NULL);
	ck_assert_uint_eq(mm_free_pages(), free0);
	ck_assert_str_eq(mm_report(report_buddyinfo), before);
	slab_assert_invariants();
	mm_assert_invariants();
}
END_TEST

static Suite *shrinker_suite(void)
{
	Suite *s = suite_create("shrinker");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, gentle_priority_defers);
	tcase_add_test(tc, hardest_priority_scans_in_batches);
	tcase_add_test(tc, small_cache_scanned_whole);
	tcase_add_test(tc, stop_and_empty);
	tcase_add_test(tc, numa_aware_defers_per_node);
	tcase_add_test(tc, namecache_hits_and_misses);
	tcase_add_test(tc, namecache_second_chance);
	tcase_add_test(tc, namecache_drop_returns_pages);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(shrinker_suite)
