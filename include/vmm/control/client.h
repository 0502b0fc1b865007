/* SPDX-License-Identifier: MIT */
/*
 * The control socket's client side (vmm/control/client.c), for everything
 * that talks to a running VM: the CLI (vmm/control/cli_commands.c), balloond and the
 * overcommit runner (balloon/policy/).  One JSON line out, one back.
 */
#ifndef VMM_CONTROL_CLIENT_H
#define VMM_CONTROL_CLIENT_H

#include <stddef.h>

#include <jansson.h>

/* Longest answer line accepted (query-kvm-stats of many vCPUs is large). */
#define CONTROL_CLIENT_LINE_MAX	(16 << 20)

/* Why a request got no answer object. */
enum control_client_fail {
	CONTROL_CLIENT_NO_VM,		/* no such VM: not a name, no live socket */
	CONTROL_CLIENT_BROKEN,		/* connected, but no (JSON) answer */
};

/*
 * Connect to VM @name's control socket.  The fd, or -1 with why in @err
 * ("no running VM named ...", naming the socket looked for).
 */
int control_client_connect(const char *name, char *err, size_t errlen);

/*
 * Send @line (a newline added) and read one line back, waiting up to
 * @wait_ms for each part of it.  Nothing after the line is read: on a
 * console connection the console's bytes stay in the socket.  The line
 * without its newline, malloc'd; NULL with why in @err.
 */
char *control_client_roundtrip(int fd, const char *line, int wait_ms, char *err,
			       size_t errlen);

/*
 * One request to VM @name: connect, send @req (the reference is taken),
 * parse the answer.  The answer object ({"return": ...} or {"error":
 * ...}; the caller decrefs it), or NULL with why in @err and in *@fail.
 */
json_t *control_client_request(const char *name, json_t *req, int wait_ms,
			       enum control_client_fail *fail, char *err, size_t errlen);

/*
 * The error's description in answer @ans ({"error": {"desc": ...}}), or
 * a generic one when @ans has neither "return" nor a description.
 */
const char *control_client_error(json_t *ans);

#endif
