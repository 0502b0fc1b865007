/* SPDX-License-Identifier: MIT */
/*
 * What the VMM-side fuzz targets share (docs/fuzzing.md): a small fake
 * guest RAM the fuzzer's bytes are written into, and a reader that takes
 * little-endian fields from the input, returning zeros once it runs out
 * (so every input is a valid program of operations).
 *
 * The RAM has two NUMA nodes and three ranges, with a hole, so chains
 * can cross a range boundary and point into the hole or past the end:
 *
 *   node 0  [0x00000, 0x08000)            host: ram + 0
 *   node 1  [0x08000, 0x10000)            host: ram + 0x8000
 *           (hole 0x10000 - 0x20000)
 *   node 1  [0x20000, 0x28000)            host: ram + 0x10000
 *
 * The two nodes are adjacent in host memory on purpose: the VMM maps
 * each node on its own and must never assume where the kernel put them
 * relative to each other.
 */
#ifndef EBB_FUZZ_GUEST_MEM_H
#define EBB_FUZZ_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <vmm/memory.h>

#include "fuzz_input.h"

#define FZ_NODE0_SIZE	0x8000ULL
#define FZ_NODE1_SIZE	0x10000ULL
#define FZ_RAM_BYTES	(FZ_NODE0_SIZE + FZ_NODE1_SIZE)
#define FZ_HOLE_START	0x10000ULL
#define FZ_HIGH_START	0x20000ULL
#define FZ_GPA_END	0x28000ULL	/* first address past RAM */

/* The guest RAM, created once (anonymous memory: discards are MADV_DONTNEED). */
void fz_mem_init(struct guest_mem *m);
/* All RAM zero again. */
void fz_mem_clear(struct guest_mem *m);
/* Host address of [gpa, gpa+len) when it is RAM, else NULL (as the VMM's). */
void *fz_ptr(struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copy @len bytes to guest @gpa, across range boundaries; stops where RAM does. */
void fz_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len);

/* The driver's side of the virtio-mmio window (32-bit register accesses). */
struct virtio_mmio;
uint32_t fz_mmio_rd(struct virtio_mmio *vm, unsigned int off);
void fz_mmio_wr(struct virtio_mmio *vm, unsigned int off, uint32_t v);
/* Reset, ACKNOWLEDGE, DRIVER, @features, FEATURES_OK. */
void fz_negotiate(struct virtio_mmio *vm, uint64_t features);
/* Queue @q of @size with its rings at @desc, @avail, @used; QueueReady. */
void fz_setup_queue(struct virtio_mmio *vm, unsigned int q, uint32_t size, uint64_t desc,
		    uint64_t avail, uint64_t used);
/* Add DRIVER_OK. */
void fz_driver_ok(struct virtio_mmio *vm);

#endif
