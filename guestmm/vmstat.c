// SPDX-License-Identifier: MIT
/*
 * Counters and /proc/vmstat.
 */
#include "internal.h"
#include <guestmm/report.h>

struct vm_event_state *vm_event_states;

const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
	"nr_free_pages",
	"nr_zone_inactive_anon",
	"nr_zone_active_anon",
	"nr_zone_inactive_file",
	"nr_zone_active_file",
	"nr_zone_unevictable",
	"nr_zone_write_pending",
	"nr_mlock",
	"nr_bounce",
	"nr_zspages",
	"nr_free_cma",
};

const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS] = {
	"numa_hit",
	"numa_miss",
	"numa_foreign",
	"numa_interleave",
	"numa_local",
	"numa_other",
};

const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS] = {
	"nr_inactive_anon",
	"nr_active_anon",
	"nr_inactive_file",
	"nr_active_file",
	"nr_unevictable",
	"nr_slab_reclaimable",
	"nr_slab_unreclaimable",
	"nr_isolated_anon",
	"nr_isolated_file",
	"workingset_nodes",
	"workingset_refault_anon",
	"workingset_refault_file",
	"workingset_activate_anon",
	"workingset_activate_file",
	"workingset_restore_anon",
	"workingset_restore_file",
	"workingset_nodereclaim",
	"nr_anon_pages",
	"nr_mapped",
	"nr_file_pages",
	"nr_dirty",
	"nr_writeback",
	"nr_shmem",
	"nr_vmscan_write",
	"nr_vmscan_immediate_reclaim",
	"nr_kernel_misc_reclaimable",
	"nr_kernel_stack",
	"nr_page_table_pages",
	"nr_swapcached",
};

const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	"pgpgin", "pgpgout", "pswpin", "pswpout",
	"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgalloc_movable",
	"allocstall_dma", "allocstall_dma32", "allocstall_normal", "allocstall_movable",
	"pgskip_dma", "pgskip_dma32", "pgskip_normal", "pgskip_movable",
	"pgfree", "pgactivate", "pgdeactivate", "pglazyfree",
	"pgfault", "pgmajfault", "pglazyfreed",
	"pgrefill", "pgreuse",
	"pgsteal_kswapd", "pgsteal_direct",
	"pgscan_kswapd", "pgscan_direct", "pgscan_direct_throttle",
	"pgscan_anon", "pgscan_file", "pgsteal_anon", "pgsteal_file",
	"slabs_scanned",
	"kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly",
	"pageoutrun", "pgrotated",
	"drop_pagecache", "drop_slab",
	"oom_kill",
	"pgmigrate_success", "pgmigrate_fail",
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
	"compact_stall", "compact_fail", "compact_success",
	"compact_daemon_wake", "compact_daemon_migrate_scanned", "compact_daemon_free_scanned",
	"balloon_inflate", "balloon_deflate", "balloon_migrate",
	"swap_ra", "swap_ra_hit",
	"pswpout_fail", "pswpin_fail",
};

/*
 * Slab usage is kept in bytes (objects need not fill pages), but Linux
 * shows it in pages, as nr_slab_reclaimable / nr_slab_unreclaimable.
 */
long node_stat_pages(const struct pglist_data *pgdat, enum node_stat_item item)
{
	long v = node_page_state(pgdat, item);

	if (item == NR_SLAB_RECLAIMABLE_B || item == NR_SLAB_UNRECLAIMABLE_B)
		return v >> PAGE_SHIFT;
	return v;
}

unsigned long sum_vm_event(enum vm_event_item item)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE(vm_event_states[cpu].event[item]);
	return sum;
}

void mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	zone_stat_add(zone, item, delta);
}

long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	long v = __atomic_load_n(&zone->vm_stat[item], __ATOMIC_RELAXED);

	return v < 0 ? 0 : v;
}

void mod_node_page_state(struct pglist_data *pgdat, enum node_stat_item item, long delta)
{
	__atomic_add_fetch(&pgdat->vm_stat[item], delta, __ATOMIC_RELAXED);
}

long node_page_state(const struct pglist_data *pgdat, enum node_stat_item item)
{
	long v = __atomic_load_n(&pgdat->vm_stat[item], __ATOMIC_RELAXED);

	return v < 0 ? 0 : v;
}

unsigned long zone_numa_event_state(const struct zone *zone, enum numa_stat_item item)
{
	unsigned long sum = 0;

	if (!zone->per_cpu_pageset)
		return 0;
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE(zone->per_cpu_pageset[cpu].numa_event[item]);
	return sum;
}

long global_zone_page_state(enum zone_stat_item item)
{
	struct zone *zone;
	long sum = 0;

	for_each_zone(zone)
		sum += zone_page_state(zone, item);
	return sum;
}

long global_node_page_state(enum node_stat_item item)
{
	long sum = 0;
	int nid;

	for_each_online_node(nid)
		sum += node_page_state(NODE_DATA(nid), item);
	return sum;
}

void report_vmstat(struct seq_buf *s)
{
	struct zone *zone;
	int nid;

	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "%s %ld\n", zone_stat_names[i], global_zone_page_state(i));
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) {
		unsigned long sum = 0;

		for_each_zone(zone)
			sum += zone_numa_event_state(zone, i);
		seq_printf(s, "%s %lu\n", numa_stat_names[i], sum);
	}
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
		long sum = 0;

		for_each_online_node(nid)
			sum += node_stat_pages(NODE_DATA(nid), i);
		seq_printf(s, "%s %ld\n", node_stat_names[i], sum);
	}
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", vm_event_names[i], sum_vm_event(i));
}
