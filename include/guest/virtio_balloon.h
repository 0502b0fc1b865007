/* SPDX-License-Identifier: MIT */
/*
 * The virtio-balloon driver (guest/drivers/virtio_balloon.c), guest side.  Freestanding:
 * it uses guestmm (page allocator, shrinkers, migration, OOM notifier,
 * platform threads and events) and the virtio driver API, so the same
 * object runs in the guest kernel and, through the loopback transport
 * (include/hosted/balloon_loopback.h), in a hosted unit test.
 *
 * One kernel thread moves the balloon towards the host's target in
 * batches of BALLOON_BATCH pages; a second one reports free memory.
 * Every inflation is accounted (struct balloon_inflation) and shown in
 * /proc/balloon and in the stats the host reads.
 */
#ifndef GUEST_VIRTIO_BALLOON_H
#define GUEST_VIRTIO_BALLOON_H

#include <guestmm/compiler.h>
#include <guestmm/seq_buf.h>

struct virtio_driver;

/* Knobs, settable through /proc/balloon (`echo NAME VALUE > /proc/balloon`). */
struct balloon_tunables {
	/*
	 * How hard to shrink caches before taking pages that would push
	 * free memory below the watermarks: the shrink_slab() priority to
	 * start at (DEF_PRIORITY, 12, gentlest .. 0, everything), escalating
	 * towards 0 while free memory stays short.  -1: never shrink.
	 */
	int shrink_priority;
	unsigned int backoff_ms;	/* wait after an allocation failure */
	unsigned int report_delay_ms;	/* free page reporting: time after frees */
	unsigned int report_order;	/* smallest block reported */
	unsigned int oom_pages;		/* released per OOM notification */
};

/* The accounting of one inflation, in pages (times in ns). */
#define BALLOON_MAX_SHRINKERS	8
struct balloon_inflation {
	unsigned long pages;		/* put in the balloon */
	unsigned long from_free;	/* pages - shrink - reclaimed, at least 0 */
	unsigned long shrink;		/* slab memory the shrinkers gave back */
	unsigned long reclaimed;	/* pgsteal meanwhile (kswapd and direct) */
	unsigned long swapped;		/* pswpout meanwhile */
	unsigned long compacted;	/* pages migrated by compaction meanwhile */
	unsigned long backoffs;		/* allocation failures waited out */
	uint64_t ns;			/* first batch to target (or to now) */
	unsigned int nr_shrinkers;
	struct {
		const char *name;
		unsigned long pages;	/* slab memory given back while it ran */
		unsigned long objects;	/* objects it freed */
	} shrinker[BALLOON_MAX_SHRINKERS];
};

extern const struct virtio_driver virtio_balloon_driver;

/*
 * The smallest block free page reporting reports, from the kernel command
 * line before the driver probes (page_reporting.page_reporting_order=,
 * docs/CONVENTIONS.md), BALLOON_REPORT_ORDER_MIN..MAX; 0: pageblock_order.  /proc/balloon's report_order
 * changes it later.
 */
extern unsigned int balloon_report_order;

/* /proc/balloon: target, size, counters, tunables, the last inflation. */
void balloon_report(struct seq_buf *s);
/* `NAME VALUE` for a tunable; 0 or -1. */
int balloon_write(const char *line);

/* For tests: pages in the balloon now, and the last inflation (NULL: no device). */
bool balloon_snapshot(unsigned long *pages, struct balloon_inflation *last);
/* Stop the driver's threads and give every page back (tests, shutdown). */
void balloon_remove(void);

#endif
