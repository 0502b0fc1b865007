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

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

/* Where the boot structures sit in the scratch VM's one 2 MiB page. */
#define SCRATCH_GDT	0x0500ULL
#define SCRATCH_TSS	0x0600ULL
#define SCRATCH_PML4	0x1000ULL
#define SCRATCH_PDPT	0x2000ULL
#define SCRATCH_PD	0x3000ULL
#define SCRATCH_STACK	(KVM_SCRATCH_MEM - 0x1000)

#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_PS		0x80ULL

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* GDT: null, 64-bit code (0x08), data (0x10), a 64-bit TSS (0x18, two slots). */
static const uint64_t scratch_gdt[] = {
	0,
	0x00af9b000000ffffULL,
	0x00cf93000000ffffULL,
	0x0000890000000067ULL | (SCRATCH_TSS << 16),
	0,
};

static void scratch_tables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + SCRATCH_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + SCRATCH_PDPT);
	uint64_t *pd = (uint64_t *)(mem + SCRATCH_PD);

	pml4[0] = SCRATCH_PDPT | PTE_P | PTE_RW;
	pdpt[0] = SCRATCH_PD | PTE_P | PTE_RW;
	pd[0] = 0 | PTE_P | PTE_RW | PTE_PS;
	memcpy(mem + SCRATCH_GDT, scratch_gdt, sizeof(scratch_gdt));
}

static int scratch_long_mode(int vcpu_fd)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct kvm_segment tss = {
		.base = SCRATCH_TSS, .limit = 0x67, .selector = 0x18, .type = 11,
		.present = 1,
	};
	struct kvm_sregs sr;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	sr.cs = code;
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss = data;
	sr.tr = tss;
	sr.gdt.base = SCRATCH_GDT;
	sr.gdt.limit = sizeof(scratch_gdt) - 1;
	sr.idt.base = 0;
	sr.idt.limit = 0;	/* any exception is a triple fault: a shutdown exit */
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.cr3 = SCRATCH_PML4;
	sr.cr4 = CR4_PAE;
	sr.efer = EFER_LME | EFER_LMA;
	return ioctl(vcpu_fd, KVM_SET_SREGS, &sr);
}

/* KVM checks EFER.LME against the guest's CPUID, so the vCPU needs one. */
static int scratch_cpuid(int sys_fd, int vcpu_fd)
{
	struct kvm_cpuid2 *cpuid = NULL;
	int nent = 256, r = -1;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + (size_t)nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -1;
		cpuid->nent = (uint32_t)nent;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		free(cpuid);
		if (errno != E2BIG || nent >= 4096)
			return -1;
		nent *= 2;
	}
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
	scratch_tables(s->mem);
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
