// SPDX-License-Identifier: MIT
/*
 * The virtio-mmio transport against virtio 1.2, 4.2.2: identification
 * registers, feature negotiation (VERSION_1 required, no unoffered bits),
 * the status state machine, queue set-up rules, interrupts and their
 * acknowledgement, config space and its generation, reset.
 */
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#include <vmm/virtio/blk.h>

#include "unit.h"
#include "virtio_test.h"

static struct guest_mem mem;
static struct virtio_blk blk;
static struct vt_irq irq;
static struct virtio_mmio *vm;

#define S_ACK	VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV	VIRTIO_CONFIG_S_DRIVER
#define S_FOK	VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK	VIRTIO_CONFIG_S_DRIVER_OK
#define F_V1	(1ULL << VIRTIO_F_VERSION_1)

static void setup(void)
{
	vt_mem_init(&mem);
	memset(&irq, 0, sizeof(irq));
	ck_assert_int_eq(virtio_blk_init(&blk, -1, 64 << 20, "ebb-test", &mem, 0xd0000000, 5,
					 vt_irq, &irq), 0);
	vm = &blk.mmio;
}

static void teardown(void)
{
	virtio_blk_destroy(&blk);
	guest_mem_destroy(&mem);
}

START_TEST(identification)
{
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS), 0);
	/* Narrow or unaligned register accesses mean nothing: read 0. */
	uint16_t v = 0xffff;
	virtio_mmio_io(vm, VIRTIO_MMIO_MAGIC_VALUE, (uint8_t *)&v, 2, false);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(device_features)
{
	uint64_t f;

	vt_wr(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = vt_rd(vm, VIRTIO_MMIO_DEVICE_FEATURES);
	vt_wr(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)vt_rd(vm, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	ck_assert(f & F_V1);
	ck_assert(f & (1ULL << VIRTIO_BLK_F_SEG_MAX));
	ck_assert(f & (1ULL << VIRTIO_BLK_F_BLK_SIZE));
	ck_assert(f & (1ULL << VIRTIO_BLK_F_FLUSH));
	ck_assert(!(f & (1ULL << VIRTIO_F_RING_PACKED)));
	vt_wr(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}
END_TEST

START_TEST(features_ok_needs_version_1)
{
	/* A legacy driver (no VERSION_1) is refused: FEATURES_OK does not stick. */
	ck_assert_uint_eq(vt_negotiate(vm, 1ULL << VIRTIO_BLK_F_FLUSH), S_ACK | S_DRV);
	/* Nor may a driver accept what was not offered. */
	ck_assert_uint_eq(vt_negotiate(vm, F_V1 | (1ULL << VIRTIO_F_RING_PACKED)), S_ACK | S_DRV);
	ck_assert_uint_eq(vt_negotiate(vm, F_V1 | (1ULL << VIRTIO_BLK_F_FLUSH)),
			  S_ACK | S_DRV | S_FOK);
	ck_assert(virtio_mmio_has(vm, VIRTIO_BLK_F_FLUSH));
	/* After FEATURES_OK the driver features are frozen. */
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert(virtio_mmio_has(vm, VIRTIO_BLK_F_FLUSH));
}
END_TEST

START_TEST(features_before_driver_ignored)
{
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES, 1);	/* VERSION_1, but too early */
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
}
END_TEST

START_TEST(driver_ok_without_features_ok)
{
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRV | VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Only a reset clears it. */
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK);
	ck_assert(vt_rd(vm, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	vt_wr(vm, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(status_bits_accumulate)
{
	vt_negotiate(vm, F_V1);
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK);	/* cannot clear DRIVER, FEATURES_OK */
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	vt_wr(vm, VIRTIO_MMIO_STATUS, S_ACK | VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(!(vt_rd(vm, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET));
}
END_TEST

START_TEST(queue_setup)
{
	vt_negotiate(vm, F_V1);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_SIZE);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_QUEUE_READY), 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, 1);	/* blk has one queue */
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	vt_setup_queue(vm, 64);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK | S_DOK);
	/* A ready queue's registers do not change. */
	vt_wr(vm, VIRTIO_MMIO_QUEUE_NUM, 32);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x40000);
	ck_assert_uint_eq(vm->vq[0].size, 64);
	ck_assert_uint_eq(vm->vq[0].desc_gpa, VT_DESC);
	ck_assert(virtio_mmio_queue_live(vm, 0));
}
END_TEST

START_TEST(queue_bad_size_or_rings)
{
	static const struct { uint32_t num; uint64_t desc; } bad[] = {
		{ 0, VT_DESC }, { 48, VT_DESC }, { 256, VT_DESC },	/* zero, not 2^n, > max */
		{ 64, VT_DESC + 8 },					/* misaligned */
		{ 64, VT_MEM - 512 },					/* runs off RAM */
		{ 64, 0xd0000000 },					/* MMIO, not RAM */
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vt_negotiate(vm, F_V1);
		vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, 0);
		vt_wr(vm, VIRTIO_MMIO_QUEUE_NUM, bad[i].num);
		vt_wr(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)bad[i].desc);
		vt_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)VT_AVAIL);
		vt_wr(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)VT_USED);
		vt_wr(vm, VIRTIO_MMIO_QUEUE_READY, 1);
		ck_assert_msg(vt_rd(vm, VIRTIO_MMIO_QUEUE_READY) == 0, "case %u", i);
		ck_assert_msg(vt_rd(vm, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET,
			      "case %u", i);
	}
}
END_TEST

START_TEST(config_space)
{
	uint64_t cap = 0;
	uint32_t bs = 0, gen;
	uint8_t b = 0xaa;
	uint32_t past = 0xdeadbeef;

	gen = vt_rd(vm, VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_blk_config, capacity),
		       (uint8_t *)&cap, 8, false);
	ck_assert_uint_eq(cap, (64 << 20) / 512);
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_blk_config, blk_size),
		       (uint8_t *)&bs, 4, false);
	ck_assert_uint_eq(bs, 4096);
	/* Byte reads work; beyond the config reads 0; writes to read-only config vanish. */
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG + 1, &b, 1, false);
	ck_assert_uint_eq(b, (((64 << 20) / 512) >> 8) & 0xff);
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG + sizeof(struct virtio_blk_config) - 2,
		       (uint8_t *)&past, 4, false);
	ck_assert_uint_eq(past, 0);
	cap = 1;
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG, (uint8_t *)&cap, 8, true);
	virtio_mmio_io(vm, VIRTIO_MMIO_CONFIG, (uint8_t *)&cap, 8, false);
	ck_assert_uint_eq(cap, (64 << 20) / 512);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_CONFIG_GENERATION), gen);

	/* A config change after DRIVER_OK bumps the generation and interrupts. */
	vt_negotiate(vm, F_V1);
	vt_setup_queue(vm, 16);
	pthread_mutex_lock(&vm->lock);
	virtio_mmio_config_changed(vm);
	pthread_mutex_unlock(&vm->lock);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);
}
END_TEST

START_TEST(interrupt_ack_and_level)
{
	vt_negotiate(vm, F_V1);
	vt_setup_queue(vm, 16);
	pthread_mutex_lock(&vm->lock);
	virtio_mmio_signal_used(vm, 0);
	virtio_mmio_config_changed(vm);
	pthread_mutex_unlock(&vm->lock);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_int_eq(irq.raises, 1);	/* level: one rise while anything is pending */
	vt_wr(vm, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_int_eq(irq.level, 1);
	vt_wr(vm, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}
END_TEST

START_TEST(reset_clears_everything)
{
	vt_negotiate(vm, F_V1);
	vt_setup_queue(vm, 16);
	pthread_mutex_lock(&vm->lock);
	virtio_mmio_signal_used(vm, 0);
	pthread_mutex_unlock(&vm->lock);
	vt_wr(vm, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(irq.level, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(vt_rd(vm, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(!virtio_mmio_has(vm, VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(vm->vq[0].size, 0);
}
END_TEST

START_TEST(notify_only_when_live)
{
	uint64_t v;

	/* Before DRIVER_OK a notify is ignored; after, it wakes the device thread. */
	vt_negotiate(vm, F_V1);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_lt(read(blk.worker.kick_fd, &v, sizeof(v)), 0);
	/* DRIVER_OK itself wakes it once, for buffers made available before. */
	vt_setup_queue(vm, 16);
	ck_assert_int_eq(read(blk.worker.kick_fd, &v, sizeof(v)), sizeof(v));
	ck_assert_int_lt(read(blk.worker.kick_fd, &v, sizeof(v)), 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_NOTIFY, 7);	/* no such queue */
	ck_assert_int_lt(read(blk.worker.kick_fd, &v, sizeof(v)), 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(read(blk.worker.kick_fd, &v, sizeof(v)), sizeof(v));
}
END_TEST

static Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *t = tcase_create("registers");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, identification);
	tcase_add_test(t, device_features);
	tcase_add_test(t, features_ok_needs_version_1);
	tcase_add_test(t, features_before_driver_ignored);
	tcase_add_test(t, driver_ok_without_features_ok);
	tcase_add_test(t, status_bits_accumulate);
	tcase_add_test(t, queue_setup);
	tcase_add_test(t, queue_bad_size_or_rings);
	tcase_add_test(t, config_space);
	tcase_add_test(t, interrupt_ack_and_level);
	tcase_add_test(t, reset_clears_everything);
	tcase_add_test(t, notify_only_when_live);
	suite_add_tcase(s, t);
	return s;
}
UNIT_SUITE(virtio_mmio_suite)
