// SPDX-License-Identifier: MIT
/*
 * Telling KVM flavours apart: the host report read from fake /proc and
 * /sys trees shaped like a PVM host, Intel and AMD hosts with and without
 * two-dimensional paging, and a host that says nothing; then the verdict
 * with and without a calibration, which wins where the two disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/kvm_flavour.h>

#include "unit.h"

static char root[64];

static void put(const char *path, const char *text)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (slash = strchr(full + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void module(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	put(path, "0\n");
}

static void setup_root(void)
{
	strcpy(root, "/tmp/ebb-flavour-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

#define CPUINFO(flags) \
	"processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: " flags "\nbogomips\t: 4000\n\n" \
	"processor\t: 1\nflags\t\t: " flags "\n"

static struct kvm_calibration no_calibration(void)
{
	struct kvm_calibration cal;

	memset(&cal, 0, sizeof(cal));
	cal.emulated_per_iter = -1;
	return cal;
}

static void read_report(struct kvm_host_report *r)
{
	/* /dev/null opens read-write: the "device" is usable. */
	kvm_host_report_read(r, root, "/dev/null");
	ck_assert_int_eq(r->dev_errno, 0);
}

START_TEST(pvm_host)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/dev/kvm" };

	put("/proc/cpuinfo", CPUINFO("fpu vme de pse tsc msr pae hypervisor lahf_lm"));
	module("kvm");
	module("kvm_pvm");
	put("/sys/module/kvm/parameters/tdp_mmu", "N\n");
	read_report(&r);
	ck_assert(!r.cpu_vmx && !r.cpu_svm);
	ck_assert(r.mod_pvm && !r.mod_intel && !r.mod_amd);
	ck_assert_int_eq(r.tdp_mmu, 0);
	ck_assert(!kvm_host_report_hardware(&r));

	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_PVM);
	ck_assert(!fi.native);
	ck_assert_str_eq(kvm_flavour_name(fi.flavour), "pvm");
	ck_assert_ptr_nonnull(strstr(fi.why, "kvm_pvm"));

	/* The calibration adds the figure: 3 instructions emulated an iteration. */
	cal.done = true;
	cal.iters = 1792;
	cal.ns_per_iter = 812;
	cal.emulated_per_iter = 3.0;
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_PVM);
	ck_assert(!fi.native);
	ck_assert_ptr_nonnull(strstr(fi.why, "812.0 ns"));
	ck_assert_ptr_nonnull(strstr(fi.why, "3.00 instructions"));
	ck_assert(kvm_flavour_slowdown(&fi) > 1000);
}
END_TEST

START_TEST(intel_ept)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/dev/kvm" };

	put("/proc/cpuinfo", CPUINFO("fpu vme vmx smx est tm2 ssse3"));
	module("kvm");
	module("kvm_intel");
	put("/sys/module/kvm_intel/parameters/ept", "Y\n");
	read_report(&r);
	ck_assert(r.cpu_vmx && !r.cpu_svm && r.mod_intel);
	ck_assert_int_eq(r.ept, 1);
	ck_assert_int_eq(r.npt, -1);
	ck_assert_int_eq(r.tdp_mmu, -1);
	ck_assert(kvm_host_report_hardware(&r));
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_HARDWARE);
	ck_assert(fi.native);
	ck_assert_str_eq(fi.summary, "hardware (VMX, EPT)");
}
END_TEST

START_TEST(amd_shadow_paging)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/dev/kvm" };

	put("/proc/cpuinfo", CPUINFO("fpu svm extapic cr8_legacy"));
	module("kvm_amd");
	put("/sys/module/kvm_amd/parameters/npt", "0\n");
	read_report(&r);
	ck_assert(r.cpu_svm && r.mod_amd);
	ck_assert_int_eq(r.npt, 0);
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_HARDWARE);
	ck_assert(fi.native);
	ck_assert_str_eq(fi.summary, "hardware (SVM, shadow paging)");
}
END_TEST

/* "svm" inside another flag's name is not the flag. */
START_TEST(flags_whole_words)
{
	struct kvm_host_report r;

	put("/proc/cpuinfo", CPUINFO("fpu svm_lock vmx_ept nosvm"));
	read_report(&r);
	ck_assert(!r.cpu_svm && !r.cpu_vmx);
}
END_TEST

/* An empty tree: nothing conclusive, taken as native until measured. */
START_TEST(silent_host)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/dev/kvm" };

	read_report(&r);
	ck_assert(!kvm_host_report_hardware(&r));
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_UNKNOWN);
	ck_assert(fi.native);

	/* Measured interpreting, without statistics: the time decides. */
	cal.done = true;
	cal.iters = 1792;
	cal.ns_per_iter = 640;
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_INTERPRETED);
	ck_assert(!fi.native);
	ck_assert_ptr_nonnull(strstr(fi.why, "no KVM statistics"));

	/* Measured fast: native, whatever the modules did not say. */
	cal.ns_per_iter = 0.5;
	cal.emulated_per_iter = 0;
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_UNKNOWN);
	ck_assert(fi.native);
}
END_TEST

/* The measurement wins over the modules: a VMX host caught emulating. */
START_TEST(calibration_wins)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/dev/kvm" };

	put("/proc/cpuinfo", CPUINFO("vmx"));
	module("kvm_intel");
	read_report(&r);
	cal.done = true;
	cal.iters = 983040;
	cal.ns_per_iter = 3;		/* fast, but every instruction emulated */
	cal.emulated_per_iter = 3;
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert(!fi.native);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_INTERPRETED);

	/* A slow loop with no emulation counted is slow hardware (nested TCG). */
	cal.ns_per_iter = 60;
	cal.emulated_per_iter = 0;
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert(fi.native);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_HARDWARE);
}
END_TEST

START_TEST(no_device)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/nonexistent/kvm" };

	module("kvm_intel");
	kvm_host_report_read(&r, root, "/nonexistent/kvm");
	ck_assert_int_eq(r.dev_errno, ENOENT);
	kvm_flavour_decide(&fi, &r, &cal);
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_NONE);
	ck_assert(!fi.native);
	ck_assert_ptr_nonnull(strstr(fi.why, "/nonexistent/kvm"));
}
END_TEST

/* The probe of a missing device: no calibration is tried, no override applies. */
START_TEST(probe_missing_device)
{
	struct kvm_flavour_info fi;

	setenv("EBB_KVM_FLAVOUR", "native", 1);
	kvm_flavour_probe(&fi, "/nonexistent/kvm", KVM_PROBE_CALIBRATE);
	unsetenv("EBB_KVM_FLAVOUR");
	ck_assert_int_eq(fi.flavour, KVM_FLAVOUR_NONE);
	ck_assert(!fi.native && !fi.overridden && !fi.cal.done);
	ck_assert_str_eq(fi.cal.err, "");
}
END_TEST

START_TEST(json_shape)
{
	struct kvm_host_report r;
	struct kvm_calibration cal = no_calibration();
	struct kvm_flavour_info fi = { .dev = "/dev/kvm" };
	json_t *j, *c;

	put("/proc/cpuinfo", CPUINFO("fpu"));
	module("kvm_pvm");
	read_report(&r);
	cal.done = true;
	cal.iters = 1792;
	cal.ns_per_iter = 800;
	cal.emulated_per_iter = 3;
	kvm_flavour_decide(&fi, &r, &cal);
	j = kvm_flavour_json(&fi);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "flavour")), "pvm");
	ck_assert(json_is_false(json_object_get(j, "native")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(j, "host"),
			 "modules"), 0)), "kvm_pvm");
	c = json_object_get(j, "calibration");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "iterations")), 1792);
	ck_assert(json_real_value(json_object_get(c, "emulated_per_iteration")) == 3.0);
	ck_assert(json_real_value(json_object_get(c, "slowdown_vs_native")) == 2000.0);
	json_decref(j);
}
END_TEST

static Suite *vmm_kvm_flavour_suite(void)
{
	Suite *s = suite_create("vmm_kvm_flavour");
	TCase *tc = tcase_create("flavour");

	tcase_add_checked_fixture(tc, setup_root, teardown_root);
	tcase_add_test(tc, pvm_host);
	tcase_add_test(tc, intel_ept);
	tcase_add_test(tc, amd_shadow_paging);
	tcase_add_test(tc, flags_whole_words);
	tcase_add_test(tc, silent_host);
	tcase_add_test(tc, calibration_wins);
	tcase_add_test(tc, no_device);
	tcase_add_test(tc, probe_missing_device);
	tcase_add_test(tc, json_shape);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_kvm_flavour_suite)
