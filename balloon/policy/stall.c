// SPDX-License-Identifier: MIT
/*
 * stall: a senpai-like controller (Meta's senpai, for cgroups, applied to
 * balloons).  Over each window of stall.interval seconds it compares the
 * guest's memory stall (PSI "some" time / window) with stall.target:
 *
 *   below: shrink by size * min(coeff_probe * (1 - stall/target) * max_probe, max_probe)
 *   above: grow by size * min(coeff_backoff * (stall/target - 1), max_backoff)
 *
 * so an idle guest is probed down by at most max_probe (1%) a window and a
 * stalling one backs off at once.  Growth is relative to the guest's
 * current size, shrinking to the last target, as senpai moves memory.high.
 */
#include <balloon/policy.h>

static void stall_decide(const struct policy_knobs *k, struct policy_vm_state *st,
			 const struct policy_sample *prev, const struct policy_sample *cur,
			 uint64_t *targets)
{
	uint64_t window_ns = (uint64_t)(k->stall_interval_s * 1e9);

	for (unsigned int i = 0; i < cur->nr_vms; i++) {
		const struct policy_vm *v = &cur->vm[i];
		struct policy_vm_state *s = &st[i];
		uint64_t keep = s->target ? s->target : v->target;
		double pressure, adj, size;

		targets[i] = keep;
		if (!v->has_stats)
			continue;
		if (!s->window_t0_ns || v->stall_us < s->window_stall0_us) {
			s->window_t0_ns = cur->t_ns;
			s->window_stall0_us = v->stall_us;
			s->target = keep;
			continue;
		}
		if (cur->t_ns - s->window_t0_ns < window_ns)
			continue;
		pressure = (double)(v->stall_us - s->window_stall0_us) * 1e3 /
			   (double)(cur->t_ns - s->window_t0_ns);
		if (pressure < k->stall_target) {
			adj = k->stall_coeff_probe * (1 - pressure / k->stall_target) *
			      k->stall_max_probe;
			adj = -(adj < k->stall_max_probe ? adj : k->stall_max_probe);
			size = (double)keep;
		} else {
			adj = k->stall_coeff_backoff * (pressure / k->stall_target - 1);
			adj = adj < k->stall_max_backoff ? adj : k->stall_max_backoff;
			size = (double)(v->actual > keep ? v->actual : keep);
		}
		targets[i] = policy_clamp(k, v, (uint64_t)(size * (1 + adj)));
		s->target = targets[i];
		s->window_t0_ns = cur->t_ns;
		s->window_stall0_us = v->stall_us;
	}
}

const struct policy_ops policy_stall = {
	.name = "stall",
	.help = "senpai-like: hold each guest's memory stall near stall.target, "
		"probe down when idle, back off on stall",
	.decide = stall_decide,
};
