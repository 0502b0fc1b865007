// SPDX-License-Identifier: MIT
/*
 * What every workload shares: the `run` command that starts one as a
 * kernel thread, and the timing and reporting of its allocations.
 */
#include <guest/control.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/workload.h>
#include <guestmm/mmzone.h>
#include <guestmm/page_alloc.h>

/* --- latency histograms ---------------------------------------------- */

static unsigned int lat_bucket(uint64_t ns)
{
	unsigned int msb, sub;

	if (ns < (1u << LAT_SUB_BITS))
		return (unsigned int)ns;
	msb = 63 - (unsigned int)__builtin_clzll(ns);
	sub = (unsigned int)(ns >> (msb - LAT_SUB_BITS)) & ((1u << LAT_SUB_BITS) - 1);
	return ((msb - LAT_SUB_BITS + 1) << LAT_SUB_BITS) + sub;
}

/* The upper bound of bucket @b, the value a percentile reports. */
static uint64_t lat_bucket_value(unsigned int b)
{
	unsigned int group = b >> LAT_SUB_BITS, sub = b & ((1u << LAT_SUB_BITS) - 1);

	if (!group)
		return sub;
	return ((uint64_t)((1u << LAT_SUB_BITS) + sub + 1) << (group - 1)) - 1;
}

void lat_hist_add(struct lat_hist *h, uint64_t ns)
{
	unsigned int b = lat_bucket(ns);

	h->buckets[b < LAT_BUCKETS ? b : LAT_BUCKETS - 1]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

uint64_t lat_hist_percentile(const struct lat_hist *h, unsigned int per_mille)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	rank = (h->count * per_mille + 999) / 1000;
	if (!rank)
		rank = 1;
	for (unsigned int b = 0; b < LAT_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank)
			return min(lat_bucket_value(b), h->max_ns);
	}
	return h->max_ns;
}

unsigned long total_kswapd_wakeups(void)
{
	unsigned long n = 0;
	int nid;

	for_each_online_node(nid)
		n += __atomic_load_n(&NODE_DATA(nid)->kswapd_wakeups, __ATOMIC_RELAXED);
	return n;
}

void alloc_stats_add(struct alloc_stats *st, unsigned long wakeups_before, uint64_t ns)
{
	lat_hist_add(total_kswapd_wakeups() != wakeups_before ? &st->slow : &st->fast, ns);
}

struct page *workload_alloc_pages(struct alloc_stats *st, gfp_t gfp, unsigned int order)
{
	unsigned long wakeups = total_kswapd_wakeups();
	uint64_t t0 = rdtsc();
	struct page *page = alloc_pages(gfp, order);

	if (!page)
		st->failed++;
	alloc_stats_add(st, wakeups, tsc_ns_since(t0));	/* possibly on another CPU */
	return page;
}

void lat_hist_report(const char *name, const char *what, const struct lat_hist *h)
{
	if (!h->count) {
		kprintf("%s: %s: n=0\n", name, what);
		return;
	}
	kprintf("%s: %s: n=%lu mean=%lluns p50=%lluns p90=%lluns p99=%lluns "
		"p99.9=%lluns max=%lluns\n", name, what, h->count,
		(unsigned long long)(h->sum_ns / h->count),
		(unsigned long long)lat_hist_percentile(h, 500),
		(unsigned long long)lat_hist_percentile(h, 900),
		(unsigned long long)lat_hist_percentile(h, 990),
		(unsigned long long)lat_hist_percentile(h, 999), (unsigned long long)h->max_ns);
}

void alloc_stats_report(const char *name, const struct alloc_stats *st)
{
	lat_hist_report(name, "alloc latency fast path", &st->fast);
	lat_hist_report(name, "alloc latency slow path", &st->slow);
}

void format_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes >= (1ULL << 30) && !(bytes & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(bytes >> 10));
}

void *workload_alloc_array(size_t n, size_t elem_size, unsigned int *order)
{
	size_t bytes = n * elem_size;
	unsigned int o = 0;

	while ((PAGE_SIZE << o) < bytes)
		o++;
	if (o > MAX_ORDER)
		return NULL;
	*order = o;
	return __get_free_pages(GFP_KERNEL | __GFP_ZERO, o);
}

/* --- run, jobs, kill ------------------------------------------------ */

/*
 * A running workload.  Its number is its thread's pid, which `run ... &`
 * prints as "[N] wl/NAME" and `jobs`, `kill N` and the control channel's
 * "* job N done status S" event use.  A slot is taken and released under
 * the scheduler's lock: the console shell and the control channel both run
 * commands, on any CPU, and `wait` tests the slots in wait_event().  While a slot
 * is in use its task is alive (the job releases the slot before it
 * exits), so `kill` may reach the task through it.
 */
struct job {
	const struct workload *w;
	struct task_struct *task;
	int id;
	bool used;
	bool background;
	struct tty_output *out;		/* the starter's output (foreground only) */
	unsigned int threads;		/* --threads N: copies running at once */
	int argc;
	char *argv[SHELL_MAX_ARGS + 1];
	char strings[512];
};

#define MAX_JOBS	8
static struct job jobs[MAX_JOBS];
static DECLARE_WAIT_QUEUE_HEAD(job_done_wq);	/* `wait` */

/* Another copy of the job's workload (--threads), and the CPU it ended on. */
struct job_copy {
	struct job *job;
	unsigned int cpu;
};

static int job_helper(void *arg)
{
	struct job_copy *c = arg;
	int ret;

	current->out = c->job->out;
	ret = c->job->w->fn(c->job->argc, c->job->argv);
	c->cpu = smp_processor_id();
	return ret;
}

/*
 * --threads N: N - 1 helper threads and this one each run the workload
 * with the same arguments, one per CPU: copy i is pinned to CPU i modulo
 * the CPUs online, so each CPU's per-CPU page lists and slab arrays serve
 * one copy, whatever else runs.  A stop request (kill) reaches the helpers
 * through this thread; the status is the first non-zero one.
 */
static int job_run_threads(struct job *job)
{
	struct task_struct *helpers[MAX_WORKLOAD_THREADS];
	struct job_copy copies[MAX_WORKLOAD_THREADS];	/* [0] is this thread */
	unsigned int n = 0, cpus = READ_ONCE(nr_cpus_online);
	char comm[TASK_COMM_LEN], line[64 + MAX_WORKLOAD_THREADS * 4];
	int ret, r, pos;

	for (unsigned int i = 1; i < job->threads; i++) {
		snprintf(comm, sizeof(comm), "wl/%s/%u", job->w->name, i);
		copies[i] = (struct job_copy){ .job = job };
		helpers[n] = kthread_run_held_on(job_helper, &copies[i], comm, i % cpus);
		if (!helpers[n]) {
			kprintf("%s: only %u of %u threads\n", job->w->name, n + 1, job->threads);
			break;
		}
		n++;
	}
	sched_pin_current(0);
	ret = job->w->fn(job->argc, job->argv);
	copies[0].cpu = smp_processor_id();
	sched_pin_current(-1);
	for (unsigned int i = 0; i < n; i++) {
		if (kthread_should_stop())
			kthread_request_stop(helpers[i]);
		r = task_wait(helpers[i]);
		if (!ret)
			ret = r;
	}
	/* One line, one kprintf: other output must not land inside it. */
	pos = snprintf(line, sizeof(line), "%s: %u copies ended on CPUs", job->w->name, n + 1);
	for (unsigned int i = 0; i <= n && pos < (int)sizeof(line); i++)
		pos += snprintf(line + pos, sizeof(line) - (size_t)pos, " %u", copies[i].cpu);
	kprintf("%s\n", line);
	return ret;
}

static int job_thread(void *arg)
{
	struct job *job = arg;
	uint64_t t0 = clock_ns_since_boot();
	unsigned long flags;
	bool background;
	int ret, id;

	/* Set here, not by the starter: on another CPU the job may end first. */
	flags = sched_lock_irqsave();
	job->task = current;
	job->id = current->pid;
	sched_unlock_irqrestore(flags);
	/* A foreground job prints where `run` was typed (or asked for). */
	current->out = job->out;
	ret = job->threads > 1 ? job_run_threads(job) : job->w->fn(job->argc, job->argv);
	kprintf("%s: done in %llu ms, status %d\n", job->w->name,
		(unsigned long long)((clock_ns_since_boot() - t0) / NSEC_PER_MSEC), ret);
	flags = sched_lock_irqsave();
	id = job->id;
	background = job->background;
	job->used = false;
	sched_unlock_irqrestore(flags);
	wake_up(&job_done_wq);
	if (background)
		control_event("job %d done status %d", id, ret);
	return ret;
}

static const struct workload *find_workload(const char *name)
{
	for (const struct workload *w = __workloads_start; w < __workloads_end; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}

static struct job *job_slot_get(void)
{
	unsigned long flags = sched_lock_irqsave();
	struct job *job = NULL;

	for (int i = 0; i < MAX_JOBS; i++) {
		if (!jobs[i].used) {
			job = &jobs[i];
			memset(job, 0, sizeof(*job));
			job->used = true;
			break;
		}
	}
	sched_unlock_irqrestore(flags);
	return job;
}

static int cmd_run(int argc, char **argv)
{
	const struct workload *w;
	struct task_struct *t;
	struct job *job;
	bool background = false;
	char comm[TASK_COMM_LEN];
	size_t off = 0;

	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		background = true;
		argc--;
	}
	if (argc < 2 || !(w = find_workload(argv[1]))) {
		if (argc >= 2)
			kprintf("run: %s: no such workload\n", argv[1]);
		kprintf("usage: run WORKLOAD [--threads N] ARGS... [&]\n");
		for (w = __workloads_start; w < __workloads_end; w++)
			kprintf("  run %-10s %-28s %s\n", w->name, w->usage, w->help);
		return 1;
	}
	job = job_slot_get();
	if (!job) {
		kprintf("run: too many workloads running\n");
		return 1;
	}
	/* The thread outlives the caller's line buffer: copy the arguments. */
	job->w = w;
	job->argc = 0;
	job->threads = 1;
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		unsigned long long nthreads;

		if (i > 1 && !strcmp(argv[i], "--threads")) {
			if (i + 1 >= argc || kstrtoull(argv[i + 1], 10, &nthreads) || !nthreads ||
			    nthreads > MAX_WORKLOAD_THREADS) {
				kprintf("run: --threads takes 1..%d\n", MAX_WORKLOAD_THREADS);
				job->used = false;
				return 1;
			}
			job->threads = (unsigned int)nthreads;
			i++;
			continue;
		}
		if (off + len > sizeof(job->strings)) {
			kprintf("run: arguments too long\n");
			job->used = false;
			return 1;
		}
		memcpy(job->strings + off, argv[i], len);
		job->argv[job->argc++] = job->strings + off;
		off += len;
	}
	job->argv[job->argc] = NULL;
	job->background = background;
	job->out = background ? NULL : current->out;

	snprintf(comm, sizeof(comm), "wl/%s", w->name);
	t = background ? kthread_run(job_thread, job, comm) : kthread_run_held(job_thread, job, comm);
	if (!t) {
		job->used = false;
		return 1;
	}
	if (background) {
		kprintf("[%d] %s\n", t->pid, comm);
		return 0;
	}
	return task_wait(t);
}
SHELL_COMMAND(run, "run", "WORKLOAD [--threads N] ARGS... [&]",
	      "run a workload, N copies at once (run alone lists them)", cmd_run);

static int cmd_jobs(int argc, char **argv)
{
	for (int i = 0; i < MAX_JOBS; i++) {
		unsigned long flags = sched_lock_irqsave();
		struct job *j = &jobs[i];
		char line[sizeof(j->strings) + 64];
		size_t n = 0;

		/* Format with interrupts off: the job may end meanwhile. */
		if (j->used && j->id) {
			n = (size_t)snprintf(line, sizeof(line), "[%d] %-8s %s", j->id,
					     j->task->should_stop ? "Stopping" : "Running",
					     j->w->name);
			for (int a = 1; a < j->argc && n < sizeof(line); a++)
				n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", j->argv[a]);
			if (n < sizeof(line))
				snprintf(line + n, sizeof(line) - n, "%s", j->background ? " &" : "");
		}
		sched_unlock_irqrestore(flags);
		if (n)
			kprintf("%s\n", line);
	}
	return 0;
}
SHELL_COMMAND(jobs, "jobs", "", "list running workloads", cmd_jobs);

static int cmd_kill(int argc, char **argv)
{
	unsigned long long id;
	unsigned long flags;
	bool found = false;

	if (argc != 2 || kstrtoull(argv[1][0] == '%' ? argv[1] + 1 : argv[1], 10, &id)) {
		kprintf("usage: kill JOB\n");
		return 2;
	}
	flags = sched_lock_irqsave();
	for (int i = 0; i < MAX_JOBS; i++) {
		if (jobs[i].used && jobs[i].id && (unsigned long long)jobs[i].id == id) {
			__kthread_request_stop(jobs[i].task);
			found = true;
		}
	}
	sched_unlock_irqrestore(flags);
	if (!found) {
		kprintf("kill: %llu: no such job\n", id);
		return 1;
	}
	return 0;
}
SHELL_COMMAND(kill, "kill", "JOB", "ask a workload to stop", cmd_kill);

/* Under the scheduler's lock (wait_event): is a background job still running? */
static bool background_jobs_running(void)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].used && jobs[i].background)
			return true;
	return false;
}

static int cmd_wait(int argc, char **argv)
{
	wait_event(&job_done_wq, !background_jobs_running());
	return 0;
}
SHELL_COMMAND(wait, "wait", "", "wait for every background workload to end", cmd_wait);
