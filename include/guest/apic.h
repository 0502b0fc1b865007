/* SPDX-License-Identifier: MIT */
/*
 * The local APIC (xAPIC, memory-mapped: every KVM and QEMU TCG provides it,
 * while x2APIC under TCG needs a newer QEMU) and the IOAPIC that routes
 * ISA interrupts such as the UART's IRQ 4.
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <guestmm/compiler.h>

#define APIC_DEFAULT_PHYS_BASE		0xfee00000UL
#define IO_APIC_DEFAULT_PHYS_BASE	0xfec00000UL

extern uint64_t lapic_timer_hz;		/* the timer's input clock after the divider */

void apic_init(void);
/* Calibrate the LAPIC timer against the TSC and start the HZ tick. */
void apic_timer_init(void);
void apic_eoi(void);
/* The same local set-up on an AP; its timer with the boot CPU's calibration. */
void apic_init_ap(void);
void apic_timer_start(void);
unsigned int apic_id(void);

/* Interprocessor interrupts (docs/smp.md): a fixed vector, INIT, STARTUP. */
void apic_send_ipi(unsigned int dest_apic_id, unsigned int vector);
void apic_send_init(unsigned int dest_apic_id);
/* STARTUP at @start_pa: page aligned, below 1 MiB. */
void apic_send_sipi(unsigned int dest_apic_id, uint64_t start_pa);

/* Mask the legacy 8259 PICs so only the APICs deliver interrupts. */
void legacy_pic_disable(void);

int ioapic_init(void);
/* Send IOAPIC pin @irq (edge, active high, ISA style) to @vector on CPU 0. */
int ioapic_route_irq(unsigned int irq, unsigned int vector);

#endif
