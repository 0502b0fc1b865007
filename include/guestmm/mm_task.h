/* SPDX-License-Identifier: MIT */
/*
 * Tasks, as the memory manager sees them: the workloads of the guest (or
 * simulated programs on the hosted platform), each with its anonymous
 * address space.  The OOM killer chooses its victims among them; memory
 * stall time (psi.c) is kept per task.
 *
 * The owner registers a task from the thread that runs it (that makes
 * it the thread's current task) and unregisters it before destroying
 * its mm.  kill() is how the OOM killer tells the owner (SIGKILL): it
 * is called once, from whatever thread ran out of memory, just before
 * the task's memory is freed; it must not block or allocate.  The
 * task's accesses fail from then on; the owner stops it and
 * unregisters it.
 */
#ifndef GUESTMM_MM_TASK_H
#define GUESTMM_MM_TASK_H

#include <guestmm/anon.h>
#include <guestmm/list.h>

struct mm_task {
	const char *name;
	struct mm_anon *mm;		/* NULL: owns no memory, never a victim */
	void (*kill)(struct mm_task *t);
	void *private_data;

	/* guestmm's */
	int pid;
	bool oom_killed;
	struct list_head list;
	unsigned int memstall_depth;	/* nested stalls count once */
	uint64_t memstall_start_ns;
	uint64_t memstall_ns;		/* time stalled on memory, ever */
};

/* Register @t and make it the calling thread's current task.  Returns its pid. */
int mm_task_register(struct mm_task *t);
void mm_task_unregister(struct mm_task *t);

/* The calling thread's task, or NULL (kernel threads, unregistered callers). */
struct mm_task *mm_task_current(void);

/* Registered tasks not yet killed (the non-idle tasks of "full" stall). */
unsigned int mm_task_nr_running(void);

/* --- guestmm internal ------------------------------------------------------ */

/*
 * Call @fn for each registered task under the registry lock (it must
 * not block); stops early and returns @fn's result when it is non-zero.
 */
int mm_task_for_each(int (*fn)(struct mm_task *t, void *arg), void *arg);

/* The OOM killer's victim: no longer running.  From mm_task_for_each's @fn. */
void mm_task_mark_killed(struct mm_task *t);

#endif
