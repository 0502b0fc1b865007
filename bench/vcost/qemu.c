// SPDX-License-Identifier: MIT
/*
 * `vcost qemu`: the guest under ebb's QEMU backend, as a user gets it:
 * `ebb run --accel qemu --kernel GUEST --cmdline ...`, whose stdout is
 * the guest's console.  There are no statistics here: TCG has no exits
 * to count.  Under TCG the guest's rdtsc reads the host's TSC, so its
 * cycles become time at the host's TSC rate, measured first.  A VM that
 * ends before its last op gets a record saying why, and a new one starts
 * at the next op, as on KVM.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "vcost.h"

#define KILL_GRACE_MS	5000

/* One ebb process, from its first op to its end. */
struct qsession {
	pid_t pid;
	int fd;				/* its stdout: the guest's console */
	char err_path[64];		/* its stderr, shown when it fails */
	uint64_t tsc_khz;
	char buf[4096];
	size_t len;
	int cur_op;
	char cur_name[VCOST_NAME_MAX];
	unsigned int nr_ops;
	bool done;
	char why[VCOST_STATUS_MAX];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int spawn(struct qsession *q, const struct vcost_opts *o, unsigned int from)
{
	char cmdline[256], name[32], mem[16];
	int p[2], err_fd;

	snprintf(cmdline, sizeof(cmdline), VCOST_KEY_FROM "%u " VCOST_KEY_TSC_KHZ "%" PRIu64 " "
		 VCOST_KEY_TARGET_US "%u " VCOST_KEY_REPS "%u", from, q->tsc_khz, o->target_us,
		 o->reps);
	/* A name of its own: other VMs of this user may be running. */
	snprintf(name, sizeof(name), "vcost-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%lluM", VCOST_MEM >> 20);
	snprintf(q->err_path, sizeof(q->err_path), "/tmp/vcost-ebb.XXXXXX");
	err_fd = mkstemp(q->err_path);
	if (err_fd < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC)) {
		close(err_fd);
		return -1;
	}
	q->pid = fork();
	if (q->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(127);
		execl(o->ebb, o->ebb, "run", "--accel", "qemu", "--name", name, "--mem", mem,
		      "--kernel", o->guest, "--cmdline", cmdline, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", o->ebb, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	close(err_fd);
	if (q->pid < 0) {
		close(p[0]);
		return -1;
	}
	q->fd = p[0];
	return 0;
}

static void guest_line(struct qsession *q, const char *line)
{
	static struct vcost_rec r;
	struct vcost_msg m;

	if (vcost_msg_parse(line, &m)) {
		if (line[0])
			fprintf(stderr, "vcost qemu: guest: %s\n", line);
		return;
	}
	switch (m.type) {
	case VCOST_MSG_HELLO:
		q->nr_ops = (unsigned int)m.nr_ops;
		break;
	case VCOST_MSG_OP:
		q->cur_op = (int)m.op;
		snprintf(q->cur_name, sizeof(q->cur_name), "%s", m.name);
		break;
	case VCOST_MSG_RUN:
		vcost_rec_from_run(&r, "qemu", &m, q->tsc_khz);
		vcost_rec_print(stdout, &r);
		fflush(stdout);
		if (!r.status[0])
			fprintf(stderr, "vcost qemu: %-12s run %u: %10.1f ns/op over %" PRIu64 "\n",
				r.name, r.rep, r.ns, r.n);
		break;
	case VCOST_MSG_FAULT:
		snprintf(q->why, sizeof(q->why), "guest exception: vector %" PRIu64 ", error code %"
			 PRIu64 ", rip %#" PRIx64 ", cr2 %#" PRIx64, m.vec, m.err, m.rip, m.cr2);
		break;
	case VCOST_MSG_DONE:
		q->done = true;
		break;
	}
}

/* Read the console until ebb closes it, or until it stops making progress. */
static void session_read(struct qsession *q)
{
	uint64_t progress = now_ms();

	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		ssize_t n;
		char *nl;

		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			break;
		if (!p.revents) {
			if (now_ms() - progress <= VCOST_HANG_S * 1000ULL)
				continue;
			snprintf(q->why, sizeof(q->why), "no progress for %d s: the VM was stopped",
				 VCOST_HANG_S);
			break;
		}
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n <= 0)
			break;
		progress = now_ms();
		q->len += (size_t)n;
		q->buf[q->len] = '\0';
		while ((nl = strchr(q->buf, '\n')) || q->len == sizeof(q->buf) - 1) {
			size_t used = nl ? (size_t)(nl - q->buf) + 1 : q->len;

			if (nl)
				*nl = '\0';
			guest_line(q, q->buf);
			memmove(q->buf, q->buf + used, q->len - used + 1);
			q->len -= used;
		}
	}
}

/* The last line ebb wrote to stderr: why QEMU or ebb gave up. */
static void last_err_line(const char *path, char *out, size_t len)
{
	char line[256];
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, len, "%.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
}

/* ebb's end; a hung one is stopped (ebb ends QEMU on SIGTERM), then killed. */
static int session_end(struct qsession *q, bool stop)
{
	uint64_t deadline = now_ms() + KILL_GRACE_MS;
	int st = 0;

	close(q->fd);
	if (stop)
		kill(q->pid, SIGTERM);
	while (waitpid(q->pid, &st, stop ? WNOHANG : 0) == 0) {
		struct timespec nap = { .tv_nsec = 50000000 };

		if (now_ms() > deadline) {
			kill(q->pid, SIGKILL);
			stop = false;
		}
		nanosleep(&nap, NULL);
	}
	return st;
}

int vcost_qemu(const struct vcost_opts *o)
{
	struct qsession q;
	uint64_t khz = vcost_host_tsc_khz();
	unsigned int from = 1, nr_ops = 0;
	char last[200];

	if (!khz) {
		fprintf(stderr, "vcost qemu: cannot measure the host's TSC rate\n");
		return 1;
	}
	printf(VCOST_INFO_PREFIX "qemu tsc_khz=%" PRIu64 " tsc_source=host qemu=%s\n", khz,
	       getenv("EBB_QEMU") ?: "qemu-system-x86_64");
	fflush(stdout);
	for (;;) {
		int st;

		memset(&q, 0, sizeof(q));
		q.cur_op = -1;
		q.tsc_khz = khz;
		if (spawn(&q, o, from)) {
			fprintf(stderr, "vcost qemu: cannot start %s: %s\n", o->ebb, strerror(errno));
			return 1;
		}
		session_read(&q);
		st = session_end(&q, !!q.why[0]);
		last_err_line(q.err_path, last, sizeof(last));
		unlink(q.err_path);
		if (q.nr_ops)
			nr_ops = q.nr_ops;
		if (q.done && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			return 0;
		if (!q.why[0])
			snprintf(q.why, sizeof(q.why), "the VM ended: %s",
				 last[0] ? last : "ebb said nothing");
		if (q.cur_op < (int)from) {
			fprintf(stderr, "vcost qemu: the guest did not get through its set-up: %s\n",
				q.why);
			return 1;
		}
		vcost_rec_failed("qemu", (unsigned int)q.cur_op, q.cur_name, q.why);
		from = (unsigned int)q.cur_op + 1;
		if (from >= nr_ops)
			return 0;
	}
}
