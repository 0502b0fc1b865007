/* SPDX-License-Identifier: MIT */
/*
 * The balloon controller around the policies (include/balloon/policy.h):
 * where the signals come from (VMs behind ebb control sockets or libvirt,
 * the host), the tick that collects them, asks the policy and applies its
 * targets, and what is written down (CSV timeline, JSON summary, plots).
 */
#ifndef EBB_BALLOON_POLICY_CTL_H
#define EBB_BALLOON_POLICY_CTL_H

#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include <balloon/policy.h>

/*
 * One VM the controller steers.  A source fills the sample and applies a
 * target; @ctx is its own.
 */
struct policy_source_ops {
	const char *kind;		/* "ebb", "libvirt" */
	/* Fill @v (name and ram stay as open set them).  0, or -1: VM gone. */
	int (*sample)(void *ctx, struct policy_vm *v);
	/* The guest should have @bytes.  0 or -1. */
	int (*set_target)(void *ctx, uint64_t bytes);
	void (*close)(void *ctx);
};

struct policy_target {
	const struct policy_source_ops *ops;
	void *ctx;
	char name[POLICY_NAME_MAX];
	uint64_t ram;
};

/*
 * One request to ebb VM @name's control socket (steals @req), through
 * vmm/control/client.c: the "return" value (a new reference), or NULL
 * with a message.
 */
json_t *policy_ebb_call(const char *name, json_t *req, int timeout_ms, char *err,
			size_t errlen);
/* An ebb VM by name (its control socket).  0, or -1 with a message. */
int policy_ebb_open(const char *name, struct policy_target *t, char *err, size_t errlen);
/* Every ebb VM with a live socket, up to @max.  How many. */
unsigned int policy_ebb_open_all(struct policy_target *t, unsigned int max);

/*
 * Every active domain of libvirt connection @uri (NULL: libvirt's
 * default), stats every @period_s seconds.  How many, or -1 with a message.
 */
int policy_libvirt_open_all(const char *uri, int period_s, struct policy_target *t,
			    unsigned int max, char *err, size_t errlen);

/*
 * The host side: a budget (0: none) and where pressure is read.  With a
 * budget, avail is budget - sum(VM RSS); without, MemAvailable.
 */
struct policy_host_src {
	uint64_t budget;
	char psi_path[256];		/* /proc/pressure/memory or a cgroup's memory.pressure */
};
void policy_host_sample(const struct policy_host_src *h, const struct policy_sample *s,
			struct policy_host *out);

/*
 * The memory cgroup that enforces an experiment's budget
 * (balloon/policy/cgroup.c): v2 where the unified hierarchy is at
 * /sys/fs/cgroup, else v1's memory controller.
 */
struct policy_cgroup {
	char dir[256];			/* "" none */
	bool v2;
	uint64_t limit;
};

/*
 * Make cgroup @name under @parent (NULL: the root of the memory
 * hierarchy) limited to @limit bytes.  0, or -1 with why (nothing left
 * behind).
 */
int policy_cgroup_make(struct policy_cgroup *cg, const char *parent, const char *name,
		       uint64_t limit, char *err, size_t errlen);
/* Move process @pid in (its later children follow).  0 or -errno. */
int policy_cgroup_add(const struct policy_cgroup *cg, pid_t pid);
bool policy_cgroup_has(const struct policy_cgroup *cg, pid_t pid);
/* The limit the kernel holds, 0 unreadable. */
uint64_t policy_cgroup_limit(const struct policy_cgroup *cg);
/* path, version, limit_mib, peak_mib, limit_hits, oom_kills (-1: unknown). */
json_t *policy_cgroup_json(const struct policy_cgroup *cg);
/* Remove it (empty by now).  0, or -1 with why. */
int policy_cgroup_remove(struct policy_cgroup *cg, char *err, size_t errlen);

struct policy_ctl {
	const struct policy_ops *policy;	/* NULL: observe only */
	struct policy_knobs knobs;
	struct policy_host_src host;
	unsigned int nr;
	struct policy_target vm[POLICY_MAX_VMS];
	struct policy_vm_state st[POLICY_MAX_VMS];
	struct policy_sample prev, cur;
	bool have_prev;
	uint64_t sets, set_errors;
};

/*
 * One tick: sample host and VMs into ctl->cur, ask the policy, apply the
 * targets that changed (by at least a page).  A VM whose source fails is
 * left out of this tick (has_stats false).  Returns the number of targets
 * set.
 */
unsigned int policy_ctl_tick(struct policy_ctl *c, uint64_t now_ns);
void policy_ctl_close(struct policy_ctl *c);

/*
 * The timeline: one CSV row per tick, wide (gnuplot plots columns):
 * t_s, host_avail_mib, host_psi_avg10, total_rss_mib, then per VM
 * NAME_target_mib, NAME_actual_mib, NAME_rss_mib, NAME_free_mib,
 * NAME_swapin_mib, NAME_swapout_mib, NAME_stall_pct, NAME_oom_kills.
 */
#define POLICY_CSV_VM_COLS	8
void policy_csv_header(FILE *f, const struct policy_sample *s);
void policy_csv_row(FILE *f, uint64_t t0_ns, const struct policy_sample *prev,
		    const struct policy_sample *s);

#define POLICY_MAX_RUNS		64

/*
 * Workload slowdown against the baseline, by phase: the ramp is run 1
 * (it faults the working set in, host pages included), the busy phase
 * the warm runs after it.  A phase's ratio is its mean run time over the
 * baseline's mean in the same phase, each over all the runs it made (the
 * two sides fit different numbers of runs into the same window, and run N
 * does not fall at the same moment on both: pairing runs one by one
 * compares a run that overlapped another VM's ramp with one that did not).
 */
/* Phase [@from, @to) of the runs: mean / baseline's mean - 1, percent; 0 and !*@ok if either has none. */
double policy_phase_slowdown(const double *run, unsigned int nrun, const double *base,
			     unsigned int nbase, unsigned int from, unsigned int to, bool *ok);
/*
 * Both phases, weighted by the baseline's time in each: how much longer
 * the baseline's own sequence of runs would take at this run's speeds
 * (percent).  A phase only one side reached is left out.  0 and !*@ok
 * when no phase is in both.
 */
double policy_slowdown(const double *run, unsigned int nrun, const double *base,
		       unsigned int nbase, bool *ok);

/*
 * What a run amounted to, kept up to date tick by tick.  An idle guest is
 * one the experiment never gives work (the runner says which); its
 * "halved" time counts from the start.
 */
struct policy_vm_figures {
	bool idle;
	double t_half_s;		/* first time actual <= ram / 2, -1 never */
	double peak_stall;		/* largest stall share over a tick */
	uint64_t oom_kills0, oom_kills;	/* at the start, latest */
	/*
	 * The runner's workload runs, in order, timed (s), and those of the
	 * unconstrained baseline run of the same experiment.  Run 1 is the
	 * ramp (it faults the working set in), later runs find it warm, so
	 * slowdown compares phase with phase (policy_slowdown).
	 */
	double run_s[POLICY_MAX_RUNS], base_run_s[POLICY_MAX_RUNS];
	unsigned int runs, base_runs;
	unsigned int failures;		/* runner: runs that failed (out of memory ...) */
};

struct policy_figures {
	uint64_t t0_ns;
	double settle_s;		/* RSS counted against the budget after this */
	unsigned int nr;
	uint64_t ram_total;
	uint64_t peak_rss, peak_rss_settled;
	double rss_sum, actual_sum;	/* integrals over ticks, for the means */
	unsigned int ticks;
	struct policy_vm_figures vm[POLICY_MAX_VMS];
};

void policy_figures_start(struct policy_figures *f, const struct policy_sample *s,
			  double settle_s);
void policy_figures_add(struct policy_figures *f, const struct policy_sample *prev,
			const struct policy_sample *s);
/* The JSON summary (docs/balloon-policy.md lists its fields). */
json_t *policy_summary_json(const struct policy_figures *f, const struct policy_sample *last,
			    const char *policy, const struct policy_knobs *k);

/* Write DIR/NAME.gp and run gnuplot on it for DIR/memory.png, DIR/stall.png. 0 or -1. */
int policy_plot(const char *dir, const char *csv, const struct policy_sample *s,
		uint64_t budget, char *err, size_t errlen);

#endif
