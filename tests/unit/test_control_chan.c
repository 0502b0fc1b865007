// SPDX-License-Identifier: MIT
/*
 * Control-channel framing (docs/CONVENTIONS.md): parsing each kind of
 * line, refusing requests that are not one line, splitting a byte stream
 * into lines whatever the chunking, discarding overlong lines whole, and
 * the request life cycle: held until "* ready", answered by "ID | ..."
 * and "ID = S", expired, cancelled.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vmm/control/chan.h>
#include <vmm/log.h>

#include "unit.h"

START_TEST(parse_lines)
{
	struct chan_line l;

	chan_parse_line("12 | Node 0, zone      DMA      1 ", &l);
	ck_assert_int_eq(l.kind, CHAN_OUTPUT);
	ck_assert_uint_eq(l.id, 12);
	ck_assert_str_eq(l.text, "Node 0, zone      DMA      1 ");	/* verbatim */
	chan_parse_line("3 |", &l);
	ck_assert_int_eq(l.kind, CHAN_OUTPUT);
	ck_assert_str_eq(l.text, "");
	chan_parse_line("3 | ", &l);
	ck_assert_int_eq(l.kind, CHAN_OUTPUT);
	ck_assert_str_eq(l.text, "");
	chan_parse_line("7 = 0", &l);
	ck_assert_int_eq(l.kind, CHAN_DONE);
	ck_assert_uint_eq(l.id, 7);
	ck_assert_int_eq(l.status, 0);
	chan_parse_line("7 = 143", &l);
	ck_assert_int_eq(l.status, 143);
	chan_parse_line("* job 3 done status 0", &l);
	ck_assert_int_eq(l.kind, CHAN_EVENT);
	ck_assert_str_eq(l.text, "job 3 done status 0");
	chan_parse_line("? = 22", &l);
	ck_assert_int_eq(l.kind, CHAN_REJECT);
	ck_assert_int_eq(l.status, 22);

	static const char *const garbage[] = {
		"", "ebb# ", "0 = 0", "7 = 256", "7 = -1", "7 = 1x", "7 =", "x | y", "7|y",
		"99999999999999999999 = 0", "7  = 0", "* ", "*ready", "? = 22 junk",
	};
	for (unsigned int i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		chan_parse_line(garbage[i], &l);
		if (i == 11) {	/* "* " is an empty event, not garbage */
			ck_assert_int_eq(l.kind, CHAN_EVENT);
			continue;
		}
		ck_assert_msg(l.kind == CHAN_GARBAGE, "\"%s\" parsed as %d", garbage[i], l.kind);
	}
}
END_TEST

START_TEST(format_requests)
{
	char buf[CHAN_LINE_MAX + 64];
	char big[CHAN_LINE_MAX + 8];

	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, "cat /proc/vmstat"), 19);
	ck_assert_str_eq(buf, "5 cat /proc/vmstat\n");
	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, ""), -1);
	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, "a\nb"), -1);
	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, "a\rb"), -1);
	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, "a\033b"), -1);
	ck_assert_int_gt(chan_format(buf, sizeof(buf), 5, "a\tb"), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, big), -1);
	big[CHAN_LINE_MAX - 2] = '\0';		/* "5 " + 4094 = 4096: fits */
	ck_assert_int_eq(chan_format(buf, sizeof(buf), 5, big), CHAN_LINE_MAX + 1);
}
END_TEST

struct done_rec {
	int calls;
	uint64_t id;
	int status;
	char out[8192];
};

static void rec_done(void *ctx, uint64_t id, int status, const char *out, size_t len)
{
	struct done_rec *r = ctx;

	r->calls++;
	r->id = id;
	r->status = status;
	ck_assert_uint_eq(strlen(out), len);
	snprintf(r->out, sizeof(r->out), "%s", out);
}

static void feed(struct chan *c, const char *s)
{
	chan_input(c, (const uint8_t *)s, strlen(s));
}

/* Everything the channel wants to send now, as a string. */
static const char *drain(struct chan *c)
{
	static char out[16384];
	size_t n = 0, k;

	while ((k = chan_output(c, (uint8_t *)out + n, 7)) > 0) {	/* small chunks on purpose */
		chan_output_consumed(c, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}

START_TEST(request_life_cycle)
{
	struct chan c;
	struct done_rec a = { 0 }, b = { 0 };
	uint64_t ia, ib;

	chan_init(&c);
	ia = chan_submit(&c, "cat /proc/buddyinfo", 1000000000ULL, rec_done, &a);
	ib = chan_submit(&c, "echo hi", 1000000000ULL, rec_done, &b);
	ck_assert_uint_eq(ia, 1);
	ck_assert_uint_eq(ib, 2);
	/* Nothing goes out before the guest says it is ready. */
	ck_assert(!chan_has_output(&c));
	ck_assert_str_eq(drain(&c), "");
	feed(&c, "boot noise\r\n* rea");
	ck_assert(!c.ready);
	feed(&c, "dy\r\n");
	ck_assert(c.ready);
	ck_assert_str_eq(drain(&c), "1 cat /proc/buddyinfo\n2 echo hi\n");
	ck_assert(!chan_has_output(&c));
	/* Answers, in odd chunks, interleaved. */
	feed(&c, "2 | hi\n1 | Node 0, zone      DMA      1 \n1 | Node 0, zone    DMA32");
	feed(&c, "      2 \n1 = 0\n");
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.status, 0);
	ck_assert_str_eq(a.out, "Node 0, zone      DMA      1 \nNode 0, zone    DMA32      2 \n");
	ck_assert_int_eq(b.calls, 0);
	feed(&c, "2 = 3\n");
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.status, 3);
	ck_assert_str_eq(b.out, "hi\n");
	/* Answers for unknown requests are ignored. */
	feed(&c, "9 | who?\n9 = 0\n");
	ck_assert_uint_eq(c.nr_req, 0);
	chan_destroy(&c);
}
END_TEST

START_TEST(overlong_and_garbage_lines)
{
	struct chan c;
	struct done_rec a = { 0 };
	char big[CHAN_LINE_MAX + 100];

	chan_init(&c);
	feed(&c, "* ready\n");
	chan_submit(&c, "x", 1000000000ULL, rec_done, &a);
	drain(&c);
	/* A line over the limit is dropped whole: its tail is not an answer. */
	memset(big, 'z', sizeof(big));
	memcpy(big + CHAN_LINE_MAX - 10, "1 = 0", 5);
	chan_input(&c, (const uint8_t *)big, sizeof(big));
	feed(&c, "1 = 0 tail\n");
	ck_assert_int_eq(a.calls, 0);
	feed(&c, "? = 22\nebb# \n\n");
	ck_assert_uint_ge(c.garbage, 2);
	feed(&c, "1 = 0\n");
	ck_assert_int_eq(a.calls, 1);
	chan_destroy(&c);
}
END_TEST

START_TEST(partial_writes)
{
	struct chan c;
	struct done_rec a = { 0 };
	uint8_t buf[64];
	size_t n;

	chan_init(&c);
	feed(&c, "* ready\n");
	chan_submit(&c, "cat /proc/zoneinfo", 1000000000ULL, rec_done, &a);
	/* The guest's UART took 3 bytes of 10 offered: the rest follows. */
	n = chan_output(&c, buf, 10);
	ck_assert_uint_eq(n, 10);
	chan_output_consumed(&c, 3);
	ck_assert_str_eq(drain(&c), "at /proc/zoneinfo\n");
	chan_destroy(&c);
}
END_TEST

START_TEST(expiry_and_cancel)
{
	struct chan c;
	struct done_rec a = { 0 }, b = { 0 };
	uint64_t now;

	chan_init(&c);
	chan_submit(&c, "slow", 1000ULL, rec_done, &a);
	chan_submit(&c, "slower", 1000000000000ULL, rec_done, &b);
	now = mono_ns();	/* after the submits: their deadlines are behind us */
	ck_assert_uint_gt(chan_expire(&c, now + 2000000), 0);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.status, -ETIMEDOUT);
	ck_assert_int_eq(b.calls, 0);
	chan_destroy(&c);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.status, -ECANCELED);
	ck_assert_uint_eq(chan_expire(&c, now), UINT64_MAX);
	/* Unusable commands and a full table are refused with 0. */
	ck_assert_uint_eq(chan_submit(&c, "a\nb", 1, rec_done, &a), 0);
	for (int i = 0; i < CHAN_MAX_PENDING; i++)
		ck_assert_uint_ne(chan_submit(&c, "x", 1000000000ULL, rec_done, &a), 0);
	ck_assert_uint_eq(chan_submit(&c, "x", 1000000000ULL, rec_done, &a), 0);
	chan_destroy(&c);
}
END_TEST

static Suite *control_chan_suite(void)
{
	Suite *s = suite_create("control_chan");
	TCase *t = tcase_create("framing");

	tcase_add_test(t, parse_lines);
	tcase_add_test(t, format_requests);
	tcase_add_test(t, request_life_cycle);
	tcase_add_test(t, overlong_and_garbage_lines);
	tcase_add_test(t, partial_writes);
	tcase_add_test(t, expiry_and_cancel);
	suite_add_tcase(s, t);
	return s;
}
UNIT_SUITE(control_chan_suite)
