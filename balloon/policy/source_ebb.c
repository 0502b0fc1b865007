// SPDX-License-Identifier: MIT
/*
 * ebb VMs as controller targets: each tick asks the VM's control socket
 * for query-status (KVM's exit count, under the KVM backend) and
 * query-balloon (the device's target and actual, the guest's last stats)
 * and reads the VMM's RSS from /proc (the QEMU process under the QEMU
 * backend); a target is the socket's "balloon" command.  A new
 * connection per request: the socket is local and the VM may restart.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/control/client.h>
#include <vmm/control/runtime.h>
#include <vmm/procfs.h>

#include <balloon/policy_ctl.h>

struct ebb_vm {
	char name[POLICY_NAME_MAX];
	int pid;			/* the process that holds guest RAM */
};

json_t *policy_ebb_call(const char *name, json_t *req, int timeout_ms, char *err,
			size_t errlen)
{
	enum control_client_fail fail;
	char why[RUNTIME_PATH_MAX + 128];
	json_t *ans = control_client_request(name, req, timeout_ms, &fail, why, sizeof(why));
	json_t *ret;

	if (!ans) {
		snprintf(err, errlen, "%s: %s", name, why);
		return NULL;
	}
	ret = json_incref(json_object_get(ans, "return"));
	if (!ret)
		snprintf(err, errlen, "%s: %s", name, control_client_error(ans));
	json_decref(ans);
	return ret;
}

static uint64_t jint(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static int ebb_sample(void *ctx, struct policy_vm *v)
{
	struct ebb_vm *e = ctx;
	char err[256];
	json_t *r = policy_ebb_call(e->name, json_pack("{ss}", "execute", "query-status"),
				    5000, err, sizeof(err));
	json_t *st;

	if (!r)
		return -1;
	/* Before the balloon's figures: a VM without a balloon has exits all the same. */
	v->has_kvm_exits = json_is_integer(json_object_get(r, "kvm_exits"));
	v->kvm_exits = jint(r, "kvm_exits");
	json_decref(r);
	/* The host's view needs no balloon either. */
	v->rss = procfs_rss(e->pid);
	r = policy_ebb_call(e->name, json_pack("{ss}", "execute", "query-balloon"), 5000, err,
			    sizeof(err));
	if (!r)
		return -1;
	st = json_object_get(r, "stats");
	v->target = v->ram - jint(r, "target_bytes");
	v->actual = v->ram - jint(r, "actual_bytes");
	v->has_stats = json_object_get(st, "free-memory") != NULL;
	v->free = jint(st, "free-memory");
	v->avail = jint(st, "available-memory");
	v->total = jint(st, "total-memory");
	v->swap_in = jint(st, "swap-in");
	v->swap_out = jint(st, "swap-out");
	v->major_faults = jint(st, "major-faults");
	v->minor_faults = jint(st, "minor-faults");
	v->oom_kills = jint(st, "oom-kills");
	v->stall_us = jint(st, "stall-us");
	v->stall_avg10 = (uint32_t)jint(st, "stall-avg10");
	v->infl_reclaim = jint(st, "infl-reclaim");
	v->infl_swap = jint(st, "infl-swap");
	json_decref(r);
	return 0;
}

static int ebb_set(void *ctx, uint64_t bytes)
{
	struct ebb_vm *e = ctx;
	char err[256];
	json_t *r = policy_ebb_call(e->name, json_pack("{ss s{sI}}", "execute", "balloon",
						       "arguments", "value", (json_int_t)bytes),
				    5000, err, sizeof(err));

	json_decref(r);
	return r ? 0 : -1;
}

static void ebb_close(void *ctx)
{
	free(ctx);
}

static const struct policy_source_ops ebb_ops = {
	.kind = "ebb",
	.sample = ebb_sample,
	.set_target = ebb_set,
	.close = ebb_close,
};

int policy_ebb_open(const char *name, struct policy_target *t, char *err, size_t errlen)
{
	json_t *r = policy_ebb_call(name, json_pack("{ss}", "execute", "query-status"), 5000,
				    err, errlen);
	struct ebb_vm *e;

	if (!r)
		return -1;
	e = calloc(1, sizeof(*e));
	if (!e) {
		json_decref(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->pid = (int)(jint(r, "qemu_pid") ?: jint(r, "pid"));
	memset(t, 0, sizeof(*t));
	t->ops = &ebb_ops;
	t->ctx = e;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->ram = jint(r, "mem_bytes");
	json_decref(r);
	return 0;
}

unsigned int policy_ebb_open_all(struct policy_target *t, unsigned int max)
{
	char dir[RUNTIME_PATH_MAX], err[256];
	unsigned int n = 0;
	struct dirent *d;
	DIR *dp;

	if (runtime_dir(dir, sizeof(dir)) || !(dp = opendir(dir)))
		return 0;
	while (n < max && (d = readdir(dp))) {
		size_t len = strlen(d->d_name);
		char name[POLICY_NAME_MAX];

		if (len < 6 || len - 5 >= sizeof(name) || strcmp(d->d_name + len - 5, ".sock"))
			continue;
		memcpy(name, d->d_name, len - 5);
		name[len - 5] = '\0';
		if (!policy_ebb_open(name, &t[n], err, sizeof(err)))
			n++;
	}
	closedir(dp);
	return n;
}
