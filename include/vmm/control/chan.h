/* SPDX-License-Identifier: MIT */
/*
 * The host end of the control channel: the guest's second serial port
 * (COM2), a line protocol fixed in docs/CONVENTIONS.md.
 *
 *   host -> guest   "ID COMMAND"        a guest shell command
 *   guest -> host   "ID | TEXT"         one line of its output
 *                   "ID = STATUS"       its exit status: the request is done
 *                   "* EVENT TEXT"      unsolicited ("* ready", "* job 3 done ...")
 *                   "? = 22"            a request the guest could not parse
 *
 * This file is the byte stream and the bookkeeping only: splitting into
 * lines, parsing them, matching answers to requests, queueing requests
 * until the guest says "* ready".  It does no I/O: the caller moves bytes
 * (KVM: the emulated COM2; QEMU: a chardev socket) and gets callbacks.
 */
#ifndef EBB_VMM_CONTROL_CHAN_H
#define EBB_VMM_CONTROL_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAN_LINE_MAX		4096		/* bytes per line, newline excluded */
#define CHAN_OUTPUT_MAX		(4U << 20)	/* output kept per request */
#define CHAN_MAX_PENDING	64

enum chan_kind {
	CHAN_OUTPUT,	/* "ID | TEXT" */
	CHAN_DONE,	/* "ID = STATUS" */
	CHAN_EVENT,	/* "* TEXT" */
	CHAN_REJECT,	/* "? = STATUS": a request the guest could not parse */
	CHAN_GARBAGE,	/* anything else (boot noise, a person typing) */
};

struct chan_line {
	enum chan_kind kind;
	uint64_t id;
	int status;
	const char *text;	/* OUTPUT / EVENT: points into the parsed line */
};

/* Parse one line (no newline).  Never fails: unparsable is CHAN_GARBAGE. */
void chan_parse_line(const char *line, struct chan_line *out);

/*
 * "ID COMMAND\n" into @buf.  Returns the length, or -1 when @cmd is empty,
 * holds a newline or NUL-less control byte, or the line would exceed
 * CHAN_LINE_MAX.
 */
int chan_format(char *buf, size_t len, uint64_t id, const char *cmd);

/* Called when request @id completes (@status >= 0) or fails (@status < 0:
 * -ETIMEDOUT, -ECANCELED when the VM ends, -EPROTO rejected by the guest). */
typedef void (*chan_done_fn)(void *ctx, uint64_t id, int status, const char *output,
			     size_t len);

struct chan_req {
	uint64_t id;
	char *line;		/* the formatted request, until sent */
	size_t line_len, sent;
	char *out;		/* output lines, "\n"-terminated */
	size_t out_len, out_cap;
	bool truncated;
	uint64_t deadline_ns;
	chan_done_fn done;
	void *ctx;
};

struct chan {
	bool ready;			/* the guest said "* ready" */
	uint64_t next_id;
	char in[CHAN_LINE_MAX + 1];	/* partial incoming line */
	size_t in_len;
	bool in_overflow;		/* discarding a too-long line */
	struct chan_req req[CHAN_MAX_PENDING];
	unsigned int nr_req;
	uint64_t garbage;		/* lines that fit no pattern */
};

void chan_init(struct chan *c);
/* Fail every pending request with -ECANCELED and free them. */
void chan_destroy(struct chan *c);

/*
 * Queue guest shell command @cmd; @done runs when it completes.  Returns
 * the request id (> 0), or 0 (@cmd unusable: see chan_format, or too
 * many pending).
 */
uint64_t chan_submit(struct chan *c, const char *cmd, uint64_t timeout_ns,
		     chan_done_fn done, void *ctx);

/* Bytes from the guest. */
void chan_input(struct chan *c, const uint8_t *buf, size_t n);

/*
 * Bytes for the guest: up to @room bytes of the next unsent request line
 * (only once ready) into @buf; chan_output_consumed() then says how many
 * of them really went (at most what chan_output returned).
 */
size_t chan_output(struct chan *c, uint8_t *buf, size_t room);
void chan_output_consumed(struct chan *c, size_t n);
bool chan_has_output(const struct chan *c);

/* Fail requests whose deadline passed; returns ns until the next deadline (or UINT64_MAX). */
uint64_t chan_expire(struct chan *c, uint64_t now_ns);

#endif
