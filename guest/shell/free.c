// SPDX-License-Identifier: MIT
/*
 * free: memory in use and free, in KiB, in the columns procps's free
 * prints.  "available" is Linux's estimate (si_mem_available): free pages
 * above the watermark reserves, plus reclaimable caches (none yet).
 */
#include <guest/mm.h>
#include <guest/printk.h>
#include <guest/shell.h>
#include <guestmm/page_alloc.h>
#include <guestmm/vmstat.h>

static int cmd_free(int argc, char **argv)
{
	unsigned long total = totalram_pages(), free = nr_free_pages() + global_free_pcp();
	unsigned long cache = (unsigned long)global_node_page_state(NR_FILE_PAGES);
	unsigned long used = total - free - cache;
	long avail = (long)free - (long)totalreserve_pages + (long)cache;

	if (avail < 0)
		avail = 0;
	kprintf("               total        used        free      shared  buff/cache   available\n");
	kprintf("Mem:     %11lu %11lu %11lu %11lu %11lu %11ld\n", total << 2, used << 2, free << 2,
		0UL, cache << 2, (long)avail << 2);
	kprintf("Swap:    %11lu %11lu %11lu\n", 0UL, 0UL, 0UL);
	return 0;
}
SHELL_COMMAND(free, "free", "", "memory used and free (KiB)", cmd_free);
