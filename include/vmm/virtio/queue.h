/* SPDX-License-Identifier: MIT */
/*
 * The device side of a split virtqueue (virtio 1.2, 2.7): the driver's
 * descriptor table and available ring, the device's used ring, all in
 * guest RAM.  Nothing the guest wrote there is trusted: every index,
 * chain length, address and length is checked before use, and a request
 * that breaks a rule is refused as a whole (the caller then marks the
 * device DEVICE_NEEDS_RESET).  virtio-blk and virtio-balloon both build
 * on this; neither touches a ring directly.
 *
 * Indirect descriptors and event-index suppression are not offered, so a
 * chain is a plain linked list in the descriptor table.
 */
#ifndef EBB_VMM_VIRTIO_QUEUE_H
#define EBB_VMM_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

struct guest_mem;

/* Largest queue a device offers (QueueNumMax); a power of two. */
#define VIRTQ_MAX_SIZE		256
/* Segments of one request after splitting at guest RAM range boundaries. */
#define VIRTQ_MAX_SEGS		(VIRTQ_MAX_SIZE + 8)
/* One descriptor may describe at most this much (the rest is hostile). */
#define VIRTQ_MAX_DESC_LEN	(1U << 30)

struct virtq {
	/* Set by the driver through the transport before QueueReady. */
	uint16_t size;			/* QueueNum: entries, a power of two */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool ready;
	/* Host views of the rings, resolved and checked by virtq_enable(). */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;		/* next available-ring slot to take */
	uint16_t used_idx;		/* next used-ring slot to fill */
};

/*
 * Why a chain was refused: for messages and for the tests, which check
 * that each hostile chain fails for the reason they built in.
 */
enum virtq_error {
	VIRTQ_OK = 0,
	VIRTQ_EHEAD,		/* head index or avail idx out of range */
	VIRTQ_ENEXT,		/* next index out of range */
	VIRTQ_ELOOP,		/* longer than the queue: a loop */
	VIRTQ_EADDR,		/* buffer not inside guest RAM */
	VIRTQ_ELEN,		/* zero or huge length */
	VIRTQ_EORDER,		/* device-readable after device-writable */
	VIRTQ_EINDIRECT,	/* VRING_DESC_F_INDIRECT was not negotiated */
	VIRTQ_ESEGS,		/* too many segments */
};

/*
 * One request: the chain starting at @head, as host iovecs.  @out are the
 * device-readable buffers (driver -> device), @in the device-writable ones,
 * each in chain order.
 */
struct virtq_req {
	uint16_t head;
	unsigned int nr_out, nr_in;
	size_t out_len, in_len;		/* bytes in each direction */
	struct iovec out[VIRTQ_MAX_SEGS];
	struct iovec in[VIRTQ_MAX_SEGS];
};

/* Forget everything (device reset). */
void virtq_reset(struct virtq *q);

/*
 * The driver set QueueReady: check size (power of two, at most @max) and
 * that the three rings lie in guest RAM.  0, or -1 (the queue stays
 * not ready).
 */
int virtq_enable(struct virtq *q, const struct guest_mem *m, uint16_t max);

/*
 * Take the next available chain.  1 with @req filled, 0 when the ring is
 * empty, or -1 with *@why set when the chain (or the ring index) is
 * malformed: the device must then stop using the queue.
 */
int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_req *req,
	      enum virtq_error *why);

/* Return chain @head with @len bytes written into its device-writable part. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* Does the driver want an interrupt for what was pushed (no NO_INTERRUPT)? */
bool virtq_want_irq(const struct virtq *q);

const char *virtq_strerror(enum virtq_error e);

/* Copy up to @len bytes from/to a list of iovecs, from byte @skip; bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip, void *buf,
		  size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip,
		    const void *buf, size_t len);

#endif
