// SPDX-License-Identifier: MIT
/*
 * Control-channel framing and request matching (include/vmm/control/chan.h).
 * Lines end at '\n'; a '\r' before it is dropped (a UART line discipline
 * may add one).  A line longer than CHAN_LINE_MAX is discarded whole: a
 * fragment of it must not be mistaken for an answer.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/control/chan.h>
#include <vmm/log.h>

/* A decimal number of at most 19 digits at *s; advances *s.  -1 if none. */
static int parse_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int n = 0;

	while (isdigit((unsigned char)*p) && n < 19) {
		x = x * 10 + (uint64_t)(*p - '0');
		p++;
		n++;
	}
	if (n == 0 || isdigit((unsigned char)*p))
		return -1;
	*s = p;
	*v = x;
	return 0;
}

void chan_parse_line(const char *line, struct chan_line *out)
{
	const char *p = line;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	out->kind = CHAN_GARBAGE;
	if (p[0] == '*' && p[1] == ' ') {
		out->kind = CHAN_EVENT;
		out->text = p + 2;
		return;
	}
	if (p[0] == '?' && !strncmp(p + 1, " = ", 3)) {
		p += 4;
		if (parse_u64(&p, &v) == 0 && !*p && v <= 255) {
			out->kind = CHAN_REJECT;
			out->status = (int)v;
		}
		return;
	}
	if (parse_u64(&p, &out->id) || out->id == 0)
		return;
	if (!strncmp(p, " |", 2) && (p[2] == ' ' || p[2] == '\0')) {
		out->kind = CHAN_OUTPUT;
		out->text = p[2] ? p + 3 : p + 2;
	} else if (!strncmp(p, " = ", 3)) {
		p += 3;
		if (parse_u64(&p, &v) == 0 && !*p && v <= 255) {
			out->kind = CHAN_DONE;
			out->status = (int)v;
		}
	}
}

int chan_format(char *buf, size_t len, uint64_t id, const char *cmd)
{
	int n;

	if (!*cmd)
		return -1;
	for (const char *p = cmd; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return -1;
	n = snprintf(buf, len, "%" PRIu64 " %s\n", id, cmd);
	if (n < 0 || (size_t)n >= len || n - 1 > CHAN_LINE_MAX)
		return -1;
	return n;
}

void chan_init(struct chan *c)
{
	memset(c, 0, sizeof(*c));
	c->next_id = 1;
}

static void req_finish(struct chan *c, unsigned int i, int status)
{
	struct chan_req r = c->req[i];

	/* Remove first: the callback may submit new requests. */
	c->req[i] = c->req[--c->nr_req];
	r.done(r.ctx, r.id, status, r.out ? r.out : "", r.out_len);
	free(r.line);
	free(r.out);
}

void chan_destroy(struct chan *c)
{
	while (c->nr_req)
		req_finish(c, c->nr_req - 1, -ECANCELED);
}

uint64_t chan_submit(struct chan *c, const char *cmd, uint64_t timeout_ns,
		     chan_done_fn done, void *ctx)
{
	char line[CHAN_LINE_MAX + 2];
	struct chan_req *r;
	int n;

	if (c->nr_req == CHAN_MAX_PENDING)
		return 0;
	n = chan_format(line, sizeof(line), c->next_id, cmd);
	if (n < 0)
		return 0;
	r = &c->req[c->nr_req];
	memset(r, 0, sizeof(*r));
	r->line = strdup(line);
	if (!r->line)
		return 0;
	r->line_len = (size_t)n;
	r->id = c->next_id++;
	r->deadline_ns = mono_ns() + timeout_ns;
	r->done = done;
	r->ctx = ctx;
	c->nr_req++;
	return r->id;
}

static int find(const struct chan *c, uint64_t id)
{
	for (unsigned int i = 0; i < c->nr_req; i++)
		if (c->req[i].id == id)
			return (int)i;
	return -1;
}

static void append_output(struct chan_req *r, const char *text)
{
	size_t n = strlen(text);

	if (r->truncated || r->out_len + n + 1 > CHAN_OUTPUT_MAX) {
		r->truncated = true;
		return;
	}
	if (r->out_len + n + 2 > r->out_cap) {
		size_t cap = r->out_cap ? r->out_cap : 1024;
		char *p;

		while (cap < r->out_len + n + 2)
			cap *= 2;
		p = realloc(r->out, cap);
		if (!p) {
			r->truncated = true;
			return;
		}
		r->out = p;
		r->out_cap = cap;
	}
	memcpy(r->out + r->out_len, text, n);
	r->out_len += n;
	r->out[r->out_len++] = '\n';
	r->out[r->out_len] = '\0';
}

static void handle_line(struct chan *c, const char *line)
{
	struct chan_line l;
	int i;

	chan_parse_line(line, &l);
	switch (l.kind) {
	case CHAN_EVENT:
		/* Job ends and the like are for the console's reader; "ready" is ours. */
		if (!strcmp(l.text, "ready"))
			c->ready = true;
		return;
	case CHAN_OUTPUT:
		if ((i = find(c, l.id)) >= 0)
			append_output(&c->req[i], l.text);
		return;
	case CHAN_DONE:
		if ((i = find(c, l.id)) >= 0)
			req_finish(c, (unsigned int)i, l.status);
		return;
	case CHAN_REJECT:
	case CHAN_GARBAGE:
		/* "? = 22" names no request: the one that caused it times out. */
		c->garbage++;
		return;
	}
}

void chan_input(struct chan *c, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = buf[i];

		if (b == '\n') {
			if (!c->in_overflow) {
				if (c->in_len && c->in[c->in_len - 1] == '\r')
					c->in_len--;
				c->in[c->in_len] = '\0';
				handle_line(c, c->in);
			}
			c->in_len = 0;
			c->in_overflow = false;
		} else if (c->in_len == CHAN_LINE_MAX) {
			c->in_overflow = true;
		} else if (b != '\0') {
			c->in[c->in_len++] = (char)b;
		}
	}
}

/* The unsent request with the lowest id: requests go out in submission order. */
static struct chan_req *next_unsent(struct chan *c)
{
	struct chan_req *next = NULL;

	for (unsigned int i = 0; i < c->nr_req; i++) {
		struct chan_req *r = &c->req[i];

		if (r->line && (!next || r->id < next->id))
			next = r;
	}
	return next;
}

size_t chan_output(struct chan *c, uint8_t *buf, size_t room)
{
	struct chan_req *r = c->ready ? next_unsent(c) : NULL;
	size_t k;

	if (!r)
		return 0;
	k = r->line_len - r->sent;
	if (k > room)
		k = room;
	memcpy(buf, r->line + r->sent, k);
	return k;
}

void chan_output_consumed(struct chan *c, size_t n)
{
	struct chan_req *r = next_unsent(c);

	if (!r)
		return;
	r->sent += n;
	if (r->sent >= r->line_len) {
		free(r->line);
		r->line = NULL;
	}
}

bool chan_has_output(const struct chan *c)
{
	if (!c->ready)
		return false;
	for (unsigned int i = 0; i < c->nr_req; i++)
		if (c->req[i].line)
			return true;
	return false;
}

uint64_t chan_expire(struct chan *c, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < c->nr_req;) {
		if (c->req[i].deadline_ns <= now_ns) {
			req_finish(c, i, -ETIMEDOUT);
			continue;	/* slot i now holds another request */
		}
		if (c->req[i].deadline_ns - now_ns < next)
			next = c->req[i].deadline_ns - now_ns;
		i++;
	}
	return next;
}
