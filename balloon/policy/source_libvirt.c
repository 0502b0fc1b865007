// SPDX-License-Identifier: MIT
/*
 * libvirt domains as controller targets, through libvirt's C API: the
 * same policies tune real QEMU/KVM guests, local or remote (qemu+ssh://
 * URIs).  virDomainSetMemoryStatsPeriod turns the guest's stats on,
 * virDomainMemoryStats reads them (KiB, as virsh dommemstat shows),
 * virDomainSetMemory sets the balloon.  libvirt's "available" is the
 * guest's total and "usable" its available memory.
 */
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <balloon/policy_ctl.h>

struct lv_vm {
	virDomainPtr dom;
};

static int lv_sample(void *ctx, struct policy_vm *v)
{
	struct lv_vm *l = ctx;
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	virDomainInfo info;
	int n = virDomainMemoryStats(l->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);

	if (n < 0 || virDomainGetInfo(l->dom, &info) < 0)
		return -1;
	/* libvirt's current memory is the balloon's size; "actual" stats lag it. */
	v->target = v->actual = (uint64_t)info.memory * 1024;
	for (int i = 0; i < n; i++) {
		uint64_t b = (uint64_t)st[i].val * 1024;

		switch (st[i].tag) {
		case VIR_DOMAIN_MEMORY_STAT_SWAP_IN: v->swap_in = b; break;
		case VIR_DOMAIN_MEMORY_STAT_SWAP_OUT: v->swap_out = b; break;
		case VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT: v->major_faults = st[i].val; break;
		case VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT: v->minor_faults = st[i].val; break;
		case VIR_DOMAIN_MEMORY_STAT_UNUSED: v->free = b; v->has_stats = true; break;
		case VIR_DOMAIN_MEMORY_STAT_AVAILABLE: v->total = b; break;
		case VIR_DOMAIN_MEMORY_STAT_USABLE: v->avail = b; break;
		case VIR_DOMAIN_MEMORY_STAT_RSS: v->rss = b; break;
		default: break;
		}
	}
	/* Without "usable" (older guests), free memory is the best guess. */
	if (v->has_stats && !v->avail)
		v->avail = v->free;
	return 0;
}

static int lv_set(void *ctx, uint64_t bytes)
{
	struct lv_vm *l = ctx;

	return virDomainSetMemory(l->dom, (unsigned long)(bytes / 1024)) < 0 ? -1 : 0;
}

static void lv_close(void *ctx)
{
	struct lv_vm *l = ctx;
	virConnectPtr conn = virDomainGetConnect(l->dom);

	/* Each VM holds a reference on the connection (policy_libvirt_open_all). */
	virDomainFree(l->dom);
	virConnectClose(conn);
	free(l);
}

static const struct policy_source_ops lv_ops = {
	.kind = "libvirt",
	.sample = lv_sample,
	.set_target = lv_set,
	.close = lv_close,
};

/* libvirt prints every error by default; ebb reports the ones it cares about. */
static void lv_quiet(void *data, virErrorPtr e)
{
}

int policy_libvirt_open_all(const char *uri, int period_s, struct policy_target *t,
			    unsigned int max, char *err, size_t errlen)
{
	virConnectPtr conn;

	virSetErrorFunc(NULL, lv_quiet);
	conn = virConnectOpen(uri);
	if (!conn) {
		snprintf(err, errlen, "libvirt %s: %s", uri ? uri : "(default)",
			 virGetLastErrorMessage());
		return -1;
	}
	virDomainPtr *doms = NULL;
	int opened = 0, n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0) {
		snprintf(err, errlen, "libvirt: %s", virGetLastErrorMessage());
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct lv_vm *l;

		if (opened >= (int)max || !(l = calloc(1, sizeof(*l)))) {
			virDomainFree(doms[i]);
			continue;
		}
		/* Not every driver keeps stats periods; the stats still come. */
		virDomainSetMemoryStatsPeriod(doms[i], period_s, VIR_DOMAIN_AFFECT_LIVE);
		l->dom = doms[i];
		virConnectRef(conn);
		memset(&t[opened], 0, sizeof(t[opened]));
		t[opened].ops = &lv_ops;
		t[opened].ctx = l;
		snprintf(t[opened].name, sizeof(t[opened].name), "%s", virDomainGetName(doms[i]));
		t[opened].ram = (uint64_t)virDomainGetMaxMemory(doms[i]) * 1024;
		opened++;
	}
	free(doms);
out:
	virConnectClose(conn);
	return n < 0 ? -1 : opened;
}
