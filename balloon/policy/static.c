// SPDX-License-Identifier: MIT
/*
 * static: every guest gets one fixed size, whatever happens: the baseline
 * an operator gets by dividing the host by hand.  static.size, or without
 * it an even share of the budget (less the slack), or the whole RAM.
 */
#include <balloon/policy.h>

static void static_decide(const struct policy_knobs *k, struct policy_vm_state *st,
			  const struct policy_sample *prev, const struct policy_sample *cur,
			  uint64_t *targets)
{
	for (unsigned int i = 0; i < cur->nr_vms; i++) {
		const struct policy_vm *v = &cur->vm[i];
		uint64_t t = v->ram;

		if (k->static_size)
			t = k->static_size;
		else if (cur->host.budget)
			t = (uint64_t)((double)cur->host.budget * (1 - k->budget_slack)) / cur->nr_vms;
		targets[i] = policy_clamp(k, v, t);
		st[i].target = targets[i];
	}
}

const struct policy_ops policy_static = {
	.name = "static",
	.help = "a fixed size per guest (static.size, else an even share of the budget)",
	.decide = static_decide,
};
