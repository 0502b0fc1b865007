/* SPDX-License-Identifier: MIT */
/*
 * What both backends do around a run (vmm/run.c): the same checks of the
 * layout and the kernel before anything is started, so that bad input
 * fails the same on KVM and QEMU; the stop signals handed to the
 * monitor; the monitor told what the VM is.
 */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/kvm_flavour.h>
#include <vmm/layout.h>
#include <vmm/monitor.h>
#include <vmm/options.h>

/*
 * Lay out the guest's RAM (@o's nodes), its memory map and where the
 * kernel goes.  @acpi_region: carve the ACPI tables' region out of RAM
 * (the KVM backend writes them there).  0, or -1 with a message.
 */
int run_plan(const struct ebb_options *o, const struct boot_files *files, bool acpi_region,
	     struct ebb_layout *layout, struct e820_table *map, struct boot_plan *plan,
	     char *err, size_t errlen);

/* Block SIGINT, SIGTERM, SIGHUP (into @set): the monitor's signalfd takes them. */
void run_block_stop_signals(sigset_t *set);

/* What the monitor reports of the VM (query-status and friends). */
void run_monitor_describe(struct monitor *m, const struct ebb_options *o,
			  const struct kvm_flavour_info *kf);

#endif
