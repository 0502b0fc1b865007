/* SPDX-License-Identifier: MIT */
/*
 * A throw-away VM for measuring the KVM at hand: one vCPU, 2 MiB of RAM
 * under ebb's long-mode tables (vmm/longmode.c), already in 64-bit mode
 * (set through KVM_SET_SREGS, no boot code), no irqchip.  Code is copied in and called
 * with arguments in registers; it ends by writing to KVM_SCRATCH_DONE_PORT.
 * Used by the KVM-flavour calibration (vmm/kvm_flavour.c).
 */
#ifndef EBB_VMM_KVM_SCRATCH_H
#define EBB_VMM_KVM_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

#include <vmm/kvm_stats.h>

#define KVM_SCRATCH_MEM		(2ULL << 20)	/* guest RAM from 0 */
#define KVM_SCRATCH_CODE	0x10000ULL	/* guest address the code is copied to */
#define KVM_SCRATCH_CODE_MAX	0x10000ULL
#define KVM_SCRATCH_DONE_PORT	0xf0

struct kvm_scratch {
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;			/* KVM_SCRATCH_MEM bytes at guest address 0 */
	struct kvm_stats stats;		/* the vCPU's; fd -1 when the host has none */
	char stats_err[160];		/* why there are none */
};

/*
 * Open @dev (NULL: /dev/kvm), create the VM and its vCPU in long mode and
 * copy @code (at most KVM_SCRATCH_CODE_MAX bytes) to KVM_SCRATCH_CODE.
 * 0, or -1 with a message.
 */
int kvm_scratch_create(struct kvm_scratch *s, const char *dev, const void *code,
		       size_t code_len, char *err, size_t errlen);

/*
 * Run from KVM_SCRATCH_CODE + @entry with RCX = @rcx until the code writes
 * to KVM_SCRATCH_DONE_PORT.  *@ns gets the time spent in KVM_RUN.  0, or -1
 * with a message for any other exit (the code faulted, KVM could not
 * emulate it ...).
 */
int kvm_scratch_call(struct kvm_scratch *s, uint64_t entry, uint64_t rcx, uint64_t *ns,
		     char *err, size_t errlen);

void kvm_scratch_destroy(struct kvm_scratch *s);

#endif
