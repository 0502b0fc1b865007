// SPDX-License-Identifier: MIT
/*
 * Bugs the fuzz targets found (tests/fuzz/, docs/fuzzing.md), each as a
 * plain unit test beside the crashing input kept in
 * tests/fuzz/regressions/TARGET/.
 */
#include <endian.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include <vmm/memory.h>
#include <vmm/monitor.h>
#include <vmm/qemu_balloon.h>
#include <vmm/qmp.h>
#include <vmm/virtio/balloon.h>

#include "unit.h"
#include "virtio_test.h"

#define PG	4096ULL

/*
 * balloon_pfn: an inflate of the last page of node 0 and the first of
 * node 1, whose mappings lie back to back in host memory.  The device
 * merged them into one host range, which discard() then found inside no
 * node: neither page went back to the host and both counted as rejected.
 */
START_TEST(test_fuzz_balloon_inflate_across_adjacent_nodes)
{
	uint8_t *ram = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_mem m = { 0 };
	struct balloon_dev dev;
	struct balloon_dev_config cfg = { 0 };
	struct balloon_dev_info info;
	struct vring_desc *d;
	struct vring_avail *a;
	uint32_t pfns[2] = { htole32(1), htole32(2) };

	ck_assert_ptr_ne(ram, MAP_FAILED);
	m.layout.mem_size = 4 * PG;
	m.layout.nr_nodes = 2;
	m.layout.node_size[0] = m.layout.node_size[1] = 2 * PG;
	m.layout.nr_ranges = 2;
	m.layout.ranges[0] = (struct ebb_range){ 0, 2 * PG, 0, 0 };
	m.layout.ranges[1] = (struct ebb_range){ 2 * PG, 2 * PG, 1, 0 };
	m.node[0] = (struct guest_node_mem){ -1, ram, 2 * PG };
	m.node[1] = (struct guest_node_mem){ -1, ram + 2 * PG, 2 * PG };	/* right after node 0 */
	for (unsigned int n = 2; n < EBB_MAX_NODES; n++)
		m.node[n].fd = -1;
	memset(ram + PG, 0xaa, 2 * PG);		/* pages 1 and 2: to be inflated */

	ck_assert_int_eq(balloon_dev_init(&dev, &cfg, &m, EBB_MMIO_BASE, EBB_VIRTIO_IRQ_BASE,
					  NULL, NULL), 0);
	vt_negotiate(&dev.mmio, 1ULL << VIRTIO_F_VERSION_1);
	/* Page 0: descriptors at 0, available ring at 0x400, used ring at 0x800. */
	vt_wr(&dev.mmio, VIRTIO_MMIO_QUEUE_SEL, 0);
	vt_wr(&dev.mmio, VIRTIO_MMIO_QUEUE_NUM, 8);
	vt_wr(&dev.mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	vt_wr(&dev.mmio, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x400);
	vt_wr(&dev.mmio, VIRTIO_MMIO_QUEUE_USED_LOW, 0x800);
	vt_wr(&dev.mmio, VIRTIO_MMIO_QUEUE_READY, 1);
	vt_wr(&dev.mmio, VIRTIO_MMIO_STATUS, vt_rd(&dev.mmio, VIRTIO_MMIO_STATUS) |
	      VIRTIO_CONFIG_S_DRIVER_OK);
	memcpy(ram + 3 * PG, pfns, sizeof(pfns));
	d = (struct vring_desc *)ram;
	d[0] = (struct vring_desc){ htole64(3 * PG), htole32(sizeof(pfns)), 0, 0 };
	a = (struct vring_avail *)(ram + 0x400);
	a->ring[0] = 0;
	a->idx = htole16(1);

	balloon_dev_process(&dev);
	balloon_dev_info(&dev, &info);
	ck_assert_uint_eq(info.counters.inflated, 2);
	ck_assert_uint_eq(info.counters.rejected, 0);
	ck_assert_uint_eq(info.counters.discard_errors, 0);
	for (uint64_t o = PG; o < 3 * PG; o++)
		ck_assert_msg(ram[o] == 0, "byte %#llx of the inflated pages not discarded",
			      (unsigned long long)o);
	balloon_dev_destroy(&dev);
	munmap(ram, 4 * PG);
}
END_TEST

/* --- QMP: ids and numbers QEMU (or whatever speaks on its socket) made up --- */

static int answers;

static void on_answer(void *arg, json_t *ret, const char *error)
{
	answers++;
	ck_assert_ptr_null(error);
	ck_assert_int_eq(json_integer_value(json_object_get(ret, "v")), 7);
}

static void qmp_say(int fd, struct qmp *q, const char *line)
{
	ck_assert_int_eq(send(fd, line, strlen(line), 0), (ssize_t)strlen(line));
	ck_assert_int_eq(qmp_read(q), 0);
}

/*
 * qmp: a reply whose id is 1e300 made the client convert a double beyond
 * uint64_t (undefined behaviour; UBSan's float-cast-overflow), and one
 * whose id was 1.5 answered command 1.  Only whole ids we sent count now.
 */
START_TEST(test_fuzz_qmp_id_not_ours)
{
	struct qmp q;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	qmp_init(&q, sv[0], NULL, NULL);
	answers = 0;
	ck_assert_int_eq(qmp_execute(&q, "query-status", NULL, on_answer, NULL), 0);
	qmp_say(sv[1], &q, "{\"return\": {\"v\": 1}, \"id\": 1e300}\n");
	qmp_say(sv[1], &q, "{\"return\": {\"v\": 1}, \"id\": 1.5}\n");
	qmp_say(sv[1], &q, "{\"return\": {\"v\": 1}, \"id\": 18446744073709551615}\n");
	ck_assert_int_eq(answers, 0);
	qmp_say(sv[1], &q, "{\"return\": {\"v\": 7}, \"id\": 1}\n");
	ck_assert_int_eq(answers, 1);
	qmp_close(&q);
	close(sv[1]);
}
END_TEST

/*
 * qmp (qemu_balloon.c): a guest-stats reply whose last-update is 1e300
 * was converted to int64_t (undefined behaviour); now it says nothing new.
 */
START_TEST(test_fuzz_qemu_balloon_last_update_huge)
{
	struct balloon_dev_config cfg = { .stats_interval_ms = 1000 };
	struct qemu_balloon qb;
	struct monitor mon;
	struct qmp q;
	int sv[2];

	memset(&mon, 0, sizeof(mon));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	qmp_init(&q, sv[0], NULL, NULL);
	qemu_balloon_start(&qb, &q, &mon, getpid(), 512ULL << 20, &cfg);	/* id 1: qom-set */
	qemu_balloon_tick(&qb);		/* id 2: query-balloon, id 3: qom-get guest-stats */
	qmp_say(sv[1], &q, "{\"return\": {\"stats\": {\"stat-free-memory\": 5}, "
		"\"last-update\": 1e300}, \"id\": 3}\n");
	ck_assert_uint_eq(qb.stats_updates, 0);
	qemu_balloon_tick(&qb);		/* id 4: qom-get again */
	qmp_say(sv[1], &q, "{\"return\": {\"stats\": {\"stat-free-memory\": 5}, "
		"\"last-update\": 1733300000}, \"id\": 4}\n");
	ck_assert_uint_eq(qb.stats_updates, 1);
	qmp_close(&q);
	qemu_balloon_destroy(&qb);
	close(sv[1]);
}
END_TEST

/* --- control: the balloon command's arguments ------------------------------ */

static uint64_t balloon_bytes = UINT64_MAX;

static int fake_balloon_set(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t len)
{
	balloon_bytes = bytes;
	return 0;
}

/*
 * control: {"value": "1G", "inflate": 0} passed the check (exactly one of
 * the two an integer) and was then read as "value" 0: a balloon of the
 * guest's whole RAM.  Found while writing the control target's oracle
 * (the balloon target must be what the request asked for).
 */
START_TEST(test_fuzz_control_balloon_ambiguous)
{
	static struct monitor m;
	struct monitor_backend be = { .name = "fake", .balloon_set = fake_balloon_set };
	struct ctl_ref who = { 0, 1 };
	char buf[4096];
	ssize_t n;
	int sv[2];

	memset(&m, 0, sizeof(m));
	m.be = &be;
	m.name = "unit";
	m.mem_size = 512ULL << 20;
	m.listen_fd = -1;
	chan_init(&m.chan);
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		m.client[i].fd = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	m.client[0].fd = sv[0];
	m.client[0].gen = 1;

	ctl_dispatch(&m, who, "{\"execute\": \"balloon\", \"arguments\": {\"value\": \"1G\", \"inflate\": 0}}");
	n = recv(sv[1], buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "\"GenericError\""), "reply: %s", buf);
	ck_assert_uint_eq(balloon_bytes, UINT64_MAX);		/* never set */

	ctl_dispatch(&m, who, "{\"execute\": \"balloon\", \"arguments\": {\"inflate\": 8192}}");
	n = recv(sv[1], buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "\"return\""), "reply: %s", buf);
	ck_assert_uint_eq(balloon_bytes, 8192);
	ctl_client_close(&m, 0);
	close(sv[1]);
}
END_TEST

static Suite *fuzz_regress_suite(void)
{
	Suite *s = suite_create("fuzz_regress");
	TCase *tc = tcase_create("found");

	tcase_add_test(tc, test_fuzz_balloon_inflate_across_adjacent_nodes);
	tcase_add_test(tc, test_fuzz_qmp_id_not_ours);
	tcase_add_test(tc, test_fuzz_qemu_balloon_last_update_huge);
	tcase_add_test(tc, test_fuzz_control_balloon_ambiguous);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(fuzz_regress_suite)
