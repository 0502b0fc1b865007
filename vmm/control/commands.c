// SPDX-License-Identifier: MIT
/*
 * Control socket commands, in the spirit of QMP:
 *
 *   {"execute": "query-status"}
 *   {"execute": "query-memory", "arguments": {"view": "buddyinfo"}}
 *   {"execute": "workload-start", "arguments": {"workload": "anon 64M seq"}}
 *   {"execute": "workload-stop", "arguments": {"job": 1}}
 *   {"execute": "guest-exec", "arguments": {"command": "cat /proc/vmstat"}}
 *                                 ("timeout": seconds, here and for workloads)
 *   {"execute": "balloon", "arguments": {"value": BYTES}}   guest size, as QMP's;
 *                                 or {"inflate": BYTES}: the balloon's own size
 *   {"execute": "query-balloon"}
 *   {"execute": "query-kvm-stats"}  KVM's own statistics of the VM and its vCPUs
 *   {"execute": "inject", "arguments": {"fault": "swap-read:eio:times=2"}}
 *                                 arm a fault point (docs/fault-injection.md)
 *   {"execute": "console"}        the connection becomes the guest console
 *   {"execute": "quit"}
 *
 * Answers are {"return": ...} or {"error": {"class", "desc"}}.  Commands
 * that need the guest go through the control channel and answer when the
 * guest does (or after MONITOR_GUEST_TIMEOUT_NS); several may be in flight.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <balloon/balloon.h>

#include <vmm/control/proc.h>
#include <vmm/fault_inject.h>
#include <vmm/kvm_flavour.h>
#include <vmm/log.h>
#include <vmm/monitor.h>

/* Views query-memory gathers when no view is named. */
static const char *const memory_views[] = { "buddyinfo", "vmstat", "zoneinfo", "meminfo", NULL };

/* A request waiting for the guest: one or more control-channel commands. */
struct ctl_op {
	struct monitor *m;
	struct ctl_ref who;
	void (*finish)(struct ctl_op *op);
	json_t *result;		/* built as answers arrive */
	unsigned int pending;
	char error[512];	/* set: answer with this GuestError instead */
	const char *view;	/* query-memory with one view */
	uint64_t timeout_ns;	/* for each guest command */
};

/* One guest command of an op, and where its answer goes in op->result. */
struct op_part {
	struct ctl_op *op;
	const char *key;	/* a view name, or "exec" */
};

static void op_done(void *ctx, uint64_t id, int status, const char *out, size_t len);

static void chan_failure(char *buf, size_t len, int status, uint64_t timeout_ns)
{
	switch (-status) {
	case ETIMEDOUT:
		snprintf(buf, len, "the guest did not answer on its control channel in %llu s "
			 "(is it up? its channel says \"* ready\" on COM2 when it is); the VM "
			 "goes on", (unsigned long long)(timeout_ns / 1000000000ULL));
		break;
	case ECANCELED:
		snprintf(buf, len, "the VM ended before the guest answered");
		break;
	default:
		snprintf(buf, len, "control channel failure");
	}
}

/* Send guest command @cmd for @op under @key.  false if it could not be queued. */
static bool op_submit(struct ctl_op *op, const char *cmd, const char *key)
{
	struct monitor *m = op->m;
	struct op_part *part = malloc(sizeof(*part));

	if (!part)
		return false;
	part->op = op;
	part->key = key;
	if (!chan_submit(&m->chan, cmd, op->timeout_ns, op_done, part)) {
		free(part);
		return false;
	}
	op->pending++;
	return true;
}

static void op_done(void *ctx, uint64_t id, int status, const char *out, size_t len)
{
	struct op_part *part = ctx;
	struct ctl_op *op = part->op;

	(void)id;
	(void)len;
	if (status < 0) {
		chan_failure(op->error, sizeof(op->error), status, op->timeout_ns);
	} else if (op->view || !strcmp(part->key, "exec")) {
		json_object_set_new(op->result, "status", json_integer(status));
		json_object_set_new(op->result, "output", json_string(out));
		if (op->view && status != 0)
			snprintf(op->error, sizeof(op->error), "the guest could not show %s "
				 "(status %d): %.400s", op->view, status, out);
	} else if (status == 0) {
		json_t *data = proc_parse(part->key, out);

		json_object_set_new(op->result, part->key, data ? data : json_null());
	} else {
		json_object_set_new(op->result, part->key,
				    json_pack("{si ss}", "status", status, "error", out));
	}
	free(part);
	if (--op->pending)
		return;
	op->finish(op);
	json_decref(op->result);
	free(op);
}

static void finish_plain(struct ctl_op *op)
{
	if (op->error[0])
		ctl_error(op->m, op->who, "GuestError", "%s", op->error);
	else
		ctl_reply(op->m, op->who, json_incref(op->result));
}

static void finish_view(struct ctl_op *op)
{
	const char *text = json_string_value(json_object_get(op->result, "output"));

	if (op->error[0] || !text) {
		ctl_error(op->m, op->who, "GuestError", "%s", op->error);
		return;
	}
	ctl_reply(op->m, op->who, json_pack("{ss ss so}", "view", op->view, "text", text,
					    "data", proc_parse(op->view, text)));
}

static struct ctl_op *op_new(struct monitor *m, struct ctl_ref who, void (*finish)(struct ctl_op *))
{
	struct ctl_op *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->m = m;
	op->who = who;
	op->finish = finish;
	op->result = json_object();
	op->timeout_ns = MONITOR_GUEST_TIMEOUT_NS;
	return op;
}

/* Queue the op's commands; on failure answer now.  @cmds/@keys NULL-terminated. */
static void op_start(struct ctl_op *op, const char *const *cmds, const char *const *keys)
{
	for (unsigned int i = 0; cmds[i]; i++)
		if (!op_submit(op, cmds[i], keys[i])) {
			snprintf(op->error, sizeof(op->error),
				 "cannot queue \"%s\" for the guest (too many requests in flight, "
				 "or not a single line of at most %d bytes)", cmds[i], CHAN_LINE_MAX);
			break;
		}
	if (op->pending)
		return;		/* op_done finishes it */
	op->finish(op);
	json_decref(op->result);
	free(op);
}

static void cmd_query_status(struct monitor *m, struct ctl_ref who, json_t *args)
{
	json_t *r = json_pack("{ss ss ss ss sI si si sf sb sI}",
			      "name", m->name, "backend", m->be->name, "state", "running",
			      "socket", m->sock_path, "mem_bytes", (json_int_t)m->mem_size,
			      "cpus", (int)m->nr_cpus, "nodes", (int)m->nr_nodes,
			      "uptime_s", (double)(mono_ns() - m->t_start) / 1e9,
			      "control_channel_ready", m->chan.ready,
			      "control_channel_garbage", (json_int_t)m->chan.garbage);

	json_object_set_new(r, "swap", m->swap ? json_string(m->swap) : json_null());
	json_object_set_new(r, "faults", fault_inject_json());
	if (m->kvm)
		json_object_set_new(r, "kvm", kvm_flavour_json(m->kvm));
	if (m->be->status)
		m->be->status(m->be->ctx, r);
	ctl_reply(m, who, r);
}

static void cmd_query_memory(struct monitor *m, struct ctl_ref who, json_t *args)
{
	const char *view = json_string_value(json_object_get(args, "view"));
	char cmds[8][64];
	const char *cv[8] = { NULL }, *kv[8] = { NULL };
	struct ctl_op *op;

	if (json_object_get(args, "view") && !view) {
		ctl_error(m, who, "GenericError", "\"view\" must be a string");
		return;
	}
	if (view && !proc_view_valid(view)) {
		ctl_error(m, who, "GenericError", "unknown view \"%s\" (buddyinfo, pagetypeinfo, "
			  "zoneinfo, vmstat, meminfo, slabinfo)", view);
		return;
	}
	op = op_new(m, who, view ? finish_view : finish_plain);
	if (!op) {
		ctl_error(m, who, "GenericError", "out of memory");
		return;
	}
	if (view) {
		for (unsigned int i = 0; proc_views[i]; i++)
			if (!strcmp(view, proc_views[i]))
				op->view = proc_views[i];
		snprintf(cmds[0], sizeof(cmds[0]), "cat /proc/%s", view);
		cv[0] = cmds[0];
		kv[0] = op->view;
	} else {
		for (unsigned int i = 0; memory_views[i]; i++) {
			snprintf(cmds[i], sizeof(cmds[i]), "cat /proc/%s", memory_views[i]);
			cv[i] = cmds[i];
			kv[i] = memory_views[i];
		}
	}
	op_start(op, cv, kv);
}

/* A guest shell command from a string argument @arg, with @fmt around it. */
static void guest_command(struct monitor *m, struct ctl_ref who, json_t *args, const char *arg,
			  const char *fmt, void (*finish)(struct ctl_op *op))
{
	const char *s = json_string_value(json_object_get(args, arg));
	json_t *t = json_object_get(args, "timeout");
	char cmd[CHAN_LINE_MAX + 1];
	const char *cv[2] = { cmd, NULL }, *kv[2] = { "exec", NULL };
	struct ctl_op *op;

	if (!s || !*s) {
		ctl_error(m, who, "GenericError", "\"arguments\": {\"%s\": STRING} is required", arg);
		return;
	}
	if (snprintf(cmd, sizeof(cmd), fmt, s) >= (int)sizeof(cmd)) {
		ctl_error(m, who, "GenericError", "\"%s\" is too long", arg);
		return;
	}
	/* A foreground workload may run longer than the default wait. */
	if (t && (!json_is_integer(t) || json_integer_value(t) < 1 ||
		  json_integer_value(t) > MONITOR_MAX_TIMEOUT_S)) {
		ctl_error(m, who, "GenericError", "\"timeout\" is whole seconds, 1 to %d",
			  MONITOR_MAX_TIMEOUT_S);
		return;
	}
	op = op_new(m, who, finish);
	if (!op) {
		ctl_error(m, who, "GenericError", "out of memory");
		return;
	}
	if (t)
		op->timeout_ns = (uint64_t)json_integer_value(t) * 1000000000ULL;
	op_start(op, cv, kv);
}

static void cmd_guest_exec(struct monitor *m, struct ctl_ref who, json_t *args)
{
	guest_command(m, who, args, "command", "%s", finish_plain);
}

/* "[N] wl/NAME": the job number workload-stop takes. */
static void finish_workload(struct ctl_op *op)
{
	const char *out = json_string_value(json_object_get(op->result, "output"));
	long long job;

	if (!op->error[0] && out && sscanf(out, "[%lld]", &job) == 1)
		json_object_set_new(op->result, "job", json_integer(job));
	finish_plain(op);
}

static void cmd_workload_start(struct monitor *m, struct ctl_ref who, json_t *args)
{
	guest_command(m, who, args, "workload", "run %s &", finish_workload);
}

static void cmd_workload_stop(struct monitor *m, struct ctl_ref who, json_t *args)
{
	json_t *job = json_object_get(args, "job");
	char s[32];
	json_t *a;

	if (!json_is_integer(job) || json_integer_value(job) < 0) {
		ctl_error(m, who, "GenericError", "\"arguments\": {\"job\": N} is required");
		return;
	}
	snprintf(s, sizeof(s), "%lld", (long long)json_integer_value(job));
	a = json_pack("{ss}", "command", s);
	guest_command(m, who, a, "command", "kill %s", finish_plain);
	json_decref(a);
}

/*
 * The one place a balloon size changes meaning on its way in: "value" is
 * QMP's (the size the guest should have), "inflate" already the balloon's.
 * From here to the backends a balloon size is bytes of balloon, whole
 * pages (the device holds no less); each backend converts it once more at
 * its own edge (the virtio config's pages, QMP's guest size).
 */
static void cmd_balloon(struct monitor *m, struct ctl_ref who, json_t *args)
{
	json_t *value = json_object_get(args, "value"), *inflate = json_object_get(args, "inflate");
	json_int_t bytes;
	uint64_t balloon;
	char err[256];

	if (!m->be->balloon_set) {
		ctl_error(m, who, "DeviceNotActive", "no balloon (ebb run --balloon)");
		return;
	}
	/* One of the two, an integer: {"value": "1G", "inflate": 0} must not read as "value": 0. */
	if (!value == !inflate || (value && !json_is_integer(value)) ||
	    (inflate && !json_is_integer(inflate))) {
		ctl_error(m, who, "GenericError", "expected \"value\" (guest size) or \"inflate\" "
			  "(balloon size), in bytes");
		return;
	}
	bytes = json_integer_value(value ? value : inflate);
	if (bytes < 0 || (uint64_t)bytes > m->mem_size) {
		ctl_error(m, who, "GenericError", "%lld bytes: between 0 and the guest's %llu",
			  (long long)bytes, (unsigned long long)m->mem_size);
		return;
	}
	balloon = value ? m->mem_size - (uint64_t)bytes : (uint64_t)bytes;
	balloon &= ~(uint64_t)(BALLOON_PAGE_SIZE - 1);
	switch (m->be->balloon_set(m->be->ctx, balloon, who, err, sizeof(err))) {
	case 0:
		ctl_reply(m, who, NULL);
		break;
	case 1:
		break;		/* the backend answers when its device has */
	default:
		ctl_error(m, who, "GenericError", "%s", err);
	}
}

static void cmd_query_balloon(struct monitor *m, struct ctl_ref who, json_t *args)
{
	json_t *r;

	if (!m->be->balloon_query) {
		ctl_error(m, who, "DeviceNotActive", "no balloon (ebb run --balloon)");
		return;
	}
	r = json_object();
	m->be->balloon_query(m->be->ctx, r);
	ctl_reply(m, who, r);
}

static void cmd_query_kvm_stats(struct monitor *m, struct ctl_ref who, json_t *args)
{
	if (!m->be->kvm_stats) {
		ctl_error(m, who, "GenericError", "this VM runs under %s, not KVM: there are no "
			  "KVM statistics", strcmp(m->be->name, "qemu") ? m->be->name : "QEMU (TCG)");
		return;
	}
	ctl_reply(m, who, m->be->kvm_stats(m->be->ctx));
}

/*
 * {"execute": "inject", "arguments": {"fault": SPEC}}: arm or disarm a
 * fault point; the answer is every point's state (without "fault": only that).
 */
static void cmd_inject(struct monitor *m, struct ctl_ref who, json_t *args)
{
	const char *spec = json_string_value(json_object_get(args, "fault"));
	char err[512];

	if (json_object_get(args, "fault") && !spec) {
		ctl_error(m, who, "GenericError", "\"fault\" is a SPEC string "
			  "(docs/fault-injection.md)");
		return;
	}
	if (spec && fault_inject_set(spec, err, sizeof(err))) {
		ctl_error(m, who, "GenericError", "%s", err);
		return;
	}
	ctl_reply(m, who, fault_inject_json());
}

static void cmd_console(struct monitor *m, struct ctl_ref who, json_t *args)
{
	ctl_reply(m, who, json_pack("{ss}", "backend", m->be->name));
	if (who.slot >= 0 && m->client[who.slot].fd >= 0 && m->client[who.slot].gen == who.gen)
		m->client[who.slot].console = true;
}

static void cmd_quit(struct monitor *m, struct ctl_ref who, json_t *args)
{
	ctl_reply(m, who, NULL);
	monitor_quit(m, 0, "stopped through the control socket (quit)");
}

static const struct {
	const char *name;
	void (*fn)(struct monitor *m, struct ctl_ref who, json_t *args);
} commands[] = {
	{ "query-status", cmd_query_status },
	{ "query-memory", cmd_query_memory },
	{ "workload-start", cmd_workload_start },
	{ "workload-stop", cmd_workload_stop },
	{ "guest-exec", cmd_guest_exec },
	{ "balloon", cmd_balloon },
	{ "query-balloon", cmd_query_balloon },
	{ "query-kvm-stats", cmd_query_kvm_stats },
	{ "inject", cmd_inject },
	{ "console", cmd_console },
	{ "quit", cmd_quit },
};

void ctl_dispatch(struct monitor *m, struct ctl_ref who, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	json_t *args;
	const char *name;

	if (!req) {
		ctl_error(m, who, "GenericError", "not JSON: %s (column %d)", jerr.text, jerr.column);
		return;
	}
	name = json_string_value(json_object_get(req, "execute"));
	args = json_object_get(req, "arguments");
	if (!json_is_object(req) || !name) {
		ctl_error(m, who, "GenericError", "expected {\"execute\": COMMAND [, \"arguments\": {...}]}");
	} else if (args && !json_is_object(args)) {
		ctl_error(m, who, "GenericError", "\"arguments\" must be an object");
	} else {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(name, commands[i].name)) {
				commands[i].fn(m, who, args);
				json_decref(req);
				return;
			}
		ctl_error(m, who, "CommandNotFound", "the command %s has not been found", name);
	}
	json_decref(req);
}
