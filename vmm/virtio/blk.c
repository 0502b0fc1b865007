// SPDX-License-Identifier: MIT
/*
 * virtio-blk requests (virtio 1.2, 5.2.6): a 16-byte header the device
 * reads, data, and a status byte the device writes last.  A request whose
 * shape is wrong for its type (data in the wrong direction, a partial
 * sector, beyond the end of the disk) is answered VIRTIO_BLK_S_IOERR; a
 * chain that is malformed as a chain, or that leaves no room for the
 * status byte, cannot be answered at all and puts the device in
 * DEVICE_NEEDS_RESET.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include <vmm/fault_inject.h>
#include <vmm/virtio/blk.h>

static void blk_config_read(struct virtio_mmio *vm, unsigned int off, void *buf,
			    unsigned int len)
{
	struct virtio_blk *b = vm->dev;

	memcpy(buf, (const char *)&b->config + off, len);
}

static void blk_notify(struct virtio_mmio *vm, unsigned int q)
{
	struct virtio_blk *b = vm->dev;

	virtio_worker_kick(&b->worker);
}

static const struct virtio_dev_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		    (1ULL << VIRTIO_BLK_F_FLUSH),
	.nr_queues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_SIZE,
	.config_read = blk_config_read,
	.config_len = sizeof(struct virtio_blk_config),
	.notify = blk_notify,
};

/* The worker's entry: virtio_blk_process() is public for the tests. */
static void blk_process(void *dev)
{
	virtio_blk_process(dev);
}

int virtio_blk_init(struct virtio_blk *b, int fd, uint64_t bytes, const char *id,
		    const struct guest_mem *mem, uint64_t base, unsigned int irq,
		    void (*set_irq)(void *ctx, unsigned int irq, int level), void *irq_ctx)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->capacity = (bytes / VIRTIO_BLK_BLOCK) * (VIRTIO_BLK_BLOCK / VIRTIO_BLK_SECTOR);
	/* Up to 20 bytes, NUL-padded, unterminated when full (5.2.6). */
	memcpy(b->id, id, strnlen(id, sizeof(b->id)));
	b->config.capacity = htole64(b->capacity);
	/* Two descriptors go to the header and the status byte. */
	b->config.seg_max = htole32(VIRTIO_BLK_QUEUE_SIZE - 2);
	b->config.blk_size = htole32(VIRTIO_BLK_BLOCK);
	if (virtio_worker_init(&b->worker, "virtio-blk", b, blk_process, NULL))
		return -1;
	virtio_mmio_init(&b->mmio, &blk_ops, b, mem, base, irq, set_irq, irq_ctx);
	return 0;
}

/* @dst gets the bytes [skip, skip+len) of @src; returns the segment count. */
static unsigned int iov_slice(const struct iovec *src, unsigned int n, size_t skip,
			      size_t len, struct iovec *dst)
{
	unsigned int d = 0;

	for (unsigned int i = 0; i < n && len; i++) {
		size_t l = src[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len)
			l = len;
		dst[d].iov_base = (char *)src[i].iov_base + skip;
		dst[d].iov_len = l;
		d++;
		len -= l;
		skip = 0;
	}
	return d;
}

/*
 * An injected failure for this transfer of @bytes (vmm/fault_inject.c)?
 * ebb's one disk is the swap disk, so its points are swap-*; a write may
 * find the file system full (swap-full) or fail outright (swap-write).
 */
static bool blk_fault(size_t bytes, bool write_it)
{
	if (!write_it)
		return fault_should_fail(FAULT_SWAP_READ, bytes) != 0;
	return fault_should_fail(FAULT_SWAP_FULL, bytes) || fault_should_fail(FAULT_SWAP_WRITE, bytes);
}

/* Whole-segment pread/pwrite, retried on short transfers; 0 or -1. */
static int blk_rw(struct virtio_blk *b, const struct iovec *iov, unsigned int n,
		  uint64_t off, bool write_it)
{
	size_t bytes = 0;

	for (unsigned int i = 0; i < n; i++)
		bytes += iov[i].iov_len;
	if (blk_fault(bytes, write_it))
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		char *p = iov[i].iov_base;
		size_t left = iov[i].iov_len;

		while (left) {
			ssize_t r = write_it ? pwrite(b->fd, p, left, (off_t)off)
					     : pread(b->fd, p, left, (off_t)off);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -1;
			if (r == 0) {
				if (write_it)
					return -1;
				memset(p, 0, left);	/* a file shorter than the disk reads zeros */
				r = (ssize_t)left;
			}
			p += r;
			left -= (size_t)r;
			off += (uint64_t)r;
		}
	}
	return 0;
}

/* Does [sector, sector + bytes/512) fit on the disk, in whole sectors? */
static bool in_range(const struct virtio_blk *b, uint64_t sector, size_t bytes)
{
	uint64_t n = bytes / VIRTIO_BLK_SECTOR;

	return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= b->capacity &&
	       n <= b->capacity - sector;
}

/* Serve one request; returns the bytes written into its writable part. */
static uint32_t blk_request(struct virtio_blk *b, struct virtq_req *r)
{
	static struct iovec seg[VIRTQ_MAX_SEGS];	/* only the device thread runs this */
	struct virtio_blk_outhdr h;
	size_t data_in = r->in_len - 1;	/* the last writable byte is the status */
	size_t data_out = r->out_len - sizeof(h);
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t written = 0;
	unsigned int n;
	uint64_t sector;

	iov_to_buf(r->out, r->nr_out, 0, &h, sizeof(h));
	sector = le64toh(h.sector);
	switch (le32toh(h.type)) {
	case VIRTIO_BLK_T_IN:
		if (data_out || !data_in || !in_range(b, sector, data_in)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		n = iov_slice(r->in, r->nr_in, 0, data_in, seg);
		if (blk_rw(b, seg, n, sector * VIRTIO_BLK_SECTOR, false)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		written = (uint32_t)data_in;
		b->stats.reads++;
		b->stats.read_bytes += data_in;
		break;
	case VIRTIO_BLK_T_OUT:
		if (data_in || !data_out || !in_range(b, sector, data_out)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		n = iov_slice(r->out, r->nr_out, sizeof(h), data_out, seg);
		if (blk_rw(b, seg, n, sector * VIRTIO_BLK_SECTOR, true)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		b->stats.writes++;
		b->stats.written_bytes += data_out;
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (fdatasync(b->fd))
			status = VIRTIO_BLK_S_IOERR;
		b->stats.flushes++;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = (uint32_t)iov_from_buf(r->in, r->nr_in, 0, b->id,
						 data_in < sizeof(b->id) ? data_in : sizeof(b->id));
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		b->stats.unsupported++;
	}
	if (status == VIRTIO_BLK_S_IOERR)
		b->stats.io_errors++;
	iov_from_buf(r->in, r->nr_in, r->in_len - 1, &status, 1);
	return written + 1;
}

void virtio_blk_process(struct virtio_blk *b)
{
	struct virtio_mmio *vm = &b->mmio;
	struct virtq *q = &vm->vq[0];
	enum virtq_error why;
	bool pushed = false;
	int got;

	/*
	 * The transport lock is held across the I/O: a reset cannot pull the
	 * rings away mid-request.  vCPUs wait only when they touch this
	 * device's registers meanwhile.
	 */
	pthread_mutex_lock(&vm->lock);
	while (virtio_mmio_queue_live(vm, 0) && (got = virtq_pop(q, vm->mem, &b->req, &why))) {
		if (got < 0) {
			virtio_mmio_needs_reset(vm, "request queue: %s", virtq_strerror(why));
			break;
		}
		if (b->req.out_len < sizeof(struct virtio_blk_outhdr) || b->req.in_len < 1) {
			virtio_mmio_needs_reset(vm, "request without a readable header or a writable status byte");
			break;
		}
		virtq_push(q, b->req.head, blk_request(b, &b->req));
		pushed = true;
	}
	if (pushed)
		virtio_mmio_signal_used(vm, 0);
	pthread_mutex_unlock(&vm->lock);
}

int virtio_blk_start(struct virtio_blk *b)
{
	return virtio_worker_start(&b->worker);
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	virtio_worker_destroy(&b->worker);
	virtio_mmio_destroy(&b->mmio);
}
