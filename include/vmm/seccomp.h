/* SPDX-License-Identifier: MIT */
/*
 * seccomp-BPF allow-lists for the VMM's threads (vmm/seccomp.c, the lists
 * in vmm/seccomp_lists.c, docs/security.md).  Each kind of thread installs
 * its own filter once its set-up is done (files open, memory mapped), as
 * Firecracker does: a vCPU before its first KVM_RUN, a device worker before
 * it first serves its queues, the monitor (the main thread) before its
 * event loop.  A system call outside the list raises SIGSYS; the handler
 * names the call and the thread and ends the process.
 *
 * Filtering is off until seccomp_enable(): libvmm's unit tests (plain and
 * under ASan) run the same threads unfiltered; `ebb run` enables it unless
 * --no-seccomp.
 */
#ifndef EBB_VMM_SECCOMP_H
#define EBB_VMM_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum seccomp_thread {
	SECCOMP_THREAD_VCPU,		/* KVM_RUN and the exits it dispatches */
	SECCOMP_THREAD_WORKER,		/* a virtio device's service thread */
	SECCOMP_THREAD_MONITOR_KVM,	/* the main thread's event loop, KVM backend */
	SECCOMP_THREAD_MONITOR_QEMU,	/* ... QEMU backend: ebb's process beside QEMU */
	SECCOMP_NR_THREADS,
};

/* How a rule looks at one argument (only its low 32 bits: see seccomp_lists.c). */
enum seccomp_arg_op {
	SECCOMP_ARG_ANY,		/* any arguments */
	SECCOMP_ARG_IN,			/* args[arg] is one of vals[] */
	SECCOMP_ARG_CLEAR,		/* args[arg] has none of the bits in vals[0] */
};

#define SECCOMP_RULE_VALS	8

struct seccomp_rule {
	int nr;				/* __NR_... */
	enum seccomp_arg_op op;
	unsigned int arg;		/* which argument op looks at */
	unsigned int nr_vals;
	uint32_t vals[SECCOMP_RULE_VALS];
};

/* One thread kind's allow-list: the rules common to all, then its own. */
struct seccomp_list {
	const char *kind;		/* "vcpu", "worker", "monitor" ... in messages */
	const struct seccomp_rule *rules;
	size_t nr_rules;
};

/* The allow-lists (vmm/seccomp_lists.c). */
extern const struct seccomp_rule seccomp_common_rules[];
extern const size_t seccomp_nr_common_rules;
extern const struct seccomp_list seccomp_lists[SECCOMP_NR_THREADS];

/* The system call's name, from the kernel's headers; NULL if unknown. */
const char *seccomp_syscall_name(long nr);

/*
 * Filter the threads that call seccomp_thread_enter() from now on: checks
 * that the kernel can, installs the SIGSYS handler, reads the test hook
 * EBB_SECCOMP_SELFTEST.  Call from the main thread during set-up.  0, or
 * -1 with a message.
 */
int seccomp_enable(char *err, size_t errlen);

/*
 * Install @kind's filter on the calling thread, named @name in messages
 * ("vcpu0", "virtio-blk", "monitor").  Nothing when filtering is off.
 * A thread that cannot get its filter does not run unfiltered: the
 * process ends with a message (exit status EBB_EXIT_INTERNAL).
 */
void seccomp_thread_enter(enum seccomp_thread kind, const char *name);

/*
 * The BPF program for @kind, for tests: fills @prog (up to @max
 * instructions) and returns how many, or -1 if it does not fit.
 */
struct sock_filter;
int seccomp_build(enum seccomp_thread kind, struct sock_filter *prog, size_t max);

/*
 * Install @kind's filter on the calling thread whether or not filtering
 * is enabled (the SIGSYS handler must be in place: seccomp_enable, or
 * the caller's own).  0, or -1 (errno).
 */
int seccomp_install(enum seccomp_thread kind, const char *name);

#endif
