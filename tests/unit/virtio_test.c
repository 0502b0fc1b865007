// SPDX-License-Identifier: MIT
/* The fake guest behind the virtio tests (virtio_test.h). */
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include <vmm/layout.h>

#include "unit.h"
#include "virtio_test.h"

void vt_mem_init(struct guest_mem *m)
{
	struct ebb_layout l;
	uint64_t sizes[2] = { VT_MEM / 2, VT_MEM / 2 };
	char err[256];

	ck_assert_int_eq(layout_build(&l, 2, sizes, err, sizeof(err)), 0);
	ck_assert_int_eq(guest_mem_create(m, &l, NULL, err, sizeof(err)), 0);
}

void *vt_ptr(struct guest_mem *m, uint64_t gpa)
{
	void *p = guest_mem_ptr(m, gpa, 1);

	ck_assert_ptr_nonnull(p);
	return p;
}

void vt_irq(void *ctx, unsigned int irq, int level)
{
	struct vt_irq *r = ctx;

	r->level = level;
	r->raises += level;
}

uint32_t vt_rd(struct virtio_mmio *vm, unsigned int off)
{
	uint32_t v;

	virtio_mmio_io(vm, off, (uint8_t *)&v, 4, false);
	return v;
}

void vt_wr(struct virtio_mmio *vm, unsigned int off, uint32_t v)
{
	virtio_mmio_io(vm, off, (uint8_t *)&v, 4, true);
}

uint32_t vt_negotiate(struct virtio_mmio *vm, uint64_t features)
{
	vt_wr(vm, VIRTIO_MMIO_STATUS, 0);
	vt_wr(vm, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vt_wr(vm, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vt_wr(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vt_wr(vm, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	      VIRTIO_CONFIG_S_FEATURES_OK);
	return vt_rd(vm, VIRTIO_MMIO_STATUS);
}

void vt_setup_queue(struct virtio_mmio *vm, uint16_t size)
{
	vt_wr(vm, VIRTIO_MMIO_QUEUE_SEL, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_NUM, size);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)VT_DESC);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)VT_AVAIL);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)VT_USED);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	vt_wr(vm, VIRTIO_MMIO_QUEUE_READY, 1);
	vt_wr(vm, VIRTIO_MMIO_STATUS, vt_rd(vm, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
}

void vt_desc(struct guest_mem *m, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	     uint16_t next)
{
	struct vring_desc *d = (struct vring_desc *)vt_ptr(m, VT_DESC) + i;

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

void vt_avail(struct guest_mem *m, uint16_t size, uint16_t head)
{
	struct vring_avail *a = vt_ptr(m, VT_AVAIL);

	a->ring[a->idx % size] = head;
	__atomic_store_n(&a->idx, (uint16_t)(a->idx + 1), __ATOMIC_RELEASE);
}

uint16_t vt_used_idx(struct guest_mem *m)
{
	struct vring_used *u = vt_ptr(m, VT_USED);

	return __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
}

void vt_used(struct guest_mem *m, uint16_t slot, uint32_t *id, uint32_t *len)
{
	struct vring_used *u = vt_ptr(m, VT_USED);

	*id = u->ring[slot].id;
	*len = u->ring[slot].len;
}
