// SPDX-License-Identifier: MIT
/*
 * The QMP client (include/vmm/qmp.h).  QEMU answers commands in order,
 * but events come in between, and an id makes the matching independent
 * of either.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vmm/log.h>
#include <vmm/qmp.h>

void qmp_init(struct qmp *q, int fd, void (*event)(void *ctx, const char *name, json_t *data),
	      void *ctx)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->next_id = 1;
	q->event = event;
	q->ctx = ctx;
}

static struct qmp_pending *find_pending(struct qmp *q, uint64_t id)
{
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++)
		if (q->pending[i].id == id)
			return &q->pending[i];
	return NULL;
}

int qmp_execute(struct qmp *q, const char *cmd, json_t *args, qmp_reply_fn *fn, void *arg)
{
	struct qmp_pending *p = find_pending(q, 0);
	json_t *msg = json_pack("{ss sI}", "execute", cmd, "id", (json_int_t)q->next_id);
	char *text = NULL;
	size_t len;
	int ret = -1;

	if (q->fd < 0 || !p || !msg)
		goto out;
	if (args && json_object_set(msg, "arguments", args))
		goto out;
	text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		goto out;
	len = strlen(text);
	text[len++] = '\n';	/* json_dumps leaves room: its NUL */
	/* Commands are a few dozen bytes: a socket buffer that cannot take one is a dead QEMU. */
	if (send(q->fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
		goto out;
	*p = (struct qmp_pending){ .id = q->next_id++, .fn = fn, .arg = arg };
	ret = 0;
out:
	free(text);
	json_decref(msg);
	json_decref(args);
	return ret;
}

static void reply(struct qmp *q, struct qmp_pending *p, json_t *msg)
{
	struct qmp_pending done = *p;
	json_t *err = json_object_get(msg, "error");
	char why[512];

	p->id = 0;	/* free before the callback, which may send again */
	if (!done.fn)
		return;
	if (err) {
		snprintf(why, sizeof(why), "%s: %s",
			 json_string_value(json_object_get(err, "class")) ?: "Error",
			 json_string_value(json_object_get(err, "desc")) ?: "(no description)");
		done.fn(done.arg, NULL, why);
	} else {
		done.fn(done.arg, json_object_get(msg, "return"), NULL);
	}
}

static void dispatch(struct qmp *q, const char *line)
{
	json_t *msg = json_loads(line, 0, NULL), *id;
	const char *event;
	struct qmp_pending *p;
	double nid;

	/*
	 * QEMU prints unsigned 64-bit values whole (an unset balloon statistic
	 * is 2^64 - 1), beyond jansson's integers: such a line is read with
	 * every number as a real, and readers take numbers either way.
	 */
	if (!msg)
		msg = json_loads(line, JSON_DECODE_INT_AS_REAL, NULL);
	if (!msg) {
		vmm_log("QMP: a line that is not JSON: %.80s", line);
		return;
	}
	id = json_object_get(msg, "id");
	event = json_string_value(json_object_get(msg, "event"));
	nid = json_number_value(id);
	/*
	 * Only an id we sent: a whole number from 1 below next_id.  Anything
	 * else (2^70, 1.5) names no command, and converting it would not fit.
	 */
	if (nid >= 1 && nid < (double)q->next_id && nid == (double)(uint64_t)nid &&
	    (p = find_pending(q, (uint64_t)nid)))
		reply(q, p, msg);
	else if (event && q->event)
		q->event(q->ctx, event, json_object_get(msg, "data"));
	/* Anything else (the greeting, a stray answer) says nothing we wait for. */
	json_decref(msg);
}

int qmp_read(struct qmp *q)
{
	char *line, *nl;
	ssize_t n;

	if (q->fd < 0)
		return -1;
	n = recv(q->fd, q->in + q->in_len, QMP_LINE_MAX - q->in_len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		qmp_close(q);
		return -1;
	}
	if (n < 0)
		return 0;
	q->in_len += (size_t)n;
	q->in[q->in_len] = '\0';
	line = q->in;
	while ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		if (!q->overflow)
			dispatch(q, line);
		q->overflow = false;
		line = nl + 1;
	}
	q->in_len -= (size_t)(line - q->in);
	memmove(q->in, line, q->in_len);
	if (q->in_len == QMP_LINE_MAX) {
		vmm_log("QMP: a line over %d bytes, dropped", QMP_LINE_MAX);
		q->in_len = 0;
		q->overflow = true;	/* the rest of it, up to its newline, too */
	}
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	for (unsigned int i = 0; i < QMP_MAX_PENDING; i++) {
		struct qmp_pending done = q->pending[i];

		if (!done.id)
			continue;
		q->pending[i].id = 0;
		if (done.fn)
			done.fn(done.arg, NULL, "QEMU closed its monitor (QMP) before answering");
	}
}

static void caps_done(void *arg, json_t *ret, const char *error)
{
	*(int *)arg = error ? -1 : 1;
}

int qmp_handshake(struct qmp *q, int timeout_ms)
{
	int done = 0;

	/* The greeting arrives first and is dropped as a line without an id. */
	if (qmp_execute(q, "qmp_capabilities", NULL, caps_done, &done))
		return -1;
	while (!done) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };

		if (poll(&p, 1, timeout_ms) <= 0 || qmp_read(q))
			return -1;
	}
	return done > 0 ? 0 : -1;
}
