/* SPDX-License-Identifier: MIT */
/*
 * /dev/kvm: open it, check the API version and the capabilities ebb needs,
 * create the VM.  Every failure comes back as a message that says what to
 * do about it.
 */
#ifndef EBB_VMM_KVM_H
#define EBB_VMM_KVM_H

#include <stddef.h>

#define EBB_KVM_DEV	"/dev/kvm"

struct kvm {
	int sys_fd;		/* /dev/kvm */
	int vm_fd;
	int vcpu_mmap_size;	/* bytes of struct kvm_run and its data */
	int max_vcpus;
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */
};

/* The KVM device: $EBB_KVM_DEV when set and not empty, else /dev/kvm. */
const char *kvm_dev_path(void);

/* What KVM_GET_SUPPORTED_CPUID says (malloc'd), or NULL with errno. */
struct kvm_cpuid2 *kvm_supported_cpuid(int sys_fd);

/* Open @path (NULL: kvm_dev_path()) and create a VM.  0, or -1 with a message. */
int kvm_open(struct kvm *k, const char *path, char *err, size_t errlen);
void kvm_close(struct kvm *k);

/* The message for a failed open of @path with @errnum. */
void kvm_open_error(const char *path, int errnum, char *err, size_t errlen);

#endif
