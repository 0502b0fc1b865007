/* SPDX-License-Identifier: MIT */
/* Boot-time set-up steps that start_kernel() calls in order. */
#ifndef GUEST_SETUP_H
#define GUEST_SETUP_H

#include <pvh/start_info.h>

/* Kernel image bounds, from the linker script. */
extern char _start[], _end[];

/*
 * Check the hvm_start_info the loader gave us and return a copy of the
 * command line; then (once the command line is parsed) put RAM and the
 * boot data in memblock.  Both panic with a clear reason if the structure
 * is unusable: it is all the kernel knows about the machine.
 */
const char *pvh_parse_start_info(uint32_t start_info_pa);
void pvh_setup_memory(void);
/* The ACPI RSDP the loader passed in start_info; 0: none. */
extern uint64_t pvh_rsdp_pa;

/* ebb.numa= / ebb.distance= and the RAM split into nodes (mm/numa.c). */
int numa_init(const char *numa, const char *distance);

/* Fill struct mm_boot_params and start guestmm (mm/init.c). */
void mm_core_init(void);
extern bool mm_ready;

/*
 * Once threads and devices exist: kswapd and kcompactd on every node,
 * and swap on vda if there is one (mm/init.c).
 */
void mm_late_init(void);

/* The shell and the tasks started at boot. */
void shell_start(const char *init_commands);

#endif
