// SPDX-License-Identifier: MIT
/* /dev/kvm: the system fd, capability checks and the VM fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vmm/kvm.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

/* Above guest RAM and the MMIO window, below 4 GiB: where KVM on Intel keeps
 * the real-mode TSS (3 pages) and the EPT identity map (1 page). */
#define KVM_TSS_ADDR		0xfffbd000ULL
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000ULL

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

void kvm_open_error(const char *path, int errnum, char *err, size_t errlen)
{
	switch (errnum) {
	case ENOENT:
		snprintf(err, errlen,
			 "%s does not exist: this host has no KVM.  Load the KVM module "
			 "(modprobe kvm_intel or modprobe kvm_amd, with virtualization "
			 "enabled in the firmware), or run ebb inside a VM that has KVM "
			 "(tests/nested/kvm-run.sh boots one under QEMU)", path);
		break;
	case EACCES:
	case EPERM:
		snprintf(err, errlen,
			 "no permission to open %s: add your user to its group "
			 "(usually kvm: usermod -aG kvm $USER, then log in again) or run as root",
			 path);
		break;
	case ENXIO:
	case ENODEV:
		snprintf(err, errlen,
			 "%s exists but no KVM driver answers: load kvm_intel or kvm_amd "
			 "(is virtualization enabled in the firmware?)", path);
		break;
	default:
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errnum));
	}
}

const char *kvm_dev_path(void)
{
	const char *dev = getenv("EBB_KVM_DEV");

	return dev && *dev ? dev : EBB_KVM_DEV;
}

struct kvm_cpuid2 *kvm_supported_cpuid(int sys_fd)
{
	int nent = 256;		/* enough for current CPUs: one call */

	for (;;) {
		struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) +
						  (size_t)nent * sizeof(cpuid->entries[0]));

		if (!cpuid)
			return NULL;
		cpuid->nent = (uint32_t)nent;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			return cpuid;
		free(cpuid);
		if (errno != E2BIG || nent >= 4096)
			return NULL;
		nent *= 2;
	}
}

int kvm_open(struct kvm *k, const char *path, char *err, size_t errlen)
{
	int ver;

	memset(k, 0, sizeof(*k));
	k->sys_fd = k->vm_fd = -1;
	if (!path)
		path = kvm_dev_path();
	k->sys_fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->sys_fd < 0) {
		kvm_open_error(path, errno, err, errlen);
		goto fail;
	}
	ver = ioctl(k->sys_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION)
		ERR("%s speaks KVM API version %d; ebb needs version %d", path, ver,
		    KVM_API_VERSION);
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
			ERR("this KVM lacks %s, which ebb needs (a newer host kernel has it)",
			    required_caps[i].name);
	k->max_vcpus = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (k->max_vcpus <= 0)
		k->max_vcpus = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (k->max_vcpus <= 0)
		k->max_vcpus = 4;	/* what the API documents for "not reported" */
	k->vcpu_mmap_size = ioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (k->vcpu_mmap_size < (int)sizeof(struct kvm_run))
		ERR("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));

	k->cpuid = kvm_supported_cpuid(k->sys_fd);
	if (!k->cpuid)
		ERR("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));

	do
		k->vm_fd = ioctl(k->sys_fd, KVM_CREATE_VM, 0);
	while (k->vm_fd < 0 && errno == EINTR);
	if (k->vm_fd < 0)
		ERR("KVM_CREATE_VM: %s%s", strerror(errno),
		    errno == ENOMEM ? " (out of memory)" : "");
	if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0)
		ERR("KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t addr = KVM_IDENTITY_MAP_ADDR;

		if (ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0)
			ERR("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	}
	return 0;
fail:
	kvm_close(k);
	return -1;
}

void kvm_close(struct kvm *k)
{
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->sys_fd >= 0)
		close(k->sys_fd);
	free(k->cpuid);
	k->cpuid = NULL;
	k->vm_fd = k->sys_fd = -1;
}
