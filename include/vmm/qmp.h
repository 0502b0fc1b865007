/* SPDX-License-Identifier: MIT */
/*
 * A small QMP client for the QEMU backend (vmm/qemu.c): QEMU's monitor
 * protocol is asynchronous, so every command carries an "id" and its
 * reply finds the callback that asked through it; lines without an id
 * are events (or the greeting).  The socket is non-blocking and read when
 * the monitor's poll() says so; nothing here ever waits except the
 * handshake at start.
 */
#ifndef EBB_VMM_QMP_H
#define EBB_VMM_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define QMP_MAX_PENDING		16	/* commands in flight */
#define QMP_LINE_MAX		65536	/* the longest reply we take */

/*
 * A command's answer: @ret (borrowed) on success, else @error ("Class:
 * description" as QEMU said it, or why the reply never came: QMP closed).
 * Called exactly once for every command qmp_execute() sent.
 */
typedef void qmp_reply_fn(void *arg, json_t *ret, const char *error);

struct qmp {
	int fd;				/* -1: closed */
	uint64_t next_id;
	struct qmp_pending {
		uint64_t id;		/* 0: slot free */
		qmp_reply_fn *fn;
		void *arg;
	} pending[QMP_MAX_PENDING];
	/* An event: its name and data (borrowed; NULL without data). */
	void (*event)(void *ctx, const char *name, json_t *data);
	void *ctx;
	char in[QMP_LINE_MAX + 1];
	size_t in_len;
	bool overflow;			/* dropping a line longer than QMP_LINE_MAX */
};

void qmp_init(struct qmp *q, int fd, void (*event)(void *ctx, const char *name, json_t *data),
	      void *ctx);
/* Read the greeting and enter command mode within @timeout_ms.  0 or -1. */
int qmp_handshake(struct qmp *q, int timeout_ms);
/*
 * Send {"execute": @cmd, "arguments": @args, "id": N}; @args (may be NULL)
 * is stolen.  @fn (may be NULL: the answer is not wanted) is called when
 * the answer comes.  0, or -1 if it could not be sent (@fn is not called).
 */
int qmp_execute(struct qmp *q, const char *cmd, json_t *args, qmp_reply_fn *fn, void *arg);
/* Take what the socket has: replies and events.  0, or -1 once QEMU closed it. */
int qmp_read(struct qmp *q);
/* Close the socket; commands still waiting get their error. */
void qmp_close(struct qmp *q);

#endif
