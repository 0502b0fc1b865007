// SPDX-License-Identifier: MIT
/*
 * The kernel's page tables (layout in include/guest/pgtable.h).
 *
 * paging_init() replaces head.S's boot tables with:
 *   - the identity map of the first GiB, with 2 MiB pages, except that the
 *     first 2 MiB use 4 KiB pages so that page 0 can stay unmapped;
 *   - the direct map of every RAM range at PAGE_OFFSET, with 1 GiB pages
 *     where the CPU has them and the range allows, 2 MiB pages elsewhere,
 *     not executable;
 * and leaves the ioremap and vmalloc areas empty, to be filled page by
 * page.  Table pages come from memblock during boot (below the identity
 * limit, so they can be written before the direct map exists) and from
 * the page allocator afterwards.
 */
#include <guest/memblock.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/x86.h>
#include <guestmm/errno.h>
#include <guestmm/page_alloc.h>
#include <guestmm/platform.h>

pteval_t pgtable_nx;

static pteval_t *kernel_pml4;
static uint64_t kernel_cr3;
static bool direct_map_ready;
static bool page_allocator_ready;
static unsigned long ioremap_next = IOREMAP_START;
static unsigned long nr_table_pages;

#define PTRS_PER_TABLE	512
#define TABLE_FLAGS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

static inline unsigned int pt_index(unsigned long va, int level)
{
	/* level 4: PML4, 3: PDPT, 2: PD, 1: PT */
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static void *table_va(uint64_t pa)
{
	return direct_map_ready ? __va(pa) : (void *)pa;
}

void pgtable_use_page_allocator(void)
{
	page_allocator_ready = true;
}

static uint64_t alloc_table(gfp_t gfp)
{
	uint64_t pa = 0;

	if (page_allocator_ready) {
		struct page *page = alloc_page(gfp | __GFP_ZERO);

		if (page) {
			pa = page_to_phys(page);
			memset(__va(pa), 0, PAGE_SIZE_4K);
		}
	} else {
		pa = memblock_alloc(PAGE_SIZE_4K, PAGE_SIZE_4K, IDENTITY_MAP_END);
	}
	if (pa)
		nr_table_pages++;
	return pa;
}

/* The table one level down from @entry, created if absent; NULL if out of memory. */
static pteval_t *next_table(pteval_t *entry, gfp_t gfp)
{
	pteval_t e = READ_ONCE(*entry);

	if (!(e & _PAGE_PRESENT)) {
		uint64_t pa = alloc_table(gfp);

		if (!pa)
			return NULL;
		/* The allocation may have slept, and somebody else filled the entry. */
		e = 0;
		if (__atomic_compare_exchange_n(entry, &e, pa | TABLE_FLAGS, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
			e = pa | TABLE_FLAGS;
		} else {
			__free_page(virt_to_page(__va(pa)));
			nr_table_pages--;
		}
	}
	if (e & _PAGE_PSE)
		return NULL;	/* a large page is in the way */
	return table_va(e & PTE_PFN_MASK);
}

/* Map [va, va + size) to [pa, ...) with the largest pages alignment allows. */
static int map_range(unsigned long va, uint64_t pa, uint64_t size, pteval_t prot, bool gbpages)
{
	while (size) {
		pteval_t *pdpt, *pd, *pt;

		pdpt = next_table(&kernel_pml4[pt_index(va, 4)], GFP_KERNEL);
		if (!pdpt)
			return -1;
		if (gbpages && IS_ALIGNED(va | pa, 1UL << 30) && size >= (1UL << 30)) {
			pdpt[pt_index(va, 3)] = pa | prot | _PAGE_PSE;
			va += 1UL << 30, pa += 1UL << 30, size -= 1UL << 30;
			continue;
		}
		pd = next_table(&pdpt[pt_index(va, 3)], GFP_KERNEL);
		if (!pd)
			return -1;
		if (IS_ALIGNED(va | pa, 1UL << 21) && size >= (1UL << 21)) {
			pd[pt_index(va, 2)] = pa | prot | _PAGE_PSE;
			va += 1UL << 21, pa += 1UL << 21, size -= 1UL << 21;
			continue;
		}
		pt = next_table(&pd[pt_index(va, 2)], GFP_KERNEL);
		if (!pt)
			return -1;
		pt[pt_index(va, 1)] = pa | prot;
		va += PAGE_SIZE_4K, pa += PAGE_SIZE_4K;
		size = size > PAGE_SIZE_4K ? size - PAGE_SIZE_4K : 0;
	}
	return 0;
}

void paging_init(void)
{
	uint32_t a, b, c, d;
	bool gbpages = false;
	uint64_t pml4_pa;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		if (d & (1u << 20)) {			/* NX */
			wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NX);
			pgtable_nx = _PAGE_NX;
		}
		gbpages = d & (1u << 26);		/* 1 GiB pages */
	}
	/*
	 * Workloads are ring-0 code touching their own user pages (PTE_USER,
	 * as guestmm maps anonymous memory): SMAP, had a loader left it on,
	 * would turn each of those accesses into a protection fault.
	 */
	write_cr4((read_cr4() | X86_CR4_PGE) & ~X86_CR4_SMAP);

	pml4_pa = alloc_table(GFP_KERNEL);
	if (!pml4_pa)
		panic("paging_init: no memory for page tables");
	kernel_pml4 = (pteval_t *)pml4_pa;

	/* Identity: [4 KiB, 1 GiB); page 0 stays unmapped. */
	if (map_range(PAGE_SIZE_4K, PAGE_SIZE_4K, IDENTITY_MAP_END - PAGE_SIZE_4K,
		      PAGE_KERNEL_EXEC, false) < 0)
		panic("paging_init: cannot build the identity map");

	/* The direct map: every RAM range, 2 MiB granular. */
	for (unsigned int i = 0; i < memblock_memory.cnt; i++) {
		const struct memblock_region *r = &memblock_memory.regions[i];
		uint64_t start = ALIGN_DOWN(r->base, 1UL << 21);
		uint64_t end = ALIGN_UP(r->base + r->size, 1UL << 21);

		if (map_range(PAGE_OFFSET + start, start, end - start, PAGE_KERNEL, gbpages) < 0)
			panic("paging_init: cannot map RAM at %#llx", (unsigned long long)start);
	}

	/* The ioremap + vmalloc PDPT exists from the start, so address spaces can share it. */
	if (!next_table(&kernel_pml4[pt_index(IOREMAP_START, 4)], GFP_KERNEL))
		panic("paging_init: no memory for the vmalloc tables");

	write_cr3(pml4_pa);
	kernel_cr3 = this_cpu()->loaded_cr3 = pml4_pa;
	direct_map_ready = true;
	kernel_pml4 = __va(pml4_pa);
	pr_info("paging: identity map 0-%luM, direct map at %#lx (%s pages), %lu table pages, NX %s\n",
		IDENTITY_MAP_END >> 20, PAGE_OFFSET, gbpages ? "1G" : "2M", nr_table_pages,
		pgtable_nx ? "on" : "off");
}

pteval_t *lookup_kernel_pte(unsigned long va, int *level)
{
	pteval_t *table = kernel_pml4;

	for (int lvl = 4; lvl >= 1; lvl--) {
		pteval_t *e = &table[pt_index(va, lvl)];

		if (!(*e & _PAGE_PRESENT))
			return NULL;
		if (lvl == 1 || (lvl <= 3 && (*e & _PAGE_PSE))) {
			if (level)
				*level = lvl;
			return e;
		}
		table = table_va(*e & PTE_PFN_MASK);
	}
	return NULL;
}

uint64_t virt_to_phys(const void *addr)
{
	unsigned long va = (unsigned long)addr, size;
	int level;
	pteval_t *pte = lookup_kernel_pte(va, &level);

	if (!pte)
		return PHYS_ADDR_INVALID;
	/* A 2 MiB or 1 GiB leaf: bit 12 is PAT there, not an address bit. */
	size = 1UL << (12 + 9 * (level - 1));
	return (*pte & PTE_PFN_MASK & ~(uint64_t)(size - 1)) + (va & (size - 1));
}

/*
 * TLB shootdown (docs/smp.md): every CPU that may cache a translation of
 * @va in @cr3 flushes it before the caller goes on to free or reuse what
 * it mapped; other CPUs from an IPI.  The kernel's mappings are in every
 * address space, so every CPU; a task's only where its CR3 is loaded.  A
 * CPU that loads it after the PTE changed cannot hold the old entry: the
 * PTE store (a locked XCHG or followed by one) comes before reading
 * loaded_cr3 here, and that CPU stores loaded_cr3 before its serializing
 * CR3 write, which empties its TLB of the address space's entries.
 */
struct flush_req {
	unsigned long va;
};

static void flush_tlb_one_ipi(void *arg)
{
	flush_tlb_one(((struct flush_req *)arg)->va);
}

static void flush_tlb_cpus(uint64_t cr3, unsigned long va)
{
	struct flush_req req = { va };
	uint64_t mask = 0;
	unsigned int n = READ_ONCE(nr_cpus_online);

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int c = 0; c < n; c++)
		if (cr3 == kernel_cr3 || READ_ONCE(percpu_areas[c].loaded_cr3) == cr3)
			mask |= 1ULL << c;
	flush_tlb_one(va);
	smp_call_function_many(mask, flush_tlb_one_ipi, &req);
}

int map_kernel_page(unsigned long va, uint64_t pa, pteval_t prot)
{
	unsigned long flags = arch_local_irq_save();
	int ret = map_range(va, pa, PAGE_SIZE_4K, prot, false);

	flush_tlb_one(va);
	arch_local_irq_restore(flags);
	return ret;
}

void *ioremap(uint64_t phys, size_t size)
{
	uint64_t base = ALIGN_DOWN(phys, PAGE_SIZE_4K);
	uint64_t end = ALIGN_UP(phys + size, PAGE_SIZE_4K);
	unsigned long va = ioremap_next;

	if (end - base > IOREMAP_END - ioremap_next)
		return NULL;
	for (uint64_t p = base; p < end; p += PAGE_SIZE_4K)
		if (map_kernel_page(va + (p - base), p, PAGE_KERNEL_NOCACHE) < 0)
			return NULL;
	ioremap_next += end - base;
	return (void *)(va + (phys - base));
}

/*
 * --- include/guestmm/platform.h: address spaces ---------------------------
 *
 * The kernel's address space is kernel_pml4; a new one starts as a copy of
 * its PML4 (so the shared kernel entries are the same tables) and gets
 * tables of its own only below PML4 entries in [USER_AS_START, USER_AS_END).
 * guestmm's pte_t is the hardware layout, stored unchanged.
 */
struct platform_as {
	pteval_t *pml4;
};

static struct platform_as kernel_as;

struct platform_as *platform_kernel_as(void)
{
	kernel_as.pml4 = kernel_pml4;
	return &kernel_as;
}

struct platform_as *platform_as_create(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct platform_as *as;

	if (!page)
		return NULL;
	/* One page for the struct (room to grow), one for the PML4. */
	as = page_address(page);
	memset(as, 0, PAGE_SIZE_4K);
	{
		uint64_t pa = alloc_table(GFP_KERNEL);

		if (!pa) {
			__free_page(page);
			return NULL;
		}
		as->pml4 = __va(pa);
		memcpy(as->pml4, kernel_pml4, PAGE_SIZE_4K);
	}
	return as;
}

static void free_tables(pteval_t *table, int level)
{
	for (int i = 0; i < PTRS_PER_TABLE && level > 1; i++)
		if ((table[i] & _PAGE_PRESENT) && !(table[i] & _PAGE_PSE))
			free_tables(__va(table[i] & PTE_PFN_MASK), level - 1);
	__free_page(virt_to_page(table));
}

void platform_as_destroy(struct platform_as *as)
{
	if (!as || as == &kernel_as)
		return;
	for (unsigned int i = pt_index(USER_AS_START, 4); i < pt_index(USER_AS_END - 1, 4) + 1; i++)
		if (as->pml4[i] & _PAGE_PRESENT)
			free_tables(__va(as->pml4[i] & PTE_PFN_MASK), 3);
	__free_page(virt_to_page(as->pml4));
	__free_page(virt_to_page(as));
}

void platform_vmalloc_range(unsigned long *start, unsigned long *end)
{
	*start = VMALLOC_START;
	*end = VMALLOC_END;
}

/* The 4 KiB entry for @va in @as, created (with its tables, from @gfp) if @create. */
static pteval_t *as_pte(struct platform_as *as, unsigned long va, bool create, gfp_t gfp)
{
	pteval_t *table = as->pml4;

	for (int lvl = 4; lvl > 1; lvl--) {
		pteval_t *e = &table[pt_index(va, lvl)];

		if (*e & _PAGE_PSE)
			return NULL;
		if (!(*e & _PAGE_PRESENT)) {
			if (!create)
				return NULL;
			table = next_table(e, gfp);
			if (!table)
				return NULL;
		} else {
			table = table_va(*e & PTE_PFN_MASK);
		}
	}
	return &table[pt_index(va, 1)];
}

int platform_pte_alloc(struct platform_as *as, unsigned long va)
{
	return as_pte(as, va, true, GFP_KERNEL) ? 0 : -ENOMEM;
}

uint64_t platform_pte_xchg(struct platform_as *as, unsigned long va, uint64_t pte)
{
	unsigned long flags = arch_local_irq_save();
	/* Interrupts off, and maybe a spinlock held: a missing table must not reclaim. */
	pteval_t *p = as_pte(as, va, pte != 0, GFP_ATOMIC);
	uint64_t old = 0;

	if (p)
		old = __atomic_exchange_n(p, pte, __ATOMIC_RELAXED);
	else if (pte)
		old = PLATFORM_PTE_NOMEM;
	if (p && (old & _PAGE_PRESENT))
		flush_tlb_cpus(platform_as_cr3(as), va);
	arch_local_irq_restore(flags);
	return old;
}

uint64_t platform_pte_read(struct platform_as *as, unsigned long va)
{
	pteval_t *p = as_pte(as, va, false, 0);

	return p ? READ_ONCE(*p) : 0;
}

bool platform_pte_test_and_clear_young(struct platform_as *as, unsigned long va)
{
	pteval_t *p = as_pte(as, va, false, 0);
	bool young;

	if (!p || !(READ_ONCE(*p) & _PAGE_PRESENT))
		return false;
	young = __atomic_fetch_and(p, ~_PAGE_ACCESSED, __ATOMIC_RELAXED) & _PAGE_ACCESSED;
	if (young)
		flush_tlb_one(va);
	return young;
}

void platform_tlb_flush_page(struct platform_as *as, unsigned long va)
{
	/*
	 * Where @as is not loaded, its entries left the TLB when CR3 last
	 * changed (task pages are not global); flushing a stranger's @va
	 * locally costs one refill at most.
	 */
	flush_tlb_cpus(platform_as_cr3(as), va);
}

uint64_t platform_as_cr3(struct platform_as *as)
{
	return as == &kernel_as ? kernel_cr3 : __pa(as->pml4);
}

void switch_page_tables(uint64_t cr3)
{
	if (!cr3)
		cr3 = kernel_cr3;
	/* Reloading the same CR3 would flush the TLB for nothing. */
	if (cr3 != this_cpu()->loaded_cr3) {
		this_cpu()->loaded_cr3 = cr3;
		write_cr3(cr3);
	}
}
