// SPDX-License-Identifier: MIT
/*
 * The ebb commands that are control-socket clients (include/vmm/cli.h):
 * list, stat, exec, ctl, stop, console, balloon.  Each connects to the VM's
 * socket, sends one JSON line and reads one back; `console` then stays
 * and copies bytes both ways.  Exit statuses never depend on message
 * wording: 2 means no such VM, 3 the VM said no, 4 the connection failed.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include <vmm/cli.h>
#include <vmm/control/client.h>
#include <vmm/control/proc.h>
#include <vmm/control/runtime.h>
#include <vmm/kvm_stats.h>
#include <vmm/log.h>
#include <vmm/monitor.h>
#include <vmm/vm.h>

#define CTRL_A			0x01
/* Beyond the VM's own wait for the guest (60 s unless a request says otherwise). */
#define CLI_TIMEOUT_MS		90000
#define CLI_GRACE_MS		30000

const char cli_list_usage[] =
"Usage: ebb list [--json]\n"
"\n"
"List the running VMs (their control sockets in the runtime directory:\n"
"$EBB_RUNTIME_DIR, else $XDG_RUNTIME_DIR/ebb, else /run/ebb or /tmp/ebb-$UID).\n"
"FLAVOUR is the kind of KVM that runs the VM (hardware, pvm, interpreted,\n"
"unknown: docs/kvm-flavours.md), or tcg for a VM under QEMU, with the host\n"
"KVM's flavour when it has one (tcg/pvm: QEMU because that KVM would\n"
"interpret the guest).\n";

const char cli_stat_usage[] =
"Usage: ebb stat NAME [VIEW] [--json]\n"
"\n"
"Print a memory view of VM NAME exactly as the guest prints it, or with\n"
"--json as structured data.  VIEW is buddyinfo (default), pagetypeinfo,\n"
"zoneinfo, vmstat, meminfo or slabinfo.  Without VIEW, --json gives\n"
"buddyinfo, vmstat, zoneinfo and meminfo together.\n"
"\n"
"VIEW kvm shows KVM's own statistics of the VM instead (KVM_GET_STATS_FD:\n"
"whatever the host's KVM counts, for the VM and for each vCPU), grouped by\n"
"name into exits by reason, guest page faults, shadow MMU and TLB,\n"
"instruction emulation, halts, interrupt injections and other.  Each row\n"
"has the total over the vCPUs and the first 8 vCPUs' values; times and\n"
"sizes in units, histograms as their count (n=) and non-zero buckets.\n"
"--json gives every statistic with its type, unit, base and exponent\n"
"(query-kvm-stats).  A VM under the QEMU backend has none (exit status 3).\n";

const char cli_console_usage[] =
"Usage: ebb console NAME\n"
"\n"
"Attach this terminal to VM NAME's console.  Ctrl-A x detaches (the VM\n"
"keeps running); Ctrl-A Ctrl-A sends Ctrl-A.\n";

const char cli_stop_usage[] =
"Usage: ebb stop NAME\n"
"\n"
"Stop VM NAME and wait until it has ended.  Its `ebb run` exits with 0.\n";

const char cli_exec_usage[] =
"Usage: ebb exec [--timeout SECONDS] NAME COMMAND...\n"
"\n"
"Run a guest shell command through VM NAME's control channel and print\n"
"its output.  Exit status 0 if the command succeeded, 3 if it failed.\n"
"The VM waits 60 s for the guest to answer unless --timeout says otherwise\n"
"(a foreground workload: `ebb exec --timeout 600 vm1 run anon 1G random`).\n";

const char cli_ctl_usage[] =
"Usage: ebb ctl NAME JSON\n"
"\n"
"Send one raw line to VM NAME's control socket and print the answer, e.g.\n"
"  ebb ctl vm1 '{\"execute\": \"query-status\"}'\n"
"Exit status 0 for {\"return\": ...}, 3 for {\"error\": ...}.\n";

const char cli_balloon_usage[] =
"Usage: ebb balloon NAME [SIZE | --inflate SIZE] [--json]\n"
"\n"
"With SIZE, set the size VM NAME's guest should have (like QEMU's balloon\n"
"command: the balloon takes the rest of its RAM); with --inflate SIZE, the\n"
"balloon's own size.  Without, print the target, the size the guest reached,\n"
"what the device did, and the guest's statistics (the last inflation's\n"
"accounting among them).  The VM must run with --balloon.\n";

/* Connect to @name; prints why not.  fd or -1. */
static int connect_vm(const char *name)
{
	char err[RUNTIME_PATH_MAX + 128];
	int fd = control_client_connect(name, err, sizeof(err));

	if (fd < 0)
		vmm_log("%s", err);
	return fd;
}

/* control_client_roundtrip(), saying why it failed. */
static char *roundtrip(int fd, const char *line, int wait_ms)
{
	char err[256];
	char *ans = control_client_roundtrip(fd, line, wait_ms, err, sizeof(err));

	if (!ans)
		vmm_log("%s", err);
	return ans;
}

/* One command to VM @name.  The reply object (caller decrefs) or NULL with *st set. */
static json_t *call(const char *name, json_t *req, int wait_ms, int *st)
{
	enum control_client_fail fail;
	char err[RUNTIME_PATH_MAX + 128];
	json_t *reply = control_client_request(name, req, wait_ms, &fail, err, sizeof(err));

	if (!reply) {
		vmm_log("%s", err);
		*st = fail == CONTROL_CLIENT_NO_VM ? EBB_CLI_NO_VM : EBB_CLI_BROKEN;
		return NULL;
	}
	if (!json_object_get(reply, "return")) {
		vmm_log("%s: %s", name, control_client_error(reply));
		json_decref(reply);
		*st = EBB_CLI_FAILED;
		return NULL;
	}
	return reply;
}

static bool want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

#define HELP_OR_USAGE(usage, cond)					\
	do {								\
		if (want_help(argc, argv)) {				\
			fputs(usage, stdout);				\
			return EBB_CLI_OK;				\
		}							\
		if (cond) {						\
			fputs(usage, stderr);				\
			return EBB_CLI_USAGE;				\
		}							\
	} while (0)

/*
 * The FLAVOUR column: the kind of KVM that runs a KVM VM ("hardware",
 * "pvm" ...); for a QEMU VM, "tcg", with the host KVM's flavour beside it
 * when there is one ("tcg/pvm": QEMU because that KVM would interpret).
 */
static const char *list_flavour(json_t *status)
{
	static char buf[32];
	json_t *kvm = json_object_get(status, "kvm");
	const char *f = json_string_value(json_object_get(kvm, "flavour"));
	const char *backend = json_string_value(json_object_get(status, "backend"));

	if (backend && !strcmp(backend, "qemu")) {
		snprintf(buf, sizeof(buf), "tcg%s%s", f && strcmp(f, "none") ? "/" : "",
			 f && strcmp(f, "none") ? f : "");
		return buf;
	}
	return f ? f : "-";
}

int cli_list(int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	char dir[RUNTIME_PATH_MAX];
	json_t *all = json_array();
	struct dirent **ent = NULL;
	int nent;

	HELP_OR_USAGE(cli_list_usage, argc > 2 || (argc == 2 && !json));
	if (runtime_dir(dir, sizeof(dir)))
		return EBB_CLI_USAGE;
	nent = scandir(dir, &ent, NULL, alphasort);
	for (int i = 0; i < nent; i++) {
		char name[256], err[256];
		size_t n = strlen(ent[i]->d_name);
		char *ans;
		json_t *r;
		int fd;

		if (n > 5 && n < sizeof(name) && !strcmp(ent[i]->d_name + n - 5, ".sock")) {
			memcpy(name, ent[i]->d_name, n - 5);
			name[n - 5] = '\0';
			fd = runtime_connect(name);
			if (fd >= 0) {	/* else stale: its VM is gone */
				ans = control_client_roundtrip(fd, "{\"execute\":\"query-status\"}",
							       CLI_TIMEOUT_MS, err, sizeof(err));
				r = ans ? json_loads(ans, 0, NULL) : NULL;
				if (r && json_object_get(r, "return"))
					json_array_append(all, json_object_get(r, "return"));
				json_decref(r);
				free(ans);
				close(fd);
			}
		}
		free(ent[i]);
	}
	free(ent);
	if (json) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		size_t i;
		json_t *v;

		printf("%-20s %-7s %-11s %8s %7s %5s %9s %s\n", "NAME", "BACKEND", "FLAVOUR", "PID",
		       "MEM", "CPUS", "UPTIME", "CONTROL");
		json_array_foreach(all, i, v)
			printf("%-20s %-7s %-11s %8lld %6lldM %5lld %8.0fs %s\n",
			       json_string_value(json_object_get(v, "name")),
			       json_string_value(json_object_get(v, "backend")),
			       list_flavour(v),
			       (long long)json_integer_value(json_object_get(v, "pid")),
			       (long long)json_integer_value(json_object_get(v, "mem_bytes")) >> 20,
			       (long long)json_integer_value(json_object_get(v, "cpus")),
			       json_real_value(json_object_get(v, "uptime_s")),
			       json_is_true(json_object_get(v, "control_channel_ready")) ?
			       "ready" : "waiting for the guest");
	}
	json_decref(all);
	return EBB_CLI_OK;
}

/* ebb stat NAME kvm: KVM's statistics of the VM (query-kvm-stats). */
static int stat_kvm(const char *name, bool json)
{
	json_t *r, *ret;
	int st;

	r = call(name, json_pack("{ss}", "execute", "query-kvm-stats"), CLI_TIMEOUT_MS, &st);
	if (!r)
		return st;
	ret = json_object_get(r, "return");
	if (json) {
		json_dumpf(ret, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		kvm_stats_print(stdout, name, ret);
	}
	json_decref(r);
	return EBB_CLI_OK;
}

int cli_stat(int argc, char **argv)
{
	const char *name = NULL, *view = NULL;
	bool json = false;
	json_t *args, *r;
	int st;

	HELP_OR_USAGE(cli_stat_usage, argc < 2);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!name)
			name = argv[i];
		else if (!view)
			view = argv[i];
		else
			HELP_OR_USAGE(cli_stat_usage, true);
	}
	if (!name)
		HELP_OR_USAGE(cli_stat_usage, true);
	if (view && !strcmp(view, "kvm"))
		return stat_kvm(name, json);
	if (view && !proc_view_valid(view)) {
		vmm_log("unknown view \"%s\" (see ebb stat --help)", view);
		return EBB_CLI_USAGE;
	}
	if (!view && !json)
		view = "buddyinfo";
	args = view ? json_pack("{ss}", "view", view) : json_object();
	r = call(name, json_pack("{ss so}", "execute", "query-memory", "arguments", args),
		 CLI_TIMEOUT_MS, &st);
	if (!r)
		return st;
	if (json) {
		json_t *ret = json_object_get(r, "return");

		json_dumpf(view ? json_object_get(ret, "data") : ret, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		/* Exactly the guest's text, byte for byte. */
		fputs(json_string_value(json_object_get(json_object_get(r, "return"), "text")), stdout);
	}
	json_decref(r);
	return EBB_CLI_OK;
}

int cli_exec(int argc, char **argv)
{
	char cmd[CHAN_LINE_MAX + 1] = "";
	size_t len = 0;
	long timeout = 0;
	int first = 1, st;
	json_t *r, *ret, *args;

	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		char *end;

		timeout = strtol(argv[2], &end, 10);
		if (*end || timeout < 1 || timeout > MONITOR_MAX_TIMEOUT_S) {
			vmm_log("--timeout %s: whole seconds, 1 to %d", argv[2], MONITOR_MAX_TIMEOUT_S);
			return EBB_CLI_USAGE;
		}
		first = 3;
	}
	HELP_OR_USAGE(cli_exec_usage, argc < first + 2);
	for (int i = first + 1; i < argc; i++) {
		int n = snprintf(cmd + len, sizeof(cmd) - len, "%s%s", i > first + 1 ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(cmd) - len) {
			vmm_log("the command is longer than %d bytes", CHAN_LINE_MAX);
			return EBB_CLI_USAGE;
		}
		len += (size_t)n;
	}
	args = json_pack("{ss}", "command", cmd);
	if (timeout)
		json_object_set_new(args, "timeout", json_integer(timeout));
	r = call(argv[first], json_pack("{ss so}", "execute", "guest-exec", "arguments", args),
		 timeout ? (int)timeout * 1000 + CLI_GRACE_MS : CLI_TIMEOUT_MS, &st);
	if (!r)
		return st;
	ret = json_object_get(r, "return");
	fputs(json_string_value(json_object_get(ret, "output")), stdout);
	st = json_integer_value(json_object_get(ret, "status")) ? EBB_CLI_FAILED : EBB_CLI_OK;
	json_decref(r);
	return st;
}

int cli_ctl(int argc, char **argv)
{
	char *ans;
	json_t *r;
	int fd, st;

	HELP_OR_USAGE(cli_ctl_usage, argc != 3);
	fd = connect_vm(argv[1]);
	if (fd < 0)
		return EBB_CLI_NO_VM;
	ans = roundtrip(fd, argv[2], CLI_TIMEOUT_MS);
	close(fd);
	if (!ans)
		return EBB_CLI_BROKEN;
	puts(ans);
	r = json_loads(ans, 0, NULL);
	st = r && json_object_get(r, "return") ? EBB_CLI_OK : EBB_CLI_FAILED;
	json_decref(r);
	free(ans);
	return st;
}

int cli_stop(int argc, char **argv)
{
	char buf[256];
	char *ans;
	int fd;

	HELP_OR_USAGE(cli_stop_usage, argc != 2);
	fd = connect_vm(argv[1]);
	if (fd < 0)
		return EBB_CLI_NO_VM;
	ans = roundtrip(fd, "{\"execute\":\"quit\"}", CLI_TIMEOUT_MS);
	if (!ans) {
		close(fd);
		return EBB_CLI_BROKEN;
	}
	free(ans);
	/* The VM closes every control connection as it ends: wait for that. */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, CLI_TIMEOUT_MS) <= 0) {
			vmm_log("%s did not end within %d s", argv[1], CLI_TIMEOUT_MS / 1000);
			close(fd);
			return EBB_CLI_BROKEN;
		}
		if (recv(fd, buf, sizeof(buf), 0) <= 0)
			break;
	}
	close(fd);
	return EBB_CLI_OK;
}

int cli_console(int argc, char **argv)
{
	char *ans;
	bool escape = false;
	int fd;

	HELP_OR_USAGE(cli_console_usage, argc != 2);
	fd = connect_vm(argv[1]);
	if (fd < 0)
		return EBB_CLI_NO_VM;
	ans = roundtrip(fd, "{\"execute\":\"console\"}", CLI_TIMEOUT_MS);
	if (!ans || strncmp(ans, "{\"return\"", 9)) {
		vmm_log("%s refused the console: %s", argv[1], ans ? ans : "no answer");
		free(ans);
		close(fd);
		return ans ? EBB_CLI_FAILED : EBB_CLI_BROKEN;
	}
	free(ans);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "ebb: console of %s; Ctrl-A x detaches\r\n", argv[1]);
	term_raw_enter();
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};
		uint8_t buf[4096];
		ssize_t n;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0) {
				term_raw_leave();
				fprintf(stderr, "\r\nebb: %s ended\n", argv[1]);
				break;
			}
			if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if (p[1].revents) {
			size_t w = 0;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				p[1].fd = -1;
				break;	/* end of input: detach */
			}
			for (ssize_t i = 0; i < n; i++) {
				if (escape) {
					escape = false;
					if (buf[i] == 'x' || buf[i] == 'X')
						goto detach;
					if (buf[i] != CTRL_A)
						continue;
				} else if (buf[i] == CTRL_A && isatty(STDIN_FILENO)) {
					escape = true;
					continue;
				}
				buf[w++] = buf[i];
			}
			if (w && send(fd, buf, w, MSG_NOSIGNAL) < 0)
				break;
		}
	}
	close(fd);
	term_raw_leave();
	return EBB_CLI_OK;
detach:
	term_raw_leave();
	fprintf(stderr, "\r\nebb: detached from %s (it keeps running)\n", argv[1]);
	close(fd);
	return EBB_CLI_OK;
}

int cli_balloon(int argc, char **argv)
{
	bool json = argc > 2 && !strcmp(argv[argc - 1], "--json");
	bool inflate = argc > 3 && !strcmp(argv[2], "--inflate");
	int nargs = argc - json;
	const char *key, *k;
	uint64_t size;
	json_t *r, *v;
	int st;

	HELP_OR_USAGE(cli_balloon_usage, nargs < 2 || nargs > 4 || (nargs == 4 && !inflate) ||
					 (nargs == 3 && argv[2][0] == '-'));
	if (nargs > 2) {
		if (parse_size(argv[nargs - 1], &size)) {
			vmm_log("%s: not a size (e.g. 256M)", argv[nargs - 1]);
			return EBB_CLI_USAGE;
		}
		r = call(argv[1], json_pack("{ss s{sI}}", "execute", "balloon", "arguments",
					    inflate ? "inflate" : "value", (json_int_t)size),
			 CLI_TIMEOUT_MS, &st);
		json_decref(r);
		return r ? EBB_CLI_OK : st;
	}
	r = call(argv[1], json_pack("{ss}", "execute", "query-balloon"), CLI_TIMEOUT_MS, &st);
	if (!r)
		return st;
	if (json) {
		json_dumpf(json_object_get(r, "return"), stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		json_t *ret = json_object_get(r, "return");

		json_object_foreach(ret, key, v) {
			json_t *w;

			if (json_is_object(v)) {
				printf("%s:\n", key);
				json_object_foreach(v, k, w)
					printf("  %-22s %lld\n", k, (long long)json_integer_value(w));
			} else {
				printf("%-24s %lld\n", key, (long long)json_integer_value(v));
			}
		}
	}
	json_decref(r);
	return EBB_CLI_OK;
}
