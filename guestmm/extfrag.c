// SPDX-License-Identifier: MIT
/*
 * How fragmented is free memory?  The measures Linux uses to decide
 * whether compaction can help and to show it in debugfs:
 *
 *   fragmentation index (order k), 0..1000, or -1000 if a free block of
 *     order >= k exists: near 0 an allocation fails for lack of memory,
 *     near 1000 for fragmentation.  Costly orders are compacted only
 *     above vm.extfrag_threshold (500).
 *   unusable free index (order k), 0..1000: the share of free memory in
 *     blocks too small for order k.
 *   extfrag_for_order (order k), 0..100: the same share in percent; the
 *     fragmentation score proactive compaction steers by, at order 9.
 *
 * All read the free-area counts without the zone lock: a snapshot is
 * good enough for a heuristic, as in Linux.
 */
#include "internal.h"
#include <guestmm/compaction.h>
#include <guestmm/report.h>

struct contig_page_info {
	unsigned long free_pages;
	unsigned long free_blocks_total;
	unsigned long free_blocks_suitable;	/* in units of the requested order */
};

static void fill_contig_page_info(const struct zone *zone, unsigned int order,
				  struct contig_page_info *info)
{
	*info = (struct contig_page_info){ 0 };
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long blocks = READ_ONCE(zone->free_area[o].nr_free);

		info->free_blocks_total += blocks;
		info->free_pages += blocks << o;
		if (o >= order)
			info->free_blocks_suitable += blocks << (o - order);
	}
}

static int __fragmentation_index(unsigned int order, const struct contig_page_info *info)
{
	unsigned long requested = 1UL << order;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) /
			    info->free_blocks_total);
}

int fragmentation_index(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	return __fragmentation_index(order, &info);
}

static int unusable_free_index(unsigned int order, const struct contig_page_info *info)
{
	/* No free memory at all counts as all of it unusable. */
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages - (info->free_blocks_suitable << order)) * 1000 /
		     info->free_pages);
}

unsigned int extfrag_for_order(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages - (info.free_blocks_suitable << order)) * 100 /
			      info.free_pages);
}

/* Walk the populated zones as debugfs does, one line each. */
static void extfrag_report(struct seq_buf *s, int (*index)(unsigned int, const struct contig_page_info *),
			   const char *fmt)
{
	struct zone *zone;

	for_each_populated_zone(zone) {
		seq_printf(s, "Node %d, zone %8s ", zone->node, zone->name);
		for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
			struct contig_page_info info;
			int v;

			fill_contig_page_info(zone, o, &info);
			v = index(o, &info);
			seq_printf(s, fmt, v / 1000, v % 1000);
		}
		seq_putc(s, '\n');
	}
}

void report_extfrag_index(struct seq_buf *s)
{
	extfrag_report(s, __fragmentation_index, "%2d.%03d ");
}

void report_unusable_index(struct seq_buf *s)
{
	extfrag_report(s, unusable_free_index, "%d.%03d ");
}

/* The fragmentation score of a zone, 0..100: free memory unusable for order 9. */
unsigned int fragmentation_score_zone(const struct zone *zone)
{
	return extfrag_for_order(zone, pageblock_order);
}

/*
 * A node's score is its zones' scores weighted by their share of the
 * node, so a small, badly fragmented DMA zone does not dominate it.
 */
unsigned int fragmentation_score_node(struct pglist_data *pgdat)
{
	unsigned long score = 0;
	struct zone *zone;

	for_each_zone_in_node(zone, pgdat)
		if (populated_zone(zone))
			score += zone->present_pages * fragmentation_score_zone(zone) /
				 (pgdat->node_present_pages + 1);
	return (unsigned int)score;
}
