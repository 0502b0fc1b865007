/* SPDX-License-Identifier: MIT */
/*
 * Workloads: memory exercises that run as kernel threads, started with
 * `run NAME ARGS...` from the shell or ebb.init, each in its own file:
 *
 *   WORKLOAD(anon, "anon", "SIZE [seq|random|hotcold]", "touch anonymous memory", run_anon);
 *
 * `run` waits for the workload to end (append `&` to run it in the
 * background).  Each prints a report when it ends, in a common shape:
 * throughput, allocation latency percentiles split into fast path and
 * slow path, and faults.
 */
#ifndef GUEST_WORKLOAD_H
#define GUEST_WORKLOAD_H

#include <guest/sched.h>
#include <guestmm/compiler.h>
#include <guestmm/gfp.h>
#include <guestmm/page.h>

struct workload {
	const char *name;
	const char *usage;
	const char *help;
	/* Runs in its own thread; argv[0] is the workload's name. 0: success. */
	int (*fn)(int argc, char **argv);
};

#define WORKLOAD(id, name_, usage_, help_, fn_)					\
	static const struct workload __workload_##id				\
	__attribute__((used, section(".workloads." #id), aligned(8))) = {	\
		.name = name_, .usage = usage_, .help = help_, .fn = fn_ }

extern const struct workload __workloads_start[], __workloads_end[];

/*
 * `kill JOB` asks a workload to stop; it checks between steps, cleans up
 * and returns WORKLOAD_KILLED (128 + SIGTERM, what a shell reports).
 */
#define WORKLOAD_KILLED	143

/* `run WORKLOAD --threads N ...`: at most this many copies at once. */
#define MAX_WORKLOAD_THREADS	16

static inline bool workload_should_stop(void)
{
	return kthread_should_stop();
}

/*
 * Allocation latency, as a log-linear histogram (16 sub-buckets per power
 * of two: percentiles within about 6%), kept apart for allocations served
 * by the fast path and those that went to the slow path.
 */
#define LAT_SUB_BITS	4
#define LAT_BUCKETS	(64 << LAT_SUB_BITS)

struct lat_hist {
	unsigned long count;
	uint64_t sum_ns, max_ns;
	uint32_t buckets[LAT_BUCKETS];
};

struct alloc_stats {
	struct lat_hist fast, slow;
	unsigned long failed;
};

void lat_hist_add(struct lat_hist *h, uint64_t ns);
uint64_t lat_hist_percentile(const struct lat_hist *h, unsigned int per_mille);

/*
 * alloc_pages() timed and classified.  The slow path's first step wakes
 * kswapd on every node it may use, which guestmm counts in
 * pgdat->kswapd_wakeups: a change across the call marks a slow-path
 * allocation (exact for gfp masks with __GFP_KSWAPD_RECLAIM, which all
 * the workloads use; another task allocating at the same moment could be
 * misattributed, which on one CPU needs a preemption inside the call).
 */
struct page *workload_alloc_pages(struct alloc_stats *st, gfp_t gfp, unsigned int order);

/*
 * The same classification for an allocation the caller timed itself (a
 * first-touch page fault): total_kswapd_wakeups() read before it, and
 * how long it took.
 */
unsigned long total_kswapd_wakeups(void);
void alloc_stats_add(struct alloc_stats *st, unsigned long wakeups_before, uint64_t ns);

/* Print "NAME: alloc latency fast path: n=... p50=... p90=... p99=... p99.9=... max=..." */
void alloc_stats_report(const char *name, const struct alloc_stats *st);
/* Print "NAME: WHAT: n=... mean=... p50=... p90=... p99=... p99.9=... max=..." */
void lat_hist_report(const char *name, const char *what, const struct lat_hist *h);

/* A small fast PRNG (xorshift64*), one state per workload. */
static inline uint64_t prandom_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Sizes and rates as people read them. */
void format_size(char *buf, size_t len, uint64_t bytes);
/* A page-sized array of pointers big enough for @n entries; NULL if none. */
void *workload_alloc_array(size_t n, size_t elem_size, unsigned int *order);

#endif
