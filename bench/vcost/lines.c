// SPDX-License-Identifier: MIT
/*
 * The two line formats: the guest's report lines (read by both runners)
 * and the runners' records (read by the report).  Both are parsed
 * strictly: a line cut short by a dying VM must not become a figure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "vcost.h"

/* sscanf @fmt over the whole of @s: every conversion made, nothing left over. */
#define SCAN_ALL(s, nconv, fmt, ...) ({						\
	int _end = -1;								\
	sscanf((s), fmt "%n", __VA_ARGS__, &_end) == (nconv) && (s)[_end] == '\0'; \
})

int vcost_msg_parse(const char *line, struct vcost_msg *m)
{
	char buf[256];
	size_t len;
	const char *s;

	if (strncmp(line, VCOST_LINE_PREFIX, strlen(VCOST_LINE_PREFIX)))
		return -1;
	len = strlen(line);
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, line, len + 1);
	while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n'))
		buf[--len] = '\0';
	s = buf + strlen(VCOST_LINE_PREFIX);

	memset(m, 0, sizeof(*m));
	if (SCAN_ALL(s, 2, "hello ops=%" SCNu64 " from=%" SCNu64, &m->nr_ops, &m->from)) {
		m->type = VCOST_MSG_HELLO;
	} else if (SCAN_ALL(s, 2, "op %u %31s", &m->op, m->name)) {
		m->type = VCOST_MSG_OP;
	} else if (SCAN_ALL(s, 6, "run %u %31s rep=%u n=%" SCNu64 " cycles=%" SCNu64 " base=%" SCNu64,
			    &m->op, m->name, &m->rep, &m->n, &m->cycles, &m->base)) {
		m->type = VCOST_MSG_RUN;
	} else if (SCAN_ALL(s, 5, "fault op=%u vec=%" SCNu64 " err=%" SCNu64 " rip=%" SCNu64
			    " cr2=%" SCNu64, &m->op, &m->vec, &m->err, &m->rip, &m->cr2)) {
		m->type = VCOST_MSG_FAULT;
	} else if (!strcmp(s, "done")) {
		m->type = VCOST_MSG_DONE;
	} else {
		return -1;
	}
	return 0;
}

double vcost_run_ns(const struct vcost_msg *m, uint64_t tsc_khz)
{
	if (!m->n || !tsc_khz || m->cycles <= m->base)
		return 0;
	return (double)(m->cycles - m->base) / (double)m->n * 1e6 / (double)tsc_khz;
}

void vcost_rec_from_run(struct vcost_rec *r, const char *backend, const struct vcost_msg *m,
			uint64_t tsc_khz)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->backend, sizeof(r->backend), "%s", backend);
	r->op = m->op;
	snprintf(r->name, sizeof(r->name), "%s", m->name);
	r->rep = m->rep;
	r->n = m->n;
	r->wall_ns = -1;
	if (!m->n)
		snprintf(r->status, sizeof(r->status), "no iterations (nothing left to run it on)");
	else
		r->ns = vcost_run_ns(m, tsc_khz);
}

void vcost_rec_print(FILE *f, const struct vcost_rec *r)
{
	fprintf(f, VCOST_REC_PREFIX "%s %u %s rep=%u", r->backend, r->op, r->name, r->rep);
	if (r->status[0]) {
		fprintf(f, " status=%s\n", r->status);
		return;
	}
	fprintf(f, " n=%" PRIu64 " ns=%.9g", r->n, r->ns);
	if (r->wall_ns >= 0)
		fprintf(f, " wall_ns=%.9g", r->wall_ns);
	for (unsigned int i = 0; i < r->nr_stats; i++)
		fprintf(f, " %s=%.9g", r->stat[i].name, r->stat[i].per_op);
	fputc('\n', f);
}

void vcost_rec_failed(const char *backend, unsigned int op, const char *name, const char *why)
{
	static struct vcost_rec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.backend, sizeof(r.backend), "%s", backend);
	r.op = op;
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.status, sizeof(r.status), "%s", why);
	r.wall_ns = -1;
	vcost_rec_print(stdout, &r);
	fflush(stdout);
	fprintf(stderr, "vcost %s: %s: %s\n", backend, name, why);
}

/* "KEY=NUMBER": the number, or -1 if the token is not one. */
static int kv_double(const char *tok, const char *key, double *v)
{
	size_t n = strlen(key);
	char *end;

	if (strncmp(tok, key, n) || tok[n] != '=')
		return -1;
	*v = strtod(tok + n + 1, &end);
	return end == tok + n + 1 || *end ? -1 : 0;
}

int vcost_rec_parse(const char *line, struct vcost_rec *r)
{
	char buf[8192], *save, *tok, *st;
	int head = -1;
	size_t len = strlen(line);
	bool have_n = false, have_ns = false;

	if (strncmp(line, VCOST_REC_PREFIX, strlen(VCOST_REC_PREFIX)) || len >= sizeof(buf))
		return -1;
	memcpy(buf, line, len + 1);
	while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n'))
		buf[--len] = '\0';

	memset(r, 0, sizeof(*r));
	r->wall_ns = -1;
	if (sscanf(buf + strlen(VCOST_REC_PREFIX), "%7s %u %31s rep=%u%n", r->backend, &r->op,
		   r->name, &r->rep, &head) != 4 || head < 0)
		return -1;
	st = buf + strlen(VCOST_REC_PREFIX) + head;
	if (!strncmp(st, " status=", 8)) {
		if (!st[8])
			return -1;
		snprintf(r->status, sizeof(r->status), "%s", st + 8);
		return 0;
	}
	for (tok = strtok_r(st, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		double v;

		if (!eq)
			return -1;
		if (!kv_double(tok, "n", &v)) {
			r->n = (uint64_t)v;
			have_n = true;
		} else if (!kv_double(tok, "ns", &v)) {
			r->ns = v;
			have_ns = true;
		} else if (!kv_double(tok, "wall_ns", &v)) {
			r->wall_ns = v;
		} else {
			struct vcost_stat *s = &r->stat[r->nr_stats];
			size_t nlen = (size_t)(eq - tok);

			if (r->nr_stats == VCOST_MAX_STATS || nlen >= sizeof(s->name))
				return -1;
			memcpy(s->name, tok, nlen);
			s->name[nlen] = '\0';
			if (kv_double(tok, s->name, &s->per_op))
				return -1;
			r->nr_stats++;
		}
	}
	return have_n && have_ns ? 0 : -1;
}
