// SPDX-License-Identifier: MIT
/*
 * The allow-lists of the VMM's threads (include/vmm/seccomp.h,
 * docs/security.md).  Each names the system calls one kind of thread makes
 * after its set-up, from ebb's code and from what static glibc 2.36 does
 * underneath (malloc: brk, mmap, munmap, mprotect, madvise; mutexes and
 * joins: futex; pthread_kill: getpid and tgkill; fopen: openat, newfstatat;
 * a thread's end: madvise on its stack, exit).  Everything else traps.
 *
 * Arguments are checked where a call is needed for one narrow purpose:
 * ioctl only with the commands the thread issues, no executable mappings,
 * files opened read-only, signals only those ebb sends.  The checked
 * arguments are ones the kernel takes as 32-bit (int, unsigned int), so
 * only their low 32 bits are compared, as the kernel itself reads them.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/kvm.h>

#include <vmm/seccomp.h>

#define VALS(...)	.nr_vals = sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t), \
			.vals = { __VA_ARGS__ }
#define ANY(name)	{ .nr = __NR_##name, .op = SECCOMP_ARG_ANY }
#define ARG_IN(name, a, ...) \
	{ .nr = __NR_##name, .op = SECCOMP_ARG_IN, .arg = (a), VALS(__VA_ARGS__) }
#define ARG_CLEAR(name, a, bits) \
	{ .nr = __NR_##name, .op = SECCOMP_ARG_CLEAR, .arg = (a), VALS(bits) }
#define LIST(k, r)	{ .kind = (k), .rules = (r), .nr_rules = sizeof(r) / sizeof((r)[0]) }

/* Opening for reading only: none of the access-mode bits, no creating. */
#define OPEN_WRITE_BITS	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

/* Every thread: memory, locks, time, messages, signals returning, the end. */
const struct seccomp_rule seccomp_common_rules[] = {
	ANY(read),
	ANY(write),			/* vmm_log, eventfds, UART output */
	ANY(futex),
	ANY(clock_gettime),		/* mono_ns, when the vDSO cannot answer */
	ANY(brk),
	ARG_CLEAR(mmap, 2, PROT_EXEC),	/* malloc; never new code */
	ARG_CLEAR(mprotect, 2, PROT_EXEC),
	ANY(munmap),
	ANY(madvise),			/* free, a thread's stack at its end; the balloon */
	ANY(getrandom),			/* malloc's and jansson's seeds */
	ANY(sysinfo),			/* qsort sizes its buffer by physical memory (the balloon's PFNs) */
	ANY(rt_sigreturn),		/* the vCPU kick's handler returns */
	ANY(rt_sigprocmask),
	ANY(restart_syscall),		/* poll and futex resumed after SIGSTOP/SIGCONT */
	ANY(exit),			/* a thread's end */
	ANY(exit_group),		/* the process's (and the SIGSYS handler's) */
};
const size_t seccomp_nr_common_rules = sizeof(seccomp_common_rules) / sizeof(seccomp_common_rules[0]);

/*
 * A vCPU: KVM_RUN; on the exits it reads registers (triple fault, KVM's
 * internal error) and translates the guest's RIP; device models it calls
 * raise interrupts (KVM_IRQ_LINE on the VM fd) and write UART bytes and
 * eventfds (common).
 */
static const struct seccomp_rule vcpu_rules[] = {
	ARG_IN(ioctl, 1, KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE, KVM_IRQ_LINE),
};

/*
 * A device worker: poll its kick and stop eventfds; virtio-blk reads and
 * writes its backing file and flushes it; the balloon punches holes in
 * guest RAM (fallocate, madvise); both raise their interrupt.
 */
static const struct seccomp_rule worker_rules[] = {
	ANY(poll),
	ANY(ppoll),
	ANY(pread64),
	ANY(pwrite64),
	ANY(fdatasync),
	ANY(fsync),
	ANY(fallocate),
	ARG_IN(ioctl, 1, KVM_IRQ_LINE),
};

/*
 * The monitor, both backends: poll its fds; the control socket's clients
 * (accept4, recvfrom, sendto, setsockopt for the send timeout,
 * getsockopt and geteuid for the peer check); the terminal (isatty, tcsetattr at the
 * end); the socket's unlink at the end; files read: /proc (--stats,
 * QEMU's RSS), /dev/urandom (jansson's seed).  Then the teardown: closing
 * fds, joining threads.
 */
#define MONITOR_RULES \
	ANY(poll), \
	ANY(ppoll), \
	ANY(close), \
	ANY(accept4), \
	ANY(recvfrom), \
	ANY(sendto), \
	ARG_IN(setsockopt, 1, SOL_SOCKET), \
	ARG_IN(getsockopt, 1, SOL_SOCKET), \
	ARG_CLEAR(openat, 2, OPEN_WRITE_BITS), \
	ANY(newfstatat), \
	ANY(fstat), \
	ANY(lseek), \
	ANY(pread64), \
	ANY(unlink), \
	ANY(getpid), \
	ANY(geteuid)

/*
 * KVM: the console and control channel UARTs raise their interrupt; how
 * much guest RAM is resident; vCPUs are kicked at the end.
 */
static const struct seccomp_rule monitor_kvm_rules[] = {
	MONITOR_RULES,
	ANY(mincore),			/* guest RAM resident: query-balloon, --stats */
	ARG_IN(ioctl, 1, TCGETS, TCSETS, KVM_IRQ_LINE),
	ARG_IN(tgkill, 2, SIGUSR1),
};

/*
 * QEMU: QMP and the balloon's tick through epoll and a timerfd; QEMU is
 * asked to go (SIGTERM) or made to (SIGKILL) and reaped; its socket
 * directory removed.
 */
static const struct seccomp_rule monitor_qemu_rules[] = {
	MONITOR_RULES,
	ARG_IN(ioctl, 1, TCGETS, TCSETS),
	ANY(epoll_wait),
	ANY(epoll_pwait),
	ARG_IN(kill, 1, SIGTERM, SIGKILL),
	ANY(wait4),
	ANY(rmdir),
};

const struct seccomp_list seccomp_lists[SECCOMP_NR_THREADS] = {
	[SECCOMP_THREAD_VCPU] = LIST("vcpu", vcpu_rules),
	[SECCOMP_THREAD_WORKER] = LIST("worker", worker_rules),
	[SECCOMP_THREAD_MONITOR_KVM] = LIST("monitor", monitor_kvm_rules),
	[SECCOMP_THREAD_MONITOR_QEMU] = LIST("monitor-qemu", monitor_qemu_rules),
};
