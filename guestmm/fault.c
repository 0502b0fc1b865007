// SPDX-License-Identifier: MIT
/*
 * The fault handler's entry.  Which addresses may be populated is decided
 * by the owners of address ranges (anonymous memory, vmalloc); an address
 * nobody owns is a segmentation fault.
 */
#include "internal.h"
#include <guestmm/fault.h>

enum mm_fault_result mm_handle_fault(struct platform_as *as, unsigned long va, bool write)
{
	mm_printk("mm: %s fault at %#lx: no mapping", write ? "write" : "read", va);
	return MM_FAULT_SIGSEGV;
}
