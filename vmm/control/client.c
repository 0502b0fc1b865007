// SPDX-License-Identifier: MIT
/*
 * The client end of a VM's control socket (docs/CONVENTIONS.md): connect
 * by VM name, send one JSON line, read one line back.  The CLI, balloond
 * and the overcommit runner all come through here, so that they say the
 * same things when a VM is missing or silent.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vmm/control/client.h>
#include <vmm/control/runtime.h>

int control_client_connect(const char *name, char *err, size_t errlen)
{
	char path[RUNTIME_PATH_MAX] = "";
	int fd = runtime_connect(name);

	if (fd >= 0)
		return fd;
	runtime_socket_path(name, path, sizeof(path));
	if (!runtime_name_valid(name))
		snprintf(err, errlen, "\"%s\" is not a VM name", name);
	else if (errno == ENOENT || errno == ECONNREFUSED)
		snprintf(err, errlen, "no running VM named %s (no live socket %s; see ebb list)",
			 name, path);
	else
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
	return -1;
}

/* Grow *@buf to hold more than @len bytes; false at CONTROL_CLIENT_LINE_MAX or out of memory. */
static bool grow(char **buf, size_t *cap, size_t len)
{
	char *nb;

	if (len + 1 < *cap)
		return true;
	if (*cap >= CONTROL_CLIENT_LINE_MAX || !(nb = realloc(*buf, *cap * 2)))
		return false;
	*buf = nb;
	*cap *= 2;
	return true;
}

char *control_client_roundtrip(int fd, const char *line, int wait_ms, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		goto oom;
	/* Refused (a stranger, a line too long), the VM hangs up mid-write after saying why: read it. */
	if (dprintf(fd, "%s\n", line) < 0 && errno != EPIPE && errno != ECONNRESET) {
		snprintf(err, errlen, "sending to the VM: %s", strerror(errno));
		goto fail;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		char *nl;

		if (poll(&p, 1, wait_ms) <= 0) {
			snprintf(err, errlen, "no answer from the VM in %d s", wait_ms / 1000);
			goto fail;
		}
		if (!grow(&buf, &cap, len))
			goto oom;
		/* Look first, then take only up to the newline. */
		n = recv(fd, buf + len, cap - 1 - len, MSG_PEEK);
		if (n <= 0) {
			snprintf(err, errlen, "the VM closed the connection");
			goto fail;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		if (nl)
			n = nl - (buf + len) + 1;
		n = recv(fd, buf + len, (size_t)n, 0);
		if (n <= 0) {
			snprintf(err, errlen, "the VM closed the connection");
			goto fail;
		}
		len += (size_t)n;
		if (nl) {
			buf[len - 1] = '\0';
			return buf;
		}
	}
oom:
	snprintf(err, errlen, "the VM's answer is too long (or out of memory)");
fail:
	free(buf);
	return NULL;
}

json_t *control_client_request(const char *name, json_t *req, int wait_ms,
			       enum control_client_fail *fail, char *err, size_t errlen)
{
	char *line = json_dumps(req, JSON_COMPACT), *ans = NULL;
	json_t *reply = NULL;
	int fd = -1;

	json_decref(req);
	*fail = CONTROL_CLIENT_NO_VM;
	if (!line) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fd = control_client_connect(name, err, errlen);
	if (fd < 0)
		goto out;
	*fail = CONTROL_CLIENT_BROKEN;
	ans = control_client_roundtrip(fd, line, wait_ms, err, errlen);
	if (!ans)
		goto out;
	reply = json_loads(ans, 0, NULL);
	if (!reply || !json_is_object(reply)) {
		snprintf(err, errlen, "the VM answered something that is not JSON: %.200s", ans);
		json_decref(reply);
		reply = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(ans);
	free(line);
	return reply;
}

const char *control_client_error(json_t *ans)
{
	const char *desc = json_string_value(json_object_get(json_object_get(ans, "error"), "desc"));

	if (desc)
		return desc;
	return json_object_get(ans, "error") ? "error" : "bad answer";
}
