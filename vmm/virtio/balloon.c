// SPDX-License-Identifier: MIT
/*
 * virtio-balloon, device side (include/vmm/virtio/balloon.h), and the KVM
 * backend's balloon commands on the control socket (balloon / query-balloon:
 * monitor_backend.balloon_set and balloon_query), as the device that
 * serves them owns them.
 *
 * Inflate and deflate requests are arrays of le32 PFNs in the chain's
 * device-readable part; reporting requests are device-writable buffers
 * that each cover one free block; the stats queue holds one buffer of
 * {le16 tag, le64 val} entries, which the device keeps until it wants
 * fresher figures and then hands back for the driver to refill (5.5.6.3).
 * A chain that is malformed as a chain (virtq_pop's checks) puts the
 * device in DEVICE_NEEDS_RESET; bad contents (a PFN that is not RAM, an
 * unaligned report) are counted and skipped, the rest of the request
 * still served.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include <vmm/fault_inject.h>
#include <vmm/log.h>
#include <vmm/memory.h>
#include <vmm/virtio/balloon.h>
#include <vmm/vm.h>

#define HUGE_PAGE	(2UL << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void balloon_config_read(struct virtio_mmio *vm, unsigned int off, void *buf,
				unsigned int len)
{
	struct balloon_dev *b = vm->dev;

	memcpy(buf, (const char *)&b->config + off, len);
}

/* Only `actual` is the driver's to write, and only as a whole le32. */
static void balloon_config_write(struct virtio_mmio *vm, unsigned int off, const void *buf,
				 unsigned int len)
{
	struct balloon_dev *b = vm->dev;

	if (off == offsetof(struct virtio_balloon_config, actual) && len == 4)
		memcpy(&b->config.actual, buf, 4);
}

static void balloon_notify(struct virtio_mmio *vm, unsigned int q)
{
	struct balloon_dev *b = vm->dev;

	virtio_worker_kick(&b->worker);
}

static void balloon_reset(struct virtio_mmio *vm)
{
	struct balloon_dev *b = vm->dev;

	/* The held stats buffer goes with the rings; actual starts over. */
	b->stats_held = false;
	b->config.actual = 0;
}

/*
 * The host could not take the range back: the pages stay in the balloon
 * (the guest gave them up and will not touch them until a deflate), but
 * their memory stays resident, which the counter and the log say.  The
 * contents are untouched, so a deflate hands back exactly what was there.
 */
static void discard_failed(struct balloon_dev *b, unsigned int node, uintptr_t off, size_t len)
{
	int err = errno;
	unsigned long missed;

	b->counters.discard_errors++;
	b->counters.discard_error_pages += len / BALLOON_PAGE_SIZE;
	if (ratelimit_allow(&b->discard_rl, mono_ns(), &missed))
		vmm_log("balloon: cannot give node %u's %#lx+%#zx back to the host: %s; %lu pages "
			"stay resident in the balloon%s", node, (unsigned long)off, len, strerror(err),
			(unsigned long)b->counters.discard_error_pages,
			missed ? " (earlier messages suppressed)" : "");
}

/*
 * Give [p, p+len) of guest RAM (a host address inside one node's mapping)
 * back to the host.  0, or -1 if the range is not RAM or the kernel said no.
 */
static int discard(struct balloon_dev *b, void *p, size_t len)
{
	const struct guest_mem *m = b->mmio.mem;

	for (unsigned int n = 0; n < m->layout.nr_nodes; n++) {
		const struct guest_node_mem *nm = &m->node[n];
		uintptr_t base = (uintptr_t)nm->base, a = (uintptr_t)p;
		int r;

		if (!nm->base || a < base || a - base + len > nm->size)
			continue;
		if (m->hugepages) {
			/* Only whole huge pages can go; a partial one stays. */
			uintptr_t s = (a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
			uintptr_t e = (a + len) & ~(HUGE_PAGE - 1);

			if (e <= s)
				return 0;
			a = s;
			len = e - s;
		}
		b->counters.discards++;
		if ((r = fault_should_fail(FAULT_BALLOON_PUNCH, len))) {
			errno = r;
			r = -1;
		} else if (nm->fd >= 0) {
			r = fallocate(nm->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)(a - base), (off_t)len);
			if (r)
				r = madvise((void *)a, len, MADV_REMOVE);
		} else {
			r = madvise((void *)a, len, MADV_DONTNEED);
		}
		if (r)
			discard_failed(b, n, a - base, len);
		return r;
	}
	b->counters.rejected++;
	return -1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * One batch of PFNs from an inflate (@inflate) or deflate request: check
 * each against guest RAM; on inflate, discard them as ranges of pages
 * that are contiguous in the host mapping.
 */
static void do_pfns(struct balloon_dev *b, uint32_t *pfn, unsigned int n, bool inflate)
{
	const struct guest_mem *m = b->mmio.mem;
	char *run = NULL;
	size_t run_len = 0;
	unsigned int run_node = 0;

	for (unsigned int i = 0; i < n; i++)
		pfn[i] = le32toh(pfn[i]);
	qsort(pfn, n, sizeof(*pfn), cmp_u32);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t gpa = (uint64_t)pfn[i] << BALLOON_PFN_SHIFT;
		const struct ebb_range *r = layout_find(&m->layout, gpa, BALLOON_PAGE_SIZE);
		char *p;

		if (i && pfn[i] == pfn[i - 1])
			continue;	/* a duplicate says nothing new */
		p = r ? guest_mem_ptr(m, gpa, BALLOON_PAGE_SIZE) : NULL;
		if (!p) {
			b->counters.rejected++;
			continue;
		}
		if (!inflate) {
			b->counters.deflated++;
			continue;	/* the next touch faults in a zero page */
		}
		b->counters.inflated++;
		/*
		 * A run stays inside one node's mapping: another node's may
		 * follow it in host memory, and discard() takes one node's
		 * pages at a time.
		 */
		if (run && run + run_len == p && r->node == run_node) {
			run_len += BALLOON_PAGE_SIZE;
			continue;
		}
		if (run)
			discard(b, run, run_len);
		run = p;
		run_len = BALLOON_PAGE_SIZE;
		run_node = r->node;
	}
	if (run)
		discard(b, run, run_len);
}

static void pfn_request(struct balloon_dev *b, const struct virtq_req *r, bool inflate)
{
	uint32_t pfn[BALLOON_BATCH];
	size_t off = 0;

	/* A trailing partial PFN is not a PFN: ignored. */
	while (off + sizeof(uint32_t) <= r->out_len) {
		size_t got = iov_to_buf(r->out, r->nr_out, off, pfn, sizeof(pfn));

		do_pfns(b, pfn, (unsigned int)(got / sizeof(uint32_t)), inflate);
		off += got & ~(sizeof(uint32_t) - 1);
		if (got < sizeof(uint32_t))
			break;
	}
}

static void report_request(struct balloon_dev *b, const struct virtq_req *r)
{
	for (unsigned int i = 0; i < r->nr_in; i++) {
		const struct iovec *v = &r->in[i];

		if (((uintptr_t)v->iov_base | v->iov_len) & (BALLOON_PAGE_SIZE - 1)) {
			b->counters.rejected++;
			continue;
		}
		if (discard(b, v->iov_base, v->iov_len) == 0)
			b->counters.reported += v->iov_len / BALLOON_PAGE_SIZE;
	}
}

static void stats_request(struct balloon_dev *b, const struct virtq_req *r)
{
	struct virtio_balloon_stat st[64];
	size_t got = iov_to_buf(r->out, r->nr_out, 0, st, sizeof(st));

	for (size_t i = 0; i < got / sizeof(st[0]); i++) {
		unsigned int tag = le16toh(st[i].tag);
		uint64_t val = le64toh(st[i].val);

		if (tag < BALLOON_S_LINUX_NR) {
			b->stats.linux_val[tag] = val;
			b->stats.linux_have |= 1U << tag;
		} else if (tag >= EBB_BALLOON_S_BASE && tag < EBB_BALLOON_S_END) {
			b->stats.ebb_val[tag - EBB_BALLOON_S_BASE] = val;
			b->stats.ebb_have |= 1U << (tag - EBB_BALLOON_S_BASE);
		}	/* 5.5.6.3: unknown tags are ignored */
	}
	b->stats.updated_ns = now_ns();
	b->counters.stats_updates++;
}

/* The index of @role's queue as the driver numbered them (balloon.h), -1: none. */
static int vq_index(const struct balloon_dev *b, enum balloon_vq role)
{
	return balloon_vq_index(role, b->mmio.driver_features);
}

/* Hand the stats buffer back so the driver refills it.  Lock held. */
static void stats_return(struct balloon_dev *b)
{
	int q = vq_index(b, BALLOON_VQ_STATS);

	if (!b->stats_held || q < 0 || !virtio_mmio_queue_live(&b->mmio, (unsigned int)q))
		return;
	b->stats_held = false;
	virtq_push(&b->mmio.vq[q], b->stats_head, 0);
	virtio_mmio_signal_used(&b->mmio, (unsigned int)q);
}

/* Serve queue @q until it is empty; false if the driver broke it. */
static bool serve(struct balloon_dev *b, unsigned int q)
{
	struct virtio_mmio *vm = &b->mmio;
	enum balloon_vq role = balloon_vq_role(q, vm->driver_features);
	enum virtq_error why;
	bool pushed = false;
	int got;

	while (virtio_mmio_queue_live(vm, q) && (got = virtq_pop(&vm->vq[q], vm->mem, &b->req, &why))) {
		if (got < 0) {
			virtio_mmio_needs_reset(vm, "queue %u: %s", q, virtq_strerror(why));
			return false;
		}
		switch (role) {
		case BALLOON_VQ_INFLATE:
		case BALLOON_VQ_DEFLATE:
			pfn_request(b, &b->req, role == BALLOON_VQ_INFLATE);
			break;
		case BALLOON_VQ_REPORTING:
			report_request(b, &b->req);
			break;
		case BALLOON_VQ_STATS:
			/* A second buffer while we hold one: give the old one back. */
			stats_return(b);
			stats_request(b, &b->req);
			b->stats_held = true;
			b->stats_head = b->req.head;
			b->stats_due_ns = now_ns() + (uint64_t)b->cfg.stats_interval_ms * 1000000;
			continue;	/* held, not pushed */
		case BALLOON_VQ_FREE_PAGE:
		case BALLOON_NR_VQS:
			break;		/* not offered: used, untouched */
		}
		virtq_push(&vm->vq[q], b->req.head, 0);
		pushed = true;
	}
	if (pushed)
		virtio_mmio_signal_used(vm, q);
	return true;
}

void balloon_dev_process(struct balloon_dev *b)
{
	/* The transport lock is held across the discards, as blk holds it across I/O. */
	pthread_mutex_lock(&b->mmio.lock);
	for (unsigned int q = 0; q < b->ops.nr_queues; q++)	/* inflate before deflate */
		if (!serve(b, q))
			break;
	if (b->stats_held && now_ns() >= b->stats_due_ns)
		stats_return(b);
	pthread_mutex_unlock(&b->mmio.lock);
}

void balloon_dev_set_target(struct balloon_dev *b, uint32_t pages)
{
	pthread_mutex_lock(&b->mmio.lock);
	b->config.num_pages = htole32(pages);
	virtio_mmio_config_changed(&b->mmio);
	pthread_mutex_unlock(&b->mmio.lock);
}

void balloon_dev_info(struct balloon_dev *b, struct balloon_dev_info *out)
{
	pthread_mutex_lock(&b->mmio.lock);
	out->num_pages = le32toh(b->config.num_pages);
	out->actual = le32toh(b->config.actual);
	out->features = b->mmio.status & VIRTIO_CONFIG_S_FEATURES_OK ? b->mmio.driver_features : 0;
	out->counters = b->counters;
	out->stats = b->stats;
	pthread_mutex_unlock(&b->mmio.lock);
}

int balloon_parse_opts(const char *s, struct balloon_dev_config *cfg, char *err,
		       size_t errlen)
{
	char buf[128], *tok, *save;

	memset(cfg, 0, sizeof(*cfg));
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		if (!strcmp(tok, "deflate-on-oom")) {
			cfg->deflate_on_oom = true;
		} else if (!strcmp(tok, "reporting")) {
			cfg->reporting = true;
		} else if (!strncmp(tok, "reporting=", 10)) {
			unsigned long order = strtoul(tok + 10, &end, 10);

			if (end == tok + 10 || *end || order < BALLOON_REPORT_ORDER_MIN ||
			    order > BALLOON_REPORT_ORDER_MAX) {
				snprintf(err, errlen, "--balloon=%s: reporting=ORDER: the smallest "
					 "block reported, an order from %d (8 KiB) to %d (4 MiB)",
					 s, BALLOON_REPORT_ORDER_MIN, BALLOON_REPORT_ORDER_MAX);
				return -1;
			}
			cfg->reporting = true;
			cfg->report_order = (unsigned int)order;
		} else if (!strncmp(tok, "stats=", 6)) {
			unsigned long sec = strtoul(tok + 6, &end, 10);

			if (end == tok + 6 || *end || sec == 0 || sec > 3600)
				goto bad;
			cfg->stats_interval_ms = (unsigned int)sec * 1000;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "--balloon=%s: expected deflate-on-oom, stats=SECONDS (1..3600) "
		 "and reporting[=ORDER], comma-separated", s);
	return -1;
}

/* The worker's entries. */
static void balloon_worker_process(void *dev)
{
	balloon_dev_process(dev);
}

/* Milliseconds until the held stats buffer is due, -1: nothing to wait for. */
static int balloon_worker_timeout(void *dev)
{
	struct balloon_dev *b = dev;
	uint64_t now = now_ns();
	int ms = -1;

	pthread_mutex_lock(&b->mmio.lock);
	if (b->stats_held)
		ms = b->stats_due_ns <= now ? 0 : (int)((b->stats_due_ns - now + 999999) / 1000000);
	pthread_mutex_unlock(&b->mmio.lock);
	return ms;
}

int balloon_dev_init(struct balloon_dev *b, const struct balloon_dev_config *cfg,
		     const struct guest_mem *mem, uint64_t base, unsigned int irq,
		     void (*set_irq)(void *ctx, unsigned int irq, int level), void *irq_ctx)
{
	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	ratelimit_init(&b->discard_rl);
	b->ops = (struct virtio_dev_ops){
		.name = "virtio-balloon",
		.device_id = VIRTIO_ID_BALLOON,
		.features = 1ULL << VIRTIO_BALLOON_F_MUST_TELL_HOST,
		.queue_max = BALLOON_QUEUE_SIZE,
		.config_read = balloon_config_read,
		.config_write = balloon_config_write,
		.config_len = sizeof(struct virtio_balloon_config),
		.notify = balloon_notify,
		.reset = balloon_reset,
	};
	if (cfg->stats_interval_ms)
		b->ops.features |= 1ULL << VIRTIO_BALLOON_F_STATS_VQ;
	if (cfg->deflate_on_oom)
		b->ops.features |= 1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	if (cfg->reporting)
		b->ops.features |= 1ULL << VIRTIO_BALLOON_F_REPORTING;
	/* As many queues as the offer can use; a driver that takes less uses fewer. */
	for (int r = 0; r < BALLOON_NR_VQS; r++)
		b->ops.nr_queues += balloon_vq_exists((enum balloon_vq)r, b->ops.features);
	if (virtio_worker_init(&b->worker, "virtio-balloon", b, balloon_worker_process,
			       balloon_worker_timeout))
		return -1;
	virtio_mmio_init(&b->mmio, &b->ops, b, mem, base, irq, set_irq, irq_ctx);
	return 0;
}

int balloon_dev_start(struct balloon_dev *b)
{
	return virtio_worker_start(&b->worker);
}

void balloon_dev_destroy(struct balloon_dev *b)
{
	virtio_worker_destroy(&b->worker);
	virtio_mmio_destroy(&b->mmio);
}

const char *balloon_stat_name(unsigned int tag)
{
	static const char *const linux_names[BALLOON_S_LINUX_NR] = {
		"swap-in", "swap-out", "major-faults", "minor-faults", "free-memory",
		"total-memory", "available-memory", "disk-caches", "hugetlb-allocations",
		"hugetlb-failures", "oom-kills", "alloc-stalls", "async-scans", "direct-scans",
		"async-reclaims", "direct-reclaims",
	};
	static const char *const ebb_names[EBB_BALLOON_S_NR] = {
		"infl-bytes", "infl-free", "infl-shrink", "infl-reclaim", "infl-swap",
		"infl-compact", "infl-ns", "oom-deflate", "stall-us", "stall-avg10",
	};

	if (tag < BALLOON_S_LINUX_NR)
		return linux_names[tag];
	if (tag >= EBB_BALLOON_S_BASE && tag < EBB_BALLOON_S_END)
		return ebb_names[tag - EBB_BALLOON_S_BASE];
	return NULL;
}

/* --- the control socket's balloon commands (KVM backend) --- */

/* A balloon size in bytes becomes the virtio config's pages here, and back in the query. */
int vm_balloon_set(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen)
{
	struct vm *vm = ctx;
	uint64_t pages = bytes / BALLOON_PAGE_SIZE;

	if (bytes > vm->mem.layout.mem_size || pages > UINT32_MAX) {
		snprintf(err, errlen, "a balloon of %" PRIu64 " bytes is larger than the guest's RAM",
			 bytes);
		return -1;
	}
	balloon_dev_set_target(&vm->balloon, (uint32_t)pages);
	return 0;
}

static json_t *guest_stats(const struct balloon_guest_stats *st)
{
	json_t *o = json_object();

	for (unsigned int t = 0; t < BALLOON_S_LINUX_NR; t++)
		if (st->linux_have & (1U << t))
			json_object_set_new(o, balloon_stat_name(t),
					    json_integer((json_int_t)st->linux_val[t]));
	for (unsigned int t = 0; t < EBB_BALLOON_S_NR; t++)
		if (st->ebb_have & (1U << t))
			json_object_set_new(o, balloon_stat_name(EBB_BALLOON_S_BASE + t),
					    json_integer((json_int_t)st->ebb_val[t]));
	return o;
}

void vm_balloon_query(void *ctx, json_t *into)
{
	struct vm *vm = ctx;
	struct balloon_dev_info i;
	const struct balloon_dev_counters *c = &i.counters;

	balloon_dev_info(&vm->balloon, &i);
	json_object_set_new(into, "target_bytes",
			    json_integer((json_int_t)(i.num_pages * BALLOON_PAGE_SIZE)));
	json_object_set_new(into, "actual_bytes",
			    json_integer((json_int_t)(i.actual * BALLOON_PAGE_SIZE)));
	json_object_set_new(into, "features", json_integer((json_int_t)i.features));
	json_object_set_new(into, "guest_resident_bytes",
			    json_integer((json_int_t)guest_mem_resident(&vm->mem)));
	json_object_set_new(into, "device", json_pack("{sI sI sI sI sI sI sI sI}",
		"inflated_pages", (json_int_t)c->inflated, "deflated_pages", (json_int_t)c->deflated,
		"reported_pages", (json_int_t)c->reported, "discards", (json_int_t)c->discards,
		"discard_errors", (json_int_t)c->discard_errors,
		"discard_error_pages", (json_int_t)c->discard_error_pages,
		"rejected", (json_int_t)c->rejected,
		"stats_updates", (json_int_t)c->stats_updates));
	json_object_set_new(into, "stats", guest_stats(&i.stats));
}
