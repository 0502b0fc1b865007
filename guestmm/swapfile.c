// SPDX-License-Identifier: MIT
/*
 * The swap area: slot allocation in 256-slot clusters, the byte-per-slot
 * swap_map with its SWAP_HAS_CACHE bit, and the workingset shadows, as
 * Linux's mm/swapfile.c.  One area (type 0) on the platform's device.
 *
 * Allocation: each CPU owns a current cluster and hands out runs of
 * consecutive free slots from it, so a reclaim batch is one sequential
 * write; an exhausted cluster is replaced from the list of free
 * clusters; with none free, slots are scanned for anywhere (a
 * fragmented area still fills up to the last slot).
 */
#include "internal.h"
#include <guestmm/errno.h>
#include <guestmm/swap.h>

#define MAX_SWAPFILES	1
#define CLUSTER_NONE	(~0UL)

struct swap_cluster_info {
	struct list_head free;		/* on free_clusters while count == 0 */
	unsigned int count;		/* slots in use */
	bool on_free_list;
};

struct swap_info_struct {
	spinlock_t lock;		/* everything below */
	bool on;
	unsigned int type;
	unsigned long max;		/* slots */
	unsigned long inuse_pages;
	uint8_t *swap_map;
	uint32_t *shadow;
	struct swap_cluster_info *cluster_info;
	struct list_head free_clusters;
	unsigned long cpu_next[NR_CPUS];	/* next slot of each CPU's cluster, or NONE */
	unsigned long scan_next;		/* fallback scan position */
	unsigned int map_orders[3];		/* block orders of the three maps */
};

static struct swap_info_struct swap_info[MAX_SWAPFILES];

int vm_swappiness = 60;

static unsigned int size_order(unsigned long bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static void *alloc_map(unsigned long bytes, unsigned int *order)
{
	*order = size_order(bytes);
	return __get_free_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, *order);
}

int swapon(unsigned int type)
{
	struct swap_info_struct *si;
	unsigned long max, nr_clusters;

	if (type >= MAX_SWAPFILES)
		return -EINVAL;
	si = &swap_info[type];
	if (si->on)
		return -EBUSY;
	max = platform_swap_pages(type);
	if (!max)
		return -ENODEV;
	/* The shadows are the largest map: one block of them bounds the area. */
	if (max > (MAX_ORDER_NR_PAGES << PAGE_SHIFT) / sizeof(uint32_t)) {
		max = (MAX_ORDER_NR_PAGES << PAGE_SHIFT) / sizeof(uint32_t);
		mm_printk("swapon: area %u truncated to %lu pages", type, max);
	}
	max = ALIGN_DOWN(max, SWAPFILE_CLUSTER);
	if (!max)
		return -EINVAL;
	nr_clusters = max / SWAPFILE_CLUSTER;

	si->swap_map = alloc_map(max, &si->map_orders[0]);
	si->shadow = alloc_map(max * sizeof(uint32_t), &si->map_orders[1]);
	si->cluster_info = alloc_map(nr_clusters * sizeof(struct swap_cluster_info),
				     &si->map_orders[2]);
	if (!si->swap_map || !si->shadow || !si->cluster_info)
		goto err_free;

	spin_lock_init(&si->lock);
	INIT_LIST_HEAD(&si->free_clusters);
	for (unsigned long c = 0; c < nr_clusters; c++) {
		list_add_tail(&si->cluster_info[c].free, &si->free_clusters);
		si->cluster_info[c].on_free_list = true;
	}
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		si->cpu_next[cpu] = CLUSTER_NONE;
	si->type = type;
	si->max = max;
	si->inuse_pages = 0;
	si->scan_next = 0;
	WRITE_ONCE(si->on, true);
	mm_printk("Adding %luk swap on swap area %u.  Priority:-2 extents:1 across:%luk",
		  max << (PAGE_SHIFT - 10), type, max << (PAGE_SHIFT - 10));
	return 0;

err_free:
	free_pages(si->swap_map, si->map_orders[0]);
	free_pages(si->shadow, si->map_orders[1]);
	free_pages(si->cluster_info, si->map_orders[2]);
	si->swap_map = NULL;
	si->shadow = NULL;
	si->cluster_info = NULL;
	return -ENOMEM;
}

unsigned long nr_swap_pages(void)
{
	struct swap_info_struct *si = &swap_info[0];

	return READ_ONCE(si->on) ? si->max - READ_ONCE(si->inuse_pages) : 0;
}

unsigned long total_swap_pages(void)
{
	struct swap_info_struct *si = &swap_info[0];

	return READ_ONCE(si->on) ? si->max : 0;
}

void report_swaps(struct seq_buf *s)
{
	seq_printf(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	for (unsigned int type = 0; type < MAX_SWAPFILES; type++) {
		struct swap_info_struct *si = &swap_info[type];

		if (!READ_ONCE(si->on))
			continue;
		seq_printf(s, "swap%-36u\tpartition\t%lu\t\t%lu\t\t%d\n", type,
			   si->max << (PAGE_SHIFT - 10),
			   READ_ONCE(si->inuse_pages) << (PAGE_SHIFT - 10), -2);
	}
}

/* --- Slots ------------------------------------------------------------------ */

static void cluster_use(struct swap_info_struct *si, unsigned long slot)
{
	struct swap_cluster_info *ci = &si->cluster_info[slot / SWAPFILE_CLUSTER];

	if (ci->on_free_list) {
		list_del(&ci->free);
		ci->on_free_list = false;
	}
	ci->count++;
}

static void cluster_put(struct swap_info_struct *si, unsigned long slot)
{
	struct swap_cluster_info *ci = &si->cluster_info[slot / SWAPFILE_CLUSTER];

	if (--ci->count == 0 && !ci->on_free_list) {
		list_add_tail(&ci->free, &si->free_clusters);
		ci->on_free_list = true;
	}
}

/* A free slot in this CPU's cluster, taking a new cluster when it is used up. */
static unsigned long next_free_in_cluster(struct swap_info_struct *si, unsigned int cpu)
{
	for (;;) {
		unsigned long off = si->cpu_next[cpu], end;

		if (off == CLUSTER_NONE) {
			struct swap_cluster_info *ci;

			if (list_empty(&si->free_clusters))
				return CLUSTER_NONE;
			ci = list_first_entry(&si->free_clusters, struct swap_cluster_info, free);
			list_del(&ci->free);
			ci->on_free_list = false;
			off = (unsigned long)(ci - si->cluster_info) * SWAPFILE_CLUSTER;
		}
		end = ALIGN_DOWN(off, SWAPFILE_CLUSTER) + SWAPFILE_CLUSTER;
		while (off < end && si->swap_map[off])
			off++;
		if (off < end) {
			si->cpu_next[cpu] = off;
			return off;
		}
		si->cpu_next[cpu] = CLUSTER_NONE;
	}
}

/* No free cluster: any free slot at all. */
static unsigned long scan_free_slot(struct swap_info_struct *si)
{
	for (unsigned long n = 0; n < si->max; n++) {
		unsigned long off = (si->scan_next + n) % si->max;

		if (!si->swap_map[off])
			return off;
	}
	return CLUSTER_NONE;
}

unsigned int swap_alloc_run(unsigned int want, unsigned int *type, unsigned long *slot)
{
	struct swap_info_struct *si = &swap_info[0];
	unsigned int cpu = platform_cpu_id(), n = 0;
	unsigned long off, end, flags;

	if (!READ_ONCE(si->on) || !want)
		return 0;
	spin_lock_irqsave(&si->lock, flags);
	if (si->inuse_pages == si->max)
		goto out;
	off = next_free_in_cluster(si, cpu);
	if (off == CLUSTER_NONE)
		off = scan_free_slot(si);
	if (off == CLUSTER_NONE)
		goto out;
	end = ALIGN_DOWN(off, SWAPFILE_CLUSTER) + SWAPFILE_CLUSTER;
	while (n < want && off + n < end && !si->swap_map[off + n]) {
		si->swap_map[off + n] = 1 | SWAP_HAS_CACHE;
		si->shadow[off + n] = 0;
		cluster_use(si, off + n);
		n++;
	}
	si->inuse_pages += n;
	if (si->cpu_next[cpu] == off)
		si->cpu_next[cpu] = off + n < end ? off + n : CLUSTER_NONE;
	si->scan_next = off + n;
	*type = si->type;
	*slot = off;
out:
	spin_unlock_irqrestore(&si->lock, flags);
	return n;
}

/* si->lock held: the slot's last holder is gone. */
static void swap_slot_maybe_free(struct swap_info_struct *si, unsigned long slot)
{
	if (si->swap_map[slot])
		return;
	si->inuse_pages--;
	cluster_put(si, slot);
}

static struct swap_info_struct *entry_info(unsigned int type, unsigned long slot)
{
	struct swap_info_struct *si;

	if (type >= MAX_SWAPFILES)
		goto bad;
	si = &swap_info[type];
	if (!READ_ONCE(si->on) || slot >= si->max)
		goto bad;
	return si;
bad:
	mm_printk("swap: bad swap entry %u:%lu", type, slot);
	return NULL;
}

void swap_free_entry(pte_t entry)
{
	unsigned long slot = pte_swp_offset(entry), flags;
	struct swap_info_struct *si = entry_info(pte_swp_type(entry), slot);
	uint8_t count;

	if (!si)
		return;
	spin_lock_irqsave(&si->lock, flags);
	count = si->swap_map[slot] & ~SWAP_HAS_CACHE;
	if (count) {
		si->swap_map[slot]--;
		if (count == 1)
			si->shadow[slot] = 0;
		swap_slot_maybe_free(si, slot);
	} else {
		mm_printk("swap: freeing unused swap entry %u:%lu", si->type, slot);
	}
	spin_unlock_irqrestore(&si->lock, flags);
}

int swapcache_prepare(pte_t entry)
{
	unsigned long slot = pte_swp_offset(entry), flags;
	struct swap_info_struct *si = entry_info(pte_swp_type(entry), slot);
	int ret = 0;

	if (!si)
		return -ENOENT;
	spin_lock_irqsave(&si->lock, flags);
	if (!(si->swap_map[slot] & ~SWAP_HAS_CACHE))
		ret = -ENOENT;
	else if (si->swap_map[slot] & SWAP_HAS_CACHE)
		ret = -EAGAIN;
	else
		si->swap_map[slot] |= SWAP_HAS_CACHE;
	spin_unlock_irqrestore(&si->lock, flags);
	return ret;
}

void swapcache_clear(unsigned int type, unsigned long slot)
{
	struct swap_info_struct *si = entry_info(type, slot);
	unsigned long flags;

	if (!si)
		return;
	spin_lock_irqsave(&si->lock, flags);
	si->swap_map[slot] &= (uint8_t)~SWAP_HAS_CACHE;
	swap_slot_maybe_free(si, slot);
	spin_unlock_irqrestore(&si->lock, flags);
}

void swapcache_clear_run(unsigned int type, unsigned long slot, unsigned int nr)
{
	struct swap_info_struct *si = entry_info(type, slot);
	unsigned long flags;

	if (!si || !nr || !entry_info(type, slot + nr - 1))
		return;
	spin_lock_irqsave(&si->lock, flags);
	for (unsigned long s = slot; s < slot + nr; s++) {
		si->swap_map[s] &= (uint8_t)~SWAP_HAS_CACHE;
		swap_slot_maybe_free(si, s);
	}
	spin_unlock_irqrestore(&si->lock, flags);
}

void swap_set_shadow(unsigned int type, unsigned long slot, uint32_t shadow)
{
	struct swap_info_struct *si = entry_info(type, slot);

	if (si)
		WRITE_ONCE(si->shadow[slot], shadow);
}

uint32_t swap_take_shadow(unsigned int type, unsigned long slot)
{
	struct swap_info_struct *si = entry_info(type, slot);

	return si ? __atomic_exchange_n(&si->shadow[slot], 0, __ATOMIC_RELAXED) : 0;
}
