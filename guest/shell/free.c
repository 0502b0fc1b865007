// SPDX-License-Identifier: MIT
/*
 * free: memory in use and free, in KiB, in the columns procps's free
 * prints.  "available" is Linux's estimate (si_mem_available): free pages
 * above the watermark reserves, plus reclaimable caches (none yet).
 */
#include <guest/mm.h>
#include <guest/printk.h>
#include <guest/shell.h>
#include <guestmm/meminfo.h>
#include <guestmm/page_alloc.h>
#include <guestmm/swap.h>
#include <guestmm/vmstat.h>

static int cmd_free(int argc, char **argv)
{
	unsigned long total = totalram_pages(), free = nr_free_pages() + global_free_pcp();
	unsigned long cache = (unsigned long)global_node_page_state(NR_FILE_PAGES);
	unsigned long used = total - free - cache;
	unsigned long swap_total = total_swap_pages(), swap_free = nr_swap_pages();
	kprintf("               total        used        free      shared  buff/cache   available\n");
	kprintf("Mem:     %11lu %11lu %11lu %11lu %11lu %11lu\n", total << 2, used << 2, free << 2,
		0UL, cache << 2, si_mem_available() << 2);
	kprintf("Swap:    %11lu %11lu %11lu\n", swap_total << 2, (swap_total - swap_free) << 2,
		swap_free << 2);
	return 0;
}
SHELL_COMMAND(free, "free", "", "memory used and free (KiB)", cmd_free);
