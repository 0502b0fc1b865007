// SPDX-License-Identifier: MIT
/*
 * blk: look at the block devices and prove a round trip through one.
 *
 *   blk [info]              every disk: size, limits, request counts
 *   blk test SIZE [SECTOR]  write SIZE bytes of a pattern at SECTOR (0),
 *                           flush, read them back and compare each page's
 *                           checksum; also checks that a request past the
 *                           end is refused.  Overwrites the disk there.
 *
 * The test buffer comes from vmalloc on purpose: its pages are not
 * physically contiguous, so every request is a multi-segment chain.
 */
#include <guest/blkdev.h>
#include <guest/printk.h>
#include <guest/shell.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/vmalloc.h>

#define TEST_CHUNK	(64u << 10)	/* bytes per blkdev call */
#define PAGE_BYTES	4096u

static void blk_info(void)
{
	struct blkdev *bd;

	for (unsigned int i = 0; (bd = blkdev_get(i)) != NULL; i++) {
		const struct blkdev_stats *st = &bd->stats;

		kprintf("%s: %llu sectors (%llu MiB)%s%s, %u sectors per request\n", bd->name,
			(unsigned long long)bd->capacity, (unsigned long long)(bd->capacity >> 11),
			bd->read_only ? ", read-only" : "", bd->can_flush ? ", write cache" : "",
			bd->max_sectors);
		kprintf("%s: reads %lu (%lu sectors), writes %lu (%lu sectors), flushes %lu, "
			"errors %lu\n", bd->name, st->reads, st->sectors_read, st->writes,
			st->sectors_written, st->flushes, st->errors);
	}
	if (!blkdev_get(0))
		kprintf("blk: no block devices\n");
}

/* FNV-1a over a page: what the read-back is compared with. */
static uint64_t page_checksum(const uint8_t *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned int i = 0; i < PAGE_BYTES; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Page @n of the test: words derived from its disk position. */
static void fill_page(uint64_t *w, uint64_t n)
{
	uint64_t state = (n + 1) * 0x9e3779b97f4a7c15ULL;

	for (unsigned int i = 0; i < PAGE_BYTES / 8; i++)
		w[i] = prandom_next(&state);
}

static unsigned long long mib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (unsigned long long)(bytes * 1000000000ULL / ns >> 20) : 0;
}

static int blk_test(struct blkdev *bd, uint64_t bytes, uint64_t sector)
{
	uint64_t pages = bytes / PAGE_BYTES, bad = 0, t0, t_write, t_read;
	uint64_t *sums;
	char *buf;
	int ret = 1;

	if (!pages || sector > bd->capacity || bytes / SECTOR_SIZE > bd->capacity - sector) {
		kprintf("blk: test: %llu bytes at sector %llu do not fit %s (%llu sectors)\n",
			(unsigned long long)bytes, (unsigned long long)sector, bd->name,
			(unsigned long long)bd->capacity);
		return 1;
	}
	buf = vmalloc(TEST_CHUNK);
	sums = vmalloc(pages * sizeof(*sums));
	if (!buf || !sums) {
		kprintf("blk: test: out of memory\n");
		goto out;
	}

	t0 = clock_ns_since_boot();
	for (uint64_t off = 0; off < pages * PAGE_BYTES; off += TEST_CHUNK) {
		unsigned int n = (unsigned int)min((uint64_t)TEST_CHUNK, pages * PAGE_BYTES - off);

		for (unsigned int p = 0; p < n / PAGE_BYTES; p++) {
			uint64_t idx = off / PAGE_BYTES + p;

			fill_page((uint64_t *)(buf + p * PAGE_BYTES), sector + idx * 8);
			sums[idx] = page_checksum((uint8_t *)buf + p * PAGE_BYTES);
		}
		if (blkdev_write(bd, sector + off / SECTOR_SIZE, buf, n / SECTOR_SIZE) < 0) {
			kprintf("blk: test: write at sector %llu failed\n",
				(unsigned long long)(sector + off / SECTOR_SIZE));
			goto out;
		}
	}
	if (blkdev_flush(bd) < 0) {
		kprintf("blk: test: flush failed\n");
		goto out;
	}
	t_write = clock_ns_since_boot() - t0;

	t0 = clock_ns_since_boot();
	for (uint64_t off = 0; off < pages * PAGE_BYTES; off += TEST_CHUNK) {
		unsigned int n = (unsigned int)min((uint64_t)TEST_CHUNK, pages * PAGE_BYTES - off);

		memset(buf, 0, n);
		if (blkdev_read(bd, sector + off / SECTOR_SIZE, buf, n / SECTOR_SIZE) < 0) {
			kprintf("blk: test: read at sector %llu failed\n",
				(unsigned long long)(sector + off / SECTOR_SIZE));
			goto out;
		}
		for (unsigned int p = 0; p < n / PAGE_BYTES; p++)
			if (page_checksum((uint8_t *)buf + p * PAGE_BYTES) != sums[off / PAGE_BYTES + p])
				bad++;
	}
	t_read = clock_ns_since_boot() - t0;

	kprintf("blk: %s: wrote %llu pages in %llu ms (%llu MiB/s), read back in %llu ms "
		"(%llu MiB/s)\n", bd->name, (unsigned long long)pages,
		(unsigned long long)(t_write / NSEC_PER_MSEC), mib_per_s(pages * PAGE_BYTES, t_write),
		(unsigned long long)(t_read / NSEC_PER_MSEC), mib_per_s(pages * PAGE_BYTES, t_read));
	kprintf("blk: %s: %llu/%llu pages checksum-correct\n", bd->name,
		(unsigned long long)(pages - bad), (unsigned long long)pages);

	/* A request past the end must be refused, not wrapped or truncated. */
	if (blkdev_read(bd, bd->capacity, buf, 1) < 0) {
		kprintf("blk: %s: read past the end refused\n", bd->name);
	} else {
		kprintf("blk: %s: read past the end was accepted\n", bd->name);
		bad++;
	}
	ret = bad ? 1 : 0;
out:
	vfree(sums);
	vfree(buf);
	return ret;
}

static int cmd_blk(int argc, char **argv)
{
	struct blkdev *bd = blkdev_get(0);
	unsigned long long sector = 0;
	const char *end;
	uint64_t bytes;

	if (argc < 2 || !strcmp(argv[1], "info")) {
		blk_info();
		return 0;
	}
	if (strcmp(argv[1], "test") || argc < 3 || argc > 4)
		goto usage;
	bytes = memparse(argv[2], &end);
	if (*end || (argc == 4 && kstrtoull(argv[3], 0, &sector)))
		goto usage;
	if (!bd) {
		kprintf("blk: no block devices\n");
		return 1;
	}
	return blk_test(bd, bytes, sector);
usage:
	kprintf("usage: blk [info] | blk test SIZE [SECTOR]\n");
	return 2;
}
SHELL_COMMAND(blk, "blk", "[info] | test SIZE [SECTOR]", "block devices; write-read-verify test", cmd_blk);
