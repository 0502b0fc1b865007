/* SPDX-License-Identifier: MIT */
/*
 * Shared by the C benchmarks: a clock, a table on stdout, and the JSON
 * file every benchmark writes (build/bench/NAME.json, the shape
 * docs/BENCHMARKS.md describes).  A ratio is always "how many times
 * better ebb did": baseline/ebb for times, ebb/baseline for rates.
 */
#ifndef EBB_BENCH_UTIL_H
#define EBB_BENCH_UTIL_H

#include <stdbool.h>
#include <stdint.h>

struct bench;

struct bench *bench_open(const char *name, bool nested);

/* A figure with no baseline. */
void bench_figure(struct bench *b, const char *cse, const char *metric,
		  const char *unit, double value);

/*
 * A figure beside a baseline measured in the same run.  @lower_is_better
 * says whether the unit is a time (ns, ms) or a rate (MiB/s, %).
 */
void bench_compare(struct bench *b, const char *cse, const char *metric,
		   const char *unit, double value, const char *baseline,
		   double baseline_value, bool lower_is_better);

/* Print the table and write build/bench/NAME.json; returns 0 or -1. */
int bench_close(struct bench *b);

uint64_t bench_now_ns(void);

/* Keep the compiler from optimizing a value away. */
#define bench_keep(v) __asm__ volatile("" : : "r"(v) : "memory")

#endif
