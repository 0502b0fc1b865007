// SPDX-License-Identifier: MIT
/*
 * `ebb kvm-info`: which KVM this host offers, the evidence, and what
 * `ebb run --accel auto` will do with it.  Scripts (the tests, the
 * benchmarks, quickstart.sh) read its --brief line to choose between the
 * host's KVM and the nested harness.
 */
#include <stdio.h>
#include <string.h>

#include <vmm/cli.h>
#include <vmm/kvm_flavour.h>
#include <vmm/qemu.h>

const char kvm_info_usage[] =
"Usage: ebb kvm-info [--json | --brief] [--no-calibrate]\n"
"\n"
"Which KVM this host has and whether it runs guest code natively:\n"
"hardware (VMX or SVM, with EPT/NPT or shadow paging), PVM (kvm_pvm: a\n"
"guest kernel not built for it is interpreted instruction by instruction),\n"
"another KVM caught interpreting, or none.  The evidence: the KVM modules\n"
"loaded, the CPU's vmx/svm flags, the paging mode, and a calibration: a\n"
"guest loop timed for a few milliseconds in a throw-away VM, with KVM's\n"
"count of the instructions it emulated.  docs/kvm-flavours.md has the rule.\n"
"\n"
"  --json          everything as JSON (the \"kvm\" object of query-status)\n"
"  --brief         one line: native|interpreted|none FLAVOUR SUMMARY\n"
"  --no-calibrate  what the host reports only\n"
"\n"
"$EBB_KVM_DEV names the device (default /dev/kvm); EBB_KVM_FLAVOUR=native or\n"
"interpreted overrides the verdict.  Exit status 0, 1 on usage errors.\n";

static void kvm_info_print(const struct kvm_flavour_info *kf)
{
	const struct kvm_host_report *r = &kf->host;
	char why[256];

	printf("KVM at %s: %s\n", kf->dev, kf->summary);
	if (kf->flavour == KVM_FLAVOUR_NONE) {
		printf("  %s\n", kf->why);
	} else {
		printf("  guest code:  %s\n", kf->native ? "runs natively" :
		       "interpreted by KVM's instruction emulator");
		printf("  why:         %s\n", kf->why);
	}
	printf("  host:        modules:%s%s%s%s; CPU flags:%s%s%s",
	       r->mod_intel ? " kvm_intel" : "", r->mod_amd ? " kvm_amd" : "",
	       r->mod_pvm ? " kvm_pvm" : "",
	       r->mod_intel || r->mod_amd || r->mod_pvm ? "" : " none of kvm_intel/amd/pvm",
	       r->cpu_vmx ? " vmx" : "", r->cpu_svm ? " svm" : "",
	       r->cpu_vmx || r->cpu_svm ? "" : " neither vmx nor svm");
	if (r->tdp_mmu >= 0)
		printf("; tdp_mmu %s", r->tdp_mmu ? "Y" : "N");
	if (r->hypervisor[0])
		printf("; the host itself runs under \"%s\"", r->hypervisor);
	putchar('\n');
	if (kf->cal.done) {
		printf("  calibration: %llu iterations of add/dec/jnz, %.1f ns each (about %.0fx "
		       "a native one); ", (unsigned long long)kf->cal.iters, kf->cal.ns_per_iter,
		       kvm_flavour_slowdown(kf));
		if (kf->cal.emulated_per_iter >= 0)
			printf("KVM emulated %.2f instructions of each\n", kf->cal.emulated_per_iter);
		else
			printf("no KVM statistics to count emulated instructions\n");
	} else {
		printf("  calibration: %s%s\n", kf->cal.err[0] ? "failed: " : "not run",
		       kf->cal.err);
	}
	if (kf->flavour == KVM_FLAVOUR_NONE || !kf->native)
		printf("  ebb run --accel auto: QEMU (TCG)%s\n",
		       qemu_available(why, sizeof(why)) ? "" : ", but QEMU is not there: KVM");
	else
		printf("  ebb run --accel auto: KVM\n");
}

int kvm_info_main(int argc, char **argv)
{
	enum kvm_probe when = KVM_PROBE_CALIBRATE;
	bool json = false, brief = false;
	struct kvm_flavour_info kf;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--brief")) {
			brief = true;
		} else if (!strcmp(argv[i], "--no-calibrate")) {
			when = KVM_PROBE_REPORT;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(kvm_info_usage, stdout);
			return EBB_CLI_OK;
		} else {
			fputs(kvm_info_usage, stderr);
			return EBB_CLI_USAGE;
		}
	}
	if (json && brief) {
		fputs(kvm_info_usage, stderr);
		return EBB_CLI_USAGE;
	}
	kvm_flavour_probe(&kf, NULL, when);
	if (json) {
		json_t *j = kvm_flavour_json(&kf);

		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else if (brief) {
		printf("%s %s %s\n", kf.flavour == KVM_FLAVOUR_NONE ? "none" :
		       kf.native ? "native" : "interpreted", kvm_flavour_name(kf.flavour),
		       kf.summary);
	} else {
		kvm_info_print(&kf);
	}
	return EBB_CLI_OK;
}
