// SPDX-License-Identifier: MIT
/*
 * The block layer, such as it is: a table of disks, range checks, and
 * splitting a large transfer into requests the driver can take.
 */
#include <guest/blkdev.h>
#include <guest/errno.h>
#include <guest/printk.h>
#include <guest/string.h>

#define MAX_BLKDEVS	4

/* Several tasks (kswapd, workloads, the shell) may do I/O at once. */
#define stat_add(field, n)	__atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)

static struct blkdev *blkdevs[MAX_BLKDEVS];
static unsigned int nr_blkdevs;

int blkdev_register(struct blkdev *bd)
{
	if (nr_blkdevs == MAX_BLKDEVS)
		return -ENOSPC;
	snprintf(bd->name, sizeof(bd->name), "vd%c", 'a' + nr_blkdevs);
	blkdevs[nr_blkdevs++] = bd;
	return 0;
}

struct blkdev *blkdev_get(unsigned int index)
{
	return index < nr_blkdevs ? blkdevs[index] : NULL;
}

static int blkdev_rw(struct blkdev *bd, enum blk_op op, uint64_t sector, void *buf,
		     unsigned int nr_sectors)
{
	const char *what = op == BLK_OP_WRITE ? "write" : "read";
	char *p = buf;

	if ((unsigned long)buf & (SECTOR_SIZE - 1))
		return -EINVAL;
	if (sector > bd->capacity || nr_sectors > bd->capacity - sector) {
		pr_err("%s: %s of %u sectors at %llu beyond the end (%llu sectors)\n", bd->name,
		       what, nr_sectors, (unsigned long long)sector,
		       (unsigned long long)bd->capacity);
		return -ERANGE;
	}
	if (op == BLK_OP_WRITE && bd->read_only)
		return -EROFS;
	while (nr_sectors) {
		unsigned int n = min(nr_sectors, bd->max_sectors);
		int ret = bd->ops->submit(bd, op, sector, p, n);

		if (ret < 0) {
			stat_add(bd->stats.errors, 1);
			pr_err("%s: %s of %u sectors at %llu failed: error %d\n", bd->name, what,
			       n, (unsigned long long)sector, ret);
			return ret;
		}
		if (op == BLK_OP_WRITE) {
			stat_add(bd->stats.writes, 1);
			stat_add(bd->stats.sectors_written, n);
		} else {
			stat_add(bd->stats.reads, 1);
			stat_add(bd->stats.sectors_read, n);
		}
		sector += n;
		p += (size_t)n << SECTOR_SHIFT;
		nr_sectors -= n;
	}
	return 0;
}

int blkdev_read(struct blkdev *bd, uint64_t sector, void *buf, unsigned int nr_sectors)
{
	return blkdev_rw(bd, BLK_OP_READ, sector, buf, nr_sectors);
}

int blkdev_write(struct blkdev *bd, uint64_t sector, const void *buf, unsigned int nr_sectors)
{
	/* The driver only reads the buffer for a write. */
	return blkdev_rw(bd, BLK_OP_WRITE, sector, (void *)buf, nr_sectors);
}

int blkdev_flush(struct blkdev *bd)
{
	int ret;

	if (!bd->can_flush)
		return 0;
	ret = bd->ops->submit(bd, BLK_OP_FLUSH, 0, NULL, 0);
	if (ret < 0) {
		stat_add(bd->stats.errors, 1);
		pr_err("%s: flush failed: error %d\n", bd->name, ret);
		return ret;
	}
	stat_add(bd->stats.flushes, 1);
	return 0;
}
