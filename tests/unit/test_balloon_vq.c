// SPDX-License-Identifier: MIT
/*
 * virtio-balloon queue numbering (include/balloon/balloon.h): queues are
 * numbered over the ones whose feature was negotiated, as Linux's
 * virtio-mmio find_vqs() and QEMU's device do, so reporting is queue 3
 * with STATS_VQ and queue 2 without.  First the mapping itself, then the
 * device serving each role on the index the mapping gives it.
 */
#include <endian.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include <vmm/virtio/balloon.h>

#include "unit.h"
#include "virtio_test.h"

#define F(bit)		(1ULL << VIRTIO_BALLOON_F_##bit)

START_TEST(test_balloon_vq_mapping)
{
	static const struct {
		uint64_t features;
		int index[BALLOON_NR_VQS];	/* by role; -1: no queue */
	} cases[] = {
		{ 0, { 0, 1, -1, -1, -1 } },
		{ F(MUST_TELL_HOST) | F(DEFLATE_ON_OOM), { 0, 1, -1, -1, -1 } },
		{ F(STATS_VQ), { 0, 1, 2, -1, -1 } },
		{ F(REPORTING), { 0, 1, -1, -1, 2 } },		/* reporting without stats */
		{ F(STATS_VQ) | F(REPORTING), { 0, 1, 2, -1, 3 } },	/* QEMU's layout */
		{ F(FREE_PAGE_HINT) | F(REPORTING), { 0, 1, -1, 2, 3 } },
		{ F(STATS_VQ) | F(FREE_PAGE_HINT) | F(REPORTING), { 0, 1, 2, 3, 4 } },
	};

	for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned int nr = 0;

		for (int r = 0; r < BALLOON_NR_VQS; r++) {
			int idx = balloon_vq_index((enum balloon_vq)r, cases[c].features);

			ck_assert_msg(idx == cases[c].index[r], "case %u role %d: index %d, want %d",
				      c, r, idx, cases[c].index[r]);
			if (idx >= 0) {
				/* The two directions agree. */
				ck_assert_int_eq(balloon_vq_role((unsigned int)idx, cases[c].features), r);
				nr++;
			}
		}
		/* Past the last queue there is no role. */
		ck_assert_int_eq(balloon_vq_role(nr, cases[c].features), BALLOON_NR_VQS);
	}
}
END_TEST

/* Queue @q of @size at the VT_* rings, made ready (the transport's QueueSel). */
static void queue_ready(struct virtio_mmio *vm, unsigned int q, uint16_t size)
{
	vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_ge(vt_rd(vm, VIRTIO_MMIO_QUEUE_NUM_MAX), size);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_NUM, size);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)VT_DESC);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)VT_AVAIL);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)VT_USED);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* ... and the driver ready (DRIVER_OK). */
static void setup_queue(struct virtio_mmio *vm, unsigned int q, uint16_t size)
{
	queue_ready(vm, q, size);
	vt_wr(vm, VIRTIO_MMIO_STATUS, vt_rd(vm, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
}

static unsigned int queues_offered(struct virtio_mmio *vm)
{
	unsigned int q = 0;

	for (;; q++) {
		vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, q);
		if (!vt_rd(vm, VIRTIO_MMIO_QUEUE_NUM_MAX))
			return q;
	}
}

/*
 * A device offering @cfg, a driver negotiating @features: one 4 KiB
 * buffer (device-writable for reporting, a PFN list otherwise) on queue
 * @q.  Returns the device's counters after serving it.
 */
static struct balloon_dev_counters serve_one(const struct balloon_dev_config *cfg,
					     uint64_t features, unsigned int q,
					     unsigned int want_queues)
{
	uint64_t page = VT_DATA + 0x10000, list = VT_DATA;
	uint32_t pfn = htole32((uint32_t)(page >> 12));
	struct balloon_dev_counters c;
	struct guest_mem m;
	struct balloon_dev b;
	struct vt_irq irq = { 0 };
	bool report = balloon_vq_role(q, features) == BALLOON_VQ_REPORTING;

	vt_mem_init(&m);
	ck_assert_int_eq(balloon_dev_init(&b, cfg, &m, EBB_MMIO_BASE, 5, vt_irq, &irq), 0);
	ck_assert_uint_eq(queues_offered(&b.mmio), want_queues);
	ck_assert(vt_negotiate(&b.mmio, (1ULL << VIRTIO_F_VERSION_1) | features) &
		  VIRTIO_CONFIG_S_FEATURES_OK);
	setup_queue(&b.mmio, q, 16);
	memcpy(vt_ptr(&m, list), &pfn, sizeof(pfn));
	if (report)
		vt_desc(&m, 0, page, 4096, VRING_DESC_F_WRITE, 0);
	else
		vt_desc(&m, 0, list, sizeof(pfn), 0, 0);
	vt_avail(&m, 16, 0);
	balloon_dev_process(&b);
	/* The device keeps a stats buffer until it wants fresh figures. */
	ck_assert_uint_eq(vt_used_idx(&m), balloon_vq_role(q, features) != BALLOON_VQ_STATS);
	c = b.counters;
	balloon_dev_destroy(&b);
	guest_mem_destroy(&m);
	return c;
}

START_TEST(test_balloon_vq_reporting_without_stats)
{
	struct balloon_dev_config cfg = { .reporting = true };
	struct balloon_dev_counters c;

	/* Inflate, deflate, reporting: three queues, reporting is 2. */
	c = serve_one(&cfg, F(REPORTING), 2, 3);
	ck_assert_uint_eq(c.reported, 1);
	ck_assert_uint_eq(c.inflated, 0);
	c = serve_one(&cfg, F(REPORTING), 0, 3);
	ck_assert_uint_eq(c.inflated, 1);
	ck_assert_uint_eq(c.reported, 0);
}
END_TEST

START_TEST(test_balloon_vq_reporting_after_stats)
{
	struct balloon_dev_config cfg = { .reporting = true, .stats_interval_ms = 1000 };
	struct balloon_dev_counters c;

	/* With STATS_VQ, QEMU's layout: stats 2, reporting 3. */
	c = serve_one(&cfg, F(STATS_VQ) | F(REPORTING), 3, 4);
	ck_assert_uint_eq(c.reported, 1);
	ck_assert_uint_eq(c.stats_updates, 0);
	c = serve_one(&cfg, F(STATS_VQ) | F(REPORTING), 2, 4);
	ck_assert_uint_eq(c.stats_updates, 1);
	ck_assert_uint_eq(c.reported, 0);
	/* A driver that leaves stats out numbers reporting 2, and the device follows. */
	c = serve_one(&cfg, F(REPORTING), 2, 4);
	ck_assert_uint_eq(c.reported, 1);
	ck_assert_uint_eq(c.stats_updates, 0);
	/* Deflate stays queue 1 whatever was negotiated. */
	c = serve_one(&cfg, F(STATS_VQ) | F(REPORTING), 1, 4);
	ck_assert_uint_eq(c.deflated, 1);
}
END_TEST

/* The device's stats_updates counter, read as the control socket reads it. */
static uint64_t stats_updates(struct balloon_dev *b)
{
	struct balloon_dev_info i;

	balloon_dev_info(b, &i);
	return i.counters.stats_updates;
}

/*
 * A driver primes the stats queue in its probe and kicks it before it
 * sets DRIVER_OK.  The kick is dropped (3.1.1), but the buffer must be
 * served once DRIVER_OK comes: nothing else would ever kick that queue,
 * and a VM without stats is one the ebb policy never shrinks (the
 * overcommit experiment's idle VM that stayed at 512 MiB).
 */
START_TEST(test_balloon_vq_stats_kicked_before_driver_ok)
{
	struct balloon_dev_config cfg = { .stats_interval_ms = 1000 };
	struct virtio_balloon_stat st = {
		.tag = htole16(VIRTIO_BALLOON_S_MEMFREE), .val = htole64(123ULL << 20),
	};
	struct balloon_dev_info info;
	struct vt_irq irq = { 0 };
	struct guest_mem m;
	struct balloon_dev b;
	int waited_ms = 0;

	vt_mem_init(&m);
	ck_assert_int_eq(balloon_dev_init(&b, &cfg, &m, EBB_MMIO_BASE, 5, vt_irq, &irq), 0);
	ck_assert_int_eq(balloon_dev_start(&b), 0);
	ck_assert(vt_negotiate(&b.mmio, (1ULL << VIRTIO_F_VERSION_1) | F(STATS_VQ)) &
		  VIRTIO_CONFIG_S_FEATURES_OK);
	queue_ready(&b.mmio, 2, 16);
	memcpy(vt_ptr(&m, VT_DATA), &st, sizeof(st));
	vt_desc(&m, 0, VT_DATA, sizeof(st), 0, 0);
	vt_avail(&m, 16, 0);
	vt_wr(&b.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	/* Not served yet: the device does not touch a queue before DRIVER_OK. */
	usleep(50000);
	ck_assert_uint_eq(stats_updates(&b), 0);
	vt_wr(&b.mmio, VIRTIO_MMIO_STATUS,
	      vt_rd(&b.mmio, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
	/* The worker serves it with no further kick. */
	while (stats_updates(&b) == 0 && waited_ms < 5000) {
		usleep(10000);
		waited_ms += 10;
	}
	balloon_dev_info(&b, &info);
	ck_assert_msg(info.counters.stats_updates == 1,
		      "stats buffer kicked before DRIVER_OK: %llu updates after %d ms",
		      (unsigned long long)info.counters.stats_updates, waited_ms);
	ck_assert_uint_eq(info.stats.linux_val[VIRTIO_BALLOON_S_MEMFREE], 123ULL << 20);
	/* Held, not returned: the guest gets it back when fresh figures are due. */
	ck_assert_uint_eq(vt_used_idx(&m), 0);
	balloon_dev_destroy(&b);
	guest_mem_destroy(&m);
}
END_TEST

START_TEST(test_balloon_vq_reporting_order_option)
{
	struct balloon_dev_config cfg;
	char err[256];

	ck_assert_int_eq(balloon_parse_opts("reporting", &cfg, err, sizeof(err)), 0);
	ck_assert(cfg.reporting);
	ck_assert_uint_eq(cfg.report_order, 0);		/* the guest's default */
	ck_assert_int_eq(balloon_parse_opts("stats=2,reporting=5", &cfg, err, sizeof(err)), 0);
	ck_assert(cfg.reporting);
	ck_assert_uint_eq(cfg.report_order, 5);
	ck_assert_uint_eq(cfg.stats_interval_ms, 2000);
	ck_assert_int_eq(balloon_parse_opts("reporting=10", &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(balloon_parse_opts("reporting=0", &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "reporting=ORDER"));
	ck_assert_int_eq(balloon_parse_opts("reporting=11", &cfg, err, sizeof(err)), -1);
	ck_assert_int_eq(balloon_parse_opts("reporting=x", &cfg, err, sizeof(err)), -1);
	ck_assert_int_eq(balloon_parse_opts("reporting=", &cfg, err, sizeof(err)), -1);
}
END_TEST

static Suite *balloon_vq_suite(void)
{
	Suite *s = suite_create("balloon_vq");
	TCase *tc = tcase_create("numbering");

	tcase_add_test(tc, test_balloon_vq_mapping);
	tcase_add_test(tc, test_balloon_vq_reporting_without_stats);
	tcase_add_test(tc, test_balloon_vq_reporting_after_stats);
	tcase_add_test(tc, test_balloon_vq_reporting_order_option);
	tcase_add_test(tc, test_balloon_vq_stats_kicked_before_driver_ok);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(balloon_vq_suite)
