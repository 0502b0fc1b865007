/* SPDX-License-Identifier: MIT */
/*
 * Block devices: the simple, synchronous block API the swap layer and the
 * `blk` shell command use.  A driver (virtio-blk) fills a struct blkdev
 * and registers it; callers read and write whole 512-byte sectors.
 *
 * Every call returns 0 only when the device reported success for all of
 * the request; otherwise a negative errno, and a line in the kernel log
 * saying what failed.  A read that fails leaves the buffer's content
 * undefined; a write that fails may have reached the disk in part.
 * Nothing is ever dropped silently.
 *
 * Buffers are kernel virtual addresses (direct map, identity map or
 * vmalloc), 512-byte aligned, and may span pages that are not physically
 * contiguous.  Calls sleep until the device answers: kernel threads only,
 * not interrupt handlers.
 */
#ifndef GUEST_BLKDEV_H
#define GUEST_BLKDEV_H

#include <guestmm/compiler.h>

#define SECTOR_SHIFT	9
#define SECTOR_SIZE	(1u << SECTOR_SHIFT)

enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,
};

struct blkdev;

struct blkdev_ops {
	/*
	 * One request of at most max_sectors: the layer splits bigger ones.
	 * @sector and @nr_sectors are checked against the capacity already.
	 */
	int (*submit)(struct blkdev *bd, enum blk_op op, uint64_t sector, void *buf,
		      unsigned int nr_sectors);
};

struct blkdev_stats {
	unsigned long reads, writes, flushes;	/* completed requests */
	unsigned long sectors_read, sectors_written;
	unsigned long errors;			/* requests that failed */
};

struct blkdev {
	char name[8];			/* "vda" */
	uint64_t capacity;		/* in 512-byte sectors */
	unsigned int max_sectors;	/* per submitted request */
	bool read_only;
	bool can_flush;			/* a write cache the device flushes */
	const struct blkdev_ops *ops;
	void *priv;
	struct blkdev_stats stats;
};

/* Make @bd reachable as blkdev_get(N), named vda, vdb ... */
int blkdev_register(struct blkdev *bd);
struct blkdev *blkdev_get(unsigned int index);

int blkdev_read(struct blkdev *bd, uint64_t sector, void *buf, unsigned int nr_sectors);
int blkdev_write(struct blkdev *bd, uint64_t sector, const void *buf, unsigned int nr_sectors);
/* Make completed writes durable (a no-op success without a write cache). */
int blkdev_flush(struct blkdev *bd);

#endif
