// SPDX-License-Identifier: MIT
/*
 * The task registry (include/guestmm/mm_task.h): the workloads whose
 * memory the OOM killer may take and whose stalls psi.c counts.
 */
#include "internal.h"
#include <guestmm/mm_task.h>

static struct list_head tasks = LIST_HEAD_INIT(tasks);
static spinlock_t tasks_lock = SPIN_LOCK_UNLOCKED;
static int next_pid = 1;
static unsigned int nr_running;

int mm_task_register(struct mm_task *t)
{
	unsigned long flags;

	t->oom_killed = false;
	t->memstall_depth = 0;
	t->memstall_ns = 0;
	spin_lock_irqsave(&tasks_lock, flags);
	t->pid = next_pid++;
	list_add_tail(&t->list, &tasks);
	nr_running++;
	spin_unlock_irqrestore(&tasks_lock, flags);
	*platform_current_slot() = t;
	return t->pid;
}

void mm_task_unregister(struct mm_task *t)
{
	unsigned long flags;

	spin_lock_irqsave(&tasks_lock, flags);
	list_del(&t->list);
	if (!t->oom_killed)
		nr_running--;
	spin_unlock_irqrestore(&tasks_lock, flags);
	if (*platform_current_slot() == t)
		*platform_current_slot() = NULL;
}

struct mm_task *mm_task_current(void)
{
	return *platform_current_slot();
}

unsigned int mm_task_nr_running(void)
{
	return READ_ONCE(nr_running);
}

int mm_task_for_each(int (*fn)(struct mm_task *t, void *arg), void *arg)
{
	struct mm_task *t;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&tasks_lock, flags);
	list_for_each_entry(t, &tasks, list) {
		ret = fn(t, arg);
		if (ret)
			break;
	}
	spin_unlock_irqrestore(&tasks_lock, flags);
	return ret;
}

/* The OOM killer marks its victim under the registry lock. */
void mm_task_mark_killed(struct mm_task *t)
{
	t->oom_killed = true;
	nr_running--;
}
