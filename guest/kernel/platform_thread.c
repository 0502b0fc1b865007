// SPDX-License-Identifier: MIT
/*
 * include/guestmm/platform.h's kernel threads and wake-up events, on the
 * scheduler's kthreads and wait queues: what kswapd and kcompactd run on.
 * Events come from a static pool so that creating one never depends on
 * the allocator whose daemons they wake.
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
	unsigned long flags = arch_local_irq_save();
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
	arch_local_irq_restore(flags);
	return ev;
}

void platform_event_destroy(struct platform_event *ev)
{
	if (ev)
		ev->used = false;
}

bool platform_event_wait(struct platform_event *ev, uint64_t timeout_ns)
{
	unsigned long flags;
	bool signalled;

	if (timeout_ns)
		wait_event_timeout(&ev->wq, ev->signalled || kthread_should_stop(), timeout_ns);
	else
		wait_event(&ev->wq, ev->signalled || kthread_should_stop());
	flags = arch_local_irq_save();
	signalled = ev->signalled;
	ev->signalled = false;
	arch_local_irq_restore(flags);
	return signalled;
}

void platform_event_signal(struct platform_event *ev)
{
	unsigned long flags = arch_local_irq_save();

	ev->signalled = true;
	arch_local_irq_restore(flags);
	wake_up(&ev->wq);
}
