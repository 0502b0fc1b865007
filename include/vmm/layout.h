/* SPDX-License-Identifier: MIT */
/*
 * The guest's physical address space as ebb builds it (docs/CONVENTIONS.md):
 * RAM from 0 up to min(size, 3 GiB), the rest from 4 GiB up; boot data
 * below 1 MiB; the kernel image at 1 MiB; MMIO devices from 0xd0000000.
 * Each guest NUMA node owns a contiguous run of RAM, in node order; a node
 * that straddles the 3 GiB hole has two ranges.
 */
#ifndef EBB_VMM_LAYOUT_H
#define EBB_VMM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EBB_MAX_NODES		8
#define EBB_MAX_RANGES		(2 * EBB_MAX_NODES)

#define EBB_LOW_RAM_END		0xc0000000ULL	/* 3 GiB: the hole starts */
#define EBB_HIGH_RAM_START	0x100000000ULL	/* 4 GiB: RAM resumes */
#define EBB_MMIO_BASE		0xd0000000ULL	/* virtio-mmio devices, 4 KiB each */
#define EBB_MMIO_SIZE		0x1000ULL
#define EBB_VIRTIO_IRQ_BASE	5		/* IOAPIC pin of the first virtio device */

/*
 * Boot data, all below 1 MiB.  The guest reserves what it uses.  A PVH
 * kernel gets start_info, its module list and memory map; a bzImage gets
 * the zero page, identity page tables and a stack; both get the GDT (one
 * for each entry mode) and the command line.
 */
#define EBB_GDT_ADDR		0x500ULL	/* flat GDT for the PVH or 64-bit entry */
#define EBB_BOOT_STACK_TOP	0x5000ULL	/* bzImage: stack of the 64-bit entry, down to 0x1000 */
#define EBB_START_INFO_ADDR	0x6000ULL	/* struct hvm_start_info */
#define EBB_MODLIST_ADDR	0x6800ULL	/* struct hvm_modlist_entry (the initrd) */
#define EBB_MEMMAP_ADDR		0x7000ULL	/* hvm_memmap_table_entry[] */
#define EBB_MEMMAP_MAX		128
#define EBB_BOOT_PARAMS_ADDR	0x8000ULL	/* bzImage: struct boot_params, the zero page */
#define EBB_PGTABLE_ADDR	0x9000ULL	/* bzImage: PML4, PDPT, 4 PDs: 0-4 GiB identity */
#define EBB_PGTABLE_SIZE	0x6000ULL
#define EBB_CMDLINE_ADDR	0x10000ULL	/* NUL-terminated command line */
#define EBB_CMDLINE_MAX		0x10000ULL	/* bytes, NUL included */
#define EBB_ACPI_ADDR		0xe0000ULL	/* ACPI tables, the RSDP first (docs/acpi.md) */
#define EBB_ACPI_SIZE		0x20000ULL	/* to 1 MiB: the BIOS area Linux scans */
#define EBB_KERNEL_MIN_ADDR	0x100000ULL	/* 1 MiB: nothing loads below */

/* Node sizes are whole multiples of this (a guestmm pageblock, a huge page). */
#define EBB_NODE_ALIGN		(2ULL << 20)
#define EBB_MIN_MEM		(8ULL << 20)

/* One run of guest RAM. */
struct ebb_range {
	uint64_t gpa;		/* guest physical start */
	uint64_t size;		/* bytes */
	unsigned int node;	/* guest NUMA node */
	uint64_t node_off;	/* offset inside the node's backing memfd */
};

struct ebb_layout {
	uint64_t mem_size;			/* total RAM, bytes */
	unsigned int nr_nodes;
	uint64_t node_size[EBB_MAX_NODES];
	unsigned int nr_ranges;
	struct ebb_range ranges[EBB_MAX_RANGES];	/* sorted by gpa */
};

/*
 * Lay out @nr_nodes nodes of @node_size bytes each.  Returns 0, or -1 with
 * a message in @err when the sizes are unusable (zero, unaligned, too many,
 * too much).
 */
int layout_build(struct ebb_layout *l, unsigned int nr_nodes,
		 const uint64_t *node_size, char *err, size_t errlen);

/*
 * The `ebb.numa=...` value (without the key) for the command line:
 * NID:START-END[,...] in hex, END exclusive.  Returns the length written
 * (as snprintf), or 0 for a single node (nothing to say).
 */
int layout_numa_param(const struct ebb_layout *l, char *buf, size_t len);

/* The range holding [gpa, gpa+len), or NULL. */
const struct ebb_range *layout_find(const struct ebb_layout *l, uint64_t gpa,
				    uint64_t len);

#endif
