/* SPDX-License-Identifier: MIT */
/*
 * One micro-VM: KVM, guest memory, buses and devices, vCPUs, and how it
 * ends.  Whatever ends it (power-off, reset, triple fault, an internal
 * error, the user) calls vm_stop(); the first call decides the exit status
 * (docs/CONVENTIONS.md) and the message.
 */
#ifndef EBB_VMM_VM_H
#define EBB_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vmm/bus.h>
#include <vmm/kvm.h>
#include <vmm/kvm_flavour.h>
#include <vmm/kvm_stats.h>
#include <vmm/memory.h>
#include <vmm/monitor.h>
#include <vmm/options.h>
#include <vmm/serial.h>
#include <vmm/virtio/blk.h>

/* ebb's exit statuses. */
#define EBB_EXIT_OK		0
#define EBB_EXIT_SETUP		1
#define EBB_EXIT_RESET		2
#define EBB_EXIT_TRIPLE_FAULT	3
#define EBB_EXIT_INTERNAL	4
#define EBB_EXIT_GUEST_BASE	64	/* + the guest's non-zero status */
#define EBB_EXIT_SIGNAL_BASE	128	/* + the signal that stopped it */

struct boot_files;
struct vcpu;

struct vm_stats {
	uint64_t t_start;		/* ns, CLOCK_MONOTONIC, vm_run entry */
	uint64_t t_kvm;			/* /dev/kvm open, VM created */
	uint64_t t_mem;			/* guest RAM mapped and registered, irqchip made */
	uint64_t t_loaded;		/* kernel and boot data in guest RAM */
	uint64_t t_vcpus;		/* vCPUs created and set up, threads about to start */
	_Atomic uint64_t t_first_exit;	/* first exit to the VMM */
	_Atomic uint64_t t_first_tx;	/* first byte on the console */
	uint64_t t_end;
};

/* A virtio-mmio transport: its EBB_MMIO_SIZE window and its IOAPIC pin. */
struct vm_virtio_slot {
	uint64_t base;
	unsigned int irq;
};

#define VM_MAX_VIRTIO	2		/* the swap disk and the balloon */

struct vm {
	const struct ebb_options *opts;
	const struct kvm_flavour_info *kvm_flavour;	/* what kind of KVM runs it */
	struct kvm kvm;
	struct guest_mem mem;
	struct bus pio, mmio;
	struct serial8250 com1;		/* console */
	struct serial8250 com2;		/* control channel */
	int console_fd[2], chan_fd[2];	/* [0] the UART writes, [1] the monitor reads */
	int swap_fd;			/* --swap backing file, -1 if none */
	bool has_blk;
	struct virtio_blk blk;
	bool has_balloon;
	struct balloon_dev balloon;
	unsigned int nr_virtio;		/* transports, in window order */
	struct vm_virtio_slot virtio[VM_MAX_VIRTIO];
	struct monitor mon;
	unsigned int nr_vcpus;
	struct vcpu *vcpus;
	atomic_bool stopping;
	int exit_status;
	int stop_fd;			/* eventfd, readable once stopping */
	pthread_mutex_t stop_lock;
	struct vm_stats stats;
	struct kvm_stats kvm_stats;	/* KVM's statistics of the VM (fd -1: none) */
	char kvm_stats_why[256];	/* why the VM or a vCPU has none */
};

/* End the VM with @status; the first call wins and prints @fmt (if any). */
void vm_stop(struct vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Build and run the VM until it ends; returns ebb's exit status.
 * @files are the kernel (PVH ELF or bzImage) and initrd in memory
 * (vmm/boot.c); @kf what ebb found of the host's KVM
 * (vmm/kvm_flavour.c), shown to the user and in query-status.
 */
int vm_run(const struct ebb_options *o, const struct kvm_flavour_info *kf,
	   const struct boot_files *files);

/* Port I/O devices that end the VM: 0xf4 power-off, 0xcf9 / 0x64 reset. */
int debug_exit_register(struct vm *vm);
/* PC ports Linux probes and ebb has no hardware behind (vmm/absent_ports.c). */
int absent_ports_register(struct vm *vm);

/*
 * The devices (vmm/devices.c): UARTs, exit ports, virtio-mmio devices.
 * create writes the virtio_mmio.device= parameters into @params and
 * notes each transport in vm->virtio[] (for the ACPI tables).
 * 0, or -1 with a message.
 */
int devices_create(struct vm *vm, char *params, size_t plen, char *err, size_t errlen);
/* Start the device threads.  0 or -1 (errno). */
int devices_start(struct vm *vm);
/* The balloon's control-socket operations (vmm/virtio/balloon.c, monitor_backend). */
int vm_balloon_set(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen);
void vm_balloon_query(void *ctx, json_t *into);
/*
 * KVM's statistics (vmm/kvm_stats_vm.c): open the VM's file (after
 * KVM_CREATE_VM; the vCPUs' in cpu_create), query-kvm-stats's answer
 * (monitor_backend.kvm_stats), kvm_exits for query-status, and the
 * totals line of ebb run --stats.
 */
void vm_kvm_stats_open(struct vm *vm);
json_t *vm_kvm_stats_query(void *ctx);
void vm_kvm_stats_status(struct vm *vm, json_t *into);
void vm_kvm_stats_print(struct vm *vm, FILE *f);
void devices_destroy(struct vm *vm);

/* Terminal: raw mode for an interactive stdin, restored at exit. */
void term_raw_enter(void);
void term_raw_leave(void);

#endif
