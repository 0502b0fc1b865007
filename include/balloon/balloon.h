/* SPDX-License-Identifier: MIT */
/*
 * What the balloon driver (guest/drivers/virtio_balloon.c) and the device
 * (vmm/virtio/balloon.c, in the VMM) agree on beyond the virtio 1.2 text.
 * Everything the specification names comes from <linux/virtio_balloon.h>;
 * this file adds only what that header lacks on older systems and what is
 * ebb's own.
 *
 * Queues.  The roles come in virtio 1.2 order (5.5.2): inflate, deflate,
 * stats, free_page_vq and reporting, but only inflate and deflate always
 * exist: stats needs STATS_VQ, free_page_vq FREE_PAGE_HINT (never offered
 * by ebb) and reporting PAGE_REPORTING.  Queue indices are consecutive
 * over the queues that exist, as Linux's virtio-mmio find_vqs() numbers
 * them (only named queues take an index) and QEMU creates them: with
 * STATS_VQ and PAGE_REPORTING, reporting is queue 3; with PAGE_REPORTING
 * alone, queue 2.  Both sides map index <-> role from the negotiated
 * features with the helpers below, so they always agree.
 */
#ifndef EBB_BALLOON_BALLOON_H
#define EBB_BALLOON_BALLOON_H

#include <stdbool.h>

#include <linux/virtio_balloon.h>

enum balloon_vq {
	BALLOON_VQ_INFLATE,
	BALLOON_VQ_DEFLATE,
	BALLOON_VQ_STATS,
	BALLOON_VQ_FREE_PAGE,
	BALLOON_VQ_REPORTING,
	BALLOON_NR_VQS
};

/* Does role @role have a queue with @features? */
static inline bool balloon_vq_exists(enum balloon_vq role, unsigned long long features)
{
	switch (role) {
	case BALLOON_VQ_INFLATE:
	case BALLOON_VQ_DEFLATE:
		return true;
	case BALLOON_VQ_STATS:
		return (features >> VIRTIO_BALLOON_F_STATS_VQ) & 1;
	case BALLOON_VQ_FREE_PAGE:
		return (features >> VIRTIO_BALLOON_F_FREE_PAGE_HINT) & 1;
	case BALLOON_VQ_REPORTING:
		return (features >> VIRTIO_BALLOON_F_REPORTING) & 1;
	default:
		return false;
	}
}

/* The queue index of @role with @features, or -1 if it has no queue. */
static inline int balloon_vq_index(enum balloon_vq role, unsigned long long features)
{
	int idx = 0;

	if (!balloon_vq_exists(role, features))
		return -1;
	for (int r = 0; r < (int)role; r++)
		idx += balloon_vq_exists((enum balloon_vq)r, features);
	return idx;
}

/* The role of queue @index with @features, or BALLOON_NR_VQS if it has none. */
static inline enum balloon_vq balloon_vq_role(unsigned int index, unsigned long long features)
{
	for (int r = 0; r < BALLOON_NR_VQS; r++)
		if (balloon_vq_exists((enum balloon_vq)r, features) && !index--)
			return (enum balloon_vq)r;
	return BALLOON_NR_VQS;
}

/* PFNs on the inflate and deflate queues are in these units, always (5.5.6). */
#define BALLOON_PFN_SHIFT	VIRTIO_BALLOON_PFN_SHIFT
#define BALLOON_PAGE_SIZE	(1UL << VIRTIO_BALLOON_PFN_SHIFT)
/* PFNs per inflate / deflate request, as Linux's VIRTIO_BALLOON_ARRAY_PFNS_MAX. */
#define BALLOON_BATCH		256
/*
 * Free page reporting block orders the driver takes (`ebb run
 * --balloon=reporting=ORDER`, the guest's page_reporting.page_reporting_order=):
 * order 0 pages are not worth a request each, MAX_ORDER is the largest block.
 */
#define BALLOON_REPORT_ORDER_MIN	1
#define BALLOON_REPORT_ORDER_MAX	10

/*
 * Statistics tags 10..15 came with Linux 6.12; older UAPI headers stop at
 * 9.  Values as Linux defines them (memory amounts in bytes, counts as
 * counts).
 */
#ifndef VIRTIO_BALLOON_S_OOM_KILL
#define VIRTIO_BALLOON_S_OOM_KILL	10	/* OOM killer invocations */
#define VIRTIO_BALLOON_S_ALLOC_STALL	11	/* direct reclaim entries */
#define VIRTIO_BALLOON_S_ASYNC_SCAN	12	/* bytes scanned by kswapd */
#define VIRTIO_BALLOON_S_DIRECT_SCAN	13	/* bytes scanned in direct reclaim */
#define VIRTIO_BALLOON_S_ASYNC_RECLAIM	14	/* bytes reclaimed by kswapd */
#define VIRTIO_BALLOON_S_DIRECT_RECLAIM	15	/* bytes reclaimed directly */
#endif
#define BALLOON_S_LINUX_NR	16

/*
 * ebb's own tags, far above anything virtio or Linux uses so a peer
 * device ignores them (5.5.6.3: unknown tags are skipped).  The
 * inflation figures describe the last inflation: a run of the driver
 * from one target change until the target was reached or changed again.
 * Amounts in bytes, times in nanoseconds.
 */
enum ebb_balloon_stat {
	EBB_BALLOON_S_BASE = 0xeb00,
	EBB_BALLOON_S_INFL_BYTES = EBB_BALLOON_S_BASE,	/* last inflation: ballooned */
	EBB_BALLOON_S_INFL_FREE,	/*   of which straight from free memory */
	EBB_BALLOON_S_INFL_SHRINK,	/*   freed first by the shrinkers */
	EBB_BALLOON_S_INFL_RECLAIM,	/*   reclaimed from the LRU lists */
	EBB_BALLOON_S_INFL_SWAP,	/*   written to swap meanwhile */
	EBB_BALLOON_S_INFL_COMPACT,	/*   migrated by compaction meanwhile */
	EBB_BALLOON_S_INFL_NS,		/*   time it took */
	EBB_BALLOON_S_OOM_DEFLATE,	/* bytes released to the OOM path, ever */
	EBB_BALLOON_S_STALL_US,		/* memory stall (PSI "some" total), microseconds */
	EBB_BALLOON_S_STALL_AVG10,	/* PSI "some" avg10, percent x 100 */
	EBB_BALLOON_S_END
};
#define EBB_BALLOON_S_NR	(EBB_BALLOON_S_END - EBB_BALLOON_S_BASE)

#endif
