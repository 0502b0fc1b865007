// SPDX-License-Identifier: MIT
/*
 * show_mem_info(): the Mem-Info dump Linux prints for sysrq-m and on OOM
 * (mm/show_mem.c), in the same lines and units, from guestmm's zones and
 * counters.  Counters this kernel does not have yet (page cache, swap)
 * print as Linux prints them on a machine without them: zero.
 */
#include <guest/mm.h>
#include <guestmm/mmzone.h>
#include <guestmm/page_alloc.h>
#include <guestmm/spinlock.h>

#define K(pages) ((pages) << (PAGE_SHIFT - 10))

static unsigned long zone_free_pcp(const struct zone *zone)
{
	unsigned long n = 0;

	if (!zone->per_cpu_pageset)
		return 0;
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += (unsigned long)READ_ONCE(zone->per_cpu_pageset[cpu].count);
	return n;
}

unsigned long global_free_pcp(void)
{
	struct zone *zone;
	unsigned long n = 0;

	for_each_populated_zone(zone)
		n += zone_free_pcp(zone);
	return n;
}

static void show_migration_types(struct seq_buf *s, unsigned char types)
{
	static const char letters[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = 'U', [MIGRATE_MOVABLE] = 'M',
		[MIGRATE_RECLAIMABLE] = 'E', [MIGRATE_HIGHATOMIC] = 'H',
		[MIGRATE_ISOLATE] = 'I',
	};
	char tmp[MIGRATE_TYPES + 1];
	int n = 0;

	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		if (types & (1u << mt))
			tmp[n++] = letters[mt];
	tmp[n] = '\0';
	seq_printf(s, "(%s) ", tmp);
}

static void show_free_areas(struct seq_buf *s, struct zone *zone)
{
	unsigned long nr[NR_PAGE_ORDERS], total = 0, flags;
	unsigned char types[NR_PAGE_ORDERS];

	spin_lock_irqsave(&zone->lock, flags);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &zone->free_area[o];

		nr[o] = area->nr_free;
		total += nr[o] << o;
		types[o] = 0;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			if (!list_empty(&area->free_list[mt]))
				types[o] |= (unsigned char)(1u << mt);
	}
	spin_unlock_irqrestore(&zone->lock, flags);

	seq_printf(s, "Node %d %s: ", zone->node, zone->name);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		seq_printf(s, "%lu*%lukB ", nr[o], K(1UL << o));
		if (nr[o])
			show_migration_types(s, types[o]);
	}
	seq_printf(s, "= %lukB\n", K(total));
}

void show_mem_info(struct seq_buf *s)
{
	unsigned long present = 0;
	struct zone *zone;
	int nid;

	seq_printf(s, "Mem-Info:\n");
	seq_printf(s, "active_anon:%ld inactive_anon:%ld isolated_anon:%ld\n"
		   " active_file:%ld inactive_file:%ld isolated_file:%ld\n"
		   " unevictable:%ld dirty:%ld writeback:%ld\n"
		   " slab_reclaimable:%ld slab_unreclaimable:%ld\n"
		   " mapped:%ld shmem:%ld pagetables:%ld\n"
		   " sec_pagetables:0 bounce:%ld\n"
		   " kernel_misc_reclaimable:%ld\n"
		   " free:%ld free_pcp:%lu free_cma:%ld\n",
		   global_node_page_state(NR_ACTIVE_ANON), global_node_page_state(NR_INACTIVE_ANON),
		   global_node_page_state(NR_ISOLATED_ANON), global_node_page_state(NR_ACTIVE_FILE),
		   global_node_page_state(NR_INACTIVE_FILE), global_node_page_state(NR_ISOLATED_FILE),
		   global_node_page_state(NR_UNEVICTABLE), global_node_page_state(NR_FILE_DIRTY),
		   global_node_page_state(NR_WRITEBACK),
		   global_node_page_state(NR_SLAB_RECLAIMABLE_B) >> PAGE_SHIFT,
		   global_node_page_state(NR_SLAB_UNRECLAIMABLE_B) >> PAGE_SHIFT,
		   global_node_page_state(NR_FILE_MAPPED), global_node_page_state(NR_SHMEM),
		   global_node_page_state(NR_PAGETABLE), global_zone_page_state(NR_BOUNCE),
		   global_node_page_state(NR_KERNEL_MISC_RECLAIMABLE),
		   global_zone_page_state(NR_FREE_PAGES), global_free_pcp(),
		   global_zone_page_state(NR_FREE_CMA_PAGES));

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		seq_printf(s, "Node %d active_anon:%ldkB inactive_anon:%ldkB active_file:%ldkB "
			   "inactive_file:%ldkB unevictable:%ldkB isolated(anon):%ldkB "
			   "isolated(file):%ldkB mapped:%ldkB dirty:%ldkB writeback:%ldkB "
			   "shmem:%ldkB writeback_tmp:0kB kernel_stack:%ldkB pagetables:%ldkB "
			   "sec_pagetables:0kB all_unreclaimable? %s\n", nid,
			   K(node_page_state(pgdat, NR_ACTIVE_ANON)),
			   K(node_page_state(pgdat, NR_INACTIVE_ANON)),
			   K(node_page_state(pgdat, NR_ACTIVE_FILE)),
			   K(node_page_state(pgdat, NR_INACTIVE_FILE)),
			   K(node_page_state(pgdat, NR_UNEVICTABLE)),
			   K(node_page_state(pgdat, NR_ISOLATED_ANON)),
			   K(node_page_state(pgdat, NR_ISOLATED_FILE)),
			   K(node_page_state(pgdat, NR_FILE_MAPPED)),
			   K(node_page_state(pgdat, NR_FILE_DIRTY)),
			   K(node_page_state(pgdat, NR_WRITEBACK)),
			   K(node_page_state(pgdat, NR_SHMEM)),
			   node_page_state(pgdat, NR_KERNEL_STACK_KB),
			   K(node_page_state(pgdat, NR_PAGETABLE)),
			   pgdat->kswapd_failures >= 16 ? "yes" : "no");
	}

	for_each_populated_zone(zone) {
		unsigned long pcp = zone_free_pcp(zone);

		seq_printf(s, "Node %d %s free:%ldkB boost:%lukB min:%lukB low:%lukB high:%lukB "
			   "reserved_highatomic:%luKB active_anon:%ldkB inactive_anon:%ldkB "
			   "active_file:%ldkB inactive_file:%ldkB unevictable:%ldkB "
			   "writepending:%ldkB present:%lukB managed:%lukB mlocked:%ldkB "
			   "bounce:%ldkB free_pcp:%lukB local_pcp:%lukB free_cma:%ldkB\n",
			   zone->node, zone->name, K(zone_page_state(zone, NR_FREE_PAGES)),
			   K(zone->watermark_boost), K(min_wmark_pages(zone)),
			   K(low_wmark_pages(zone)), K(high_wmark_pages(zone)),
			   K(zone->nr_reserved_highatomic),
			   K(zone_page_state(zone, NR_ZONE_ACTIVE_ANON)),
			   K(zone_page_state(zone, NR_ZONE_INACTIVE_ANON)),
			   K(zone_page_state(zone, NR_ZONE_ACTIVE_FILE)),
			   K(zone_page_state(zone, NR_ZONE_INACTIVE_FILE)),
			   K(zone_page_state(zone, NR_ZONE_UNEVICTABLE)),
			   K(zone_page_state(zone, NR_ZONE_WRITE_PENDING)),
			   K(zone->present_pages), K(zone->managed_pages),
			   K(zone_page_state(zone, NR_MLOCK)), K(zone_page_state(zone, NR_BOUNCE)),
			   K(pcp), K(zone->per_cpu_pageset ? (unsigned long)zone->per_cpu_pageset[0].count : 0),
			   K(zone_page_state(zone, NR_FREE_CMA_PAGES)));
		seq_printf(s, "lowmem_reserve[]:");
		for (int i = 0; i < MAX_NR_ZONES; i++)
			seq_printf(s, " %ld", zone->lowmem_reserve[i]);
		seq_printf(s, "\n");
	}

	for_each_populated_zone(zone) {
		show_free_areas(s, zone);
		present += zone->present_pages;
	}

	seq_printf(s, "%ld total pagecache pages\n", global_node_page_state(NR_FILE_PAGES));
	seq_printf(s, "%ld pages in swap cache\n", global_node_page_state(NR_SWAPCACHE));
	seq_printf(s, "Free swap  = 0kB\n");
	seq_printf(s, "Total swap = 0kB\n");
	seq_printf(s, "%lu pages RAM\n", present);
	seq_printf(s, "0 pages HighMem/MovableOnly\n");
	seq_printf(s, "%lu pages reserved\n", present - totalram_pages());
}
