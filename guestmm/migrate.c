// SPDX-License-Identifier: MIT
/*
 * Page migration: the owner-independent half.  Isolation pins a page and
 * lets its owner claim it; migrate_pages() finds each a target, has the
 * owner move contents and mappings, and frees the source; what fails is
 * put back.  How a page is copied and remapped is its owner's business
 * (anon.c for anonymous memory), reached through page->mapping.
 *
 * Reference counting: a mapped movable page holds one reference, its
 * owner's.  Isolation adds one, so the page cannot be freed under the
 * migration even if the owner unmaps it meanwhile; after a successful
 * move the owner has dropped its reference and dropping ours frees the
 * source.
 */
#include "internal.h"
#include <guestmm/migrate.h>

/* Retries of pages whose owner was busy, as Linux's NR_MAX_MIGRATE_*_RETRY. */
#define MIGRATE_ASYNC_PASSES	3
#define MIGRATE_SYNC_PASSES	10

/*
 * Held across reading page->mapping and the owner's isolate_page taking
 * its hold, so an owner that frees its mapping can wait that window out
 * (movable_mapping_sync).
 */
static spinlock_t movable_lock = SPIN_LOCK_UNLOCKED;

static bool get_page_unless_zero(struct page *page)
{
	int ref = __atomic_load_n(&page->refcount, __ATOMIC_RELAXED);

	do {
		if (ref <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&page->refcount, &ref, ref + 1, true,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

static inline bool test_and_set_isolated(struct page *page)
{
	return __atomic_fetch_or(&page->flags, BIT(PG_isolated), __ATOMIC_ACQ_REL) &
	       BIT(PG_isolated);
}

static inline void clear_isolated(struct page *page)
{
	__atomic_fetch_and(&page->flags, ~BIT(PG_isolated), __ATOMIC_RELEASE);
}

bool isolate_movable_page(struct page *page, enum migrate_mode mode)
{
	struct movable_mapping *m;
	unsigned long flags;
	bool ok = false;

	/* A free page has no count; one that gets freed now keeps ours. */
	if (!get_page_unless_zero(page))
		return false;
	if (!PageMovable(page) || PageBuddy(page) || PagePcp(page))
		goto out_put;
	if (test_and_set_isolated(page))
		goto out_put;

	spin_lock_irqsave(&movable_lock, flags);
	m = page_movable_mapping(page);
	if (m)
		ok = m->ops->isolate_page(page, mode);
	spin_unlock_irqrestore(&movable_lock, flags);
	if (ok)
		return true;
	clear_isolated(page);
out_put:
	__free_pages(page, 0);
	return false;
}

void movable_mapping_sync(void)
{
	unsigned long flags;

	spin_lock_irqsave(&movable_lock, flags);
	spin_unlock_irqrestore(&movable_lock, flags);
}

unsigned long movable_mapping_lock(void)
{
	unsigned long flags;

	spin_lock_irqsave(&movable_lock, flags);
	return flags;
}

void movable_mapping_unlock(unsigned long flags)
{
	spin_unlock_irqrestore(&movable_lock, flags);
}

static void putback_movable_page(struct page *page)
{
	struct movable_mapping *m = page_movable_mapping(page);

	if (m)
		m->ops->putback_page(page);
	clear_isolated(page);
	__free_pages(page, 0);		/* the isolation reference */
}

void putback_movable_pages(struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru) {
		list_del(&page->lru);
		putback_movable_page(page);
	}
}

/*
 * Move one page; 0 (and it is off the list and freed), -EAGAIN or another
 * error.  -ENOMEM: no target.
 */
static int unmap_and_move(struct page *src, new_page_t *get_new_page,
			  free_page_t *put_new_page, unsigned long private,
			  enum migrate_mode mode)
{
	struct movable_mapping *m;
	struct page *dst;
	int rc;

	m = page_movable_mapping(src);
	if (!m)
		return -EBUSY;
	dst = get_new_page(src, private);
	if (!dst)
		return -ENOMEM;
	rc = m->ops->migrate_page(dst, src, mode);
	if (rc) {
		if (put_new_page)
			put_new_page(dst, private);
		else
			__free_pages(dst, 0);
		if (rc != -ENOENT)
			return rc;
		/* Unmapped under us: done, as Linux counts a page freed meanwhile. */
		list_del(&src->lru);
		putback_movable_page(src);
		return 0;
	}
	/* Off the list before the free reuses page->lru. */
	list_del(&src->lru);
	clear_isolated(src);
	__free_pages(src, 0);		/* the isolation reference: frees it */
	return 0;
}

int migrate_pages(struct list_head *from, new_page_t *get_new_page, free_page_t *put_new_page,
		  unsigned long private, enum migrate_mode mode, unsigned int *nr_succeeded)
{
	int passes = mode == MIGRATE_ASYNC ? MIGRATE_ASYNC_PASSES : MIGRATE_SYNC_PASSES;
	struct list_head failed = LIST_HEAD_INIT(failed);
	unsigned int succeeded = 0, nr_failed = 0;
	struct page *page, *next;
	int retry = 1, rc = 0;

	for (int pass = 0; pass < passes && retry; pass++) {
		retry = 0;
		list_for_each_entry_safe(page, next, from, lru) {
			rc = unmap_and_move(page, get_new_page, put_new_page, private, mode);
			switch (rc) {
			case 0:
				succeeded++;
				break;
			case -EAGAIN:
				retry++;
				break;
			case -ENOMEM:
				/* No target: stop, leaving this and the rest untried. */
				nr_failed += (unsigned int)retry;
				goto out;
			default:
				list_move_tail(&page->lru, &failed);
				nr_failed++;
				break;
			}
		}
	}
	/* Still busy after every pass: those failed too. */
	nr_failed += (unsigned int)retry;
	rc = 0;
out:
	list_splice(&failed, from);
	count_vm_events(PGMIGRATE_SUCCESS, succeeded);
	count_vm_events(PGMIGRATE_FAIL, nr_failed);
	if (nr_succeeded)
		*nr_succeeded = succeeded;
	return rc == -ENOMEM ? -ENOMEM : (int)nr_failed;
}
