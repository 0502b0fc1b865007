// SPDX-License-Identifier: MIT
/*
 * The balloon's throughput and latency, driver and device in one process
 * through the loopback transport (include/hosted/balloon_loopback.h): inflate
 * and deflate 256 MiB of memory the guest had touched (MiB/s, and how
 * much of it left the process's RSS), and free page reporting's latency
 * from freeing 200 MiB to 90% of it reported.  Not nested: the device
 * discards with MADV_DONTNEED from hosted RAM, as the VMM does from a
 * guest without a memfd; the KVM figures come from tests/e2e.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <guest/virtio_balloon.h>
#include <guestmm/page_alloc.h>
#include <hosted/balloon_loopback.h>
#include <hosted/hosted.h>

#include "bench_util.h"

#define MACHINE		(1ULL << 30)
#define BALLOON		(256ULL << 20)
#define FREED		(200ULL << 20)

static struct loopback lb;

static uint32_t actual(void)
{
	struct balloon_dev_info i;

	balloon_dev_info(&lb.dev, &i);
	return i.actual;
}

/* Allocate and touch @bytes, then free it: resident, free memory. */
static void touch_and_free(uint64_t bytes)
{
	unsigned long n = bytes / PAGE_SIZE, got = 0;
	struct page **pages = calloc(n, sizeof(*pages));

	while (got < n && (pages[got] = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NORETRY))) {
		memset(page_address(pages[got]), 1, PAGE_SIZE);
		got++;
	}
	while (got)
		__free_page(pages[--got]);
	free(pages);
}

/* Time for the balloon to reach @pages, in ns. */
static uint64_t move_to(uint32_t pages)
{
	uint64_t t0 = bench_now_ns();

	balloon_dev_set_target(&lb.dev, pages);
	while (actual() != pages)
		usleep(100);
	return bench_now_ns() - t0;
}

static uint64_t reported(void)
{
	struct balloon_dev_info i;

	balloon_dev_info(&lb.dev, &i);
	return i.counters.reported;
}

int main(void)
{
	struct hosted_machine m = { .nr_nodes = 1, .node_bytes = { MACHINE }, .nr_cpus = 2 };
	struct balloon_dev_config cfg = { .reporting = true };
	struct bench *b = bench_open("balloon", false);
	uint64_t ns, rss0, rss1, r0, t0;
	uint32_t pages = BALLOON / PAGE_SIZE;

	hosted_log_quiet(true);
	if (!b || hosted_boot(&m) || loopback_create(&lb, &cfg, &virtio_balloon_driver))
		return 1;
	/* Reporting off for the inflate figures: a day's delay, then on. */
	balloon_write("report_delay_ms 60000");
	touch_and_free(MACHINE * 3 / 4);
	rss0 = guest_mem_resident(&lb.mem);
	ns = move_to(pages);
	rss1 = guest_mem_resident(&lb.mem);
	bench_figure(b, "inflate 256 MiB (loopback)", "throughput", "MiB/s",
		     (double)(BALLOON >> 20) / ((double)ns / 1e9));
	bench_figure(b, "inflate 256 MiB (loopback)", "rss_returned", "%",
		     100.0 * (double)(rss0 - rss1) / (double)BALLOON);
	ns = move_to(0);
	bench_figure(b, "deflate 256 MiB (loopback)", "throughput", "MiB/s",
		     (double)(BALLOON >> 20) / ((double)ns / 1e9));

	balloon_write("report_delay_ms 250");
	usleep(600000);			/* the first pass reports what is idle now */
	touch_and_free(FREED);
	r0 = reported();
	t0 = bench_now_ns();
	while (reported() - r0 < FREED / PAGE_SIZE * 9 / 10 && bench_now_ns() - t0 < 10000000000ULL)
		usleep(1000);
	bench_figure(b, "report 90% of 200 MiB freed (delay 250 ms)", "latency", "ms",
		     (double)(bench_now_ns() - t0) / 1e6);
	balloon_remove();
	loopback_destroy(&lb);
	return bench_close(b) ? 1 : 0;
}
