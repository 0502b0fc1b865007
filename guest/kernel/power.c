// SPDX-License-Identifier: MIT
/*
 * Power-off, reboot and a deliberate triple fault.
 *
 * Power-off writes the status to port 0xf4 (isa-debug-exit in QEMU, the
 * same port in ebb).  If no device is there the write goes nowhere, so we
 * fall back to halting forever with interrupts off, which a harness sees
 * as a hang with the "Power down" line already printed.
 */
#include <guest/power.h>
#include <guest/printk.h>
#include <guest/x86.h>

void machine_power_off(int status)
{
	local_irq_disable();
	outl(DEBUG_EXIT_PORT, (uint32_t)status & 0xff);
	for (;;)
		__asm__ volatile("hlt");
}

/*
 * Reset the way Linux tries first on a PC: the 0xcf9 reset control
 * register, then the keyboard controller's pulse, then a triple fault.
 * ebb reports any of them as "guest requested reset".
 */
void machine_restart(void)
{
	local_irq_disable();
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	outb(0x64, 0xfe);
	machine_triple_fault();
}

void machine_triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	local_irq_disable();
	/* With an empty IDT every exception, including the double fault, faults. */
	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
	for (;;)
		__asm__ volatile("hlt");
}
