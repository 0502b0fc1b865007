// SPDX-License-Identifier: MIT
/*
 * Slab benchmark: nanoseconds per kmalloc+kfree pair for every kmalloc
 * class, beside glibc malloc+free of the same size timed in the same
 * process; then a burst (256 allocations, then 256 frees, which goes
 * through the per-CPU arrays' refill and flush) and a large kmalloc
 * (pages) against glibc again.
 *
 * The machine is shared: every figure is the best of RUNS runs, each
 * preceded by a warm-up.  glibc's heap trimming is turned off, as the
 * slab keeps its pages too: otherwise a burst that frees the top of the
 * heap pays a brk() system call per burst, which is not what is measured.
 *
 * The machine is booted with exclusive CPUs, as the guest runs, so the
 * per-CPU arrays are locked the guest's way (include/guestmm/cpulock.h:
 * an unlocked DEC and INC, no bus-locked instruction), like glibc's
 * per-thread tcache.
 */
#include "bench_util.h"

#include <guestmm/slab.h>
#include <hosted/hosted.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#define RUNS	9
#define BURST	256

typedef void (*bench_fn)(unsigned long iters);

static size_t cur_size;

static double best_ns(bench_fn fn, unsigned long iters)
{
	double best = 1e30;

	fn(iters / 10);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_now_ns();
		double ns;

		fn(iters);
		ns = (double)(bench_now_ns() - t0) / (double)iters;
		if (ns < best)
			best = ns;
	}
	return best;
}

static void kmalloc_pair(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		void *p = kmalloc(cur_size, GFP_KERNEL);

		bench_keep(p);
		kfree(p);
	}
}

static void glibc_pair(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		void *p = malloc(cur_size);

		bench_keep(p);
		free(p);
	}
}

static void *burst_slot[BURST];

/* @iters pairs, BURST at a time: all allocations, then all frees. */
static void kmalloc_burst(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i += BURST) {
		for (int k = 0; k < BURST; k++)
			burst_slot[k] = kmalloc(cur_size, GFP_KERNEL);
		for (int k = 0; k < BURST; k++)
			kfree(burst_slot[k]);
	}
}

static void glibc_burst(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i += BURST) {
		for (int k = 0; k < BURST; k++)
			burst_slot[k] = malloc(cur_size);
		for (int k = 0; k < BURST; k++)
			free(burst_slot[k]);
	}
}

static const unsigned int classes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

int main(void)
{
	/* Exclusive CPUs: per-CPU arrays locked the way the guest kernel locks them. */
	struct hosted_machine m = { .nr_nodes = 1, .nr_cpus = 1, .exclusive_cpus = true,
				    .node_bytes = { 1ULL << 30 } };
	struct bench *b;
	char cse[64];
	double ebb, base;

	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	hosted_log_quiet(true);
	if (hosted_boot(&m))
		return 1;
	b = bench_open("slab", false);
	printf("slab: guestmm kmalloc on the hosted platform, 1 node x 1 GiB, 1 CPU; best of %d runs\n",
	       RUNS);

	for (unsigned int c = 0; c < ARRAY_SIZE(classes); c++) {
		cur_size = classes[c];
		ebb = best_ns(kmalloc_pair, 2000000);
		base = best_ns(glibc_pair, 2000000);
		snprintf(cse, sizeof(cse), "kmalloc-%u pair", classes[c]);
		bench_compare(b, cse, "alloc+free", "ns", ebb, "glibc malloc/free", base, true);
	}

	cur_size = 64;
	ebb = best_ns(kmalloc_burst, 1 << 20);
	base = best_ns(glibc_burst, 1 << 20);
	bench_compare(b, "kmalloc-64 burst of 256", "alloc+free", "ns", ebb, "glibc malloc/free",
		      base, true);
	cur_size = 1024;
	ebb = best_ns(kmalloc_burst, 1 << 18);
	base = best_ns(glibc_burst, 1 << 18);
	bench_compare(b, "kmalloc-1k burst of 256", "alloc+free", "ns", ebb, "glibc malloc/free",
		      base, true);

	cur_size = 16384;
	ebb = best_ns(kmalloc_pair, 500000);
	base = best_ns(glibc_pair, 500000);
	bench_compare(b, "kmalloc 16KiB (pages) pair", "alloc+free", "ns", ebb, "glibc malloc/free",
		      base, true);

	return bench_close(b) ? 1 : 0;
}
