// SPDX-License-Identifier: MIT
/*
 * The experiment's memory cgroup (balloon/policy/cgroup.c) for real, where
 * the host lets us make one (root, cgroupfs mounted; v1 or v2): the limit
 * file holds the budget, a process moved in is in it and is charged to it,
 * the limit bites (a child touching twice the limit hits it), and the
 * cgroup is gone after remove.  Where no cgroup can be made, the real
 * cases say so and pass; the failure cases (no cgroupfs, a directory that
 * is no cgroup) run everywhere: a clear error, nothing left behind.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <balloon/policy_ctl.h>

#include "unit.h"

#define MiB (1024ULL * 1024)

/* A cgroup under the real hierarchy, or false (and why, on stderr). */
static bool real_cgroup(struct policy_cgroup *cg, uint64_t limit)
{
	char name[64], err[512];

	snprintf(name, sizeof(name), "ebb-unit-%d", (int)getpid());
	if (policy_cgroup_make(cg, NULL, name, limit, err, sizeof(err))) {
		fprintf(stderr, "test_policy_cgroup: no memory cgroup here (%s): real cases skipped\n",
			err);
		return false;
	}
	return true;
}

/* A child that waits on a pipe, then touches @touch bytes and exits 0. */
static pid_t child_start(int *go, size_t touch)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid) {
		close(p[0]);
		*go = p[1];
		return pid;
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		_exit(2);
	if (touch) {
		char *m = mmap(NULL, touch, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (m == MAP_FAILED)
			_exit(3);
		memset(m, 0x5a, touch);
	}
	_exit(0);
}

START_TEST(cgroup_real_limit_procs_remove)
{
	struct policy_cgroup cg;
	char err[512], dir[sizeof(cg.dir)];
	int go, st;
	pid_t pid;
	json_t *j;

	if (!real_cgroup(&cg, 1280 * MiB))
		return;
	ck_assert_uint_eq(policy_cgroup_limit(&cg), 1280 * MiB);
	pid = child_start(&go, 16 * MiB);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(policy_cgroup_add(&cg, pid), 0);
	ck_assert(policy_cgroup_has(&cg, pid));
	ck_assert(!policy_cgroup_has(&cg, getpid()));
	ck_assert_int_eq(write(go, "g", 1), 1);
	close(go);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The child's 16 MiB were charged here. */
	j = policy_cgroup_json(&cg);
	ck_assert_str_eq(json_string_value(json_object_get(j, "path")), cg.dir);
	ck_assert_double_eq_tol(json_real_value(json_object_get(j, "limit_mib")), 1280, 1e-9);
	if (json_real_value(json_object_get(j, "peak_mib")) >= 0)
		ck_assert(json_real_value(json_object_get(j, "peak_mib")) >= 16);
	json_decref(j);
	strcpy(dir, cg.dir);
	ck_assert_int_eq(policy_cgroup_remove(&cg, err, sizeof(err)), 0);
	ck_assert_int_ne(access(dir, F_OK), 0);
	ck_assert_str_eq(cg.dir, "");
}
END_TEST

/* A child touching 64 MiB in a 32 MiB cgroup hits the limit (and, without swap, is OOM-killed). */
START_TEST(cgroup_real_limit_bites)
{
	struct policy_cgroup cg;
	char err[512];
	int go, st;
	pid_t pid;
	json_t *j;

	if (!real_cgroup(&cg, 32 * MiB))
		return;
	pid = child_start(&go, 64 * MiB);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(policy_cgroup_add(&cg, pid), 0);
	ck_assert_int_eq(write(go, "g", 1), 1);
	close(go);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	j = policy_cgroup_json(&cg);
	ck_assert_int_gt(json_integer_value(json_object_get(j, "limit_hits")), 0);
	if (WIFSIGNALED(st)) {
		ck_assert_int_eq(WTERMSIG(st), SIGKILL);
		if (json_integer_value(json_object_get(j, "oom_kills")) >= 0)
			ck_assert_int_ge(json_integer_value(json_object_get(j, "oom_kills")), 1);
	}
	json_decref(j);
	ck_assert_int_eq(policy_cgroup_remove(&cg, err, sizeof(err)), 0);
}
END_TEST

START_TEST(cgroup_no_cgroupfs)
{
	struct policy_cgroup cg;
	char err[512];

	ck_assert_int_eq(policy_cgroup_make(&cg, "/nonexistent-ebb-cgroup", "x", 64 * MiB, err,
					    sizeof(err)), -1);
	ck_assert_str_eq(cg.dir, "");
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-ebb-cgroup"));
	ck_assert_ptr_nonnull(strstr(err, "no cgroup filesystem"));
	/* Nothing to remove. */
	ck_assert_int_eq(policy_cgroup_remove(&cg, err, sizeof(err)), 0);
}
END_TEST

/* A plain directory: mkdir works, the limit file is missing; the directory made is removed. */
START_TEST(cgroup_not_a_cgroup)
{
	struct policy_cgroup cg;
	char parent[] = "/tmp/ebb-cg-unit.XXXXXX", child[64], err[512];

	ck_assert_ptr_nonnull(mkdtemp(parent));
	ck_assert_int_eq(policy_cgroup_make(&cg, parent, "oc", 64 * MiB, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "memory.limit_in_bytes"));
	ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
	snprintf(child, sizeof(child), "%s/oc", parent);
	ck_assert_int_ne(access(child, F_OK), 0);
	ck_assert_str_eq(cg.dir, "");
	ck_assert_int_eq(rmdir(parent), 0);
}
END_TEST

static Suite *policy_cgroup_suite(void)
{
	Suite *s = suite_create("policy_cgroup");
	TCase *tc = tcase_create("cgroup");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, cgroup_real_limit_procs_remove);
	tcase_add_test(tc, cgroup_real_limit_bites);
	tcase_add_test(tc, cgroup_no_cgroupfs);
	tcase_add_test(tc, cgroup_not_a_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(policy_cgroup_suite)
