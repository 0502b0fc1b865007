// SPDX-License-Identifier: MIT
/*
 * How a Linux guest powers off and restarts on ebb's hardware-reduced
 * ACPI platform.
 *
 * The sleep control register (ACPI 6.5, 4.8.3.7): Linux's `poweroff`
 * evaluates \_S5 (SLP_TYP 5, in the DSDT) and writes SLP_TYP | SLP_EN
 * here; ebb ends the VM as for a power-off with status 0.  The same port
 * is the sleep status register, which reads 0: no wake event ever
 * happened.  Other sleep types are not offered (no \_S1-\_S4), so a
 * write of one is ignored.
 *
 * The reset vector: Linux reboots a hardware-reduced platform through
 * EFI first (arch/x86/kernel/reboot.c, efi_reboot_required()), and with
 * no EFI it falls back to jumping to the BIOS at 0xf000:0xfff0.  A PC's
 * firmware resets the machine from there; ebb's stub writes the FADT's
 * reset value to the reset register (port 0xcf9, vmm/debug_exit.c).
 */
#include <string.h>

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

void acpi_reset_vector(uint8_t buf[16])
{
	static const uint8_t stub[] = {
		0xb0, 0x06,		/* mov al, 6: SYS_RST | RST_CPU */
		0xba, 0xf9, 0x0c,	/* mov dx, 0xcf9 */
		0xee,			/* out dx, al */
		0xf4,			/* hlt */
		0xeb, 0xfd,		/* jmp short to the hlt */
	};

	memset(buf, 0, 16);
	memcpy(buf, stub, sizeof(stub));
}
