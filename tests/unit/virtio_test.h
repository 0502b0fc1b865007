/* SPDX-License-Identifier: MIT */
/*
 * A fake guest for the virtio device tests: two 8 MiB nodes of guest RAM
 * (so buffers can straddle a range boundary), a driver that programs a
 * virtio-mmio window through its registers, and split rings it fills by
 * hand, hostile ones included.
 */
#ifndef EBB_TESTS_VIRTIO_TEST_H
#define EBB_TESTS_VIRTIO_TEST_H

#include <stdint.h>

#include <vmm/memory.h>
#include <vmm/virtio/mmio.h>

#define VT_MEM		(16ULL << 20)
#define VT_DESC		0x10000ULL	/* ring addresses the fake driver uses */
#define VT_AVAIL	0x11000ULL
#define VT_USED		0x12000ULL
#define VT_DATA		0x20000ULL	/* buffers from here */

struct vt_irq {
	int level;
	int raises;
};

void vt_mem_init(struct guest_mem *m);
void *vt_ptr(struct guest_mem *m, uint64_t gpa);
void vt_irq(void *ctx, unsigned int irq, int level);

uint32_t vt_rd(struct virtio_mmio *vm, unsigned int off);
void vt_wr(struct virtio_mmio *vm, unsigned int off, uint32_t v);
/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back. */
uint32_t vt_negotiate(struct virtio_mmio *vm, uint64_t features);
/* Queue 0 of @size at the VT_* rings, ready, then DRIVER_OK. */
void vt_setup_queue(struct virtio_mmio *vm, uint16_t size);

/* Descriptor @i; publish head @head in the available ring. */
void vt_desc(struct guest_mem *m, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	     uint16_t next);
void vt_avail(struct guest_mem *m, uint16_t size, uint16_t head);
uint16_t vt_used_idx(struct guest_mem *m);
void vt_used(struct guest_mem *m, uint16_t slot, uint32_t *id, uint32_t *len);

#endif
