// SPDX-License-Identifier: MIT
/*
 * The libvirt backend against libvirt's built-in test driver
 * (test:///default: one running domain "test" of 8 GiB with fixed memory
 * stats): domains are found, stats read in bytes, a target set through
 * virDomainSetMemory comes back in the next sample, and the controller
 * drives it like any VM.
 */
#include <string.h>

#include <balloon/policy_ctl.h>

#include "unit.h"

#define MiB (1024ULL * 1024)

START_TEST(libvirt_test_driver)
{
	struct policy_target t[4];
	struct policy_vm v = { 0 };
	char err[256];
	int n = policy_libvirt_open_all("test:///default", 1, t, 4, err, sizeof(err));

	ck_assert_msg(n == 1, "%d domains: %s", n, err);
	ck_assert_str_eq(t[0].name, "test");
	ck_assert_str_eq(t[0].ops->kind, "libvirt");
	ck_assert_uint_eq(t[0].ram, 8192 * MiB);
	ck_assert_int_eq(t[0].ops->sample(t[0].ctx, &v), 0);
	ck_assert(v.has_stats);
	ck_assert_uint_eq(v.free, 1024 * MiB);		/* "unused" */
	ck_assert_uint_eq(v.avail, 1024 * MiB);		/* "usable" */
	ck_assert_uint_eq(v.total, 2048 * MiB);		/* "available" */
	ck_assert_uint_eq(v.rss, 1024 * MiB);
	ck_assert_int_eq(t[0].ops->set_target(t[0].ctx, 3072 * MiB), 0);
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(t[0].ops->sample(t[0].ctx, &v), 0);
	ck_assert_uint_eq(v.target, 3072 * MiB);
	t[0].ops->close(t[0].ctx);
}
END_TEST

/* The controller with the static policy sets the domain's memory. */
START_TEST(libvirt_controller_tick)
{
	static struct policy_ctl c;
	char err[256];
	int n;

	memset(&c, 0, sizeof(c));
	policy_knobs_default(&c.knobs);
	c.knobs.static_size = 768 * MiB;
	c.policy = &policy_static;
	n = policy_libvirt_open_all("test:///default", 1, c.vm, POLICY_MAX_VMS, err, sizeof(err));
	ck_assert_int_eq(n, 1);
	c.nr = 1;
	ck_assert_uint_eq(policy_ctl_tick(&c, 1000000000ULL), 1);
	ck_assert_uint_eq(c.set_errors, 0);
	ck_assert_uint_eq(policy_ctl_tick(&c, 2000000000ULL), 0);	/* already there */
	ck_assert_uint_eq(c.cur.vm[0].target, 768 * MiB);
	ck_assert_str_eq(c.cur.vm[0].name, "test");
	policy_ctl_close(&c);
}
END_TEST

START_TEST(libvirt_bad_uri)
{
	struct policy_target t[1];
	char err[256] = "";

	ck_assert_int_eq(policy_libvirt_open_all("nosuchdriver:///x", 1, t, 1, err, sizeof(err)), -1);
	ck_assert(strstr(err, "nosuchdriver") != NULL);
}
END_TEST

static Suite *libvirt_suite(void)
{
	Suite *s = suite_create("libvirt");
	TCase *tc = tcase_create("libvirt");

	tcase_add_test(tc, libvirt_test_driver);
	tcase_add_test(tc, libvirt_controller_tick);
	tcase_add_test(tc, libvirt_bad_uri);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(libvirt_suite)
