// SPDX-License-Identifier: MIT
/*
 * Reclaim and swap benchmark, on the hosted platform (one node of
 * 256 MiB, no DMA zone, swap on a file under build/bench/):
 *
 *   swap-out     128 MiB of resident anonymous pages reclaimed to swap
 *                (shrink_all_memory): MiB/s written, beside plain
 *                sequential writes of the same bytes in swap's batch size
 *                (128 KiB pwrite) to a file in the same directory, in the
 *                same run (target: at least 70% of the plain rate).  Both
 *                files are 1 GiB, written through once beforehand (as a
 *                swap file is made), and each run writes the next 128 MiB
 *                of them, as swap's cluster allocator does
 *   swap-in      random reads of swapped-out pages through the software
 *                MMU (fault, swap-in, map): latency percentiles, beside a
 *                4 KiB pread at random offsets of the same file
 *   stall        a workload of twice RAM (512 MiB) with a 16 MiB hot set,
 *                streamed twice with kswapd running: the memory stall
 *                (PSI some/full) as a share of its run time
 *
 * Throughput is the best of RUNS (2 shared cores: the least disturbed).
 */
#include "bench_util.h"

#include <guestmm/anon.h>
#include <guestmm/pte.h>
#include <guestmm/mm_task.h>
#include <guestmm/psi.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>
#include <hosted/hosted.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../guestmm/internal.h"

#define RUNS		5
#define BASE		0x40000000UL
#define RAM		(256UL << 20)
#define OUT_PAGES	(128UL << 20 >> PAGE_SHIFT)
#define SWAP_PAGES	(1024UL << 20 >> PAGE_SHIFT)
#define SEQ_CHUNK	(SWAP_BATCH * PAGE_SIZE)
#define SWAPIN_SAMPLES	20000
#define STALL_PAGES	(2 * RAM >> PAGE_SHIFT)
#define HOT_PAGES	(16UL << 20 >> PAGE_SHIFT)

static const char swap_path[] = "build/bench/reclaim.swap";
static const char seq_path[] = "build/bench/reclaim.seq";

static void access_page(struct mm_anon *mm, unsigned long i, bool write)
{
	uint64_t v = i;

	if (hosted_access(mm->as, BASE + i * PAGE_SIZE, &v, sizeof(v), write)) {
		fprintf(stderr, "reclaim bench: access failed at page %lu\n", i);
		exit(1);
	}
}

static double mib_per_s(unsigned long pages, uint64_t ns)
{
	return (double)pages * PAGE_SIZE / (1 << 20) / ((double)ns / 1e9);
}

/* Swap out @mm's OUT_PAGES resident pages; returns ns, *pages written. */
static uint64_t swap_out_all(unsigned long *pages)
{
	unsigned long before = sum_vm_event(PSWPOUT);
	uint64_t t0 = bench_now_ns();

	shrink_all_memory(OUT_PAGES);
	t0 = bench_now_ns() - t0;
	*pages = sum_vm_event(PSWPOUT) - before;
	return t0;
}

static uint64_t seq_write_at(int fd, const char *buf, unsigned long pages, unsigned long at)
{
	uint64_t t0 = bench_now_ns();

	for (unsigned long off = 0; off < pages * PAGE_SIZE; off += SEQ_CHUNK) {
		if (pwrite(fd, buf + off, SEQ_CHUNK, (off_t)(at + off)) != (ssize_t)SEQ_CHUNK) {
			perror("reclaim bench: sequential write");
			exit(1);
		}
	}
	return bench_now_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, unsigned int n, double p)
{
	return (double)v[(unsigned int)(p / 100.0 * (n - 1))];
}

static uint64_t lat_ebb[SWAPIN_SAMPLES], lat_pread[SWAPIN_SAMPLES];

static void swapin_latency(struct bench *b, struct mm_anon *mm, int seq_fd)
{
	char page[PAGE_SIZE];
	unsigned int n = 0;

	srand(1);
	for (unsigned int s = 0; s < SWAPIN_SAMPLES; s++) {
		unsigned long i = (unsigned long)rand() % OUT_PAGES;
		uint64_t t0;

		if (!pte_is_swap(platform_pte_read(mm->as, BASE + i * PAGE_SIZE)))
			continue;	/* already in: not a swap-in */
		t0 = bench_now_ns();
		access_page(mm, i, false);
		lat_ebb[n] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (pread(seq_fd, page, PAGE_SIZE, (off_t)(i * PAGE_SIZE)) != PAGE_SIZE)
			exit(1);
		lat_pread[n++] = bench_now_ns() - t0;
	}
	qsort(lat_ebb, n, sizeof(lat_ebb[0]), cmp_u64);
	qsort(lat_pread, n, sizeof(lat_pread[0]), cmp_u64);
	printf("reclaim: %u swap-ins sampled\n", n);
	bench_compare(b, "swap-in of a random page (fault, read, map)", "p50 latency", "ns",
		      pct(lat_ebb, n, 50), "4 KiB pread, same file", pct(lat_pread, n, 50), true);
	bench_compare(b, "swap-in of a random page (fault, read, map)", "p90 latency", "ns",
		      pct(lat_ebb, n, 90), "4 KiB pread, same file", pct(lat_pread, n, 90), true);
	bench_compare(b, "swap-in of a random page (fault, read, map)", "p99 latency", "ns",
		      pct(lat_ebb, n, 99), "4 KiB pread, same file", pct(lat_pread, n, 99), true);
	bench_figure(b, "swap-in of a random page (fault, read, map)", "max latency", "ns",
		     (double)lat_ebb[n - 1]);
}

static void stall(struct bench *b)
{
	struct mm_task task = { .name = "overcommit" };
	struct psi_memory before, after;
	struct mm_anon *mm = mm_anon_create();
	uint64_t t0, ns;

	anon_map(mm, BASE, STALL_PAGES * PAGE_SIZE, true);
	task.mm = mm;
	mm_task_register(&task);
	psi_memory_read(&before);
	t0 = bench_now_ns();
	for (unsigned long i = 0; i < STALL_PAGES; i++)
		access_page(mm, i, true);
	for (int round = 0; round < 2; round++) {
		for (unsigned long i = HOT_PAGES; i < STALL_PAGES; i++) {
			access_page(mm, i, false);
			if (i % 256 == 0)
				for (unsigned long h = 0; h < HOT_PAGES; h += 8)
					access_page(mm, h, false);
		}
	}
	ns = bench_now_ns() - t0;
	psi_memory_read(&after);
	printf("reclaim: overcommit run %.2f s, pswpout %lu, pswpin %lu, refaults %ld\n",
	       (double)ns / 1e9, sum_vm_event(PSWPOUT), sum_vm_event(PSWPIN),
	       global_node_page_state(WORKINGSET_REFAULT_ANON));
	bench_figure(b, "2x RAM workload, 16 MiB hot set, kswapd", "memory stall some", "%",
		     100.0 * (double)(after.some_total_us - before.some_total_us) * 1000 / (double)ns);
	bench_figure(b, "2x RAM workload, 16 MiB hot set, kswapd", "memory stall full", "%",
		     100.0 * (double)(after.full_total_us - before.full_total_us) * 1000 / (double)ns);
	bench_figure(b, "2x RAM workload, 16 MiB hot set, kswapd", "some avg10 at end", "%",
		     (double)after.some_avg[0] / 100);
	mm_task_unregister(&task);
	mm_anon_destroy(mm);
}

int main(void)
{
	struct hosted_machine m = { .nr_nodes = 1, .nr_cpus = 2, .phys_base = 16ULL << 20,
				    .node_bytes = { RAM } };
	double best_swap = 0, best_seq = 0;
	struct mm_anon *mm = NULL;
	unsigned long written = 0;
	struct bench *b;
	char *buf;
	int seq_fd;

	hosted_log_quiet(true);
	buf = malloc(OUT_PAGES * PAGE_SIZE);
	if (!buf || hosted_boot(&m) || hosted_swap_setup(0, swap_path, SWAP_PAGES))
		return 1;
	memset(buf, 0x5a, OUT_PAGES * PAGE_SIZE);
	/*
	 * Both files written through once first, as a swap file is made
	 * (dd, then mkswap): what is timed is writing to allocated blocks.
	 */
	seq_fd = open(swap_path, O_WRONLY);
	for (unsigned long done = 0; seq_fd >= 0 && done < SWAP_PAGES; done += OUT_PAGES)
		seq_write_at(seq_fd, buf, OUT_PAGES, done * PAGE_SIZE);
	close(seq_fd);
	if (swapon(0))
		return 1;
	seq_fd = open(seq_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (seq_fd < 0)
		return 1;
	for (unsigned long done = 0; done < SWAP_PAGES; done += OUT_PAGES)
		seq_write_at(seq_fd, buf, OUT_PAGES, done * PAGE_SIZE);
	b = bench_open("reclaim", false);
	printf("reclaim: guestmm on the hosted platform, 1 node x 256 MiB, 2 CPUs, swap file "
	       "%s; best of %d runs\n", swap_path, RUNS);

	for (int r = 0; r < RUNS; r++) {
		uint64_t ns;
		double rate;

		if (mm)
			mm_anon_destroy(mm);
		mm = mm_anon_create();
		anon_map(mm, BASE, OUT_PAGES * PAGE_SIZE, true);
		for (unsigned long i = 0; i < OUT_PAGES; i++)
			access_page(mm, i, true);
		ns = swap_out_all(&written);
		rate = mib_per_s(written, ns);
		best_swap = rate > best_swap ? rate : best_swap;
		/*
		 * Swap moves on through its clusters, dirtying new file pages
		 * each run; so does the baseline, through a file as large.
		 */
		rate = mib_per_s(OUT_PAGES, seq_write_at(seq_fd, buf, OUT_PAGES,
							 (r * OUT_PAGES % SWAP_PAGES) * PAGE_SIZE));
		best_seq = rate > best_seq ? rate : best_seq;
	}
	printf("reclaim: %lu of %lu pages written out per run\n", written, OUT_PAGES);
	bench_compare(b, "swap-out of 128 MiB of anonymous pages", "throughput", "MiB/s",
		      best_swap, "sequential 128 KiB pwrite, same file system", best_seq, false);
	swapin_latency(b, mm, seq_fd);
	mm_anon_destroy(mm);

	if (kswapd_run(0))
		return 1;
	stall(b);
	kswapd_stop(0);
	close(seq_fd);
	unlink(seq_path);
	unlink(swap_path);
	free(buf);
	return bench_close(b) ? 1 : 0;
}
