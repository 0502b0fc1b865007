/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI, one definition for both sides of it: the loader (ebb's
 * vmm/pvh.c; QEMU's firmware) writes these structures, the guest kernel
 * (guest/mm/e820.c) reads them.  Layout of Xen's public
 * arch-x86/hvm/start_info.h, version 1; no system header carries it
 * (Linux keeps its copy inside the kernel, not in its UAPI).
 *
 * The loader enters the kernel at the address in the ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY, in 32-bit protected mode with paging off and
 * EBX holding the physical address of a struct hvm_start_info.  All
 * fields are little endian.  The kernel checks what it finds here before
 * trusting it.
 */
#ifndef EBB_PVH_START_INFO_H
#define EBB_PVH_START_INFO_H

#define XEN_ELFNOTE_GUEST_OS		6	/* a string: "linux" for Linux */
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
	uint32_t flags;			/* SIF_xxx; ebb writes 0 */
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;		/* NUL-terminated, 0 if none */
	uint64_t rsdp_paddr;
	/* version >= 1 */
	uint64_t memmap_paddr;		/* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

/* One module (an initrd), nr_modules of them at modlist_paddr. */
struct hvm_modlist_entry {
	uint64_t paddr;			/* where the loader put it */
	uint64_t size;			/* bytes */
	uint64_t cmdline_paddr;		/* its own command line, 0 if none */
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1 is 56 bytes");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "a module entry is 32 bytes");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "a memmap entry is 24 bytes");

#endif /* __ASSEMBLY__ */

#endif
