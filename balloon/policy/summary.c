// SPDX-License-Identifier: MIT
/*
 * The run's figures, tick by tick, and the JSON summary made of them:
 *
 *   memory_saved_mib      RAM given to the VMs minus the mean total RSS
 *   peak_rss_mib          largest total RSS; peak_rss_settled_mib the same
 *                         after settle_s (what the budget check reads)
 *   time_to_halve_idle_s  per idle VM, and the worst of them (-1: never)
 *   peak_stall_pct        largest guest stall over a tick, any VM
 *   oom_kills             guest OOM kills during the run, all VMs
 *   workload_failures     busy iterations that failed (allocation failures)
 *   slowdown_pct          per busy VM and the worst: mean workload
 *                         iteration time against the baseline's
 */
#include <string.h>

#include <balloon/policy_ctl.h>

#define MIB(b) ((double)(b) / 1048576.0)

void policy_figures_start(struct policy_figures *f, const struct policy_sample *s,
			  double settle_s)
{
	bool idle[POLICY_MAX_VMS];

	for (unsigned int i = 0; i < POLICY_MAX_VMS; i++)
		idle[i] = f->vm[i].idle;	/* the runner sets these first */
	memset(f, 0, sizeof(*f));
	f->t0_ns = s->t_ns;
	f->settle_s = settle_s;
	f->nr = s->nr_vms;
	for (unsigned int i = 0; i < s->nr_vms; i++) {
		f->ram_total += s->vm[i].ram;
		f->vm[i].idle = idle[i];
		f->vm[i].t_half_s = -1;
		f->vm[i].oom_kills0 = f->vm[i].oom_kills = s->vm[i].oom_kills;
	}
}

void policy_figures_add(struct policy_figures *f, const struct policy_sample *prev,
			const struct policy_sample *s)
{
	double t = (double)(s->t_ns - f->t0_ns) / 1e9, dt = policy_dt(prev, s);
	uint64_t rss = 0, actual = 0;

	for (unsigned int i = 0; i < s->nr_vms && i < f->nr; i++) {
		const struct policy_vm *v = &s->vm[i];
		struct policy_vm_figures *vf = &f->vm[i];

		rss += v->rss;
		actual += v->actual;
		if (vf->t_half_s < 0 && v->actual <= v->ram / 2)
			vf->t_half_s = t;
		if (v->has_stats && v->oom_kills > vf->oom_kills)
			vf->oom_kills = v->oom_kills;
		if (prev && i < prev->nr_vms && dt > 0 && v->has_stats &&
		    prev->vm[i].has_stats && v->stall_us >= prev->vm[i].stall_us) {
			double stall = (double)(v->stall_us - prev->vm[i].stall_us) / (dt * 1e6);

			if (stall > vf->peak_stall)
				vf->peak_stall = stall;
		}
	}
	if (rss > f->peak_rss)
		f->peak_rss = rss;
	if (t >= f->settle_s && rss > f->peak_rss_settled)
		f->peak_rss_settled = rss;
	f->rss_sum += (double)rss;
	f->actual_sum += (double)actual;
	f->ticks++;
}

json_t *policy_summary_json(const struct policy_figures *f, const struct policy_sample *last,
			    const char *policy, const struct policy_knobs *k)
{
	json_t *o = json_object(), *vms = json_array();
	double worst_half = 0, worst_slow = 0, peak_stall = 0;
	uint64_t ooms = 0, failures = 0;
	bool never = false, have_slow = false;
	double mean_rss = f->ticks ? f->rss_sum / f->ticks : 0;

	for (unsigned int i = 0; i < f->nr; i++) {
		const struct policy_vm_figures *vf = &f->vm[i];
		json_t *v = json_pack("{ss sb sf sI sf}", "name", last->vm[i].name,
				      "idle", vf->idle, "peak_stall_pct", vf->peak_stall * 100,
				      "oom_kills", (json_int_t)(vf->oom_kills - vf->oom_kills0),
				      "final_actual_mib", MIB(last->vm[i].actual));

		if (vf->idle) {
			json_object_set_new(v, "time_to_halve_s", json_real(vf->t_half_s));
			if (vf->t_half_s < 0)
				never = true;
			else if (vf->t_half_s > worst_half)
				worst_half = vf->t_half_s;
		}
		if (vf->iterations || vf->failures) {
			json_object_set_new(v, "iterations", json_integer(vf->iterations));
			json_object_set_new(v, "failures", json_integer(vf->failures));
			json_object_set_new(v, "work_s", json_real(vf->work_s));
		}
		if (vf->iterations && vf->base_s > 0) {
			double slow = (vf->work_s / vf->base_s - 1) * 100;

			json_object_set_new(v, "base_s", json_real(vf->base_s));
			json_object_set_new(v, "slowdown_pct", json_real(slow));
			if (!have_slow || slow > worst_slow)
				worst_slow = slow;
			have_slow = true;
		}
		if (vf->peak_stall > peak_stall)
			peak_stall = vf->peak_stall;
		ooms += vf->oom_kills - vf->oom_kills0;
		failures += vf->failures;
		json_array_append_new(vms, v);
	}
	json_object_set_new(o, "policy", json_string(policy));
	json_object_set_new(o, "ticks", json_integer(f->ticks));
	json_object_set_new(o, "tick_s", json_real(k->tick_s));
	json_object_set_new(o, "budget_mib", json_real(MIB(last->host.budget)));
	json_object_set_new(o, "ram_mib", json_real(MIB(f->ram_total)));
	json_object_set_new(o, "mean_rss_mib", json_real(MIB(mean_rss)));
	json_object_set_new(o, "memory_saved_mib", json_real(MIB(f->ram_total) - MIB(mean_rss)));
	json_object_set_new(o, "peak_rss_mib", json_real(MIB(f->peak_rss)));
	json_object_set_new(o, "settle_s", json_real(f->settle_s));
	json_object_set_new(o, "peak_rss_settled_mib", json_real(MIB(f->peak_rss_settled)));
	json_object_set_new(o, "time_to_halve_idle_s", json_real(never ? -1 : worst_half));
	json_object_set_new(o, "peak_stall_pct", json_real(peak_stall * 100));
	json_object_set_new(o, "oom_kills", json_integer((json_int_t)ooms));
	json_object_set_new(o, "workload_failures", json_integer((json_int_t)failures));
	json_object_set_new(o, "slowdown_pct", have_slow ? json_real(worst_slow) : json_null());
	json_object_set_new(o, "vms", vms);
	return o;
}
