/* SPDX-License-Identifier: MIT */
/*
 * The balloon on the QEMU backend: QEMU's own virtio-balloon-device,
 * steered over QMP, behind the same monitor_backend operations as the
 * KVM backend's device (vmm/virtio/balloon.c), so `ebb balloon` and
 * balloond cannot tell them apart.
 *
 * QMP answers later, so the backend keeps what QEMU last said: the target
 * it accepted, the guest's `actual` (BALLOON_CHANGE events, which QEMU
 * rate-limits to one a second, and a query-balloon every tick) and the
 * guest's statistics (guest-stats-polling-interval set from stats=SECONDS,
 * qom-get guest-stats every tick).  A query-balloon answer is built from
 * that cache at once; a balloon command is answered when QEMU answers.
 *
 * QEMU speaks of the guest's size where ebb speaks of the balloon's: its
 * `balloon` value and `actual` are RAM minus the balloon, converted here
 * and nowhere else (qemu_balloon_set, set_actual); ebb's side is bytes of
 * balloon, as for the KVM backend's device.  QEMU passes on
 * only the statistics it knows (tags 0..9 in QEMU 7.2), so ebb's own
 * inflation figures are read in the guest (/proc/balloon) on this backend.
 */
#ifndef EBB_VMM_QEMU_BALLOON_H
#define EBB_VMM_QEMU_BALLOON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include <vmm/monitor.h>
#include <vmm/qmp.h>
#include <vmm/virtio/balloon.h>

#define QEMU_BALLOON_ID		"ebb-balloon"	/* its qdev id: /machine/peripheral/ID */
#define QEMU_BALLOON_TICK_MS	1000

struct qemu_balloon {
	struct qmp *qmp;
	struct monitor *mon;
	pid_t qemu_pid;
	uint64_t mem_size;		/* QEMU's ram_size */
	struct balloon_dev_config cfg;
	uint64_t target_bytes;		/* the last balloon target QEMU accepted */
	uint64_t actual_bytes;		/* the balloon's size as the guest last said */
	json_t *stats;			/* by ebb's names (balloon_stat_name) */
	int64_t stats_last_update;	/* QEMU's last-update (seconds), 0: never */
	uint64_t stats_updates, change_events;
	bool query_busy, stats_busy;	/* a poll is in flight: no second one */
	char error[256];		/* QEMU's last complaint about a poll, "" */
};

/* The -device argument for @cfg. */
void qemu_balloon_device_arg(const struct balloon_dev_config *cfg, char *buf, size_t len);

/* Once QMP is up: start the guest-stats polling when stats=SECONDS asked for it. */
void qemu_balloon_start(struct qemu_balloon *qb, struct qmp *qmp, struct monitor *mon,
			pid_t qemu_pid, uint64_t mem_size, const struct balloon_dev_config *cfg);
/* A QMP event (BALLOON_CHANGE is the balloon's). */
void qemu_balloon_event(struct qemu_balloon *qb, const char *name, json_t *data);
/* Every QEMU_BALLOON_TICK_MS: refresh actual and the statistics. */
void qemu_balloon_tick(struct qemu_balloon *qb);
void qemu_balloon_destroy(struct qemu_balloon *qb);

/* monitor_backend.balloon_set / balloon_query, with @qb as ctx. */
int qemu_balloon_set(void *qb, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen);
void qemu_balloon_query(void *qb, json_t *into);

#endif
