// SPDX-License-Identifier: MIT
/*
 * The hosted platform's software MMU: 4-level page tables like x86-64's,
 * in malloc'd nodes, walked by hosted_access() for every access a
 * simulated program makes.
 *
 * A TLB shootdown is emulated with a per-address-space rwlock: accesses
 * hold it shared while they use a translation, and platform_tlb_flush_page()
 * takes it exclusively, so once a flush returns no access still uses the
 * old translation — what an IPI-based flush guarantees on hardware, and
 * what migration and swap-out rely on before they reuse a page.
 */
#include <guestmm/fault.h>
#include <guestmm/page.h>
#include <guestmm/pte.h>
#include <hosted/hosted.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PT_ENTRIES	512
#define PT_LEVELS	4

struct pt_node {
	void *slot[PT_ENTRIES];		/* inner levels: child nodes */
};

struct platform_as {
	pthread_rwlock_t tlb;
	struct pt_node *root;
};

static struct platform_as kernel_as = {
	.tlb = PTHREAD_RWLOCK_INITIALIZER,
};

/* vmalloc's range, as on x86-64 with 4-level paging. */
#define HOSTED_VMALLOC_START	0xffffc90000000000UL
#define HOSTED_VMALLOC_END	0xffffe8ffffffffffUL

struct platform_as *platform_kernel_as(void)
{
	return &kernel_as;
}

void platform_vmalloc_range(unsigned long *start, unsigned long *end)
{
	*start = HOSTED_VMALLOC_START;
	*end = HOSTED_VMALLOC_END;
}

struct platform_as *platform_as_create(void)
{
	struct platform_as *as = calloc(1, sizeof(*as));

	if (!as)
		return NULL;
	pthread_rwlock_init(&as->tlb, NULL);
	return as;
}

static void pt_free(struct pt_node *node, int level)
{
	if (!node)
		return;
	if (level > 1)
		for (int i = 0; i < PT_ENTRIES; i++)
			pt_free(node->slot[i], level - 1);
	free(node);
}

void platform_as_destroy(struct platform_as *as)
{
	if (!as || as == &kernel_as)
		return;
	pt_free(as->root, PT_LEVELS);
	pthread_rwlock_destroy(&as->tlb);
	free(as);
}

static unsigned int pt_index(unsigned long va, int level)
{
	return (unsigned int)(va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/* Nodes platform_pte_xchg() had to create (see hosted_pte_xchg_allocs). */
static unsigned long xchg_allocs;

/* The leaf entry for @va, allocating the path if @create. */
static uint64_t *pt_walk(struct platform_as *as, unsigned long va, bool create,
			 unsigned long *allocs)
{
	void **slot = (void **)&as->root;

	for (int level = PT_LEVELS; level >= 1; level--) {
		struct pt_node *node = __atomic_load_n((struct pt_node **)slot, __ATOMIC_ACQUIRE);

		if (!node) {
			struct pt_node *fresh;

			if (!create)
				return NULL;
			fresh = calloc(1, sizeof(*fresh));
			if (!fresh)
				return NULL;
			if (!__atomic_compare_exchange_n((struct pt_node **)slot, &node, fresh, false,
							 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				free(fresh);	/* somebody else installed it: use theirs */
			} else {
				node = fresh;
				if (allocs)
					__atomic_add_fetch(allocs, 1, __ATOMIC_RELAXED);
			}
		}
		slot = &node->slot[pt_index(va, level)];
	}
	return (uint64_t *)slot;
}

int platform_pte_alloc(struct platform_as *as, unsigned long va)
{
	return pt_walk(as, va, true, NULL) ? 0 : -ENOMEM;
}

unsigned long hosted_pte_xchg_allocs(void)
{
	return __atomic_load_n(&xchg_allocs, __ATOMIC_RELAXED);
}

uint64_t platform_pte_xchg(struct platform_as *as, unsigned long va, uint64_t pte)
{
	uint64_t *e = pt_walk(as, va, pte != 0, &xchg_allocs);

	if (!e)
		return pte ? PLATFORM_PTE_NOMEM : 0;
	return __atomic_exchange_n(e, pte, __ATOMIC_ACQ_REL);
}

uint64_t platform_pte_read(struct platform_as *as, unsigned long va)
{
	uint64_t *e = pt_walk(as, va, false, NULL);

	return e ? __atomic_load_n(e, __ATOMIC_ACQUIRE) : 0;
}

bool platform_pte_test_and_clear_young(struct platform_as *as, unsigned long va)
{
	uint64_t *e = pt_walk(as, va, false, NULL);

	if (!e)
		return false;
	return __atomic_fetch_and(e, ~(uint64_t)PTE_ACCESSED, __ATOMIC_ACQ_REL) & PTE_ACCESSED;
}

void platform_tlb_flush_page(struct platform_as *as, unsigned long va)
{
	(void)va;
	/* Wait out every access that may still hold the old translation. */
	pthread_rwlock_wrlock(&as->tlb);
	pthread_rwlock_unlock(&as->tlb);
}

int hosted_access(struct platform_as *as, unsigned long va, void *buf, size_t len, bool write)
{
	char *p = buf;

	while (len) {
		unsigned long off = va & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		int tries = 0;

		for (;;) {
			uint64_t *e;
			uint64_t pte;

			pthread_rwlock_rdlock(&as->tlb);
			e = pt_walk(as, va, false, NULL);
			pte = e ? __atomic_load_n(e, __ATOMIC_ACQUIRE) : 0;
			if (pte_present(pte) && (!write || (pte & PTE_RW))) {
				char *phys = (char *)hosted_phys_base() + (pte_pfn(pte) << PAGE_SHIFT) + off;

				/* The MMU sets accessed (and dirty) as it walks. */
				__atomic_fetch_or(e, PTE_ACCESSED | (write ? PTE_DIRTY : 0),
						  __ATOMIC_RELAXED);
				if (write)
					memcpy(phys, p, n);
				else
					memcpy(p, phys, n);
				pthread_rwlock_unlock(&as->tlb);
				break;
			}
			pthread_rwlock_unlock(&as->tlb);
			if (++tries > 8 || mm_handle_fault(as, va, write) != MM_FAULT_OK)
				return -1;
		}
		va += n;
		p += n;
		len -= n;
	}
	return 0;
}
