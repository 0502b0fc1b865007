// SPDX-License-Identifier: MIT
/*
 * Anonymous pages to swap and back: the owner's half of reclaim (Linux's
 * try_to_unmap + swap_writepage for private anonymous memory) and the
 * swap-in fault (do_swap_page).
 *
 * Swap-out of a batch of isolated pages, each mapped once:
 *   1. a run of consecutive slots (count 1 + SWAP_HAS_CACHE each);
 *   2. under the mm's lock, each PTE becomes the swap entry; then the
 *      TLB is flushed: from now on an access faults and waits for the slot;
 *   3. one write of the batch to the platform's device;
 *   4. success: the page is freed and leaves a workingset shadow;
 *      failure: the PTE gets its page back (nothing is lost), the slot
 *      is freed, and the page goes to the active list; the rest of the
 *      pass's pages stay too (a failing device is not asked again in
 *      the same pass, nor by the rest of the reclaim call: vmscan.c),
 *      and pswpout_fail counts them all.
 * A page unmapped meanwhile (munmap, OOM) is simply freed.  Steps 2 and 4
 * take each mm's lock once per run of its pages in the batch (reclaim
 * batches come from one LRU, so mostly from one mm), and the slots' cache
 * flags go in one swap_map lock hold.
 *
 * Swap-in takes SWAP_HAS_CACHE, reads into a fresh page, and maps it if
 * the PTE still holds the entry.  A failed read is tried again, up to
 * SWAP_READ_TRIES reads in all (a transient error passes unnoticed but
 * for pswpin_fail and the log); when every try failed the entry stays in
 * place (the data is still on the device, a later access tries again)
 * and this access gets SIGBUS, which the platform reports with the task.
 * Nothing else is touched: no other page, slot or mm.
 */
#include "internal.h"
#include <guestmm/anon.h>
#include <guestmm/psi.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>

#define SWAP_READ_TRIES		3
#define SWAP_ERR_BURST		10		/* messages ... */
#define SWAP_ERR_WINDOW_NS	5000000000ULL	/* ... per window */

/*
 * May a swap I/O error be logged now?  A failing device fails every
 * batch; the counters keep the full count, the log a sample.  Racy
 * updates only let a message more or less through.
 */
static bool swap_err_printable(void)
{
	static uint64_t window;
	static unsigned int printed;
	uint64_t now = platform_clock_ns(), w = READ_ONCE(window);

	if (now - w > SWAP_ERR_WINDOW_NS &&
	    __atomic_compare_exchange_n(&window, &w, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		__atomic_store_n(&printed, 0, __ATOMIC_RELAXED);
	return __atomic_add_fetch(&printed, 1, __ATOMIC_RELAXED) <= SWAP_ERR_BURST;
}

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

/* The end of the run of pages of one mm that starts at @i. */
static unsigned int mm_run_end(const struct swap_batch *b, unsigned int i)
{
	struct mm_anon *mm = page_anon_mm(b->page[i]);

	while (++i < b->nr && page_anon_mm(b->page[i]) == mm)
		;
	return i;
}

/* Step 2 for the batch. */
static void unmap_batch(struct swap_batch *b)
{
	for (unsigned int i = 0, end; i < b->nr; i = end) {
		struct mm_anon *mm = page_anon_mm(b->page[i]);
		unsigned long flags;

		end = mm_run_end(b, i);
		spin_lock_irqsave(&mm->lock, flags);
		for (unsigned int j = i; j < end; j++) {
			struct page *page = b->page[j];

			b->old[j] = 0;
			if (mapped_here(mm, page)) {
				b->old[j] = platform_pte_xchg(mm->as, page->index,
							      swp_entry_pte(b->type, b->slot + j));
				mod_mm_counters(mm, page, -1);
			}
		}
		spin_unlock_irqrestore(&mm->lock, flags);
		/*
		 * After the lock: a fault on the entry waits for the slot.
		 * Before the write: no stale translation may still write to
		 * a page whose contents are being saved.
		 */
		for (unsigned int j = i; j < end; j++)
			if (b->old[j])
				platform_tlb_flush_page(mm->as, b->page[j]->index);
	}
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

/* A page unmapped before step 2 got to it: nobody holds its slot. */
static void keep_unmapped(struct swap_batch *b, unsigned int i, struct list_head *keep)
{
	swap_free_entry(swp_entry_pte(b->type, b->slot + i));
	list_add_tail(&b->page[i]->lru, keep);
}

/* Step 4 after a good write: every page leaves its mm. */
static unsigned long release_written(struct swap_batch *b, struct list_head *keep)
{
	unsigned long freed = 0;

	for (unsigned int i = 0, end; i < b->nr; i = end) {
		struct mm_anon *mm = page_anon_mm(b->page[i]);
		unsigned long flags;

		end = mm_run_end(b, i);
		spin_lock_irqsave(&mm->lock, flags);
		for (unsigned int j = i; j < end; j++) {
			struct page *page = b->page[j];

			if (!b->old[j])
				continue;
			/* Unless the entry was zapped meanwhile, a refault may come. */
			if (platform_pte_read(mm->as, page->index) ==
			    swp_entry_pte(b->type, b->slot + j))
				swap_set_shadow(b->type, b->slot + j, workingset_eviction(page));
			page_clear_movable(page);
			mod_node_page_state(page_zone(page)->zone_pgdat, NR_ISOLATED_ANON, -1);
		}
		spin_unlock_irqrestore(&mm->lock, flags);
		/* The mm holds while any of its pages do: its last put comes last. */
		for (unsigned int j = i; j < end; j++) {
			struct page *page = b->page[j];

			if (!b->old[j]) {
				keep_unmapped(b, j, keep);
				continue;
			}
			__atomic_fetch_and(&page->flags, ~BIT(PG_isolated), __ATOMIC_RELEASE);
			anon_mm_put(mm);
			__free_pages(page, 0);	/* the mapping's reference */
			__free_pages(page, 0);	/* ours */
			freed++;
		}
	}
	swapcache_clear_run(b->type, b->slot, b->nr);
	return freed;
}

/* Step 4 after a failed write, for one page: true if it was freed. */
static bool restore_unwritten(struct swap_batch *b, unsigned int i, struct list_head *keep)
{
	struct page *page = b->page[i];
	struct mm_anon *mm = page_anon_mm(page);
	pte_t entry = swp_entry_pte(b->type, b->slot + i);
	unsigned long flags;

	if (!b->old[i]) {
		keep_unmapped(b, i, keep);
		swapcache_clear(b->type, b->slot + i);
		return false;
	}
	spin_lock_irqsave(&mm->lock, flags);
	if (platform_pte_read(mm->as, page->index) == entry) {
		/* The page stays, mapped as before. */
		platform_pte_xchg(mm->as, page->index, b->old[i]);
		mod_mm_counters(mm, page, 1);
		swap_free_entry(entry);
		spin_unlock_irqrestore(&mm->lock, flags);
		swapcache_clear(b->type, b->slot + i);
		__atomic_fetch_or(&page->flags, BIT(PG_active), __ATOMIC_RELAXED);
		list_add_tail(&page->lru, keep);
		return false;
	}
	/* The entry was zapped meanwhile: the page goes. */
	release_page(mm, page, flags);
	swapcache_clear(b->type, b->slot + i);
	return true;
}

/* Pages this pass will not swap out: back to the LRU, active.  How many. */
static unsigned int keep_rest(struct list_head *pages, struct list_head *keep)
{
	struct page *page, *next;
	unsigned int n = 0;

	list_for_each_entry_safe(page, next, pages, lru) {
		__atomic_fetch_or(&page->flags, BIT(PG_active), __ATOMIC_RELAXED);
		list_move_tail(&page->lru, keep);
		n++;
	}
	return n;
}

unsigned long swap_out_pages(struct list_head *pages, struct list_head *keep, bool *write_error)
{
	unsigned long freed = 0;
	struct swap_batch b;

	*write_error = false;
	while (!list_empty(pages)) {
		unsigned int want = 0, kept;
		struct list_head *pos;
		int err;

		list_for_each(pos, pages)
			if (++want == SWAP_BATCH)
				break;
		b.nr = swap_alloc_run(want, &b.type, &b.slot);
		if (!b.nr) {
			/* Swap is full (or off): keep them, active, as Linux does. */
			keep_rest(pages, keep);
			break;
		}
		for (unsigned int i = 0; i < b.nr; i++) {
			struct page *page = list_first_entry(pages, struct page, lru);

			list_del(&page->lru);
			b.page[i] = page;
			b.addr[i] = page_address(page);
		}
		unmap_batch(&b);
		err = platform_swap_write(b.type, b.slot, b.addr, b.nr);
		if (!err) {
			count_vm_events(PSWPOUT, b.nr);
			freed += release_written(&b, keep);
			continue;
		}
		*write_error = true;
		for (unsigned int i = 0; i < b.nr; i++)
			freed += restore_unwritten(&b, i, keep);
		kept = keep_rest(pages, keep);
		count_vm_events(PSWPOUT_FAIL, b.nr + kept);
		if (swap_err_printable())
			mm_printk("Write-error on swap-device (%u:%lu+%u): error %d; %u pages stay in "
				  "memory", b.type, b.slot, b.nr, err, b.nr + kept);
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
	for (unsigned int try = 1;; try++) {
		rc = platform_swap_read(type, slot, page_address(page));
		if (!rc)
			break;
		count_vm_event(PSWPIN_FAIL);
		if (try == SWAP_READ_TRIES) {
			/* Always said: this one costs a task its access. */
			mm_printk("Read-error on swap-device (%u:%lu) at %#lx: error %d after %u tries, "
				  "SIGBUS", type, slot, va, rc, try);
			__free_pages(page, 0);
			ret = MM_FAULT_SIGBUS;
			goto out_clear;
		}
		if (swap_err_printable())
			mm_printk("Read-error on swap-device (%u:%lu) at %#lx: error %d, try %u of %u",
				  type, slot, va, rc, try, SWAP_READ_TRIES);
		platform_yield();
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
