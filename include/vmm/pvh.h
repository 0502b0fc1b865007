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

struct boot_data;
struct guest_mem;

/*
 * Write start_info, the module list (one module, the initrd, when
 * @bd has one), @bd's memory map and command line into guest memory at
 * the EBB_*_ADDR addresses of vmm/layout.h; rsdp_paddr is @bd's.
 * Returns 0, or -1 with a message.
 */
int pvh_write_boot(struct guest_mem *m, const struct boot_data *bd, char *err, size_t errlen);

/*
 * pvh_write_boot() for a plain boot: the memory map is the layout's RAM
 * (vmm/e820.c), no initrd, no ACPI.
 */
int pvh_build(struct guest_mem *m, const char *cmdline, char *err, size_t errlen);

/* Write the flat GDT the initial segment state describes (EBB_GDT_ADDR). */
int pvh_write_gdt(struct guest_mem *m);

#endif
