/* SPDX-License-Identifier: MIT */
/*
 * The driver side of a split virtqueue (virtio 1.2 section 2.7), as
 * Linux's drivers/virtio/virtio_ring.c is for its drivers: add a buffer
 * as a chain of descriptors (device-readable ones first, then
 * device-writable ones), kick, and harvest what the device used.
 *
 * Buffers are given by guest-physical address, which is what the device
 * sees: the driver turns its pointers into addresses (virt_to_phys() in
 * the guest, page_to_phys() for whole pages, as the balloon does with its
 * PFNs), so this file needs nothing from the kernel but the page
 * allocator for the rings and builds as well in a hosted test.
 *
 * The device is not trusted: the used index may only advance by at most
 * the queue size, every used id must name the head of a chain that is
 * outstanding, and the length it reports may not exceed the chain's
 * device-writable bytes.  Anything else marks the queue broken: adds fail
 * with -EIO, get_buf returns nothing, and the driver fails its requests.
 *
 * Locking is the caller's: one queue is used under one lock (or with
 * interrupts off) by its driver, including from the interrupt callback.
 */
#ifndef GUEST_VIRTQUEUE_H
#define GUEST_VIRTQUEUE_H

#include <guestmm/compiler.h>
#include <linux/virtio_ring.h>

struct virtio_device;
struct page;

/* One piece of a buffer: guest-physical address and length. */
struct vq_buf {
	uint64_t addr;
	uint32_t len;
};

struct virtqueue {
	struct virtio_device *vdev;
	unsigned int index;		/* queue number on the device */
	unsigned int num;		/* entries, a power of two */
	const char *name;
	void (*callback)(struct virtqueue *vq);	/* used buffers arrived */
	void *priv;			/* the driver's */
	/* Tell the device there is new work (the transport's doorbell). */
	bool (*notify)(struct virtqueue *vq);

	/* The rings, in memory the device reads and writes. */
	struct vring vring;
	uint64_t desc_addr, avail_addr, used_addr;

	/*
	 * Driver-private shadow state, which the device cannot touch: the
	 * free list of descriptors, and per head descriptor the caller's
	 * token, the chain's length and its device-writable bytes.
	 */
	uint16_t free_head;
	unsigned int num_free;
	uint16_t avail_idx;		/* next avail->idx we publish */
	uint16_t last_used_idx;		/* next used entry to harvest */
	uint16_t num_added;		/* added since the last kick */
	bool broken;
	struct vq_shadow {
		void *token;		/* NULL: not the head of a live chain */
		uint16_t next;		/* free list / chain link, our copy */
		uint16_t chain_len;
		uint32_t in_bytes;	/* device-writable bytes of the chain */
	} *shadow;

	struct page *ring_pages;
	unsigned int ring_order;
};

/* The total size of the ring memory for @num entries (desc, avail, used). */
size_t vring_bytes(unsigned int num);

/*
 * Allocate and lay out a virtqueue of @num entries (a power of two,
 * 1..32768).  The transport fills in vdev, index, notify and callback and
 * writes desc_addr / avail_addr / used_addr to the device.  NULL if
 * memory is short.
 */
struct virtqueue *vring_create_virtqueue(unsigned int num, const char *name);
void vring_del_virtqueue(struct virtqueue *vq);

/*
 * Expose @out device-readable buffers followed by @in device-writable
 * ones as one chain; @token (not NULL) comes back from get_buf.  -ENOSPC
 * if not enough descriptors are free, -EINVAL for an empty chain or a
 * zero length, -EIO if the queue is broken.  Nothing is visible to the
 * device before the next kick.
 */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int out,
		  unsigned int in, void *token);

/* Publish what was added and notify the device; false if it is gone. */
bool virtqueue_kick(struct virtqueue *vq);

/*
 * The next buffer the device has used: its token, and in *len how many
 * bytes the device says it wrote (checked against the chain).  NULL when
 * there is none (or the queue broke: check virtqueue_is_broken()).
 */
void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len);

/* Ask the device not to interrupt / to interrupt again on used buffers. */
void virtqueue_disable_cb(struct virtqueue *vq);
/* Re-enable; false if buffers are already waiting (poll again). */
bool virtqueue_enable_cb(struct virtqueue *vq);

/* Used entries waiting to be harvested (device-written, so validated). */
bool virtqueue_more_used(struct virtqueue *vq);

/*
 * After a device reset: hand back the tokens of chains the device never
 * returned, one per call, NULL when none is left.
 */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);

/* The transport's interrupt: call the callback if buffers were used. */
void vring_interrupt(struct virtqueue *vq);

static inline unsigned int virtqueue_num_free(const struct virtqueue *vq)
{
	return vq->num_free;
}

static inline bool virtqueue_is_broken(const struct virtqueue *vq)
{
	return READ_ONCE(vq->broken);
}

/* Mark the queue unusable (the driver saw the device misbehave). */
void virtqueue_break(struct virtqueue *vq, const char *why);

#endif
