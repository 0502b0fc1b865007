/* SPDX-License-Identifier: MIT */
/*
 * vmalloc: virtually contiguous memory from physically scattered pages,
 * mapped into the kernel address space (platform_kernel_as()) inside the
 * platform's vmalloc range.  Each area is followed by an unmapped guard
 * page, so running off its end faults.
 *
 * In the guest the memory is reached directly; in hosted programs through
 * hosted_access(platform_kernel_as(), va, ...).  A fault on a vmalloc
 * address that is not mapped is a bug: the fault handler refuses it.
 */
#ifndef GUESTMM_VMALLOC_H
#define GUESTMM_VMALLOC_H

#include <guestmm/gfp.h>
#include <guestmm/page.h>
#include <guestmm/seq_buf.h>

void vmalloc_init(void);	/* mm_init() calls it */

/* @size bytes, rounded up to pages; NULL if no memory or no address space. */
void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
/* Pages from node @nid if it has them. */
void *vmalloc_node(unsigned long size, int nid);

/* Unmap and free; @addr must be what vmalloc returned (NULL is fine). */
void vfree(const void *addr);

bool is_vmalloc_addr(const void *addr);
struct page *vmalloc_to_page(const void *addr);

/* Pages vmalloc holds (VmallocUsed, in pages). */
unsigned long vmalloc_nr_pages(void);

/* /proc/vmallocinfo: one line per area. */
void report_vmallocinfo(struct seq_buf *s);

#endif
