/* SPDX-License-Identifier: MIT */
/*
 * Where VMs' control sockets live (docs/CONVENTIONS.md): $EBB_RUNTIME_DIR,
 * else $XDG_RUNTIME_DIR/ebb, else /run/ebb for root and /tmp/ebb-$UID for
 * others; the directory is 0700, each socket NAME.sock is 0600.
 */
#ifndef EBB_VMM_CONTROL_RUNTIME_H
#define EBB_VMM_CONTROL_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#define RUNTIME_PATH_MAX	108	/* sun_path */

/* The directory's path into @buf.  0, or -1 if it does not fit. */
int runtime_dir(char *buf, size_t len);
/* Create it (0700) if missing.  0, or -1 with a message. */
int runtime_dir_create(char *err, size_t errlen);
/* The socket path of VM @name.  0, or -1 (too long). */
int runtime_socket_path(const char *name, char *buf, size_t len);
/* Is @name usable as a VM name (and so a file name)? */
bool runtime_name_valid(const char *name);

/* Connect to VM @name's control socket.  fd, or -1 (errno). */
int runtime_connect(const char *name);

#endif
