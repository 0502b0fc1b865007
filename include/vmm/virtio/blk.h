/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (device ID 2) over a host file, the guest's swap disk.
 * Requests are served on the device's own thread with pread/pwrite, so a
 * slow disk stalls only the guest's swap I/O, never a vCPU.  Offered:
 * VERSION_1, SEG_MAX, BLK_SIZE, FLUSH.  One request queue.
 */
#ifndef EBB_VMM_VIRTIO_BLK_H
#define EBB_VMM_VIRTIO_BLK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_blk.h>

#include <vmm/virtio/mmio.h>
#include <vmm/virtio/worker.h>

#define VIRTIO_BLK_QUEUE_SIZE	128
#define VIRTIO_BLK_SECTOR	512	/* request addressing unit, always */
#define VIRTIO_BLK_BLOCK	4096	/* the block size we advertise (a page) */

struct virtio_blk_stats {
	uint64_t reads, writes, flushes, read_bytes, written_bytes;
	uint64_t io_errors;		/* requests answered VIRTIO_BLK_S_IOERR */
	uint64_t unsupported;		/* answered VIRTIO_BLK_S_UNSUPP */
};

struct virtio_blk {
	struct virtio_mmio mmio;
	int fd;				/* the backing file, O_RDWR */
	uint64_t capacity;		/* in VIRTIO_BLK_SECTOR units */
	char id[VIRTIO_BLK_ID_BYTES];	/* GET_ID answer, not NUL-terminated when full */
	struct virtio_blk_config config;	/* little-endian, as the guest reads it */
	struct virtio_worker worker;	/* serves the queue */
	struct virtio_blk_stats stats;	/* under mmio.lock */
	struct virtq_req req;		/* scratch for the request in hand */
};

/*
 * Set up the device over @fd (@bytes long, rounded down to whole blocks),
 * its transport at @base with @irq.  0, or -1 (errno).
 */
int virtio_blk_init(struct virtio_blk *b, int fd, uint64_t bytes, const char *id,
		    const struct guest_mem *mem, uint64_t base, unsigned int irq,
		    void (*set_irq)(void *ctx, unsigned int irq, int level), void *irq_ctx);
/* Start / stop the request thread.  start: 0 or -1 (errno). */
int virtio_blk_start(struct virtio_blk *b);
void virtio_blk_destroy(struct virtio_blk *b);

/* Serve every available request now (the thread's body; the tests call it). */
void virtio_blk_process(struct virtio_blk *b);

#endif
