// SPDX-License-Identifier: MIT
/*
 * PC hardware ebb does not have, but which a stock Linux kernel probes on
 * every boot.  Each range answers as empty hardware on a real board does:
 * reads float to all ones, writes go nowhere.  Claiming them keeps them
 * out of the bus's "unhandled access" log, which is then left for the
 * accesses that mean something is wrong.
 *
 *   0x2e-0x2f, 0x4e-0x4f  Super I/O configuration (hwmon and watchdog
 *                         drivers look for a chip there)
 *   0x70-0x71             CMOS: Linux writes the warm-reset code there
 *                         before it starts each AP, although the FADT
 *                         says there is no RTC
 *   0x2e8, 0x3e8 (8 each) COM4 and COM3: the 8250 driver looks for the
 *                         four legacy UARTs; a scratch register that
 *                         reads all ones is no UART
 *   0x81-0x8f             ISA DMA page registers (0x80, the POST port,
 *                         is debug_exit.c's)
 *   0xcf8, 0xcfa-0xcff    PCI configuration mechanism 1 with no host
 *                         bridge behind it: Linux's conf1 probe reads
 *                         back all ones and concludes there is no PCI
 *                         (0xcf9 is the reset control register)
 */
#include <string.h>

#include <vmm/vm.h>

static const struct {
	uint16_t base, len;
	const char *name;
} absent_ranges[] = {
	{ 0x2e, 2, "superio-2e" },
	{ 0x4e, 2, "superio-4e" },
	{ 0x70, 2, "cmos" },
	{ 0x81, 15, "dma-page" },
	{ 0x2e8, 8, "com4" },
	{ 0x3e8, 8, "com3" },
	{ 0xcf8, 1, "pci-conf1-addr" },
	{ 0xcfa, 6, "pci-conf1-data" },
};

static void absent_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
		      bool is_write)
{
	if (!is_write)
		memset(data, 0xff, size);
}

int absent_ports_register(struct vm *vm)
{
	for (size_t i = 0; i < sizeof(absent_ranges) / sizeof(absent_ranges[0]); i++)
		if (bus_register(&vm->pio, absent_ranges[i].base, absent_ranges[i].len, absent_io,
				 NULL, absent_ranges[i].name))
			return -1;
	return 0;
}
