/* SPDX-License-Identifier: MIT */
/*
 * Page migration: moving an allocated page's contents and mappings to
 * another page frame without its user noticing.  Compaction uses it to
 * empty pageblocks; NUMA placement and the balloon may too.
 *
 * Only pages whose owner can be found and told are movable.  Such an
 * owner (an anonymous address space, later the balloon) embeds a struct
 * movable_mapping and points page->mapping at it, tagged with
 * PAGE_MAPPING_MOVABLE so it is never mistaken for another use of the
 * field (slab, or nothing).  Its operations follow Linux's
 * movable_operations: isolate, migrate, put back.
 *
 *   isolate_movable_page()  take a reference, set PG_isolated, let the
 *                           owner claim the page (page->lru is then free
 *                           for the migration list)
 *   migrate_pages()         for each: get a target, owner copies and
 *                           remaps, source freed; failures stay listed
 *   putback_movable_pages() give failed pages back to their owners
 */
#ifndef GUESTMM_MIGRATE_H
#define GUESTMM_MIGRATE_H

#include <guestmm/errno.h>
#include <guestmm/list.h>
#include <guestmm/page.h>

enum migrate_mode {
	MIGRATE_ASYNC,		/* never wait: a busy owner means try later */
	MIGRATE_SYNC_LIGHT,	/* wait for the owner's lock */
	MIGRATE_SYNC,		/* wait for everything (manual compaction) */
};

#define PAGE_MAPPING_MOVABLE	0x2UL

struct movable_operations {
	/*
	 * Claim @page for migration (a reference is held, PG_isolated is
	 * set).  Return false if the page is no longer the owner's or cannot
	 * move; otherwise the owner keeps itself alive until migrate_page
	 * succeeds or putback_page is called.  While a page is isolated its
	 * owner leaves page->mapping set even if it unmaps the page.
	 */
	bool (*isolate_page)(struct page *page, enum migrate_mode mode);
	/*
	 * Copy @src to @dst (a fresh order-0 page with one reference, which
	 * becomes the owner's) and switch every mapping over.  0 on success,
	 * with the owner's reference on @src dropped; -ENOENT if the owner
	 * unmapped @src meanwhile (nothing to move: it is put back and freed);
	 * -EAGAIN to retry later; another negative errno to give up.
	 */
	int (*migrate_page)(struct page *dst, struct page *src, enum migrate_mode mode);
	/* Migration gave up: the page stays where it is, the owner takes it back. */
	void (*putback_page)(struct page *page);
};

/* What page->mapping of a movable page points at. */
struct movable_mapping {
	const struct movable_operations *ops;
};

static inline void page_set_movable(struct page *page, struct movable_mapping *m)
{
	__atomic_store_n(&page->mapping, (void *)((unsigned long)m | PAGE_MAPPING_MOVABLE),
			 __ATOMIC_RELEASE);
}

static inline void page_clear_movable(struct page *page)
{
	__atomic_store_n(&page->mapping, NULL, __ATOMIC_RELEASE);
}

/* The owner of a movable page, or NULL; racy unless the owner's lock is held. */
static inline struct movable_mapping *page_movable_mapping(const struct page *page)
{
	unsigned long m = (unsigned long)__atomic_load_n(&page->mapping, __ATOMIC_ACQUIRE);

	if ((m & PAGE_MAPPING_MOVABLE) == 0)
		return NULL;
	return (struct movable_mapping *)(m & ~PAGE_MAPPING_MOVABLE);
}

/* A cheap, lockless first look: could this page be isolated? */
static inline bool page_movable_candidate(const struct page *page)
{
	return PageMovable(page) && !PageFlag(page, PG_isolated) && page_count(page) > 0 &&
	       page_movable_mapping(page) != NULL;
}

/* Where migrate_pages() gets target pages and returns unused ones. */
typedef struct page *new_page_t(struct page *src, unsigned long private);
typedef void free_page_t(struct page *page, unsigned long private);

bool isolate_movable_page(struct page *page, enum migrate_mode mode);
void putback_movable_pages(struct list_head *pages);

/*
 * Migrate every page on @from (isolated, linked through page->lru).
 * Pages that could not move are left on @from for the caller to put
 * back.  Returns the number of pages not migrated, or -ENOMEM if a
 * target could not be had (the rest are left untried on @from).
 * *nr_succeeded, if not NULL, is set to the number moved.
 */
int migrate_pages(struct list_head *from, new_page_t *get_new_page, free_page_t *put_new_page,
		  unsigned long private, enum migrate_mode mode, unsigned int *nr_succeeded);

/*
 * An owner about to free its movable_mapping calls this after clearing
 * page->mapping of all its pages: once it returns, no isolation that
 * read the old pointer is still between reading it and the owner's
 * isolate_page taking its hold.
 */
void movable_mapping_sync(void);

/*
 * The lock movable_mapping_sync() waits for.  Reclaim takes pages off
 * the LRU and has their owners claim them (isolate_page) under it, so
 * an owner cannot be freed in between.
 */
unsigned long movable_mapping_lock(void);
void movable_mapping_unlock(unsigned long flags);

#endif
