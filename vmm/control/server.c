// SPDX-License-Identifier: MIT
/*
 * The control socket: a listening unix socket (0600 in a 0700 directory
 * of ebb's user, vmm/control/runtime.c), up to MONITOR_MAX_CLIENTS
 * connections, one JSON request per line (docs/security.md).  Only ebb's
 * own uid and root may connect: the peer's credentials (SO_PEERCRED) are
 * checked on accept, beside the file modes, so a socket reached some
 * other way (a directory with loose modes, a passed fd) still refuses
 * strangers.  A client may turn its connection into a console
 * ({"execute": "console"}): from then on the bytes are the guest
 * console's, both ways.  Nothing a client sends can stop the VM except
 * "quit": a line that is not JSON or not a command gets an error reply and
 * the connection goes on; a line longer than MONITOR_REQ_MAX gets an error
 * and the connection is closed (whatever follows would be read out of
 * frame).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <vmm/log.h>
#include <vmm/monitor.h>

int monitor_listen(struct monitor *m, const char *name, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, r;

	m->listen_fd = -1;
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		m->client[i].fd = -1;
	if (!runtime_name_valid(name)) {
		snprintf(err, errlen, "--name %s: use letters, digits, '-', '_' and '.' "
			 "(not first), at most 64", name);
		return -1;
	}
	if (runtime_dir_create(err, errlen))
		return -1;
	if (runtime_socket_path(name, m->sock_path, sizeof(m->sock_path))) {
		snprintf(err, errlen, "the control socket path for %s is too long", name);
		return -1;
	}
	fd = runtime_connect(name);
	if (fd >= 0) {
		close(fd);
		snprintf(err, errlen, "a VM named %s is already running (%s); choose another "
			 "--name", name, m->sock_path);
		return -1;
	}
	unlink(m->sock_path);	/* stale: its VM is gone */
	memcpy(a.sun_path, m->sock_path, strlen(m->sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	old = umask(0177);	/* the socket is born 0600: no window for others */
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (r || listen(fd, 8))
		goto fail;
	m->listen_fd = fd;
	m->name = name;
	return 0;
fail:
	snprintf(err, errlen, "control socket %s: %s", m->sock_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void monitor_unlisten(struct monitor *m)
{
	if (m->listen_fd < 0)
		return;
	close(m->listen_fd);
	unlink(m->sock_path);
	m->listen_fd = -1;
}

/* Tell a connection we will not serve why, as a JSON error line, and hang up. */
static void refuse(int fd, const char *desc)
{
	char line[512];
	int n = snprintf(line, sizeof(line),
			 "{\"error\": {\"class\": \"GenericError\", \"desc\": \"%s\"}}\n", desc);

	if (n > 0 && send(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
			  MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* It hung up first: nothing more to tell it. */
	}
	close(fd);
}

/*
 * The peer's credentials, as the kernel recorded them at connect: ebb's
 * own uid and root may control the VM, nobody else.  0, or -1 with the
 * reason in @why.
 */
static int peer_check(struct monitor *m, int fd, char *why, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uid_t self = geteuid();

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || clen != sizeof(cred)) {
		snprintf(why, len, "cannot tell who connected (SO_PEERCRED: %s)", strerror(errno));
		return -1;
	}
	if (cred.uid == self || cred.uid == 0)
		return 0;
	snprintf(why, len, "uid %u (pid %d) may not control VM %s: only uid %u (ebb's) and root may",
		 (unsigned int)cred.uid, (int)cred.pid, m->name ? m->name : "?",
		 (unsigned int)self);
	return -1;
}

void ctl_accept(struct monitor *m)
{
	struct timeval tv = { .tv_sec = 2 };
	char why[256];
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (peer_check(m, fd, why, sizeof(why))) {
		vmm_log("control socket %s: refused a connection: %s", m->sock_path, why);
		refuse(fd, why);
		return;
	}
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++) {
		struct ctl_client *c = &m->client[i];

		if (c->fd >= 0)
			continue;
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->gen = ++m->next_gen;
		/* Replies block at most this long: a stuck client cannot stall the VM. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		return;
	}
	snprintf(why, sizeof(why), "too many control connections (%d)", MONITOR_MAX_CLIENTS);
	refuse(fd, why);
}

void ctl_client_close(struct monitor *m, int slot)
{
	struct ctl_client *c = &m->client[slot];

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->console = false;
}

static struct ctl_client *lookup(struct monitor *m, struct ctl_ref who)
{
	struct ctl_client *c;

	if (who.slot < 0 || who.slot >= MONITOR_MAX_CLIENTS)
		return NULL;
	c = &m->client[who.slot];
	return c->fd >= 0 && c->gen == who.gen ? c : NULL;
}

static void send_json(struct monitor *m, struct ctl_ref who, json_t *msg)
{
	struct ctl_client *c = lookup(m, who);
	char *s;

	if (c && (s = json_dumps(msg, JSON_COMPACT))) {
		size_t n = strlen(s);

		s[n] = '\n';	/* json_dumps leaves room: we overwrite the NUL */
		if (send(c->fd, s, n + 1, MSG_NOSIGNAL) != (ssize_t)(n + 1))
			ctl_client_close(m, who.slot);
		free(s);
	}
	json_decref(msg);
}

void ctl_reply(struct monitor *m, struct ctl_ref who, json_t *ret)
{
	send_json(m, who, json_pack("{so}", "return", ret ? ret : json_object()));
}

void ctl_error(struct monitor *m, struct ctl_ref who, const char *cls, const char *fmt, ...)
{
	char desc[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	send_json(m, who, json_pack("{s{ssss}}", "error", "class", cls, "desc", desc));
}

void ctl_console_broadcast(struct monitor *m, const uint8_t *buf, size_t n)
{
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++) {
		struct ctl_client *c = &m->client[i];

		/* A client that cannot keep up loses output; the VM never waits. */
		if (c->fd >= 0 && c->console &&
		    send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
		    errno != EAGAIN && errno != EWOULDBLOCK)
			ctl_client_close(m, i);
	}
}

/* Raw console input from an attached client, as much as the buffer takes. */
static void console_input(struct monitor *m, const uint8_t *buf, size_t n)
{
	size_t room;

	if (m->to_console_off == m->to_console_len)
		m->to_console_off = m->to_console_len = 0;
	room = sizeof(m->to_console) - m->to_console_len;
	if (n > room)
		n = room;	/* the rest is lost: the monitor reads no more than fits */
	memcpy(m->to_console + m->to_console_len, buf, n);
	m->to_console_len += n;
}

void ctl_client_input(struct monitor *m, int slot)
{
	struct ctl_client *c = &m->client[slot];
	uint8_t buf[4096];
	ssize_t n;
	size_t i = 0;

	if (c->console) {
		size_t room = sizeof(m->to_console) - (m->to_console_len - m->to_console_off);

		n = recv(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			ctl_client_close(m, slot);
		else if (n > 0)
			console_input(m, buf, (size_t)n);
		return;
	}
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		ctl_client_close(m, slot);
		return;
	}
	while (n > 0 && i < (size_t)n) {
		uint8_t b = buf[i++];
		struct ctl_ref who = { slot, c->gen };

		if (b != '\n') {
			if (c->in_len < MONITOR_REQ_MAX) {
				c->in[c->in_len++] = (char)b;
				continue;
			}
			/* Too long: say so and hang up; the VM and other clients go on. */
			vmm_log("control socket: a request longer than %d bytes; closing that "
				"connection", MONITOR_REQ_MAX);
			ctl_error(m, who, "GenericError", "request longer than %d bytes (the limit "
				  "per line); closing the connection", MONITOR_REQ_MAX);
			ctl_client_close(m, slot);
			return;
		}
		c->in[c->in_len] = '\0';
		if (c->in_len)
			ctl_dispatch(m, who, c->in);
		c->in_len = 0;
		if (c->fd < 0)
			return;		/* the reply failed: closed */
		if (c->console) {
			console_input(m, buf + i, (size_t)n - i);
			return;
		}
	}
}
