/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the guestmm unit tests: boot a hosted machine of a given
 * shape, and look at allocator state.  Tests are white-box: they may
 * include guestmm's internal.h.
 */
#ifndef EBB_TESTS_MM_TEST_H
#define EBB_TESTS_MM_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <guestmm/mm_check.h>
#include <guestmm/page_alloc.h>
#include <guestmm/report.h>
#include <hosted/hosted.h>

#include "../../guestmm/internal.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/*
 * Boot @nodes nodes of @bytes each with @cpus CPUs, or fail the test.
 * With @exclusive, every thread must run on a CPU id of its own and
 * per-CPU data is locked without atomics, as in the guest.
 */
static inline void mm_test_boot_cpus(int nodes, uint64_t bytes, unsigned int cpus,
				     bool exclusive)
{
	struct hosted_machine m = { .nr_nodes = nodes, .nr_cpus = cpus,
				    .exclusive_cpus = exclusive };

	for (int n = 0; n < nodes; n++)
		m.node_bytes[n] = bytes;
	hosted_log_quiet(true);
	ck_assert_int_eq(hosted_boot(&m), 0);
}

static inline void mm_test_boot(int nodes, uint64_t bytes, unsigned int cpus)
{
	mm_test_boot_cpus(nodes, bytes, cpus, false);
}

static inline struct zone *mm_zone(int nid, enum zone_type zt)
{
	return &NODE_DATA(nid)->node_zones[zt];
}

/* Fail the test, listing the violations, if any invariant is broken. */
static inline void mm_assert_invariants(void)
{
	static char buf[8192];
	struct seq_buf s;
	unsigned long bad;

	seq_buf_init(&s, buf, sizeof(buf));
	bad = mm_check_invariants(&s);
	ck_assert_msg(bad == 0, "%lu invariant violations:\n%s", bad, buf);
}

/* A report into a static buffer. */
static inline const char *mm_report(void (*fn)(struct seq_buf *))
{
	static char buf[1 << 16];
	struct seq_buf s;

	seq_buf_init(&s, buf, sizeof(buf));
	fn(&s);
	ck_assert(!seq_buf_overflowed(&s));
	return buf;
}

static inline unsigned long mm_free_pages(void)
{
	return (unsigned long)global_zone_page_state(NR_FREE_PAGES);
}

/* Count pageblocks of @mt in a zone. */
static inline unsigned long mm_blocks_of_type(struct zone *z, int mt)
{
	unsigned long n = 0;

	for (unsigned long pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += pageblock_nr_pages)
		if (get_pfnblock_migratetype(z, pfn) == mt)
			n++;
	return n;
}

#endif
