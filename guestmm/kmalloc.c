// SPDX-License-Identifier: MIT
/*
 * kmalloc: thirteen size classes of slab caches, and whole pages above
 * them.
 *
 * Classes 8, 16, 32, 64, 96, 128, 192, 256, 512, 1k, 2k, 4k and 8k, as
 * Linux's kmalloc-N caches.  Power-of-two classes are aligned to their
 * size (up to a page), which falls out of the slab layout since objects
 * of those caches tile their page-aligned slabs exactly; 96 and 192 get
 * 32 and 64.  Larger requests are page allocations of the smallest order
 * that fits, marked as kmalloc's so kfree() and ksize() know them, and
 * counted in NR_SLAB_UNRECLAIMABLE_B as Linux counts them.
 */
#include "slab_internal.h"

#define KMALLOC_CLASSES	13

static const unsigned int kmalloc_sizes[KMALLOC_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

static const char *const kmalloc_names[KMALLOC_CLASSES] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
	"kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};

/* The class of sizes 1..192, by (size - 1) / 8, as Linux's size_index[]. */
static const uint8_t small_index[24] = {
	0,		/* 8 */
	1,		/* 16 */
	2, 2,		/* 24, 32 */
	3, 3, 3, 3,	/* 40 .. 64 */
	4, 4, 4, 4,	/* 72 .. 96 */
	5, 5, 5, 5,	/* 104 .. 128 */
	6, 6, 6, 6, 6, 6, 6, 6,	/* 136 .. 192 */
};

static struct kmem_cache kmalloc_cache_structs[KMALLOC_CLASSES];
static struct kmem_cache *kmalloc_caches[KMALLOC_CLASSES];

long kmalloc_large_bytes[MAX_NUMNODES];

/*
 * Marks the first page of a large kmalloc (in page->mapping), so that
 * kfree() can tell it from a pointer it must refuse.
 */
static const char kmalloc_large_owner[] = "kmalloc";
#define KMALLOC_LARGE	((void *)kmalloc_large_owner)

static inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return small_index[(size - 1) / 8];
	return 31 - (unsigned int)__builtin_clz((unsigned int)size - 1);	/* fls(size-1) - 1 */
}

void kmalloc_init(void)
{
	for (unsigned int i = 0; i < KMALLOC_CLASSES; i++) {
		unsigned int size = kmalloc_sizes[i];
		unsigned int align = (size & (size - 1)) ? 0 : min(size, (unsigned int)PAGE_SIZE);

		kmalloc_caches[i] = &kmalloc_cache_structs[i];
		if (__kmem_cache_create(kmalloc_caches[i], kmalloc_names[i], size, align, 0, NULL))
			platform_panic("kmalloc: cannot create the kmalloc caches");
	}
	memset(kmalloc_large_bytes, 0, sizeof(kmalloc_large_bytes));
}

static void account_large(struct page *page, unsigned int order, long sign)
{
	int nid = page_to_nid(page);
	long bytes = sign * (long)(PAGE_SIZE << order);

	mod_node_page_state(NODE_DATA(nid), NR_SLAB_UNRECLAIMABLE_B, bytes);
	__atomic_add_fetch(&kmalloc_large_bytes[nid], bytes, __ATOMIC_RELAXED);
}

static __noinline void *kmalloc_large(size_t size, gfp_t gfp, int nid)
{
	unsigned int order;
	struct page *page;

	if (size > KMALLOC_MAX_SIZE) {
		if (!(gfp & __GFP_NOWARN))
			mm_printk("kmalloc: %zu bytes is more than KMALLOC_MAX_SIZE", size);
		return NULL;
	}
	order = get_order(size);
	gfp |= __GFP_COMP;
	page = nid == NUMA_NO_NODE ? alloc_pages(gfp, order) : alloc_pages_node(nid, gfp, order);
	if (!page)
		return NULL;
	page->mapping = KMALLOC_LARGE;
	account_large(page, order, 1);
	return page_address(page);
}

static __fastpath void *__kmalloc(size_t size, gfp_t gfp, int nid)
{
	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return kmalloc_large(size, gfp, nid);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	return slab_alloc(kmalloc_caches[kmalloc_index(size)], gfp, nid);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp, NUMA_NO_NODE);
}

static bool is_large_kmalloc(const void *p, const struct page *page)
{
	return page->mapping == KMALLOC_LARGE && p == page_address(page) && page->refcount > 0;
}

/* kfree() of something kmalloc never handed out: say so, touch nothing. */
static void bad_kfree(const void *p, const char *why)
{
	slab_bug(NULL, why, p);
}

/* Out of line, so that kfree()'s slab path needs no stack frame. */
static __noinline void kfree_large(const void *p, struct page *page)
{
	if (unlikely(!is_large_kmalloc(p, page))) {
		bad_kfree(p, "kfree: invalid pointer (not allocated by kmalloc, or freed already)");
		return;
	}
	page->mapping = NULL;
	account_large(page, (unsigned int)page->private, -1);
	__free_pages(page, (unsigned int)page->private);
}

void kfree(const void *p)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	if (unlikely(!direct_mapped(p))) {
		bad_kfree(p, "kfree: invalid pointer (not a kernel direct-map address)");
		return;
	}
	page = virt_to_page(p);
	if (likely(PageSlab(page)))
		slab_free(page->slab_cache, (void *)p);
	else
		kfree_large(p, page);
}

size_t ksize(const void *p)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(p) || !direct_mapped(p))
		return 0;
	page = virt_to_page(p);
	if (PageSlab(page))
		return page->slab_cache->object_size;
	if (is_large_kmalloc(p, page))
		return PAGE_SIZE << page->private;
	return 0;
}
