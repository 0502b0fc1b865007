/* SPDX-License-Identifier: MIT */
/*
 * Where the virtualization-cost guest (bench/vcost/guest/) and its host
 * runners (bench/vcost/kvm.c, qemu.c) meet: ports, the marks around each
 * timed run, the command line, the report lines on COM1 and the exit
 * statuses.  Included by C and assembly on both sides, so only #defines.
 *
 * A run of an op, as the guest does it:
 *
 *   out MARK(op, BEGIN) -> rdtsc -> op loop, n iterations -> rdtsc -> out MARK(op, END)
 *   COM1: "vcost: run OP NAME rep=R n=N cycles=C base=B"
 *
 * Under KVM the marks are exits to the runner, which snapshots the KVM
 * statistics and its clock at each; under QEMU nobody claims the port.
 * B is what the same bracket costs without the thing measured: the
 * empty op (op 0, measured at start) or, for the timer tick, the same
 * loop without the timer (a REF_BEGIN / REF_END pair just before).
 */
#ifndef EBB_BENCH_VCOST_PROTO_H
#define EBB_BENCH_VCOST_PROTO_H

#define VCOST_COM1		0x3f8	/* report lines, polled 8250 */
#define VCOST_COM1_LSR		0x3fd
#define VCOST_LSR_THRE		0x20
#define VCOST_MARK_PORT		0xe0	/* out32: a mark */
#define VCOST_IO_PORT		0xe1	/* the port-I/O op's target: nothing claims it */
#define VCOST_EXIT_PORT		0xf4	/* isa-debug-exit; ebb's power-off */
#define VCOST_MMIO_ADDR		0xd0000000	/* the MMIO op's target: neither RAM nor a device */

/* A mark: the op's index and what happens there. */
#define VCOST_MARK(op, kind)	(((op) << 8) | (kind))
#define VCOST_MARK_OP(m)	((m) >> 8)
#define VCOST_MARK_KIND(m)	((m) & 0xff)
#define VCOST_BEGIN		1
#define VCOST_END		2
#define VCOST_REF_BEGIN		3
#define VCOST_REF_END		4

#define VCOST_OP_NULL		0	/* the empty op: every VM measures it first */

/*
 * The command line: vcost.from=OP (first op to run; a runner restarts
 * the VM past an op the KVM could not run), vcost.tsc_khz=K (the guest's
 * TSC rate as the host knows it, to size the runs), vcost.target_us=T
 * (guest time per timed run), vcost.reps=R (timed runs per op).
 */
#define VCOST_KEY_FROM		"vcost.from="
#define VCOST_KEY_TSC_KHZ	"vcost.tsc_khz="
#define VCOST_KEY_TARGET_US	"vcost.target_us="
#define VCOST_KEY_REPS		"vcost.reps="

/*
 * Report lines, one per event, each starting with VCOST_LINE_PREFIX:
 *   hello ops=N from=F            set up, about to run ops F..N-1
 *   op OP NAME                    starting op OP (its sizing run first)
 *   run OP NAME rep=R n=N cycles=C base=B
 *   fault vec=V err=E rip=R cr2=A an exception or interrupt nobody expected
 *   done                          every op ran; powering off with 0
 */
#define VCOST_LINE_PREFIX	"vcost: "

/* Power-off statuses (the exit port). */
#define VCOST_EXIT_DONE		0
#define VCOST_EXIT_BADBOOT	2	/* no start_info, or no memory to measure in */
#define VCOST_EXIT_FAULT	3

#endif
