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

#include <vmm/layout.h>

#include <stdint.h>

struct guest_mem;
struct kvm_sregs;

/* Selectors of the 64-bit boot GDT (Linux's __BOOT_CS and __BOOT_DS). */
#define LONGMODE_CS		0x10
#define LONGMODE_DS		0x18
#define LONGMODE_TSS		0x20	/* a 64-bit TSS descriptor takes two slots */
#define LONGMODE_GDT_ENTRIES	6

/* Write the page tables and the GDT (EBB_GDT_ADDR).  0, or -1 without the RAM. */
int longmode_write(struct guest_mem *m);

/*
 * The same into @low, a host view of guest physical memory from 0 up to
 * at least LONGMODE_LOW_END (a throw-away VM's RAM: vmm/kvm_scratch.c).
 */
#define LONGMODE_LOW_END	(EBB_PGTABLE_ADDR + EBB_PGTABLE_SIZE)
void longmode_fill(uint8_t *low);

/*
 * The special registers of a CPU in 64-bit mode on those tables: CS and
 * DS..SS flat from the GDT, a busy 64-bit TSS in TR (VMX will not enter
 * long mode without one), paging with PAE, EFER.LME/LMA, no IDT.  The
 * rest of @sr (what KVM_GET_SREGS gave: the APIC base ...) is kept.
 */
void longmode_sregs(struct kvm_sregs *sr);

#endif
