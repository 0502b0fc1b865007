// SPDX-License-Identifier: MIT
/*
 * Arithmetic on samples that every policy needs: the time between two
 * samples, a counter's rate, the memory a guest really uses, and the
 * bounds every target must respect.
 */
#include <balloon/policy.h>

#define PAGE_4K		4096ULL

double policy_dt(const struct policy_sample *prev, const struct policy_sample *cur)
{
	if (!prev || cur->t_ns <= prev->t_ns)
		return 0;
	return (double)(cur->t_ns - prev->t_ns) / 1e9;
}

double policy_rate(const struct policy_sample *prev, const struct policy_sample *cur,
		   unsigned int i, size_t field_offset)
{
	const struct policy_vm *a, *b;
	uint64_t va, vb;
	double dt = policy_dt(prev, cur);

	/* VMs are matched by position: the controller keeps their order. */
	if (dt <= 0 || i >= prev->nr_vms || i >= cur->nr_vms)
		return 0;
	a = &prev->vm[i];
	b = &cur->vm[i];
	if (!a->has_stats || !b->has_stats)
		return 0;
	va = *(const uint64_t *)((const char *)a + field_offset);
	vb = *(const uint64_t *)((const char *)b + field_offset);
	/* A counter that went back means the guest restarted: no rate. */
	return vb >= va ? (double)(vb - va) / dt : 0;
}

uint64_t policy_used(const struct policy_vm *v)
{
	if (!v->has_stats || v->avail >= v->actual)
		return 0;
	return v->actual - v->avail;
}

uint64_t policy_clamp(const struct policy_knobs *k, const struct policy_vm *v, uint64_t t)
{
	uint64_t lo = k->min_size < v->ram ? k->min_size : v->ram;

	if (t < lo)
		t = lo;
	if (t > v->ram)
		t = v->ram;
	return t & ~(PAGE_4K - 1);
}
