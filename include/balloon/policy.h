/* SPDX-License-Identifier: MIT */
/*
 * Balloon policies: pure functions from recorded signals to new balloon
 * targets (balloon/policy/).  The controller (policy_ctl.h) collects one
 * struct policy_sample per tick from the host and from every VM; a policy
 * looks at the previous and the current sample and at its own per-VM
 * state, and writes one target per VM.  Nothing here does I/O, reads a
 * clock or keeps hidden state, so a policy replays the same decisions on a
 * recorded trace (tests/unit/test_policy*.c).
 *
 * Sizes are "the memory the guest should have" (QEMU's and libvirt's
 * balloon semantics: RAM minus the balloon), in bytes.
 */
#ifndef EBB_BALLOON_POLICY_H
#define EBB_BALLOON_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_VMS		64
#define POLICY_NAME_MAX		65

/*
 * One VM at one tick.  Counters are cumulative, as the guest reports them
 * (virtio-balloon stats, ebb's 0xeb00.. tags); the policies difference
 * two samples.  has_stats is false until the guest sent its first stats
 * buffer: then only the host-side figures are known.
 */
struct policy_vm {
	char name[POLICY_NAME_MAX];
	uint64_t ram;		/* RAM the VM was started with: the largest target */
	uint64_t target;	/* the size asked for (RAM - balloon target) */
	uint64_t actual;	/* the size the guest has now (RAM - balloon actual) */
	uint64_t rss;		/* host memory the VM holds (VMM RSS), 0 unknown */
	bool has_stats;
	uint64_t free;		/* guest free-memory */
	uint64_t avail;		/* guest available-memory (free + reclaimable) */
	uint64_t total;		/* guest total-memory */
	uint64_t swap_in, swap_out;	/* bytes, cumulative */
	uint64_t major_faults, minor_faults;
	uint64_t oom_kills;
	uint64_t stall_us;	/* memory stall (PSI "some" total), microseconds */
	uint32_t stall_avg10;	/* PSI "some" avg10, percent x 100 */
	uint64_t infl_reclaim, infl_swap;	/* last inflation: from the LRU, to swap */
	bool has_kvm_exits;	/* ebb's KVM backend with KVM's statistics (not QEMU) */
	uint64_t kvm_exits;	/* every vCPU's exits to the host, cumulative */
};

/*
 * The host at one tick.  avail is what the VMs may still take: with a
 * budget, budget minus the VMs' RSS; without, /proc/meminfo MemAvailable.
 * total is what avail is a share of (the budget, or MemTotal).
 */
struct policy_host {
	uint64_t budget;	/* 0: none */
	uint64_t total;
	uint64_t avail;
	uint64_t psi_some_us;	/* /proc/pressure/memory some total (or the cgroup's) */
	double psi_some_avg10;	/* percent */
};

struct policy_sample {
	uint64_t t_ns;		/* monotonic */
	struct policy_host host;
	unsigned int nr_vms;
	struct policy_vm vm[POLICY_MAX_VMS];
};

/*
 * Every policy's knobs in one place, so `--set KEY=VALUE` and the
 * documentation (docs/balloon-policy.md, `ebb balloond --knobs`) come from
 * one table (balloon/policy/knobs.c).  Fractions are 0..1; sizes bytes.
 */
struct policy_knobs {
	double tick_s;			/* controller period */
	/* static */
	uint64_t static_size;		/* guest size; 0: an even share of the budget */
	/* mom (oVirt MOM's balloon.rules) */
	double mom_pressure;		/* host free share under which guests shrink */
	double mom_critical;		/* ... under which guests are pushed into swap */
	double mom_min_free;		/* guest free share each guest keeps */
	double mom_max_change;		/* largest change per tick, share of current size */
	double mom_min_change;		/* smallest change worth making */
	/* stall (senpai) */
	double stall_target;		/* stall share to hold (0.001 = 0.1%) */
	double stall_interval_s;	/* window the stall is measured over */
	double stall_max_probe;		/* largest shrink per window, share of size */
	double stall_max_backoff;	/* largest growth per window, share of size */
	double stall_coeff_probe;	/* shrink gain: probe * (1 - stall/target) */
	double stall_coeff_backoff;	/* growth gain: backoff * (stall/target - 1) */
	/* ebb */
	uint64_t ebb_headroom_min;	/* free memory a guest keeps at the least */
	double ebb_headroom;		/* ... and as a share of what it uses */
	double ebb_active_headroom;	/* headroom share for a guest that is growing */
	double ebb_lookahead_s;		/* a faulting guest's headroom: faults/s * this */
	uint64_t ebb_reclaim_rate;	/* bytes/s an idle guest may shrink by */
	uint64_t ebb_fault_idle;	/* faults/s under which a guest counts as idle */
	unsigned int ebb_idle_ticks;	/* quiet ticks before a guest is idle */
	double ebb_busy_hold_s;		/* ... quiet seconds, once it has been busy */
	double ebb_stall_max;		/* stall share that makes a guest grow at once */
	double ebb_host_psi;		/* host PSI avg10 (%) that halves headrooms */
	/* common */
	uint64_t min_size;		/* no target below this */
	double budget_slack;		/* share of the budget kept free */
};

/*
 * A policy's memory of one VM between ticks (the controller keeps it,
 * zeroed at start).  Each policy uses the fields it needs.
 */
struct policy_vm_state {
	uint64_t target;		/* last target set, 0: none yet */
	unsigned int quiet_ticks;	/* ebb: ticks without faults, stall or swap-in */
	double quiet_s;			/* ebb: ... and their seconds */
	bool was_busy;			/* ebb: it has grown in a busy tick */
	uint64_t window_t0_ns;		/* stall: start of the current window */
	uint64_t window_stall0_us;	/*        stall counter then */
};

struct policy;

struct policy_ops {
	const char *name;
	const char *help;
	/*
	 * @prev may be NULL (first tick).  Writes @targets[i] for each VM
	 * of @cur; a target equal to the current one means "leave it".
	 */
	void (*decide)(const struct policy_knobs *k, struct policy_vm_state *st,
		       const struct policy_sample *prev, const struct policy_sample *cur,
		       uint64_t *targets);
};

extern const struct policy_ops policy_static, policy_mom, policy_stall, policy_ebb;

/* By name ("static", "mom", "stall", "ebb"); NULL if unknown. */
const struct policy_ops *policy_find(const char *name);
/* "ebb", the default, first; NULL-terminated. */
extern const struct policy_ops *const policy_all[];

/* Defaults for every knob. */
void policy_knobs_default(struct policy_knobs *k);
/* "KEY=VALUE" (sizes take K/M/G).  0, or -1 with a message. */
int policy_knob_set(struct policy_knobs *k, const char *kv, char *err, size_t errlen);
/* Each knob: key, default, what it does; one a line. */
void policy_knobs_print(const struct policy_knobs *k, void *file);

/* Helpers the policies share (balloon/policy/sample.c). */
/* Seconds between two samples (0 if @prev is NULL). */
double policy_dt(const struct policy_sample *prev, const struct policy_sample *cur);
/* Counter delta per second of VM @i, 0 when either sample lacks it. */
double policy_rate(const struct policy_sample *prev, const struct policy_sample *cur,
		   unsigned int i, size_t field_offset);
#define POLICY_RATE(prev, cur, i, field) \
	policy_rate(prev, cur, i, offsetof(struct policy_vm, field))
/* The guest's memory in use: actual size minus available (0 without stats). */
uint64_t policy_used(const struct policy_vm *v);
/* Clamp a target to [max(min_size, 0), ram], 4 KiB aligned. */
uint64_t policy_clamp(const struct policy_knobs *k, const struct policy_vm *v, uint64_t t);

#endif
