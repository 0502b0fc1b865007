// SPDX-License-Identifier: MIT
/*
 * The ebb command line: `ebb run` boots a VM (KVM, or QEMU when there is
 * no KVM); list, stat, console, stop, exec and ctl talk to running VMs
 * through their control sockets (vmm/control/cli_commands.c).
 */
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <balloon/policy_launch.h>
#include <vmm/boot.h>
#include <vmm/cli.h>
#include <vmm/fault_inject.h>
#include <vmm/kvm.h>
#include <vmm/kvm_flavour.h>
#include <vmm/log.h>
#include <vmm/options.h>
#include <vmm/qemu.h>
#include <vmm/seccomp.h>
#include <vmm/vm.h>

/* The guest kernel, embedded by vmm/guest_image.S. */
extern const unsigned char ebb_guest_image[];
extern const unsigned char ebb_guest_image_end[];

/*
 * Which backend runs the guest.  --accel auto takes KVM when it runs guest
 * code natively, QEMU (TCG) when there is no KVM or when the KVM would
 * interpret the guest (PVM): TCG translates code once where an
 * interpreting KVM emulates every instruction every time.  The first
 * line ebb prints says what it chose and why.
 */
static enum ebb_accel choose_accel(const struct ebb_options *o, struct kvm_flavour_info *kf)
{
	char why[512];
	double slow;

	if (o->accel == EBB_ACCEL_QEMU) {
		kvm_flavour_probe(kf, NULL, KVM_PROBE_REPORT);
		vmm_log("VM \"%s\" on QEMU (TCG), as --accel qemu asks; the host's KVM: %s",
			o->name, kf->summary);
		return EBB_ACCEL_QEMU;
	}
	kvm_flavour_probe(kf, NULL, KVM_PROBE_UNLESS_HARDWARE);
	slow = kvm_flavour_slowdown(kf);
	if (kf->flavour == KVM_FLAVOUR_NONE) {
		if (o->accel == EBB_ACCEL_KVM)
			return EBB_ACCEL_KVM;	/* vm_run says why it cannot */
		kvm_open_error(kf->dev, kf->host.dev_errno, why, sizeof(why));
		vmm_log("%s", why);
		vmm_log("VM \"%s\" on QEMU (TCG): no usable KVM, running the guest under QEMU "
			"instead (--accel qemu; --accel kvm to insist on KVM)", o->name);
		return EBB_ACCEL_QEMU;
	}
	if (kf->native) {
		vmm_log("VM \"%s\" on KVM, %s: %s", o->name, kf->summary, kf->why);
		return EBB_ACCEL_KVM;
	}
	if (o->accel == EBB_ACCEL_KVM) {
		vmm_log("VM \"%s\" on KVM, %s, as --accel kvm insists: %s", o->name, kf->summary,
			kf->why);
		if (slow > 0)
			vmm_log("warning: expect the guest to run about %.0fx slower than on a "
				"hardware KVM; --accel auto would run it under QEMU (TCG)", slow);
		else
			vmm_log("warning: expect the guest to run orders of magnitude slower than "
				"on a hardware KVM; --accel auto would run it under QEMU (TCG)");
		return EBB_ACCEL_KVM;
	}
	if (!qemu_available(why, sizeof(why))) {
		vmm_log("VM \"%s\" on KVM, %s: %s", o->name, kf->summary, kf->why);
		vmm_log("warning: this KVM interprets the guest, and QEMU, which would run it "
			"faster, is not there (%s): using KVM anyway", why);
		return EBB_ACCEL_KVM;
	}
	vmm_log("VM \"%s\" on QEMU (TCG), because the host's KVM is %s: %s; QEMU translates "
		"guest code instead of interpreting it (--accel kvm insists on KVM)", o->name,
		kf->summary, kf->why);
	return EBB_ACCEL_QEMU;
}

static int cmd_run(int argc, char **argv)
{
	static struct kvm_flavour_info kf;
	struct ebb_options o;
	struct boot_files files;
	char err[512];
	int status;

	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		vmm_log("%s", err);
		return EBB_EXIT_SETUP;
	}
	if (o.help) {
		fputs(ebb_run_usage, stdout);
		return EBB_EXIT_OK;
	}
	/* Each thread installs its own filter once set up (vmm/seccomp.c). */
	if (!o.no_seccomp && seccomp_enable(err, sizeof(err))) {
		vmm_log("%s", err);
		return EBB_EXIT_SETUP;
	}
	if (boot_files_open(&files, o.kernel, o.initrd, ebb_guest_image,
			    (size_t)(ebb_guest_image_end - ebb_guest_image), err, sizeof(err))) {
		vmm_log("%s", err);
		return EBB_EXIT_SETUP;
	}
	if (choose_accel(&o, &kf) == EBB_ACCEL_QEMU) {
		if (fault_inject_qemu_backend(err, sizeof(err))) {
			vmm_log("%s", err);
			boot_files_close(&files);
			return EBB_EXIT_SETUP;
		}
		status = qemu_run(&o, &kf, &files);
	} else
		status = vm_run(&o, &kf, &files);
	boot_files_close(&files);
	return status;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "run", cmd_run, ebb_run_usage },
	{ "kvm-info", kvm_info_main, kvm_info_usage },
	{ "list", cli_list, cli_list_usage },
	{ "stat", cli_stat, cli_stat_usage },
	{ "console", cli_console, cli_console_usage },
	{ "stop", cli_stop, cli_stop_usage },
	{ "exec", cli_exec, cli_exec_usage },
	{ "ctl", cli_ctl, cli_ctl_usage },
	{ "balloon", cli_balloon, cli_balloon_usage },
	{ "inject", cli_inject, cli_inject_usage },
	{ "balloond", policy_launch, policy_balloond_usage },
	{ "overcommit", policy_launch, policy_overcommit_usage },
	{ "top", policy_launch, policy_top_usage },
};

int main(int argc, char **argv)
{
	/* A closed console reader must not kill the VM: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(ebb_usage, stderr);
		return EBB_EXIT_SETUP;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		for (size_t i = 0; argc > 2 && i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[2], commands[i].name)) {
				fputs(commands[i].usage, stdout);
				return EBB_EXIT_OK;
			}
		fputs(ebb_usage, stdout);
		return argc > 2 ? EBB_EXIT_SETUP : EBB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	vmm_log("unknown command \"%s\" (see ebb --help)", argv[1]);
	return EBB_EXIT_SETUP;
}
