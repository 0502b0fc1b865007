// SPDX-License-Identifier: MIT
/*
 * The seccomp filters (vmm/seccomp.c): every thread kind's program builds
 * and fits; the name table matches the kernel's numbers; and in a forked
 * child with a filter installed, allowed calls work while a call outside
 * the list, or a listed call with a forbidden argument, ends the process
 * with status 159 and a message naming the call and the thread.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/kvm.h>

#include <vmm/seccomp.h>

#include "unit.h"

START_TEST(programs_build)
{
	struct sock_filter prog[BPF_MAXINSNS];

	for (int k = 0; k < SECCOMP_NR_THREADS; k++) {
		int n = seccomp_build(k, prog, BPF_MAXINSNS);

		ck_assert_msg(n > 20 && n < BPF_MAXINSNS, "%s: %d instructions",
			      seccomp_lists[k].kind, n);
		/* Too small a buffer is refused, never overrun. */
		ck_assert_int_eq(seccomp_build(k, prog, 10), -1);
	}
	ck_assert_int_eq(seccomp_build(SECCOMP_NR_THREADS, prog, BPF_MAXINSNS), -1);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(seccomp_syscall_name(__NR_read), "read");
	ck_assert_str_eq(seccomp_syscall_name(__NR_getppid), "getppid");
	ck_assert_str_eq(seccomp_syscall_name(__NR_openat), "openat");
	ck_assert_str_eq(seccomp_syscall_name(__NR_ioctl), "ioctl");
	ck_assert_ptr_null(seccomp_syscall_name(-1));
	ck_assert_ptr_null(seccomp_syscall_name(100000));
}
END_TEST

enum offence { NOT_LISTED, BAD_OPEN, BAD_IOCTL };

/*
 * In a child: filter as @kind, show that allowed calls still work
 * (write "alive"), commit @what.  The child's stderr comes back in @msg.
 */
static int run_child(enum seccomp_thread kind, enum offence what, char *msg, size_t len)
{
	int out[2], st;
	char err[256];
	ssize_t n, got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(out), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], STDERR_FILENO);
		if (seccomp_enable(err, sizeof(err))) {
			fprintf(stderr, "enable: %s\n", err);
			_exit(1);
		}
		if (seccomp_install(kind, "unit-thread"))
			_exit(2);
		if (write(STDERR_FILENO, "alive\n", 6) != 6)
			_exit(3);
		switch (what) {
		case NOT_LISTED:
			syscall(SYS_getppid);
			break;
		case BAD_OPEN:
			syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY);
			break;
		case BAD_IOCTL:
			syscall(SYS_ioctl, -1, KVM_SET_REGS, 0);
			break;
		}
		_exit(4);	/* the filter let it through */
	}
	close(out[1]);
	while ((n = read(out[0], msg + got, len - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	close(out[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "child status 0x%x; said: %s", st, msg);
	return WEXITSTATUS(st);
}

START_TEST(forbidden_call_ends_the_process)
{
	char msg[2048];

	ck_assert_int_eq(run_child(SECCOMP_THREAD_WORKER, NOT_LISTED, msg, sizeof(msg)), 128 + SIGSYS);
	ck_assert_msg(strstr(msg, "alive\n"), "%s", msg);
	ck_assert_msg(strstr(msg, "the unit-thread thread (worker allow-list) made the system "
				  "call getppid (110), which its list does not allow"), "%s", msg);
	ck_assert_msg(strstr(msg, "--no-seccomp"), "%s", msg);
}
END_TEST

START_TEST(forbidden_argument_ends_the_process)
{
	char msg[2048];

	/* The monitor may open files, but only to read them. */
	ck_assert_int_eq(run_child(SECCOMP_THREAD_MONITOR_KVM, BAD_OPEN, msg, sizeof(msg)),
			 128 + SIGSYS);
	ck_assert_msg(strstr(msg, "(monitor allow-list) made the system call openat (257) with an "
				  "argument its list forbids: arg2 = 0x1"), "%s", msg);
	/* A vCPU may ioctl, but only what it needs: not KVM_SET_REGS. */
	ck_assert_int_eq(run_child(SECCOMP_THREAD_VCPU, BAD_IOCTL, msg, sizeof(msg)), 128 + SIGSYS);
	ck_assert_msg(strstr(msg, "(vcpu allow-list) made the system call ioctl (16) with an "
				  "argument its list forbids: arg1 = "), "%s", msg);
	/* The worker has no openat at all. */
	ck_assert_int_eq(run_child(SECCOMP_THREAD_WORKER, BAD_OPEN, msg, sizeof(msg)), 128 + SIGSYS);
	ck_assert_msg(strstr(msg, "openat (257), which its list does not allow"), "%s", msg);
}
END_TEST

static Suite *vmm_seccomp_suite(void)
{
	Suite *s = suite_create("vmm_seccomp");
	TCase *t = tcase_create("filters");

	tcase_add_test(t, programs_build);
	tcase_add_test(t, names);
	tcase_add_test(t, forbidden_call_ends_the_process);
	tcase_add_test(t, forbidden_argument_ends_the_process);
	suite_add_tcase(s, t);
	return s;
}
UNIT_SUITE(vmm_seccomp_suite)
