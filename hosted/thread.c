// SPDX-License-Identifier: MIT
/*
 * Kernel threads and wake-up events on POSIX threads, for the daemons
 * guestmm runs (kcompactd, kswapd).
 *
 * An event is a flag under a mutex with a condition variable.  A thread
 * records the event it sleeps on, so that platform_thread_stop() can
 * wake it without knowing what it waits for.  The stop flag and that
 * record are sequentially consistent atomics: the sleeper stores the
 * record then reads the flag, the stopper stores the flag then reads the
 * record, so at least one of them sees the other and no stop is missed.
 */
#include <guestmm/platform.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct platform_event {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool signalled;
};

struct platform_thread {
	pthread_t tid;
	int (*fn)(void *);
	void *arg;
	int result;
	bool stop;
	struct platform_event *sleeping_on;
};

static __thread struct platform_thread *current_thread;

struct platform_event *platform_event_create(void)
{
	struct platform_event *ev = calloc(1, sizeof(*ev));
	pthread_condattr_t attr;

	if (!ev)
		return NULL;
	pthread_mutex_init(&ev->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ev->cond, &attr);
	pthread_condattr_destroy(&attr);
	return ev;
}

void platform_event_destroy(struct platform_event *ev)
{
	if (!ev)
		return;
	pthread_cond_destroy(&ev->cond);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

void platform_event_signal(struct platform_event *ev)
{
	pthread_mutex_lock(&ev->lock);
	ev->signalled = true;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}

bool platform_thread_should_stop(void)
{
	struct platform_thread *t = current_thread;

	return t && __atomic_load_n(&t->stop, __ATOMIC_SEQ_CST);
}

static void set_sleeping_on(struct platform_event *ev)
{
	if (current_thread)
		__atomic_store_n(&current_thread->sleeping_on, ev, __ATOMIC_SEQ_CST);
}

bool platform_event_wait(struct platform_event *ev, uint64_t timeout_ns)
{
	struct timespec deadline;
	bool signalled;
	int rc = 0;

	set_sleeping_on(ev);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(timeout_ns / 1000000000u);
	deadline.tv_nsec += (long)(timeout_ns % 1000000000u);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&ev->lock);
	while (!ev->signalled && rc != ETIMEDOUT) {
		/* The stopper broadcasts after setting the flag: seen here. */
		if (platform_thread_should_stop())
			break;
		if (timeout_ns)
			rc = pthread_cond_timedwait(&ev->cond, &ev->lock, &deadline);
		else
			pthread_cond_wait(&ev->cond, &ev->lock);
	}
	signalled = ev->signalled;
	ev->signalled = false;
	pthread_mutex_unlock(&ev->lock);
	set_sleeping_on(NULL);
	return signalled;
}

static void *thread_main(void *p)
{
	struct platform_thread *t = p;

	current_thread = t;
	t->result = t->fn(t->arg);
	return NULL;
}

struct platform_thread *platform_thread_run(int (*fn)(void *), void *arg, const char *name)
{
	struct platform_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->tid, NULL, thread_main, t)) {
		free(t);
		return NULL;
	}
	pthread_setname_np(t->tid, name);
	return t;
}

int platform_thread_stop(struct platform_thread *t)
{
	struct platform_event *ev;
	int result;

	__atomic_store_n(&t->stop, true, __ATOMIC_SEQ_CST);
	ev = __atomic_load_n(&t->sleeping_on, __ATOMIC_SEQ_CST);
	if (ev) {
		/* Under the lock: the sleeper is either before its check or waiting. */
		pthread_mutex_lock(&ev->lock);
		pthread_cond_broadcast(&ev->cond);
		pthread_mutex_unlock(&ev->lock);
	}
	pthread_join(t->tid, NULL);
	result = t->result;
	free(t);
	return result;
}
