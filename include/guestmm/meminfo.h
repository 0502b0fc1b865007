/* SPDX-License-Identifier: MIT */
/*
 * /proc/meminfo, in Linux's layout (fs/proc/meminfo.c), and the estimate
 * of available memory behind its MemAvailable line.
 */
#ifndef GUESTMM_MEMINFO_H
#define GUESTMM_MEMINFO_H

#include <guestmm/seq_buf.h>

/*
 * Linux's si_mem_available(), in pages: free pages above the reserves,
 * plus the part of the cache class and of reclaimable slab that reclaim
 * could free without going below the low watermarks.
 */
unsigned long si_mem_available(void);

void report_meminfo(struct seq_buf *s);

#endif
