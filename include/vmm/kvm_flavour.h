/* SPDX-License-Identifier: MIT */
/*
 * Which KVM this host offers, and whether it runs guest code natively.
 *
 * A /dev/kvm is not always hardware virtualization.  With VMX or SVM the
 * guest's instructions run on the CPU and only exits cost; a KVM such as
 * PVM (kvm_pvm, for hosts that are themselves VMs without nested
 * virtualization) runs a guest kernel that was not built for its ABI
 * through KVM's instruction emulator, three orders of magnitude slower.
 * ebb must tell them apart to pick its backend (docs/kvm-flavours.md has
 * the rule): first from what the host reports (the KVM modules loaded,
 * the CPU's flags, the paging mode), then, where that is not conclusive,
 * by timing a known guest loop in a throw-away VM and counting the
 * instructions KVM had to emulate for it.
 */
#ifndef EBB_VMM_KVM_FLAVOUR_H
#define EBB_VMM_KVM_FLAVOUR_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

enum kvm_flavour {
	KVM_FLAVOUR_NONE,		/* no usable KVM device */
	KVM_FLAVOUR_HARDWARE,		/* VMX or SVM: guest code runs on the CPU */
	KVM_FLAVOUR_PVM,		/* kvm_pvm: deprivileged guest, shadow paging */
	KVM_FLAVOUR_INTERPRETED,	/* another KVM the calibration caught interpreting */
	KVM_FLAVOUR_UNKNOWN,		/* usable, nothing conclusive: taken as native */
};

/*
 * The calibration: a loop of "add $1,%rax; dec %rcx; jnz" timed in a
 * throw-away VM.  Natively an iteration is a cycle or so; an interpreter
 * pays for each of its three instructions.
 */
#define KVM_CALIB_NATIVE_NS	0.4	/* a native iteration, for the slowdown figure */
#define KVM_CALIB_SLOW_NS	50.0	/* at least this per iteration: interpreted */
#define KVM_CALIB_EMULATED	0.5	/* insn_emulation per iteration: interpreted */

/* What the host says about its KVM; -1 in a tri-state: not reported. */
struct kvm_host_report {
	int dev_errno;			/* 0: the device opened read-write */
	bool cpu_vmx, cpu_svm;		/* /proc/cpuinfo flags */
	bool mod_intel, mod_amd, mod_pvm;	/* /sys/module/kvm_{intel,amd,pvm} */
	int ept, npt, tdp_mmu;		/* module parameters */
	char hypervisor[13];		/* CPUID 0x40000000 of the host itself, "" if none */
};

struct kvm_calibration {
	bool done;			/* ran to the end; else err says why */
	uint64_t iters;			/* iterations the figures are taken over */
	double ns_per_iter;
	double emulated_per_iter;	/* insn_emulation per iteration; < 0: no stats */
	char err[200];
};

struct kvm_flavour_info {
	enum kvm_flavour flavour;
	bool native;			/* guest code runs natively: KVM is the fast backend */
	bool overridden;		/* EBB_KVM_FLAVOUR said so */
	const char *vendor;		/* "VMX", "SVM" or NULL */
	const char *paging;		/* "EPT", "NPT", "shadow paging" or NULL */
	char dev[256];
	struct kvm_host_report host;
	struct kvm_calibration cal;
	char summary[96];		/* "hardware (SVM, NPT)", "PVM, interprets the guest" */
	char why[512];			/* the evidence, in a sentence */
};

/*
 * Read what the host reports: @root prefixes /proc and /sys ("" for the
 * real ones; the unit tests give a fake tree), @dev is opened to see
 * whether it is usable.
 */
void kvm_host_report_read(struct kvm_host_report *r, const char *root, const char *dev);

/* Time the loop in a throw-away VM on @dev.  0, or -1 with cal->err set. */
int kvm_calibrate(struct kvm_calibration *cal, const char *dev);

/* Does the report show hardware virtualization (a VMX or SVM KVM)? */
bool kvm_host_report_hardware(const struct kvm_host_report *r);

/* The verdict from the report and, when cal->done, the calibration. */
void kvm_flavour_decide(struct kvm_flavour_info *fi, const struct kvm_host_report *r,
			const struct kvm_calibration *cal);

/* When kvm_flavour_probe() runs the calibration (a few ms in a throw-away VM). */
enum kvm_probe {
	KVM_PROBE_REPORT,		/* never: what the host reports only */
	KVM_PROBE_UNLESS_HARDWARE,	/* unless the report shows VMX/SVM (ebb run) */
	KVM_PROBE_CALIBRATE,		/* always (ebb kvm-info) */
};

/*
 * All of it for @dev (NULL: $EBB_KVM_DEV, else /dev/kvm): the report, the
 * calibration as @when says, the verdict, and $EBB_KVM_FLAVOUR (native or
 * interpreted) over it.
 */
void kvm_flavour_probe(struct kvm_flavour_info *fi, const char *dev, enum kvm_probe when);

/* "none", "hardware", "pvm", "interpreted", "unknown". */
const char *kvm_flavour_name(enum kvm_flavour f);

/* How many times slower than native the calibration found it; 0 if unknown. */
double kvm_flavour_slowdown(const struct kvm_flavour_info *fi);

/* The whole finding, for query-status and `ebb kvm-info --json`. */
json_t *kvm_flavour_json(const struct kvm_flavour_info *fi);

/* `ebb kvm-info` (vmm/kvm_info.c): argv from the command name on. */
int kvm_info_main(int argc, char **argv);
extern const char kvm_info_usage[];

#endif
