// SPDX-License-Identifier: MIT
#include "bench_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct bench {
	char *name;
	json_t *root;
	json_t *results;
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bench *bench_open(const char *name, bool nested)
{
	struct bench *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->name = strdup(name);
	b->root = json_object();
	b->results = json_array();
	json_object_set_new(b->root, "bench", json_string(name));
	json_object_set_new(b->root, "nested", json_boolean(nested));
	json_object_set(b->root, "results", b->results);
	return b;
}

static json_t *result(struct bench *b, const char *cse, const char *metric,
		      const char *unit, double value)
{
	json_t *r = json_object();

	json_object_set_new(r, "case", json_string(cse));
	json_object_set_new(r, "metric", json_string(metric));
	json_object_set_new(r, "unit", json_string(unit));
	json_object_set_new(r, "value", json_real(value));
	json_array_append_new(b->results, r);
	return r;
}

void bench_figure(struct bench *b, const char *cse, const char *metric,
		  const char *unit, double value)
{
	result(b, cse, metric, unit, value);
}

void bench_compare(struct bench *b, const char *cse, const char *metric,
		   const char *unit, double value, const char *baseline,
		   double baseline_value, bool lower_is_better)
{
	json_t *r = result(b, cse, metric, unit, value);
	double ratio = lower_is_better ? baseline_value / value : value / baseline_value;

	json_object_set_new(r, "baseline", json_string(baseline));
	json_object_set_new(r, "baseline_value", json_real(baseline_value));
	json_object_set_new(r, "ratio", json_real(ratio));
}

int bench_close(struct bench *b)
{
	char path[512];
	size_t i;
	json_t *r;
	int rc = 0;

	printf("\n%s%s\n", b->name, json_is_true(json_object_get(b->root, "nested")) ?
	       " (nested: compare ratios, not absolute figures)" : "");
	printf("  %-30s %-14s %12s %-6s  %-26s %12s %8s\n", "case", "metric", "ebb", "unit",
	       "baseline", "baseline", "ratio");
	json_array_foreach(b->results, i, r) {
		json_t *base = json_object_get(r, "baseline");

		printf("  %-30s %-14s %12.2f %-6s", json_string_value(json_object_get(r, "case")),
		       json_string_value(json_object_get(r, "metric")),
		       json_real_value(json_object_get(r, "value")),
		       json_string_value(json_object_get(r, "unit")));
		if (base)
			printf("  %-26s %12.2f %7.2fx", json_string_value(base),
			       json_real_value(json_object_get(r, "baseline_value")),
			       json_real_value(json_object_get(r, "ratio")));
		printf("\n");
	}

	if (mkdir("build", 0755) && errno != EEXIST)
		rc = -1;
	if (mkdir("build/bench", 0755) && errno != EEXIST)
		rc = -1;
	snprintf(path, sizeof(path), "build/bench/%s.json", b->name);
	if (rc || json_dump_file(b->root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(6))) {
		fprintf(stderr, "bench: cannot write %s\n", path);
		rc = -1;
	} else {
		printf("  -> %s\n", path);
	}
	json_decref(b->results);
	json_decref(b->root);
	free(b->name);
	free(b);
	return rc;
}
