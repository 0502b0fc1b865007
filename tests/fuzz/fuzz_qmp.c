// SPDX-License-Identifier: MIT
/*
 * The QMP client (vmm/qmp.c) and the QEMU balloon's reply handlers
 * (vmm/qemu_balloon.c) against a hostile QEMU: the fuzzer's bytes are
 * what QEMU writes on the QMP socket (a socketpair here), read by
 * qmp_read() as the monitor does when poll() says so.  Commands are in
 * flight as on the QEMU backend: the balloon's qom-set at start, its
 * query-balloon and qom-get guest-stats every tick, a balloon target,
 * and a plain command whose callback counts its answers.
 *
 * Input: chunks separated by NUL bytes; before each chunk the balloon
 * ticks (new polls once the last are answered) and one more command
 * goes out, so ids keep coming: 1 qom-set, 2 query-balloon, 3 qom-get,
 * 4 balloon, 5 query-status, then on.  Seeds carry real QEMU 7.2 replies.
 *
 * Oracle: every command's callback runs exactly once, by its reply or by
 * qmp_close() at the end.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vmm/qemu_balloon.h>
#include <vmm/qmp.h>

#include "fuzz_guest_mem.h"

#define MAX_CMDS	64

static unsigned int calls[MAX_CMDS], sent;
static struct qemu_balloon qb;

static void counted(void *arg, json_t *ret, const char *error)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	if (++calls[i] > 1)
		fz_fail("command %u answered %u times", i, calls[i]);
	if (!error && !ret)
		(void)0;	/* a reply without "return": QEMU's business */
}

static void on_event(void *ctx, const char *name, json_t *data)
{
	qemu_balloon_event(&qb, name, data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct monitor mon;
	struct balloon_dev_config cfg = { .stats_interval_ms = 1000 };
	struct qmp q;
	int sv[2];
	size_t off = 0;
	char err[256];
	struct ctl_ref nobody = { -1, 0 };

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		fz_fail("socketpair");
	memset(calls, 0, sizeof(calls));
	sent = 0;
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		mon.client[i].fd = -1;
	qmp_init(&q, sv[0], on_event, NULL);
	qemu_balloon_start(&qb, &q, &mon, getpid(), 512ULL << 20, &cfg);
	while (off <= size) {
		const uint8_t *p = data + off, *end = memchr(p, 0, size - off);
		size_t n = end ? (size_t)(end - p) : size - off;

		qemu_balloon_tick(&qb);
		qemu_balloon_set(&qb, 4ULL << 20, nobody, err, sizeof(err));
		if (sent < MAX_CMDS &&
		    !qmp_execute(&q, "query-status", NULL, counted, (void *)(uintptr_t)sent))
			sent++;
		/* What QEMU sent so far goes out to the fake QEMU; we discard it. */
		while (recv(sv[1], err, sizeof(err), MSG_DONTWAIT) > 0)
			;
		for (size_t k = 0; k < n && q.fd >= 0;) {
			size_t part = n - k < 4096 ? n - k : 4096;

			if (send(sv[1], p + k, part, 0) != (ssize_t)part)
				fz_fail("send to the client");
			k += part;
			while (q.fd >= 0 && qmp_read(&q) == 0) {
				char c;

				if (recv(q.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
					break;
			}
		}
		off += n + 1;
	}
	qmp_close(&q);
	for (unsigned int i = 0; i < sent; i++)
		if (calls[i] != 1)
			fz_fail("command %u answered %u times", i, calls[i]);
	qemu_balloon_destroy(&qb);
	close(sv[1]);
	return 0;
}
