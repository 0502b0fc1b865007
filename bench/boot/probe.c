// SPDX-License-Identifier: MIT
/*
 * boot-probe: time a VMM from exec to a marker on its console.
 *
 *   boot-probe [--runs N] [--until STR] [--send STR] [--timeout SEC] -- CMD ARGS...
 *
 * For each run: note CLOCK_MONOTONIC, fork and exec CMD with pipes on its
 * stdin, stdout and stderr, and note when STR first appears on stdout (then
 * write --send's text, with \n unescaped, to its stdin).  Reports one line
 * per run and the medians, as key=value words for bench/boot.sh:
 *   run=I status=S marker_us=T exit_us=T [first_exit_us=T overhead_kib=K guest_kib=K]
 * The bracketed fields come from an "ebb-stats:" line on CMD's stderr
 * (ebb run --stats); first_exit_us is exec to the guest's first exit to the
 * VMM (its first instruction is a port write).  Static, so it runs in the
 * nested harness's initramfs.  Exit status 0 when every run saw the marker.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS	64

struct result {
	int status;
	double marker_us, exit_us, first_exit_us;
	long overhead_kib, guest_kib;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t stat_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static int run_once(char **cmd, const char *until, const char *send, int timeout_s,
		    struct result *r)
{
	int in[2], out[2], err[2];
	static char obuf[1 << 16], ebuf[1 << 16];
	size_t olen = 0, elen = 0;
	uint64_t t0, deadline;
	pid_t pid;
	int open_fds = 2, st;
	char *line;

	memset(r, 0, sizeof(*r));
	r->marker_us = -1;
	r->overhead_kib = r->guest_kib = -1;
	r->first_exit_us = -1;
	if (pipe(in) || pipe(out) || pipe(err))
		return -1;
	t0 = now_ns();
	deadline = t0 + (uint64_t)timeout_s * 1000000000ULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	while (open_fds) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
		uint64_t t = now_ns();
		int n;

		if (t >= deadline) {
			kill(pid, SIGKILL);
			break;
		}
		n = poll(p, 2, (int)((deadline - t) / 1000000) + 1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? ebuf : obuf;
			size_t *len = i ? &elen : &olen;
			ssize_t got;

			if (!(p[i].revents & (POLLIN | POLLHUP)) || p[i].fd < 0)
				continue;
			got = read(p[i].fd, buf + *len, sizeof(obuf) - 1 - *len);
			if (got <= 0) {
				close(i ? err[0] : out[0]);
				if (i)
					err[0] = -1;
				else
					out[0] = -1;
				open_fds--;
				continue;
			}
			*len += (size_t)got;
			buf[*len] = '\0';
			if (!i && r->marker_us < 0 && strstr(obuf, until)) {
				r->marker_us = (double)(now_ns() - t0) / 1000.0;
				if (send && write(in[1], send, strlen(send)) < 0)
					perror("boot-probe: write");
			}
			if (*len >= sizeof(obuf) - 1)
				*len = 0;	/* only the marker and the stats line matter */
		}
		if (out[0] < 0 && err[0] < 0)
			break;
	}
	close(in[1]);
	waitpid(pid, &st, 0);
	r->exit_us = (double)(now_ns() - t0) / 1000.0;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	line = strstr(ebuf, "ebb-stats:");
	if (line) {
		uint64_t fe = stat_field(line, "first_exit_mono_ns=");

		if (fe > t0)
			r->first_exit_us = (double)(fe - t0) / 1000.0;
		r->overhead_kib = (long)stat_field(line, "vmm_overhead_kib=");
		r->guest_kib = (long)stat_field(line, "guest_resident_kib=");
	}
	if (r->marker_us < 0) {
		fprintf(stderr, "boot-probe: marker \"%s\" not seen; stdout:\n%s\nstderr:\n%s\n",
			until, obuf, ebuf);
		return 1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : -1;
}

int main(int argc, char **argv)
{
	static struct result res[MAX_RUNS];
	double v[MAX_RUNS];
	const char *until = "hello";
	char *send = NULL;
	int runs = 10, timeout_s = 60, i, bad = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--until") && i + 1 < argc)
			until = argv[++i];
		else if (!strcmp(argv[i], "--send") && i + 1 < argc)
			send = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "usage: boot-probe [--runs N] [--until STR] [--send STR] "
					"[--timeout SEC] -- CMD ARGS...\n");
			return 2;
		}
	}
	if (i >= argc || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "boot-probe: need a command, and 1..%d runs\n", MAX_RUNS);
		return 2;
	}
	if (send)
		unescape(send);
	signal(SIGPIPE, SIG_IGN);
	for (int r = 0; r < runs; r++) {
		bad |= run_once(argv + i, until, send, timeout_s, &res[r]) != 0;
		printf("run=%d status=%d marker_us=%.1f exit_us=%.1f first_exit_us=%.1f "
		       "overhead_kib=%ld guest_kib=%ld\n", r, res[r].status, res[r].marker_us,
		       res[r].exit_us, res[r].first_exit_us, res[r].overhead_kib, res[r].guest_kib);
	}
#define MED(field) ({ for (int r = 0; r < runs; r++) v[r] = (double)res[r].field; median(v, runs); })
	printf("median runs=%d marker_us=%.1f exit_us=%.1f first_exit_us=%.1f overhead_kib=%.0f "
	       "guest_kib=%.0f\n", runs, MED(marker_us), MED(exit_us), MED(first_exit_us),
	       MED(overhead_kib), MED(guest_kib));
	return bad;
}
