/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the reclaim, swap and OOM tests: a machine with a swap
 * file, workloads as registered tasks, and a look at counters.
 */
#ifndef EBB_TESTS_RECLAIM_TEST_H
#define EBB_TESTS_RECLAIM_TEST_H

#include "compaction_test.h"

#include <guestmm/meminfo.h>
#include <guestmm/mm_task.h>
#include <guestmm/psi.h>
#include <guestmm/swap.h>
#include <guestmm/vmscan.h>
#include <unistd.h>

/*
 * One node of @ram bytes from 16 MiB (DMA32 only), @cpus CPUs, and a
 * swap file of @swap_pages in $TMPDIR (none if 0), already swapped on.
 */
static inline void reclaim_test_boot(uint64_t ram, unsigned int cpus, unsigned long swap_pages)
{
	struct hosted_machine m = { .nr_nodes = 1, .nr_cpus = cpus, .phys_base = 16 * MiB,
				    .node_bytes = { ram } };
	const char *dir = getenv("TMPDIR");
	char path[256];
	int fd;

	hosted_log_quiet(true);
	ck_assert_int_eq(hosted_boot(&m), 0);
	if (!swap_pages)
		return;
	snprintf(path, sizeof(path), "%s/ebb-swap-XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(hosted_swap_setup(0, path, swap_pages), 0);
	unlink(path);		/* the open file lives on until the test's process ends */
	ck_assert_int_eq(swapon(0), 0);
}

/* A registered task with its own address space and one region of @pages. */
struct test_task {
	struct mm_task task;
	struct mm_anon *mm;
	unsigned long pages;
	volatile bool killed;
	bool done;
	unsigned long bad;		/* pages that failed their checksum */
};

static inline void test_task_killed(struct mm_task *t)
{
	container_of(t, struct test_task, task)->killed = true;
}

static inline void test_task_start(struct test_task *tt, const char *name, unsigned long pages)
{
	tt->mm = mm_anon_create();
	ck_assert_ptr_nonnull(tt->mm);
	ck_assert_int_eq(anon_map(tt->mm, ANON_BASE, pages * PAGE_SIZE, true), 0);
	tt->pages = pages;
	tt->task.name = name;
	tt->task.mm = tt->mm;
	tt->task.kill = test_task_killed;
	mm_task_register(&tt->task);
}

static inline void test_task_end(struct test_task *tt)
{
	mm_task_unregister(&tt->task);
	mm_anon_destroy(tt->mm);
}

static inline unsigned long ev(enum vm_event_item item)
{
	return sum_vm_event(item);
}

#endif
