// SPDX-License-Identifier: MIT
/*
 * The report: both runners' records, the median run of each op on each
 * side, the table on stdout and build/bench/vcost.json.  The KVM figure
 * is the value, the QEMU backend's the baseline, and the ratio is
 * QEMU / KVM: above 1, KVM ran the op faster.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vcost.h"

/* Changes smaller than this per op are noise (a host interrupt in a long run). */
#define STAT_EPSILON	0.01

static const struct {
	const char *name, *title;
} op_titles[] = {
	{ "alu", "ALU loop iteration (add; dec; jnz)" },
	{ "cli_sti", "cli; sti" },
	{ "pushf_popf", "pushf; popf" },
	{ "rdtsc", "rdtsc" },
	{ "cr3_read", "CR3 read" },
	{ "cr3_write", "CR3 write (same value, TLB flush)" },
	{ "invlpg", "invlpg" },
	{ "iretq", "iretq (same CPL)" },
	{ "page_fault", "#PF round trip (fault, map, iretq)" },
	{ "pte_write", "PTE write (clear a live PTE)" },
	{ "first_touch", "first touch of a 4 KiB page" },
	{ "pio_exit", "port-I/O exit (out, no device)" },
	{ "mmio_exit", "MMIO exit (store, no device)" },
	{ "hlt_timer", "hlt + LAPIC one-shot of 10 us" },
	{ "timer_tick", "timer interrupt while looping" },
	{ "clear_stosq", "clear 4 KiB: rep stosq" },
	{ "clear_movq", "clear 4 KiB: 512 x movq" },
	{ "clear_stosb", "clear 4 KiB: rep stosb" },
};

const char *vcost_op_title(const char *name)
{
	for (size_t i = 0; i < sizeof(op_titles) / sizeof(op_titles[0]); i++)
		if (!strcmp(op_titles[i].name, name))
			return op_titles[i].title;
	return name;
}

void vcost_report_init(struct vcost_report *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->kvm_info = json_object();
	rp->qemu_info = json_object();
}

void vcost_report_free(struct vcost_report *rp)
{
	for (unsigned int i = 0; i < rp->nr_rows; i++) {
		free(rp->rows[i].kvm.runs);
		free(rp->rows[i].qemu.runs);
	}
	json_decref(rp->kvm_info);
	json_decref(rp->qemu_info);
}

static struct vcost_row *row_for(struct vcost_report *rp, unsigned int op, const char *name)
{
	unsigned int i;

	for (i = 0; i < rp->nr_rows; i++)
		if (rp->rows[i].op == op)
			return &rp->rows[i];
	if (rp->nr_rows == VCOST_MAX_OPS)
		return NULL;
	/* Keep them in op order, whichever runner mentions an op first. */
	for (i = rp->nr_rows; i && rp->rows[i - 1].op > op; i--)
		rp->rows[i] = rp->rows[i - 1];
	memset(&rp->rows[i], 0, sizeof(rp->rows[i]));
	rp->rows[i].op = op;
	snprintf(rp->rows[i].name, sizeof(rp->rows[i].name), "%s", name);
	rp->nr_rows++;
	return &rp->rows[i];
}

static void take_rec(struct vcost_report *rp, const struct vcost_rec *r)
{
	struct vcost_row *row = row_for(rp, r->op, r->name);
	struct vcost_side *s;
	struct vcost_rec *runs;

	if (!row)
		return;
	s = !strcmp(r->backend, "kvm") ? &row->kvm : &row->qemu;
	s->present = true;
	if (r->status[0]) {
		snprintf(s->status, sizeof(s->status), "%s", r->status);
		return;
	}
	runs = realloc(s->runs, (s->nr_runs + 1) * sizeof(*runs));
	if (!runs)
		return;
	s->runs = runs;
	s->runs[s->nr_runs++] = *r;
}

/* "vcost-info BACKEND KEY=VALUE ...": integers as integers, anything else as a string. */
static void take_info(struct vcost_report *rp, char *line)
{
	char *save, *backend = strtok_r(line + strlen(VCOST_INFO_PREFIX), " \r\n", &save);
	json_t *into;

	if (!backend)
		return;
	into = !strcmp(backend, "kvm") ? rp->kvm_info : rp->qemu_info;
	for (char *tok; (tok = strtok_r(NULL, " \r\n", &save));) {
		char *eq = strchr(tok, '='), *end;
		long long v;

		if (!eq || eq == tok)
			continue;
		*eq = '\0';
		v = strtoll(eq + 1, &end, 10);
		json_object_set_new(into, tok, eq[1] && !*end ? json_integer(v) : json_string(eq + 1));
	}
}

void vcost_report_read(struct vcost_report *rp, FILE *f)
{
	char line[8192];
	struct vcost_rec *r = malloc(sizeof(*r));

	if (!r)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!vcost_rec_parse(line, r))
			take_rec(rp, r);
		else if (!strncmp(line, VCOST_INFO_PREFIX, strlen(VCOST_INFO_PREFIX)))
			take_info(rp, line);
	}
	free(r);
}

static int by_ns(const void *a, const void *b)
{
	const struct vcost_rec *x = a, *y = b;

	return (x->ns > y->ns) - (x->ns < y->ns);
}

static void side_finish(struct vcost_side *s)
{
	if (!s->nr_runs)
		return;
	qsort(s->runs, s->nr_runs, sizeof(s->runs[0]), by_ns);
	s->median = &s->runs[(s->nr_runs - 1) / 2];
}

void vcost_report_finish(struct vcost_report *rp)
{
	for (unsigned int i = 0; i < rp->nr_rows; i++) {
		side_finish(&rp->rows[i].kvm);
		side_finish(&rp->rows[i].qemu);
	}
}

/* ---- the table --------------------------------------------------------- */

static const char *info_str(json_t *info, const char *key)
{
	const char *v = json_string_value(json_object_get(info, key));

	return v ? v : "?";
}

/* What the KVM column is: "hardware KVM (kvm_amd, NPT) on Linux 6.1.0-57-amd64, nested ..." */
static void kvm_label(const struct vcost_report *rp, char *buf, size_t len)
{
	if (!json_object_size(rp->kvm_info)) {
		snprintf(buf, len, "KVM (it did not run)");
		return;
	}
	snprintf(buf, len, "%s KVM (%s, %s paging) on Linux %s%s", info_str(rp->kvm_info, "flavour"),
		 info_str(rp->kvm_info, "module"), info_str(rp->kvm_info, "paging"),
		 info_str(rp->kvm_info, "kernel"),
		 rp->nested ? ", nested: in the nested harness's QEMU TCG VM on this host" : "");
}

static void fmt_ns(char *buf, size_t len, const struct vcost_side *s)
{
	if (s->median && s->median->n) {
		double v = s->median->ns;

		snprintf(buf, len, v < 10 ? "%.2f" : v < 1000 ? "%.1f" : "%.0f", v);
	} else {
		snprintf(buf, len, "%s", !s->present ? "-" : s->median ? "skipped" : "failed");
	}
}

static bool has_figure(const struct vcost_side *s)
{
	return s->median && s->median->n && s->median->ns > 0;
}

void vcost_report_print(const struct vcost_report *rp, FILE *f)
{
	char label[256];

	kvm_label(rp, label, sizeof(label));
	fprintf(f, "\nvirtualization costs per operation, ns per iteration (medians)\n");
	fprintf(f, "  KVM: %s\n", label);
	fprintf(f, "  QEMU: ebb's QEMU backend (qemu-system-x86_64 -M microvm, TCG)\n");
	fprintf(f, "  ratio: QEMU / KVM, > 1: KVM ran it faster; every op includes its loop's dec; jnz\n");
	fprintf(f, "  %-36s %9s %9s %8s  %s\n", "op", "KVM", "QEMU", "ratio", "KVM statistics per op");
	for (unsigned int i = 0; i < rp->nr_rows; i++) {
		const struct vcost_row *row = &rp->rows[i];
		char k[24], q[24], ratio[24] = "-";
		unsigned int shown = 0;

		fmt_ns(k, sizeof(k), &row->kvm);
		fmt_ns(q, sizeof(q), &row->qemu);
		if (has_figure(&row->kvm) && has_figure(&row->qemu)) {
			double r = row->qemu.median->ns / row->kvm.median->ns;

			snprintf(ratio, sizeof(ratio), r < 0.1 ? "%.2gx" : "%.2fx", r);
		}
		fprintf(f, "  %-36s %9s %9s %8s ", vcost_op_title(row->name), k, q, ratio);
		if (row->kvm.median) {
			const struct vcost_rec *r = row->kvm.median;

			for (unsigned int j = 0; j < r->nr_stats; j++) {
				const char *nm = r->stat[j].name;

				if (fabs(r->stat[j].per_op) < STAT_EPSILON)
					continue;
				if (!strncmp(nm, "vcpu.", 5))
					nm += 5;
				fprintf(f, " %s %.3g", nm, r->stat[j].per_op);
				shown++;
			}
		} else if (row->kvm.status[0]) {
			fprintf(f, " %s", row->kvm.status);
			shown++;
		}
		if (!shown)
			fprintf(f, " -");
		fputc('\n', f);
		if (row->qemu.status[0] && !row->qemu.median)
			fprintf(f, "  %-36s QEMU: %s\n", "", row->qemu.status);
	}
	if (rp->nested)
		fprintf(f, "  (nested: KVM here is kvm_amd inside QEMU TCG; absolute figures mean little, "
			"compare ops with each other)\n");
}

/* ---- the JSON ---------------------------------------------------------- */

static json_t *side_json(const struct vcost_side *s, json_t *o, const char *pfx)
{
	char key[64];

	if (s->median) {
		snprintf(key, sizeof(key), "%s_iterations", pfx);
		json_object_set_new(o, key, json_integer((json_int_t)s->median->n));
		snprintf(key, sizeof(key), "%s_runs", pfx);
		json_object_set_new(o, key, json_integer(s->nr_runs));
		if (s->median->wall_ns >= 0) {
			snprintf(key, sizeof(key), "%s_host_wall_ns", pfx);
			json_object_set_new(o, key, json_real(s->median->wall_ns));
		}
	}
	if (s->status[0] && !s->median) {
		snprintf(key, sizeof(key), "%s_status", pfx);
		json_object_set_new(o, key, json_string(s->status));
	}
	return o;
}

json_t *vcost_report_json(const struct vcost_report *rp)
{
	json_t *root = json_object(), *results = json_array(), *kvm = json_deep_copy(rp->kvm_info),
	       *qemu = json_deep_copy(rp->qemu_info);
	char label[256];

	kvm_label(rp, label, sizeof(label));
	json_object_set_new(root, "bench", json_string("vcost"));
	json_object_set_new(root, "nested", json_boolean(rp->nested));
	json_object_set_new(kvm, "label", json_string(label));
	json_object_set_new(qemu, "label",
			    json_string("ebb's QEMU backend (qemu-system-x86_64 -M microvm, TCG)"));
	json_object_set_new(root, "kvm", kvm);
	json_object_set_new(root, "baseline", qemu);
	for (unsigned int i = 0; i < rp->nr_rows; i++) {
		const struct vcost_row *row = &rp->rows[i];
		json_t *r = json_object();
		char cse[160];

		snprintf(cse, sizeof(cse), "%s, on KVM%s", vcost_op_title(row->name),
			 rp->nested ? " (nested)" : "");
		json_object_set_new(r, "case", json_string(cse));
		json_object_set_new(r, "op", json_string(row->name));
		json_object_set_new(r, "metric", json_string("time_per_op"));
		json_object_set_new(r, "unit", json_string("ns"));
		json_object_set_new(r, "value", has_figure(&row->kvm) ?
				    json_real(row->kvm.median->ns) : json_null());
		if (has_figure(&row->qemu)) {
			json_object_set_new(r, "baseline", json_string("the same loop on ebb's QEMU backend (TCG)"));
			json_object_set_new(r, "baseline_value", json_real(row->qemu.median->ns));
			json_object_set_new(r, "ratio", has_figure(&row->kvm) ?
					    json_real(row->qemu.median->ns / row->kvm.median->ns) :
					    json_null());
		}
		side_json(&row->kvm, r, "kvm");
		side_json(&row->qemu, r, "qemu");
		if (row->kvm.median) {
			json_t *st = json_object();
			const struct vcost_rec *m = row->kvm.median;

			for (unsigned int j = 0; j < m->nr_stats; j++)
				if (fabs(m->stat[j].per_op) >= STAT_EPSILON)
					json_object_set_new(st, m->stat[j].name,
							    json_real(m->stat[j].per_op));
			json_object_set_new(r, "kvm_stats_per_op", st);
		}
		json_array_append_new(results, r);
	}
	json_object_set_new(root, "results", results);
	return root;
}
