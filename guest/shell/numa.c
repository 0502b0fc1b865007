// SPDX-License-Identifier: MIT
/*
 * The NUMA nodes as Linux shows them: `numactl -H` (each node's CPUs,
 * size and free memory, then the distance matrix the zonelists were
 * built from) and /sys/devices/system/node/online.  The distances are
 * node_distance()'s: ebb.distance= from the VMM, else 10 local, 20
 * remote, so a user can check that what ebb passed is what the
 * allocator falls back by.
 */
#include <guest/printk.h>
#include <guest/shell.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guestmm/boot.h>
#include <guestmm/mmzone.h>
#include <guestmm/vmstat.h>

static unsigned long node_managed_pages(const struct pglist_data *pgdat)
{
	unsigned long pages = 0;

	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		pages += pgdat->node_zones[zt].managed_pages;
	return pages;
}

static unsigned long node_free_pages(const struct pglist_data *pgdat)
{
	long pages = 0;

	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		pages += zone_page_state(&pgdat->node_zones[zt], NR_FREE_PAGES);
	return pages > 0 ? (unsigned long)pages : 0;
}

static void numa_show_hardware(void)
{
	int nid;

	kprintf("available: %d nodes (0-%d)\n", nr_online_nodes, nr_online_nodes - 1);
	for_each_online_node(nid) {
		const struct pglist_data *pgdat = &node_data[nid];

		kprintf("node %d cpus:", nid);
		for (unsigned int c = 0; c < READ_ONCE(nr_cpus_online); c++)
			if (percpu_areas[c].node == nid)
				kprintf(" %u", c);
		kprintf("\nnode %d size: %lu MB\n", nid, node_managed_pages(pgdat) >> (20 - PAGE_SHIFT));
		kprintf("node %d free: %lu MB\n", nid, node_free_pages(pgdat) >> (20 - PAGE_SHIFT));
	}
	kprintf("node distances:\nnode ");
	for_each_online_node(nid)
		kprintf(" %3d", nid);
	kprintf("\n");
	for_each_online_node(nid) {
		int to;

		kprintf("  %d: ", nid);
		for_each_online_node(to)
			kprintf(" %3d", node_distance(nid, to));
		kprintf("\n");
	}
}

static int cmd_numactl(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "-H") && strcmp(argv[1], "--hardware"))) {
		kprintf("usage: numactl -H (only the hardware listing: this kernel has no "
			"memory policies to set)\n");
		return 22;
	}
	numa_show_hardware();
	return 0;
}
SHELL_COMMAND(numactl, "numactl", "-H", "the NUMA nodes: CPUs, memory, distances", cmd_numactl);

static void show_node_online(struct seq_buf *s)
{
	if (nr_online_nodes == 1)
		seq_printf(s, "0\n");
	else
		seq_printf(s, "0-%d\n", nr_online_nodes - 1);
}
PROC_FILE(node_online, "/sys/devices/system/node/online", show_node_online, NULL);
