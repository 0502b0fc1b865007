/* SPDX-License-Identifier: MIT */
/*
 * The virtualization-cost benchmark, host side (docs/virtualization-costs.md).
 *
 *   vcost kvm GUEST.elf            run the guest on /dev/kvm; records on stdout
 *   vcost qemu [--ebb EBB] GUEST.elf  the same under ebb's QEMU backend (TCG)
 *   vcost report [--nested] [--json PATH] KVM.txt QEMU.txt
 *
 * The runners turn the guest's report lines (bench/vcost/proto.h) into
 * records, one per timed run, in a line format of their own so that a
 * runner in the nested harness can send them back over its console.
 * `report` takes the median run of each op on each side, prints the
 * table and writes the JSON (the shape of DESIGN.md "Measuring").
 */
#ifndef EBB_BENCH_VCOST_H
#define EBB_BENCH_VCOST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define VCOST_NAME_MAX		32
#define VCOST_STAT_NAME_MAX	64	/* "vcpu." or "vm." and KVM's name */
#define VCOST_MAX_STATS		96
#define VCOST_STATUS_MAX	160
#define VCOST_MAX_OPS		64

#define VCOST_REC_PREFIX	"vcost-rec "
#define VCOST_INFO_PREFIX	"vcost-info "

/* Defaults the runners give the guest (its command line). */
#define VCOST_TARGET_US		20000	/* guest time per timed run */
#define VCOST_REPS		3	/* timed runs per op; the report takes the median */
#define VCOST_MEM		(512ULL << 20)
#define VCOST_HANG_S		30	/* no line or mark for this long: the op hangs */

/* ---- the guest's report lines --------------------------------------- */

enum vcost_msg_type {
	VCOST_MSG_HELLO,	/* nr_ops, from */
	VCOST_MSG_OP,		/* op, name: starting it */
	VCOST_MSG_RUN,		/* op, name, rep, n, cycles, base */
	VCOST_MSG_FAULT,	/* op, vec, err, rip, cr2 */
	VCOST_MSG_DONE,
};

struct vcost_msg {
	enum vcost_msg_type type;
	unsigned int op;
	char name[VCOST_NAME_MAX];
	unsigned int rep;
	uint64_t n, cycles, base;
	uint64_t nr_ops, from;
	uint64_t vec, err, rip, cr2;
};

/*
 * Parse one line of the guest's console (without its newline).  0 and
 * @m filled for a report line, -1 for anything else (other output, a
 * report line cut short).
 */
int vcost_msg_parse(const char *line, struct vcost_msg *m);

/* ---- records: what a runner measured --------------------------------- */

/* A KVM statistic's change over a timed run, net of the base, per iteration. */
struct vcost_stat {
	char name[VCOST_STAT_NAME_MAX];	/* "vcpu.exits", "vm.pages_4k" */
	double per_op;
};

/* One timed run of an op on one backend, or why the op has none. */
struct vcost_rec {
	char backend[8];		/* "kvm", "qemu" */
	unsigned int op;
	char name[VCOST_NAME_MAX];
	unsigned int rep;
	uint64_t n;			/* iterations (the tick op: ticks) */
	double ns;			/* per iteration, net of the base; guest TSC */
	double wall_ns;			/* host clock between the marks, per iteration; < 0: none */
	char status[VCOST_STATUS_MAX];	/* "": measured; else why there is no figure */
	unsigned int nr_stats;
	struct vcost_stat stat[VCOST_MAX_STATS];
};

/* Print the record of an op that has no figure on @backend, and say so on stderr. */
void vcost_rec_failed(const char *backend, unsigned int op, const char *name, const char *why);

/* "vcost-rec BACKEND OP NAME rep=R n=N ns=X [wall_ns=W] [STAT=V ...]" or "... status=WHY". */
void vcost_rec_print(FILE *f, const struct vcost_rec *r);
/* 0, or -1 for a line that is not a whole record. */
int vcost_rec_parse(const char *line, struct vcost_rec *r);

/* The ns per iteration of a run line, net of its base, at @tsc_khz. */
double vcost_run_ns(const struct vcost_msg *m, uint64_t tsc_khz);

/*
 * A record of a run line: op, name, rep, n and ns at @tsc_khz, no wall
 * time nor statistics yet; a run of no iterations gets a status instead.
 */
void vcost_rec_from_run(struct vcost_rec *r, const char *backend, const struct vcost_msg *m,
			uint64_t tsc_khz);

/* ---- the host's TSC ---------------------------------------------------- */

/* The host TSC's rate against CLOCK_MONOTONIC_RAW over ~200 ms, in kHz. */
uint64_t vcost_host_tsc_khz(void);

/* ---- the report -------------------------------------------------------- */

/* One side of a row: an op's runs on a backend, and their median. */
struct vcost_side {
	bool present;			/* the backend said anything about the op */
	struct vcost_rec *runs;		/* the measured ones, sorted by ns once finished */
	unsigned int nr_runs;
	const struct vcost_rec *median;	/* NULL: none measured */
	char status[VCOST_STATUS_MAX];	/* why the op has no figure, if it said */
};

struct vcost_row {
	unsigned int op;
	char name[VCOST_NAME_MAX];
	struct vcost_side kvm, qemu;
};

struct vcost_report {
	bool nested;			/* the KVM ran in the nested harness */
	unsigned int nr_rows;
	struct vcost_row rows[VCOST_MAX_OPS];
	json_t *kvm_info, *qemu_info;	/* the runners' vcost-info keys */
};

void vcost_report_init(struct vcost_report *rp);
void vcost_report_free(struct vcost_report *rp);
/* Take every record and info line of one runner's output. */
void vcost_report_read(struct vcost_report *rp, FILE *f);
/* The median runs (call once all input is read). */
void vcost_report_finish(struct vcost_report *rp);
void vcost_report_print(const struct vcost_report *rp, FILE *f);
json_t *vcost_report_json(const struct vcost_report *rp);

/* What an op is, for people ("cli; sti"); the name itself if unknown. */
const char *vcost_op_title(const char *name);

/* ---- the runners (kvm.c, qemu.c) -------------------------------------- */

struct vcost_opts {
	const char *guest;		/* the guest ELF */
	const char *ebb;		/* qemu: the ebb binary */
	unsigned int target_us, reps;
};

int vcost_kvm(const struct vcost_opts *o);
int vcost_qemu(const struct vcost_opts *o);

#endif
