// SPDX-License-Identifier: MIT
/*
 * The fault handler's entry.  Which addresses may be populated is decided
 * by the owners of address ranges; today that is anonymous memory (the
 * task's address space, anon.c).  An address nobody owns is a
 * segmentation fault.
 */
#include "internal.h"
#include <guestmm/anon.h>
#include <guestmm/fault.h>

enum mm_fault_result mm_handle_fault(struct platform_as *as, unsigned long va, bool write)
{
	enum mm_fault_result ret = MM_FAULT_SIGSEGV;
	struct mm_anon *mm = anon_mm_get(as);

	if (mm) {
		ret = anon_fault(mm, va, write);
		anon_mm_put(mm);
	}
	if (ret == MM_FAULT_SIGSEGV)
		mm_printk("mm: %s fault at %#lx: no mapping", write ? "write" : "read", va);
	return ret;
}
