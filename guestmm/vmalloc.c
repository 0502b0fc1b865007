// SPDX-License-Identifier: MIT
/*
 * vmalloc and vfree (see include/guestmm/vmalloc.h).
 *
 * Busy areas sit on one list sorted by address; a new area goes into the
 * first gap that fits it and its guard page (first fit, as Linux's
 * vmap_area allocator in effect does, without the augmented rbtree: a
 * guest has tens of areas, not thousands).  The range is reserved under
 * the lock, then the pages are allocated and mapped without it, so an
 * allocation that reclaims blocks nobody else's vmalloc.
 */
#include "slab_internal.h"
#include <guestmm/pte.h>
#include <guestmm/vmalloc.h>

/* Kernel data: read-write, never executed, as x86's PAGE_KERNEL. */
#define VMALLOC_PROT	(PTE_RW | PTE_NX | PTE_ACCESSED | PTE_DIRTY)

struct vmap_area {
	unsigned long va_start, va_end;	/* mapped pages; the guard page follows */
	struct list_head list;		/* vmap_areas, by address */
	struct page **pages;
	unsigned int nr_pages;
};

static struct list_head vmap_areas = LIST_HEAD_INIT(vmap_areas);
static spinlock_t vmap_lock = SPIN_LOCK_UNLOCKED;
static unsigned long vmalloc_start, vmalloc_end;
static unsigned long nr_vmalloc_pages;

void vmalloc_init(void)
{
	INIT_LIST_HEAD(&vmap_areas);
	spin_lock_init(&vmap_lock);
	nr_vmalloc_pages = 0;
	platform_vmalloc_range(&vmalloc_start, &vmalloc_end);
}

bool is_vmalloc_addr(const void *addr)
{
	unsigned long va = (unsigned long)addr;

	return va >= vmalloc_start && va < vmalloc_end;
}

unsigned long vmalloc_nr_pages(void)
{
	return READ_ONCE(nr_vmalloc_pages);
}

/* Reserve @size bytes of address space plus a guard page. */
static int alloc_vmap_area(struct vmap_area *va, unsigned long size)
{
	unsigned long start = vmalloc_start, need = size + PAGE_SIZE, flags;
	struct list_head *pos;

	spin_lock_irqsave(&vmap_lock, flags);
	list_for_each(pos, &vmap_areas) {
		struct vmap_area *busy = list_entry(pos, struct vmap_area, list);

		if (busy->va_start - start >= need)
			break;
		start = busy->va_end + PAGE_SIZE;
	}
	if (vmalloc_end - start < need) {
		spin_unlock_irqrestore(&vmap_lock, flags);
		return -1;
	}
	va->va_start = start;
	va->va_end = start + size;
	/* Before the busy area that ended the search: the list stays sorted. */
	list_add_tail(&va->list, pos);
	spin_unlock_irqrestore(&vmap_lock, flags);
	return 0;
}

static void free_vmap_area(struct vmap_area *va)
{
	unsigned long flags;

	spin_lock_irqsave(&vmap_lock, flags);
	list_del(&va->list);
	spin_unlock_irqrestore(&vmap_lock, flags);
}

/* Unmap and free the first @nr pages of @va. */
static void unmap_area_pages(struct vmap_area *va, unsigned int nr)
{
	struct platform_as *as = platform_kernel_as();

	for (unsigned int i = 0; i < nr; i++) {
		unsigned long addr = va->va_start + ((unsigned long)i << PAGE_SHIFT);

		platform_pte_xchg(as, addr, 0);
		platform_tlb_flush_page(as, addr);
		__free_page(va->pages[i]);
	}
	__atomic_sub_fetch(&nr_vmalloc_pages, nr, __ATOMIC_RELAXED);
}

static void *__vmalloc_node(unsigned long size, gfp_t gfp, int nid)
{
	struct platform_as *as = platform_kernel_as();
	struct vmap_area *va;
	unsigned int i = 0, nr;

	size = ALIGN_UP(size, PAGE_SIZE);
	if (!size || (size >> PAGE_SHIFT) > totalram_pages())
		return NULL;
	nr = (unsigned int)(size >> PAGE_SHIFT);
	va = kmalloc(sizeof(*va), GFP_KERNEL);
	if (!va)
		return NULL;
	va->nr_pages = nr;
	va->pages = kmalloc(nr * sizeof(struct page *), GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO);
	if (!va->pages)
		goto free_va;
	if (alloc_vmap_area(va, size))
		goto free_pages_array;

	for (i = 0; i < nr; i++) {
		unsigned long addr = va->va_start + ((unsigned long)i << PAGE_SHIFT);
		struct page *page;

		/* A caller that may sleep may wait for the page tables too. */
		if (gfpflags_allow_blocking(gfp) && platform_pte_alloc(as, addr) < 0)
			goto unmap;
		page = nid == NUMA_NO_NODE ? alloc_page(gfp) : alloc_pages_node(nid, gfp, 0);
		if (!page)
			goto unmap;
		if (platform_pte_xchg(as, addr, pfn_pte(page_to_pfn(page), VMALLOC_PROT)) ==
		    PLATFORM_PTE_NOMEM) {
			__free_page(page);
			goto unmap;
		}
		va->pages[i] = page;
		__atomic_add_fetch(&nr_vmalloc_pages, 1, __ATOMIC_RELAXED);
	}
	return (void *)va->va_start;

unmap:
	unmap_area_pages(va, i);
	free_vmap_area(va);
free_pages_array:
	kfree(va->pages);
free_va:
	kfree(va);
	if (!(gfp & __GFP_NOWARN))
		mm_printk("vmalloc: allocation failure: %lu bytes", size);
	return NULL;
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, GFP_KERNEL, NUMA_NO_NODE);
}

void *vzalloc(unsigned long size)
{
	return __vmalloc_node(size, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE);
}

void *vmalloc_node(unsigned long size, int nid)
{
	return __vmalloc_node(size, GFP_KERNEL, nid);
}

void vfree(const void *addr)
{
	unsigned long flags, start = (unsigned long)addr;
	struct vmap_area *va, *found = NULL;

	if (!addr)
		return;
	spin_lock_irqsave(&vmap_lock, flags);
	list_for_each_entry(va, &vmap_areas, list) {
		if (va->va_start == start) {
			found = va;
			list_del(&va->list);
			break;
		}
	}
	spin_unlock_irqrestore(&vmap_lock, flags);
	if (!found) {
		mm_printk("Trying to vfree() nonexistent vm area (%p)", addr);
		return;
	}
	unmap_area_pages(found, found->nr_pages);
	kfree(found->pages);
	kfree(found);
}

struct page *vmalloc_to_page(const void *addr)
{
	pte_t pte;

	if (!is_vmalloc_addr(addr))
		return NULL;
	pte = platform_pte_read(platform_kernel_as(), (unsigned long)addr & PAGE_MASK);
	return pte_present(pte) ? pfn_to_page(pte_pfn(pte)) : NULL;
}

void report_vmallocinfo(struct seq_buf *s)
{
	unsigned long flags;
	struct vmap_area *va;

	spin_lock_irqsave(&vmap_lock, flags);
	list_for_each_entry(va, &vmap_areas, list) {
		unsigned int per_node[MAX_NUMNODES] = { 0 };

		/* Linux counts the guard page in the size. */
		seq_printf(s, "0x%016lx-0x%016lx %7lu pages=%u vmalloc", va->va_start,
			   va->va_end + PAGE_SIZE, va->va_end + PAGE_SIZE - va->va_start,
			   va->nr_pages);
		for (unsigned int i = 0; i < va->nr_pages; i++)
			if (va->pages[i])
				per_node[page_to_nid(va->pages[i])]++;
		for (int nid = 0; nid < nr_online_nodes; nid++)
			if (per_node[nid])
				seq_printf(s, " N%d=%u", nid, per_node[nid]);
		seq_putc(s, '\n');
	}
	spin_unlock_irqrestore(&vmap_lock, flags);
}
