// SPDX-License-Identifier: MIT
/*
 * The balloon on the QEMU backend (include/vmm/qemu_balloon.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/log.h>
#include <vmm/procfs.h>
#include <vmm/qemu_balloon.h>

#define QOM_PATH	"/machine/peripheral/" QEMU_BALLOON_ID

/* QEMU's names for the statistics, by tag (hw/virtio/virtio-balloon.c). */
static const char *const qemu_stat_names[BALLOON_S_LINUX_NR] = {
	"stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults",
	"stat-free-memory", "stat-total-memory", "stat-available-memory", "stat-disk-caches",
	"stat-htlb-pgalloc", "stat-htlb-pgfail", "stat-oom-kills", "stat-alloc-stalls",
	"stat-async-scans", "stat-direct-scans", "stat-async-reclaims", "stat-direct-reclaims",
};

void qemu_balloon_device_arg(const struct balloon_dev_config *cfg, char *buf, size_t len)
{
	/* QEMU always offers STATS_VQ; stats=SECONDS only sets its polling interval. */
	snprintf(buf, len, "virtio-balloon-device,id=%s,deflate-on-oom=%s,free-page-reporting=%s",
		 QEMU_BALLOON_ID, cfg->deflate_on_oom ? "on" : "off", cfg->reporting ? "on" : "off");
}

/* QEMU's `actual` is the guest's size; ours is the balloon's. */
static void set_actual(struct qemu_balloon *qb, json_t *guest_bytes)
{
	double v = json_number_value(guest_bytes);	/* integer or real: vmm/qmp.c */

	if (json_is_number(guest_bytes) && v >= 0 && v <= (double)qb->mem_size)
		qb->actual_bytes = qb->mem_size - (uint64_t)v;
}

void qemu_balloon_event(struct qemu_balloon *qb, const char *name, json_t *data)
{
	if (strcmp(name, "BALLOON_CHANGE"))
		return;
	set_actual(qb, json_object_get(data, "actual"));
	qb->change_events++;
}

static void poll_error(struct qemu_balloon *qb, const char *what, const char *error)
{
	/* Said once per kind of trouble, not every tick. */
	if (strcmp(qb->error, error))
		vmm_log("QEMU balloon: %s: %s", what, error);
	snprintf(qb->error, sizeof(qb->error), "%s", error);
}

static void query_done(void *arg, json_t *ret, const char *error)
{
	struct qemu_balloon *qb = arg;

	qb->query_busy = false;
	if (error)
		poll_error(qb, "query-balloon", error);
	else
		set_actual(qb, json_object_get(ret, "actual"));
}

static void stats_done(void *arg, json_t *ret, const char *error)
{
	struct qemu_balloon *qb = arg;
	json_t *st = json_object_get(ret, "stats");
	double when = json_number_value(json_object_get(ret, "last-update"));
	/* Seconds since the epoch; what does not fit says nothing new. */
	int64_t last = when > 0 && when < 0x1p62 ? (int64_t)when : 0;

	qb->stats_busy = false;
	if (error) {
		poll_error(qb, "qom-get guest-stats", error);
		return;
	}
	if (!last || last == qb->stats_last_update)
		return;		/* nothing new from the guest */
	qb->stats_last_update = last;
	qb->stats_updates++;
	for (unsigned int t = 0; t < BALLOON_S_LINUX_NR; t++) {
		json_t *v = json_object_get(st, qemu_stat_names[t]);
		double d = json_number_value(v);

		/* QEMU says 2^64 - 1 (or -1, once) for a tag the guest never sent. */
		if (json_is_number(v) && d >= 0 && d < 0x1p63)
			json_object_set_new(qb->stats, balloon_stat_name(t),
					    json_integer(json_is_integer(v) ? json_integer_value(v) :
							 (json_int_t)d));
	}
}

static void interval_done(void *arg, json_t *ret, const char *error)
{
	if (error)
		poll_error(arg, "guest-stats-polling-interval", error);
}

void qemu_balloon_start(struct qemu_balloon *qb, struct qmp *qmp, struct monitor *mon,
			pid_t qemu_pid, uint64_t mem_size, const struct balloon_dev_config *cfg)
{
	memset(qb, 0, sizeof(*qb));
	qb->qmp = qmp;
	qb->mon = mon;
	qb->qemu_pid = qemu_pid;
	qb->mem_size = mem_size;
	qb->cfg = *cfg;
	qb->stats = json_object();
	if (cfg->stats_interval_ms)
		qmp_execute(qmp, "qom-set", json_pack("{ss ss sI}", "path", QOM_PATH, "property",
			    "guest-stats-polling-interval", "value",
			    (json_int_t)(cfg->stats_interval_ms / 1000)), interval_done, qb);
}

void qemu_balloon_tick(struct qemu_balloon *qb)
{
	if (!qb->query_busy && !qmp_execute(qb->qmp, "query-balloon", NULL, query_done, qb))
		qb->query_busy = true;
	if (qb->cfg.stats_interval_ms && !qb->stats_busy &&
	    !qmp_execute(qb->qmp, "qom-get", json_pack("{ss ss}", "path", QOM_PATH, "property",
						       "guest-stats"), stats_done, qb))
		qb->stats_busy = true;
}

void qemu_balloon_destroy(struct qemu_balloon *qb)
{
	json_decref(qb->stats);
	qb->stats = NULL;
}

/* A balloon command on its way: who asked, and for what. */
struct set_req {
	struct qemu_balloon *qb;
	struct ctl_ref who;
	uint64_t bytes;
};

static void set_done(void *arg, json_t *ret, const char *error)
{
	struct set_req *r = arg;

	if (error) {
		ctl_error(r->qb->mon, r->who, "GenericError", "QEMU refused the balloon target: %s",
			  error);
	} else {
		r->qb->target_bytes = r->bytes;
		ctl_reply(r->qb->mon, r->who, NULL);
	}
	free(r);
}

int qemu_balloon_set(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen)
{
	struct qemu_balloon *qb = ctx;
	struct set_req *r;

	if (bytes >= qb->mem_size) {
		/* QEMU's balloon takes the guest's size, and a guest of 0 bytes is no size. */
		snprintf(err, errlen, "a balloon of %" PRIu64 " bytes leaves the guest no memory; "
			 "QEMU's balloon keeps at least one page", bytes);
		return -1;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*r = (struct set_req){ .qb = qb, .who = who, .bytes = bytes };
	if (qmp_execute(qb->qmp, "balloon",
			json_pack("{sI}", "value", (json_int_t)(qb->mem_size - bytes)),
			set_done, r)) {
		free(r);
		snprintf(err, errlen, "QEMU's monitor (QMP) is not taking commands");
		return -1;
	}
	return 1;
}

void qemu_balloon_query(void *ctx, json_t *into)
{
	struct qemu_balloon *qb = ctx;

	json_object_set_new(into, "target_bytes", json_integer((json_int_t)qb->target_bytes));
	json_object_set_new(into, "actual_bytes", json_integer((json_int_t)qb->actual_bytes));
	/* QEMU's resident memory: guest RAM it touched, plus QEMU itself. */
	json_object_set_new(into, "guest_resident_bytes",
			    json_integer((json_int_t)procfs_rss(qb->qemu_pid)));
	json_object_set_new(into, "device", json_pack("{sI sI}",
		"stats_updates", (json_int_t)qb->stats_updates,
		"change_events", (json_int_t)qb->change_events));
	json_object_set_new(into, "stats", json_deep_copy(qb->stats));
}
