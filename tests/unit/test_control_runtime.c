// SPDX-License-Identifier: MIT
/*
 * The runtime directory rules (docs/CONVENTIONS.md): which directory, VM
 * names that cannot escape it, the directory made 0700 and refused when it
 * is not ours, not a directory, or writable by others, and a control
 * socket that refuses a second VM of the same name but replaces a stale
 * one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/control/runtime.h>
#include <vmm/monitor.h>

#include "unit.h"

START_TEST(directory_choice)
{
	char buf[RUNTIME_PATH_MAX];

	setenv("EBB_RUNTIME_DIR", "/x/y", 1);
	ck_assert_int_eq(runtime_dir(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/x/y");
	ck_assert_int_eq(runtime_socket_path("vm1", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/x/y/vm1.sock");
	unsetenv("EBB_RUNTIME_DIR");
	setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
	ck_assert_int_eq(runtime_dir(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/7/ebb");
	unsetenv("XDG_RUNTIME_DIR");
	ck_assert_int_eq(runtime_dir(buf, sizeof(buf)), 0);
	if (geteuid() == 0)
		ck_assert_str_eq(buf, "/run/ebb");
	else
		ck_assert_ptr_nonnull(strstr(buf, "/tmp/ebb-"));
	/* A path too long for a unix socket is refused, not truncated. */
	char longdir[200];

	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	setenv("EBB_RUNTIME_DIR", longdir, 1);
	ck_assert_int_eq(runtime_socket_path("vm1", buf, sizeof(buf)), -1);
	unsetenv("EBB_RUNTIME_DIR");
}
END_TEST

START_TEST(names)
{
	static const char *const good[] = { "ebb", "vm-1", "a.b_c", "X9" };
	static const char *const bad[] = { "", ".", "..", "../x", "a/b", "-x", ".hidden", "a b",
					   "a\nb", "x*",
					   "12345678901234567890123456789012345678901234567890123456789012345" };

	for (unsigned int i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(runtime_name_valid(good[i]), "%s", good[i]);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!runtime_name_valid(bad[i]), "%s", bad[i]);
}
END_TEST

START_TEST(directory_and_socket)
{
	char dir[] = "/tmp/ebb-rt-test.XXXXXX", sub[64], err[256];
	struct monitor a, b;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/rt", dir);
	setenv("EBB_RUNTIME_DIR", sub, 1);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_msg(monitor_listen(&a, "vm1", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(a.sock_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* A second VM of that name is refused while the first listens. */
	ck_assert_int_eq(monitor_listen(&b, "vm1", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "already running"));
	ck_assert_int_eq(monitor_listen(&b, "../vm1", err, sizeof(err)), -1);
	/* Once the first is gone (its socket left behind), the name is free. */
	close(a.listen_fd);
	ck_assert_msg(monitor_listen(&b, "vm1", err, sizeof(err)) == 0, "%s", err);
	close(b.listen_fd);
	unlink(b.sock_path);
	/* A directory with loose permissions is tightened. */
	chmod(sub, 0755);
	ck_assert_int_eq(runtime_dir_create(err, sizeof(err)), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	/* One its group or others may write in is refused, and left as it is. */
	chmod(sub, 0770);
	ck_assert_int_eq(runtime_dir_create(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "writable by its group or others (mode 0770)"), "%s", err);
	ck_assert_int_eq(monitor_listen(&b, "vm2", err, sizeof(err)), -1);
	chmod(sub, 0703);
	ck_assert_int_eq(runtime_dir_create(err, sizeof(err)), -1);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0703);
	chmod(sub, 0700);
	rmdir(sub);
	/* A symlink (to a directory of ours, even) is not the directory. */
	ck_assert_int_eq(symlink(dir, sub), 0);
	ck_assert_int_eq(runtime_dir_create(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "is not a directory"), "%s", err);
	unlink(sub);
	/* Someone else's directory is refused (only root can make one to test with). */
	if (geteuid() == 0) {
		ck_assert_int_eq(mkdir(sub, 0700), 0);
		ck_assert_int_eq(chown(sub, 65534, 65534), 0);
		ck_assert_int_eq(runtime_dir_create(err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "belongs to uid 65534, not to uid 0"), "%s", err);
		rmdir(sub);
	} else {
		fprintf(stderr, "control_runtime: not root, so no directory of another uid to "
			"refuse: that check did not run\n");
	}
	rmdir(dir);
	unsetenv("EBB_RUNTIME_DIR");
}
END_TEST

static Suite *control_runtime_suite(void)
{
	Suite *s = suite_create("control_runtime");
	TCase *t = tcase_create("paths");

	tcase_add_test(t, directory_choice);
	tcase_add_test(t, names);
	tcase_add_test(t, directory_and_socket);
	suite_add_tcase(s, t);
	return s;
}
UNIT_SUITE(control_runtime_suite)
