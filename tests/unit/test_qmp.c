// SPDX-License-Identifier: MIT
/*
 * The QMP client (vmm/qmp.c) against a fake QEMU on a socketpair:
 * replies find their command by id whatever order and events come in,
 * errors carry QEMU's class and text, 64-bit values beyond jansson's
 * integers still parse, and commands still waiting when QMP closes get
 * their error.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vmm/qmp.h>

#include "unit.h"

struct answer {
	int calls;
	json_int_t value;	/* ret's "v", or its "actual" as a real */
	char error[256];
};

static void on_reply(void *arg, json_t *ret, const char *error)
{
	struct answer *a = arg;
	json_t *v = json_object_get(ret, "v");

	a->calls++;
	if (error)
		snprintf(a->error, sizeof(a->error), "%s", error);
	else
		a->value = json_is_integer(v) ? json_integer_value(v) :
			   (json_int_t)json_number_value(json_object_get(ret, "actual"));
}

static char events[256];

static void on_event(void *ctx, const char *name, json_t *data)
{
	size_t n = strlen(events);

	snprintf(events + n, sizeof(events) - n, "%s%s", n ? "," : "", name);
}

static int pair[2];
static struct qmp q;

static void setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
	qmp_init(&q, pair[0], on_event, NULL);
	events[0] = '\0';
}

static void teardown(void)
{
	qmp_close(&q);
	close(pair[1]);
}

/* What the client sent, one command: its "execute" and "id". */
static uint64_t sent_id(const char *want_cmd)
{
	char buf[1024];
	ssize_t n = recv(pair[1], buf, sizeof(buf) - 1, 0);
	json_t *m;
	uint64_t id;

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strchr(buf, '\n'));
	m = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(json_string_value(json_object_get(m, "execute")), want_cmd);
	id = (uint64_t)json_integer_value(json_object_get(m, "id"));
	json_decref(m);
	return id;
}

static void qemu_says(const char *text)
{
	ck_assert_int_eq(write(pair[1], text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(qmp_read(&q), 0);
}

START_TEST(test_qmp_replies_by_id)
{
	struct answer a = { 0 }, b = { 0 };
	uint64_t ia, ib;
	char line[256];

	ck_assert_int_eq(qmp_execute(&q, "query-balloon", NULL, on_reply, &a), 0);
	ia = sent_id("query-balloon");
	ck_assert_int_eq(qmp_execute(&q, "balloon", json_pack("{sI}", "value", 1), on_reply, &b), 0);
	ib = sent_id("balloon");
	ck_assert_uint_ne(ia, ib);
	/* The second answered first, an event between, the first split over two reads. */
	snprintf(line, sizeof(line), "{\"return\": {\"v\": 2}, \"id\": %llu}\n"
		 "{\"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 5}}\n{\"return\": {\"v\"",
		 (unsigned long long)ib);
	qemu_says(line);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.value, 2);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_str_eq(events, "BALLOON_CHANGE");
	snprintf(line, sizeof(line), ": 1}, \"id\": %llu}\n", (unsigned long long)ia);
	qemu_says(line);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.value, 1);
	/* An answer nobody waits for any more changes nothing. */
	snprintf(line, sizeof(line), "{\"return\": {\"v\": 9}, \"id\": %llu}\n",
		 (unsigned long long)ia);
	qemu_says(line);
	ck_assert_int_eq(a.calls, 1);
}
END_TEST

START_TEST(test_qmp_errors_and_big_numbers)
{
	struct answer a = { 0 }, b = { 0 };
	char line[256];
	uint64_t id;

	ck_assert_int_eq(qmp_execute(&q, "balloon", NULL, on_reply, &a), 0);
	id = sent_id("balloon");
	snprintf(line, sizeof(line), "{\"error\": {\"class\": \"GenericError\", \"desc\": "
		 "\"Parameter 'target' expects a size\"}, \"id\": %llu}\n", (unsigned long long)id);
	qemu_says(line);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_str_eq(a.error, "GenericError: Parameter 'target' expects a size");
	/* QEMU prints an unset statistic as 2^64 - 1: the line still parses. */
	ck_assert_int_eq(qmp_execute(&q, "qom-get", NULL, on_reply, &b), 0);
	id = sent_id("qom-get");
	snprintf(line, sizeof(line), "{\"return\": {\"actual\": 536870912, \"stat\": "
		 "18446744073709551615}, \"id\": %llu}\n", (unsigned long long)id);
	qemu_says(line);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.value, 536870912);
}
END_TEST

START_TEST(test_qmp_close_fails_pending)
{
	struct answer a = { 0 }, b = { 0 };

	ck_assert_int_eq(qmp_execute(&q, "query-balloon", NULL, on_reply, &a), 0);
	ck_assert_int_eq(qmp_execute(&q, "quit", NULL, NULL, NULL), 0);	/* nobody waits */
	close(pair[1]);
	pair[1] = -1;
	ck_assert_int_eq(qmp_read(&q), -1);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_ptr_nonnull(strstr(a.error, "closed"));
	/* Closed: nothing is sent, and nothing will be called. */
	ck_assert_int_eq(qmp_execute(&q, "query-balloon", NULL, on_reply, &b), -1);
	ck_assert_int_eq(b.calls, 0);
}
END_TEST

START_TEST(test_qmp_too_many_pending)
{
	struct answer a[QMP_MAX_PENDING + 1] = { 0 };

	for (int i = 0; i < QMP_MAX_PENDING; i++)
		ck_assert_int_eq(qmp_execute(&q, "query-balloon", NULL, on_reply, &a[i]), 0);
	ck_assert_int_eq(qmp_execute(&q, "query-balloon", NULL, on_reply, &a[QMP_MAX_PENDING]), -1);
	qmp_close(&q);
	for (int i = 0; i < QMP_MAX_PENDING; i++)
		ck_assert_int_eq(a[i].calls, 1);
	ck_assert_int_eq(a[QMP_MAX_PENDING].calls, 0);
}
END_TEST

static Suite *qmp_suite(void)
{
	Suite *s = suite_create("qmp");
	TCase *tc = tcase_create("client");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_qmp_replies_by_id);
	tcase_add_test(tc, test_qmp_errors_and_big_numbers);
	tcase_add_test(tc, test_qmp_close_fails_pending);
	tcase_add_test(tc, test_qmp_too_many_pending);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(qmp_suite)
