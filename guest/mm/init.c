// SPDX-License-Identifier: MIT
/*
 * Handing RAM to guestmm: struct mm_boot_params from what memblock and the
 * NUMA layout say, then mm_init().  From here on the page allocator owns
 * every page that is not reserved, and new page tables come from it.
 * Later in boot, once there are threads and devices, its daemons start
 * and the swap disk goes into use.
 */
#include <guest/memblock.h>
#include <guest/numa.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/setup.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guestmm/compaction.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>
#include <guestmm/boot.h>
#include <guestmm/page_alloc.h>

bool mm_ready;
static struct mm_boot_params params;

static int add_ram(struct mm_boot_params *p, uint64_t start, uint64_t end, int nid)
{
	struct mm_range *last = p->nr_ram ? &p->ram[p->nr_ram - 1] : NULL;

	if (last && last->end == start && last->nid == nid) {
		last->end = end;
		return 0;
	}
	if (p->nr_ram == MM_MAX_RANGES) {
		pr_err("mm: more than %d RAM ranges; ignoring [%#llx-%#llx)\n", MM_MAX_RANGES,
		       (unsigned long long)start, (unsigned long long)end);
		return -1;
	}
	p->ram[p->nr_ram++] = (struct mm_range){ start, end, nid };
	return 0;
}

/* Split one RAM region at node boundaries. */
static void add_ram_region(struct mm_boot_params *p, uint64_t base, uint64_t end)
{
	static bool warned;
	uint64_t cur = base;
	int prev_nid = p->nr_ram ? p->ram[p->nr_ram - 1].nid : 0;

	while (cur < end) {
		int nid = numa_addr_to_nid(&numa_layout, cur);
		uint64_t seg_end = end;

		if (nid >= 0) {
			for (unsigned int i = 0; i < numa_layout.nr_ranges; i++)
				if (numa_layout.ranges[i].nid == nid &&
				    cur >= numa_layout.ranges[i].start && cur < numa_layout.ranges[i].end)
					seg_end = min(end, numa_layout.ranges[i].end);
		} else {
			/* RAM no node claims: the node below it keeps it, as Linux spans do. */
			for (unsigned int i = 0; i < numa_layout.nr_ranges; i++)
				if (numa_layout.ranges[i].start > cur)
					seg_end = min(seg_end, numa_layout.ranges[i].start);
			nid = prev_nid;
			if (numa_layout.nr_ranges && !warned) {
				pr_warn("NUMA: RAM at %#llx is in no ebb.numa range; node %d takes it\n",
					(unsigned long long)cur, nid);
				warned = true;
			}
		}
		add_ram(p, cur, seg_end, nid);
		prev_nid = nid;
		cur = seg_end;
	}
}

void mm_core_init(void)
{
	struct mm_boot_params *p = &params;
	unsigned long kernel_kb = (unsigned long)(_end - _start) >> 10;

	memset(p, 0, sizeof(*p));
	p->direct_map = (void *)PAGE_OFFSET;
	/* Every CPU the MADT lists: the APs start later, their lists begin empty. */
	p->nr_cpus = nr_cpus_possible;
	/*
	 * One CPU, preempted only through interrupts: per-CPU data needs no
	 * atomics.  With more, a task preempted inside a per-CPU section may
	 * resume on another CPU, so every side takes the lock (cpulock.h).
	 */
	p->exclusive_cpus = nr_cpus_possible == 1;
	for (unsigned int c = 0; c < nr_cpus_possible; c++)
		p->cpu_to_node[c] = percpu_areas[c].node < (int)numa_layout.nr_nodes ?
				    percpu_areas[c].node : 0;
	p->nr_nodes = numa_layout.nr_nodes;
	memcpy(p->node_distance, numa_layout.distance, sizeof(p->node_distance));

	for (unsigned int i = 0; i < memblock_memory.cnt; i++) {
		const struct memblock_region *r = &memblock_memory.regions[i];

		add_ram_region(p, r->base, r->base + r->size);
	}
	for (unsigned int i = 0; i < memblock_reserved.cnt && i < MM_MAX_RANGES; i++) {
		const struct memblock_region *r = &memblock_reserved.regions[i];

		p->reserved[p->nr_reserved++] = (struct mm_range){ r->base, r->base + r->size, 0 };
	}
	/* A node the layout names but no RAM backs would be an empty pgdat. */
	for (int nid = 0; nid < p->nr_nodes; nid++) {
		bool has_ram = false;

		for (unsigned int i = 0; i < p->nr_ram; i++)
			has_ram |= p->ram[i].nid == nid;
		if (!has_ram)
			pr_warn("NUMA: node %d has no RAM\n", nid);
	}

	if (mm_init(p) < 0)
		panic("mm_init failed: cannot manage memory");
	pgtable_use_page_allocator();
	mm_ready = true;
	pr_info("Memory: %luK/%lluK available (%luK kernel image, %luK reserved)\n",
		nr_free_pages() << 2, (unsigned long long)(memblock_phys_mem_size() >> 10),
		kernel_kb, (unsigned long)((memblock_phys_mem_size() >> 10) - (totalram_pages() << 2)));
}

void mm_late_init(void)
{
	int nid, ret;

	for_each_online_node(nid) {
		if (kswapd_run(nid) < 0)
			pr_err("mm: cannot start kswapd%d: memory will only be reclaimed directly\n", nid);
		if (kcompactd_run(nid) < 0)
			pr_err("mm: cannot start kcompactd%d\n", nid);
	}
	/* The swap disk is the first one, vda (docs/CONVENTIONS.md); none: no swap. */
	if (!platform_swap_pages(0))
		return;
	ret = swapon(0);
	if (ret < 0)
		pr_err("swapon: /dev/vda: error %d, running without swap\n", ret);
}
