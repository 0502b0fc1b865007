// SPDX-License-Identifier: MIT
/*
 * The hosted platform's swap devices: a file per swap area, slot N at
 * byte N * 4096, written with one pwritev per batch.  Tests can make an
 * area fail its I/O from some point on (hosted_swap_fail) or fail its next
 * few (hosted_swap_fail_times); a full area is just a small one.
 */
#include <guestmm/errno.h>
#include <guestmm/page.h>
#include <guestmm/platform.h>
#include <hosted/hosted.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#define HOSTED_SWAPFILES	1

struct hosted_swap {
	int fd;
	unsigned long pages;
	/* I/Os still allowed to succeed before errors start; -1: never fail. */
	long write_countdown, read_countdown;
	/* I/Os that fail next, before any countdown (a transient error). */
	long write_fail_left, read_fail_left;
};

static struct hosted_swap swaps[HOSTED_SWAPFILES] = {
	{ .fd = -1, .write_countdown = -1, .read_countdown = -1 },
};

int hosted_swap_setup(unsigned int type, const char *path, unsigned long pages)
{
	struct hosted_swap *sw;
	int fd;

	if (type >= HOSTED_SWAPFILES)
		return -1;
	sw = &swaps[type];
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("hosted: swap file");
		return -1;
	}
	if (ftruncate(fd, (off_t)(pages * PAGE_SIZE))) {
		perror("hosted: swap file size");
		close(fd);
		return -1;
	}
	if (sw->fd >= 0)
		close(sw->fd);
	sw->fd = fd;
	sw->pages = pages;
	sw->write_countdown = -1;
	sw->read_countdown = -1;
	sw->write_fail_left = 0;
	sw->read_fail_left = 0;
	return 0;
}

void hosted_swap_fail(unsigned int type, bool write, long after)
{
	if (type >= HOSTED_SWAPFILES)
		return;
	if (write)
		__atomic_store_n(&swaps[type].write_countdown, after, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&swaps[type].read_countdown, after, __ATOMIC_RELAXED);
}

void hosted_swap_fail_times(unsigned int type, bool write, long times)
{
	if (type >= HOSTED_SWAPFILES)
		return;
	__atomic_store_n(write ? &swaps[type].write_fail_left : &swaps[type].read_fail_left,
			 times, __ATOMIC_RELAXED);
}

/* One of the next @left I/Os that fail?  Takes it. */
static bool transient_error(long *left)
{
	long c = __atomic_load_n(left, __ATOMIC_RELAXED);

	while (c > 0)
		if (__atomic_compare_exchange_n(left, &c, c - 1, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

/* Does this I/O fail by request? */
static bool injected_error(long *countdown)
{
	long c = __atomic_load_n(countdown, __ATOMIC_RELAXED);

	while (c > 0) {
		if (__atomic_compare_exchange_n(countdown, &c, c - 1, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return false;
	}
	return c == 0;
}

unsigned long platform_swap_pages(unsigned int type)
{
	return type < HOSTED_SWAPFILES && swaps[type].fd >= 0 ? swaps[type].pages : 0;
}

int platform_swap_write(unsigned int type, unsigned long slot, void *const pages[],
			unsigned int nr)
{
	struct iovec iov[64];	/* within every IOV_MAX */
	struct hosted_swap *sw;
	unsigned int done = 0;

	if (type >= HOSTED_SWAPFILES || swaps[type].fd < 0)
		return -EIO;
	sw = &swaps[type];
	if (slot > sw->pages || nr > sw->pages - slot)
		return -EIO;
	if (transient_error(&sw->write_fail_left) || injected_error(&sw->write_countdown))
		return -EIO;
	while (done < nr) {
		unsigned int n = nr - done < 64 ? nr - done : 64;
		size_t want = (size_t)n * PAGE_SIZE;
		ssize_t ret;

		for (unsigned int i = 0; i < n; i++) {
			iov[i].iov_base = pages[done + i];
			iov[i].iov_len = PAGE_SIZE;
		}
		ret = pwritev(sw->fd, iov, (int)n, (off_t)((slot + done) * PAGE_SIZE));
		if (ret != (ssize_t)want)
			return ret < 0 ? -EIO : -ENOSPC;
		done += n;
	}
	return 0;
}

int platform_swap_read(unsigned int type, unsigned long slot, void *page)
{
	struct hosted_swap *sw;

	if (type >= HOSTED_SWAPFILES || swaps[type].fd < 0)
		return -EIO;
	sw = &swaps[type];
	if (slot >= sw->pages || transient_error(&sw->read_fail_left) ||
	    injected_error(&sw->read_countdown))
		return -EIO;
	if (pread(sw->fd, page, PAGE_SIZE, (off_t)(slot * PAGE_SIZE)) != (ssize_t)PAGE_SIZE)
		return -EIO;
	return 0;
}
