// SPDX-License-Identifier: MIT
/*
 * Who may use the control socket (vmm/control/server.c): a peer of ebb's
 * own uid is served; a peer of another uid (not root) is refused on
 * accept with a JSON error and the connection closed, whatever the file
 * modes let through; the refusal takes no client slot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include <vmm/control/runtime.h>
#include <vmm/monitor.h>

#include "unit.h"

static struct monitor m;
static char dir[] = "/tmp/ebb-sock-test.XXXXXX", sub[64];

static void setup(void)
{
	char err[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/rt", dir);
	setenv("EBB_RUNTIME_DIR", sub, 1);
	memset(&m, 0, sizeof(m));
	ck_assert_msg(monitor_listen(&m, "peer", err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		ctl_client_close(&m, i);
	close(m.listen_fd);
	unlink(m.sock_path);
	rmdir(sub);
	rmdir(dir);
	unsetenv("EBB_RUNTIME_DIR");
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int nr_clients(void)
{
	int n = 0;

	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		n += m.client[i].fd >= 0;
	return n;
}

START_TEST(own_uid_is_served)
{
	int fd = connect_to(m.sock_path);

	ck_assert_int_ge(fd, 0);
	ctl_accept(&m);
	ck_assert_int_eq(nr_clients(), 1);
	close(fd);
}
END_TEST

START_TEST(other_uid_is_refused)
{
	char line[512] = "";
	int pipefd[2], st;
	ssize_t n, got = 0;
	pid_t pid;
	json_t *j;

	if (geteuid() != 0) {
		/* Only root can make a peer of another uid; say so rather than pass quietly. */
		fprintf(stderr, "control_socket: not root: no peer of another uid can be made, "
			"so the refusal was not exercised\n");
		return;
	}
	/* Loosen the modes so uid 65534 can reach the socket: the peer check must still say no. */
	ck_assert_int_eq(chmod(dir, 0711), 0);
	ck_assert_int_eq(chmod(sub, 0711), 0);
	ck_assert_int_eq(chmod(m.sock_path, 0666), 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd;

		close(pipefd[0]);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = connect_to(m.sock_path);
		if (fd < 0)
			_exit(3);
		/* The monitor answers, then hangs up: read to the end. */
		while ((n = read(fd, line, sizeof(line))) > 0)
			if (write(pipefd[1], line, (size_t)n) != n)
				_exit(4);
		_exit(n == 0 ? 0 : 5);
	}
	close(pipefd[1]);
	/* Wait for the connection, then accept it as the monitor's loop would. */
	for (int i = 0; i < 500; i++) {
		struct timeval tv = { 0, 10000 };
		fd_set r;

		FD_ZERO(&r);
		FD_SET(m.listen_fd, &r);
		if (select(m.listen_fd + 1, &r, NULL, NULL, &tv) > 0)
			break;
	}
	ctl_accept(&m);
	ck_assert_int_eq(nr_clients(), 0);
	while (got < (ssize_t)sizeof(line) - 1 &&
	       (n = read(pipefd[0], line + got, sizeof(line) - 1 - (size_t)got)) > 0)
		got += n;
	line[got] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
	j = json_loads(line, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", line);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "class")),
			 "GenericError");
	ck_assert_msg(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "desc")),
			     "uid 65534"), "%s", line);
	json_decref(j);
	/* Our own uid is still served afterwards. */
	int fd = connect_to(m.sock_path);

	ck_assert_int_ge(fd, 0);
	ctl_accept(&m);
	ck_assert_int_eq(nr_clients(), 1);
	close(fd);
}
END_TEST

static Suite *control_socket_suite(void)
{
	Suite *s = suite_create("control_socket");
	TCase *t = tcase_create("peer");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, own_uid_is_served);
	tcase_add_test(t, other_uid_is_refused);
	suite_add_tcase(s, t);
	return s;
}
UNIT_SUITE(control_socket_suite)
