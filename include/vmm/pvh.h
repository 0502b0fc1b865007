/* SPDX-License-Identifier: MIT */
/*
 * Building the PVH boot data the guest finds through EBX at its PHYS32
 * entry point; the ABI itself is include/pvh/start_info.h.
 */
#ifndef EBB_VMM_PVH_H
#define EBB_VMM_PVH_H

#include <stddef.h>
#include <stdint.h>

#include <pvh/start_info.h>

struct guest_mem;

/*
 * Write start_info, the memory map (one RAM entry per layout range,
 * adjacent ranges merged) and @cmdline into guest memory at the
 * EBB_*_ADDR addresses of vmm/layout.h.  Returns 0, or -1 with a message.
 */
int pvh_build(struct guest_mem *m, const char *cmdline, char *err, size_t errlen);

/* Write the flat GDT the initial segment state describes (EBB_GDT_ADDR). */
int pvh_write_gdt(struct guest_mem *m);

#endif
