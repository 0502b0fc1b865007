// SPDX-License-Identifier: MIT
/*
 * virtio-balloon: the device alone against hand-made rings (actual is the
 * driver's, PFNs outside RAM), then driver and device wired through the
 * loopback transport over a hosted machine (inflate and deflate with the
 * memory really discarded, stats, deflate-on-OOM, migration, reporting,
 * shrinkers before reclaim).
 */
#include <endian.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include <guest/virtio_balloon.h>
#include <guestmm/compaction.h>
#include <guestmm/migrate.h>
#include <guestmm/shrinker.h>
#include <guestmm/slab.h>
#include <hosted/balloon_loopback.h>

#include "mm_test.h"
#include "unit.h"
#include "virtio_test.h"

#define PATTERN		0xa5

/* --- The device alone ---------------------------------------------------- */

static void cfg_write(struct virtio_mmio *vm, unsigned int off, uint32_t v, unsigned int len)
{
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG + off, (uint8_t *)&v, len, true);
}

static struct balloon_dev_info dev_info(struct balloon_dev *b)
{
	struct balloon_dev_info i;

	balloon_dev_info(b, &i);
	return i;
}

START_TEST(test_balloon_actual_is_the_drivers)
{
	struct balloon_dev_config cfg = { 0 };
	struct guest_mem m;
	struct balloon_dev b;

	vt_mem_init(&m);
	ck_assert_int_eq(balloon_dev_init(&b, &cfg, &m, EBB_MMIO_BASE, 5, NULL, NULL), 0);
	balloon_dev_set_target(&b, 1000);
	ck_assert_uint_eq(dev_info(&b).num_pages, 1000);
	ck_assert_uint_eq(dev_info(&b).actual, 0);	/* the host's wish is not the guest's answer */
	cfg_write(&b.mmio, offsetof(struct virtio_balloon_config, num_pages), 5, 4);
	ck_assert_uint_eq(dev_info(&b).num_pages, 1000);	/* read-only for the driver */
	cfg_write(&b.mmio, offsetof(struct virtio_balloon_config, actual), 77, 1);
	ck_assert_uint_eq(dev_info(&b).actual, 0);	/* only as a whole le32 */
	cfg_write(&b.mmio, offsetof(struct virtio_balloon_config, actual), 600, 4);
	ck_assert_uint_eq(dev_info(&b).actual, 600);
	balloon_dev_set_target(&b, 10);
	ck_assert_uint_eq(dev_info(&b).actual, 600);
	balloon_dev_destroy(&b);
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(test_balloon_bad_pfn_rejected)
{
	struct balloon_dev_config cfg = { 0 };
	uint64_t page = VT_DATA + 0x10000, list = VT_DATA;
	uint32_t pfns[4] = {
		htole32((uint32_t)(page >> 12)), htole32(0xfffff),	/* 4 GiB - 4 KiB: no RAM */
		htole32((uint32_t)(page >> 12) + 1), htole32((uint32_t)(VT_MEM >> 12)),
	};
	struct guest_mem m;
	struct balloon_dev b;
	struct vt_irq irq = { 0 };
	uint64_t before;
	uint32_t id, len;

	vt_mem_init(&m);
	ck_assert_int_eq(balloon_dev_init(&b, &cfg, &m, EBB_MMIO_BASE, 5, vt_irq, &irq), 0);
	vt_negotiate(&b.mmio, (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BALLOON_F_MUST_TELL_HOST));
	vt_setup_queue(&b.mmio, 16);
	memset(vt_ptr(&m, page), PATTERN, 2 * 4096);
	memcpy(vt_ptr(&m, list), pfns, sizeof(pfns));
	vt_desc(&m, 0, list, sizeof(pfns), 0, 0);
	vt_avail(&m, 16, 0);
	memset(vt_ptr(&m, VT_USED), 0, 4096);	/* resident before we measure */
	before = guest_mem_resident(&m);
	balloon_dev_process(&b);

	ck_assert_uint_eq(vt_used_idx(&m), 1);
	vt_used(&m, 0, &id, &len);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(b.counters.inflated, 2);
	ck_assert_uint_eq(b.counters.rejected, 2);
	ck_assert_uint_eq(b.counters.discards, 1);	/* two contiguous pages, one range */
	ck_assert_uint_eq(before - guest_mem_resident(&m), 2 * 4096);
	for (int i = 0; i < 2 * 4096; i++)
		ck_assert_uint_eq(((uint8_t *)vt_ptr(&m, page))[i], 0);
	ck_assert_int_eq(irq.raises, 1);
	balloon_dev_destroy(&b);
	guest_mem_destroy(&m);
}
END_TEST

/* --- Driver and device through the loopback ---------------------------------- */

static struct loopback lb;

static void lb_start(const struct balloon_dev_config *cfg)
{
	mm_test_boot(1, 128 * MiB, 2);
	ck_assert_int_eq(loopback_create(&lb, cfg, &virtio_balloon_driver), 0);
}

static void lb_stop(void)
{
	balloon_remove();
	loopback_destroy(&lb);
}

/* Wait up to 10 s for the device to see actual == @pages. */
static void wait_actual(uint32_t pages)
{
	for (int i = 0; i < 10000 && dev_info(&lb.dev).actual != pages; i++)
		usleep(1000);
	ck_assert_uint_eq(dev_info(&lb.dev).actual, pages);
}

/* Make every free page resident and patterned, then free them again; how many. */
static unsigned long pattern_free_memory(struct list_head *keep)
{
	struct list_head pages = LIST_HEAD_INIT(pages);
	struct page *p, *n;
	unsigned long nr = 0;

	/* __GFP_HIGH: below the watermarks too, so what the balloon takes was resident. */
	while ((p = alloc_page(__GFP_HIGH | __GFP_MOVABLE | __GFP_NORETRY | __GFP_NOWARN))) {
		memset(page_address(p), PATTERN, PAGE_SIZE);
		list_add(&p->lru, &pages);
		nr++;
	}
	list_for_each_entry_safe(p, n, &pages, lru) {
		list_del(&p->lru);
		if (keep)
			list_add(&p->lru, keep);
		else
			__free_page(p);
	}
	return nr;
}

/* Pages that were patterned and read zero now: what the host discarded. */
static unsigned long zeroed_pages(void)
{
	unsigned long n = 0;

	for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
		const uint8_t *a = page_address(pfn_to_page(pfn));

		if (a[0] == 0 && a[PAGE_SIZE - 1] == 0 && page_count(pfn_to_page(pfn)) &&
		    page_movable_mapping(pfn_to_page(pfn)))
			n++;
	}
	return n;
}

START_TEST(test_balloon_inflate_deflate)
{
	struct balloon_dev_config cfg = { 0 };
	unsigned long free0, pages;
	uint64_t rss0, rss1;

	lb_start(&cfg);
	pattern_free_memory(NULL);
	free0 = mm_free_pages();
	rss0 = guest_mem_resident(&lb.mem);

	balloon_dev_set_target(&lb.dev, 8192);	/* 32 MiB */
	wait_actual(8192);
	ck_assert(balloon_snapshot(&pages, NULL));
	ck_assert_uint_eq(pages, 8192);
	rss1 = guest_mem_resident(&lb.mem);
	ck_assert_uint_eq(dev_info(&lb.dev).counters.inflated, 8192);
	ck_assert_uint_lt(dev_info(&lb.dev).counters.discards, 8192);	/* batched into ranges */
	/* The host really has the memory back: RSS fell by >= 95% of it. */
	ck_assert_uint_ge(rss0 - rss1, 8192ULL * 4096 * 95 / 100);
	ck_assert_uint_eq(zeroed_pages(), 8192);
	ck_assert_uint_ge(mm_free_pages() + 8192, free0 - 512);
	ck_assert_uint_eq(sum_vm_event(BALLOON_INFLATE), 8192);

	balloon_dev_set_target(&lb.dev, 1024);
	wait_actual(1024);
	ck_assert_uint_eq(dev_info(&lb.dev).counters.deflated, 7168);
	ck_assert_uint_eq(sum_vm_event(BALLOON_DEFLATE), 7168);
	balloon_dev_set_target(&lb.dev, 0);
	wait_actual(0);
	ck_assert_uint_ge(mm_free_pages(), free0 - 512);
	mm_assert_invariants();
	lb_stop();
}
END_TEST

START_TEST(test_balloon_stats)
{
	struct balloon_dev_config cfg = { .stats_interval_ms = 50 };
	struct balloon_dev_info i;

	lb_start(&cfg);
	balloon_dev_set_target(&lb.dev, 256);
	wait_actual(256);
	for (int t = 0; t < 5000 && dev_info(&lb.dev).counters.stats_updates < 3; t++)
		usleep(1000);
	i = dev_info(&lb.dev);
	ck_assert_uint_ge(i.counters.stats_updates, 3);
	ck_assert(i.features & (1ULL << VIRTIO_BALLOON_F_STATS_VQ));
	ck_assert(i.stats.linux_have & (1U << VIRTIO_BALLOON_S_MEMTOT));
	ck_assert_uint_eq(i.stats.linux_val[VIRTIO_BALLOON_S_MEMTOT], (uint64_t)totalram_pages() << 12);
	ck_assert_uint_gt(i.stats.linux_val[VIRTIO_BALLOON_S_MEMFREE], 0);
	ck_assert(i.stats.linux_have & (1U << VIRTIO_BALLOON_S_DIRECT_RECLAIM));
	ck_assert(i.stats.ebb_have & (1U << (EBB_BALLOON_S_INFL_BYTES - EBB_BALLOON_S_BASE)));
	ck_assert_uint_eq(i.stats.ebb_val[EBB_BALLOON_S_INFL_BYTES - EBB_BALLOON_S_BASE], 256 * 4096);
	ck_assert_str_eq(balloon_stat_name(VIRTIO_BALLOON_S_AVAIL), "available-memory");
	ck_assert_str_eq(balloon_stat_name(EBB_BALLOON_S_INFL_SHRINK), "infl-shrink");
	ck_assert(i.stats.ebb_have & (1U << (EBB_BALLOON_S_STALL_US - EBB_BALLOON_S_BASE)));
	lb_stop();
}
END_TEST

START_TEST(test_balloon_deflate_on_oom)
{
	struct balloon_dev_config cfg = { .deflate_on_oom = true };
	struct list_head got = LIST_HEAD_INIT(got);
	unsigned long pages, n = 0;
	struct page *p, *next;

	lb_start(&cfg);
	ck_assert_int_eq(balloon_write("backoff_ms 60000"), 0);
	balloon_dev_set_target(&lb.dev, (uint32_t)totalram_pages());
	/* Inflate until the balloon cannot get more (its first back-off). */
	for (int t = 0; t < 10000; t++) {
		struct balloon_inflation l;

		balloon_snapshot(&pages, &l);
		if (l.backoffs)
			break;
		usleep(1000);
	}
	ck_assert_uint_gt(pages, totalram_pages() / 2);
	/* A normal allocation now needs the balloon's pages: it gets them, nobody is killed. */
	while (n < 2048 && (p = alloc_page(GFP_KERNEL))) {
		list_add(&p->lru, &got);
		n++;
	}
	ck_assert_uint_eq(n, 2048);
	ck_assert_uint_gt(sum_vm_event(BALLOON_DEFLATE), 0);
	ck_assert_uint_eq(sum_vm_event(OOM_KILL), 0);
	list_for_each_entry_safe(p, next, &got, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
	balloon_dev_set_target(&lb.dev, 0);
	wait_actual(0);
	lb_stop();
}
END_TEST

static struct page *migrate_target(struct page *src, unsigned long private)
{
	return alloc_page(GFP_HIGHUSER_MOVABLE);
}

START_TEST(test_balloon_migrate)
{
	struct balloon_dev_config cfg = { 0 };
	struct list_head list = LIST_HEAD_INIT(list);
	unsigned int k = 0, moved = 0;
	unsigned long pages;

	lb_start(&cfg);
	balloon_dev_set_target(&lb.dev, 512);
	wait_actual(512);
	/* The balloon is the only owner of movable pages here. */
	for (unsigned long pfn = 0; pfn < max_pfn && k < 16; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (page_movable_candidate(page) && isolate_movable_page(page, MIGRATE_SYNC)) {
			list_add_tail(&page->lru, &list);
			k++;
		}
	}
	ck_assert_uint_eq(k, 16);
	ck_assert_int_eq(migrate_pages(&list, migrate_target, NULL, 0, MIGRATE_SYNC, &moved), 0);
	ck_assert_uint_eq(moved, 16);
	ck_assert(list_empty(&list));
	ck_assert_uint_eq(sum_vm_event(BALLOON_MIGRATE), 16);
	ck_assert(balloon_snapshot(&pages, NULL));
	ck_assert_uint_eq(pages, 512);
	ck_assert_uint_eq(dev_info(&lb.dev).counters.inflated, 512 + 16);
	ck_assert_uint_eq(dev_info(&lb.dev).counters.deflated, 16);
	ck_assert_uint_eq(dev_info(&lb.dev).actual, 512);
	compact_memory();		/* whatever it moves, the balloon keeps its size */
	ck_assert(balloon_snapshot(&pages, NULL));
	ck_assert_uint_eq(pages, 512);
	balloon_dev_set_target(&lb.dev, 0);
	wait_actual(0);
	mm_assert_invariants();
	lb_stop();
}
END_TEST

/* Run 0: reporting alone (queue 2); run 1: with stats too (queue 3, QEMU's layout). */
START_TEST(test_balloon_reporting)
{
	struct balloon_dev_config cfg = { .reporting = true, .stats_interval_ms = _i ? 50 : 0 };
	struct list_head held = LIST_HEAD_INIT(held);
	unsigned long free0, reported0, nr;
	struct page *p, *n;
	uint64_t rss0;

	lb_start(&cfg);
	ck_assert_int_eq(balloon_write("report_delay_ms 20"), 0);
	usleep(100000);		/* the first pass reports memory nobody touched yet */
	/*
	 * Touch all free memory and hold it, so it is resident; the counts
	 * start before it is freed: passes run while the frees go on.
	 */
	nr = pattern_free_memory(&held);
	free0 = mm_free_pages() + nr;
	rss0 = guest_mem_resident(&lb.mem);
	reported0 = dev_info(&lb.dev).counters.reported;
	list_for_each_entry_safe(p, n, &held, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
	drain_all_pages(NULL);	/* the per-CPU lists are not free memory reporting sees */
	for (int t = 0; t < 20000 && dev_info(&lb.dev).counters.reported - reported0 < nr / 2; t++)
		usleep(1000);
	/* Most of it went back to the host, and it is all free again. */
	ck_assert_uint_ge(dev_info(&lb.dev).counters.reported - reported0, nr / 2);
	ck_assert_uint_ge(rss0 - guest_mem_resident(&lb.mem), (uint64_t)nr * 4096 / 2);
	for (int t = 0; t < 1000 && mm_free_pages() < free0 - 64; t++)
		usleep(1000);
	ck_assert_uint_ge(mm_free_pages(), free0 - 64);
	if (_i)
		ck_assert_uint_gt(dev_info(&lb.dev).counters.stats_updates, 0);
	lb_stop();
}
END_TEST

/* A reclaimable cache whose shrinker frees everything it is asked to. */
static struct kmem_cache *cache;
static void **objs;
static unsigned long nr_objs;

static unsigned long cache_count(struct shrinker *s, struct shrink_control *sc)
{
	return nr_objs ? nr_objs : SHRINK_EMPTY;
}

static unsigned long cache_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long freed = 0;

	while (freed < sc->nr_to_scan && nr_objs) {
		kmem_cache_free(cache, objs[--nr_objs]);
		freed++;
	}
	return freed;
}

static struct shrinker cache_shrinker = {
	.count_objects = cache_count, .scan_objects = cache_scan, .seeks = DEFAULT_SEEKS,
};

START_TEST(test_balloon_shrinkers_first)
{
	struct balloon_dev_config cfg = { 0 };
	struct balloon_inflation l;
	unsigned long max_objs, target;

	lb_start(&cfg);
	cache = kmem_cache_create("balloon_test", 512, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	ck_assert_ptr_nonnull(cache);
	max_objs = mm_free_pages() * 8 * 3 / 4;	/* 3/4 of free memory in the cache */
	objs = calloc(max_objs, sizeof(*objs));
	while (nr_objs < max_objs && (objs[nr_objs] = kmem_cache_alloc(cache, GFP_KERNEL)))
		nr_objs++;
	ck_assert_int_eq(register_shrinker(&cache_shrinker, "balloon_test"), 0);
	/* Ask for more than is free: the cache must give way, not the LRU. */
	target = mm_free_pages() + nr_objs / 8 / 2;
	balloon_dev_set_target(&lb.dev, (uint32_t)target);
	wait_actual((uint32_t)target);
	ck_assert(balloon_snapshot(NULL, &l));
	ck_assert_uint_eq(l.pages, target);
	ck_assert_uint_gt(l.shrink, 0);
	ck_assert_uint_eq(l.reclaimed, 0);
	ck_assert_uint_eq(l.swapped, 0);
	ck_assert_uint_ge(l.nr_shrinkers, 1);
	for (unsigned int i = 0; i < l.nr_shrinkers; i++)
		if (!strcmp(l.shrinker[i].name, "balloon_test"))
			ck_assert_uint_gt(l.shrinker[i].pages, 0);
	ck_assert_uint_eq(l.from_free + l.shrink + l.reclaimed, l.pages);
	ck_assert_ptr_nonnull(strstr(mm_report(balloon_report), "shrinker balloon_test pages"));
	balloon_dev_set_target(&lb.dev, 0);
	wait_actual(0);
	unregister_shrinker(&cache_shrinker);
	lb_stop();
	free(objs);
}
END_TEST

static Suite *balloon_suite(void)
{
	Suite *s = suite_create("balloon");
	TCase *tc = tcase_create("device");

	tcase_add_test(tc, test_balloon_actual_is_the_drivers);
	tcase_add_test(tc, test_balloon_bad_pfn_rejected);
	suite_add_tcase(s, tc);
	tc = tcase_create("loopback");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_balloon_inflate_deflate);
	tcase_add_test(tc, test_balloon_stats);
	tcase_add_test(tc, test_balloon_deflate_on_oom);
	tcase_add_test(tc, test_balloon_migrate);
	tcase_add_loop_test(tc, test_balloon_reporting, 0, 2);
	tcase_add_test(tc, test_balloon_shrinkers_first);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(balloon_suite)
