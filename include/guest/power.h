/* SPDX-License-Identifier: MIT */
/*
 * Ending the machine.  Power-off writes the exit status byte to the
 * isa-debug-exit compatible port 0xf4 (docs/CONVENTIONS.md): ebb exits
 * with it (64+N when N is non-zero), QEMU with (N << 1) | 1.
 *
 * Guest exit statuses:
 *   0  clean poweroff
 *   1  kernel panic
 *   2  unhandled CPU exception (including a page fault nobody resolved)
 *   N  whatever a user passed to `poweroff N`
 */
#ifndef GUEST_POWER_H
#define GUEST_POWER_H

#include <guestmm/compiler.h>

#define DEBUG_EXIT_PORT		0xf4

#define EXIT_STATUS_OK		0
#define EXIT_STATUS_PANIC	1
#define EXIT_STATUS_EXCEPTION	2

__noreturn void machine_power_off(int status);
__noreturn void machine_restart(void);
/* Deliberately triple-fault (for testing the VMM's handling of it). */
__noreturn void machine_triple_fault(void);

#endif
