// SPDX-License-Identifier: MIT
/*
 * The virtualization-cost benchmark's host logic (bench/vcost/): the
 * guest's report lines, the runners' records, and the report's medians,
 * ratios and JSON.  A line cut short by a dying VM must never become a
 * figure, and an op the KVM could not run must show as such.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../bench/vcost/proto.h"
#include "../../bench/vcost/vcost.h"

#include "unit.h"

START_TEST(msg_lines)
{
	struct vcost_msg m;

	ck_assert_int_eq(vcost_msg_parse("vcost: hello ops=19 from=4", &m), 0);
	ck_assert_int_eq(m.type, VCOST_MSG_HELLO);
	ck_assert_uint_eq(m.nr_ops, 19);
	ck_assert_uint_eq(m.from, 4);

	ck_assert_int_eq(vcost_msg_parse("vcost: op 6 cr3_write\r\n", &m), 0);
	ck_assert_int_eq(m.type, VCOST_MSG_OP);
	ck_assert_uint_eq(m.op, 6);
	ck_assert_str_eq(m.name, "cr3_write");

	ck_assert_int_eq(vcost_msg_parse("vcost: run 4 rdtsc rep=2 n=1000 cycles=3100 base=100", &m), 0);
	ck_assert_int_eq(m.type, VCOST_MSG_RUN);
	ck_assert_uint_eq(m.op, 4);
	ck_assert_str_eq(m.name, "rdtsc");
	ck_assert_uint_eq(m.rep, 2);
	ck_assert_uint_eq(m.n, 1000);
	ck_assert_uint_eq(m.cycles, 3100);
	ck_assert_uint_eq(m.base, 100);

	ck_assert_int_eq(vcost_msg_parse("vcost: fault op=9 vec=14 err=2 rip=1050000 cr2=4096", &m), 0);
	ck_assert_int_eq(m.type, VCOST_MSG_FAULT);
	ck_assert_uint_eq(m.op, 9);
	ck_assert_uint_eq(m.vec, 14);
	ck_assert_uint_eq(m.cr2, 4096);

	ck_assert_int_eq(vcost_msg_parse("vcost: done", &m), 0);
	ck_assert_int_eq(m.type, VCOST_MSG_DONE);
}
END_TEST

/* A VM that dies mid-line, other console output, junk after a line. */
START_TEST(msg_refuses_partial_lines)
{
	struct vcost_msg m;

	ck_assert_int_eq(vcost_msg_parse("vcost: run 4 rdtsc rep=2 n=1000 cycles=31", &m), -1);
	ck_assert_int_eq(vcost_msg_parse("vcost: run 4 rdtsc rep=2 n=1000 cycles=3100 base=", &m), -1);
	ck_assert_int_eq(vcost_msg_parse("vcost: run 4 rdtsc rep=2 n=1000 cycles=3100 base=1 x", &m), -1);
	ck_assert_int_eq(vcost_msg_parse("vcost: hello ops=19", &m), -1);
	ck_assert_int_eq(vcost_msg_parse("vcost: done now", &m), -1);
	ck_assert_int_eq(vcost_msg_parse("hello ops=19 from=1", &m), -1);
	ck_assert_int_eq(vcost_msg_parse("", &m), -1);
}
END_TEST

START_TEST(run_to_ns)
{
	struct vcost_msg m = { .type = VCOST_MSG_RUN, .n = 1000, .cycles = 3100, .base = 100 };
	struct vcost_rec r;

	/* 3000 cycles over 1000 iterations at 3 GHz: 1 ns each. */
	ck_assert(fabs(vcost_run_ns(&m, 3000000) - 1.0) < 1e-9);
	/* Faster than the empty bracket (noise): nothing, never negative. */
	m.cycles = 50;
	ck_assert(vcost_run_ns(&m, 3000000) == 0);
	m.n = 0;
	ck_assert(vcost_run_ns(&m, 3000000) == 0);

	/* No iterations: a record that says so, not a figure of 0. */
	snprintf(m.name, sizeof(m.name), "first_touch");
	vcost_rec_from_run(&r, "kvm", &m, 3000000);
	ck_assert_str_eq(r.backend, "kvm");
	ck_assert_str_eq(r.name, "first_touch");
	ck_assert(r.status[0] != '\0');
}
END_TEST

START_TEST(records_round_trip)
{
	struct vcost_rec r = { .backend = "kvm", .op = 12, .name = "pio_exit", .rep = 1,
			       .n = 438, .ns = 54138.917, .wall_ns = 54258.5, .nr_stats = 2 };
	struct vcost_rec back;
	char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	snprintf(r.stat[0].name, sizeof(r.stat[0].name), "vcpu.io_exits");
	r.stat[0].per_op = 1.0;
	snprintf(r.stat[1].name, sizeof(r.stat[1].name), "vm.pages_4k");
	r.stat[1].per_op = -0.5;
	vcost_rec_print(f, &r);
	fclose(f);
	ck_assert_int_eq(vcost_rec_parse(buf, &back), 0);
	ck_assert_str_eq(back.backend, "kvm");
	ck_assert_uint_eq(back.op, 12);
	ck_assert_str_eq(back.name, "pio_exit");
	ck_assert_uint_eq(back.rep, 1);
	ck_assert_uint_eq(back.n, 438);
	ck_assert(fabs(back.ns - 54138.917) < 1e-3);
	ck_assert(fabs(back.wall_ns - 54258.5) < 1e-3);
	ck_assert_uint_eq(back.nr_stats, 2);
	ck_assert_str_eq(back.stat[1].name, "vm.pages_4k");
	ck_assert(back.stat[1].per_op == -0.5);
	ck_assert_str_eq(back.status, "");

	/* A failure keeps its whole reason, spaces and all. */
	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 6 cr3_write rep=0 status=not emulated: "
					 "KVM_EXIT_INTERNAL_ERROR, suberror 1\n", &back), 0);
	ck_assert_str_eq(back.status, "not emulated: KVM_EXIT_INTERNAL_ERROR, suberror 1");
	ck_assert(back.wall_ns < 0);
}
END_TEST

START_TEST(records_refused)
{
	struct vcost_rec r;

	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 4 rdtsc rep=0 n=10", &r), -1);
	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 4 rdtsc rep=0 ns=1.5", &r), -1);
	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 4 rdtsc rep=0 n=10 ns=1.5 vcpu.exits=", &r), -1);
	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 4 rdtsc rep=0 n=10 ns=1.5 junk", &r), -1);
	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 4 rdtsc rep=0 status=", &r), -1);
	ck_assert_int_eq(vcost_rec_parse("vcost-rec kvm 4", &r), -1);
	ck_assert_int_eq(vcost_rec_parse("vcost kvm: rdtsc run 0: 12 ns/op", &r), -1);
}
END_TEST

static const char kvm_out[] =
	"kvm-run: no /dev/kvm on this host\n"
	"vcost-info kvm tsc_khz=2096040 module=kvm_amd\n"
	"vcost-rec kvm 1 alu rep=0 n=100 ns=5 vcpu.exits=0.5\n"
	"vcost kvm: alu run 0: 5 ns/op\n"
	"vcost-rec kvm 1 alu rep=1 n=100 ns=1 vcpu.exits=0.1\n"
	"vcost-rec kvm 1 alu rep=2 n=100 ns=3 vcpu.exits=0.3 vcpu.halt_exits=0.001\n"
	"vcost-rec kvm 6 cr3_write rep=0 status=not emulated: KVM_EXIT_INTERNAL_ERROR\n"
	"vcost-rec kvm 12 pio_exit rep=0 n=10 ns=9000 vcpu.io_exits=1\n"
	"vcost-rec kvm 12 pio_exit rep=1 n=10 ns=9100 vcpu.io_ex";	/* the nest died here */

static const char qemu_out[] =
	"vcost-info qemu tsc_khz=2096030 qemu=qemu-system-x86_64\n"
	"vcost-rec qemu 12 pio_exit rep=0 n=1000 ns=36\n"
	"vcost-rec qemu 1 alu rep=0 n=100 ns=1.5\n"
	"vcost-rec qemu 6 cr3_write rep=0 n=100 ns=1700\n";

static void read_str(struct vcost_report *rp, const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	ck_assert_ptr_nonnull(f);
	vcost_report_read(rp, f);
	fclose(f);
}

static json_t *result_of(json_t *root, const char *op)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(root, "results"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "op")), op))
			return r;
	return NULL;
}

START_TEST(report_medians_and_json)
{
	static struct vcost_report rp;
	json_t *root, *r;

	vcost_report_init(&rp);
	rp.nested = true;
	read_str(&rp, kvm_out);
	read_str(&rp, qemu_out);
	vcost_report_finish(&rp);

	/* Rows in op order whichever side named them first. */
	ck_assert_uint_eq(rp.nr_rows, 3);
	ck_assert_uint_eq(rp.rows[0].op, 1);
	ck_assert_uint_eq(rp.rows[1].op, 6);
	ck_assert_uint_eq(rp.rows[2].op, 12);
	/* The median run, with its own statistics. */
	ck_assert_uint_eq(rp.rows[0].kvm.nr_runs, 3);
	ck_assert(rp.rows[0].kvm.median->ns == 3);
	ck_assert(rp.rows[0].kvm.median->stat[0].per_op == 0.3);
	/* The cut record is not a run. */
	ck_assert_uint_eq(rp.rows[2].kvm.nr_runs, 1);

	root = vcost_report_json(&rp);
	ck_assert_str_eq(json_string_value(json_object_get(root, "bench")), "vcost");
	ck_assert(json_is_true(json_object_get(root, "nested")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(root, "kvm"), "tsc_khz")),
			 2096040);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "kvm"), "module")),
			 "kvm_amd");

	r = result_of(root, "alu");
	ck_assert(json_real_value(json_object_get(r, "value")) == 3);
	ck_assert(json_real_value(json_object_get(r, "baseline_value")) == 1.5);
	/* QEMU / KVM: below 1, QEMU was faster. */
	ck_assert(fabs(json_real_value(json_object_get(r, "ratio")) - 0.5) < 1e-12);
	ck_assert(json_real_value(json_object_get(json_object_get(r, "kvm_stats_per_op"),
						  "vcpu.exits")) == 0.3);
	/* Below the noise floor: left out. */
	ck_assert_ptr_null(json_object_get(json_object_get(r, "kvm_stats_per_op"),
					   "vcpu.halt_exits"));

	/* Not emulated on KVM: no value, no ratio, the reason; QEMU's figure stays. */
	r = result_of(root, "cr3_write");
	ck_assert(json_is_null(json_object_get(r, "value")));
	ck_assert(json_is_null(json_object_get(r, "ratio")));
	ck_assert(json_real_value(json_object_get(r, "baseline_value")) == 1700);
	ck_assert_str_eq(json_string_value(json_object_get(r, "kvm_status")),
			 "not emulated: KVM_EXIT_INTERNAL_ERROR");

	r = result_of(root, "pio_exit");
	ck_assert(fabs(json_real_value(json_object_get(r, "ratio")) - 0.004) < 1e-12);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "kvm_runs")), 1);
	json_decref(root);
	vcost_report_free(&rp);
}
END_TEST

START_TEST(op_titles)
{
	ck_assert_str_eq(vcost_op_title("cli_sti"), "cli; sti");
	ck_assert_str_eq(vcost_op_title("something_new"), "something_new");
}
END_TEST

static Suite *vcost_suite(void)
{
	Suite *s = suite_create("bench_vcost");
	TCase *tc = tcase_create("vcost");

	tcase_add_test(tc, msg_lines);
	tcase_add_test(tc, msg_refuses_partial_lines);
	tcase_add_test(tc, run_to_ns);
	tcase_add_test(tc, records_round_trip);
	tcase_add_test(tc, records_refused);
	tcase_add_test(tc, report_medians_and_json);
	tcase_add_test(tc, op_titles);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vcost_suite)
