// SPDX-License-Identifier: MIT
/*
 * virtio-blk, device side, against a hostile driver: the driver program
 * of fuzz_virtq.h programs the device through its virtio-mmio registers,
 * writes descriptor tables, available rings and request headers, and
 * the device serves them with virtio_blk_process() as its thread does.
 * The disk is a 64 KiB memfd (128 sectors), emptied for every input.
 *
 * Input: u8 features (bit 0 FLUSH, 1 SEG_MAX, 2 BLK_SIZE, 3 an offer it
 * never made), the fuzz_virtq.h header, then the operations.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include <vmm/virtio/blk.h>

#include "fuzz_virtq.h"

#define DISK_BYTES	65536

static struct guest_mem mem;
static struct virtio_blk blk;
static int disk = -1;

static void set_irq(void *ctx, unsigned int irq, int level)
{
}

static void process(void *dev)
{
	virtio_blk_process(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_virtq fv = { .mem = &mem, .vm = &blk.mmio, .nr_queues = 1, .process = process,
			       .dev = &blk };
	uint8_t f;
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;

	if (disk < 0) {
		fz_mem_init(&mem);
		disk = memfd_create("fuzz-disk", MFD_CLOEXEC);
		if (disk < 0)
			fz_fail("memfd_create");
	}
	fz_mem_clear(&mem);
	if (ftruncate(disk, 0) || ftruncate(disk, DISK_BYTES))
		fz_fail("ftruncate");
	if (virtio_blk_init(&blk, disk, DISK_BYTES, "fuzz-disk", &mem, EBB_MMIO_BASE,
			    EBB_VIRTIO_IRQ_BASE, set_irq, NULL))
		fz_fail("virtio_blk_init");

	f = fz_u8(&in);
	if (f & 1)
		features |= 1ULL << VIRTIO_BLK_F_FLUSH;
	if (f & 2)
		features |= 1ULL << VIRTIO_BLK_F_SEG_MAX;
	if (f & 4)
		features |= 1ULL << VIRTIO_BLK_F_BLK_SIZE;
	if (f & 8)
		features |= 1ULL << VIRTIO_BLK_F_RO;	/* not offered: FEATURES_OK refused */
	fz_virtq_header(&fv, &in);
	fz_negotiate(&blk.mmio, features);
	fz_virtq_setup(&fv);
	fz_virtq_run(&fv, &in);

	if (blk.stats.read_bytes > blk.stats.reads * (uint64_t)VIRTQ_MAX_SEGS * VIRTQ_MAX_DESC_LEN)
		fz_fail("read_bytes out of proportion");
	virtio_blk_destroy(&blk);
	return 0;
}
