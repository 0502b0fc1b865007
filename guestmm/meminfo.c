// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo (include/guestmm/meminfo.h): a 16-column label, an
 * 8-wide value, " kB", as Linux prints it.  Counters guestmm has no
 * producer for (buffers, file pages, mlock) show their counters' zero.
 */
#include "internal.h"
#include <guestmm/meminfo.h>
#include <guestmm/swap.h>
#include <guestmm/vmalloc.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static void show_val_kb(struct seq_buf *s, const char *label, unsigned long pages)
{
	seq_printf(s, "%-16s%8lu kB\n", label, K(pages));
}

static unsigned long node_pages(enum node_stat_item item)
{
	long v = 0;
	int nid;

	for_each_online_node(nid)
		v += node_stat_pages(NODE_DATA(nid), item);	/* slab bytes -> pages */
	return v > 0 ? (unsigned long)v : 0;
}

unsigned long si_mem_available(void)
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
	reclaimable = node_pages(NR_SLAB_RECLAIMABLE_B) + node_pages(NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= min(reclaimable / 2, wmark_low);
	available += (long)reclaimable;
	return available < 0 ? 0 : (unsigned long)available;
}

void report_meminfo(struct seq_buf *s)
{
	unsigned long active_anon = node_pages(NR_ACTIVE_ANON);
	unsigned long inactive_anon = node_pages(NR_INACTIVE_ANON);
	unsigned long active_file = node_pages(NR_ACTIVE_FILE);
	unsigned long inactive_file = node_pages(NR_INACTIVE_FILE);
	unsigned long sreclaimable = node_pages(NR_SLAB_RECLAIMABLE_B);
	unsigned long sunreclaim = node_pages(NR_SLAB_UNRECLAIMABLE_B);
	unsigned long vstart, vend;

	platform_vmalloc_range(&vstart, &vend);
	show_val_kb(s, "MemTotal:", totalram_pages());
	show_val_kb(s, "MemFree:", (unsigned long)global_zone_page_state(NR_FREE_PAGES));
	show_val_kb(s, "MemAvailable:", si_mem_available());
	show_val_kb(s, "Buffers:", 0);
	show_val_kb(s, "Cached:", node_pages(NR_FILE_PAGES));
	show_val_kb(s, "SwapCached:", node_pages(NR_SWAPCACHE));
	show_val_kb(s, "Active:", active_anon + active_file);
	show_val_kb(s, "Inactive:", inactive_anon + inactive_file);
	show_val_kb(s, "Active(anon):", active_anon);
	show_val_kb(s, "Inactive(anon):", inactive_anon);
	show_val_kb(s, "Active(file):", active_file);
	show_val_kb(s, "Inactive(file):", inactive_file);
	show_val_kb(s, "Unevictable:", node_pages(NR_UNEVICTABLE));
	show_val_kb(s, "Mlocked:", (unsigned long)global_zone_page_state(NR_MLOCK));
	show_val_kb(s, "SwapTotal:", total_swap_pages());
	show_val_kb(s, "SwapFree:", nr_swap_pages());
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
	show_val_kb(s, "Bounce:", (unsigned long)global_zone_page_state(NR_BOUNCE));
	seq_printf(s, "%-16s%8lu kB\n", "VmallocTotal:", (vend - vstart) >> 10);
	show_val_kb(s, "VmallocUsed:", vmalloc_nr_pages());
	show_val_kb(s, "VmallocChunk:", 0);
}
