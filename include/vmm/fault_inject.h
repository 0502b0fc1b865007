/* SPDX-License-Identifier: MIT */
/*
 * Fault injection in the VMM, after Linux's fault-attr
 * (Documentation/fault-injection/fault-injection.rst): named fault points
 * in the device models and the monitor, each with a probability, an
 * interval, a number of times and a space budget, armed at start
 * (`ebb run --inject SPEC`) or on a running VM (the control socket's
 * "inject" command); docs/fault-injection.md.
 *
 * A SPEC is NAME[:ERR][:KEY=VALUE...]:
 *   swap-write:eio:times=3     the next 3 writes to the swap disk fail
 *   swap-read:eio:prob=10      one read in ten (at random) fails
 *   swap-full:space=16M        16 MiB more are written, then ENOSPC
 *   balloon-punch:fail         the balloon cannot give pages back
 *   control:mute               the guest's control-channel lines are lost
 *   NAME:off                   disarm (the counts stay)
 *
 * The points are process-wide (one ebb process is one VM) and are
 * consulted from the device threads and the monitor: one mutex guards them.
 */
#ifndef EBB_VMM_FAULT_INJECT_H
#define EBB_VMM_FAULT_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum fault_point {
	FAULT_SWAP_WRITE,	/* the swap disk's pwrite fails */
	FAULT_SWAP_READ,	/* the swap disk's pread fails */
	FAULT_SWAP_FULL,	/* the swap disk's file system has no space left */
	FAULT_BALLOON_PUNCH,	/* the balloon's punch-hole / madvise fails */
	FAULT_CONTROL_MUTE,	/* the guest's control-channel output is dropped */
	FAULT_NR
};

/* One point's setting (what the SPEC said) and what it has done. */
struct fault_attr {
	bool armed;
	int err;		/* the errno a failing call reports */
	unsigned int prob;	/* percent of eligible calls that fail; 100: all */
	uint64_t interval;	/* only every interval-th call is eligible; 1: each */
	int64_t times;		/* failures left before disarming; -1: no limit */
	uint64_t space;		/* bytes that still pass before failures start */
	uint64_t calls;		/* calls seen while armed */
	uint64_t fired;		/* failures injected, since start */
};

/*
 * Parse and apply @spec.  Returns 0, or -1 with a message in @err naming
 * what is wrong; nothing changes then.
 */
int fault_inject_set(const char *spec, char *err, size_t errlen);

/*
 * Should this call at @point of @bytes fail?  0: go on; else the
 * (positive) errno to fail it with.  Counts the call.
 */
int fault_should_fail(enum fault_point point, uint64_t bytes);

/*
 * The VM runs under QEMU, whose own devices serve the swap disk and the
 * balloon: their points can never fire.  Refuses them from now on; -1
 * with a message if one is armed already (--inject), else 0.
 */
int fault_inject_qemu_backend(char *err, size_t errlen);

/* A copy of @point's state. */
void fault_inject_get(enum fault_point point, struct fault_attr *out);

const char *fault_point_name(enum fault_point point);

/* {"NAME": {"armed", "errno", "prob", "interval", "times", "space", "calls", "fired"}} */
json_t *fault_inject_json(void);

/* Disarm every point and zero the counts (tests). */
void fault_inject_reset(void);

#endif
