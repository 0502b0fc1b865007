// SPDX-License-Identifier: MIT
/*
 * The steps the KVM backend (vm.c) and the QEMU backend (qemu.c) share,
 * written once so that the two cannot drift apart: a VM refused by one
 * for its layout or its kernel is refused by the other with the same
 * words.
 */
#include <pthread.h>

#include <vmm/run.h>

int run_plan(const struct ebb_options *o, const struct boot_files *files, bool acpi_region,
	     struct ebb_layout *layout, struct e820_table *map, struct boot_plan *plan,
	     char *err, size_t errlen)
{
	if (layout_build(layout, o->nr_nodes, o->node_size, err, errlen))
		return -1;
	e820_from_layout(map, layout);
	/* The ACPI tables' region is no RAM the guest may allocate (docs/acpi.md). */
	if (acpi_region && e820_set(map, EBB_ACPI_ADDR, EBB_ACPI_SIZE, E820_ACPI, err, errlen))
		return -1;
	return boot_plan(plan, files, map, err, errlen);
}

void run_block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

void run_monitor_describe(struct monitor *m, const struct ebb_options *o,
			  const struct kvm_flavour_info *kf)
{
	m->mem_size = o->mem_size;
	m->nr_cpus = o->nr_cpus;
	m->nr_nodes = o->nr_nodes;
	m->swap = o->swap_path[0] ? o->swap_path : NULL;
	m->kvm = kf;
}
