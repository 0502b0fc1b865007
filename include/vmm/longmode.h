/* SPDX-License-Identifier: MIT */
/*
 * What Linux's 64-bit boot protocol asks of the loader besides the zero
 * page: long mode with paging on, an identity map covering the kernel,
 * the zero page, the command line and the initrd, and a GDT with flat
 * __BOOT_CS (64-bit code) and __BOOT_DS descriptors.  ebb maps the first
 * 4 GiB with 2 MiB pages (EBB_PGTABLE_ADDR: a PML4, a PDPT, four page
 * directories): every loader-placed byte lies below 4 GiB.  The kernel
 * builds its own tables and GDT within its first instructions.
 */
#ifndef EBB_VMM_LONGMODE_H
#define EBB_VMM_LONGMODE_H

struct guest_mem;

/* Selectors of the 64-bit boot GDT (Linux's __BOOT_CS and __BOOT_DS). */
#define LONGMODE_CS		0x10
#define LONGMODE_DS		0x18
#define LONGMODE_TSS		0x20	/* a 64-bit TSS descriptor takes two slots */
#define LONGMODE_GDT_ENTRIES	6

/* Write the page tables and the GDT (EBB_GDT_ADDR).  0, or -1 without the RAM. */
int longmode_write(struct guest_mem *m);

#endif
