/* SPDX-License-Identifier: MIT */
/*
 * The guest's memory map, as both boot protocols hand it over: PVH's
 * hvm_memmap_table_entry[] (vmm/pvh.c) and the zero page's e820_table
 * (vmm/bzimage.c).  It starts as the layout's RAM (adjacent ranges
 * merged: nodes are the command line's business) and other parts of the
 * VMM carve regions out of it with their own type: ACPI tables
 * (E820_ACPI), reserved firmware areas (E820_RESERVED).  The loaders
 * place the kernel and the initrd only where the map says RAM.
 *
 * Types are the E820 numbering of the kernel's UAPI <asm/e820.h>, which
 * PVH's XEN_HVM_MEMMAP_TYPE_* share.
 */
#ifndef EBB_VMM_E820_H
#define EBB_VMM_E820_H

#include <stddef.h>
#include <stdint.h>

#include <asm/e820.h>

#include <vmm/layout.h>

/* The zero page holds 128 entries (E820_MAX_ENTRIES_ZEROPAGE); so does PVH's map here. */
#define E820_TABLE_MAX		128

struct e820_range {
	uint64_t addr;
	uint64_t size;
	uint32_t type;		/* E820_RAM, E820_RESERVED, E820_ACPI ... */
};

/* Sorted by address, no two entries overlap, none is empty. */
struct e820_table {
	unsigned int nr;
	struct e820_range e[E820_TABLE_MAX];
};

/* The layout's RAM, one entry per run of contiguous ranges. */
void e820_from_layout(struct e820_table *t, const struct ebb_layout *l);

/*
 * Make [addr, addr+size) of type @type, whatever it was: the entries it
 * overlaps are cut (a RAM range around it becomes RAM, @type, RAM).
 * Returns 0, or -1 with a message when the range is empty or wraps, or
 * the table would need more than E820_TABLE_MAX entries (@t unchanged).
 */
int e820_set(struct e820_table *t, uint64_t addr, uint64_t size, uint32_t type,
	     char *err, size_t errlen);

/* The RAM entry holding all of [addr, addr+size), or NULL. */
const struct e820_range *e820_ram_find(const struct e820_table *t, uint64_t addr,
				       uint64_t size);

#endif
