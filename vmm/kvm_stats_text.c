// SPDX-License-Identifier: MIT
/*
 * `ebb stat NAME kvm`: query-kvm-stats's answer (kvm_stats_json()) as
 * text for people.  Group by group, one row a statistic: its total over
 * the vCPUs (or the VM file's value) and a column per vCPU for the first
 * KVM_STATS_TEXT_COLS; times and sizes in readable units, histograms as
 * their count and non-zero buckets.  Whatever the host offers is shown:
 * only the answer's descriptors say what a value is.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <vmm/kvm_stats.h>

#define KVM_STATS_TEXT_COLS	8
#define NAME_W			38
#define COL_W			12

/* What a value means: from the descriptor's type, unit, base and exponent. */
struct unit {
	const char *type, *unit;
	double scale;		/* base^exponent: one raw unit in the unit */
	uint32_t bucket_size;
	unsigned int size;
};

/* @base^@exp; exponents are small (-9 for ns), the clamp only keeps the loop short. */
static double power(json_int_t base, json_int_t exp)
{
	double s = 1;

	for (json_int_t i = 0; i < (exp < 0 ? -exp : exp) && i < 400; i++)
		s *= (double)base;
	return exp < 0 ? 1 / s : s;
}

static struct unit unit_of(json_t *o)
{
	json_int_t base = json_integer_value(json_object_get(o, "base"));
	struct unit u = {
		.type = json_string_value(json_object_get(o, "type")) ?: "",
		.unit = json_string_value(json_object_get(o, "unit")) ?: "",
		.bucket_size = (uint32_t)json_integer_value(json_object_get(o, "bucket_size")),
		.size = (unsigned int)json_integer_value(json_object_get(o, "size")),
	};

	u.scale = power(base ? base : 10, json_integer_value(json_object_get(o, "exponent")));
	return u;
}

/* @v raw units as text: "1.5 ms", "12.0 MiB", "123". */
static void fmt_value(char *buf, size_t n, const struct unit *u, uint64_t v)
{
	static const char *const time_units[] = { "ns", "us", "ms", "s" };
	static const char *const byte_units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double x = (double)v * u->scale;
	unsigned int i = 0;

	if (!strcmp(u->unit, "seconds") && v) {
		for (x *= 1e9; x >= 1000 && i < 3; i++)
			x /= 1000;
		snprintf(buf, n, i ? "%.1f %s" : "%.0f %s", x, time_units[i]);
	} else if (!strcmp(u->unit, "bytes") && v) {
		for (; x >= 1024 && i < 4; i++)
			x /= 1024;
		snprintf(buf, n, i ? "%.1f %s" : "%.0f %s", x, byte_units[i]);
	} else if (!strcmp(u->unit, "cycles")) {
		snprintf(buf, n, "%.0f cyc", x);
	} else if (u->scale != 1.0) {
		snprintf(buf, n, "%g", x);
	} else {
		snprintf(buf, n, "%" PRIu64, v);
	}
}

/* The sum of a histogram's buckets. */
static uint64_t count_of(json_t *v)
{
	uint64_t count = 0;
	size_t i;
	json_t *b;

	json_array_foreach(v, i, b)
		count += (uint64_t)json_integer_value(b);
	return count;
}

/* A histogram's count, or a value, as one column. */
static void fmt_cell(char *buf, size_t n, const struct unit *u, json_t *v)
{
	if (json_is_array(v)) {
		snprintf(buf, n, "n=%" PRIu64, count_of(v));
	} else if (json_is_integer(v)) {
		fmt_value(buf, n, u, (uint64_t)json_integer_value(v));
	} else {
		snprintf(buf, n, "-");
	}
}

/* Bucket @i's range: log buckets are 0, [1, 2), [2, 4) ...; the last holds the rest. */
static void fmt_bucket(char *buf, size_t n, const struct unit *u, size_t i)
{
	uint64_t lo, hi;
	char a[32], b[32];

	if (!strcmp(u->type, "log_hist")) {
		if (i == 0) {
			snprintf(buf, n, "0");
			return;
		}
		lo = i - 1 < 64 ? 1ULL << (i - 1) : UINT64_MAX;
		hi = i < 64 ? 1ULL << i : UINT64_MAX;
	} else if (!strcmp(u->type, "linear_hist")) {
		lo = (uint64_t)i * u->bucket_size;
		hi = lo + u->bucket_size;
	} else {
		snprintf(buf, n, "[%zu]", i);
		return;
	}
	fmt_value(a, sizeof(a), u, lo);
	fmt_value(b, sizeof(b), u, hi);
	if (i + 1 == u->size)
		snprintf(buf, n, ">= %s", a);
	else
		snprintf(buf, n, "[%s, %s)", a, b);
}

static void print_buckets(FILE *f, const struct unit *u, json_t *v)
{
	const char *sep = "";
	size_t i;
	json_t *b;

	fputs("      buckets:", f);
	json_array_foreach(v, i, b) {
		char range[80];

		if (!json_integer_value(b))
			continue;
		fmt_bucket(range, sizeof(range), u, i);
		fprintf(f, "%s %s: %" JSON_INTEGER_FORMAT, sep, range, json_integer_value(b));
		sep = ",";
	}
	fputc('\n', f);
}

/* Rows of @stats (the answer's "vcpu" or "vm") in @group. */
static void print_rows(FILE *f, json_t *stats, const char *group, bool vm, unsigned int cols)
{
	const char *name;
	json_t *o;

	json_object_foreach(stats, name, o) {
		struct unit u = unit_of(o);
		json_t *total = json_object_get(o, vm ? "value" : "total");
		char cell[64], label[128];

		if (strcmp(json_string_value(json_object_get(o, "group")) ?: "", group))
			continue;
		snprintf(label, sizeof(label), "%s%s", name, vm ? " (VM)" : "");
		fmt_cell(cell, sizeof(cell), &u, total);
		fprintf(f, "  %-*s %*s", NAME_W - 2, label, COL_W, cell);
		for (unsigned int i = 0; !vm && i < cols; i++) {
			fmt_cell(cell, sizeof(cell), &u, json_array_get(json_object_get(o, "per_vcpu"), i));
			fprintf(f, " %*s", COL_W, cell);
		}
		fputc('\n', f);
		if (json_is_array(total) && count_of(total))
			print_buckets(f, &u, total);
	}
}

/* Whether any statistic of @stats is in @group. */
static bool group_used(json_t *stats, const char *group)
{
	const char *name;
	json_t *o;

	json_object_foreach(stats, name, o)
		if (!strcmp(json_string_value(json_object_get(o, "group")) ?: "", group))
			return true;
	return false;
}

void kvm_stats_print(FILE *f, const char *name, json_t *r)
{
	json_t *vcpu = json_object_get(r, "vcpu"), *vm = json_object_get(r, "vm");
	unsigned int nr = (unsigned int)json_integer_value(json_object_get(r, "vcpus"));
	unsigned int cols = nr < KVM_STATS_TEXT_COLS ? nr : KVM_STATS_TEXT_COLS;

	if (!json_is_true(json_object_get(r, "available"))) {
		fprintf(f, "%s: no KVM statistics: %s\n", name,
			json_string_value(json_object_get(r, "why")) ?: "unknown why");
		return;
	}
	fprintf(f, "KVM statistics of %s (%s, %u vCPU%s%s)\n", name,
		json_string_value(json_object_get(r, "id")) ?: "no VM file", nr, nr == 1 ? "" : "s",
		nr > cols ? "; columns for the first 8" : "");
	for (const struct kvm_stats_group *g = kvm_stats_groups; g->key; g++) {
		if (!group_used(vcpu, g->key) && !group_used(vm, g->key))
			continue;
		fprintf(f, "\n%-*s %*s", NAME_W, g->title, COL_W, "total");
		for (unsigned int i = 0; i < cols; i++) {
			char col[16];

			snprintf(col, sizeof(col), "vcpu%u", i);
			fprintf(f, " %*s", COL_W, col);
		}
		fputc('\n', f);
		print_rows(f, vcpu, g->key, false, cols);
		print_rows(f, vm, g->key, true, cols);
	}
}
