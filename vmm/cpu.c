// SPDX-License-Identifier: MIT
/*
 * vCPU creation: the kvm_run mapping, CPUID (what KVM supports, with each
 * CPU's APIC ID and the hypervisor bit), a few MSRs, LAPIC LINT pins, and
 * the entry state of the boot CPU: PVH's, or Linux's 64-bit one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vmm/cpu.h>
#include <vmm/layout.h>
#include <vmm/longmode.h>
#include <vmm/vm.h>

#define ERR(...) do { if (err) snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* Architectural MSRs (Intel SDM vol. 4); not part of the KVM UAPI. */
#define MSR_IA32_MISC_ENABLE		0x000001a0
#define MISC_ENABLE_FAST_STRING		(1ULL << 0)
#define MSR_MTRR_DEF_TYPE		0x000002ff
#define MTRR_DEF_TYPE_E			(1ULL << 11)
#define MTRR_TYPE_WRBACK		6

/* LAPIC registers and LVT delivery modes (Intel SDM vol. 3, 10.5.1). */
#define APIC_LVT0			0x350
#define APIC_LVT1			0x360
#define APIC_MODE_NMI			0x4
#define APIC_MODE_EXTINT		0x7

#define CPUID_1_ECX_HYPERVISOR		(1u << 31)

static int set_cpuid(struct vcpu *c, const struct kvm_cpuid2 *sup)
{
	size_t sz = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *cp = malloc(sz);
	int r;

	if (!cp)
		return -1;
	memcpy(cp, sup, sz);
	for (uint32_t i = 0; i < cp->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cp->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffffu) | (c->id << 24);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 0xb:
		case 0x1f:
			e->edx = c->id;		/* x2APIC ID */
			break;
		}
	}
	r = ioctl(c->fd, KVM_SET_CPUID2, cp);
	free(cp);
	return r;
}

static int set_msrs(struct vcpu *c)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 2;
	m.e[0].index = MSR_IA32_MISC_ENABLE;
	m.e[0].data = MISC_ENABLE_FAST_STRING;
	m.e[1].index = MSR_MTRR_DEF_TYPE;
	m.e[1].data = MTRR_DEF_TYPE_E | MTRR_TYPE_WRBACK;
	return ioctl(c->fd, KVM_SET_MSRS, &m) == 2 ? 0 : -1;
}

static void lvt_mode(struct kvm_lapic_state *l, int reg, uint32_t mode)
{
	uint32_t v;

	memcpy(&v, l->regs + reg, 4);
	v = (v & ~0x700u) | (mode << 8);
	memcpy(l->regs + reg, &v, 4);
}

/* LINT0 as ExtINT (the PIC), LINT1 as NMI: what firmware sets up on a PC. */
static int set_lint(struct vcpu *c)
{
	struct kvm_lapic_state l;

	if (ioctl(c->fd, KVM_GET_LAPIC, &l) < 0)
		return -1;
	lvt_mode(&l, APIC_LVT0, APIC_MODE_EXTINT);
	lvt_mode(&l, APIC_LVT1, APIC_MODE_NMI);
	return ioctl(c->fd, KVM_SET_LAPIC, &l);
}

int cpu_create(struct vm *vm, struct vcpu *c, unsigned int id, char *err,
	       size_t errlen)
{
	char why[200];

	c->vm = vm;
	c->id = id;
	c->run = NULL;
	c->stats.fd = -1;
	c->fd = ioctl(vm->kvm.vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (c->fd < 0)
		ERR("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
	c->run = mmap(NULL, (size_t)vm->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		ERR("mapping vCPU %u's kvm_run: %s", id, strerror(errno));
	}
	/* A KVM without statistics runs the VM all the same: just remember why. */
	if (kvm_stats_open(&c->stats, c->fd, why, sizeof(why)) && !vm->kvm_stats_why[0])
		snprintf(vm->kvm_stats_why, sizeof(vm->kvm_stats_why), "vCPU %u: %s", id, why);
	if (set_cpuid(c, vm->kvm.cpuid))
		ERR("KVM_SET_CPUID2 on vCPU %u: %s", id, strerror(errno));
	if (set_msrs(c))
		ERR("KVM_SET_MSRS on vCPU %u failed", id);
	if (set_lint(c))
		ERR("setting vCPU %u's LAPIC LINT pins: %s", id, strerror(errno));
	return 0;
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t code_data)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->db = 1;
	s->s = code_data;
	s->g = 1;
}

int cpu_set_pvh_entry(struct vcpu *c, uint32_t entry, uint32_t start_info,
		      char *err, size_t errlen)
{
	struct kvm_sregs sr;
	struct kvm_regs r;

	if (ioctl(c->fd, KVM_GET_SREGS, &sr) < 0)
		ERR("KVM_GET_SREGS: %s", strerror(errno));
	/* The PVH ABI: flat 32-bit segments, CR0.PE, no paging, TR a 32-bit TSS. */
	flat_seg(&sr.cs, 0x08, 0xb, 1);		/* execute/read, accessed */
	flat_seg(&sr.ds, 0x10, 0x3, 1);		/* read/write, accessed */
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	flat_seg(&sr.tr, 0x18, 0xb, 0);		/* 32-bit busy TSS */
	sr.tr.limit = 0x67;
	sr.tr.g = 0;
	sr.tr.db = 0;
	sr.gdt.base = EBB_GDT_ADDR;
	sr.gdt.limit = 4 * 8 - 1;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	sr.cr0 = 0x11;				/* PE | ET */
	sr.cr3 = 0;
	sr.cr4 = 0;
	sr.efer = 0;
	if (ioctl(c->fd, KVM_SET_SREGS, &sr) < 0)
		ERR("KVM_SET_SREGS: %s", strerror(errno));

	memset(&r, 0, sizeof(r));
	r.rflags = 0x2;
	r.rip = entry;
	r.rbx = start_info;
	if (ioctl(c->fd, KVM_SET_REGS, &r) < 0)
		ERR("KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

int cpu_set_long_entry(struct vcpu *c, uint64_t entry, uint64_t boot_params,
		       char *err, size_t errlen)
{
	struct kvm_sregs sr;
	struct kvm_regs r;

	if (ioctl(c->fd, KVM_GET_SREGS, &sr) < 0)
		ERR("KVM_GET_SREGS: %s", strerror(errno));
	/* Linux's 64-bit boot protocol: long mode, __BOOT_CS and __BOOT_DS, ebb's identity map. */
	longmode_sregs(&sr);
	if (ioctl(c->fd, KVM_SET_SREGS, &sr) < 0)
		ERR("KVM_SET_SREGS: %s", strerror(errno));

	memset(&r, 0, sizeof(r));
	r.rflags = 0x2;				/* interrupts off */
	r.rip = entry;
	r.rsi = boot_params;
	r.rsp = EBB_BOOT_STACK_TOP;
	if (ioctl(c->fd, KVM_SET_REGS, &r) < 0)
		ERR("KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

void cpu_destroy(struct vcpu *c)
{
	kvm_stats_close(&c->stats);
	if (c->run)
		munmap(c->run, (size_t)c->vm->kvm.vcpu_mmap_size);
	if (c->fd >= 0)
		close(c->fd);
	c->run = NULL;
	c->fd = -1;
}
