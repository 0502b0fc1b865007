// SPDX-License-Identifier: MIT
/* The driver program of the device fuzz targets (fuzz_virtq.h). */
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include <vmm/virtio/mmio.h>

#include "fuzz_virtq.h"

static uint64_t desc_gpa(const struct fz_virtq *fv, unsigned int q)
{
	return fv->ring + q * FZ_RING_STRIDE;
}

void fz_virtq_header(struct fz_virtq *fv, struct fz_in *in)
{
	uint8_t lg = fz_u8(in);

	/* 1 .. 256 entries; 0x80 and up: an odd size the device must refuse. */
	fv->size = lg & 0x80 ? (uint16_t)(lg * 3) : (uint16_t)(1u << (lg % 9));
	fv->ring = fz_u32(in);
}

void fz_virtq_setup(struct fz_virtq *fv)
{
	for (unsigned int q = 0; q < fv->nr_queues; q++)
		fz_setup_queue(fv->vm, q, fv->size, desc_gpa(fv, q), desc_gpa(fv, q) + FZ_AVAIL_OFF,
			       desc_gpa(fv, q) + FZ_USED_OFF);
	fz_driver_ok(fv->vm);
}

/* The rings as the driver writes them; NULL where the header put them off RAM or misaligned. */
static struct vring_avail *avail(struct fz_virtq *fv, unsigned int q)
{
	uint64_t gpa = desc_gpa(fv, q) + FZ_AVAIL_OFF;

	return gpa & 1 ? NULL : fz_ptr(fv->mem, gpa, 4 + 2 * 256);
}

static struct vring_used *used(struct fz_virtq *fv, unsigned int q)
{
	uint64_t gpa = desc_gpa(fv, q) + FZ_USED_OFF;

	return gpa & 3 ? NULL : fz_ptr(fv->mem, gpa, 4);
}

void fz_virtq_run(struct fz_virtq *fv, struct fz_in *in)
{
	uint8_t buf[256];

	while (fz_more(in)) {
		unsigned int q;
		uint16_t i;
		struct vring_avail *a;
		struct vring_used *u;

		switch (fz_u8(in) % FZ_NR_OPS) {
		case FZ_OP_WRITE: {
			uint64_t gpa = fz_u32(in);
			size_t n = fz_bytes(in, buf, fz_u8(in));

			fz_write(fv->mem, gpa, buf, n);
			break;
		}
		case FZ_OP_DESC: {
			struct vring_desc d;

			q = fz_u8(in) % fv->nr_queues;
			i = fz_u16(in);
			d.addr = fz_u64(in);
			d.len = fz_u32(in);
			d.flags = fz_u16(in);
			d.next = fz_u16(in);
			fz_write(fv->mem, desc_gpa(fv, q) + (uint64_t)(i % 256) * sizeof(d), &d,
				 sizeof(d));
			break;
		}
		case FZ_OP_PUBLISH:
			q = fz_u8(in) % fv->nr_queues;
			i = fz_u16(in);
			a = avail(fv, q);
			if (a && fv->size && fv->size <= 256) {
				a->ring[a->idx % fv->size] = i;
				__atomic_store_n(&a->idx, (uint16_t)(a->idx + 1), __ATOMIC_RELEASE);
			}
			break;
		case FZ_OP_AVAIL:
			q = fz_u8(in) % fv->nr_queues;
			i = fz_u16(in);
			a = avail(fv, q);
			if (a)
				a->idx = i;
			break;
		case FZ_OP_MMIO: {
			uint16_t off = fz_u16(in);

			fz_mmio_wr(fv->vm, off & 0xffc, fz_u32(in));
			break;
		}
		case FZ_OP_PROCESS:
			fv->process(fv->dev);
			fz_virtq_check(fv);
			break;
		case FZ_OP_USED:
			q = fz_u8(in) % fv->nr_queues;
			i = fz_u16(in);
			u = used(fv, q);
			if (u)
				u->idx = i;
			break;
		}
	}
	fv->process(fv->dev);
	fz_virtq_check(fv);
}

void fz_virtq_check(struct fz_virtq *fv)
{
	struct virtio_mmio *vm = fv->vm;

	if (!(vm->status & VIRTIO_CONFIG_S_DRIVER_OK) || (vm->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		return;
	for (unsigned int q = 0; q < vm->ops->nr_queues; q++) {
		const struct virtq *vq = &vm->vq[q];

		if (!vq->ready)
			continue;
		if (!vq->desc || !vq->avail || !vq->used || !vq->size || vq->size > vm->ops->queue_max ||
		    (vq->size & (vq->size - 1)))
			fz_fail("queue %u is ready with size %u or rings unset", q, vq->size);
		if (guest_mem_ptr(vm->mem, vq->used_gpa, 4 + 8 * (uint64_t)vq->size + 2) !=
		    (void *)vq->used)
			fz_fail("queue %u: used ring not where the driver put it", q);
	}
}
