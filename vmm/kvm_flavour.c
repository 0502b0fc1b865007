// SPDX-License-Identifier: MIT
/*
 * Telling a hardware KVM from one that interprets the guest.  The rule,
 * in the order it is applied (docs/kvm-flavours.md says it for users):
 *
 *  1. No device that opens read-write: no KVM.
 *  2. A calibration, when there is one, decides whether guest code runs
 *     natively: interpreted if KVM emulated at least half an instruction
 *     per loop iteration (its insn_emulation statistic), or, where the
 *     host has no statistics, if an iteration took KVM_CALIB_SLOW_NS.
 *     The modules then only name it: kvm_pvm -> PVM, kvm_intel/kvm_amd
 *     -> hardware.
 *  3. Without one, the report decides: kvm_intel or kvm_amd with the
 *     CPU's vmx or svm flag is hardware; kvm_pvm is PVM, which interprets
 *     any guest kernel not built for the host's PVM ABI (ebb's guest and
 *     distribution kernels are not).  Anything else is not conclusive:
 *     `ebb run` calibrates whenever the report does not show VMX or SVM.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmm/kvm.h>
#include <vmm/kvm_flavour.h>
#include <vmm/kvm_scratch.h>

/*
 * The calibration loop, entered with RCX = iterations:
 *	0:	add	$1, %rax
 *	4:	dec	%rcx
 *	7:	jnz	0b
 *	9:	out	%al, $KVM_SCRATCH_DONE_PORT
 *	b:	hlt
 */
static const uint8_t calib_loop[] = {
	0x48, 0x83, 0xc0, 0x01,
	0x48, 0xff, 0xc9,
	0x75, 0xf7,
	0xe6, KVM_SCRATCH_DONE_PORT,
	0xf4,
};

/* Each stage: two loop lengths, the difference cancels the entry and exit. */
#define CALIB_REPEATS		3
#define CALIB_SHORT_N1		256ULL
#define CALIB_SHORT_N2		2048ULL		/* ~1.5 ms where interpreted */
#define CALIB_LONG_N1		(1ULL << 16)
#define CALIB_LONG_N2		(1ULL << 20)	/* ~0.4 ms native */

static const char *const flavour_names[] = {
	[KVM_FLAVOUR_NONE] = "none",
	[KVM_FLAVOUR_HARDWARE] = "hardware",
	[KVM_FLAVOUR_PVM] = "pvm",
	[KVM_FLAVOUR_INTERPRETED] = "interpreted",
	[KVM_FLAVOUR_UNKNOWN] = "unknown",
};

const char *kvm_flavour_name(enum kvm_flavour f)
{
	return (unsigned int)f < sizeof(flavour_names) / sizeof(flavour_names[0]) ?
	       flavour_names[f] : "unknown";
}

/* ---- what the host reports ---- */

static int read_small(const char *root, const char *path, char *buf, size_t len)
{
	char full[512];
	ssize_t n;
	int fd;

	snprintf(full, sizeof(full), "%s%s", root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static bool path_exists(const char *root, const char *path)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", root, path);
	return access(full, F_OK) == 0;
}

/* A Y/N or 1/0 module parameter; -1 when the file is not there. */
static int module_param(const char *root, const char *module, const char *param)
{
	char path[256], buf[16];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	if (read_small(root, path, buf, sizeof(buf)))
		return -1;
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* The first CPU's "flags" line: every CPU of a host has the same. */
static void read_cpu_flags(struct kvm_host_report *r, const char *root)
{
	char path[512], line[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			const char *colon = strchr(line, ':');

			if (colon) {
				r->cpu_vmx = has_word(colon + 1, "vmx");
				r->cpu_svm = has_word(colon + 1, "svm");
			}
			break;
		}
	fclose(f);
}

/* Whether this host is itself a guest, and of what: CPUID leaf 0x40000000. */
static void read_hypervisor(struct kvm_host_report *r)
{
	unsigned int a, b, c, d;

	r->hypervisor[0] = '\0';
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(r->hypervisor, &b, 4);
	memcpy(r->hypervisor + 4, &c, 4);
	memcpy(r->hypervisor + 8, &d, 4);
	r->hypervisor[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (r->hypervisor[i] && (r->hypervisor[i] < 0x20 || r->hypervisor[i] > 0x7e))
			r->hypervisor[i] = '?';
}

void kvm_host_report_read(struct kvm_host_report *r, const char *root, const char *dev)
{
	int fd;

	memset(r, 0, sizeof(*r));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		r->dev_errno = errno;
	else
		close(fd);
	read_cpu_flags(r, root);
	r->mod_intel = path_exists(root, "/sys/module/kvm_intel");
	r->mod_amd = path_exists(root, "/sys/module/kvm_amd");
	r->mod_pvm = path_exists(root, "/sys/module/kvm_pvm");
	r->ept = module_param(root, "kvm_intel", "ept");
	r->npt = module_param(root, "kvm_amd", "npt");
	r->tdp_mmu = module_param(root, "kvm", "tdp_mmu");
	if (!*root)
		read_hypervisor(r);
}

bool kvm_host_report_hardware(const struct kvm_host_report *r)
{
	return (r->mod_intel && r->cpu_vmx) || (r->mod_amd && r->cpu_svm);
}

/* ---- the calibration ---- */

/*
 * One stage: the per-iteration cost as (t(n2) - t(n1)) / (n2 - n1), the
 * best of CALIB_REPEATS, and KVM's insn_emulation over the same runs.
 */
static int calib_stage(struct kvm_scratch *s, uint64_t n1, uint64_t n2,
		       struct kvm_calibration *cal)
{
	const struct kvm_stat *emul = s->stats.fd >= 0 ?
		kvm_stats_find(&s->stats, "insn_emulation") : NULL;
	uint64_t *v0 = NULL, *v1 = NULL, *v2 = NULL;
	double best = -1, emulated = -1;
	uint64_t t1, t2, dummy;
	int ret = -1;

	if (emul) {
		v0 = calloc(s->stats.nr_values, sizeof(*v0));
		v1 = calloc(s->stats.nr_values, sizeof(*v1));
		v2 = calloc(s->stats.nr_values, sizeof(*v2));
		if (!v0 || !v1 || !v2) {
			snprintf(cal->err, sizeof(cal->err), "out of memory");
			goto out;
		}
	}
	/* The first run pays for faulting in the page and building tables. */
	if (kvm_scratch_call(s, 0, n1, &dummy, cal->err, sizeof(cal->err)))
		goto out;
	for (int i = 0; i < CALIB_REPEATS; i++) {
		if (emul && kvm_stats_read(&s->stats, v0))
			emul = NULL;
		if (kvm_scratch_call(s, 0, n1, &t1, cal->err, sizeof(cal->err)))
			goto out;
		if (emul && kvm_stats_read(&s->stats, v1))
			emul = NULL;
		if (kvm_scratch_call(s, 0, n2, &t2, cal->err, sizeof(cal->err)))
			goto out;
		if (emul && kvm_stats_read(&s->stats, v2))
			emul = NULL;
		double d = t2 > t1 ? (double)(t2 - t1) / (double)(n2 - n1) : 0;

		if (best < 0 || d < best)
			best = d;
		if (emul) {
			double e = ((double)(v2[emul->index] - v1[emul->index]) -
				    (double)(v1[emul->index] - v0[emul->index])) /
				   (double)(n2 - n1);

			if (emulated < 0 || e < emulated)
				emulated = e < 0 ? 0 : e;
		}
	}
	cal->iters = n2 - n1;
	cal->ns_per_iter = best;
	cal->emulated_per_iter = emul ? emulated : -1;
	ret = 0;
out:
	free(v0);
	free(v1);
	free(v2);
	return ret;
}

static bool calib_interpreted(const struct kvm_calibration *cal)
{
	if (cal->emulated_per_iter >= 0)
		return cal->emulated_per_iter >= KVM_CALIB_EMULATED;
	return cal->ns_per_iter >= KVM_CALIB_SLOW_NS;
}

int kvm_calibrate(struct kvm_calibration *cal, const char *dev)
{
	struct kvm_scratch s;

	memset(cal, 0, sizeof(*cal));
	cal->emulated_per_iter = -1;
	if (kvm_scratch_create(&s, dev, calib_loop, sizeof(calib_loop), cal->err,
			       sizeof(cal->err)))
		return -1;
	/* Short first: an interpreter would take a second over the long one. */
	if (calib_stage(&s, CALIB_SHORT_N1, CALIB_SHORT_N2, cal) ||
	    (!calib_interpreted(cal) &&
	     calib_stage(&s, CALIB_LONG_N1, CALIB_LONG_N2, cal))) {
		kvm_scratch_destroy(&s);
		return -1;
	}
	kvm_scratch_destroy(&s);
	cal->done = true;
	return 0;
}

/* ---- the verdict ---- */

double kvm_flavour_slowdown(const struct kvm_flavour_info *fi)
{
	if (!fi->cal.done || fi->cal.ns_per_iter <= 0)
		return 0;
	return fi->cal.ns_per_iter / KVM_CALIB_NATIVE_NS;
}

static void name_hardware(struct kvm_flavour_info *fi, const struct kvm_host_report *r)
{
	if (r->mod_intel || r->cpu_vmx) {
		fi->vendor = "VMX";
		fi->paging = r->ept == 1 ? "EPT" : r->ept == 0 ? "shadow paging" : NULL;
	} else {
		fi->vendor = "SVM";
		fi->paging = r->npt == 1 ? "NPT" : r->npt == 0 ? "shadow paging" : NULL;
	}
	snprintf(fi->summary, sizeof(fi->summary), "hardware (%s%s%s)", fi->vendor,
		 fi->paging ? ", " : "", fi->paging ? fi->paging : "");
}

static void describe_calibration(const struct kvm_calibration *cal, char *buf, size_t len)
{
	if (cal->emulated_per_iter >= 0)
		snprintf(buf, len, "a guest loop iteration took %.1f ns, %.2f instructions of it "
			 "emulated by KVM", cal->ns_per_iter, cal->emulated_per_iter);
	else
		snprintf(buf, len, "a guest loop iteration took %.1f ns (no KVM statistics "
			 "to count emulated instructions)", cal->ns_per_iter);
}

void kvm_flavour_decide(struct kvm_flavour_info *fi, const struct kvm_host_report *r,
			const struct kvm_calibration *cal)
{
	bool hw = kvm_host_report_hardware(r);
	char measured[200];

	fi->host = *r;
	fi->cal = *cal;
	fi->vendor = fi->paging = NULL;
	if (r->dev_errno) {
		fi->flavour = KVM_FLAVOUR_NONE;
		fi->native = false;
		snprintf(fi->summary, sizeof(fi->summary), "no KVM");
		snprintf(fi->why, sizeof(fi->why), "%s cannot be opened read-write: %s",
			 fi->dev, strerror(r->dev_errno));
		return;
	}
	if (cal->done) {
		describe_calibration(cal, measured, sizeof(measured));
		fi->native = !calib_interpreted(cal);
		if (!fi->native) {
			fi->flavour = r->mod_pvm ? KVM_FLAVOUR_PVM : KVM_FLAVOUR_INTERPRETED;
			snprintf(fi->summary, sizeof(fi->summary), "%s, interprets the guest",
				 r->mod_pvm ? "PVM" : "emulating");
			snprintf(fi->why, sizeof(fi->why), "%s%s: about %.0fx native speed's cost",
				 r->mod_pvm ? "kvm_pvm runs guests deprivileged under shadow "
				 "paging, and a guest not built for its ABI through KVM's "
				 "instruction emulator; " : "", measured, kvm_flavour_slowdown(fi));
		} else if (hw || r->cpu_vmx || r->cpu_svm) {
			fi->flavour = KVM_FLAVOUR_HARDWARE;
			name_hardware(fi, r);
			snprintf(fi->why, sizeof(fi->why), "%s with %s; %s",
				 r->mod_intel ? "kvm_intel" : r->mod_amd ? "kvm_amd" : "KVM",
				 r->cpu_vmx ? "VMX" : "SVM", measured);
		} else {
			fi->flavour = r->mod_pvm ? KVM_FLAVOUR_PVM : KVM_FLAVOUR_UNKNOWN;
			snprintf(fi->summary, sizeof(fi->summary), "%s, runs the guest natively",
				 r->mod_pvm ? "PVM" : "unidentified KVM");
			snprintf(fi->why, sizeof(fi->why), "no VMX or SVM in the CPU flags, but %s",
				 measured);
		}
		return;
	}
	if (hw) {
		fi->flavour = KVM_FLAVOUR_HARDWARE;
		fi->native = true;
		name_hardware(fi, r);
		snprintf(fi->why, sizeof(fi->why), "%s is loaded and the CPU has %s",
			 r->mod_intel ? "kvm_intel" : "kvm_amd", r->cpu_vmx ? "VMX" : "SVM");
	} else if (r->mod_pvm) {
		fi->flavour = KVM_FLAVOUR_PVM;
		fi->native = false;
		snprintf(fi->summary, sizeof(fi->summary), "PVM, interprets the guest");
		snprintf(fi->why, sizeof(fi->why), "kvm_pvm is loaded and the CPU has neither VMX "
			 "nor SVM: a guest kernel not built for the host's PVM ABI runs through "
			 "KVM's instruction emulator%s%s", cal->err[0] ? " (calibration: " : "",
			 cal->err[0] ? cal->err : "");
		if (cal->err[0])
			strncat(fi->why, ")", sizeof(fi->why) - strlen(fi->why) - 1);
	} else {
		fi->flavour = KVM_FLAVOUR_UNKNOWN;
		fi->native = true;
		snprintf(fi->summary, sizeof(fi->summary), "unidentified KVM");
		snprintf(fi->why, sizeof(fi->why), "no kvm_intel, kvm_amd or kvm_pvm module and "
			 "no VMX or SVM flag; taken to run guests natively%s%s",
			 cal->err[0] ? " (calibration failed: " : "", cal->err[0] ? cal->err : "");
		if (cal->err[0])
			strncat(fi->why, ")", sizeof(fi->why) - strlen(fi->why) - 1);
	}
}

/* $EBB_KVM_FLAVOUR: native or interpreted, for a host the rule gets wrong. */
static void apply_override(struct kvm_flavour_info *fi)
{
	const char *o = getenv("EBB_KVM_FLAVOUR");

	if (!o || !*o || fi->flavour == KVM_FLAVOUR_NONE)
		return;
	if (strcmp(o, "native") && strcmp(o, "interpreted"))
		return;
	fi->native = !strcmp(o, "native");
	fi->overridden = true;
	if (!fi->native && fi->flavour != KVM_FLAVOUR_PVM)
		fi->flavour = KVM_FLAVOUR_INTERPRETED;
	snprintf(fi->summary + strlen(fi->summary), sizeof(fi->summary) - strlen(fi->summary),
		 " [EBB_KVM_FLAVOUR=%s]", o);
}

void kvm_flavour_probe(struct kvm_flavour_info *fi, const char *dev, enum kvm_probe when)
{
	struct kvm_host_report r;
	struct kvm_calibration cal;

	memset(fi, 0, sizeof(*fi));
	memset(&cal, 0, sizeof(cal));
	cal.emulated_per_iter = -1;
	if (!dev)
		dev = kvm_dev_path();
	snprintf(fi->dev, sizeof(fi->dev), "%s", dev);
	kvm_host_report_read(&r, "", dev);
	if (!r.dev_errno && (when == KVM_PROBE_CALIBRATE ||
			     (when == KVM_PROBE_UNLESS_HARDWARE && !kvm_host_report_hardware(&r))))
		kvm_calibrate(&cal, dev);
	kvm_flavour_decide(fi, &r, &cal);
	apply_override(fi);
}

json_t *kvm_flavour_json(const struct kvm_flavour_info *fi)
{
	const struct kvm_host_report *r = &fi->host;
	json_t *mods = json_array(), *flags = json_array(), *j;

	if (r->mod_intel)
		json_array_append_new(mods, json_string("kvm_intel"));
	if (r->mod_amd)
		json_array_append_new(mods, json_string("kvm_amd"));
	if (r->mod_pvm)
		json_array_append_new(mods, json_string("kvm_pvm"));
	if (r->cpu_vmx)
		json_array_append_new(flags, json_string("vmx"));
	if (r->cpu_svm)
		json_array_append_new(flags, json_string("svm"));
	j = json_pack("{ss ss sb sb ss ss ss* ss* s{so so ss*}}",
		      "flavour", kvm_flavour_name(fi->flavour), "device", fi->dev,
		      "native", fi->native, "overridden", fi->overridden,
		      "summary", fi->summary, "why", fi->why,
		      "vendor", fi->vendor, "paging", fi->paging,
		      "host", "modules", mods, "cpu_flags", flags,
		      "hypervisor", r->hypervisor[0] ? r->hypervisor : NULL);
	if (!j)
		return NULL;
	if (r->tdp_mmu >= 0)
		json_object_set_new(json_object_get(j, "host"), "tdp_mmu", json_boolean(r->tdp_mmu));
	if (fi->cal.done)
		json_object_set_new(j, "calibration", json_pack("{sI sf sf sf}",
			"iterations", (json_int_t)fi->cal.iters,
			"ns_per_iteration", fi->cal.ns_per_iter,
			"emulated_per_iteration", fi->cal.emulated_per_iter,
			"slowdown_vs_native", kvm_flavour_slowdown(fi)));
	else if (fi->cal.err[0])
		json_object_set_new(j, "calibration", json_pack("{ss}", "error", fi->cal.err));
	return j;
}
