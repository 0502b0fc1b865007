// SPDX-License-Identifier: MIT
/*
 * The control socket's request path against a hostile client and a
 * hostile guest: JSON lines go through the server's framing
 * (ctl_client_input() on a socketpair) to the dispatcher and the
 * commands (vmm/control/commands.c), which ask the guest over the
 * control channel; the guest's answers (vmm/control/chan.c) come back
 * through /proc parsers (vmm/control/proc.c) into the replies.  The
 * backend is a fake with every operation a KVM VM has: status, balloon
 * set and query, KVM statistics, quit.
 *
 * Input: chunks separated by NUL bytes, alternately what the client
 * sends and what the guest writes on its control channel (e.g.
 * "* ready\n1 | Node 0, zone DMA 1 2 3\n1 = 0\n").  Between chunks the
 * guest "reads" every request line the monitor has for it.
 *
 * Oracle: every reply the client gets is one JSON object with exactly
 * one key, "return" or "error" (an error with a string "class" and
 * "desc"), and every request is answered by the time the VM ends.
 */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vmm/log.h>
#include <vmm/monitor.h>

#include "fuzz_guest_mem.h"

static int quits, balloon_sets;

static void be_quit(void *ctx, int status, const char *why)
{
	quits++;
}

static void be_status(void *ctx, json_t *into)
{
	json_object_set_new(into, "pid", json_integer(getpid()));
}

/* The request line being served (the client's bytes go in a line at a time). */
static char current[MONITOR_REQ_MAX + 2];

/*
 * The target must be what the request said: "value" the guest's size in
 * bytes, or "inflate" the balloon's, as an integer; the backend gets bytes
 * of balloon in whole 4 KiB pages.
 */
static void check_target(uint64_t bytes)
{
	json_t *req = json_loads(current, JSON_REJECT_DUPLICATES, NULL);
	json_t *args = json_object_get(req, "arguments");
	json_t *v = json_object_get(args, "value"), *inf = json_object_get(args, "inflate");
	uint64_t want;

	if (json_is_integer(v) && !inf)
		want = ((512ULL << 20) - (uint64_t)json_integer_value(v)) & ~4095ULL;
	else if (json_is_integer(inf) && !v)
		want = (uint64_t)json_integer_value(inf) & ~4095ULL;
	else
		fz_fail("balloon target of %llu bytes set from an ambiguous request: %.200s",
			(unsigned long long)bytes, current);
	if (bytes != want)
		fz_fail("balloon target of %llu bytes, the request asked for %llu: %.200s",
			(unsigned long long)bytes, (unsigned long long)want, current);
	json_decref(req);
}

static int be_balloon_set(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen)
{
	check_target(bytes);
	if (bytes > (512ULL << 20)) {
		snprintf(err, errlen, "a balloon of %llu bytes is larger than RAM",
			 (unsigned long long)bytes);
		return -1;
	}
	balloon_sets++;
	return 0;
}

static void be_balloon_query(void *ctx, json_t *into)
{
	json_object_set_new(into, "target_bytes", json_integer(0));
}

static json_t *be_kvm_stats(void *ctx)
{
	return json_pack("{s{}s[]}", "vm", "vcpus");
}

static const struct monitor_backend backend = {
	.name = "kvm",
	.console_fd = -1, .chan_fd = -1, .end_fd = -1, .extra_fd = -1,
	.quit = be_quit,
	.status = be_status,
	.balloon_set = be_balloon_set,
	.balloon_query = be_balloon_query,
	.kvm_stats = be_kvm_stats,
};

static struct monitor mon;
static char reply_buf[1 << 20];
static size_t reply_len;

/* Read and check every reply waiting on @fd; returns how many. */
static unsigned int replies(int fd)
{
	char *buf = reply_buf;
	size_t len = reply_len;
	unsigned int n = 0;
	ssize_t r;
	char *line, *nl;

	while ((r = recv(fd, buf + len, sizeof(reply_buf) - 1 - len, MSG_DONTWAIT)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	line = buf;
	while ((nl = strchr(line, '\n'))) {
		json_error_t e;
		json_t *msg, *err;

		*nl = '\0';
		msg = json_loads(line, 0, &e);
		if (!msg || !json_is_object(msg) || json_object_size(msg) != 1)
			fz_fail("reply is not a one-key JSON object: %.200s", line);
		err = json_object_get(msg, "error");
		if (!json_object_get(msg, "return") &&
		    (!err || !json_is_string(json_object_get(err, "class")) ||
		     !json_is_string(json_object_get(err, "desc"))))
			fz_fail("reply is neither a return nor a proper error: %.200s", line);
		json_decref(msg);
		n++;
		line = nl + 1;
	}
	len -= (size_t)(line - buf);
	memmove(buf, line, len);
	reply_len = len;
	return n;
}

/* The guest takes every request line the monitor has for it. */
static void guest_reads(void)
{
	uint8_t buf[CHAN_LINE_MAX + 2];
	size_t n;

	while ((n = chan_output(&mon.chan, buf, sizeof(buf))))
		chan_output_consumed(&mon.chan, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	size_t off = 0;
	unsigned int chunk = 0, lines = 0, answered = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		fz_fail("socketpair");
	/* Not the clients' 64 KiB line buffers: a memset of 1 MiB per input halves the speed. */
	memset(&mon, 0, offsetof(struct monitor, client));
	mon.next_gen = 0;
	mon.to_console_len = mon.to_console_off = 0;
	mon.stdin_open = mon.escape = mon.console_eof = mon.chan_eof = false;
	mon.quit_ns = 0;
	mon.be = &backend;
	mon.name = "fuzz";
	mon.mem_size = 512ULL << 20;
	mon.nr_cpus = 2;
	mon.nr_nodes = 2;
	mon.t_start = mono_ns();
	mon.listen_fd = -1;
	snprintf(mon.sock_path, sizeof(mon.sock_path), "/nonexistent/fuzz.sock");
	chan_init(&mon.chan);
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++) {
		mon.client[i].fd = -1;
		mon.client[i].gen = 0;
		mon.client[i].in_len = 0;
		mon.client[i].console = false;
	}
	mon.client[0].fd = sv[0];
	mon.client[0].gen = 1;
	quits = balloon_sets = 0;
	reply_len = 0;

	while (off < size) {
		const uint8_t *p = data + off, *end = memchr(p, 0, size - off);
		size_t n = end ? (size_t)(end - p) : size - off;

		if (chunk++ % 2 == 0) {
			/* The client's bytes, through the server's framing. */
			for (size_t i = 0; i < n; i++)
				lines += p[i] == '\n';
			/* A line at a time (in pieces the server reads whole), so the oracle knows it. */
			for (size_t k = 0; k < n && mon.client[0].fd >= 0;) {
				const uint8_t *nl = memchr(p + k, '\n', n - k);
				size_t part = nl ? (size_t)(nl - (p + k)) + 1 : n - k;

				if (part > 4096)
					part = 4096;
				if (mon.client[0].in_len == 0)
					current[0] = '\0';
				strncat(current, (const char *)p + k,
					part < sizeof(current) - 1 - strlen(current) ?
					part : sizeof(current) - 1 - strlen(current));
				if (send(sv[1], p + k, part, 0) != (ssize_t)part)
					fz_fail("send to the server");
				k += part;
				ctl_client_input(&mon, 0);
				answered += replies(sv[1]);
			}
		} else {
			chan_input(&mon.chan, p, n);
			answered += replies(sv[1]);
		}
		guest_reads();
		off += n + 1;
	}
	/* The VM ends: whatever waits for the guest is answered now. */
	chan_destroy(&mon.chan);
	answered += replies(sv[1]);
	if (mon.client[0].fd >= 0 && !mon.client[0].console && answered > lines)
		fz_fail("%u replies to at most %u requests", answered, lines);
	if (mon.client[0].fd >= 0)
		ctl_client_close(&mon, 0);
	close(sv[1]);
	return 0;
}
