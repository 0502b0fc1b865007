// SPDX-License-Identifier: MIT
/*
 * include/guestmm/platform.h's swap devices on the block layer: swap area
 * 0 is the first disk, vda (the swap disk the VMM attaches first,
 * docs/CONVENTIONS.md); slot N is the page at byte N * 4096.  Other swap
 * areas do not exist here.
 *
 * Every failure is -EIO to guestmm (the block layer has already logged
 * what exactly went wrong): a page that did not reach the disk, or did
 * not come back from it, is never reported as done.
 */
#include <guest/blkdev.h>
#include <guestmm/errno.h>
#include <guestmm/page.h>
#include <guestmm/platform.h>

#define SECTORS_PER_PAGE	(PAGE_SIZE >> SECTOR_SHIFT)

static struct blkdev *swap_dev(unsigned int type)
{
	return type == 0 ? blkdev_get(0) : NULL;
}

unsigned long platform_swap_pages(unsigned int type)
{
	struct blkdev *bd = swap_dev(type);

	return bd ? (unsigned long)(bd->capacity / SECTORS_PER_PAGE) : 0;
}

/* Slots [slot, slot + nr) lie on the device. */
static bool slots_ok(struct blkdev *bd, unsigned long slot, unsigned int nr)
{
	uint64_t pages = bd->capacity / SECTORS_PER_PAGE;

	return slot <= pages && nr <= pages - slot;
}

int platform_swap_write(unsigned int type, unsigned long slot, void *const pages[],
			unsigned int nr)
{
	struct blkdev *bd = swap_dev(type);
	unsigned int i = 0;

	if (!bd || !slots_ok(bd, slot, nr))
		return -EIO;
	while (i < nr) {
		unsigned int run = 1;

		/* Pages that are neighbours in memory too go in one request. */
		while (i + run < nr && (char *)pages[i + run] == (char *)pages[i] + run * PAGE_SIZE)
			run++;
		if (blkdev_write(bd, (uint64_t)(slot + i) * SECTORS_PER_PAGE, pages[i],
				 run * SECTORS_PER_PAGE) < 0)
			return -EIO;
		i += run;
	}
	return 0;
}

int platform_swap_read(unsigned int type, unsigned long slot, void *page)
{
	struct blkdev *bd = swap_dev(type);

	if (!bd || !slots_ok(bd, slot, 1))
		return -EIO;
	if (blkdev_read(bd, (uint64_t)slot * SECTORS_PER_PAGE, page, SECTORS_PER_PAGE) < 0)
		return -EIO;
	return 0;
}
