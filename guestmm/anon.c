// SPDX-License-Identifier: MIT
/*
 * Anonymous memory: address spaces whose pages are allocated on first
 * touch, mapped once, and movable through their reverse map
 * (page->mapping = the mm, page->index = the virtual address).
 *
 * Lifetime: an mm_anon is held by its owner and by each of its pages
 * that migration has isolated.  The fault handler finds it through the
 * anon_mms list, under anon_mms_lock; destroy takes it off that list
 * first, so a lookup can never revive an mm whose last hold is going.
 */
#include "internal.h"
#include <guestmm/anon.h>
#include <guestmm/pte.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>

_Static_assert(sizeof(struct mm_anon) <= PAGE_SIZE, "struct mm_anon lives in one page");

static struct list_head anon_mms = LIST_HEAD_INIT(anon_mms);
static spinlock_t anon_mms_lock = SPIN_LOCK_UNLOCKED;

static const struct movable_operations anon_movable_ops;

static inline struct mm_anon *page_anon_mm(const struct page *page)
{
	return container_of(page_movable_mapping(page), struct mm_anon, mapping);
}

static void mm_anon_free(struct mm_anon *mm)
{
	platform_as_destroy(mm->as);
	free_pages(mm, 0);
}

struct mm_anon *mm_anon_create(void)
{
	struct mm_anon *mm = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 0);
	unsigned long flags;

	if (!mm)
		return NULL;
	mm->as = platform_as_create();
	if (!mm->as)
		goto err_free;
	mm->mapping.ops = &anon_movable_ops;
	spin_lock_init(&mm->lock);
	mm->refs = 1;
	spin_lock_irqsave(&anon_mms_lock, flags);
	list_add_tail(&mm->list, &anon_mms);
	spin_unlock_irqrestore(&anon_mms_lock, flags);
	return mm;

err_free:
	free_pages(mm, 0);
	return NULL;
}

struct mm_anon *anon_mm_get(struct platform_as *as)
{
	struct mm_anon *mm, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&anon_mms_lock, flags);
	list_for_each_entry(mm, &anon_mms, list) {
		if (mm->as == as) {
			__atomic_add_fetch(&mm->refs, 1, __ATOMIC_RELAXED);
			found = mm;
			break;
		}
	}
	spin_unlock_irqrestore(&anon_mms_lock, flags);
	return found;
}

void anon_mm_put(struct mm_anon *mm)
{
	if (__atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		mm_anon_free(mm);
}

/* The region holding @va, or NULL; mm->lock held. */
static const struct anon_region *find_region(const struct mm_anon *mm, unsigned long va)
{
	for (unsigned int i = 0; i < mm->nr_regions; i++)
		if (va >= mm->regions[i].start && va < mm->regions[i].end)
			return &mm->regions[i];
	return NULL;
}

int anon_map(struct mm_anon *mm, unsigned long start, unsigned long len, bool writable)
{
	unsigned long end = start + len, flags;
	int ret = 0;

	if (!len || !IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE) || end < start)
		return -EINVAL;
	spin_lock_irqsave(&mm->lock, flags);
	for (unsigned int i = 0; i < mm->nr_regions; i++) {
		if (start < mm->regions[i].end && mm->regions[i].start < end) {
			ret = -EINVAL;
			goto out;
		}
	}
	if (mm->nr_regions == ANON_MAX_REGIONS) {
		ret = -ENOMEM;
		goto out;
	}
	mm->regions[mm->nr_regions++] = (struct anon_region){ start, end, writable };
out:
	spin_unlock_irqrestore(&mm->lock, flags);
	return ret;
}

/*
 * Clear the entry for @va; returns the page it mapped, whose reference
 * (the mapping's) the caller drops after unlocking.  An isolated page
 * keeps page->mapping: migration will find it unmapped and let it go.
 */
static struct page *zap_pte(struct mm_anon *mm, unsigned long va)
{
	pte_t old = platform_pte_xchg(mm->as, va, 0);
	struct page *page;

	if (pte_is_swap(old)) {
		swap_free_entry(old);
		mm->swapents--;
		return NULL;
	}
	if (!pte_present(old))
		return NULL;
	platform_tlb_flush_page(mm->as, va);
	page = pfn_to_page(pte_pfn(old));
	lru_del_page(page);
	if (!PageFlag(page, PG_isolated))
		page_clear_movable(page);
	mm->rss--;
	mod_node_page_state(page_zone(page)->zone_pgdat, NR_ANON_MAPPED, -1);
	return page;
}

/* Zap the pages of [start, end) in batches, freeing them outside the lock. */
static void zap_range(struct mm_anon *mm, unsigned long start, unsigned long end)
{
	struct list_head freed = LIST_HEAD_INIT(freed);
	unsigned long va = start, flags;
	struct page *page, *next;

	while (va < end) {
		spin_lock_irqsave(&mm->lock, flags);
		for (int n = 0; n < 64 && va < end; n++, va += PAGE_SIZE) {
			page = zap_pte(mm, va);
			/* An isolated page's lru belongs to the migration list. */
			if (page && !PageFlag(page, PG_isolated))
				list_add_tail(&page->lru, &freed);
			else if (page)
				__free_pages(page, 0);	/* not the last reference */
		}
		spin_unlock_irqrestore(&mm->lock, flags);
		list_for_each_entry_safe(page, next, &freed, lru) {
			list_del(&page->lru);
			__free_pages(page, 0);
		}
		platform_yield();
	}
}

void anon_discard(struct mm_anon *mm, unsigned long start, unsigned long len)
{
	zap_range(mm, ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(start + len, PAGE_SIZE));
}

void anon_unmap(struct mm_anon *mm, unsigned long start, unsigned long len)
{
	unsigned long end = ALIGN_UP(start + len, PAGE_SIZE), flags;
	unsigned int i = 0;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	zap_range(mm, start, end);
	/* Forget the range: drop, trim or split the regions it touches. */
	spin_lock_irqsave(&mm->lock, flags);
	while (i < mm->nr_regions) {
		struct anon_region *r = &mm->regions[i];

		if (end <= r->start || r->end <= start) {
			i++;
		} else if (start <= r->start && r->end <= end) {
			*r = mm->regions[--mm->nr_regions];
		} else if (r->start < start && end < r->end) {
			/* A hole in the middle needs a second region; keep it whole if none is left. */
			if (mm->nr_regions < ANON_MAX_REGIONS) {
				mm->regions[mm->nr_regions++] =
					(struct anon_region){ end, r->end, r->writable };
				r->end = start;
			}
			i++;
		} else {
			if (r->start < start)
				r->end = start;
			else
				r->start = end;
			i++;
		}
	}
	spin_unlock_irqrestore(&mm->lock, flags);
}

void mm_anon_destroy(struct mm_anon *mm)
{
	unsigned long flags;

	spin_lock_irqsave(&anon_mms_lock, flags);
	list_del(&mm->list);
	spin_unlock_irqrestore(&anon_mms_lock, flags);
	for (unsigned int i = 0; i < mm->nr_regions; i++)
		zap_range(mm, mm->regions[i].start, mm->regions[i].end);
	mm->nr_regions = 0;
	/* No isolation may still be about to take a hold through a cleared mapping. */
	movable_mapping_sync();
	anon_mm_put(mm);
}

enum mm_fault_result anon_fault(struct mm_anon *mm, unsigned long va, bool write)
{
	const struct anon_region *r;
	enum mm_fault_result ret = MM_FAULT_OK;
	unsigned long flags;
	struct page *page;
	uint64_t prot;
	pte_t pte;

	va = ALIGN_DOWN(va, PAGE_SIZE);
	count_vm_event(PGFAULT);

	spin_lock_irqsave(&mm->lock, flags);
	r = find_region(mm, va);
	if (!r || (write && !r->writable)) {
		spin_unlock_irqrestore(&mm->lock, flags);
		return MM_FAULT_SIGSEGV;
	}
	if (mm->dying) {
		spin_unlock_irqrestore(&mm->lock, flags);
		return MM_FAULT_OOM;		/* OOM-killed: its memory is gone */
	}
	pte = platform_pte_read(mm->as, va);
	prot = PTE_USER | PTE_NX | (r->writable ? PTE_RW : 0);
	spin_unlock_irqrestore(&mm->lock, flags);
	/* Populated meanwhile (or being migrated, and now done). */
	if (pte_present(pte))
		return MM_FAULT_OK;
	if (pte_is_swap(pte))
		return swapin_anon_page(mm, va, pte, prot);

	/*
	 * Not under the lock: the allocations may reclaim or compact, which
	 * take mm->lock to unmap or migrate our own pages.  That includes
	 * the page table the entry goes into.
	 */
	if (platform_pte_alloc(mm->as, va) < 0)
		return MM_FAULT_OOM;
	page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	if (!page)
		return MM_FAULT_OOM;

	spin_lock_irqsave(&mm->lock, flags);
	r = find_region(mm, va);
	if (!r || mm->dying) {
		ret = r ? MM_FAULT_OOM : MM_FAULT_SIGSEGV;	/* unmapped or killed meanwhile */
		goto out_free;
	}
	if (!pte_none(platform_pte_read(mm->as, va)))
		goto out_free;			/* another thread's fault won */
	prot = PTE_USER | PTE_NX | (r->writable ? PTE_RW : 0);
	page->index = va;
	page_set_movable(page, &mm->mapping);
	if (platform_pte_xchg(mm->as, va, pfn_pte(page_to_pfn(page), prot)) == PLATFORM_PTE_NOMEM) {
		page_clear_movable(page);
		ret = MM_FAULT_OOM;
		goto out_free;
	}
	mm->rss++;
	mod_node_page_state(page_zone(page)->zone_pgdat, NR_ANON_MAPPED, 1);
	SetPageFlag(page, PG_swapbacked);
	lru_add_page(page);
	spin_unlock_irqrestore(&mm->lock, flags);
	return MM_FAULT_OK;

out_free:
	spin_unlock_irqrestore(&mm->lock, flags);
	__free_pages(page, 0);
	return ret;
}

/* --- Migration: the owner's side ----------------------------------------- */

/* Does @mm still map @page where its reverse map says?  mm->lock held. */
static bool anon_page_mapped(struct mm_anon *mm, const struct page *page)
{
	pte_t pte = platform_pte_read(mm->as, page->index);

	return pte_present(pte) && pte_pfn(pte) == page_to_pfn(page);
}

static bool anon_lock(struct mm_anon *mm, enum migrate_mode mode, unsigned long *flags)
{
	if (mode != MIGRATE_ASYNC) {
		spin_lock_irqsave(&mm->lock, *flags);
		return true;
	}
	*flags = platform_irq_save();
	if (spin_trylock(&mm->lock))
		return true;
	platform_irq_restore(*flags);
	return false;
}

static void mod_isolated(struct page *page, long delta)
{
	mod_node_page_state(page_zone(page)->zone_pgdat, NR_ISOLATED_ANON, delta);
}

/* Called under movable_lock, which keeps the mm alive until we hold it. */
static bool anon_isolate_page(struct page *page, enum migrate_mode mode)
{
	struct mm_anon *mm = page_anon_mm(page);
	unsigned long flags;
	bool mapped;

	if (!anon_lock(mm, mode, &flags))
		return false;
	mapped = page_movable_mapping(page) == &mm->mapping && anon_page_mapped(mm, page);
	if (mapped) {
		__atomic_add_fetch(&mm->refs, 1, __ATOMIC_RELAXED);
		mod_isolated(page, 1);
		/* Off its LRU list: page->lru now belongs to the isolator. */
		lru_del_page(page);
	}
	spin_unlock_irqrestore(&mm->lock, flags);
	return mapped;
}

static int anon_migrate_page(struct page *dst, struct page *src, enum migrate_mode mode)
{
	struct mm_anon *mm = page_anon_mm(src);
	unsigned long va = src->index, flags;
	pte_t old;

	if (!anon_lock(mm, mode, &flags))
		return -EAGAIN;
	if (!anon_page_mapped(mm, src)) {
		spin_unlock_irqrestore(&mm->lock, flags);
		return -ENOENT;
	}
	/*
	 * Unmap, then wait out every access still using the old entry; an
	 * access from now on faults and waits for mm->lock, by which time
	 * the new entry is in place.
	 */
	old = platform_pte_xchg(mm->as, va, 0);
	platform_tlb_flush_page(mm->as, va);
	memcpy(page_address(dst), page_address(src), PAGE_SIZE);
	dst->index = va;
	dst->flags |= src->flags & (BIT(PG_swapbacked) | BIT(PG_active) | BIT(PG_referenced));
	page_set_movable(dst, &mm->mapping);
	lru_add_page(dst);
	/* Same protection, accessed and dirty bits: only the frame changes. */
	platform_pte_xchg(mm->as, va, (old & ~PTE_PFN_MASK) | ((pte_t)page_to_pfn(dst) << PAGE_SHIFT));
	page_clear_movable(src);
	mod_isolated(src, -1);
	spin_unlock_irqrestore(&mm->lock, flags);

	__free_pages(src, 0);		/* the mapping's reference */
	anon_mm_put(mm);		/* the isolation's hold */
	return 0;
}

static void anon_putback_page(struct page *page)
{
	struct mm_anon *mm = page_anon_mm(page);
	unsigned long flags;

	spin_lock_irqsave(&mm->lock, flags);
	/* Unmapped while isolated: the reverse map goes, the page will be freed. */
	if (!anon_page_mapped(mm, page))
		page_clear_movable(page);
	else
		lru_add_page(page);
	mod_isolated(page, -1);
	spin_unlock_irqrestore(&mm->lock, flags);
	anon_mm_put(mm);
}

static const struct movable_operations anon_movable_ops = {
	.isolate_page = anon_isolate_page,
	.migrate_page = anon_migrate_page,
	.putback_page = anon_putback_page,
};
