// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo in Linux's layout (fs/proc/meminfo.c): a 16-column label,
 * an 8-wide value, " kB".  MemAvailable is si_mem_available(): free pages
 * above the reserves (totalreserve_pages: the high watermarks plus
 * lowmem_reserve) plus the part of the page cache and of reclaimable slab
 * that reclaim could free without going below the low watermarks.
 * MemFree is NR_FREE_PAGES, which as in Linux leaves out the pages parked
 * on the per-CPU lists.  Fields guestmm has no counter for yet (swap,
 * before the swap layer) show 0, as on a Linux without them.
 */
#include <guest/pgtable.h>
#include <guest/shell.h>
#include <guestmm/mmzone.h>
#include <guestmm/page_alloc.h>
#include <guestmm/vmalloc.h>
#include <guestmm/vmstat.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static void show_val_kb(struct seq_buf *s, const char *label, unsigned long pages)
{
	seq_printf(s, "%-16s%8lu kB\n", label, K(pages));
}

static unsigned long node_pages(enum node_stat_item item)
{
	long v = global_node_page_state(item);

	return v > 0 ? (unsigned long)v : 0;
}

/* Slab counters are kept in bytes. */
static unsigned long slab_pages(enum node_stat_item item)
{
	return node_pages(item) >> PAGE_SHIFT;
}

static long si_mem_available(void)
{
	unsigned long wmark_low = 0, pagecache, reclaimable;
	struct zone *zone;
	long available;

	for_each_zone(zone)
		wmark_low += low_wmark_pages(zone);
	available = global_zone_page_state(NR_FREE_PAGES) - (long)totalreserve_pages;
	pagecache = node_pages(NR_ACTIVE_FILE) + node_pages(NR_INACTIVE_FILE);
	pagecache -= min(pagecache / 2, wmark_low);
	available += (long)pagecache;
	reclaimable = slab_pages(NR_SLAB_RECLAIMABLE_B) + node_pages(NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= min(reclaimable / 2, wmark_low);
	available += (long)reclaimable;
	return available < 0 ? 0 : available;
}

static void show_meminfo(struct seq_buf *s)
{
	unsigned long active_anon = node_pages(NR_ACTIVE_ANON);
	unsigned long inactive_anon = node_pages(NR_INACTIVE_ANON);
	unsigned long active_file = node_pages(NR_ACTIVE_FILE);
	unsigned long inactive_file = node_pages(NR_INACTIVE_FILE);
	unsigned long sreclaimable = slab_pages(NR_SLAB_RECLAIMABLE_B);
	unsigned long sunreclaim = slab_pages(NR_SLAB_UNRECLAIMABLE_B);
	unsigned long swapcache = node_pages(NR_SWAPCACHE);
	unsigned long file = node_pages(NR_FILE_PAGES);
	long free = global_zone_page_state(NR_FREE_PAGES);

	show_val_kb(s, "MemTotal:", totalram_pages());
	show_val_kb(s, "MemFree:", free > 0 ? (unsigned long)free : 0);
	show_val_kb(s, "MemAvailable:", (unsigned long)si_mem_available());
	show_val_kb(s, "Buffers:", 0);
	show_val_kb(s, "Cached:", file > swapcache ? file - swapcache : 0);
	show_val_kb(s, "SwapCached:", swapcache);
	show_val_kb(s, "Active:", active_anon + active_file);
	show_val_kb(s, "Inactive:", inactive_anon + inactive_file);
	show_val_kb(s, "Active(anon):", active_anon);
	show_val_kb(s, "Inactive(anon):", inactive_anon);
	show_val_kb(s, "Active(file):", active_file);
	show_val_kb(s, "Inactive(file):", inactive_file);
	show_val_kb(s, "Unevictable:", node_pages(NR_UNEVICTABLE));
	show_val_kb(s, "Mlocked:", (unsigned long)max(global_zone_page_state(NR_MLOCK), 0L));
	show_val_kb(s, "SwapTotal:", 0);
	show_val_kb(s, "SwapFree:", 0);
	show_val_kb(s, "Dirty:", node_pages(NR_FILE_DIRTY));
	show_val_kb(s, "Writeback:", node_pages(NR_WRITEBACK));
	show_val_kb(s, "AnonPages:", node_pages(NR_ANON_MAPPED));
	show_val_kb(s, "Mapped:", node_pages(NR_FILE_MAPPED));
	show_val_kb(s, "Shmem:", node_pages(NR_SHMEM));
	show_val_kb(s, "KReclaimable:", sreclaimable + node_pages(NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(s, "Slab:", sreclaimable + sunreclaim);
	show_val_kb(s, "SReclaimable:", sreclaimable);
	show_val_kb(s, "SUnreclaim:", sunreclaim);
	seq_printf(s, "%-16s%8lu kB\n", "KernelStack:", node_pages(NR_KERNEL_STACK_KB));
	show_val_kb(s, "PageTables:", node_pages(NR_PAGETABLE));
	show_val_kb(s, "Bounce:", (unsigned long)max(global_zone_page_state(NR_BOUNCE), 0L));
	seq_printf(s, "%-16s%8lu kB\n", "VmallocTotal:", (VMALLOC_END - VMALLOC_START) >> 10);
	show_val_kb(s, "VmallocUsed:", vmalloc_nr_pages());
	show_val_kb(s, "VmallocChunk:", 0);
}
PROC_FILE(meminfo, "/proc/meminfo", show_meminfo, NULL);
