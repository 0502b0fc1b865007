/* SPDX-License-Identifier: MIT */
/*
 * The driver-side program both device fuzz targets (virtq_blk,
 * virtq_balloon) run against a device: after a short header, each
 * operation is one opcode byte and its operands.  The rings start where
 * the header says, queue q's at ring + q * FZ_RING_STRIDE (descriptor
 * table), + 0x800 (available ring), + 0x1000 (used ring), so the fuzzer
 * can name descriptors by index and need not find the rings.
 *
 *   FZ_OP_WRITE    u32 gpa, u8 len, bytes   raw bytes anywhere in guest RAM
 *   FZ_OP_DESC     u8 q, u16 i, u64 addr, u32 len, u16 flags, u16 next
 *   FZ_OP_PUBLISH  u8 q, u16 head           avail->ring[idx % size] = head; idx++
 *   FZ_OP_AVAIL    u8 q, u16 idx            avail->idx = idx (hostile indices)
 *   FZ_OP_MMIO     u16 off, u32 value       a register write (reset, QueueReady ...)
 *   FZ_OP_PROCESS                           the device's thread runs once
 *   FZ_OP_USED     u8 q, u16 idx            used->idx scribbled by the driver
 *
 * Unknown opcodes are taken modulo the count.  The device serves once
 * more at the end.
 */
#ifndef EBB_FUZZ_VIRTQ_H
#define EBB_FUZZ_VIRTQ_H

#include <stdint.h>

#include "fuzz_guest_mem.h"

#define FZ_RING_STRIDE	0x2000ULL
#define FZ_AVAIL_OFF	0x800ULL
#define FZ_USED_OFF	0x1000ULL

enum fz_op {
	FZ_OP_WRITE,
	FZ_OP_DESC,
	FZ_OP_PUBLISH,
	FZ_OP_AVAIL,
	FZ_OP_MMIO,
	FZ_OP_PROCESS,
	FZ_OP_USED,
	FZ_NR_OPS,
};

struct fz_virtq {
	struct guest_mem *mem;
	struct virtio_mmio *vm;
	uint64_t ring;			/* queue 0's descriptor table */
	uint16_t size;			/* what the driver programmed */
	unsigned int nr_queues;
	void (*process)(void *dev);
	void *dev;
};

/* Header: u8 log2(queue size), u32 ring base.  Sets @fv->ring and size. */
void fz_virtq_header(struct fz_virtq *fv, struct fz_in *in);
/* Set up every queue at its place, DRIVER_OK. */
void fz_virtq_setup(struct fz_virtq *fv);
/* Run the operations to the end of the input, then process once more. */
void fz_virtq_run(struct fz_virtq *fv, struct fz_in *in);
/*
 * The device's used rings agree with what it says it pushed, and every
 * used id it wrote names a descriptor of its queue (checked while the
 * device is healthy).
 */
void fz_virtq_check(struct fz_virtq *fv);

#endif
