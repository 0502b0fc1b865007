// SPDX-License-Identifier: MIT
/*
 * guestmm's platform interface on POSIX.
 */
#include <hosted/hosted.h>
#include <guestmm/platform.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static __thread int hosted_cpu = -1;
static unsigned int hosted_next_cpu;
static unsigned int hosted_nr_cpus = 1;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_buf;
static size_t log_size, log_len;
static bool log_quiet;

void hosted_set_cpu(unsigned int cpu)
{
	hosted_cpu = (int)(cpu % hosted_nr_cpus);
}

void hosted_set_nr_cpus(unsigned int n);
void hosted_set_nr_cpus(unsigned int n)
{
	hosted_nr_cpus = n ? n : 1;
}

unsigned int platform_cpu_id(void)
{
	/* A thread that never said which CPU it is gets the next one in turn. */
	if (__builtin_expect(hosted_cpu < 0, 0))
		hosted_cpu = (int)(__atomic_fetch_add(&hosted_next_cpu, 1, __ATOMIC_RELAXED) %
				   hosted_nr_cpus);
	return (unsigned int)hosted_cpu;
}

void platform_cpu_relax(void)
{
	static __thread unsigned int spins;

	__builtin_ia32_pause();
	/* Threads can be preempted holding a lock: don't burn the time slice. */
	if ((++spins & 63) == 0)
		sched_yield();
}

unsigned long platform_irq_save(void)
{
	return 0;
}

void platform_irq_restore(unsigned long flags)
{
	(void)flags;
}

void platform_yield(void)
{
	sched_yield();
}

uint64_t platform_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hosted_log_capture(char *buf, size_t size)
{
	pthread_mutex_lock(&log_lock);
	log_buf = buf;
	log_size = size;
	log_len = 0;
	if (buf && size)
		buf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

void hosted_log_quiet(bool quiet)
{
	log_quiet = quiet;
}

void platform_log(const char *msg, size_t len)
{
	pthread_mutex_lock(&log_lock);
	if (log_buf) {
		size_t room = log_size - log_len;

		if (room > 1) {
			size_t n = len < room - 2 ? len : room - 2;

			memcpy(log_buf + log_len, msg, n);
			log_len += n;
			log_buf[log_len++] = '\n';
			log_buf[log_len] = '\0';
		}
	} else if (!log_quiet) {
		fprintf(stderr, "%.*s\n", (int)len, msg);
	}
	pthread_mutex_unlock(&log_lock);
}

void platform_panic(const char *msg)
{
	fprintf(stderr, "guestmm panic: %s\n", msg);
	abort();
}
