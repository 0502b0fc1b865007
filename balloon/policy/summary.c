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
 *   workload_failures     busy runs that failed (allocation failures)
 *   slowdown_pct          per busy VM and the worst: its workload runs
 *                         against the baseline's, phase by phase
 *                         (policy_slowdown): slowdown_ramp_pct for run 1
 *                         (the ramp, which faults the working set in),
 *                         slowdown_busy_pct for the mean of the later,
 *                         warm runs
 */
#include <string.h>

#include <balloon/policy_ctl.h>

#define MIB(b) ((double)(b) / 1048576.0)

static double mean(const double *v, unsigned int from, unsigned int to, unsigned int n)
{
	double sum = 0;
	unsigned int k = 0;

	for (unsigned int i = from; i < to && i < n; i++, k++)
		sum += v[i];
	return k ? sum / k : 0;
}

double policy_phase_slowdown(const double *run, unsigned int nrun, const double *base,
			     unsigned int nbase, unsigned int from, unsigned int to, bool *ok)
{
	double m = mean(run, from, to, nrun), mb = mean(base, from, to, nbase);

	*ok = m > 0 && mb > 0;
	return *ok ? (m / mb - 1) * 100 : 0;
}

double policy_slowdown(const double *run, unsigned int nrun, const double *base,
		       unsigned int nbase, bool *ok)
{
	static const unsigned int phase[][2] = { { 0, 1 }, { 1, POLICY_MAX_RUNS } };
	double weighted = 0, weight = 0;

	for (unsigned int p = 0; p < 2; p++) {
		bool in;
		double slow = policy_phase_slowdown(run, nrun, base, nbase, phase[p][0],
						    phase[p][1], &in), t;

		if (!in)
			continue;
		/* The baseline's time in the phase: its mean times its runs there. */
		t = mean(base, phase[p][0], phase[p][1], nbase) *
		    (double)((nbase < phase[p][1] ? nbase : phase[p][1]) - phase[p][0]);
		weighted += t * (1 + slow / 100);
		weight += t;
	}
	*ok = weight > 0;
	return *ok ? (weighted / weight - 1) * 100 : 0;
}

static json_t *json_reals(const double *v, unsigned int n)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

/* The worst (largest) of the slowdowns seen so far, null while none. */
static void worst_slowdown(json_t *top, json_t *vm, const char *key, double slow, bool ok)
{
	json_t *w = json_object_get(top, key);

	if (!ok)
		return;
	json_object_set_new(vm, key, json_real(slow));
	if (!json_is_real(w) || slow > json_real_value(w))
		json_object_set_new(top, key, json_real(slow));
}

/* A busy VM's runs and, against a baseline, its slowdowns (also into @top's worst). */
static void runs_json(const struct policy_vm_figures *vf, json_t *v, json_t *top)
{
	double sum = 0, slow;
	bool ok;

	for (unsigned int r = 0; r < vf->runs; r++)
		sum += vf->run_s[r];
	json_object_set_new(v, "runs", json_integer(vf->runs));
	json_object_set_new(v, "failures", json_integer(vf->failures));
	json_object_set_new(v, "runs_s", json_reals(vf->run_s, vf->runs));
	json_object_set_new(v, "mean_run_s", json_real(vf->runs ? sum / vf->runs : 0));
	if (!vf->base_runs)
		return;
	json_object_set_new(v, "base_runs_s", json_reals(vf->base_run_s, vf->base_runs));
	slow = policy_slowdown(vf->run_s, vf->runs, vf->base_run_s, vf->base_runs, &ok);
	worst_slowdown(top, v, "slowdown_pct", slow, ok);
	slow = policy_phase_slowdown(vf->run_s, vf->runs, vf->base_run_s, vf->base_runs, 0, 1, &ok);
	worst_slowdown(top, v, "slowdown_ramp_pct", slow, ok);
	slow = policy_phase_slowdown(vf->run_s, vf->runs, vf->base_run_s, vf->base_runs, 1,
				     POLICY_MAX_RUNS, &ok);
	worst_slowdown(top, v, "slowdown_busy_pct", slow, ok);
}

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
	json_t *o = json_object(), *vms = json_array(), *worst = json_object();
	double worst_half = 0, peak_stall = 0;
	uint64_t ooms = 0, failures = 0;
	bool never = false;
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
		if (vf->runs || vf->failures)
			runs_json(vf, v, worst);
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
	for (unsigned int i = 0; i < 3; i++) {
		static const char *const keys[] = { "slowdown_pct", "slowdown_ramp_pct",
						    "slowdown_busy_pct" };
		json_t *w = json_object_get(worst, keys[i]);

		json_object_set(o, keys[i], w ? w : json_null());
	}
	json_decref(worst);
	json_object_set_new(o, "vms", vms);
	return o;
}
