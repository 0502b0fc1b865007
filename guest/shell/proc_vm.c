// SPDX-License-Identifier: MIT
/*
 * The memory manager's /proc files.  guestmm writes Linux's exact text;
 * these entries only put it where a Linux user looks for it.
 */
#include <guest/shell.h>
#include <guestmm/report.h>
#include <guestmm/slab.h>

PROC_FILE(buddyinfo, "/proc/buddyinfo", report_buddyinfo, NULL);
PROC_FILE(pagetypeinfo, "/proc/pagetypeinfo", report_pagetypeinfo, NULL);
PROC_FILE(zoneinfo, "/proc/zoneinfo", report_zoneinfo, NULL);
PROC_FILE(vmstat, "/proc/vmstat", report_vmstat, NULL);
PROC_FILE(slabinfo, "/proc/slabinfo", report_slabinfo, NULL);
