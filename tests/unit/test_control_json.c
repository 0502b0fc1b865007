// SPDX-License-Identifier: MIT
/*
 * Control socket requests, good and bad, against a monitor with a fake
 * backend: every bad request gets an {"error"} reply and changes nothing;
 * commands that need the guest go out on the control channel and answer
 * when it does; /proc text is parsed into the documented JSON shapes.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include <vmm/control/proc.h>
#include <vmm/log.h>
#include <vmm/monitor.h>

#include "unit.h"

static struct monitor m;
static struct monitor_backend be;
static int peer;		/* the test's end of client 0 */
static int quits;
static struct ctl_ref who;

static void fake_quit(void *ctx, int status, const char *why)
{
	quits++;
	ck_assert_int_eq(status, 0);
}

static void setup(void)
{
	int sv[2];

	memset(&m, 0, sizeof(m));
	memset(&be, 0, sizeof(be));
	be.name = "fake";
	be.quit = fake_quit;
	m.be = &be;
	m.name = "unit";
	m.listen_fd = -1;
	quits = 0;
	chan_init(&m.chan);
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		m.client[i].fd = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	m.client[0].fd = sv[0];
	m.client[0].gen = 1;
	peer = sv[1];
	who = (struct ctl_ref){ 0, 1 };
}

static void teardown(void)
{
	chan_destroy(&m.chan);
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		ctl_client_close(&m, i);
	close(peer);
}

/* The next reply line, parsed. */
static json_t *reply(void)
{
	static char buf[1 << 16];
	size_t n = 0;

	while (n < sizeof(buf) - 1) {
		ck_assert_int_eq(recv(peer, buf + n, 1, 0), 1);
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	json_t *j = json_loads(buf, 0, NULL);

	ck_assert_msg(j != NULL, "reply is not JSON: %s", buf);
	return j;
}

static const char *error_class(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "class"));
}

static void expect_error(const char *line, const char *cls)
{
	json_t *j;

	ctl_dispatch(&m, who, line);
	j = reply();
	ck_assert_msg(error_class(j) && !strcmp(error_class(j), cls), "%s: wanted %s", line, cls);
	json_decref(j);
}

/* What the monitor sends the guest now. */
static const char *to_guest(void)
{
	static char out[8192];
	size_t n = 0, k;

	while ((k = chan_output(&m.chan, (uint8_t *)out + n, sizeof(out) - 1 - n)) > 0) {
		chan_output_consumed(&m.chan, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}

static void guest_says(const char *s)
{
	chan_input(&m.chan, (const uint8_t *)s, strlen(s));
}

START_TEST(bad_requests)
{
	expect_error("garbage", "GenericError");
	expect_error("{", "GenericError");
	expect_error("[1, 2]", "GenericError");
	expect_error("42", "GenericError");
	expect_error("{\"execute\": 5}", "GenericError");
	expect_error("{\"exec\": \"query-status\"}", "GenericError");
	expect_error("{\"execute\": \"query-status\", \"execute\": \"quit\"}", "GenericError");
	expect_error("{\"execute\": \"frobnicate\"}", "CommandNotFound");
	expect_error("{\"execute\": \"query-memory\", \"arguments\": [1]}", "GenericError");
	expect_error("{\"execute\": \"query-memory\", \"arguments\": {\"view\": 1}}", "GenericError");
	expect_error("{\"execute\": \"query-memory\", \"arguments\": {\"view\": \"../../etc/passwd\"}}",
		     "GenericError");
	expect_error("{\"execute\": \"guest-exec\"}", "GenericError");
	expect_error("{\"execute\": \"guest-exec\", \"arguments\": {\"command\": \"a\\nb\"}}",
		     "GuestError");
	expect_error("{\"execute\": \"workload-stop\", \"arguments\": {\"job\": \"x\"}}",
		     "GenericError");
	expect_error("{\"execute\": \"workload-start\", \"arguments\": {}}", "GenericError");
	/* None of it reached the guest or stopped the VM. */
	ck_assert_uint_eq(m.chan.nr_req, 0);
	ck_assert_int_eq(quits, 0);
}
END_TEST

START_TEST(overlong_line_through_the_socket)
{
	static char big[MONITOR_REQ_MAX + 100];
	char c;
	json_t *j;

	/* A line of exactly the limit is served. */
	memset(big, ' ', MONITOR_REQ_MAX);
	memcpy(big, "{\"execute\":\"query-status\"}", 27);
	big[MONITOR_REQ_MAX] = '\n';
	for (size_t off = 0; off <= MONITOR_REQ_MAX;) {
		size_t n = MONITOR_REQ_MAX + 1 - off < 4096 ? MONITOR_REQ_MAX + 1 - off : 4096;
		ssize_t w = send(peer, big + off, n, 0);

		ck_assert_int_gt(w, 0);
		off += (size_t)w;
		ctl_client_input(&m, 0);
	}
	j = reply();
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "return"), "name")),
			 "unit");
	json_decref(j);

	/* One byte more, fed in pieces as a socket would: an error, then the hang-up. */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	for (size_t off = 0; off < sizeof(big) && m.client[0].fd >= 0;) {
		ssize_t w = send(peer, big + off, sizeof(big) - off < 4096 ? sizeof(big) - off : 4096,
				 MSG_NOSIGNAL);

		ck_assert_int_gt(w, 0);
		off += (size_t)w;
		ctl_client_input(&m, 0);
	}
	ck_assert_int_eq(m.client[0].fd, -1);
	j = reply();
	ck_assert_str_eq(error_class(j), "GenericError");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"),
								       "desc")), "65536"));
	json_decref(j);
	ck_assert_int_eq(recv(peer, &c, 1, 0), 0);	/* closed */
	/* Nothing reached the guest, and the VM goes on. */
	ck_assert_uint_eq(m.chan.nr_req, 0);
	ck_assert_int_eq(quits, 0);
}
END_TEST

START_TEST(query_status)
{
	json_t *j, *r;

	ctl_dispatch(&m, who, "{\"execute\": \"query-status\"}");
	j = reply();
	r = json_object_get(j, "return");
	ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "unit");
	ck_assert_str_eq(json_string_value(json_object_get(r, "backend")), "fake");
	ck_assert(json_is_false(json_object_get(r, "control_channel_ready")));
	json_decref(j);
}
END_TEST

START_TEST(query_memory_view)
{
	json_t *j, *r, *data;

	ctl_dispatch(&m, who, "{\"execute\": \"query-memory\", \"arguments\": {\"view\": \"buddyinfo\"}}");
	ck_assert_str_eq(to_guest(), "");		/* held until ready */
	guest_says("* ready\n");
	ck_assert_str_eq(to_guest(), "1 cat /proc/buddyinfo\n");
	guest_says("1 | Node 0, zone      DMA      1      0      2 \n1 = 0\n");
	j = reply();
	r = json_object_get(j, "return");
	ck_assert_str_eq(json_string_value(json_object_get(r, "text")),
			 "Node 0, zone      DMA      1      0      2 \n");
	data = json_array_get(json_object_get(r, "data"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(data, "zone")), "DMA");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(data, "free"), 2)), 2);
	json_decref(j);

	/* A view the guest cannot show is a GuestError with its words. */
	ctl_dispatch(&m, who, "{\"execute\": \"query-memory\", \"arguments\": {\"view\": \"slabinfo\"}}");
	ck_assert_str_eq(to_guest(), "2 cat /proc/slabinfo\n");
	guest_says("2 | cat: /proc/slabinfo: no such file\n2 = 1\n");
	j = reply();
	ck_assert_str_eq(error_class(j), "GuestError");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(j, "error"),
									 "desc")), "no such file"));
	json_decref(j);
}
END_TEST

START_TEST(query_memory_all)
{
	json_t *j, *r;

	guest_says("* ready\n");
	ctl_dispatch(&m, who, "{\"execute\": \"query-memory\"}");
	ck_assert_str_eq(to_guest(), "1 cat /proc/buddyinfo\n2 cat /proc/vmstat\n"
				     "3 cat /proc/zoneinfo\n4 cat /proc/meminfo\n");
	guest_says("2 | nr_free_pages 100\n2 | pswpout 7\n2 = 0\n");
	guest_says("1 | Node 0, zone      DMA      1 \n1 = 0\n");
	guest_says("4 | MemTotal:         513800 kB\n4 = 0\n");
	guest_says("3 | Node 0, zone      DMA\n3 |   pages free     3542\n"
		   "3 |         protection: (0, 235, 235, 235)\n3 |     cpu: 0\n"
		   "3 |               count: 5\n3 |   start_pfn:           0\n3 = 0\n");
	j = reply();
	r = json_object_get(j, "return");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "vmstat"), "pswpout")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "meminfo"), "MemTotal")),
			 513800);
	json_t *z = json_array_get(json_object_get(r, "zoneinfo"), 0);

	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(z, "stats"), "free")), 3542);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(z, "stats"), "start_pfn")), 0);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(z, "protection"), 1)), 235);
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(z, "pagesets"), 0), "count")), 5);
	json_decref(j);
}
END_TEST

START_TEST(exec_workloads_and_timeouts)
{
	json_t *j, *r;

	guest_says("* ready\n");
	ctl_dispatch(&m, who, "{\"execute\": \"workload-start\", \"arguments\": {\"workload\": \"anon 64M seq\"}}");
	ck_assert_str_eq(to_guest(), "1 run anon 64M seq &\n");
	guest_says("1 | [12] wl/anon\n1 = 0\n");
	j = reply();
	r = json_object_get(j, "return");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "job")), 12);
	json_decref(j);

	ctl_dispatch(&m, who, "{\"execute\": \"workload-stop\", \"arguments\": {\"job\": 12}}");
	ck_assert_str_eq(to_guest(), "2 kill 12\n");
	guest_says("2 = 0\n");
	j = reply();
	ck_assert_ptr_nonnull(json_object_get(j, "return"));
	json_decref(j);

	ctl_dispatch(&m, who, "{\"execute\": \"guest-exec\", \"arguments\": {\"command\": \"false\"}}");
	ck_assert_str_eq(to_guest(), "3 false\n");
	guest_says("3 = 1\n");
	j = reply();
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "return"), "status")), 1);
	json_decref(j);

	/* A guest that never answers: a GuestError after the deadline. */
	ctl_dispatch(&m, who, "{\"execute\": \"guest-exec\", \"arguments\": {\"command\": \"sleep\"}}");
	to_guest();
	chan_expire(&m.chan, mono_ns() + MONITOR_GUEST_TIMEOUT_NS + 1);
	j = reply();
	ck_assert_str_eq(error_class(j), "GuestError");
	json_decref(j);
}
END_TEST

START_TEST(reply_to_a_gone_client)
{
	guest_says("* ready\n");
	ctl_dispatch(&m, who, "{\"execute\": \"guest-exec\", \"arguments\": {\"command\": \"echo\"}}");
	to_guest();
	/* The client leaves; another takes its slot; the old answer must not reach it. */
	ctl_client_close(&m, 0);
	close(peer);
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	m.client[0].fd = sv[0];
	m.client[0].gen = 2;
	peer = sv[1];
	guest_says("1 | x\n1 = 0\n");
	char c;

	ck_assert_int_lt(recv(peer, &c, 1, MSG_DONTWAIT), 0);
}
END_TEST

START_TEST(quit_and_console)
{
	json_t *j;

	ctl_dispatch(&m, who, "{\"execute\": \"console\"}");
	j = reply();
	ck_assert_ptr_nonnull(json_object_get(j, "return"));
	json_decref(j);
	ck_assert(m.client[0].console);
	ctl_dispatch(&m, who, "{\"execute\": \"quit\"}");
	j = reply();
	ck_assert_ptr_nonnull(json_object_get(j, "return"));
	json_decref(j);
	ck_assert_int_eq(quits, 1);
	ctl_dispatch(&m, who, "{\"execute\": \"quit\"}");
	json_decref(reply());
	ck_assert_int_eq(quits, 1);	/* once is enough */
}
END_TEST

START_TEST(proc_shapes)
{
	json_t *j;

	j = proc_parse("pagetypeinfo",
		       "Page block order: 9\n"
		       "Free pages count per migrate type at order       0      1 \n"
		       "Node    0, zone      DMA, type    Unmovable      4      1 \n"
		       "\nNumber of blocks type     Unmovable      Movable \n"
		       "Node 0, zone      DMA            1            7 \n");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(
		json_array_get(json_object_get(j, "free"), 0), "free"), 0)), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_array_get(json_object_get(j, "blocks"), 0), "Movable")), 7);
	json_decref(j);
	j = proc_parse("slabinfo",
		       "slabinfo - version: 2.1\n"
		       "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
		       "kmalloc-64           128    128     64   64    1 : tunables    0    0    0 : slabdata      2      2      0\n");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "name")), "kmalloc-64");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "num_slabs")), 2);
	json_decref(j);
	/* Garbage in: empty structures out, never a crash. */
	static const char *const views[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat",
					     "meminfo", "slabinfo" };
	for (unsigned int i = 0; i < 6; i++) {
		j = proc_parse(views[i], "Node\nNode x, zone\n: : :\n\n   \nprotection: (\ncpu:\n");
		ck_assert_ptr_nonnull(j);
		json_decref(j);
	}
	ck_assert_ptr_null(proc_parse("passwd", ""));
}
END_TEST

static Suite *control_json_suite(void)
{
	Suite *s = suite_create("control_json");
	TCase *t = tcase_create("requests");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, bad_requests);
	tcase_add_test(t, overlong_line_through_the_socket);
	tcase_add_test(t, query_status);
	tcase_add_test(t, query_memory_view);
	tcase_add_test(t, query_memory_all);
	tcase_add_test(t, exec_workloads_and_timeouts);
	tcase_add_test(t, reply_to_a_gone_client);
	tcase_add_test(t, quit_and_console);
	tcase_add_test(t, proc_shapes);
	suite_add_tcase(s, t);
	return s;
}
UNIT_SUITE(control_json_suite)
