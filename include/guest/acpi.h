/* SPDX-License-Identifier: MIT */
/*
 * Reading the ACPI tables the VMM writes (vmm/acpi/tables.c, docs/acpi.md)
 * for what the kernel needs of them: the CPUs (MADT) and their NUMA nodes
 * (SRAT).  Every pointer and length is checked before use: a table that
 * does not add up is ignored, and the kernel runs on the boot CPU alone.
 */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <guestmm/compiler.h>

struct acpi_cpu {
	unsigned int apic_id;
	int node;		/* SRAT proximity domain; 0 without an SRAT */
};

/*
 * The enabled processors of the MADT, the boot CPU's entry first as ACPI
 * lists it, at most @max; 0 if there is no usable MADT.
 */
unsigned int acpi_find_cpus(uint64_t rsdp_pa, struct acpi_cpu *cpus, unsigned int max);

#endif
