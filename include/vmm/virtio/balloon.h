/* SPDX-License-Identifier: MIT */
/*
 * The virtio-balloon device (virtio 1.2, 5.5), host side: what the VMM
 * (and the loopback tests) create over a guest's RAM.
 *
 * The host sets a target (num_pages); the guest's driver inflates or
 * deflates towards it and reports how far it got in `actual`, which only
 * the driver writes.  Inflated and reported pages are discarded from the
 * host: punched out of the node's memfd (fallocate PUNCH_HOLE|KEEP_SIZE),
 * or MADV_DONTNEED where RAM has no file behind it, so the host gets the
 * memory back at once and the guest finds zeros if it touches them again.
 * PFNs are never trusted: each is checked against guest RAM, and one that
 * is not RAM is counted and skipped, never discarded.
 *
 * Requests are served on the device's own thread, woken by the queue
 * notifications and by the stats timer.
 */
#ifndef VMM_VIRTIO_BALLOON_H
#define VMM_VIRTIO_BALLOON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <balloon/balloon.h>
#include <vmm/log.h>
#include <vmm/virtio/mmio.h>
#include <vmm/virtio/worker.h>

#define BALLOON_QUEUE_SIZE	128

/* What `ebb run --balloon ...` asked for. */
struct balloon_dev_config {
	bool deflate_on_oom;		/* offer DEFLATE_ON_OOM */
	bool reporting;			/* offer PAGE_REPORTING */
	unsigned int report_order;	/* for the guest's command line; 0: its default */
	unsigned int stats_interval_ms;	/* 0: no STATS_VQ */
};

/* What the device did, since it was created. */
struct balloon_dev_counters {
	uint64_t inflated;		/* pages discarded on inflate */
	uint64_t deflated;		/* pages the guest took back */
	uint64_t reported;		/* pages discarded by free page reporting */
	uint64_t discards;		/* fallocate / madvise calls (ranges) */
	uint64_t discard_errors;	/* ... that failed (the memory stays) */
	uint64_t discard_error_pages;	/* pages they covered: in the balloon, still resident */
	uint64_t rejected;		/* PFNs or reported ranges outside guest RAM */
	uint64_t stats_updates;		/* stats buffers received */
};

/* The guest's last statistics: val[tag] where have[tag]. */
struct balloon_guest_stats {
	uint64_t linux_val[BALLOON_S_LINUX_NR];
	uint64_t ebb_val[EBB_BALLOON_S_NR];
	uint32_t linux_have;		/* bit per Linux tag seen */
	uint32_t ebb_have;		/* bit per ebb tag seen */
	uint64_t updated_ns;		/* CLOCK_MONOTONIC of the update, 0: never */
};

/* A consistent snapshot for `ebb balloon NAME` and the control socket. */
struct balloon_dev_info {
	uint32_t num_pages;		/* the host's target */
	uint32_t actual;		/* what the driver says it holds */
	uint64_t features;		/* negotiated (0 before the driver is up) */
	struct balloon_dev_counters counters;
	struct balloon_guest_stats stats;
};

struct balloon_dev {
	struct virtio_mmio mmio;
	struct virtio_dev_ops ops;	/* features depend on the configuration */
	struct balloon_dev_config cfg;
	struct virtio_balloon_config config;	/* little-endian, as the guest reads it */
	struct virtio_worker worker;	/* serves the queues, hands stats back on time */
	/* Under mmio.lock: */
	bool stats_held;		/* the driver's stats buffer is with us */
	uint16_t stats_head;
	uint64_t stats_due_ns;		/* when to hand the buffer back */
	struct balloon_guest_stats stats;
	struct balloon_dev_counters counters;
	struct virtq_req req;		/* scratch for the request in hand */
	struct ratelimit discard_rl;	/* failed discards are logged, not flooded */
};

/*
 * `ebb run --balloon=OPTS`: comma-separated deflate-on-oom, stats=SECONDS,
 * reporting[=ORDER].  0, or -1 with a message in @err.
 */
int balloon_parse_opts(const char *s, struct balloon_dev_config *cfg, char *err,
		       size_t errlen);

int balloon_dev_init(struct balloon_dev *b, const struct balloon_dev_config *cfg,
		     const struct guest_mem *mem, uint64_t base, unsigned int irq,
		     void (*set_irq)(void *ctx, unsigned int irq, int level), void *irq_ctx);
int balloon_dev_start(struct balloon_dev *b);
void balloon_dev_destroy(struct balloon_dev *b);

/* The host's wish: the guest should hold @pages pages in its balloon. */
void balloon_dev_set_target(struct balloon_dev *b, uint32_t pages);
void balloon_dev_info(struct balloon_dev *b, struct balloon_dev_info *out);

/* Serve every queue now and hand back a stats buffer if due (the thread's body). */
void balloon_dev_process(struct balloon_dev *b);

/* Names of the tags ("swap-in" ... "infl-ns"), NULL for unknown ones. */
const char *balloon_stat_name(unsigned int tag);

#endif
