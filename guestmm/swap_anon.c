// SPDX-License-Identifier: MIT
/*
 * Anonymous pages to swap and back: the owner's half of reclaim (Linux's
 * try_to_unmap + swap_writepage for private anonymous memory) and the
 * swap-in fault (do_swap_page).
 *
 * Swap-out of a batch of isolated pages, each mapped once:
 *   1. a run of consecutive slots (count 1 + SWAP_HAS_CACHE each);
 *   2. under the mm's lock, each PTE becomes the swap entry and the TLB
 *      is flushed: from now on an access faults and waits for the slot;
 *   3. one write of the batch to the platform's device;
 *   4. success: the page is freed and leaves a workingset shadow;
 *      failure: the PTE gets its page back (nothing is lost), the slot
 *      is freed, and the page goes to the active list.
 * A page unmapped meanwhile (munmap, OOM) is simply freed.
 *
 * Swap-in takes SWAP_HAS_CACHE, reads into a fresh page, and maps it if
 * the PTE still holds the entry.  A read error leaves the entry in place
 * (the data is still on the device) and the access gets SIGBUS.
 */
#include "internal.h"
#include <guestmm/anon.h>
#include <guestmm/psi.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>

struct swap_batch {
	unsigned int type;
	unsigned long slot;		/* of page[0]; the rest follow */
	unsigned int nr;
	struct page *page[SWAP_BATCH];
	pte_t old[SWAP_BATCH];		/* the PTE each replaced, 0 if it was gone */
	void *addr[SWAP_BATCH];
};

static inline struct mm_anon *page_anon_mm(const struct page *page)
{
	return container_of(page_movable_mapping(page), struct mm_anon, mapping);
}

/* Does @mm still map @page where its reverse map says?  mm->lock held. */
static bool mapped_here(struct mm_anon *mm, const struct page *page)
{
	pte_t pte = platform_pte_read(mm->as, page->index);

	return pte_present(pte) && pte_pfn(pte) == page_to_pfn(page);
}

bool page_referenced(struct page *page)
{
	struct mm_anon *mm = page_anon_mm(page);
	unsigned long flags;
	bool young;

	spin_lock_irqsave(&mm->lock, flags);
	young = mapped_here(mm, page) && platform_pte_test_and_clear_young(mm->as, page->index);
	spin_unlock_irqrestore(&mm->lock, flags);
	return young;
}

static void mod_mm_counters(struct mm_anon *mm, struct page *page, long mapped)
{
	mm->rss += (unsigned long)mapped;
	mm->swapents -= (unsigned long)mapped;
	mod_node_page_state(page_zone(page)->zone_pgdat, NR_ANON_MAPPED, mapped);
}

/* Step 2 for one page. */
static pte_t unmap_to_swap(struct page *page, pte_t entry)
{
	struct mm_anon *mm = page_anon_mm(page);
	unsigned long flags;
	pte_t old = 0;

	spin_lock_irqsave(&mm->lock, flags);
	if (mapped_here(mm, page)) {
		old = platform_pte_xchg(mm->as, page->index, entry);
		platform_tlb_flush_page(mm->as, page->index);
		mod_mm_counters(mm, page, -1);
	}
	spin_unlock_irqrestore(&mm->lock, flags);
	return old;
}

/*
 * The page left its mm (written out, or unmapped under us): drop the
 * isolation, the mm hold, and both references (the mapping's, ours).
 * mm->lock held; released here.
 */
static void release_page(struct mm_anon *mm, struct page *page, unsigned long flags)
{
	page_clear_movable(page);
	mod_node_page_state(page_zone(page)->zone_pgdat, NR_ISOLATED_ANON, -1);
	spin_unlock_irqrestore(&mm->lock, flags);
	__atomic_fetch_and(&page->flags, ~BIT(PG_isolated), __ATOMIC_RELEASE);
	anon_mm_put(mm);
	__free_pages(page, 0);
	__free_pages(page, 0);
}

/* Step 4 for one page: true if it was freed. */
static bool finish_swap_out(struct swap_batch *b, unsigned int i, int err,
			    struct list_head *keep)
{
	struct page *page = b->page[i];
	struct mm_anon *mm = page_anon_mm(page);
	pte_t entry = swp_entry_pte(b->type, b->slot + i);
	unsigned long flags;
	bool ours;

	if (!b->old[i]) {
		/* Unmapped before we got to it: nobody holds the slot. */
		swap_free_entry(entry);
		swapcache_clear(b->type, b->slot + i);
		list_add_tail(&page->lru, keep);
		return false;
	}
	spin_lock_irqsave(&mm->lock, flags);
	ours = platform_pte_read(mm->as, page->index) == entry;
	if (err && ours) {
		/* The device failed us: the page stays, mapped as before. */
		platform_pte_xchg(mm->as, page->index, b->old[i]);
		mod_mm_counters(mm, page, 1);
		swap_free_entry(entry);
		spin_unlock_irqrestore(&mm->lock, flags);
		swapcache_clear(b->type, b->slot + i);
		__atomic_fetch_or(&page->flags, BIT(PG_active), __ATOMIC_RELAXED);
		list_add_tail(&page->lru, keep);
		return false;
	}
	if (ours)
		swap_set_shadow(b->type, b->slot + i, workingset_eviction(page));
	/* Written out, or the entry was zapped meanwhile: the page goes either way. */
	release_page(mm, page, flags);
	swapcache_clear(b->type, b->slot + i);
	return true;
}

unsigned long swap_out_pages(struct list_head *pages, struct list_head *keep)
{
	unsigned long freed = 0;
	struct swap_batch b;

	while (!list_empty(pages)) {
		unsigned int want = 0;
		struct list_head *pos;
		int err;

		list_for_each(pos, pages)
			if (++want == SWAP_BATCH)
				break;
		b.nr = swap_alloc_run(want, &b.type, &b.slot);
		if (!b.nr) {
			/* Swap is full (or off): keep them, active, as Linux does. */
			struct page *page, *next;

			list_for_each_entry_safe(page, next, pages, lru) {
				__atomic_fetch_or(&page->flags, BIT(PG_active), __ATOMIC_RELAXED);
				list_move_tail(&page->lru, keep);
			}
			break;
		}
		for (unsigned int i = 0; i < b.nr; i++) {
			struct page *page = list_first_entry(pages, struct page, lru);

			list_del(&page->lru);
			b.page[i] = page;
			b.addr[i] = page_address(page);
			b.old[i] = unmap_to_swap(page, swp_entry_pte(b.type, b.slot + i));
		}
		err = platform_swap_write(b.type, b.slot, b.addr, b.nr);
		if (err)
			mm_printk("Write-error on swap-device (%u:%lu+%u): error %d", b.type, b.slot,
				  b.nr, err);
		else
			count_vm_events(PSWPOUT, b.nr);
		for (unsigned int i = 0; i < b.nr; i++)
			freed += finish_swap_out(&b, i, err, keep);
	}
	return freed;
}

enum mm_fault_result swapin_anon_page(struct mm_anon *mm, unsigned long va, pte_t entry,
				      uint64_t prot)
{
	unsigned int type = pte_swp_type(entry);
	unsigned long slot = pte_swp_offset(entry), flags, stall;
	enum mm_fault_result ret = MM_FAULT_OK;
	struct page *page;
	int rc;

	psi_memstall_enter(&stall);
	/* The slot is being written out or read in by somebody else: wait. */
	while ((rc = swapcache_prepare(entry)) == -EAGAIN) {
		platform_yield();
		if (platform_pte_read(mm->as, va) != entry)
			goto out;
	}
	if (rc)
		goto out;	/* freed: swapped in or unmapped meanwhile */

	page = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!page) {
		ret = MM_FAULT_OOM;
		goto out_clear;
	}
	rc = platform_swap_read(type, slot, page_address(page));
	if (rc) {
		mm_printk("Read-error on swap-device (%u:%lu): error %d, SIGBUS", type, slot, rc);
		__free_pages(page, 0);
		ret = MM_FAULT_SIGBUS;
		goto out_clear;
	}

	spin_lock_irqsave(&mm->lock, flags);
	if (platform_pte_read(mm->as, va) != entry || mm->dying) {
		spin_unlock_irqrestore(&mm->lock, flags);
		__free_pages(page, 0);
		ret = mm->dying ? MM_FAULT_OOM : MM_FAULT_OK;
		goto out_clear;
	}
	SetPageFlag(page, PG_swapbacked);
	workingset_refault(page, swap_take_shadow(type, slot));
	page->index = va;
	page_set_movable(page, &mm->mapping);
	platform_pte_xchg(mm->as, va, pfn_pte(page_to_pfn(page), prot | PTE_ACCESSED));
	mod_mm_counters(mm, page, 1);
	lru_add_page(page);
	swap_free_entry(entry);
	spin_unlock_irqrestore(&mm->lock, flags);
	count_vm_event(PSWPIN);
	count_vm_event(PGMAJFAULT);
out_clear:
	swapcache_clear(type, slot);
out:
	psi_memstall_leave(&stall);
	return ret;
}
