/* SPDX-License-Identifier: MIT */
/*
 * The control channel on COM2 (docs/CONVENTIONS.md): the host sends
 * `ID COMMAND` lines, the guest runs each through the shell's command
 * table and answers `ID | LINE` for every line of output, then
 * `ID = STATUS`.  Unsolicited events are `* EVENT TEXT`.
 */
#ifndef GUEST_CONTROL_H
#define GUEST_CONTROL_H

#include <guestmm/compiler.h>

/* Longest request line, without its newline. */
#define CONTROL_LINE_MAX	4096

/* Start the channel's thread if COM2 exists; it announces `* ready`. */
void control_start(void);

/* Send `* TEXT` (a no-op while the channel is down).  Any task context. */
__printf(1, 2) void control_event(const char *fmt, ...);

#endif
