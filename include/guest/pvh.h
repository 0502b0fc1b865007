/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI (Xen's include/public/arch-x86/hvm/start_info.h), as
 * much of it as a PVH kernel reads.  The loader (ebb, or QEMU's firmware)
 * enters the kernel in 32-bit protected mode, paging off, with EBX holding
 * the physical address of a struct hvm_start_info.  Everything here is
 * written by the loader, so the kernel checks it before trusting it.
 */
#ifndef GUEST_PVH_H
#define GUEST_PVH_H

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define XEN_HVM_START_MAGIC_VALUE	0x336ec578

/* Memory map entry types (E820 numbering). */
#define XEN_HVM_MEMMAP_TYPE_RAM		1
#define XEN_HVM_MEMMAP_TYPE_RESERVED	2
#define XEN_HVM_MEMMAP_TYPE_ACPI	3
#define XEN_HVM_MEMMAP_TYPE_NVS		4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE	5
#define XEN_HVM_MEMMAP_TYPE_DISABLED	6
#define XEN_HVM_MEMMAP_TYPE_PMEM	7

#ifndef __ASSEMBLY__
#include <stdint.h>

struct hvm_start_info {
	uint32_t magic;			/* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;		/* 0, or 1 with the memory map */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;		/* NUL-terminated, 0 if none */
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries;	/* version >= 1 */
	uint32_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

#endif /* __ASSEMBLY__ */

#endif
