// SPDX-License-Identifier: MIT
/*
 * Bugs the fuzz targets found (tests/fuzz/, docs/fuzzing.md), each as a
 * plain unit test beside the crashing input kept in
 * tests/fuzz/regressions/TARGET/.
 */
#include <endian.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include <balloon/device.h>
#include <vmm/memory.h>

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

static Suite *fuzz_regress_suite(void)
{
	Suite *s = suite_create("fuzz_regress");
	TCase *tc = tcase_create("found");

	tcase_add_test(tc, test_fuzz_balloon_inflate_across_adjacent_nodes);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(fuzz_regress_suite)
