/* SPDX-License-Identifier: MIT */
/*
 * The QEMU backend: for hosts without /dev/kvm (or `--accel qemu`), ebb
 * runs the same guest under qemu-system-x86_64 -M microvm with TCG, and
 * stays in front of it as the monitor, so the terminal, the control
 * socket and `ebb list/stat/console/stop` work as with KVM.
 *
 * QEMU connects to three unix sockets ebb listens on, in a private
 * directory beside the control socket: the console (COM1), the control
 * channel (COM2, an isa-serial at 0x2f8, IRQ 3) and QMP (vmm/qmp.c).  The
 * swap disk is QEMU's own virtio-blk-device, the balloon its
 * virtio-balloon-device (vmm/qemu_balloon.c), on microvm's virtio-mmio
 * transports; with ACPI off, microvm puts them on the guest command line
 * itself (virtio_mmio.device=512@0xfeb00e00:12 ...).
 */
#ifndef EBB_VMM_QEMU_H
#define EBB_VMM_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include <vmm/options.h>

#define EBB_QEMU_DEFAULT	"qemu-system-x86_64"	/* $EBB_QEMU overrides */

struct boot_files;
struct kvm_flavour_info;

/*
 * Run the VM under QEMU until it ends; returns ebb's exit status.
 * @files are checked as on KVM (vmm/boot.c), then handed to QEMU's
 * -kernel and -initrd; @kf is what ebb found of the host's KVM, for
 * query-status.
 */
int qemu_run(const struct ebb_options *o, const struct kvm_flavour_info *kf,
	     const struct boot_files *files);

/* Is QEMU ($EBB_QEMU or qemu-system-x86_64 on $PATH) there to run?  Else why not. */
bool qemu_available(char *why, size_t len);

#endif
