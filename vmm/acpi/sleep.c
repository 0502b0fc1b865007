// SPDX-License-Identifier: MIT
/*
 * The hardware-reduced sleep control register (ACPI 6.5, 4.8.3.7): how a
 * Linux guest powers off.  Its `poweroff` evaluates \_S5 (SLP_TYP 5, in
 * the DSDT) and writes SLP_TYP | SLP_EN here; ebb ends the VM as for a
 * power-off with status 0.  The same port is the sleep status register,
 * which reads 0: no wake event ever happened.  Other sleep types are not
 * offered (no \_S1-\_S4), so a write of one is ignored.
 */
#include <vmm/acpi.h>
#include <vmm/vm.h>

static void acpi_sleep_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
			  bool is_write)
{
	struct vm *vm = ctx;
	unsigned int typ = (data[0] & ACPI_SLEEP_TYP_MASK) >> ACPI_SLEEP_TYP_SHIFT;

	if (!is_write) {
		for (unsigned int i = 0; i < size; i++)
			data[i] = 0;
		return;
	}
	if ((data[0] & ACPI_SLEEP_EN) && typ == ACPI_SLEEP_TYP_S5)
		vm_stop(vm, EBB_EXIT_OK, NULL);
}

int acpi_sleep_register(struct vm *vm)
{
	return bus_register(&vm->pio, ACPI_SLEEP_PORT, 1, acpi_sleep_io, vm, "acpi-sleep");
}
