// SPDX-License-Identifier: MIT
/* The fake guest RAM and input reader of the VMM fuzz targets (fuzz_guest_mem.h). */
#include <string.h>
#include <sys/mman.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include <vmm/virtio/mmio.h>

#include "fuzz_guest_mem.h"

static uint8_t *ram;

void fz_mem_init(struct guest_mem *m)
{
	struct ebb_layout *l = &m->layout;

	memset(m, 0, sizeof(*m));
	if (!ram) {
		ram = mmap(NULL, FZ_RAM_BYTES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ram == MAP_FAILED)
			fz_fail("mmap of the fake guest RAM failed");
	}
	l->mem_size = FZ_RAM_BYTES;
	l->nr_nodes = 2;
	l->node_size[0] = FZ_NODE0_SIZE;
	l->node_size[1] = FZ_NODE1_SIZE;
	l->nr_ranges = 3;
	l->ranges[0] = (struct ebb_range){ 0, FZ_NODE0_SIZE, 0, 0 };
	l->ranges[1] = (struct ebb_range){ FZ_NODE0_SIZE, FZ_HOLE_START - FZ_NODE0_SIZE, 1, 0 };
	l->ranges[2] = (struct ebb_range){ FZ_HIGH_START, FZ_GPA_END - FZ_HIGH_START, 1,
					   FZ_HOLE_START - FZ_NODE0_SIZE };
	m->node[0] = (struct guest_node_mem){ -1, ram, FZ_NODE0_SIZE };
	m->node[1] = (struct guest_node_mem){ -1, ram + FZ_NODE0_SIZE, FZ_NODE1_SIZE };
	for (unsigned int n = 2; n < EBB_MAX_NODES; n++)
		m->node[n].fd = -1;
}

void fz_mem_clear(struct guest_mem *m)
{
	memset(ram, 0, FZ_RAM_BYTES);
}

void *fz_ptr(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	return guest_mem_ptr(m, gpa, len);
}

void fz_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len)
{
	/* Piece by piece: a buffer may cross from one RAM range into the next. */
	while (len) {
		const struct ebb_range *r = layout_find(&m->layout, gpa, 1);
		uint64_t chunk;

		if (!r)
			return;
		chunk = r->gpa + r->size - gpa;
		if (chunk > len)
			chunk = len;
		memcpy(guest_mem_ptr(m, gpa, chunk), buf, chunk);
		buf = (const uint8_t *)buf + chunk;
		gpa += chunk;
		len -= chunk;
	}
}

uint32_t fz_mmio_rd(struct virtio_mmio *vm, unsigned int off)
{
	uint32_t v;

	virtio_mmio_io(vm, off, (uint8_t *)&v, 4, false);
	return v;
}

void fz_mmio_wr(struct virtio_mmio *vm, unsigned int off, uint32_t v)
{
	virtio_mmio_io(vm, off, (uint8_t *)&v, 4, true);
}

void fz_negotiate(struct virtio_mmio *vm, uint64_t features)
{
	fz_mmio_wr(vm, VIRTIO_MMIO_STATUS, 0);
	fz_mmio_wr(vm, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	fz_mmio_wr(vm, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	fz_mmio_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fz_mmio_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	fz_mmio_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fz_mmio_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	fz_mmio_wr(vm, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK);
}

void fz_setup_queue(struct virtio_mmio *vm, unsigned int q, uint32_t size, uint64_t desc,
		    uint64_t avail, uint64_t used)
{
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_SEL, q);
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_NUM, size);
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	fz_mmio_wr(vm, VIRTIO_MMIO_QUEUE_READY, 1);
}

void fz_driver_ok(struct virtio_mmio *vm)
{
	fz_mmio_wr(vm, VIRTIO_MMIO_STATUS,
		   fz_mmio_rd(vm, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
}
