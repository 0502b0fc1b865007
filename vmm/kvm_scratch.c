// SPDX-License-Identifier: MIT
/*
 * A throw-away VM already in long mode, for timing a few guest
 * instructions on the KVM at hand (vmm/kvm_flavour.c).  It starts in
 * 64-bit mode by KVM_SET_SREGS, like a vCPU a PVH loader has handed over,
 * so no boot code runs and nothing depends on real-mode support, which
 * paravirtual KVMs such as PVM may lack.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vmm/kvm.h>
#include <vmm/kvm_scratch.h>
#include <vmm/log.h>
#include <vmm/longmode.h>

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

/* The code's stack: the top of the one page, far above the boot tables. */
#define SCRATCH_STACK	(KVM_SCRATCH_MEM - 0x1000)

_Static_assert(LONGMODE_LOW_END <= KVM_SCRATCH_CODE, "the boot tables lie below the code");

static int scratch_long_mode(int vcpu_fd)
{
	struct kvm_sregs sr;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	longmode_sregs(&sr);
	return ioctl(vcpu_fd, KVM_SET_SREGS, &sr);
}

/* KVM checks EFER.LME against the guest's CPUID, so the vCPU needs one. */
static int scratch_cpuid(int sys_fd, int vcpu_fd)
{
	struct kvm_cpuid2 *cpuid = kvm_supported_cpuid(sys_fd);
	int r;

	if (!cpuid)
		return -1;
	r = ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	return r;
}

int kvm_scratch_create(struct kvm_scratch *s, const char *dev, const void *code,
		       size_t code_len, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = KVM_SCRATCH_MEM,
	};
	int mmap_size;

	memset(s, 0, sizeof(*s));
	s->sys_fd = s->vm_fd = s->vcpu_fd = -1;
	s->stats.fd = -1;
	s->mem = MAP_FAILED;
	s->run = MAP_FAILED;
	if (code_len > KVM_SCRATCH_CODE_MAX)
		ERR("scratch VM: %zu bytes of code do not fit", code_len);
	if (!dev)
		dev = kvm_dev_path();
	s->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (s->sys_fd < 0) {
		kvm_open_error(dev, errno, err, errlen);
		goto fail;
	}
	do
		s->vm_fd = ioctl(s->sys_fd, KVM_CREATE_VM, 0);
	while (s->vm_fd < 0 && errno == EINTR);
	if (s->vm_fd < 0)
		ERR("scratch VM: KVM_CREATE_VM: %s", strerror(errno));
	s->mem = mmap(NULL, KVM_SCRATCH_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->mem == MAP_FAILED)
		ERR("scratch VM: mmap: %s", strerror(errno));
	region.userspace_addr = (uintptr_t)s->mem;
	if (ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		ERR("scratch VM: KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	longmode_fill(s->mem);
	memcpy(s->mem + KVM_SCRATCH_CODE, code, code_len);

	s->vcpu_fd = ioctl(s->vm_fd, KVM_CREATE_VCPU, 0);
	if (s->vcpu_fd < 0)
		ERR("scratch VM: KVM_CREATE_VCPU: %s", strerror(errno));
	mmap_size = ioctl(s->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run))
		ERR("scratch VM: KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	s->run_size = (size_t)mmap_size;
	s->run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->vcpu_fd, 0);
	if (s->run == MAP_FAILED)
		ERR("scratch VM: mmap kvm_run: %s", strerror(errno));
	if (scratch_cpuid(s->sys_fd, s->vcpu_fd) < 0)
		ERR("scratch VM: setting CPUID: %s", strerror(errno));
	if (scratch_long_mode(s->vcpu_fd) < 0)
		ERR("scratch VM: KVM_SET_SREGS (long mode): %s", strerror(errno));
	if (kvm_stats_open(&s->stats, s->vcpu_fd, s->stats_err, sizeof(s->stats_err)))
		s->stats.fd = -1;
	return 0;
fail:
	kvm_scratch_destroy(s);
	return -1;
}

int kvm_scratch_call(struct kvm_scratch *s, uint64_t entry, uint64_t rcx, uint64_t *ns,
		     char *err, size_t errlen)
{
	struct kvm_regs regs;
	uint64_t spent = 0;

	memset(&regs, 0, sizeof(regs));
	regs.rip = KVM_SCRATCH_CODE + entry;
	regs.rsp = SCRATCH_STACK;
	regs.rflags = 0x2;	/* reserved bit 1; interrupts off */
	regs.rcx = rcx;
	if (ioctl(s->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		ERR("scratch VM: KVM_SET_REGS: %s", strerror(errno));
	for (;;) {
		uint64_t t0 = mono_ns();
		int r = ioctl(s->vcpu_fd, KVM_RUN, 0);

		spent += mono_ns() - t0;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ERR("scratch VM: KVM_RUN: %s", strerror(errno));
		}
		switch (s->run->exit_reason) {
		case KVM_EXIT_IO:
			if (s->run->io.port == KVM_SCRATCH_DONE_PORT) {
				*ns = spent;
				return 0;
			}
			ERR("scratch VM: unexpected port I/O to 0x%x", s->run->io.port);
		case KVM_EXIT_INTR:
			continue;
		case KVM_EXIT_INTERNAL_ERROR:
			ERR("scratch VM: KVM internal error, suberror %u", s->run->internal.suberror);
		case KVM_EXIT_SHUTDOWN:
			ERR("scratch VM: the test code faulted (shutdown)");
		default:
			ERR("scratch VM: unexpected exit reason %u", s->run->exit_reason);
		}
	}
fail:
	return -1;
}

void kvm_scratch_destroy(struct kvm_scratch *s)
{
	kvm_stats_close(&s->stats);
	if (s->run != MAP_FAILED)
		munmap(s->run, s->run_size);
	if (s->vcpu_fd >= 0)
		close(s->vcpu_fd);
	if (s->vm_fd >= 0)
		close(s->vm_fd);
	if (s->mem != MAP_FAILED)
		munmap(s->mem, KVM_SCRATCH_MEM);
	if (s->sys_fd >= 0)
		close(s->sys_fd);
	s->run = MAP_FAILED;
	s->mem = MAP_FAILED;
	s->sys_fd = s->vm_fd = s->vcpu_fd = -1;
}
