// SPDX-License-Identifier: MIT
/*
 * run badaccess [read|write|readonly]: a workload that makes the mistake
 * a buggy program makes, to show it costs the task, not the kernel.  It
 * maps one writable page and one read-only page in its own address space
 * (task_mm.h), uses them correctly, then
 *
 *   read      reads the page after its mapping (in no region)
 *   write     writes there
 *   readonly  writes to the read-only page
 *
 * The page fault cannot be resolved; the kernel reports a segfault the
 * way Linux does and the task lands back at its catch point with
 * SIGSEGV.  It ends with status 128 + 11, the guest goes on.
 */
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/task_mm.h>
#include <guest/workload.h>
#include <guestmm/anon.h>

enum bad_kind { BAD_READ, BAD_WRITE, BAD_READONLY };
static const char *const kind_names[] = { "read", "write", "readonly" };

#define RW_PAGE		(TASK_MM_BASE)
#define RO_PAGE		(TASK_MM_BASE + 2 * PAGE_SIZE)
#define HOLE_PAGE	(TASK_MM_BASE + PAGE_SIZE)

/* Kept out of registers: the catch point restores those. */
struct bad_run {
	enum bad_kind kind;
	unsigned long good_accesses;
};

static void misbehave(struct bad_run *b)
{
	volatile uint64_t *rw = (uint64_t *)RW_PAGE, *ro = (uint64_t *)RO_PAGE;
	volatile uint64_t *hole = (uint64_t *)HOLE_PAGE;

	rw[0] = 0x5eedULL;			/* first touch: a page faults in */
	b->good_accesses += rw[0] == 0x5eedULL;
	b->good_accesses += ro[0] == 0;		/* a read-only page reads as zeroes */
	switch (b->kind) {
	case BAD_READ:
		(void)hole[0];
		break;
	case BAD_WRITE:
		hole[0] = 1;
		break;
	case BAD_READONLY:
		ro[0] = 1;
		break;
	}
}

static int run_badaccess(int argc, char **argv)
{
	struct bad_run run = { .kind = BAD_WRITE };
	struct bad_run *b = &run;
	struct mm_task mt = { 0 };
	struct fault_catch fc;
	struct mm_anon *mm;
	int sig, ret = 1;

	if (argc > 1) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(kind_names); i++)
			if (!strcmp(argv[1], kind_names[i]))
				break;
		if (i == ARRAY_SIZE(kind_names)) {
			kprintf("usage: run badaccess [read|write|readonly]\n");
			return 1;
		}
		b->kind = (enum bad_kind)i;
	}
	mm = mm_anon_create();
	if (!mm || anon_map(mm, RW_PAGE, PAGE_SIZE, true) < 0 ||
	    anon_map(mm, RO_PAGE, PAGE_SIZE, false) < 0) {
		kprintf("badaccess: cannot create the address space\n");
		goto out;
	}
	task_mm_attach(&mt, mm);
	sig = task_catch_faults(&fc);
	if (!sig)
		misbehave(b);
	task_uncatch_faults();
	task_mm_detach(&mt);

	kprintf("badaccess: %s: %lu good accesses, then %s\n", kind_names[b->kind],
		b->good_accesses, sig == SIGSEGV ? "SIGSEGV" : sig ? "another signal" : "no fault");
	ret = sig ? 128 + sig : 1;
out:
	if (mm)
		mm_anon_destroy(mm);
	return ret;
}
WORKLOAD(badaccess, "badaccess", "[read|write|readonly]", "make a bad memory access (segfault)",
	 run_badaccess);
