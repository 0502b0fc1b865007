// SPDX-License-Identifier: MIT
/*
 * seccomp-BPF filters for the VMM's threads (include/vmm/seccomp.h).
 *
 * Raw BPF from the UAPI headers (linux/seccomp.h, linux/filter.h,
 * linux/audit.h) rather than libseccomp: the lists are plain allow-lists
 * with a few 32-bit argument checks, which take a short linear program,
 * and build/ebb stays a static binary with no extra library to ship into
 * the nested harness's initramfs.
 *
 * The program: a foreign architecture or an x32 call kills the process
 * outright (its number would mean another call); a listed call is
 * allowed; a listed call with a forbidden argument, and any call not
 * listed, returns SECCOMP_RET_TRAP (the data says which of the two), so
 * the kernel sends SIGSYS to the thread.  The handler writes what
 * happened with write(2) alone and ends the process: it runs in the
 * thread that broke its list, under that list, so it may use only what
 * every list allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <vmm/log.h>
#include <vmm/seccomp.h>
#include <vmm/vm.h>

/* SECCOMP_RET_DATA of a trap: why the call was refused (si_errno in SIGSYS). */
enum { TRAP_NOT_LISTED, TRAP_ARGUMENT };

#define PROG_MAX	512	/* instructions; the largest list needs about 120 */

static bool enabled;

/* The test hook EBB_SECCOMP_SELFTEST=KIND[:open] (docs/security.md). */
static struct {
	int kind;		/* -1: none */
	bool open;		/* a listed call with a forbidden argument */
	atomic_bool fired;
} selftest = { .kind = -1 };

/* Who this thread is, for the SIGSYS handler. */
static __thread int thread_kind = -1;
static __thread const char *thread_name;

/* ---- the BPF program ---- */

struct prog {
	struct sock_filter *insn;
	size_t len, max;
};

static void emit(struct prog *p, struct sock_filter f)
{
	if (p->len < p->max)
		p->insn[p->len] = f;
	p->len++;		/* counted past max: the caller sees it did not fit */
}

#define STMT(code, k)		((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, t, f)	((struct sock_filter)BPF_JUMP((code), (k), (t), (f)))
#define ARG_LO(a)		(offsetof(struct seccomp_data, args) + 8 * (a))	/* little-endian */

static int emit_rule(struct prog *p, const struct seccomp_rule *r)
{
	const uint32_t trap_arg = SECCOMP_RET_TRAP | TRAP_ARGUMENT;

	switch (r->op) {
	case SECCOMP_ARG_ANY:
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, 1));
		emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		return 0;
	case SECCOMP_ARG_IN:
		if (!r->nr_vals || r->nr_vals > SECCOMP_RULE_VALS || r->arg > 5)
			return -1;
		/* nr? load the argument, one compare per value, trap, allow */
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, r->nr_vals + 3));
		emit(p, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg)));
		for (unsigned int i = 0; i < r->nr_vals; i++)
			emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, r->vals[i], r->nr_vals - i, 0));
		emit(p, STMT(BPF_RET | BPF_K, trap_arg));
		emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		return 0;
	case SECCOMP_ARG_CLEAR:
		if (r->nr_vals != 1 || r->arg > 5)
			return -1;
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, 4));
		emit(p, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg)));
		emit(p, JUMP(BPF_JMP | BPF_JSET | BPF_K, r->vals[0], 0, 1));
		emit(p, STMT(BPF_RET | BPF_K, trap_arg));
		emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		return 0;
	}
	return -1;
}

/* The rule for @nr in @kind's list (common rules first), or NULL. */
static const struct seccomp_rule *find_rule(enum seccomp_thread kind, long nr)
{
	const struct seccomp_list *l = &seccomp_lists[kind];

	for (size_t i = 0; i < seccomp_nr_common_rules; i++)
		if (seccomp_common_rules[i].nr == nr)
			return &seccomp_common_rules[i];
	for (size_t i = 0; i < l->nr_rules; i++)
		if (l->rules[i].nr == nr)
			return &l->rules[i];
	return NULL;
}

int seccomp_build(enum seccomp_thread kind, struct sock_filter *insn, size_t max)
{
	const struct seccomp_list *l;
	struct prog p = { .insn = insn, .max = max };

	if ((unsigned int)kind >= SECCOMP_NR_THREADS)
		return -1;
	l = &seccomp_lists[kind];
	/* A call listed twice would make the second rule dead: a list bug. */
	for (size_t i = 0; i < l->nr_rules; i++)
		if (find_rule(kind, l->rules[i].nr) != &l->rules[i])
			return -1;

	emit(&p, STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	emit(&p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	emit(&p, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	emit(&p, STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
	emit(&p, JUMP(BPF_JMP | BPF_JSET | BPF_K, __X32_SYSCALL_BIT, 0, 1));
	emit(&p, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	/* Each rule's block ends in a return, so A holds the number again for the next. */
	for (size_t i = 0; i < seccomp_nr_common_rules; i++)
		if (emit_rule(&p, &seccomp_common_rules[i]))
			return -1;
	for (size_t i = 0; i < l->nr_rules; i++)
		if (emit_rule(&p, &l->rules[i]))
			return -1;
	emit(&p, STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | TRAP_NOT_LISTED));
	return p.len <= max ? (int)p.len : -1;
}

/* ---- the SIGSYS handler: async-signal-safe, and within every list ---- */

struct msg {
	char buf[512];
	size_t len;
};

static void put(struct msg *m, const char *s)
{
	while (*s && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = *s++;
}

static void put_num(struct msg *m, unsigned long long v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	if (base == 16)
		put(m, "0x");
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = tmp[--n];
}

static const int arg_reg[6] = { REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9 };

static void sigsys_handler(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	const char *name = seccomp_syscall_name(si->si_syscall);
	const struct seccomp_rule *r = NULL;
	struct msg m = { .len = 0 };

	(void)sig;
	put(&m, "ebb: seccomp: the ");
	put(&m, thread_name ? thread_name : "unnamed");
	put(&m, " thread (");
	put(&m, thread_kind >= 0 ? seccomp_lists[thread_kind].kind : "no");
	put(&m, " allow-list) made the system call ");
	put(&m, name ? name : "unknown");
	put(&m, " (");
	put_num(&m, (unsigned long long)si->si_syscall, 10);
	put(&m, ")");
	if (thread_kind >= 0)
		r = find_rule(thread_kind, si->si_syscall);
	if (si->si_errno == TRAP_ARGUMENT && r) {
		put(&m, " with an argument its list forbids: arg");
		put_num(&m, r->arg, 10);
		put(&m, " = ");
		put_num(&m, (unsigned long long)uc->uc_mcontext.gregs[arg_reg[r->arg]], 16);
	} else {
		put(&m, ", which its list does not allow");
	}
	put(&m, "; ebb ends (status ");
	put_num(&m, EBB_EXIT_SIGNAL_BASE + SIGSYS, 10);
	put(&m, "). `ebb run --no-seccomp` runs without the filters, to debug "
	    "(docs/security.md)\n");
	if (write(STDERR_FILENO, m.buf, m.len) < 0) {
		/* Nowhere to say it: the exit status still does. */
	}
	/* The bare call: a sanitizer's _exit interceptor would make calls of its own. */
	syscall(SYS_exit_group, EBB_EXIT_SIGNAL_BASE + SIGSYS);
}

/* ---- enabling and installing ---- */

static void selftest_parse(void)
{
	const char *e = getenv("EBB_SECCOMP_SELFTEST");
	size_t n;

	if (!e || !*e)
		return;
	n = strcspn(e, ":");
	for (int k = 0; k < SECCOMP_NR_THREADS; k++)
		if (strlen(seccomp_lists[k].kind) == n && !strncmp(e, seccomp_lists[k].kind, n))
			selftest.kind = k;
	selftest.open = !strcmp(e + n, ":open");
	if (selftest.kind < 0)
		vmm_log("EBB_SECCOMP_SELFTEST=%s: not a thread kind; ignored", e);
}

int seccomp_enable(char *err, size_t errlen)
{
	uint32_t action = SECCOMP_RET_TRAP;
	struct sigaction sa;

	/* Linux 4.14+ answers this; older kernels or no CONFIG_SECCOMP_FILTER do not. */
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) ||
	    (action = SECCOMP_RET_KILL_PROCESS,
	     syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action))) {
		snprintf(err, errlen, "this kernel cannot filter system calls with seccomp-BPF "
			 "(%s); ebb run --no-seccomp runs without the filters", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);	/* nothing else runs on top of the last words */
	if (sigaction(SIGSYS, &sa, NULL)) {
		snprintf(err, errlen, "sigaction(SIGSYS): %s", strerror(errno));
		return -1;
	}
	selftest_parse();
	enabled = true;
	return 0;
}

int seccomp_install(enum seccomp_thread kind, const char *name)
{
	struct sock_filter insn[PROG_MAX];
	struct sock_fprog fprog = { .filter = insn };
	int n = seccomp_build(kind, insn, PROG_MAX);

	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	fprog.len = (unsigned short)n;
	/* Unprivileged filters need no_new_privs; it is this thread's and its children's. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	thread_kind = kind;
	thread_name = name;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
}

/* The test hook: break the list on purpose, once per process. */
static void selftest_fire(enum seccomp_thread kind)
{
	if (selftest.kind != (int)kind || atomic_exchange(&selftest.fired, true))
		return;
	if (selftest.open)
		syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY | O_CLOEXEC);
	else
		syscall(SYS_getppid);
	vmm_log("seccomp self-test: the forbidden call returned; the filter is not working");
}

void seccomp_thread_enter(enum seccomp_thread kind, const char *name)
{
	if (!enabled)
		return;
	if (seccomp_install(kind, name)) {
		vmm_log("seccomp: cannot filter the %s thread: %s; ebb ends rather than run it "
			"unfiltered (ebb run --no-seccomp runs without the filters)", name,
			strerror(errno));
		_exit(EBB_EXIT_INTERNAL);
	}
	selftest_fire(kind);
}
