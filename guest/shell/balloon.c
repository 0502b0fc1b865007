// SPDX-License-Identifier: MIT
/*
 * /proc/balloon: the virtio-balloon driver's state and last inflation
 * (guest/drivers/virtio_balloon.c); `echo NAME VALUE > /proc/balloon` sets a tunable.
 */
#include <guest/shell.h>
#include <guest/virtio_balloon.h>

PROC_FILE(balloon, "/proc/balloon", balloon_report, balloon_write);
