// SPDX-License-Identifier: MIT
/*
 * The controller's tick: sample every VM, then the host (its budget
 * arithmetic needs the VMs' RSS), let the policy decide, apply what
 * changed.  The policy's state and the previous sample live in struct
 * policy_ctl, so the policy itself stays a pure function.
 */
#include <string.h>

#include <balloon/policy_ctl.h>

unsigned int policy_ctl_tick(struct policy_ctl *c, uint64_t now_ns)
{
	struct policy_sample *s = &c->cur;
	uint64_t targets[POLICY_MAX_VMS];
	unsigned int set = 0;

	if (c->have_prev)
		c->prev = *s;
	memset(s, 0, sizeof(*s));
	s->t_ns = now_ns;
	s->nr_vms = c->nr;
	for (unsigned int i = 0; i < c->nr; i++) {
		struct policy_vm *v = &s->vm[i];

		memcpy(v->name, c->vm[i].name, sizeof(v->name));
		v->ram = c->vm[i].ram;
		if (c->vm[i].ops->sample(c->vm[i].ctx, v)) {
			/* Gone or silent: keep its last size so the sums stay sane. */
			v->has_stats = false;
			v->target = v->actual = c->have_prev ? c->prev.vm[i].actual : v->ram;
		}
	}
	policy_host_sample(&c->host, s, &s->host);
	if (c->policy) {
		c->policy->decide(&c->knobs, c->st, c->have_prev ? &c->prev : NULL, s, targets);
		for (unsigned int i = 0; i < c->nr; i++) {
			uint64_t t = targets[i], now = s->vm[i].target;

			if (t + 4096 > now && t < now + 4096)
				continue;
			if (c->vm[i].ops->set_target(c->vm[i].ctx, t))
				c->set_errors++;
			else
				set++;
		}
		c->sets += set;
	}
	c->have_prev = true;
	return set;
}

void policy_ctl_close(struct policy_ctl *c)
{
	for (unsigned int i = 0; i < c->nr; i++)
		c->vm[i].ops->close(c->vm[i].ctx);
	c->nr = 0;
}
