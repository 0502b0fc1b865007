/* SPDX-License-Identifier: MIT */
/*
 * Page faults: the platform's MMU found no present entry for an access.
 */
#ifndef GUESTMM_FAULT_H
#define GUESTMM_FAULT_H

#include <guestmm/platform.h>

enum mm_fault_result {
	MM_FAULT_OK,		/* an entry is present now: retry the access */
	MM_FAULT_SIGSEGV,	/* nothing may be mapped there */
	MM_FAULT_OOM,		/* memory for the page could not be had */
	MM_FAULT_SIGBUS,	/* the page could not be read back (swap I/O) */
};

/*
 * Resolve a fault at @va in @as (a write if @write).  Called by the guest's
 * #PF handler and by the hosted platform's software MMU, with no lock of
 * the address space held.
 */
enum mm_fault_result mm_handle_fault(struct platform_as *as, unsigned long va, bool write);

#endif
