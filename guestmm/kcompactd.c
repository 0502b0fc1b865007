// SPDX-License-Identifier: MIT
/*
 * kcompactd: background compaction, one kernel thread per node.
 *
 * It does two jobs, as in Linux.  Woken (by kswapd, once reclaim has
 * made room but fragmentation still fails an order), it compacts the
 * node's zones for that order at sync-light priority, with the deferral
 * rules direct compaction follows.  Every HPAGE_FRAG_CHECK_INTERVAL it
 * also wakes by itself and, while the node's fragmentation score is above
 * the proactiveness band, compacts proactively until the score falls
 * below it; a pass that does not lower the score backs off 64 intervals.
 */
#include "internal.h"
#include <guestmm/compaction.h>
#include <guestmm/migrate.h>

#define HPAGE_FRAG_CHECK_INTERVAL_NS	(500ULL * 1000 * 1000)

/* Compaction for @order could help in @zone: not already satisfied, and suitable. */
static bool kcompactd_zone_suitable(struct zone *zone, int order, enum zone_type highest_zoneidx)
{
	if (zone_watermark_ok(zone, (unsigned int)order, min_wmark_pages(zone), highest_zoneidx, 0))
		return false;
	return compaction_suitable(zone, (unsigned int)order, highest_zoneidx);
}

static bool kcompactd_node_suitable(struct pglist_data *pgdat)
{
	enum zone_type highest = READ_ONCE(pgdat->kcompactd_highest_zoneidx);
	int order = READ_ONCE(pgdat->kcompactd_max_order);

	for (int i = 0; i <= (int)highest; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (populated_zone(zone) && kcompactd_zone_suitable(zone, order, highest))
			return true;
	}
	return false;
}

void wakeup_kcompactd(struct pglist_data *pgdat, int order, enum zone_type highest_zoneidx)
{
	if (!order || !pgdat->kcompactd_wait)
		return;
	if (READ_ONCE(pgdat->kcompactd_max_order) < order)
		WRITE_ONCE(pgdat->kcompactd_max_order, order);
	if (READ_ONCE(pgdat->kcompactd_highest_zoneidx) > highest_zoneidx)
		WRITE_ONCE(pgdat->kcompactd_highest_zoneidx, highest_zoneidx);
	if (!kcompactd_node_suitable(pgdat))
		return;
	platform_event_signal(pgdat->kcompactd_wait);
}

static void kcompactd_do_work(struct pglist_data *pgdat)
{
	enum zone_type highest = READ_ONCE(pgdat->kcompactd_highest_zoneidx);
	int order = READ_ONCE(pgdat->kcompactd_max_order);

	count_vm_event(KCOMPACTD_WAKE);
	for (int i = 0; i <= (int)highest; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		struct compact_control cc = {
			.zone = zone,
			.order = order,
			.highest_zoneidx = highest,
			.mode = MIGRATE_SYNC_LIGHT,
			.gfp_mask = GFP_KERNEL,
		};
		enum compact_result status;

		if (!populated_zone(zone) || compaction_deferred(zone, order))
			continue;
		if (!kcompactd_zone_suitable(zone, order, highest))
			continue;
		if (platform_thread_should_stop())
			return;
		status = compact_zone(&cc, NULL);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(zone, order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
			/* Pages stranded on per-CPU lists may be what keeps blocks apart. */
			drain_all_pages(zone);
			defer_compaction(zone, order);
		}
		count_vm_events(KCOMPACTD_MIGRATE_SCANNED, cc.total_migrate_scanned);
		count_vm_events(KCOMPACTD_FREE_SCANNED, cc.total_free_scanned);
	}
	/* Done until woken again, unless a waker asked for more meanwhile. */
	if (READ_ONCE(pgdat->kcompactd_max_order) <= order)
		WRITE_ONCE(pgdat->kcompactd_max_order, 0);
	if (READ_ONCE(pgdat->kcompactd_highest_zoneidx) >= highest)
		WRITE_ONCE(pgdat->kcompactd_highest_zoneidx, (enum zone_type)(pgdat->nr_zones - 1));
}

static bool should_proactive_compact_node(struct pglist_data *pgdat)
{
	if (!sysctl_compaction_proactiveness)
		return false;
	return fragmentation_score_node(pgdat) > fragmentation_score_wmark(false);
}

static void proactive_compact_node(struct pglist_data *pgdat)
{
	struct zone *zone;

	for_each_zone_in_node(zone, pgdat) {
		struct compact_control cc = {
			.zone = zone,
			.order = -1,
			.mode = MIGRATE_SYNC_LIGHT,
			.ignore_skip_hint = true,
			.whole_zone = true,
			.gfp_mask = GFP_KERNEL,
			.proactive_compaction = true,
		};

		if (!populated_zone(zone))
			continue;
		compact_zone(&cc, NULL);
		count_vm_events(KCOMPACTD_MIGRATE_SCANNED, cc.total_migrate_scanned);
		count_vm_events(KCOMPACTD_FREE_SCANNED, cc.total_free_scanned);
	}
}

static int kcompactd(void *arg)
{
	struct pglist_data *pgdat = arg;
	uint64_t timeout = HPAGE_FRAG_CHECK_INTERVAL_NS;

	while (!platform_thread_should_stop()) {
		bool trigger;

		/* Proactive compaction off: sleep until woken. */
		if (!READ_ONCE(sysctl_compaction_proactiveness))
			timeout = 0;
		trigger = platform_event_wait(pgdat->kcompactd_wait, timeout);
		if (platform_thread_should_stop())
			break;
		if (trigger && READ_ONCE(pgdat->kcompactd_max_order) > 0) {
			kcompactd_do_work(pgdat);
			timeout = HPAGE_FRAG_CHECK_INTERVAL_NS;
			continue;
		}
		timeout = HPAGE_FRAG_CHECK_INTERVAL_NS;
		if (should_proactive_compact_node(pgdat)) {
			unsigned int prev_score = fragmentation_score_node(pgdat);

			proactive_compact_node(pgdat);
			/* No progress: try again much later. */
			if (fragmentation_score_node(pgdat) >= prev_score)
				timeout <<= COMPACT_MAX_DEFER_SHIFT;
		}
		/* Leave the skip bits to the next direct compactor clean. */
		reset_isolation_suitable(pgdat);
	}
	return 0;
}

int kcompactd_run(int nid)
{
	struct pglist_data *pgdat = NODE_DATA(nid);

	if (pgdat->kcompactd)
		return 0;
	pgdat->kcompactd_max_order = 0;
	pgdat->kcompactd_highest_zoneidx = (enum zone_type)(pgdat->nr_zones - 1);
	return node_kthread_run(nid, kcompactd, "kcompactd", &pgdat->kcompactd,
				&pgdat->kcompactd_wait);
}

void kcompactd_stop(int nid)
{
	struct pglist_data *pgdat = NODE_DATA(nid);

	node_kthread_stop(&pgdat->kcompactd, &pgdat->kcompactd_wait);
}

/*
 * Writing vm.compaction_proactiveness: raising it makes every kcompactd
 * look at its node's score now rather than at its next interval.
 */
void set_compaction_proactiveness(unsigned int value)
{
	unsigned int old = sysctl_compaction_proactiveness;
	int nid;

	WRITE_ONCE(sysctl_compaction_proactiveness, min(value, 100U));
	if (value <= old)
		return;
	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		/* A wake-up with no order asked for is a proactive check. */
		if (pgdat->kcompactd_wait)
			platform_event_signal(pgdat->kcompactd_wait);
	}
}
