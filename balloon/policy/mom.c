// SPDX-License-Identifier: MIT
/*
 * mom: oVirt MOM's default balloon rules (mom/policies/balloon.rules),
 * as MOM evaluates them every tick (10-15 s in MOM's defaults):
 *
 *   host_free = host free / host total
 *   host_free < pressure (20%): shrink every guest
 *     guest_free = critical?  host_free - 5%          (below 0: into swap)
 *                          :  min_free * host_free / pressure
 *     floor = used + guest_free * size; new = max(size * (1 - 5%), floor),
 *     applied only if new <= size
 *   else: grow every ballooned guest
 *     floor = used + min_free * RAM; new = max(min(size * (1 + 5%), RAM), floor)
 *   a change smaller than min_change (0.25%) of the size is not made.
 *
 * "size" is MOM's balloon_cur: the size the guest has (actual), "used" is
 * size minus the guest's free memory (mem_unused).  MOM averages a few
 * samples (StatAvg); ebb's controller feeds it the last one.
 */
#include <balloon/policy.h>

static uint64_t mom_guest(const struct policy_knobs *k, const struct policy_vm *v,
			  double host_free, uint64_t keep)
{
	double size = (double)v->actual, used = size - (double)v->free, want;

	if (v->free > v->actual)
		used = 0;
	if (host_free < k->mom_pressure) {
		double guest_free = host_free <= k->mom_critical ?
			host_free - k->mom_critical :
			k->mom_min_free * host_free / k->mom_pressure;
		double floor = used + guest_free * size;

		want = size * (1 - k->mom_max_change);
		if (want < floor)
			want = floor;
		if (want > size)
			return keep;
	} else {
		double floor = used + k->mom_min_free * (double)v->ram;

		if (v->actual >= v->ram)
			return keep;
		want = size * (1 + k->mom_max_change);
		if (want > (double)v->ram)
			want = (double)v->ram;
		if (want < floor)
			want = floor;
	}
	if (want < 0)
		want = 0;
	if (want - size <= k->mom_min_change * size && size - want <= k->mom_min_change * size)
		return keep;
	return policy_clamp(k, v, (uint64_t)want);
}

static void mom_decide(const struct policy_knobs *k, struct policy_vm_state *st,
		       const struct policy_sample *prev, const struct policy_sample *cur,
		       uint64_t *targets)
{
	double host_free = cur->host.total ?
		(double)cur->host.avail / (double)cur->host.total : 1;

	for (unsigned int i = 0; i < cur->nr_vms; i++) {
		const struct policy_vm *v = &cur->vm[i];
		uint64_t keep = st[i].target ? st[i].target : v->target;

		targets[i] = v->has_stats ? mom_guest(k, v, host_free, keep) : keep;
		st[i].target = targets[i];
	}
}

const struct policy_ops policy_mom = {
	.name = "mom",
	.help = "oVirt MOM's default rules: shrink under host pressure (20%, 5% critical), "
		"keep 20% guest free, at most 5% per tick",
	.decide = mom_decide,
};
