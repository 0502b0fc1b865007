// SPDX-License-Identifier: MIT
/*
 * virtio-blk (virtio 1.2 section 5.2): the swap disk.
 *
 * One request queue.  A request is a chain of a device-readable header
 * (type, sector), the data (readable for a write, writable for a read)
 * and one device-writable status byte.  The submitting task sleeps until
 * the interrupt harvests its request; several tasks may have requests in
 * flight, and a task that finds the ring full waits for descriptors.
 *
 * The answer is checked, not believed: a request succeeds only if the
 * device wrote VIRTIO_BLK_S_OK into the status byte and, for a read,
 * says it wrote every byte asked for plus the status.  A device that
 * breaks the ring or does not answer within BLK_TIMEOUT_MS is reset (so
 * it can no longer write into memory the callers get back), marked
 * FAILED, and every pending and later request fails with an error.
 *
 * The request headers live on the submitter's stack: guest stacks are
 * static, identity-mapped memory, and the device can only write to them
 * while the submitter waits (or until the reset above).
 */
#define pr_fmt(fmt) "virtio_blk: " fmt
#include <guest/blkdev.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/time.h>
#include <guest/virtio.h>
#include <guest/virtqueue.h>
#include <guestmm/errno.h>
#include <guestmm/spinlock.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#define BLK_QUEUE_SIZE		256
#define BLK_TIMEOUT_MS		30000
/* Data segments per request when the device sets no limit. */
#define BLK_SEG_DEFAULT		64
/* Largest request we submit (the block layer splits bigger transfers). */
#define BLK_MAX_BYTES		(256u << 10)

struct virtblk {
	struct virtio_device *vdev;
	struct virtqueue *vq;
	spinlock_t lock;		/* the queue, and every request's state */
	struct wait_queue_head wait;	/* completions and free descriptors */
	unsigned int seg_max;		/* data segments per request */
	uint32_t size_max;		/* bytes per data segment */
	bool broken;
	struct blkdev bd;
};

struct virtblk_req {
	struct virtio_blk_outhdr hdr;	/* device-readable */
	uint8_t status;			/* device-writable */
	bool done;
	int error;			/* set when the device never answered */
	uint32_t used_len;		/* what the device says it wrote */
};

/* With vb->lock held: give up on the device and on everything pending. */
static void virtblk_break(struct virtblk *vb, const char *why)
{
	struct virtblk_req *req;

	if (vb->broken)
		return;
	vb->broken = true;
	virtio_device_fail(vb->vdev, why);
	/* After reset the device no longer touches the rings or buffers. */
	vb->vdev->config->reset(vb->vdev);
	while ((req = virtqueue_detach_unused_buf(vb->vq)) != NULL) {
		req->error = -EIO;
		req->done = true;
	}
}

/* The queue's interrupt callback (interrupt context). */
static void virtblk_done(struct virtqueue *vq)
{
	struct virtblk *vb = vq->priv;
	struct virtblk_req *req;
	unsigned long flags;
	uint32_t len;

	spin_lock_irqsave(&vb->lock, flags);
	/*
	 * No interrupts while draining; a buffer used between the last
	 * get_buf and turning them back on is caught by enable_cb's re-check
	 * instead of costing another interrupt (or being missed).
	 */
	do {
		virtqueue_disable_cb(vq);
		while ((req = virtqueue_get_buf(vq, &len)) != NULL) {
			req->used_len = len;
			req->done = true;
		}
		if (virtqueue_is_broken(vq)) {
			virtblk_break(vb, "request queue broken");
			break;
		}
	} while (!virtqueue_enable_cb(vq));
	spin_unlock_irqrestore(&vb->lock, flags);
	wake_up(&vb->wait);
}

/*
 * Describe @len bytes at @buf as physically contiguous segments, at most
 * @max of them; returns how many bytes fit (whole sectors), 0 on an
 * address that maps nothing.
 */
static size_t map_segments(struct virtblk *vb, char *buf, size_t len, struct vq_buf *segs,
			   unsigned int max, unsigned int *nr)
{
	size_t done = 0;

	*nr = 0;
	while (done < len) {
		size_t chunk = min(len - done, PAGE_SIZE_4K - ((unsigned long)(buf + done) & 4095));
		uint64_t pa = virt_to_phys(buf + done);
		struct vq_buf *last = *nr ? &segs[*nr - 1] : NULL;

		if (pa == PHYS_ADDR_INVALID)
			return 0;
		if (last && last->addr + last->len == pa && last->len + chunk <= vb->size_max) {
			last->len += (uint32_t)chunk;
		} else {
			if (*nr == max)
				break;
			segs[(*nr)++] = (struct vq_buf){ .addr = pa, .len = (uint32_t)chunk };
		}
		done += chunk;
	}
	return done & ~(size_t)(SECTOR_SIZE - 1);
}

static int virtblk_status(struct virtblk *vb, struct virtblk_req *req, uint32_t expect_len)
{
	if (req->error)
		return req->error;
	if (req->used_len < 1) {
		pr_err("%s: device wrote no status\n", vb->bd.name);
		return -EIO;
	}
	switch (req->status) {
	case VIRTIO_BLK_S_OK:
		break;
	case VIRTIO_BLK_S_UNSUPP:
		return -EOPNOTSUPP;
	case VIRTIO_BLK_S_IOERR:
		return -EIO;
	default:
		pr_err("%s: unknown status %u\n", vb->bd.name, req->status);
		return -EIO;
	}
	if (expect_len && req->used_len != expect_len) {
		pr_err("%s: short transfer: device wrote %u of %u bytes\n", vb->bd.name,
		       req->used_len, expect_len);
		return -EIO;
	}
	return 0;
}

static int virtblk_submit(struct blkdev *bd, enum blk_op op, uint64_t sector, void *buf,
			  unsigned int nr_sectors)
{
	struct virtblk *vb = bd->priv;
	struct vq_buf bufs[BLK_SEG_DEFAULT + 2];
	struct virtblk_req req = { 0 };
	size_t bytes = (size_t)nr_sectors << SECTOR_SHIFT;
	unsigned int nseg = 0, out, in;
	uint32_t expect = 0;
	unsigned long flags;
	int ret;

	req.hdr.type = op == BLK_OP_READ ? VIRTIO_BLK_T_IN :
		       op == BLK_OP_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	req.hdr.sector = op == BLK_OP_FLUSH ? 0 : sector;
	bufs[0] = (struct vq_buf){ virt_to_phys(&req.hdr), sizeof(req.hdr) };
	if (bytes) {
		/* max_sectors keeps every request within seg_max pages. */
		if (map_segments(vb, buf, bytes, bufs + 1, vb->seg_max, &nseg) != bytes)
			return -EINVAL;
	}
	bufs[1 + nseg] = (struct vq_buf){ virt_to_phys(&req.status), 1 };
	if (op == BLK_OP_READ) {
		out = 1;
		in = nseg + 1;
		expect = (uint32_t)bytes + 1;
	} else {
		out = 1 + nseg;
		in = 1;
	}

	spin_lock_irqsave(&vb->lock, flags);
	for (;;) {
		if (vb->broken) {
			spin_unlock_irqrestore(&vb->lock, flags);
			return -EIO;
		}
		ret = virtqueue_add(vb->vq, bufs, out, in, &req);
		if (ret != -ENOSPC)
			break;
		/* Ring full: sleep until a completion frees descriptors. */
		spin_unlock_irqrestore(&vb->lock, flags);
		wait_event(&vb->wait, READ_ONCE(vb->broken) ||
				      virtqueue_num_free(vb->vq) >= out + in);
		spin_lock_irqsave(&vb->lock, flags);
	}
	if (ret == 0)
		virtqueue_kick(vb->vq);
	spin_unlock_irqrestore(&vb->lock, flags);
	if (ret < 0)
		return ret;

	if (!wait_event_timeout(&vb->wait, READ_ONCE(req.done),
				(uint64_t)BLK_TIMEOUT_MS * NSEC_PER_MSEC)) {
		spin_lock_irqsave(&vb->lock, flags);
		if (!req.done)
			virtblk_break(vb, "request timed out");
		spin_unlock_irqrestore(&vb->lock, flags);
		wake_up(&vb->wait);
	}
	return virtblk_status(vb, &req, expect);
}

static const struct blkdev_ops virtblk_ops = {
	.submit = virtblk_submit,
};

static uint32_t cread32(struct virtio_device *vdev, unsigned int offset, uint32_t dflt)
{
	uint32_t v;

	return virtio_cread_bytes(vdev, offset, &v, sizeof(v)) < 0 ? dflt : v;
}

static int virtblk_probe(struct virtio_device *vdev)
{
	static struct virtblk devs[2];
	static unsigned int nr_devs;
	struct virtblk *vb;
	uint64_t capacity;
	int ret;

	if (nr_devs == ARRAY_SIZE(devs))
		return -ENOSPC;
	vb = &devs[nr_devs];
	vb->vdev = vdev;
	spin_lock_init(&vb->lock);
	init_waitqueue_head(&vb->wait);

	ret = virtio_cread_bytes(vdev, offsetof(struct virtio_blk_config, capacity), &capacity,
				 sizeof(capacity));
	if (ret < 0)
		return ret;
	vb->vq = vdev->config->setup_vq(vdev, 0, BLK_QUEUE_SIZE, virtblk_done, "requests");
	if (!vb->vq)
		return -ENOMEM;
	vb->vq->priv = vb;

	/* Limits the device sets, clamped to what we and the ring can do. */
	vb->seg_max = BLK_SEG_DEFAULT;
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_SEG_MAX))
		vb->seg_max = clamp(cread32(vdev, offsetof(struct virtio_blk_config, seg_max), 1),
				    1u, (unsigned int)BLK_SEG_DEFAULT);
	vb->seg_max = min(vb->seg_max, vb->vq->num - 2);
	vb->size_max = UINT32_MAX;
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_SIZE_MAX))
		vb->size_max = max(cread32(vdev, offsetof(struct virtio_blk_config, size_max),
					   UINT32_MAX), (uint32_t)PAGE_SIZE_4K);

	vb->bd.capacity = capacity;
	vb->bd.read_only = virtio_has_feature(vdev, VIRTIO_BLK_F_RO);
	vb->bd.can_flush = virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH);
	/* A buffer of N pages needs at most N segments when 512-aligned. */
	vb->bd.max_sectors = min(vb->seg_max > 1 ? (vb->seg_max - 1) * 8 : 1,
				 BLK_MAX_BYTES >> SECTOR_SHIFT);
	vb->bd.ops = &virtblk_ops;
	vb->bd.priv = vb;
	ret = blkdev_register(&vb->bd);
	if (ret < 0) {
		vdev->config->reset(vdev);
		vdev->config->del_vq(vb->vq);
		return ret;
	}
	nr_devs++;
	vdev->priv = vb;
	pr_info("%s: %s: %llu sectors (%llu MiB)%s%s, queue %u, %u segments per request\n",
		vdev->name, vb->bd.name, (unsigned long long)capacity,
		(unsigned long long)(capacity >> 11), vb->bd.read_only ? ", read-only" : "",
		vb->bd.can_flush ? ", write cache" : "", vb->vq->num, vb->seg_max);
	return 0;
}

static void virtblk_config_changed(struct virtio_device *vdev)
{
	struct virtblk *vb = vdev->priv;
	uint64_t capacity;

	/* A resize: take the new size only once it reads consistently. */
	if (vb && virtio_cread_bytes(vdev, offsetof(struct virtio_blk_config, capacity),
				     &capacity, sizeof(capacity)) == 0 && capacity != vb->bd.capacity) {
		pr_info("%s: capacity changed to %llu sectors\n", vb->bd.name,
			(unsigned long long)capacity);
		WRITE_ONCE(vb->bd.capacity, capacity);
	}
}

static struct virtio_driver virtio_blk_driver = {
	.name = "virtio_blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = (1ULL << VIRTIO_BLK_F_SIZE_MAX) | (1ULL << VIRTIO_BLK_F_SEG_MAX) |
		    (1ULL << VIRTIO_BLK_F_RO) | (1ULL << VIRTIO_BLK_F_FLUSH),
	.probe = virtblk_probe,
	.config_changed = virtblk_config_changed,
};
VIRTIO_DRIVER(virtio_blk, virtio_blk_driver);
