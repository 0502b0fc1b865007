// SPDX-License-Identifier: MIT
/*
 * The block layer, such as it is: a table of disks, range checks, and
 * splitting a large transfer into requests the driver can take.
 */
#include <guest/blkdev.h>
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guestmm/errno.h>

#define MAX_BLKDEVS	4

/* Several tasks (kswapd, workloads, the shell) may do I/O at once. */
#define stat_add(field, n)	__atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)

/*
 * A failing device fails every request: the first few errors of each
 * window are printed, the rest only counted (stats.errors).  Printing
 * every one would cost more than the I/O (the console is a port write
 * per byte) and could stall a guest that is busy failing to swap.
 */
#define BLK_ERR_BURST		5
#define BLK_ERR_WINDOW_NS	(5ULL * 1000000000ULL)

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

/* May an I/O error be printed now?  Racy updates only let one more or less through. */
static bool blk_err_printable(void)
{
	static uint64_t window;
	static unsigned int printed;
	uint64_t now = clock_ns_since_boot(), w = __atomic_load_n(&window, __ATOMIC_RELAXED);

	if (now - w > BLK_ERR_WINDOW_NS &&
	    __atomic_compare_exchange_n(&window, &w, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		__atomic_store_n(&printed, 0, __ATOMIC_RELAXED);
	return __atomic_add_fetch(&printed, 1, __ATOMIC_RELAXED) <= BLK_ERR_BURST;
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
			if (blk_err_printable())
				pr_err("%s: %s of %u sectors at %llu failed: error %d (%lu errors)\n",
				       bd->name, what, n, (unsigned long long)sector, ret,
				       __atomic_load_n(&bd->stats.errors, __ATOMIC_RELAXED));
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
