/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI: the structures the guest finds through EBX at its
 * PHYS32 entry point.  Layout from Xen's public arch-x86/hvm/start_info.h
 * (version 1), written out here; only fixed-size types, little endian.
 */
#ifndef EBB_VMM_PVH_H
#define EBB_VMM_PVH_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define XEN_HVM_START_MAGIC_VALUE	0x336ec578u

#define XEN_HVM_MEMMAP_TYPE_RAM		1
#define XEN_HVM_MEMMAP_TYPE_RESERVED	2
#define XEN_HVM_MEMMAP_TYPE_ACPI	3
#define XEN_HVM_MEMMAP_TYPE_NVS		4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE	5
#define XEN_HVM_MEMMAP_TYPE_DISABLED	6
#define XEN_HVM_MEMMAP_TYPE_PMEM	7

struct hvm_start_info {
	uint32_t magic;			/* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;		/* 1: memmap fields are valid */
	uint32_t flags;			/* SIF_xxx, 0 here */
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	/* version 1 */
	uint64_t memmap_paddr;		/* hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1 is 56 bytes");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap entry is 24 bytes");

/*
 * Write start_info, the memory map (one RAM entry per layout range,
 * adjacent ranges merged) and @cmdline into guest memory at the
 * EBB_*_ADDR addresses of vmm/layout.h.  Returns 0, or -1 with a message.
 */
int pvh_build(struct guest_mem *m, const char *cmdline, char *err, size_t errlen);

/* Write the flat GDT the initial segment state describes (EBB_GDT_ADDR). */
int pvh_write_gdt(struct guest_mem *m);

#endif
