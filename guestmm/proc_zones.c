// SPDX-License-Identifier: MIT
/*
 * /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo, character for
 * character as Linux's mm/vmstat.c prints them, so tools and eyes that
 * know those files read these.
 */
#include "internal.h"
#include <guestmm/report.h>

#define NR_FREECOUNT_CAP	100000	/* as Linux: stop counting long lists */

/* Zones of a node, skipping unpopulated ones when @populated_only. */
#define for_each_node_zone(zone, pgdat, populated_only)			\
	for_each_zone_in_node(zone, pgdat)				\
		if ((populated_only) && !populated_zone(zone)) ; else

void report_buddyinfo(struct seq_buf *s)
{
	struct zone *zone;
	int nid;

	for_each_online_node(nid) {
		for_each_node_zone(zone, NODE_DATA(nid), true) {
			seq_printf(s, "Node %d, zone %8s ", nid, zone->name);
			for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
				seq_printf(s, "%6lu ", READ_ONCE(zone->free_area[o].nr_free));
			seq_putc(s, '\n');
		}
	}
}

static void pagetypeinfo_showfree(struct seq_buf *s, struct pglist_data *pgdat)
{
	struct zone *zone;

	seq_printf(s, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		seq_printf(s, "%6u ", o);
	seq_putc(s, '\n');

	for_each_node_zone(zone, pgdat, true) {
		unsigned long flags;

		spin_lock_irqsave(&zone->lock, flags);
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			seq_printf(s, "Node %4d, zone %8s, type %12s ", pgdat->node_id,
				   zone->name, migratetype_names[mt]);
			for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
				unsigned long count = 0;
				bool overflow = false;
				struct list_head *pos;

				list_for_each(pos, &zone->free_area[o].free_list[mt]) {
					if (++count >= NR_FREECOUNT_CAP) {
						overflow = true;
						break;
					}
				}
				seq_printf(s, "%s%6lu ", overflow ? ">" : "", count);
			}
			seq_putc(s, '\n');
		}
		spin_unlock_irqrestore(&zone->lock, flags);
	}
}

static void pagetypeinfo_showblockcount(struct seq_buf *s, struct pglist_data *pgdat)
{
	struct zone *zone;

	seq_printf(s, "\n%-23s", "Number of blocks type ");
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		seq_printf(s, "%12s ", migratetype_names[mt]);
	seq_putc(s, '\n');

	for_each_node_zone(zone, pgdat, true) {
		unsigned long count[MIGRATE_TYPES] = { 0 };

		/* Stepping from the zone's first PFN, as Linux does. */
		for (unsigned long pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
		     pfn += pageblock_nr_pages) {
			if (page_zone(pfn_to_page(pfn)) != zone)
				continue;
			count[get_pfnblock_migratetype(zone, pfn)]++;
		}
		seq_printf(s, "Node %d, zone %8s ", pgdat->node_id, zone->name);
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			seq_printf(s, "%12lu ", count[mt]);
		seq_putc(s, '\n');
	}
}

void report_pagetypeinfo(struct seq_buf *s)
{
	int nid;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		if (!pgdat->node_present_pages)
			continue;
		seq_printf(s, "Page block order: %d\n", pageblock_order);
		seq_printf(s, "Pages per block:  %lu\n", pageblock_nr_pages);
		seq_putc(s, '\n');
		pagetypeinfo_showfree(s, pgdat);
		pagetypeinfo_showblockcount(s, pgdat);
	}
}

static bool is_zone_first_populated(const struct pglist_data *pgdat, const struct zone *zone)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		if (populated_zone(&pgdat->node_zones[i]))
			return zone == &pgdat->node_zones[i];
	}
	return false;
}

static void zoneinfo_show_print(struct seq_buf *s, struct pglist_data *pgdat,
				struct zone *zone)
{
	seq_printf(s, "Node %d, zone %8s", pgdat->node_id, zone->name);
	if (is_zone_first_populated(pgdat, zone)) {
		seq_printf(s, "\n  per-node stats");
		for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			seq_printf(s, "\n      %-12s %ld", node_stat_names[i],
				   node_stat_pages(pgdat, i));
	}
	seq_printf(s,
		   "\n  pages free     %ld"
		   "\n        boost    %lu"
		   "\n        min      %lu"
		   "\n        low      %lu"
		   "\n        high     %lu"
		   "\n        spanned  %lu"
		   "\n        present  %lu"
		   "\n        managed  %lu"
		   "\n        cma      %lu",
		   zone_page_state(zone, NR_FREE_PAGES),
		   zone->watermark_boost,
		   min_wmark_pages(zone),
		   low_wmark_pages(zone),
		   high_wmark_pages(zone),
		   zone->spanned_pages,
		   zone->present_pages,
		   zone->managed_pages,
		   0UL);

	seq_printf(s, "\n        protection: (%ld", zone->lowmem_reserve[0]);
	for (int i = 1; i < MAX_NR_ZONES; i++)
		seq_printf(s, ", %ld", zone->lowmem_reserve[i]);
	seq_putc(s, ')');

	if (!populated_zone(zone)) {
		seq_putc(s, '\n');
		return;
	}

	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "\n      %-12s %ld", zone_stat_names[i], zone_page_state(zone, i));
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		seq_printf(s, "\n      %-12s %lu", numa_stat_names[i],
			   zone_numa_event_state(zone, i));

	seq_printf(s, "\n  pagesets");
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct per_cpu_pages *pcp = zone_pcp(zone, cpu);

		seq_printf(s,
			   "\n    cpu: %u"
			   "\n              count: %d"
			   "\n              high:  %d"
			   "\n              batch: %d",
			   cpu, READ_ONCE(pcp->count), READ_ONCE(pcp->high),
			   READ_ONCE(pcp->batch));
		/* Counters here are exact, so no per-CPU drift threshold. */
		seq_printf(s, "\n  vm stats threshold: %d", 0);
	}
	seq_printf(s,
		   "\n  node_unreclaimable:  %u"
		   "\n  start_pfn:           %lu",
		   pgdat->kswapd_failures >= 16,
		   zone->zone_start_pfn);
	seq_putc(s, '\n');
}

void report_zoneinfo(struct seq_buf *s)
{
	struct zone *zone;
	int nid;

	for_each_online_node(nid)
		for_each_node_zone(zone, NODE_DATA(nid), false)
			zoneinfo_show_print(s, NODE_DATA(nid), zone);
}
