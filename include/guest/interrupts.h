/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts.  ISA IRQ n (an IOAPIC pin) arrives on vector 32 + n;
 * local APIC sources (the timer) have fixed vectors of their own.
 */
#ifndef GUEST_INTERRUPTS_H
#define GUEST_INTERRUPTS_H

#include <guestmm/compiler.h>

#define NR_IRQS		24	/* IOAPIC pins */

typedef void (*irq_handler_t)(unsigned int irq, void *data);

/*
 * Route IRQ @irq to @handler and unmask it.  -EBUSY: another handler has
 * it; -ENODEV: the IOAPIC cannot route it (none, or too few pins; the
 * IOAPIC says which); -EINVAL: no such IRQ.
 */
int request_irq(unsigned int irq, irq_handler_t handler, void *data, const char *name);

/* The name given with the handler that has @irq, or NULL if it is free. */
const char *irq_owner(unsigned int irq);

/* A handler for a local APIC vector (timer, spurious). */
void set_vector_handler(unsigned int vector, void (*fn)(void));

/* Called by do_interrupt() for every vector >= 32. */
void do_irq(unsigned int vector);

/* For /proc/interrupts. */
void show_interrupts(void (*line)(const char *name, unsigned int irq, unsigned long count));

#endif
