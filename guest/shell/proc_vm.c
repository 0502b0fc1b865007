// SPDX-License-Identifier: MIT
/*
 * The memory manager's /proc files.  guestmm writes Linux's exact text;
 * these entries only put it where a Linux user looks for it.
 */
#include <guest/shell.h>
#include <guestmm/meminfo.h>
#include <guestmm/psi.h>
#include <guestmm/report.h>
#include <guestmm/slab.h>
#include <guestmm/swap.h>

PROC_FILE(buddyinfo, "/proc/buddyinfo", report_buddyinfo, NULL);
PROC_FILE(pagetypeinfo, "/proc/pagetypeinfo", report_pagetypeinfo, NULL);
PROC_FILE(zoneinfo, "/proc/zoneinfo", report_zoneinfo, NULL);
PROC_FILE(vmstat, "/proc/vmstat", report_vmstat, NULL);
PROC_FILE(slabinfo, "/proc/slabinfo", report_slabinfo, NULL);
PROC_FILE(meminfo, "/proc/meminfo", report_meminfo, NULL);
PROC_FILE(swaps, "/proc/swaps", report_swaps, NULL);
PROC_FILE(pressure_memory, "/proc/pressure/memory", report_psi_memory, NULL);
/* Where Linux puts them: debugfs, mounted at /sys/kernel/debug. */
PROC_FILE(extfrag_index, "/sys/kernel/debug/extfrag/extfrag_index", report_extfrag_index, NULL);
PROC_FILE(unusable_index, "/sys/kernel/debug/extfrag/unusable_index", report_unusable_index,
	  NULL);
