/* SPDX-License-Identifier: MIT */
/*
 * memblock: the boot-time view of physical memory, before guestmm runs.
 * "memory" is the RAM the PVH memory map reports (page-aligned, sorted,
 * merged); "reserved" is what is already in use (the first MiB, the
 * kernel image, the boot data, early allocations such as page tables).
 * mm_init() receives both and turns the difference into free pages.
 */
#ifndef GUEST_MEMBLOCK_H
#define GUEST_MEMBLOCK_H

#include <guestmm/compiler.h>

#define MEMBLOCK_MAX_REGIONS	32

struct memblock_region {
	uint64_t base;
	uint64_t size;
};

struct memblock_type {
	unsigned int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

extern struct memblock_type memblock_memory;
extern struct memblock_type memblock_reserved;

int memblock_add(uint64_t base, uint64_t size);
int memblock_reserve(uint64_t base, uint64_t size);
/*
 * Allocate from RAM not yet reserved, top-down below @limit, aligned;
 * zeroed; returns the physical address or 0.  Callers below
 * IDENTITY_MAP_END can use the address directly as a pointer.
 */
uint64_t memblock_alloc(uint64_t size, uint64_t align, uint64_t limit);
bool memblock_is_reserved(uint64_t base, uint64_t size);
uint64_t memblock_phys_mem_size(void);

#endif
