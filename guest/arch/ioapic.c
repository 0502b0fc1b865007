// SPDX-License-Identifier: MIT
/*
 * The IOAPIC: turns ISA interrupt lines into messages to a local APIC.
 * It sits at the standard 0xfec00000 on every PC-like machine ebb and
 * QEMU's microvm build (the kernel reads no ACPI tables), and ISA IRQ n is
 * pin n, with no source overrides for the lines used here.
 *
 * Registers are reached indirectly: write the index to IOREGSEL, then
 * read or write IOWIN.  Redirection entry n is registers 0x10 + 2n (low
 * dword: vector, mode, mask) and 0x11 + 2n (high dword: destination).
 * The pair is one access under ioapic_lock (Linux's too): a task that
 * preempted us between the two steps and selected its own register
 * would have our value written there.
 */
#include <guest/apic.h>
#include <guest/interrupts.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guestmm/spinlock.h>

#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOAPIC_ID	0x00
#define IOAPIC_VER	0x01
#define IOAPIC_REDTBL(n)	(0x10 + 2 * (n))
#define IOAPIC_MASKED	(1u << 16)

static volatile uint32_t *ioapic;
static unsigned int nr_pins;
static spinlock_t ioapic_lock = SPIN_LOCK_UNLOCKED;

static uint32_t ioapic_read(unsigned int reg)
{
	unsigned long flags;
	uint32_t v;

	spin_lock_irqsave(&ioapic_lock, flags);
	ioapic[IOREGSEL / 4] = reg;
	v = ioapic[IOWIN / 4];
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return v;
}

static void ioapic_write(unsigned int reg, uint32_t v)
{
	unsigned long flags;

	spin_lock_irqsave(&ioapic_lock, flags);
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = v;
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

int ioapic_init(void)
{
	uint32_t ver;

	ioapic = ioremap(IO_APIC_DEFAULT_PHYS_BASE, 4096);
	if (!ioapic)
		return -1;
	ver = ioapic_read(IOAPIC_VER);
	if (ver == 0xffffffffu || ver == 0) {	/* nothing answers there */
		pr_warn("ioapic: none at %#lx; console input will be polled\n",
			IO_APIC_DEFAULT_PHYS_BASE);
		ioapic = NULL;
		return -1;
	}
	nr_pins = ((ver >> 16) & 0xff) + 1;
	if (nr_pins > NR_IRQS)
		nr_pins = NR_IRQS;
	for (unsigned int pin = 0; pin < nr_pins; pin++) {
		ioapic_write(IOAPIC_REDTBL(pin) + 1, 0);
		ioapic_write(IOAPIC_REDTBL(pin), IOAPIC_MASKED);
	}
	pr_info("ioapic: version %#x, %u pins at %#lx\n", ver & 0xff, nr_pins,
		IO_APIC_DEFAULT_PHYS_BASE);
	return 0;
}

int ioapic_route_irq(unsigned int irq, unsigned int vector)
{
	if (!ioapic)
		return -1;	/* ioapic_init() said so */
	if (irq >= nr_pins) {
		/* e.g. microvm's second IOAPIC (IRQs 16+ with ACPI): not driven here */
		pr_err("ioapic: IRQ %u: the IOAPIC has pins 0-%u only\n", irq, nr_pins - 1);
		return -1;
	}
	/*
	 * Destination: APIC ID 0, physical mode; fixed delivery, edge, high.
	 * The high dword first: the write of the low one unmasks the pin.
	 */
	ioapic_write(IOAPIC_REDTBL(irq) + 1, 0);
	ioapic_write(IOAPIC_REDTBL(irq), vector & 0xff);
	return 0;
}
