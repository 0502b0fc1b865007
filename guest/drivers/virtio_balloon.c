// SPDX-License-Identifier: MIT
/*
 * virtio-balloon, driver side (include/guest/virtio_balloon.h).
 *
 * Inflating: the balloon thread allocates movable pages without reserves
 * or retries (a balloon must never be why the guest runs out), tells the
 * host their PFNs, and only then counts them in `actual`.  Before a batch
 * that would take free memory below the watermarks, it runs the shrinkers
 * one by one so reclaimable caches shrink before reclaim (and swap) would
 * start.  An allocation failure ends the batch; the thread waits
 * backoff_ms and tries again.
 *
 * Deflating tells the host before a page is freed (MUST_TELL_HOST), so
 * the host never discards memory the guest uses again.
 *
 * Balloon pages are movable: page->mapping points at the balloon's
 * movable_mapping, and compaction migrates one by inflating the new page
 * and deflating the old (balloon_migrate).  Deflate-on-OOM is an OOM
 * notifier.  Free page reporting takes free blocks of report_order or
 * more that the host has not heard of off the free lists for the time the
 * host needs to discard them (guestmm/page_reporting.c), a queue's worth
 * at a time.
 *
 * Locking: pages_lock (a spinlock, interrupts off) guards the page list
 * and counts; tell_busy serialises the inflate and deflate queues across
 * the wait for the host (a sleeping lock built from an event, since the
 * wait sleeps).  Queue callbacks only signal events.
 */
#include <balloon/balloon.h>
#include <guest/virtio.h>
#include <guest/virtio_balloon.h>
#include <guest/virtqueue.h>
#include <guestmm/errno.h>
#include <guestmm/gfp.h>
#include <guestmm/migrate.h>
#include <guestmm/oom.h>
#include <guestmm/page_alloc.h>
#include <guestmm/page_reporting.h>
#include <guestmm/platform.h>
#include <guestmm/psi.h>
#include <guestmm/shrinker.h>
#include <guestmm/spinlock.h>
#include <guestmm/vmstat.h>
#include <linux/virtio_ids.h>

#define BALLOON_GFP	(GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOMEMALLOC | __GFP_NOWARN)
#define REPORT_CAPACITY	32		/* blocks per report, as Linux's PAGE_REPORTING_CAPACITY */
#define HOST_TIMEOUT_NS	(30ULL * 1000000000)
#define NSEC_PER_MS	1000000ULL
#define STATS_MAX	(BALLOON_S_LINUX_NR + EBB_BALLOON_S_NR)

struct balloon {
	struct virtio_device *vdev;
	struct virtqueue *vq[BALLOON_NR_VQS];	/* NULL where not negotiated */
	struct movable_mapping movable;

	spinlock_t pages_lock;
	struct list_head pages;		/* in the balloon and not isolated */
	unsigned long nr_pages;		/* in the balloon, isolated ones included */

	spinlock_t tell_lock;		/* guards tell_busy */
	bool tell_busy;
	struct platform_event *tell_free;	/* tell_busy was cleared */
	struct platform_event *ack;	/* inflate / deflate buffer used */
	struct platform_event *report_ack;
	struct platform_event *wake;	/* config changed, stats wanted */
	struct platform_event *report_wake;
	struct platform_thread *thread, *report_thread;
	bool stats_wanted;		/* the device handed the stats buffer back */

	/* One page of driver memory the device reads: PFN array, stats. */
	struct page *buf_page;
	uint32_t *pfns;			/* BALLOON_BATCH, under tell_busy */
	struct virtio_balloon_stat *stats;	/* STATS_MAX */

	struct balloon_tunables tun;
	struct oom_notifier oom;
	struct balloon_inflation last;	/* the last (or running) inflation */
	bool inflating;
	struct balloon_inflation_start {
		uint64_t ns;
		unsigned long steal, swap, migrate, balloon_migrate;
	} start;
	unsigned long oom_pages, migrated, reported, report_seen;
};

static struct balloon *the_balloon;
unsigned int balloon_report_order;
_Static_assert(BALLOON_REPORT_ORDER_MAX == MAX_ORDER, "the host checks the order the guest takes");

/* --- Talking to the host ------------------------------------------------- */

static void tell_lock(struct balloon *b)
{
	for (;;) {
		spin_lock(&b->tell_lock);
		if (!b->tell_busy) {
			b->tell_busy = true;
			spin_unlock(&b->tell_lock);
			return;
		}
		spin_unlock(&b->tell_lock);
		platform_event_wait(b->tell_free, NSEC_PER_MS);
	}
}

static bool tell_trylock(struct balloon *b)
{
	bool got;

	spin_lock(&b->tell_lock);
	got = !b->tell_busy;
	b->tell_busy = true;
	spin_unlock(&b->tell_lock);
	return got;
}

static void tell_unlock(struct balloon *b)
{
	spin_lock(&b->tell_lock);
	b->tell_busy = false;
	spin_unlock(&b->tell_lock);
	platform_event_signal(b->tell_free);
}

/* Expose @bufs on @vq and wait until the device used them.  0 or -EIO. */
static int send_and_wait(struct balloon *b, struct virtqueue *vq, const struct vq_buf *bufs,
			 unsigned int out, unsigned int in, struct platform_event *ack)
{
	uint64_t deadline = platform_clock_ns() + HOST_TIMEOUT_NS;
	uint32_t len;

	if (virtqueue_add(vq, bufs, out, in, b) < 0)
		return -EIO;
	virtqueue_kick(vq);
	while (!virtqueue_get_buf(vq, &len)) {
		if (virtqueue_is_broken(vq) || platform_clock_ns() > deadline) {
			virtio_device_fail(b->vdev, "balloon: the host did not answer");
			return -EIO;
		}
		platform_event_wait(ack, NSEC_PER_MS);
	}
	return 0;
}

/* Tell the host about b->pfns[0..n) on @vq (tell_busy held). */
static int tell_host(struct balloon *b, unsigned int q, unsigned int n)
{
	struct vq_buf buf = { page_to_phys(b->buf_page), n * sizeof(uint32_t) };

	return send_and_wait(b, b->vq[q], &buf, 1, 0, b->ack);
}

static void update_actual(struct balloon *b)
{
	uint32_t actual = (uint32_t)READ_ONCE(b->nr_pages);

	b->vdev->config->set_config(b->vdev, offsetof(struct virtio_balloon_config, actual),
				    &actual, sizeof(actual));
}

static uint32_t target(struct balloon *b)
{
	uint32_t v = 0;

	virtio_cread_bytes(b->vdev, offsetof(struct virtio_balloon_config, num_pages), &v,
			   sizeof(v));
	return v;
}

/* --- Accounting ------------------------------------------------------------ */

static unsigned long slab_pages(void)
{
	return (unsigned long)(global_node_page_state(NR_SLAB_RECLAIMABLE_B) +
			       global_node_page_state(NR_SLAB_UNRECLAIMABLE_B)) >> PAGE_SHIFT;
}

static unsigned long steal_events(void)
{
	return sum_vm_event(PGSTEAL_KSWAPD) + sum_vm_event(PGSTEAL_DIRECT);
}

static void inflation_begin(struct balloon *b)
{
	memset(&b->last, 0, sizeof(b->last));
	b->start.ns = platform_clock_ns();
	b->start.steal = steal_events();
	b->start.swap = sum_vm_event(PSWPOUT);
	b->start.migrate = sum_vm_event(PGMIGRATE_SUCCESS);
	b->start.balloon_migrate = sum_vm_event(BALLOON_MIGRATE);
	b->inflating = true;
}

/* Bring the running inflation's figures up to date. */
static void inflation_update(struct balloon *b)
{
	struct balloon_inflation *l = &b->last;
	unsigned long taken;

	l->ns = platform_clock_ns() - b->start.ns;
	l->reclaimed = steal_events() - b->start.steal;
	l->swapped = sum_vm_event(PSWPOUT) - b->start.swap;
	l->compacted = (sum_vm_event(PGMIGRATE_SUCCESS) - b->start.migrate) -
		       (sum_vm_event(BALLOON_MIGRATE) - b->start.balloon_migrate);
	taken = l->shrink + l->reclaimed;
	l->from_free = l->pages > taken ? l->pages - taken : 0;
}

struct shrink_pass {
	struct balloon_inflation *l;
	int priority;
	unsigned long pages;		/* given back in this pass */
};

/* One shrinker, on every node it cares about; what it gave back is its own. */
static void shrink_one(struct shrinker *s, void *arg)
{
	struct shrink_pass *p = arg;
	struct balloon_inflation *l = p->l;
	unsigned long before = slab_pages(), after, objects = 0;
	unsigned int i;
	int nid;

	for_each_online_node(nid) {
		struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid };
		unsigned long r = do_shrink_slab(&sc, s, p->priority);

		if (r != SHRINK_EMPTY)
			objects += r;
		if (!(s->flags & SHRINKER_NUMA_AWARE))
			break;
	}
	after = slab_pages();
	for (i = 0; i < l->nr_shrinkers && l->shrinker[i].name != s->name; i++)
		;
	if (i == l->nr_shrinkers) {
		if (i == BALLOON_MAX_SHRINKERS)
			i--;		/* the last row takes the rest */
		else
			l->nr_shrinkers++;
		l->shrinker[i].name = s->name;
	}
	l->shrinker[i].objects += objects;
	if (before > after) {
		l->shrinker[i].pages += before - after;
		p->pages += before - after;
	}
}

/*
 * Would taking @need more pages leave every zone the balloon allocates
 * from below its high watermark (where kswapd, and so reclaim, starts)?
 */
static bool free_short(unsigned long need)
{
	enum zone_type highest = gfp_zone(BALLOON_GFP);
	int nid;

	for_each_online_node(nid) {
		for (int zt = 0; zt <= (int)highest; zt++) {
			struct zone *z = &NODE_DATA(nid)->node_zones[zt];

			if (managed_zone(z) &&
			    zone_watermark_ok(z, 0, high_wmark_pages(z) + need, highest, 0))
				return false;
		}
	}
	return true;
}

/* Run every shrinker once at @priority; pages they gave back. */
static unsigned long shrink_all(struct balloon *b, int priority)
{
	struct shrink_pass p = { .l = &b->last, .priority = priority };

	shrinker_for_each(shrink_one, &p);
	b->last.shrink += p.pages;
	return p.pages;
}

/*
 * Before taking @need pages: while they would leave free memory short,
 * shrink caches, harder each round.
 */
static void shrink_before(struct balloon *b, unsigned long need)
{
	if (b->tun.shrink_priority < 0)
		return;
	for (int prio = min(b->tun.shrink_priority, DEF_PRIORITY); prio >= 0 && free_short(need);
	     prio--)
		shrink_all(b, prio);
}

/* --- Inflate, deflate ------------------------------------------------------ */

/* Put up to @n pages (<= BALLOON_BATCH) in the balloon; how many went in. */
static unsigned int fill(struct balloon *b, unsigned int n)
{
	struct list_head new = LIST_HEAD_INIT(new);
	struct page *page, *next;
	unsigned long flags;
	unsigned int got = 0;

	shrink_before(b, n);
	tell_lock(b);
	while (got < n) {
		page = alloc_page(BALLOON_GFP);
		if (!page) {
			/* Short after all: the caches' last chance before backing off. */
			if (b->tun.shrink_priority < 0 || !shrink_all(b, 0))
				break;
			continue;
		}
		list_add_tail(&page->lru, &new);
		b->pfns[got++] = (uint32_t)page_to_pfn(page);
	}
	if (got && tell_host(b, BALLOON_VQ_INFLATE, got) == 0) {
		spin_lock_irqsave(&b->pages_lock, flags);
		list_for_each_entry_safe(page, next, &new, lru) {
			list_del(&page->lru);
			page_set_movable(page, &b->movable);
			list_add(&page->lru, &b->pages);
		}
		b->nr_pages += got;
		spin_unlock_irqrestore(&b->pages_lock, flags);
		count_vm_events(BALLOON_INFLATE, got);
		b->last.pages += got;
		update_actual(b);
	} else {
		list_for_each_entry_safe(page, next, &new, lru) {
			list_del(&page->lru);
			__free_page(page);
		}
		got = 0;
	}
	tell_unlock(b);
	return got;
}

/* Take up to @n pages (<= BALLOON_BATCH) out of the balloon; how many came out. */
static unsigned int leak(struct balloon *b, unsigned int n)
{
	struct page *pages[BALLOON_BATCH];
	unsigned long flags;
	unsigned int got = 0;

	tell_lock(b);
	spin_lock_irqsave(&b->pages_lock, flags);
	while (got < n && !list_empty(&b->pages)) {
		struct page *page = list_first_entry(&b->pages, struct page, lru);

		/* Off the list and no longer ours: compaction cannot claim it now. */
		list_del(&page->lru);
		page_clear_movable(page);
		pages[got] = page;
		b->pfns[got++] = (uint32_t)page_to_pfn(page);
	}
	spin_unlock_irqrestore(&b->pages_lock, flags);
	if (got && tell_host(b, BALLOON_VQ_DEFLATE, got) < 0) {
		/* The device is gone: nobody discards them any more, use them. */
	}
	spin_lock_irqsave(&b->pages_lock, flags);
	b->nr_pages -= got;
	spin_unlock_irqrestore(&b->pages_lock, flags);
	for (unsigned int i = 0; i < got; i++)
		__free_page(pages[i]);
	count_vm_events(BALLOON_DEFLATE, got);
	if (got)
		update_actual(b);
	tell_unlock(b);
	return got;
}

/* --- Migration (movable_operations) --------------------------------------- */

static bool balloon_isolate(struct page *page, enum migrate_mode mode)
{
	struct balloon *b = the_balloon;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&b->pages_lock, flags);
	ok = page_movable_mapping(page) == &b->movable;
	if (ok)
		list_del(&page->lru);
	spin_unlock_irqrestore(&b->pages_lock, flags);
	return ok;
}

static void balloon_putback(struct page *page)
{
	struct balloon *b = the_balloon;
	unsigned long flags;

	spin_lock_irqsave(&b->pages_lock, flags);
	list_add(&page->lru, &b->pages);
	spin_unlock_irqrestore(&b->pages_lock, flags);
}

/* Inflate @dst, deflate @src: the host learns of the new page before the old goes. */
static int balloon_migrate(struct page *dst, struct page *src, enum migrate_mode mode)
{
	struct balloon *b = the_balloon;
	unsigned long flags;

	if (mode == MIGRATE_ASYNC) {
		if (!tell_trylock(b))
			return -EAGAIN;
	} else {
		tell_lock(b);
	}
	b->pfns[0] = (uint32_t)page_to_pfn(dst);
	if (tell_host(b, BALLOON_VQ_INFLATE, 1) < 0)
		goto fail;
	b->pfns[0] = (uint32_t)page_to_pfn(src);
	if (tell_host(b, BALLOON_VQ_DEFLATE, 1) < 0)
		goto fail;
	spin_lock_irqsave(&b->pages_lock, flags);
	page_set_movable(dst, &b->movable);
	list_add(&dst->lru, &b->pages);
	page_clear_movable(src);
	b->migrated++;
	spin_unlock_irqrestore(&b->pages_lock, flags);
	tell_unlock(b);
	count_vm_event(BALLOON_MIGRATE);
	__free_page(src);		/* our reference; the isolation's frees it */
	return 0;
fail:
	tell_unlock(b);
	return -EIO;
}

static const struct movable_operations balloon_mops = {
	.isolate_page = balloon_isolate,
	.migrate_page = balloon_migrate,
	.putback_page = balloon_putback,
};

/* --- Deflate on OOM -------------------------------------------------------- */

static unsigned long balloon_oom_notify(struct oom_notifier *n)
{
	struct balloon *b = container_of(n, struct balloon, oom);
	unsigned long freed = 0, want = b->tun.oom_pages;

	while (freed < want) {
		unsigned int got = leak(b, (unsigned int)min(want - freed, (unsigned long)BALLOON_BATCH));

		if (!got)
			break;
		freed += got;
	}
	b->oom_pages += freed;
	return freed;
}

/* --- Statistics ------------------------------------------------------------- */

static unsigned int put_stat(struct balloon *b, unsigned int i, uint16_t tag, uint64_t val)
{
	b->stats[i].tag = tag;
	b->stats[i].val = val;
	return i + 1;
}

static unsigned int fill_stats(struct balloon *b)
{
	unsigned long stall = 0, free = nr_free_pages(), reclaimable, avail;
	struct balloon_inflation *l = &b->last;
	struct psi_memory pm;
	unsigned int i = 0;

	psi_memory_read(&pm);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		stall += sum_vm_event((enum vm_event_item)(ALLOCSTALL_DMA + z));
	/* MemAvailable, as Linux estimates it, with the slab's reclaimable half. */
	reclaimable = (unsigned long)global_node_page_state(NR_SLAB_RECLAIMABLE_B) >> PAGE_SHIFT;
	avail = free > totalreserve_pages ? free - totalreserve_pages : 0;
	avail += reclaimable / 2;

	i = put_stat(b, i, VIRTIO_BALLOON_S_SWAP_IN, (uint64_t)sum_vm_event(PSWPIN) << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_SWAP_OUT, (uint64_t)sum_vm_event(PSWPOUT) << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_MAJFLT, sum_vm_event(PGMAJFAULT));
	i = put_stat(b, i, VIRTIO_BALLOON_S_MINFLT, sum_vm_event(PGFAULT) - sum_vm_event(PGMAJFAULT));
	i = put_stat(b, i, VIRTIO_BALLOON_S_MEMFREE, (uint64_t)free << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_MEMTOT, (uint64_t)totalram_pages() << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_AVAIL, (uint64_t)avail << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_CACHES,
		     (uint64_t)global_node_page_state(NR_FILE_PAGES) << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_OOM_KILL, sum_vm_event(OOM_KILL));
	i = put_stat(b, i, VIRTIO_BALLOON_S_ALLOC_STALL, stall);
	i = put_stat(b, i, VIRTIO_BALLOON_S_ASYNC_SCAN, (uint64_t)sum_vm_event(PGSCAN_KSWAPD) << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_DIRECT_SCAN, (uint64_t)sum_vm_event(PGSCAN_DIRECT) << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_ASYNC_RECLAIM, (uint64_t)sum_vm_event(PGSTEAL_KSWAPD) << PAGE_SHIFT);
	i = put_stat(b, i, VIRTIO_BALLOON_S_DIRECT_RECLAIM, (uint64_t)sum_vm_event(PGSTEAL_DIRECT) << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_BYTES, (uint64_t)l->pages << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_FREE, (uint64_t)l->from_free << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_SHRINK, (uint64_t)l->shrink << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_RECLAIM, (uint64_t)l->reclaimed << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_SWAP, (uint64_t)l->swapped << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_COMPACT, (uint64_t)l->compacted << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_INFL_NS, l->ns);
	i = put_stat(b, i, EBB_BALLOON_S_OOM_DEFLATE, (uint64_t)b->oom_pages << PAGE_SHIFT);
	i = put_stat(b, i, EBB_BALLOON_S_STALL_US, pm.some_total_us);
	i = put_stat(b, i, EBB_BALLOON_S_STALL_AVG10, pm.some_avg[0]);
	return i;
}

/* Refill the stats buffer and give it to the device (the thread only). */
static void send_stats(struct balloon *b)
{
	struct vq_buf buf;
	uint32_t len;

	while (virtqueue_get_buf(b->vq[BALLOON_VQ_STATS], &len))
		;	/* the buffer is ours again */
	buf.addr = page_to_phys(b->buf_page) + (uint64_t)((char *)b->stats - (char *)b->pfns);
	buf.len = fill_stats(b) * sizeof(*b->stats);
	if (virtqueue_add(b->vq[BALLOON_VQ_STATS], &buf, 1, 0, b) == 0)
		virtqueue_kick(b->vq[BALLOON_VQ_STATS]);
}

/* --- The balloon thread ------------------------------------------------------ */

static int balloon_thread(void *arg)
{
	struct balloon *b = arg;
	uint64_t timeout = 0;

	while (!platform_thread_should_stop()) {
		long diff;

		platform_event_wait(b->wake, timeout);
		timeout = 0;
		if (b->vq[BALLOON_VQ_STATS] && __atomic_exchange_n(&b->stats_wanted, false, __ATOMIC_ACQ_REL))
			send_stats(b);
		while (!platform_thread_should_stop() && !READ_ONCE(b->stats_wanted) &&
		       (diff = (long)target(b) - (long)READ_ONCE(b->nr_pages)) != 0) {
			if (diff < 0) {
				b->inflating = false;
				leak(b, (unsigned int)min(-diff, (long)BALLOON_BATCH));
				continue;
			}
			if (!b->inflating)
				inflation_begin(b);
			if (!fill(b, (unsigned int)min(diff, (long)BALLOON_BATCH))) {
				/* Memory is short: let the guest breathe, then try again. */
				b->last.backoffs++;
				timeout = (uint64_t)b->tun.backoff_ms * NSEC_PER_MS;
				break;
			}
			inflation_update(b);
		}
		if (b->inflating) {
			inflation_update(b);
			if (target(b) == READ_ONCE(b->nr_pages))
				b->inflating = false;
		}
	}
	return 0;
}

/* --- Free page reporting ------------------------------------------------------ */

/*
 * Report @zone's free blocks of report_order or more that the host has
 * not heard of, a queue's worth at a time; pages reported.  Each batch is
 * off the free lists only while the host discards it, so a pass never
 * holds more than REPORT_CAPACITY blocks of the guest's memory.
 */
static unsigned long report_zone(struct balloon *b, struct zone *zone)
{
	struct virtqueue *vq = b->vq[BALLOON_VQ_REPORTING];
	unsigned int cap = min(REPORT_CAPACITY, vq->num);
	struct page_report r[REPORT_CAPACITY];
	struct vq_buf bufs[REPORT_CAPACITY];
	unsigned long done = 0;
	unsigned int n;
	int err;

	do {
		n = page_reporting_isolate(zone, b->tun.report_order, r, cap);
		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++)
			bufs[i] = (struct vq_buf){ page_to_phys(r[i].page),
						   (uint32_t)(PAGE_SIZE << r[i].order) };
		err = send_and_wait(b, vq, bufs, 0, n, b->report_ack);
		page_reporting_putback(zone, r, n, err == 0);
		if (err)
			break;
		for (unsigned int i = 0; i < n; i++)
			done += 1UL << r[i].order;
	} while (n == cap);
	return done;
}

static unsigned long report_pass(struct balloon *b)
{
	unsigned long done = 0;
	int nid;

	for_each_online_node(nid) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &NODE_DATA(nid)->node_zones[zt];

			if (managed_zone(z))
				done += report_zone(b, z);
		}
	}
	return done;
}

static int report_thread(void *arg)
{
	struct balloon *b = arg;

	while (!platform_thread_should_stop()) {
		unsigned long seen;

		platform_event_wait(b->report_wake, (uint64_t)b->tun.report_delay_ms * NSEC_PER_MS);
		/*
		 * Only frees since the last pass can make unreported blocks
		 * (putting reported ones back is no free).  The count is taken
		 * before the pass: what others free while it runs is news for
		 * the next one.
		 */
		seen = sum_vm_event(PGFREE);
		if (b->report_seen && seen - b->report_seen < (1UL << b->tun.report_order))
			continue;
		b->reported += report_pass(b);
		b->report_seen = seen;
	}
	return 0;
}

/* --- Probe ------------------------------------------------------------------ */

static void inflate_done(struct virtqueue *vq)
{
	platform_event_signal(((struct balloon *)vq->priv)->ack);
}

static void report_done(struct virtqueue *vq)
{
	platform_event_signal(((struct balloon *)vq->priv)->report_ack);
}

static void stats_done(struct virtqueue *vq)
{
	struct balloon *b = vq->priv;

	__atomic_store_n(&b->stats_wanted, true, __ATOMIC_RELEASE);
	platform_event_signal(b->wake);
}

static void balloon_config_changed(struct virtio_device *vdev)
{
	platform_event_signal(((struct balloon *)vdev->priv)->wake);
}

static int balloon_probe(struct virtio_device *vdev)
{
	static struct balloon balloon;
	static const struct {
		enum balloon_vq role;
		void (*cb)(struct virtqueue *vq);
		const char *name;
	} queues[] = {
		{ BALLOON_VQ_INFLATE, inflate_done, "inflate" },
		{ BALLOON_VQ_DEFLATE, inflate_done, "deflate" },
		{ BALLOON_VQ_STATS, stats_done, "stats" },
		{ BALLOON_VQ_REPORTING, report_done, "reporting" },
	};
	struct balloon *b = &balloon;
	int ret = -ENOMEM;

	if (the_balloon)
		return -EBUSY;
	memset(b, 0, sizeof(*b));
	b->vdev = vdev;
	vdev->priv = b;
	b->movable.ops = &balloon_mops;
	spin_lock_init(&b->pages_lock);
	spin_lock_init(&b->tell_lock);
	INIT_LIST_HEAD(&b->pages);
	b->tun = (struct balloon_tunables){
		.shrink_priority = DEF_PRIORITY - 2, .backoff_ms = 200,
		.report_delay_ms = 250, .oom_pages = 256,
		.report_order = balloon_report_order ? balloon_report_order : pageblock_order,
	};
	b->tell_free = platform_event_create();
	b->ack = platform_event_create();
	b->report_ack = platform_event_create();
	b->wake = platform_event_create();
	b->report_wake = platform_event_create();
	b->buf_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!b->tell_free || !b->ack || !b->report_ack || !b->wake || !b->report_wake ||
	    !b->buf_page)
		goto err;
	b->pfns = page_address(b->buf_page);
	b->stats = (struct virtio_balloon_stat *)(b->pfns + BALLOON_BATCH);
	_Static_assert(BALLOON_BATCH * 4 + STATS_MAX * sizeof(struct virtio_balloon_stat) <= PAGE_SIZE,
		       "PFNs and stats share a page");

	for (unsigned int i = 0; i < ARRAY_SIZE(queues); i++) {
		struct virtqueue *vq;

		int index = balloon_vq_index(queues[i].role, vdev->features);

		/* Numbered over the queues that exist, as Linux and QEMU do (balloon.h). */
		if (index < 0)
			continue;
		vq = vdev->config->setup_vq(vdev, (unsigned int)index, 64, queues[i].cb,
					    queues[i].name);
		if (!vq)
			goto err_vqs;
		vq->priv = b;
		b->vq[queues[i].role] = vq;
	}
	the_balloon = b;
	if (b->vq[BALLOON_VQ_STATS])
		b->stats_wanted = true;	/* the first buffer goes out at once (5.5.6.3) */
	if (virtio_has_feature(vdev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) {
		b->oom.notify = balloon_oom_notify;
		register_oom_notifier(&b->oom);
	}
	/* The thread sends the first stats buffer at once: the device must be live for it. */
	virtio_device_ready(vdev);
	b->thread = platform_thread_run(balloon_thread, b, "vballoon");
	if (!b->thread)
		goto err_oom;
	if (b->vq[BALLOON_VQ_REPORTING]) {
		b->report_thread = platform_thread_run(report_thread, b, "vballoon-report");
		if (!b->report_thread)
			goto err_thread;
	}
	platform_event_signal(b->wake);
	return 0;

err_thread:
	platform_thread_stop(b->thread);
err_oom:
	if (b->oom.notify)
		unregister_oom_notifier(&b->oom);
	the_balloon = NULL;
err_vqs:
	vdev->config->reset(vdev);
	for (unsigned int i = 0; i < BALLOON_NR_VQS; i++)
		if (b->vq[i])
			vdev->config->del_vq(b->vq[i]);
err:
	if (b->buf_page)
		__free_page(b->buf_page);
	platform_event_destroy(b->tell_free);
	platform_event_destroy(b->ack);
	platform_event_destroy(b->report_ack);
	platform_event_destroy(b->wake);
	platform_event_destroy(b->report_wake);
	return ret;
}

void balloon_remove(void)
{
	struct balloon *b = the_balloon;

	if (!b)
		return;
	if (b->report_thread)
		platform_thread_stop(b->report_thread);
	platform_thread_stop(b->thread);
	if (b->oom.notify)
		unregister_oom_notifier(&b->oom);
	while (leak(b, BALLOON_BATCH))
		;
	b->vdev->config->reset(b->vdev);
	for (unsigned int i = 0; i < BALLOON_NR_VQS; i++)
		if (b->vq[i])
			b->vdev->config->del_vq(b->vq[i]);
	movable_mapping_sync();
	__free_page(b->buf_page);
	platform_event_destroy(b->tell_free);
	platform_event_destroy(b->ack);
	platform_event_destroy(b->report_ack);
	platform_event_destroy(b->wake);
	platform_event_destroy(b->report_wake);
	the_balloon = NULL;
}

/* --- /proc/balloon ------------------------------------------------------------ */

bool balloon_snapshot(unsigned long *pages, struct balloon_inflation *last)
{
	struct balloon *b = the_balloon;

	if (!b)
		return false;
	if (pages)
		*pages = READ_ONCE(b->nr_pages);
	if (last)
		*last = b->last;
	return true;
}

void balloon_report(struct seq_buf *s)
{
	struct balloon *b = the_balloon;
	struct balloon_inflation *l;

	if (!b) {
		seq_printf(s, "no balloon device\n");
		return;
	}
	l = &b->last;
	seq_printf(s, "target %u\nactual %lu\n", target(b), READ_ONCE(b->nr_pages));
	seq_printf(s, "features %#llx\n", (unsigned long long)b->vdev->features);
	seq_printf(s, "migrated %lu\noom_deflated %lu\nreported %lu\n", b->migrated,
		   b->oom_pages, b->reported);
	seq_printf(s, "shrink_priority %d\nbackoff_ms %u\nreport_delay_ms %u\nreport_order %u\n"
		   "oom_pages %u\n", b->tun.shrink_priority, b->tun.backoff_ms,
		   b->tun.report_delay_ms, b->tun.report_order, b->tun.oom_pages);
	seq_printf(s, "last_inflation %s\n", b->inflating ? "running" : "done");
	seq_printf(s, "  pages %lu\n  from_free %lu\n  from_shrinkers %lu\n  reclaimed %lu\n"
		   "  swapped_out %lu\n  compacted %lu\n  backoffs %lu\n  time_us %llu\n",
		   l->pages, l->from_free, l->shrink, l->reclaimed, l->swapped, l->compacted,
		   l->backoffs, (unsigned long long)(l->ns / 1000));
	for (unsigned int i = 0; i < l->nr_shrinkers; i++)
		seq_printf(s, "  shrinker %s pages %lu objects %lu\n", l->shrinker[i].name,
			   l->shrinker[i].pages, l->shrinker[i].objects);
}

int balloon_write(const char *line)
{
	static const struct {
		const char *name;
		size_t off;
		long lo, hi;
	} knobs[] = {
		{ "shrink_priority", offsetof(struct balloon_tunables, shrink_priority), -1, DEF_PRIORITY },
		{ "backoff_ms", offsetof(struct balloon_tunables, backoff_ms), 1, 60000 },
		{ "report_delay_ms", offsetof(struct balloon_tunables, report_delay_ms), 1, 60000 },
		{ "report_order", offsetof(struct balloon_tunables, report_order),
		  BALLOON_REPORT_ORDER_MIN, BALLOON_REPORT_ORDER_MAX },
		{ "oom_pages", offsetof(struct balloon_tunables, oom_pages), 1, 1 << 20 },
	};
	struct balloon *b = the_balloon;

	for (unsigned int i = 0; b && i < ARRAY_SIZE(knobs); i++) {
		size_t n = strlen(knobs[i].name);
		const char *p = line + n;
		bool neg = false;
		long v = 0;

		if (strlen(line) < n || memcmp(line, knobs[i].name, n) || *p++ != ' ')
			continue;
		if (*p == '-') {
			neg = true;
			p++;
		}
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9' && v <= knobs[i].hi; p++)
			v = v * 10 + (*p - '0');
		v = neg ? -v : v;
		if (*p || v < knobs[i].lo || v > knobs[i].hi)
			return -1;
		/* Every tunable is an int or an unsigned int, and the bounds fit both. */
		*(int *)((char *)&b->tun + knobs[i].off) = (int)v;
		/* A thread asleep on the old delay or back-off takes the new one now. */
		platform_event_signal(b->wake);
		platform_event_signal(b->report_wake);
		return 0;
	}
	return -1;
}

const struct virtio_driver virtio_balloon_driver = {
	.name = "virtio_balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.features = (1ULL << VIRTIO_BALLOON_F_MUST_TELL_HOST) | (1ULL << VIRTIO_BALLOON_F_STATS_VQ) |
		    (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) | (1ULL << VIRTIO_BALLOON_F_REPORTING),
	.probe = balloon_probe,
	.config_changed = balloon_config_changed,
};
VIRTIO_DRIVER(virtio_balloon, virtio_balloon_driver);
