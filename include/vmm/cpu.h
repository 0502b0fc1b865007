/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: creation (CPUID, MSRs, the entry state of the boot CPU) in
 * vmm/cpu.c; threads and the run loop with its exit dispatch in
 * vmm/vcpu.c.  With the in-kernel irqchip the other CPUs start in the
 * wait-for-SIPI state, as on real hardware.
 */
#ifndef EBB_VMM_CPU_H
#define EBB_VMM_CPU_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <vmm/kvm_stats.h>

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
	struct kvm_stats stats;	/* KVM's statistics of this vCPU (fd -1: none) */
};

/* Create vCPU @id with CPUID and MSRs set.  0, or -1 with a message. */
int cpu_create(struct vm *vm, struct vcpu *c, unsigned int id, char *err,
	       size_t errlen);
/* PVH entry state: 32-bit flat protected mode, paging off, EBX = start_info. */
int cpu_set_pvh_entry(struct vcpu *c, uint32_t entry, uint32_t start_info,
		      char *err, size_t errlen);
/*
 * Linux's 64-bit entry state: long mode on ebb's identity map
 * (vmm/longmode.c), flat __BOOT_CS/__BOOT_DS, RSI = the zero page,
 * interrupts off.
 */
int cpu_set_long_entry(struct vcpu *c, uint64_t entry, uint64_t boot_params,
		       char *err, size_t errlen);
void cpu_destroy(struct vcpu *c);

/* Start the vCPU's thread running KVM_RUN.  0 or -1 (errno). */
int vcpu_start(struct vcpu *c);
/* Make a running vCPU leave KVM_RUN and its loop (after vm->stopping is set). */
void vcpu_kick(struct vcpu *c);
void vcpu_join(struct vcpu *c);
/* Called once per process before vCPU threads start. */
int vcpu_signals_init(void);

#endif
