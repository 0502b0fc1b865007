// SPDX-License-Identifier: MIT
/*
 * guestmm's platform interface on POSIX.
 */
#include <hosted/hosted.h>
#include <guestmm/platform.h>

#include "internal.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Each thread plays a CPU.  Without exclusive CPUs, ids are handed out in
 * turn and threads may share them (guestmm then locks per-CPU data with
 * atomics).  With exclusive CPUs each id is claimed by one thread at a
 * time, like a real CPU, and a claim on a held id is a bug reported at
 * once; kernel threads and threads that never chose get the lowest free id.
 */
static __thread int hosted_cpu = -1;
static unsigned int hosted_next_cpu;
static unsigned int hosted_nr_cpus = 1;
static bool hosted_exclusive;
static pthread_mutex_t cpu_lock = PTHREAD_MUTEX_INITIALIZER;
static bool cpu_taken[NR_CPUS];
static pthread_key_t cpu_key;
static pthread_once_t cpu_key_once = PTHREAD_ONCE_INIT;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_buf;
static size_t log_size, log_len;
static bool log_quiet;

static void release_cpu_locked(void)
{
	if (hosted_cpu >= 0)
		cpu_taken[hosted_cpu] = false;
	hosted_cpu = -1;
}

/* A thread that exits gives its CPU back. */
static void cpu_key_destructor(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cpu_lock);
	release_cpu_locked();
	pthread_mutex_unlock(&cpu_lock);
}

static void cpu_key_create(void)
{
	pthread_key_create(&cpu_key, cpu_key_destructor);
}

static void claim_cpu_locked(unsigned int cpu)
{
	if (hosted_exclusive && cpu_taken[cpu]) {
		fprintf(stderr, "hosted: CPU %u already belongs to another thread, and this "
			"machine promised exclusive CPUs (struct hosted_machine)\n", cpu);
		abort();
	}
	cpu_taken[cpu] = true;
	hosted_cpu = (int)cpu;
	pthread_once(&cpu_key_once, cpu_key_create);
	pthread_setspecific(cpu_key, &hosted_cpu);
}

void hosted_set_cpu(unsigned int cpu)
{
	pthread_mutex_lock(&cpu_lock);
	release_cpu_locked();
	claim_cpu_locked(cpu % hosted_nr_cpus);
	pthread_mutex_unlock(&cpu_lock);
}

void hosted_release_cpu(void)
{
	pthread_mutex_lock(&cpu_lock);
	release_cpu_locked();
	pthread_mutex_unlock(&cpu_lock);
}

void hosted_set_nr_cpus(unsigned int n, bool exclusive)
{
	pthread_mutex_lock(&cpu_lock);
	hosted_nr_cpus = n ? n : 1;
	hosted_exclusive = exclusive;
	memset(cpu_taken, 0, sizeof(cpu_taken));
	hosted_cpu = -1;
	pthread_mutex_unlock(&cpu_lock);
}

static unsigned int claim_some_cpu(void)
{
	unsigned int cpu;

	pthread_mutex_lock(&cpu_lock);
	if (!hosted_exclusive) {
		cpu = __atomic_fetch_add(&hosted_next_cpu, 1, __ATOMIC_RELAXED) % hosted_nr_cpus;
		claim_cpu_locked(cpu);
		pthread_mutex_unlock(&cpu_lock);
		return cpu;
	}
	for (cpu = 0; cpu < hosted_nr_cpus; cpu++) {
		if (!cpu_taken[cpu]) {
			claim_cpu_locked(cpu);
			pthread_mutex_unlock(&cpu_lock);
			return cpu;
		}
	}
	fprintf(stderr, "hosted: more threads use guestmm than the machine has exclusive "
		"CPUs (%u)\n", hosted_nr_cpus);
	abort();
}

unsigned int platform_cpu_id(void)
{
	if (__builtin_expect(hosted_cpu < 0, 0))
		return claim_some_cpu();
	return (unsigned int)hosted_cpu;
}

static int membarrier_cmd = -1;

/*
 * Barriers on all our threads: the expedited private membarrier (IPIs to
 * the CPUs running them) when it can be registered, else the global one
 * (slower, same guarantee).
 */
int hosted_membarrier_init(void)
{
	long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0) {
		membarrier_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
		return 0;
	}
	if (cmds > 0 && (cmds & MEMBARRIER_CMD_GLOBAL)) {
		membarrier_cmd = MEMBARRIER_CMD_GLOBAL;
		return 0;
	}
	fprintf(stderr, "hosted: exclusive CPUs need the membarrier system call, "
		"which this kernel does not offer\n");
	return -1;
}

void platform_membarrier(void)
{
	if (membarrier_cmd < 0)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* atomics mode: locks order everything */
	else if (syscall(__NR_membarrier, membarrier_cmd, 0, 0))
		platform_panic("membarrier failed");
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
