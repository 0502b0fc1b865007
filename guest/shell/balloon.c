// SPDX-License-Identifier: MIT
/*
 * /proc/balloon: the virtio-balloon driver's state and last inflation
 * (balloon/driver.c); `echo NAME VALUE > /proc/balloon` sets a tunable.
 */
#include <balloon/driver.h>
#include <guest/shell.h>

PROC_FILE(balloon, "/proc/balloon", balloon_report, balloon_write);
