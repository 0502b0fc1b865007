// SPDX-License-Identifier: MIT
/*
 * The descriptor-chain walker fed with good and hostile chains, and
 * virtio-blk requests end to end over a temporary file: a malformed chain
 * fails with the reason it was built with and marks the device
 * DEVICE_NEEDS_RESET; a well-formed but wrong request gets IOERR or UNSUPP;
 * the device serves again after a reset.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include <vmm/virtio/blk.h>

#include "unit.h"
#include "virtio_test.h"

#define QSZ	16
#define W	VRING_DESC_F_WRITE
#define N	VRING_DESC_F_NEXT

static struct guest_mem mem;
static struct virtq q;
static struct virtq_req req;

static void qsetup(void)
{
	vt_mem_init(&mem);
	virtq_reset(&q);
	q.size = QSZ;
	q.desc_gpa = VT_DESC;
	q.avail_gpa = VT_AVAIL;
	q.used_gpa = VT_USED;
	ck_assert_int_eq(virtq_enable(&q, &mem, 256), 0);
}

static void qteardown(void)
{
	guest_mem_destroy(&mem);
}

static enum virtq_error pop_err(void)
{
	enum virtq_error why = VIRTQ_OK;

	ck_assert_int_eq(virtq_pop(&q, &mem, &req, &why), -1);
	return why;
}

START_TEST(empty_ring)
{
	ck_assert_int_eq(virtq_pop(&q, &mem, &req, NULL), 0);
}
END_TEST

START_TEST(good_chain)
{
	vt_desc(&mem, 3, VT_DATA, 16, N, 7);
	vt_desc(&mem, 7, VT_DATA + 0x1000, 4096, N | W, 1);
	vt_desc(&mem, 1, VT_DATA + 0x3000, 1, W, 0);
	vt_avail(&mem, QSZ, 3);
	ck_assert_int_eq(virtq_pop(&q, &mem, &req, NULL), 1);
	ck_assert_uint_eq(req.head, 3);
	ck_assert_uint_eq(req.nr_out, 1);
	ck_assert_uint_eq(req.nr_in, 2);
	ck_assert_uint_eq(req.out_len, 16);
	ck_assert_uint_eq(req.in_len, 4097);
	ck_assert_ptr_eq(req.in[0].iov_base, vt_ptr(&mem, VT_DATA + 0x1000));
	ck_assert_int_eq(virtq_pop(&q, &mem, &req, NULL), 0);
	virtq_push(&q, 3, 4097);
	ck_assert_uint_eq(vt_used_idx(&mem), 1);
	uint32_t id, len;
	vt_used(&mem, 0, &id, &len);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(len, 4097);
}
END_TEST

START_TEST(buffer_across_nodes_is_split)
{
	/* Node 0 ends at 8 MiB: one descriptor, two host segments. */
	vt_desc(&mem, 0, VT_MEM / 2 - 100, 200, W, 0);
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(virtq_pop(&q, &mem, &req, NULL), 1);
	ck_assert_uint_eq(req.nr_in, 2);
	ck_assert_uint_eq(req.in[0].iov_len, 100);
	ck_assert_uint_eq(req.in[1].iov_len, 100);
	ck_assert_ptr_eq(req.in[1].iov_base, vt_ptr(&mem, VT_MEM / 2));
}
END_TEST

START_TEST(hostile_loop)
{
	vt_desc(&mem, 0, VT_DATA, 8, N, 1);
	vt_desc(&mem, 1, VT_DATA, 8, N, 0);	/* 0 -> 1 -> 0 ... */
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_ELOOP);
}
END_TEST

START_TEST(hostile_self_loop)
{
	vt_desc(&mem, 5, VT_DATA, 8, N, 5);
	vt_avail(&mem, QSZ, 5);
	ck_assert_int_eq(pop_err(), VIRTQ_ELOOP);
}
END_TEST

START_TEST(hostile_head_and_next)
{
	vt_avail(&mem, QSZ, QSZ);		/* head == size */
	ck_assert_int_eq(pop_err(), VIRTQ_EHEAD);
	qteardown();
	qsetup();
	vt_desc(&mem, 0, VT_DATA, 8, N, 0xffff);
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_ENEXT);
}
END_TEST

START_TEST(hostile_avail_idx)
{
	struct vring_avail *a = vt_ptr(&mem, VT_AVAIL);

	a->idx = QSZ + 1;			/* more than the ring can hold */
	ck_assert_int_eq(pop_err(), VIRTQ_EHEAD);
}
END_TEST

START_TEST(hostile_addresses)
{
	static const uint64_t addrs[] = {
		VT_MEM, VT_MEM - 4, 0xd0000000, 0xfffffffffffffff0ULL, 1ULL << 40,
	};

	for (unsigned int i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		qteardown();
		qsetup();
		vt_desc(&mem, 0, addrs[i], 16, W, 0);
		vt_avail(&mem, QSZ, 0);
		ck_assert_msg(pop_err() == VIRTQ_EADDR, "address 0x%llx",
			      (unsigned long long)addrs[i]);
	}
}
END_TEST

START_TEST(hostile_lengths)
{
	vt_desc(&mem, 0, VT_DATA, 0, W, 0);
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_ELEN);
	qteardown();
	qsetup();
	vt_desc(&mem, 0, VT_DATA, 0xffffffff, 0, 0);
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_ELEN);
	qteardown();
	qsetup();
	vt_desc(&mem, 0, VT_DATA, VT_MEM, 0, 0);	/* all of RAM and more */
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_EADDR);
}
END_TEST

START_TEST(hostile_direction_and_indirect)
{
	vt_desc(&mem, 0, VT_DATA, 16, N | W, 1);
	vt_desc(&mem, 1, VT_DATA + 16, 16, 0, 0);	/* readable after writable */
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_EORDER);
	qteardown();
	qsetup();
	vt_desc(&mem, 0, VT_DATA, 16, VRING_DESC_F_INDIRECT, 0);
	vt_avail(&mem, QSZ, 0);
	ck_assert_int_eq(pop_err(), VIRTQ_EINDIRECT);
}
END_TEST

START_TEST(random_garbage_never_crashes)
{
	/* Random tables and indices: every pop either succeeds within RAM or fails. */
	srand(7);
	for (int round = 0; round < 2000; round++) {
		struct vring_desc *d = vt_ptr(&mem, VT_DESC);
		struct vring_avail *a = vt_ptr(&mem, VT_AVAIL);

		for (int i = 0; i < QSZ; i++) {
			d[i].addr = (rand() & 1) ? (uint64_t)rand() % VT_MEM : ((uint64_t)rand() << 20);
			d[i].len = (rand() & 3) ? (uint32_t)rand() % 8192 : (uint32_t)rand();
			d[i].flags = (uint16_t)(rand() & 7);
			d[i].next = (uint16_t)(rand() % (QSZ + 2));
			a->ring[i] = (uint16_t)(rand() % (QSZ + 1));
		}
		a->idx = (uint16_t)(q.last_avail + 1);
		if (virtq_pop(&q, &mem, &req, NULL) < 0)
			q.last_avail = a->idx;	/* skip it, as a reset would */
		for (unsigned int i = 0; i < req.nr_in; i++)
			memset(req.in[i].iov_base, 0, req.in[i].iov_len);
	}
}
END_TEST

/* virtio-blk over a temporary file. */
static struct virtio_blk blk;
static struct vt_irq irq;
static char path[] = "/tmp/ebb-virtio-blk-test.XXXXXX";
static int fd;

static void bsetup(void)
{
	vt_mem_init(&mem);
	memset(&irq, 0, sizeof(irq));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	ck_assert_int_eq(virtio_blk_init(&blk, fd, 1 << 20, "swap0", &mem, 0xd0000000, 5,
					 vt_irq, &irq), 0);
	vt_negotiate(&blk.mmio, (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_FLUSH));
	vt_setup_queue(&blk.mmio, QSZ);
}

static void bteardown(void)
{
	virtio_blk_destroy(&blk);
	close(fd);
	unlink(path);
	strcpy(path, "/tmp/ebb-virtio-blk-test.XXXXXX");
	guest_mem_destroy(&mem);
}

#define HDR	(VT_DATA)
#define BUF	(VT_DATA + 0x1000)
#define STATUS	(VT_DATA + 0x800)

/* Queue one request: header, optional data, status; process; return status. */
static uint8_t blk_req(uint32_t type, uint64_t sector, uint32_t len, bool data_write)
{
	struct virtio_blk_outhdr *h = vt_ptr(&mem, HDR);
	uint8_t *st = vt_ptr(&mem, STATUS);
	uint16_t used0 = vt_used_idx(&mem);

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	*st = 0xee;
	if (len) {
		vt_desc(&mem, 0, HDR, sizeof(*h), N, 1);
		vt_desc(&mem, 1, BUF, len, (uint16_t)(N | (data_write ? W : 0)), 2);
		vt_desc(&mem, 2, STATUS, 1, W, 0);
	} else {
		vt_desc(&mem, 0, HDR, sizeof(*h), N, 2);
		vt_desc(&mem, 2, STATUS, 1, W, 0);
	}
	vt_avail(&mem, QSZ, 0);
	virtio_blk_process(&blk);
	ck_assert_uint_eq(vt_used_idx(&mem), (uint16_t)(used0 + 1));
	return *st;
}

START_TEST(blk_write_read_back)
{
	uint8_t *buf = vt_ptr(&mem, BUF);
	uint8_t disk[4096];
	uint32_t id, len;

	for (int i = 0; i < 4096; i++)
		buf[i] = (uint8_t)(i * 7);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_OUT, 8, 4096, false), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(pread(fd, disk, sizeof(disk), 8 * 512), 4096);
	ck_assert_int_eq(memcmp(disk, buf, 4096), 0);
	memset(buf, 0, 4096);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 8, 4096, true), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(disk, buf, 4096), 0);
	vt_used(&mem, 1, &id, &len);
	ck_assert_uint_eq(len, 4097);		/* data + status */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk.stats.reads, 1);
	ck_assert_uint_eq(blk.stats.writes, 1);
	ck_assert_uint_eq(blk.stats.flushes, 1);
}
END_TEST

START_TEST(blk_get_id_and_unsupported)
{
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true),
			  VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(vt_ptr(&mem, BUF), "swap0", 6), 0);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_DISCARD, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
}
END_TEST

START_TEST(blk_bad_requests_ioerr)
{
	/* Past the end, straddling the end, partial sector, wrong direction. */
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 2048, 512, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 2047, 1024, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_OUT, ~0ULL, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_OUT, 0, 100, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 0, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_OUT, 0, 512, true), VIRTIO_BLK_S_IOERR);
	/* Still serving. */
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 2040, 4096, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk.stats.io_errors, 6);
	ck_assert(!(vt_rd(&blk.mmio, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET));
}
END_TEST

START_TEST(blk_io_error)
{
	/* A backing fd that fails every pread/pwrite: IOERR, not a crash. */
	int bad = blk.fd;

	blk.fd = -1;
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_OUT, 0, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_IOERR);
	blk.fd = bad;
}
END_TEST

START_TEST(blk_malformed_chain_needs_reset)
{
	struct virtio_mmio *vm = &blk.mmio;

	vt_desc(&mem, 0, HDR, 16, N, 0);	/* a loop */
	vt_avail(&mem, QSZ, 0);
	virtio_blk_process(&blk);
	ck_assert(vt_rd(vm, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(vt_rd(vm, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(vt_used_idx(&mem), 0);
	/* Nothing more is served until the driver resets the device. */
	vt_desc(&mem, 0, HDR, 16, N, 2);
	vt_desc(&mem, 2, STATUS, 1, W, 0);
	vt_avail(&mem, QSZ, 0);
	virtio_blk_process(&blk);
	ck_assert_uint_eq(vt_used_idx(&mem), 0);
	/* Reset, set up again (fresh rings), and it serves. */
	memset(vt_ptr(&mem, VT_AVAIL), 0, 4096);
	memset(vt_ptr(&mem, VT_USED), 0, 4096);
	vt_negotiate(vm, 1ULL << VIRTIO_F_VERSION_1);
	vt_setup_queue(vm, QSZ);
	ck_assert_uint_eq(blk_req(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(blk_no_status_byte_needs_reset)
{
	vt_desc(&mem, 0, HDR, 16, 0, 0);	/* header only: nowhere to answer */
	vt_avail(&mem, QSZ, 0);
	virtio_blk_process(&blk);
	ck_assert(vt_rd(&blk.mmio, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}
END_TEST

static Suite *virtio_queue_suite(void)
{
	Suite *s = suite_create("virtio_queue");
	TCase *t = tcase_create("chains");
	TCase *b = tcase_create("blk");

	tcase_add_checked_fixture(t, qsetup, qteardown);
	tcase_add_test(t, empty_ring);
	tcase_add_test(t, good_chain);
	tcase_add_test(t, buffer_across_nodes_is_split);
	tcase_add_test(t, hostile_loop);
	tcase_add_test(t, hostile_self_loop);
	tcase_add_test(t, hostile_head_and_next);
	tcase_add_test(t, hostile_avail_idx);
	tcase_add_test(t, hostile_addresses);
	tcase_add_test(t, hostile_lengths);
	tcase_add_test(t, hostile_direction_and_indirect);
	tcase_add_test(t, random_garbage_never_crashes);
	suite_add_tcase(s, t);

	tcase_add_checked_fixture(b, bsetup, bteardown);
	tcase_add_test(b, blk_write_read_back);
	tcase_add_test(b, blk_get_id_and_unsupported);
	tcase_add_test(b, blk_bad_requests_ioerr);
	tcase_add_test(b, blk_io_error);
	tcase_add_test(b, blk_malformed_chain_needs_reset);
	tcase_add_test(b, blk_no_status_byte_needs_reset);
	suite_add_tcase(s, b);
	return s;
}
UNIT_SUITE(virtio_queue_suite)
