// SPDX-License-Identifier: MIT
/*
 * Watermarks, lowmem reserves and the watermark check.
 *
 * Each zone keeps three marks: below low, kswapd is woken; below min,
 * only privileged allocations proceed; kswapd reclaims until a zone is
 * above high.  min_free_kbytes is split across zones by size, and the
 * gap between the marks is max(min/4, managed * watermark_scale_factor /
 * 10000), exactly as Linux's __setup_per_zone_wmarks() computes it.
 *
 * lowmem_reserve protects lower zones from allocations that could have
 * used a higher one: zone i keeps back (managed pages of zones i+1..j) /
 * ratio[i] pages from an allocation whose highest usable zone is j.
 */
#include "internal.h"

int min_free_kbytes = 1024;
int watermark_scale_factor = 10;
int watermark_boost_factor = 15000;
int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] = {
	[ZONE_DMA] = 256,
	[ZONE_DMA32] = 256,
	[ZONE_NORMAL] = 32,
	[ZONE_MOVABLE] = 0,
};
unsigned long totalreserve_pages;

unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return x;
	m = 1UL << ((63 - __builtin_clzl(x)) & ~1UL);
	while (m != 0) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return y;
}

unsigned long totalram_pages(void)
{
	struct zone *zone;
	unsigned long n = 0;

	for_each_zone(zone)
		n += zone->managed_pages;
	return n;
}

unsigned long nr_free_pages(void)
{
	return (unsigned long)global_zone_page_state(NR_FREE_PAGES);
}

/*
 * min_free_kbytes = sqrt(lowmem_kbytes * 16), clamped to [128, 262144]:
 * it grows with the square root of memory, so small machines keep a
 * useful reserve without large ones wasting gigabytes.
 */
void init_per_zone_wmark_min(void)
{
	unsigned long lowmem_kbytes = 0;
	struct zone *zone;
	long v;

	/* nr_free_buffer_pages(): managed pages above the high mark, up to Normal. */
	for_each_zone(zone) {
		if (zone->idx <= ZONE_NORMAL && zone->managed_pages > high_wmark_pages(zone))
			lowmem_kbytes += (zone->managed_pages - high_wmark_pages(zone)) *
					 (PAGE_SIZE >> 10);
	}
	v = (long)int_sqrt(lowmem_kbytes * 16);
	min_free_kbytes = (int)clamp(v, 128L, 262144L);
}

void setup_per_zone_wmarks(void)
{
	unsigned long pages_min = (unsigned long)min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	struct zone *zone;

	for_each_zone(zone)
		lowmem_pages += zone->managed_pages;
	if (!lowmem_pages)
		return;

	for_each_zone(zone) {
		unsigned long flags, tmp;

		spin_lock_irqsave(&zone->lock, flags);
		tmp = pages_min * zone->managed_pages / lowmem_pages;
		zone->_watermark[WMARK_MIN] = tmp;
		/* The gap between the marks. */
		tmp = max(tmp >> 2, zone->managed_pages * (unsigned long)watermark_scale_factor / 10000);
		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = zone->_watermark[WMARK_MIN] + tmp;
		zone->_watermark[WMARK_HIGH] = zone->_watermark[WMARK_LOW] + tmp;
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	calculate_totalreserve_pages();
}

void setup_per_zone_lowmem_reserve(void)
{
	for (int nid = 0; nid < nr_online_nodes; nid++) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = sysctl_lowmem_reserve_ratio[i];
			bool clear = !ratio || !managed_zone(zone);
			unsigned long managed = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += pgdat->node_zones[j].managed_pages;
				zone->lowmem_reserve[j] = clear ? 0 : (long)(managed / (unsigned long)ratio);
			}
		}
	}
	calculate_totalreserve_pages();
}

/*
 * Pages the system keeps back from userspace: per zone, the largest
 * lowmem reserve plus the high mark.  MemAvailable subtracts it.
 */
void calculate_totalreserve_pages(void)
{
	unsigned long reserve = 0;
	struct zone *zone;

	for_each_zone(zone) {
		unsigned long max = 0;

		for (int j = zone->idx; j < MAX_NR_ZONES; j++)
			if (zone->lowmem_reserve[j] > (long)max)
				max = (unsigned long)zone->lowmem_reserve[j];
		max += high_wmark_pages(zone);
		if (max > zone->managed_pages)
			max = zone->managed_pages;
		reserve += max;
	}
	totalreserve_pages = reserve;
}

int set_min_free_kbytes(int kbytes)
{
	if (kbytes < 0)
		return -1;
	min_free_kbytes = kbytes;
	setup_per_zone_wmarks();
	for (struct zone *zone = node_data[0].node_zones; zone; zone = next_zone(zone))
		zone_pcp_update(zone);
	return 0;
}

int set_watermark_scale_factor(int factor)
{
	/* Linux accepts 1..3000 (30% of memory between the marks). */
	if (factor < 1 || factor > 3000)
		return -1;
	watermark_scale_factor = factor;
	setup_per_zone_wmarks();
	for (struct zone *zone = node_data[0].node_zones; zone; zone = next_zone(zone))
		zone_pcp_update(zone);
	return 0;
}

/* Pages that count as free but the caller may not use. */
/*
 * Can @z serve an allocation of 2^order pages and stay above @mark?
 * The free count must exceed the mark (discounted for privileged callers)
 * plus the zone's lowmem reserve against @highest_zoneidx; for order > 0
 * a free block of at least that order must also exist in a type the
 * caller may use.
 */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= zone_watermark_unusable_free(z, order, alloc_flags);

	if (unlikely(alloc_flags & ALLOC_RESERVES)) {
		/* __GFP_HIGH may use half of the reserve ... */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			/* ... and a caller that cannot sleep a further quarter. */
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		/* An OOM victim must exit: let it go deeper still. */
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}

	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;

	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];

		if (!READ_ONCE(area->nr_free))
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(area, mt))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   zone_page_state(z, NR_FREE_PAGES));
}

bool zone_watermark_slow(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages))
		return true;
	/*
	 * A boost exists to wake kswapd early; it must not make a
	 * __GFP_HIGH order-0 request fail at the min mark.
	 */
	if (unlikely(!order && (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
		     (alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN)) {
		mark = z->_watermark[WMARK_MIN];
		return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
					   free_pages);
	}
	return false;
}
