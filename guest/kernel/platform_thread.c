// SPDX-License-Identifier: MIT
/*
 * include/guestmm/platform.h's kernel threads and wake-up events, on the
 * scheduler's kthreads and wait queues: what kswapd and kcompactd run on.
 * Events come from a static pool so that creating one never depends on
 * the allocator whose daemons they wake.  The pool and the flags are
 * changed under the scheduler's lock, which the waiters' test shares.
 */
#include <guest/sched.h>
#include <guest/time.h>
#include <guestmm/platform.h>

#define MAX_EVENTS	32

struct platform_event {
	bool used;
	bool signalled;
	struct wait_queue_head wq;
};

static struct platform_event events[MAX_EVENTS];

struct platform_thread *platform_thread_run(int (*fn)(void *), void *arg, const char *name)
{
	return (struct platform_thread *)kthread_run_held(fn, arg, name);
}

int platform_thread_stop(struct platform_thread *t)
{
	return kthread_stop((struct task_struct *)t);
}

bool platform_thread_should_stop(void)
{
	return kthread_should_stop();
}

struct platform_event *platform_event_create(void)
{
	unsigned long flags = sched_lock_irqsave();
	struct platform_event *ev = NULL;

	for (int i = 0; i < MAX_EVENTS; i++) {
		if (!events[i].used) {
			ev = &events[i];
			ev->used = true;
			ev->signalled = false;
			init_waitqueue_head(&ev->wq);
			break;
		}
	}
	sched_unlock_irqrestore(flags);
	return ev;
}

void platform_event_destroy(struct platform_event *ev)
{
	unsigned long flags;

	if (!ev)
		return;
	flags = sched_lock_irqsave();
	ev->used = false;
	sched_unlock_irqrestore(flags);
}

bool platform_event_wait(struct platform_event *ev, uint64_t timeout_ns)
{
	unsigned long flags;
	bool signalled;

	if (timeout_ns)
		wait_event_timeout(&ev->wq, ev->signalled || kthread_should_stop(), timeout_ns);
	else
		wait_event(&ev->wq, ev->signalled || kthread_should_stop());
	flags = sched_lock_irqsave();
	signalled = ev->signalled;
	ev->signalled = false;
	sched_unlock_irqrestore(flags);
	return signalled;
}

void platform_event_signal(struct platform_event *ev)
{
	unsigned long flags = sched_lock_irqsave();

	ev->signalled = true;
	sched_unlock_irqrestore(flags);
	wake_up(&ev->wq);
}
