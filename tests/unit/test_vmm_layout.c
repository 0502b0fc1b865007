// SPDX-License-Identifier: MIT
/* The guest physical layout, NUMA option parsing and the guest command line. */
#include <stdarg.h>
#include <string.h>

#include <vmm/layout.h>
#include <vmm/options.h>

#include "unit.h"

#define M (1ULL << 20)
#define G (1ULL << 30)

static void build(struct ebb_layout *l, unsigned int n, const uint64_t *sizes)
{
	char err[256] = "";

	ck_assert_msg(layout_build(l, n, sizes, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(small_single_node)
{
	struct ebb_layout l;
	uint64_t sz = 512 * M;
	char buf[64];

	build(&l, 1, &sz);
	ck_assert_uint_eq(l.nr_ranges, 1);
	ck_assert_uint_eq(l.ranges[0].gpa, 0);
	ck_assert_uint_eq(l.ranges[0].size, 512 * M);
	ck_assert_uint_eq(l.mem_size, 512 * M);
	ck_assert_int_eq(layout_numa_param(&l, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(exactly_3g)
{
	struct ebb_layout l;
	uint64_t sz = 3 * G;

	build(&l, 1, &sz);
	ck_assert_uint_eq(l.nr_ranges, 1);
	ck_assert_uint_eq(l.ranges[0].size, 3 * G);
}
END_TEST

START_TEST(above_the_hole)
{
	struct ebb_layout l;
	uint64_t sz = 5 * G;

	build(&l, 1, &sz);
	ck_assert_uint_eq(l.nr_ranges, 2);
	ck_assert_uint_eq(l.ranges[0].gpa, 0);
	ck_assert_uint_eq(l.ranges[0].size, 3 * G);
	ck_assert_uint_eq(l.ranges[1].gpa, 4 * G);
	ck_assert_uint_eq(l.ranges[1].size, 2 * G);
	ck_assert_uint_eq(l.ranges[1].node_off, 3 * G);
	ck_assert_ptr_null(layout_find(&l, 3 * G, 1));		/* the hole */
	ck_assert_ptr_null(layout_find(&l, EBB_MMIO_BASE, 4));
	ck_assert_ptr_nonnull(layout_find(&l, 4 * G, 4096));
	ck_assert_ptr_null(layout_find(&l, 6 * G - 1, 2));	/* past the end */
	ck_assert_ptr_null(layout_find(&l, 3 * G - 2, 4));	/* straddles the hole */
}
END_TEST

START_TEST(two_nodes_512m)
{
	struct ebb_layout l;
	uint64_t sz[2] = { 256 * M, 256 * M };
	char buf[128];

	build(&l, 2, sz);
	ck_assert_uint_eq(l.nr_ranges, 2);
	ck_assert_uint_eq(l.ranges[1].gpa, 256 * M);
	ck_assert_uint_eq(l.ranges[1].node, 1);
	ck_assert_uint_eq(l.ranges[1].node_off, 0);
	layout_numa_param(&l, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0:0-10000000,1:10000000-20000000");
}
END_TEST

START_TEST(node_across_the_hole)
{
	struct ebb_layout l;
	uint64_t sz[3] = { 2 * G, 2 * G, 1 * G };
	char buf[256];

	build(&l, 3, sz);
	ck_assert_uint_eq(l.nr_ranges, 4);
	/* node 1: [2G, 3G) and [4G, 5G) */
	ck_assert_uint_eq(l.ranges[1].node, 1);
	ck_assert_uint_eq(l.ranges[1].gpa, 2 * G);
	ck_assert_uint_eq(l.ranges[1].size, 1 * G);
	ck_assert_uint_eq(l.ranges[2].node, 1);
	ck_assert_uint_eq(l.ranges[2].gpa, 4 * G);
	ck_assert_uint_eq(l.ranges[2].node_off, 1 * G);
	ck_assert_uint_eq(l.ranges[3].node, 2);
	ck_assert_uint_eq(l.ranges[3].gpa, 5 * G);
	ck_assert_uint_eq(l.ranges[3].node_off, 0);
	layout_numa_param(&l, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0:0-80000000,1:80000000-c0000000,1:100000000-140000000,"
			      "2:140000000-180000000");
	/* A short buffer truncates but reports the full length, as snprintf. */
	ck_assert_int_eq(layout_numa_param(&l, buf, 10), (int)strlen(
		"0:0-80000000,1:80000000-c0000000,1:100000000-140000000,2:140000000-180000000"));
	ck_assert_uint_eq(strlen(buf), 9);
}
END_TEST

START_TEST(bad_layouts)
{
	struct ebb_layout l;
	char err[256];
	uint64_t zero[2] = { 256 * M, 0 };
	uint64_t odd[1] = { 256 * M + 4096 };
	uint64_t tiny[1] = { 4 * M };
	uint64_t small0[2] = { 2 * M, 256 * M };
	uint64_t huge[1] = { 2ULL << 40 };
	uint64_t nine[9] = { 0 };

	ck_assert_int_eq(layout_build(&l, 2, zero, err, sizeof(err)), -1);
	ck_assert_int_eq(layout_build(&l, 1, odd, err, sizeof(err)), -1);
	ck_assert_int_eq(layout_build(&l, 1, tiny, err, sizeof(err)), -1);
	ck_assert_int_eq(layout_build(&l, 2, small0, err, sizeof(err)), -1);
	ck_assert_int_eq(layout_build(&l, 1, huge, err, sizeof(err)), -1);
	ck_assert_int_eq(layout_build(&l, 9, nine, err, sizeof(err)), -1);
	ck_assert_int_eq(layout_build(&l, 0, nine, err, sizeof(err)), -1);
}
END_TEST

START_TEST(sizes)
{
	uint64_t v;

	ck_assert_int_eq(parse_size("512M", &v), 0);
	ck_assert_uint_eq(v, 512 * M);
	ck_assert_int_eq(parse_size("512", &v), 0);		/* MiB, as QEMU */
	ck_assert_uint_eq(v, 512 * M);
	ck_assert_int_eq(parse_size("2G", &v), 0);
	ck_assert_uint_eq(v, 2 * G);
	ck_assert_int_eq(parse_size("1g", &v), 0);
	ck_assert_uint_eq(v, G);
	ck_assert_int_eq(parse_size("4096K", &v), 0);
	ck_assert_uint_eq(v, 4 * M);
	ck_assert_int_eq(parse_size("256MiB", &v), 0);
	ck_assert_uint_eq(v, 256 * M);
	ck_assert_int_eq(parse_size("1T", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 40);
	ck_assert_int_eq(parse_size("4096B", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_size("", &v), -1);
	ck_assert_int_eq(parse_size("M", &v), -1);
	ck_assert_int_eq(parse_size("-1M", &v), -1);
	ck_assert_int_eq(parse_size("12X", &v), -1);
	ck_assert_int_eq(parse_size("12MM", &v), -1);
	ck_assert_int_eq(parse_size("99999999999999999999", &v), -1);
	ck_assert_int_eq(parse_size("99999999999T", &v), -1);		/* overflows */
	ck_assert_int_eq(parse_size(NULL, &v), -1);
}
END_TEST

static int parse_args(struct ebb_options *o, char *err, int n, ...)
{
	char *argv[16] = { "run" };
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[i + 1] = va_arg(ap, char *);
	va_end(ap);
	return options_parse(n + 1, argv, o, err, 256);
}

START_TEST(numa_count)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert_msg(parse_args(&o, err, 4, "--mem", "512M", "--numa", "2") == 0, "%s", err);
	ck_assert_uint_eq(o.nr_nodes, 2);
	ck_assert_uint_eq(o.node_size[0], 256 * M);
	ck_assert_uint_eq(o.node_size[1], 256 * M);

	/* Uneven: 2 MiB units, the last node takes the rest. */
	ck_assert(parse_args(&o, err, 2, "--mem=514M", "--numa=3") == 0);
	ck_assert_uint_eq(o.node_size[0], 170 * M);
	ck_assert_uint_eq(o.node_size[1], 170 * M);
	ck_assert_uint_eq(o.node_size[2], 174 * M);

	/* Defaults: 512M, one node, one CPU. */
	ck_assert(parse_args(&o, err, 0) == 0);
	ck_assert_uint_eq(o.mem_size, EBB_DEFAULT_MEM);
	ck_assert_uint_eq(o.nr_nodes, 1);
	ck_assert_uint_eq(o.nr_cpus, 1);
	ck_assert_ptr_null(o.kernel);
}
END_TEST

START_TEST(numa_sizes)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert_msg(parse_args(&o, err, 2, "--numa", "256M,768M") == 0, "%s", err);
	ck_assert_uint_eq(o.nr_nodes, 2);
	ck_assert_uint_eq(o.mem_size, G);
	ck_assert_uint_eq(o.node_size[1], 768 * M);
	ck_assert(parse_args(&o, err, 4, "--mem", "1G", "--numa", "512M,512M") == 0);
	ck_assert(parse_args(&o, err, 2, "--numa", "1G,1G,1G,1G") == 0);
	ck_assert_uint_eq(o.mem_size, 4 * G);
}
END_TEST

/* --numa ...,cpus=: each node's run of vCPUs, and the SRAT's node per vCPU. */
START_TEST(numa_cpus)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert_msg(parse_args(&o, err, 4, "--cpus", "4", "--numa", "2,cpus=0:1-3") == 0, "%s", err);
	ck_assert(o.explicit_cpus);
	ck_assert_uint_eq(options_cpu_node(&o, 0), 0);
	ck_assert_uint_eq(options_cpu_node(&o, 1), 1);
	ck_assert_uint_eq(options_cpu_node(&o, 3), 1);
	/* With sizes, and --cpus after --numa: checked once all are read. */
	ck_assert_msg(parse_args(&o, err, 4, "--numa", "128M,128M,64M,cpus=0-2:3:4-5", "--cpus",
				 "6") == 0, "%s", err);
	ck_assert_uint_eq(o.nr_nodes, 3);
	ck_assert_uint_eq(options_cpu_node(&o, 2), 0);
	ck_assert_uint_eq(options_cpu_node(&o, 3), 1);
	ck_assert_uint_eq(options_cpu_node(&o, 5), 2);
	/* Without cpus=: equal runs in order, as before. */
	ck_assert(parse_args(&o, err, 4, "--cpus", "4", "--numa", "2") == 0);
	ck_assert(!o.explicit_cpus);
	ck_assert_uint_eq(options_cpu_node(&o, 1), 0);
	ck_assert_uint_eq(options_cpu_node(&o, 2), 1);
}
END_TEST

/* cpus= that does not place every vCPU on exactly one node, or is malformed. */
static const char *const bad_numa_cpus[][2] = {
	{ "2,cpus=0:1", "4" },		/* CPUs 2-3 on no node */
	{ "2,cpus=0-2:2-3", "4" },	/* CPU 2 twice */
	{ "2,cpus=1:0", "2" },		/* not from 0, in order */
	{ "2,cpus=0:2-3", "4" },	/* CPU 1 on no node */
	{ "3,cpus=0:1-3", "4" },	/* runs for 2 of 3 nodes */
	{ "2,cpus=0-3", "4" },
	{ "cpus=0", "1" },		/* no node count */
	{ "2,cpus=0:1-", "2" },
	{ "2,cpus=0:1x", "2" },
	{ "2,cpus=0:3-1", "4" },
	{ "2,cpus=0:1:", "2" },
};

START_TEST(numa_cpus_bad)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert_msg(parse_args(&o, err, 4, "--numa", bad_numa_cpus[_i][0], "--cpus",
				 bad_numa_cpus[_i][1]) == -1, "--numa %s --cpus %s accepted",
		      bad_numa_cpus[_i][0], bad_numa_cpus[_i][1]);
	ck_assert_msg(strstr(err, "--numa"), "message \"%s\" does not name --numa", err);
}
END_TEST

/* --numa-distance: one remote value or the whole matrix, resolved against the node count. */
START_TEST(numa_distance)
{
	struct ebb_options o;
	char err[256] = "";

	/* Without it: Linux's 10/20, and nothing stored. */
	ck_assert(parse_args(&o, err, 2, "--numa", "2") == 0);
	ck_assert_uint_eq(o.nr_distances, 0);
	ck_assert_uint_eq(options_node_distance(&o, 0, 1), 20);
	ck_assert_uint_eq(options_node_distance(&o, 1, 1), 10);
	/* One value is every remote pair's, whichever option comes first. */
	ck_assert_msg(parse_args(&o, err, 4, "--numa-distance", "31", "--numa", "3") == 0, "%s",
		      err);
	ck_assert_uint_eq(o.nr_distances, 9);
	for (unsigned int a = 0; a < 3; a++)
		for (unsigned int b = 0; b < 3; b++)
			ck_assert_uint_eq(options_node_distance(&o, a, b), a == b ? 10 : 31);
	/* The whole matrix, row by row; asymmetric is allowed, as in the SLIT. */
	ck_assert_msg(parse_args(&o, err, 4, "--numa", "3", "--numa-distance",
				 "10,21,31,22,10,21,32,21,10") == 0, "%s", err);
	ck_assert_uint_eq(options_node_distance(&o, 0, 1), 21);
	ck_assert_uint_eq(options_node_distance(&o, 1, 0), 22);
	ck_assert_uint_eq(options_node_distance(&o, 2, 0), 32);
	ck_assert_uint_eq(options_node_distance(&o, 2, 2), 10);
	ck_assert_uint_eq(options_node_distance(&o, 0, 2), 31);
}
END_TEST

/* Each with its node count; all refused with a message naming --numa-distance. */
static const char *const bad_numa_distance[][2] = {
	{ "21", "1" },			/* one node: no remote distance */
	{ "10", "2" },			/* remote as near as local */
	{ "9", "2" },			/* below ACPI's normalized 10 */
	{ "255", "2" },			/* 255 is "unreachable" */
	{ "10,20,20", "2" },		/* 3 values for 4 */
	{ "10,20,20,10,10", "2" },
	{ "11,20,20,10", "2" },		/* a node's own distance is 10 */
	{ "10,10,20,10", "2" },		/* remote 10 */
	{ "10,,20,10", "2" },
	{ "10,20,20,10,", "2" },
	{ "", "2" },
	{ "x", "2" },
	{ "20m", "2" },
	{ "-20", "2" },
	{ "00000000020", "2" },
};

START_TEST(numa_distance_bad)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert_msg(parse_args(&o, err, 4, "--numa", bad_numa_distance[_i][1], "--numa-distance",
				 bad_numa_distance[_i][0]) == -1,
		      "--numa %s --numa-distance \"%s\" accepted", bad_numa_distance[_i][1],
		      bad_numa_distance[_i][0]);
	ck_assert_msg(strstr(err, "--numa-distance"), "message \"%s\" does not name it", err);
}
END_TEST

static const char *const bad_numa[] = {
	"0", "9", "x", "", "2x", "256M,", ",256M", "256M,,256M", "256M,abc", "1M,1M",
	"3M,256M", "1,1,1,1,1,1,1,1,1", "-2",
};

START_TEST(numa_bad)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert_msg(parse_args(&o, err, 2, "--numa", bad_numa[_i]) == -1,
		      "--numa \"%s\" accepted", bad_numa[_i]);
	ck_assert_msg(strstr(err, "--numa"), "message \"%s\" does not name --numa", err);
}
END_TEST

START_TEST(other_options)
{
	struct ebb_options o;
	char err[256] = "";

	ck_assert(parse_args(&o, err, 4, "--mem", "512M", "--numa", "256M,128M") == -1);
	ck_assert_ptr_nonnull(strstr(err, "does not match"));
	ck_assert(parse_args(&o, err, 2, "--mem", "3M") == -1);		/* not 2M units */
	ck_assert(parse_args(&o, err, 4, "--mem", "2M", "--numa", "2") == -1);
	ck_assert(parse_args(&o, err, 2, "--cpus", "0") == -1);
	ck_assert(parse_args(&o, err, 2, "--cpus", "65") == -1);
	ck_assert(parse_args(&o, err, 1, "--cpus") == -1);
	ck_assert_ptr_nonnull(strstr(err, "needs a value"));
	ck_assert(parse_args(&o, err, 1, "--frob") == -1);
	ck_assert_ptr_nonnull(strstr(err, "--frob"));
	ck_assert(parse_args(&o, err, 1, "--memory=1G") == -1);
	ck_assert(parse_args(&o, err, 4, "--numa", "2", "--host-node", "0,1,2") == -1);
	ck_assert(parse_args(&o, err, 2, "--host-node", "x") == -1);

	ck_assert_msg(parse_args(&o, err, 12, "--cpus", "4", "--name", "vm1", "--kernel", "k.elf",
				 "--host-node", "1", "--hugepages", "--stats", "--cmdline", "x") == 0,
		      "%s", err);
	ck_assert_uint_eq(o.nr_cpus, 4);
	ck_assert_str_eq(o.name, "vm1");
	ck_assert_str_eq(o.kernel, "k.elf");
	ck_assert_uint_eq(o.nr_host_nodes, 1);
	ck_assert_int_eq(o.host_node[0], 1);
	ck_assert(o.hugepages && o.stats);
	ck_assert(parse_args(&o, err, 4, "--numa", "2", "--host-node", "0,1") == 0);
	ck_assert_uint_eq(o.nr_host_nodes, 2);
	ck_assert(parse_args(&o, err, 3, "--mem", "1G", "--help") == 0);
	ck_assert(o.help);
}
END_TEST

START_TEST(guest_cmdline)
{
	struct ebb_options o;
	struct ebb_layout l;
	char err[256] = "", buf[512];

	ck_assert(parse_args(&o, err, 0) == 0);
	ck_assert(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)) == 0);
	ck_assert_int_eq(cmdline_build(&o, &l, NULL, buf, sizeof(buf), err, sizeof(err)), 13);
	ck_assert_str_eq(buf, "console=ttyS0");

	ck_assert(parse_args(&o, err, 6, "--mem", "512M", "--numa", "2", "--append",
			     "ebb.init=\"cat /proc/buddyinfo; poweroff\"") == 0);
	ck_assert(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)) == 0);
	ck_assert(cmdline_build(&o, &l, NULL, buf, sizeof(buf), err, sizeof(err)) > 0);
	ck_assert_str_eq(buf, "console=ttyS0 ebb.numa=0:0-10000000,1:10000000-20000000 "
			      "ebb.init=\"cat /proc/buddyinfo; poweroff\"");

	/* --numa-distance reaches the embedded guest as ebb.distance=, after ebb.numa=. */
	ck_assert(parse_args(&o, err, 4, "--numa", "2", "--numa-distance", "17") == 0);
	ck_assert(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)) == 0);
	ck_assert(cmdline_build(&o, &l, NULL, buf, sizeof(buf), err, sizeof(err)) > 0);
	ck_assert_str_eq(buf, "console=ttyS0 ebb.numa=0:0-10000000,1:10000000-20000000 "
			      "ebb.distance=10,17,17,10");

	/* --cmdline replaces the default; the VMM's parameters stay. */
	ck_assert(parse_args(&o, err, 4, "--numa", "2", "--cmdline", "quiet") == 0);
	ck_assert(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)) == 0);
	ck_assert(cmdline_build(&o, &l, NULL, buf, sizeof(buf), err, sizeof(err)) > 0);
	ck_assert_str_eq(buf, "quiet ebb.numa=0:0-10000000,1:10000000-20000000");

	/* An empty --cmdline leaves just the generated part. */
	ck_assert(parse_args(&o, err, 2, "--cmdline", "") == 0);
	ck_assert(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)) == 0);
	ck_assert_int_eq(cmdline_build(&o, &l, NULL, buf, sizeof(buf), err, sizeof(err)), 0);
	ck_assert_str_eq(buf, "");

	/* Too long for the buffer: an error, never a silent cut. */
	ck_assert(parse_args(&o, err, 4, "--numa", "2", "--append", "0123456789") == 0);
	ck_assert(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)) == 0);
	ck_assert_int_eq(cmdline_build(&o, &l, NULL, buf, 40, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
	ck_assert_int_eq(cmdline_build(&o, &l, NULL, buf, 66, err, sizeof(err)), -1);
	ck_assert_int_eq(cmdline_build(&o, &l, NULL, buf, 67, err, sizeof(err)), 66);
}
END_TEST

START_TEST(swap_accel_and_devices)
{
	struct ebb_options o;
	struct ebb_layout l;
	char err[256] = "", buf[512];

	ck_assert_msg(parse_args(&o, err, 2, "--swap", "/tmp/a,b.img,size=1G") == 0, "%s", err);
	ck_assert_str_eq(o.swap_path, "/tmp/a,b.img");	/* only the last ,size= is the option */
	ck_assert_uint_eq(o.swap_size, 1ULL << 30);
	ck_assert(parse_args(&o, err, 1, "--swap=/tmp/s") == 0);
	ck_assert_str_eq(o.swap_path, "/tmp/s");
	ck_assert_uint_eq(o.swap_size, 0);
	ck_assert_int_eq(parse_args(&o, err, 1, "--swap=/tmp/s,size=1K"), -1);	/* < 4K */
	ck_assert_int_eq(parse_args(&o, err, 1, "--swap=,size=1G"), -1);
	ck_assert_int_eq(parse_args(&o, err, 1, "--swap"), -1);

	ck_assert(parse_args(&o, err, 0) == 0);
	ck_assert_int_eq(o.accel, EBB_ACCEL_AUTO);
	ck_assert(parse_args(&o, err, 2, "--accel", "qemu") == 0);
	ck_assert_int_eq(o.accel, EBB_ACCEL_QEMU);
	ck_assert(parse_args(&o, err, 1, "--accel=kvm") == 0);
	ck_assert_int_eq(o.accel, EBB_ACCEL_KVM);
	ck_assert_int_eq(parse_args(&o, err, 1, "--accel=xen"), -1);
	ck_assert_int_eq(parse_args(&o, err, 1, "--name=../x"), -1);
	ck_assert_int_eq(parse_args(&o, err, 1, "--name=a b"), -1);

	/* Device parameters come after ebb.numa and before --append. */
	ck_assert(parse_args(&o, err, 4, "--numa", "2", "--append", "quiet") == 0);
	ck_assert_int_eq(layout_build(&l, o.nr_nodes, o.node_size, err, sizeof(err)), 0);
	ck_assert_int_gt(cmdline_build(&o, &l, "virtio_mmio.device=4K@0xd0000000:5", buf,
				       sizeof(buf), err, sizeof(err)), 0);
	ck_assert_str_eq(buf, "console=ttyS0 ebb.numa=0:0-10000000,1:10000000-20000000 "
			      "virtio_mmio.device=4K@0xd0000000:5 quiet");
}
END_TEST

static Suite *vmm_layout_suite(void)
{
	Suite *s = suite_create("vmm_layout");
	TCase *tc = tcase_create("layout");
	TCase *to = tcase_create("options");

	tcase_add_test(tc, small_single_node);
	tcase_add_test(tc, exactly_3g);
	tcase_add_test(tc, above_the_hole);
	tcase_add_test(tc, two_nodes_512m);
	tcase_add_test(tc, node_across_the_hole);
	tcase_add_test(tc, bad_layouts);
	suite_add_tcase(s, tc);
	tcase_add_test(to, sizes);
	tcase_add_test(to, numa_count);
	tcase_add_test(to, numa_sizes);
	tcase_add_loop_test(to, numa_bad, 0, (int)(sizeof(bad_numa) / sizeof(bad_numa[0])));
	tcase_add_test(to, numa_cpus);
	tcase_add_test(to, numa_distance);
	tcase_add_loop_test(to, numa_distance_bad, 0,
			    (int)(sizeof(bad_numa_distance) / sizeof(bad_numa_distance[0])));
	tcase_add_loop_test(to, numa_cpus_bad, 0,
			    (int)(sizeof(bad_numa_cpus) / sizeof(bad_numa_cpus[0])));
	tcase_add_test(to, other_options);
	tcase_add_test(to, guest_cmdline);
	tcase_add_test(to, swap_accel_and_devices);
	suite_add_tcase(s, to);
	return s;
}

UNIT_SUITE(vmm_layout_suite)
