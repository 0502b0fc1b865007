/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual address space (x86-64, 4-level paging), laid out
 * like Linux's so addresses in reports look familiar:
 *
 *   0x0000000000001000 - 0x000000003fffffff  identity map of low memory:
 *                                            the kernel image (at 1 MiB),
 *                                            its static data and boot data.
 *                                            Page 0 is left unmapped so a
 *                                            NULL dereference faults.
 *   0xffff888000000000 - ...                 the direct map of all RAM
 *                                            (PAGE_OFFSET), guestmm's
 *                                            direct_map
 *   0xffffc90000000000 - 0xffffc9003fffffff  ioremap: device registers,
 *                                            uncached
 *   0xffffc90040000000 - 0xffffc97fffffffff  vmalloc: virtually contiguous,
 *                                            physically scattered pages,
 *                                            mapped on demand
 *
 * The identity map, the direct map and ioremap+vmalloc each sit under one
 * PML4 entry, created at boot, which every address space shares; the
 * other PML4 entries (from 512 GiB up in the lower half) are per address
 * space, for anonymous memory.
 */
#ifndef GUEST_PGTABLE_H
#define GUEST_PGTABLE_H

#include <guestmm/compiler.h>
#include <guestmm/pte.h>	/* PTE_PFN_MASK: guestmm's pte_t is the hardware's */

#define PAGE_OFFSET		0xffff888000000000UL
#define IDENTITY_MAP_END	0x40000000UL		/* 1 GiB */
#define IOREMAP_START		0xffffc90000000000UL
#define IOREMAP_END		0xffffc90040000000UL
#define VMALLOC_START		IOREMAP_END
#define VMALLOC_END		0xffffc98000000000UL	/* one PML4 entry */
#define USER_AS_START		0x0000008000000000UL
#define USER_AS_END		0x0000800000000000UL

#define PAGE_SIZE_4K		4096UL

#define __va(pa)	((void *)((unsigned long)(pa) + PAGE_OFFSET))
#define __pa(va)	((unsigned long)(va) - PAGE_OFFSET)

typedef uint64_t pteval_t;

#define _PAGE_PRESENT	0x001UL
#define _PAGE_RW	0x002UL
#define _PAGE_USER	0x004UL
#define _PAGE_PWT	0x008UL
#define _PAGE_PCD	0x010UL
#define _PAGE_ACCESSED	0x020UL
#define _PAGE_DIRTY	0x040UL
#define _PAGE_PSE	0x080UL		/* a 2 MiB / 1 GiB leaf in a PD / PDPT */
#define _PAGE_GLOBAL	0x100UL
#define _PAGE_NX	(1UL << 63)

#define PAGE_KERNEL		(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | \
				 _PAGE_GLOBAL | pgtable_nx)
#define PAGE_KERNEL_EXEC	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | \
				 _PAGE_GLOBAL)
#define PAGE_KERNEL_NOCACHE	(PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)

extern pteval_t pgtable_nx;	/* _PAGE_NX if the CPU has NX, else 0 */

/* Build the kernel's page tables over RAM (memblock) and switch to them. */
void paging_init(void);

/* Called once guestmm is up: new table pages come from the page allocator. */
void pgtable_use_page_allocator(void);

/* Map @size bytes of device registers at @phys, uncached; NULL if out of room. */
void *ioremap(uint64_t phys, size_t size);

/*
 * Single 4 KiB kernel mappings, for vmalloc and (later) the platform's
 * map / unmap / accessed-bit operations.  Intermediate tables come from
 * the page allocator once it runs, from memblock before.
 */
int map_kernel_page(unsigned long va, uint64_t pa, pteval_t prot);
/* The leaf entry mapping @va (a 4 KiB PTE, or a 2 MiB / 1 GiB one), or NULL. */
pteval_t *lookup_kernel_pte(unsigned long va, int *level);

/*
 * The physical address behind a kernel virtual address (identity map,
 * direct map, vmalloc): what a device is given for DMA.  Pages of a
 * vmalloc'ed buffer are not contiguous: translate each page.
 * PHYS_ADDR_INVALID if nothing is mapped there.
 */
#define PHYS_ADDR_INVALID	(~0ULL)
uint64_t virt_to_phys(const void *addr);

/*
 * Address spaces of tasks (platform_as_create): the value CR3 takes
 * while one runs, and loading it.  switch_page_tables(0) loads the
 * kernel's own tables; with interrupts off (the scheduler's switch).
 */
struct platform_as;
uint64_t platform_as_cr3(struct platform_as *as);
void switch_page_tables(uint64_t cr3);

static inline void flush_tlb_one(unsigned long va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#endif
