// SPDX-License-Identifier: MIT
/*
 * Boot: from the platform's description of RAM to a running allocator.
 *
 * Like Linux's memblock phase, a tiny range allocator hands out the boot
 * tables (the memory map, per-CPU page sets, pageblock bitmaps, event
 * counters) from RAM itself, top-down, and marks them reserved.  Then
 * nodes and zones are sized, zonelists built, and every page that is RAM
 * and not reserved goes to the buddy lists in the largest aligned blocks
 * that fit.  Watermarks and per-CPU batch sizes follow from the result.
 */
#include "internal.h"
#include <guestmm/vmscan.h>
#include <guestmm/namecache.h>
#include <guestmm/slab.h>
#include <guestmm/vmalloc.h>

struct page *mem_map;
unsigned long max_pfn;
char *mm_direct_map;
struct pglist_data node_data[MAX_NUMNODES];
int nr_online_nodes;
unsigned int nr_cpu_ids;
struct mm_boot_params mm_boot;

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "Movable",
};

/* Zone boundaries in PFNs, fixed by the x86-64 physical address map. */
#define DMA_END_PFN	((16UL << 20) >> PAGE_SHIFT)
#define DMA32_END_PFN	((4UL << 30) >> PAGE_SHIFT)

static const unsigned long zone_pfn_limit[MAX_NR_ZONES] = {
	[ZONE_DMA] = DMA_END_PFN,
	[ZONE_DMA32] = DMA32_END_PFN,
	[ZONE_NORMAL] = ~0UL,
	[ZONE_MOVABLE] = 0,		/* never populated */
};

static unsigned long zone_pfn_floor(enum zone_type zt)
{
	return zt == ZONE_DMA ? 0 : zone_pfn_limit[zt - 1];
}

int node_distance(int a, int b)
{
	uint8_t d = mm_boot.node_distance[a][b];

	if (d)
		return d;
	return a == b ? 10 : 20;
}

int mm_cpu_node[NR_CPUS];
bool mm_cpus_exclusive;

/* --- memblock: the boot-time range allocator --------------------------- */

static bool range_overlaps_reserved(uint64_t start, uint64_t end, uint64_t *resv_start)
{
	for (unsigned int i = 0; i < mm_boot.nr_reserved; i++) {
		const struct mm_range *r = &mm_boot.reserved[i];

		if (start < r->end && r->start < end) {
			*resv_start = r->start;
			return true;
		}
	}
	return false;
}

/*
 * Carve @size bytes, page aligned, from the top of node @nid's RAM (or
 * any node's, if it has none to spare) and reserve them.
 */
static void *memblock_alloc(uint64_t size, int nid)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = (int)mm_boot.nr_ram - 1; i >= 0; i--) {
			const struct mm_range *ram = &mm_boot.ram[i];
			uint64_t end = ram->end, resv;

			if (pass == 0 && ram->nid != nid)
				continue;
			while (end >= ram->start + size) {
				uint64_t start = end - size;

				if (!range_overlaps_reserved(start, end, &resv)) {
					struct mm_range *r;

					if (mm_boot.nr_reserved == MM_MAX_RANGES)
						return NULL;
					r = &mm_boot.reserved[mm_boot.nr_reserved++];
					r->start = start;
					r->end = end;
					r->nid = ram->nid;
					memset(mm_direct_map + start, 0, size);
					return mm_direct_map + start;
				}
				/* Step below the reservation in the way and retry. */
				end = ALIGN_DOWN(resv, PAGE_SIZE);
			}
		}
	}
	return NULL;
}

/* --- Checking the platform's description ------------------------------- */

static int mm_check_params(const struct mm_boot_params *p)
{
	if (!p->nr_cpus || p->nr_cpus > NR_CPUS) {
		mm_printk("mm: %u CPUs: must be 1..%d", p->nr_cpus, NR_CPUS);
		return -1;
	}
	if (p->nr_nodes < 1 || p->nr_nodes > MAX_NUMNODES) {
		mm_printk("mm: %d nodes: must be 1..%d", p->nr_nodes, MAX_NUMNODES);
		return -1;
	}
	if (!p->nr_ram || p->nr_ram > MM_MAX_RANGES || p->nr_reserved > MM_MAX_RANGES) {
		mm_printk("mm: bad number of memory ranges (%u RAM, %u reserved)",
			  p->nr_ram, p->nr_reserved);
		return -1;
	}
	for (unsigned int i = 0; i < p->nr_ram; i++) {
		const struct mm_range *r = &p->ram[i];

		if (r->start >= r->end || r->nid < 0 || r->nid >= p->nr_nodes ||
		    (i && r->start < p->ram[i - 1].end)) {
			mm_printk("mm: RAM range %u [%#llx-%#llx) node %d is invalid or unsorted",
				  i, (unsigned long long)r->start,
				  (unsigned long long)r->end, r->nid);
			return -1;
		}
	}
	for (unsigned int c = 0; c < p->nr_cpus; c++) {
		if (p->cpu_to_node[c] < 0 || p->cpu_to_node[c] >= p->nr_nodes) {
			mm_printk("mm: CPU %u on node %d, which does not exist", c,
				  p->cpu_to_node[c]);
			return -1;
		}
	}
	return 0;
}

/* --- Nodes and zones ---------------------------------------------------- */

static int ram_nid(unsigned long pfn)
{
	int nid = 0;

	/* Holes belong to the node of the RAM below them, like Linux's spans. */
	for (unsigned int i = 0; i < mm_boot.nr_ram; i++) {
		if ((mm_boot.ram[i].start >> PAGE_SHIFT) > pfn)
			break;
		nid = mm_boot.ram[i].nid;
	}
	return nid;
}

static enum zone_type pfn_zone(unsigned long pfn)
{
	if (pfn < DMA_END_PFN)
		return ZONE_DMA;
	if (pfn < DMA32_END_PFN)
		return ZONE_DMA32;
	return ZONE_NORMAL;
}

/* Sum of RAM pages of node @nid within [start, end). */
static unsigned long ram_pages_in(int nid, unsigned long start, unsigned long end)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < mm_boot.nr_ram; i++) {
		const struct mm_range *r = &mm_boot.ram[i];
		unsigned long rs = ALIGN_UP(r->start, PAGE_SIZE) >> PAGE_SHIFT;
		unsigned long re = r->end >> PAGE_SHIFT;

		if (r->nid != nid)
			continue;
		rs = max(rs, start);
		re = min(re, end);
		if (re > rs)
			n += re - rs;
	}
	return n;
}

static void free_area_init_zone(struct pglist_data *pgdat, enum zone_type zt)
{
	struct zone *zone = &pgdat->node_zones[zt];
	unsigned long node_end = pgdat->node_start_pfn + pgdat->node_spanned_pages;
	unsigned long start = max(pgdat->node_start_pfn, zone_pfn_floor(zt));
	unsigned long end = min(node_end, zone_pfn_limit[zt]);

	zone->node = pgdat->node_id;
	zone->idx = zt;
	zone->zone_pgdat = pgdat;
	zone->name = zone_names[zt];
	spin_lock_init(&zone->lock);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[mt]);

	if (end <= start) {
		/* An empty zone still exists, as in Linux's zoneinfo. */
		zone->zone_start_pfn = zt == ZONE_MOVABLE ? 0 : start;
		return;
	}
	zone->zone_start_pfn = start;
	zone->spanned_pages = end - start;
	zone->present_pages = ram_pages_in(pgdat->node_id, start, end);
	if (pgdat->nr_zones < (int)zt + 1 && zone->present_pages)
		pgdat->nr_zones = (int)zt + 1;
}

static int alloc_zone_tables(struct zone *zone)
{
	unsigned long first = ALIGN_DOWN(zone->zone_start_pfn, pageblock_nr_pages);
	unsigned long nblocks = (zone_end_pfn(zone) - first + pageblock_nr_pages - 1) >>
				pageblock_order;

	zone->per_cpu_pageset = memblock_alloc(sizeof(struct per_cpu_pages) * nr_cpu_ids,
					       zone->node);
	if (!zone->per_cpu_pageset)
		return -1;
	zone_pcp_init(zone);
	if (!populated_zone(zone))
		return 0;
	zone->pageblock_flags = memblock_alloc(nblocks, zone->node);
	if (!zone->pageblock_flags)
		return -1;
	/* Every pageblock starts out Movable, as Linux's memmap_init() does. */
	memset(zone->pageblock_flags, MIGRATE_MOVABLE, nblocks);
	return 0;
}

/*
 * Zonelists: for each node, the nodes by increasing distance (ties by
 * id, starting after the local node as Linux does), and within a node the
 * zones from the highest down, so that allocations use Normal before
 * DMA32 before DMA.
 */
static void build_zonelists(struct pglist_data *pgdat)
{
	struct zoneref *zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	struct zoneref *nf = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
	bool used[MAX_NUMNODES] = { false };
	int local = pgdat->node_id;

	for (int n = 0; n < nr_online_nodes; n++) {
		int best = -1;

		for (int k = 0; k < nr_online_nodes; k++) {
			int cand = (local + k) % nr_online_nodes;

			if (used[cand])
				continue;
			if (best < 0 || node_distance(local, cand) < node_distance(local, best))
				best = cand;
		}
		used[best] = true;
		for (int zt = MAX_NR_ZONES - 1; zt >= 0; zt--) {
			struct zone *z = &node_data[best].node_zones[zt];

			if (!managed_zone(z))
				continue;
			zr->zone = z;
			zr->zone_idx = zt;
			zr++;
			if (best == local) {
				nf->zone = z;
				nf->zone_idx = zt;
				nf++;
			}
		}
	}
	zr->zone = NULL;
	nf->zone = NULL;
}

/* --- Handing pages to the buddy allocator ------------------------------ */

static void init_struct_pages(void)
{
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
		struct page *page = &mem_map[pfn];

		page->flags = BIT(PG_reserved) |
			      ((unsigned long)ram_nid(pfn) << PAGE_NODE_SHIFT) |
			      ((unsigned long)pfn_zone(pfn) << PAGE_ZONE_SHIFT);
		INIT_LIST_HEAD(&page->lru);
	}
}

static bool pfn_is_free_ram(unsigned long pfn)
{
	uint64_t pa = (uint64_t)pfn << PAGE_SHIFT;
	uint64_t resv;

	return !range_overlaps_reserved(pa, pa + PAGE_SIZE, &resv);
}

/* Free [start, end) of RAM into the buddy lists in maximal aligned blocks. */
static void free_ram_range(unsigned long start, unsigned long end)
{
	unsigned long pfn = start;

	while (pfn < end) {
		unsigned int order;
		struct page *page;
		struct zone *zone;

		if (!pfn_is_free_ram(pfn)) {
			pfn++;
			continue;
		}
		order = pfn ? min((unsigned int)__builtin_ctzl(pfn), (unsigned int)MAX_ORDER)
			    : MAX_ORDER;
		/* Shrink the block until it fits, is free and stays in one zone. */
		while (order) {
			unsigned long last = pfn + (1UL << order) - 1;
			uint64_t resv;

			if (last < end && pfn_zone(pfn) == pfn_zone(last) &&
			    !range_overlaps_reserved((uint64_t)pfn << PAGE_SHIFT,
						     (uint64_t)(last + 1) << PAGE_SHIFT, &resv))
				break;
			order--;
		}
		page = pfn_to_page(pfn);
		zone = page_zone(page);
		for (unsigned long i = 0; i < (1UL << order); i++)
			ClearPageFlag(page + i, PG_reserved);
		zone->managed_pages += 1UL << order;
		spin_lock(&zone->lock);
		__free_one_page(page, pfn, zone, order, MIGRATE_MOVABLE, false);
		spin_unlock(&zone->lock);
		pfn += 1UL << order;
	}
}

int mm_init(const struct mm_boot_params *params)
{
	unsigned long pages_map;

	if (mm_check_params(params))
		return -1;
	mm_boot = *params;
	mm_cpus_exclusive = params->exclusive_cpus;
	for (unsigned int c = 0; c < NR_CPUS; c++)
		mm_cpu_node[c] = c < params->nr_cpus ? params->cpu_to_node[c] : 0;
	mm_direct_map = params->direct_map;
	nr_online_nodes = params->nr_nodes;
	nr_cpu_ids = params->nr_cpus;
	memset(node_data, 0, sizeof(node_data));
	max_pfn = 0;

	for (unsigned int i = 0; i < mm_boot.nr_ram; i++)
		max_pfn = max(max_pfn, (unsigned long)(mm_boot.ram[i].end >> PAGE_SHIFT));

	pages_map = max_pfn * sizeof(struct page);
	mem_map = memblock_alloc(pages_map, 0);
	vm_event_states = memblock_alloc(sizeof(struct vm_event_state) * nr_cpu_ids, 0);
	if (!mem_map || !vm_event_states) {
		mm_printk("mm: no room for the memory map (%lu KiB)", pages_map >> 10);
		return -1;
	}
	init_struct_pages();

	for (int nid = 0; nid < nr_online_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(nid);
		unsigned long start = ~0UL, end = 0;

		pgdat->node_id = nid;
		for (unsigned int i = 0; i < mm_boot.nr_ram; i++) {
			if (mm_boot.ram[i].nid != nid)
				continue;
			start = min(start, (unsigned long)(ALIGN_UP(mm_boot.ram[i].start, PAGE_SIZE) >> PAGE_SHIFT));
			end = max(end, (unsigned long)(mm_boot.ram[i].end >> PAGE_SHIFT));
		}
		if (end > start) {
			pgdat->node_start_pfn = start;
			pgdat->node_spanned_pages = end - start;
			pgdat->node_present_pages = ram_pages_in(nid, start, end);
		}
		for (int zt = 0; zt < MAX_NR_ZONES; zt++)
			free_area_init_zone(pgdat, zt);
	}
	for (int nid = 0; nid < nr_online_nodes; nid++) {
		struct zone *zone;

		for_each_zone_in_node(zone, NODE_DATA(nid)) {
			if (alloc_zone_tables(zone)) {
				mm_printk("mm: no room for node %d zone %s tables", nid,
					  zone->name);
				return -1;
			}
		}
	}

	/* From here on the reserved list is final: release everything else. */
	for (unsigned int i = 0; i < mm_boot.nr_ram; i++)
		free_ram_range(ALIGN_UP(mm_boot.ram[i].start, PAGE_SIZE) >> PAGE_SHIFT,
			       mm_boot.ram[i].end >> PAGE_SHIFT);

	for (int nid = 0; nid < nr_online_nodes; nid++)
		build_zonelists(NODE_DATA(nid));

	if (params->min_free_kbytes)
		min_free_kbytes = (int)params->min_free_kbytes;
	else
		init_per_zone_wmark_min();
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	{
		struct zone *zone;

		for_each_zone(zone)
			zone_pcp_update(zone);
	}
	lru_init();
	/* The page allocator works: bring up what allocates from it. */
	kmem_cache_init();
	vmalloc_init();
	namecache_init();
	{
		unsigned long present = 0;

		for (int nid = 0; nid < nr_online_nodes; nid++)
			present += NODE_DATA(nid)->node_present_pages;
		mm_printk("mm: %lu pages RAM, %lu managed, %lu reserved, %d node(s), %u CPU(s), min_free_kbytes %d",
			  present, totalram_pages(), present - totalram_pages(),
			  nr_online_nodes, nr_cpu_ids, min_free_kbytes);
	}
	return 0;
}
