// SPDX-License-Identifier: MIT
/*
 * The CSV timeline and the JSON summary (read back with jansson): column
 * layout, figures (time to halve an idle guest, peak stall, OOM kills,
 * memory saved, RSS after settling, slowdown against a baseline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <balloon/policy_ctl.h>

#include "unit.h"

#define MiB (1024ULL * 1024)
#define SEC 1000000000ULL

/* Two VMs of 512 MiB: vm0 idle shrinking 128 MiB a second, vm1 busy, stalling once. */
static void trace(struct policy_sample *s, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		memset(&s[k], 0, sizeof(s[k]));
		s[k].t_ns = (10 + k) * SEC;
		s[k].nr_vms = 2;
		s[k].host.budget = 1024 * MiB;
		s[k].host.avail = 100 * MiB;
		for (unsigned int i = 0; i < 2; i++) {
			struct policy_vm *v = &s[k].vm[i];

			snprintf(v->name, sizeof(v->name), "vm%u", i);
			v->ram = 512 * MiB;
			v->has_stats = true;
		}
		s[k].vm[0].actual = s[k].vm[0].target = (512 - 128 * (k < 3 ? k : 3)) * MiB;
		s[k].vm[0].rss = s[k].vm[0].actual;
		s[k].vm[1].actual = s[k].vm[1].target = s[k].vm[1].rss = 512 * MiB;
		s[k].vm[1].stall_us = k >= 2 ? 50000 : 0;	/* 5% over tick 1->2 */
		s[k].vm[1].oom_kills = k >= 3 ? 1 : 0;
		s[k].vm[1].swap_in = k * MiB;
	}
}

START_TEST(csv_columns)
{
	struct policy_sample s[2];
	char *buf = NULL, *l2;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	trace(s, 2);
	policy_csv_header(f, &s[0]);
	policy_csv_row(f, s[0].t_ns, NULL, &s[0]);
	policy_csv_row(f, s[0].t_ns, &s[0], &s[1]);
	fclose(f);
	ck_assert(strncmp(buf, "t_s,host_avail_mib,host_psi_avg10,total_rss_mib,vm0_target_mib,"
			  "vm0_actual_mib,vm0_rss_mib,vm0_free_mib,vm0_swapin_mib,"
			  "vm0_swapout_mib,vm0_stall_pct,vm0_oom_kills,vm1_target_mib", 140) == 0);
	l2 = strchr(buf, '\n') + 1;
	ck_assert(strncmp(l2, "0.000,100.0,0.00,1024.0,512.0,512.0,512.0,", 42) == 0);
	l2 = strchr(l2, '\n') + 1;
	ck_assert(strncmp(l2, "1.000,100.0,0.00,896.0,384.0,384.0,", 35) == 0);
	/* 4 + 2 * 8 columns a row */
	{
		int commas = 0;

		for (char *p = l2; *p && *p != '\n'; p++)
			commas += *p == ',';
		ck_assert_int_eq(commas, 4 + 2 * POLICY_CSV_VM_COLS - 1);
	}
	free(buf);
}
END_TEST

START_TEST(summary_json)
{
	struct policy_sample s[5];
	static struct policy_figures f;
	struct policy_knobs k;
	json_t *j, *vm0, *vm1;
	char *text;

	trace(s, 5);
	policy_knobs_default(&k);
	memset(&f, 0, sizeof(f));
	f.vm[0].idle = true;
	policy_figures_start(&f, &s[0], 2.5);
	for (unsigned int i = 0; i < 5; i++)
		policy_figures_add(&f, i ? &s[i - 1] : NULL, &s[i]);
	/* Ramp 10.5 s against 10 (5%), warm runs 2.1 against 2 (5%): 5% in all */
	f.vm[1].runs = 3;
	f.vm[1].run_s[0] = 10.5;
	f.vm[1].run_s[1] = f.vm[1].run_s[2] = 2.1;
	f.vm[1].base_runs = 4;
	f.vm[1].base_run_s[0] = 10;
	f.vm[1].base_run_s[1] = f.vm[1].base_run_s[2] = f.vm[1].base_run_s[3] = 2;
	j = policy_summary_json(&f, &s[4], "ebb", &k);
	/* Through text and back, as a reader gets it. */
	text = json_dumps(j, 0);
	json_decref(j);
	j = json_loads(text, 0, NULL);
	free(text);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "policy")), "ebb");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "ticks")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "oom_kills")), 1);
	/* vm0 reached 256 MiB at tick 2: 2 s after the start */
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "time_to_halve_idle_s")), 2, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "peak_stall_pct")), 5, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "slowdown_pct")), 5, 1e-6);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "slowdown_ramp_pct")), 5, 1e-6);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "slowdown_busy_pct")), 5, 1e-6);
	/* RSS: 1024, 896, 768, 640, 640: mean 793.6, saved 1024 - 793.6; settled peak 768 (t >= 2.5 s: 640) */
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "mean_rss_mib")), 793.6, 1e-6);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "memory_saved_mib")), 230.4, 1e-6);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "peak_rss_mib")), 1024, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "peak_rss_settled_mib")), 640, 1e-9);
	vm0 = json_array_get(json_object_get(j, "vms"), 0);
	vm1 = json_array_get(json_object_get(j, "vms"), 1);
	ck_assert(json_is_true(json_object_get(vm0, "idle")));
	ck_assert_ptr_null(json_object_get(vm1, "time_to_halve_s"));
	ck_assert_int_eq(json_integer_value(json_object_get(vm1, "oom_kills")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(vm1, "runs_s")), 3);
	ck_assert_int_eq(json_array_size(json_object_get(vm1, "base_runs_s")), 4);
	ck_assert_double_eq_tol(json_real_value(json_object_get(vm1, "mean_run_s")), 4.9, 1e-9);
	ck_assert_ptr_null(json_object_get(vm0, "runs_s"));
	json_decref(j);
}
END_TEST

/* No baseline: the runs are there, the slowdowns are null. */
START_TEST(summary_no_baseline)
{
	struct policy_sample s[2];
	static struct policy_figures f;
	struct policy_knobs k;
	json_t *j;

	trace(s, 2);
	policy_knobs_default(&k);
	memset(&f, 0, sizeof(f));
	policy_figures_start(&f, &s[0], 0);
	policy_figures_add(&f, NULL, &s[0]);
	policy_figures_add(&f, &s[0], &s[1]);
	f.vm[1].runs = 1;
	f.vm[1].run_s[0] = 3;
	j = policy_summary_json(&f, &s[1], "none", &k);
	ck_assert(json_is_null(json_object_get(j, "slowdown_pct")));
	ck_assert(json_is_null(json_object_get(j, "slowdown_ramp_pct")));
	ck_assert(json_is_null(json_object_get(j, "slowdown_busy_pct")));
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(j, "vms"), 1), "runs")), 1);
	json_decref(j);
}
END_TEST

/*
 * Phase by phase.  Recorded on ebb's QEMU backend (4 x 512 MiB, 1280 MiB
 * budget, 90 s, policy ebb against policy none): busy VM oc2's runs,
 * rounded to 10 ms.  Its run 1 (the ramp) took 8.87 s against 5.37 s; its
 * warm runs about what the baseline's did, but it fitted 12 runs into the
 * window against 15, and its last two overlapped the next VM's ramp where
 * the baseline's 12th did not: run-by-run pairing made that 25.6%.
 */
static const double oc2[] = { 8.87, 3.05, 2.02, 2, 2.06, 2.09, 2.02, 2.13, 2.24, 2.09, 4.48, 6.78 };
static const double oc2_base[] = { 5.37, 2.63, 3.52, 1.98, 3.03, 2.5, 2.12, 2.3, 2.11, 2.32,
				   1.96, 1.88, 2.02, 1.95, 5.57 };

START_TEST(slowdown_by_phase)
{
	unsigned int n = sizeof(oc2) / sizeof(oc2[0]), nb = sizeof(oc2_base) / sizeof(oc2_base[0]);
	double warm = 0, warm_base = 0, ramp, busy;
	bool ok;

	for (unsigned int i = 1; i < n; i++)
		warm += oc2[i];
	for (unsigned int i = 1; i < nb; i++)
		warm_base += oc2_base[i];
	ramp = 8.87 / 5.37;
	busy = (warm / (n - 1)) / (warm_base / (nb - 1));
	ck_assert_double_eq_tol(policy_phase_slowdown(oc2, n, oc2_base, nb, 0, 1, &ok),
				(ramp - 1) * 100, 1e-9);
	ck_assert(ok);
	ck_assert_double_eq_tol((ramp - 1) * 100, 65.18, 0.01);
	ck_assert_double_eq_tol(policy_phase_slowdown(oc2, n, oc2_base, nb, 1, POLICY_MAX_RUNS, &ok),
				(busy - 1) * 100, 1e-9);
	ck_assert_double_eq_tol((busy - 1) * 100, 9.79, 0.01);
	/* Both, weighted by the baseline's time in each: 5.37 s ramp, 37.26 s warm. */
	ck_assert_double_eq_tol(policy_slowdown(oc2, n, oc2_base, nb, &ok),
				((5.37 * ramp + warm_base * busy) / (5.37 + warm_base) - 1) * 100, 1e-9);
	ck_assert_double_eq_tol(policy_slowdown(oc2, n, oc2_base, nb, &ok), 17.0, 0.01);
	ck_assert(ok);
}
END_TEST

/* One run a side is the ramp alone; phases only one side reached are left out. */
START_TEST(slowdown_missing_phases)
{
	static const double one[] = { 47.89 }, two[] = { 40.61, 1.72 };
	bool ok;

	ck_assert_double_eq_tol(policy_slowdown(one, 1, two, 2, &ok), (47.89 / 40.61 - 1) * 100, 1e-9);
	ck_assert(ok);
	ck_assert_double_eq(policy_phase_slowdown(one, 1, two, 2, 1, POLICY_MAX_RUNS, &ok), 0);
	ck_assert(!ok);
	ck_assert_double_eq(policy_slowdown(one, 1, NULL, 0, &ok), 0);
	ck_assert(!ok);
	ck_assert_double_eq(policy_slowdown(NULL, 0, two, 2, &ok), 0);
	ck_assert(!ok);
	/* Faster than the baseline is a negative slowdown. */
	ck_assert_double_eq_tol(policy_slowdown(two, 1, one, 1, &ok), (40.61 / 47.89 - 1) * 100, 1e-9);
}
END_TEST

static Suite *policy_writers_suite(void)
{
	Suite *s = suite_create("policy_writers");
	TCase *tc = tcase_create("writers");

	tcase_add_test(tc, csv_columns);
	tcase_add_test(tc, summary_json);
	tcase_add_test(tc, summary_no_baseline);
	tcase_add_test(tc, slowdown_by_phase);
	tcase_add_test(tc, slowdown_missing_phases);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(policy_writers_suite)
