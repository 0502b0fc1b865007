// SPDX-License-Identifier: MIT
/*
 * The knob table: every tunable of every policy, its default and what it
 * does.  `--set KEY=VALUE` parses through it, `ebb balloond --knobs`
 * prints it, and docs/balloon-policy.md explains the same keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <balloon/policy.h>

enum knob_type { K_DOUBLE, K_SIZE, K_UINT };

struct knob {
	const char *key;
	enum knob_type type;
	size_t off;
	double def;		/* sizes in bytes */
	const char *help;
};

#define MIB (1024.0 * 1024.0)
#define KNOB(key, type, field, def, help) \
	{ key, type, offsetof(struct policy_knobs, field), def, help }

static const struct knob knobs[] = {
	KNOB("tick", K_DOUBLE, tick_s, 1, "controller period, seconds (MOM: 10-15)"),
	KNOB("min_size", K_SIZE, min_size, 64 * MIB, "no guest is sized below this"),
	KNOB("budget_slack", K_DOUBLE, budget_slack, 0.04, "share of the budget kept free"),
	KNOB("static.size", K_SIZE, static_size, 0, "static: guest size (0: budget / VMs)"),
	KNOB("mom.pressure", K_DOUBLE, mom_pressure, 0.20, "mom: host free share under which guests shrink"),
	KNOB("mom.critical", K_DOUBLE, mom_critical, 0.05, "mom: host free share under which guests are pushed into swap"),
	KNOB("mom.min_free", K_DOUBLE, mom_min_free, 0.20, "mom: free share a guest keeps"),
	KNOB("mom.max_change", K_DOUBLE, mom_max_change, 0.05, "mom: largest change a tick, share of the guest's size"),
	KNOB("mom.min_change", K_DOUBLE, mom_min_change, 0.0025, "mom: smaller changes are not made"),
	KNOB("stall.target", K_DOUBLE, stall_target, 0.001, "stall: memory stall share to hold"),
	KNOB("stall.interval", K_DOUBLE, stall_interval_s, 6, "stall: window, seconds"),
	KNOB("stall.max_probe", K_DOUBLE, stall_max_probe, 0.01, "stall: largest shrink a window"),
	KNOB("stall.max_backoff", K_DOUBLE, stall_max_backoff, 1.0, "stall: largest growth a window"),
	KNOB("stall.coeff_probe", K_DOUBLE, stall_coeff_probe, 10, "stall: shrink gain"),
	KNOB("stall.coeff_backoff", K_DOUBLE, stall_coeff_backoff, 20, "stall: growth gain"),
	KNOB("ebb.headroom_min", K_SIZE, ebb_headroom_min, 32 * MIB, "ebb: free memory a guest keeps at the least"),
	KNOB("ebb.headroom", K_DOUBLE, ebb_headroom, 0.10, "ebb: headroom of an idle guest, share of its use"),
	KNOB("ebb.active_headroom", K_DOUBLE, ebb_active_headroom, 0.50, "ebb: headroom of a busy guest"),
	KNOB("ebb.lookahead", K_DOUBLE, ebb_lookahead_s, 4, "ebb: a guest's headroom covers this many seconds of its touch rate (faults or RSS growth)"),
	KNOB("ebb.reclaim_rate", K_SIZE, ebb_reclaim_rate, 256 * MIB, "ebb: bytes/s an idle guest may shrink by"),
	KNOB("ebb.fault_idle", K_SIZE, ebb_fault_idle, 4 * MIB, "ebb: touched bytes/s under which a guest is quiet"),
	KNOB("ebb.idle_ticks", K_UINT, ebb_idle_ticks, 2, "ebb: quiet ticks before a guest is idle"),
	KNOB("ebb.busy_hold", K_DOUBLE, ebb_busy_hold_s, 20, "ebb: quiet seconds before a guest that has grown while busy is idle"),
	KNOB("ebb.stall_max", K_DOUBLE, ebb_stall_max, 0.01, "ebb: stall share that makes a guest grow at once"),
	KNOB("ebb.host_psi", K_DOUBLE, ebb_host_psi, 10, "ebb: host PSI some avg10 (%) that halves headrooms"),
};

static void knob_store(struct policy_knobs *k, const struct knob *n, double v)
{
	char *p = (char *)k + n->off;

	if (n->type == K_DOUBLE)
		*(double *)p = v;
	else if (n->type == K_SIZE)
		*(uint64_t *)p = (uint64_t)v;
	else
		*(unsigned int *)p = (unsigned int)v;
}

void policy_knobs_default(struct policy_knobs *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		knob_store(k, &knobs[i], knobs[i].def);
}

int policy_knob_set(struct policy_knobs *k, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');

	for (size_t i = 0; eq && i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const struct knob *n = &knobs[i];
		char *end;
		double v;

		if (strlen(n->key) != (size_t)(eq - kv) || strncmp(n->key, kv, (size_t)(eq - kv)))
			continue;
		errno = 0;
		v = strtod(eq + 1, &end);
		if (n->type == K_SIZE && *end) {
			static const char units[] = "KMG";
			const char *u = strchr(units, *end);

			if (u && !end[1]) {
				for (long s = u - units + 1; s; s--)
					v *= 1024;
				end++;
			}
		}
		if (errno || end == eq + 1 || *end || v < 0) {
			snprintf(err, errlen, "%s: bad value \"%s\"", n->key, eq + 1);
			return -1;
		}
		knob_store(k, n, v);
		return 0;
	}
	snprintf(err, errlen, "unknown knob \"%s\" (ebb balloond --knobs lists them)", kv);
	return -1;
}

void policy_knobs_print(const struct policy_knobs *k, void *file)
{
	FILE *f = file;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const struct knob *n = &knobs[i];
		const char *p = (const char *)k + n->off;

		if (n->type == K_DOUBLE)
			fprintf(f, "  %-22s %-10g %s\n", n->key, *(const double *)p, n->help);
		else if (n->type == K_SIZE) {
			char v[24];

			snprintf(v, sizeof(v), "%lluM", (unsigned long long)(*(const uint64_t *)p >> 20));
			fprintf(f, "  %-22s %-10s %s\n", n->key, v, n->help);
		} else
			fprintf(f, "  %-22s %-10u %s\n", n->key, *(const unsigned int *)p, n->help);
	}
}
