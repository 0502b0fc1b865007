// SPDX-License-Identifier: MIT
/*
 * Interrupt dispatch: from a vector to the handler a driver registered,
 * with the bookkeeping around it (counts, the scheduler's irq_enter/exit,
 * the end-of-interrupt to the local APIC).
 */
#include <guest/apic.h>
#include <guest/interrupts.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/traps.h>
#include <guestmm/errno.h>

struct irq_desc {
	irq_handler_t handler;
	void *data;
	const char *name;
	unsigned long count;
};

static struct irq_desc irq_descs[NR_IRQS];
static void (*vector_handlers[256])(void);
static unsigned long vector_counts[256];
static unsigned long spurious_count;

int request_irq(unsigned int irq, irq_handler_t handler, void *data, const char *name)
{
	if (irq >= NR_IRQS)
		return -EINVAL;
	if (irq_descs[irq].handler)
		return -EBUSY;		/* no sharing: every device has its own pin */
	irq_descs[irq].handler = handler;
	irq_descs[irq].data = data;
	irq_descs[irq].name = name;
	if (ioapic_route_irq(irq, FIRST_EXTERNAL_VECTOR + irq) < 0) {
		irq_descs[irq].handler = NULL;
		return -ENODEV;
	}
	return 0;
}

const char *irq_owner(unsigned int irq)
{
	return irq < NR_IRQS && irq_descs[irq].handler ? irq_descs[irq].name : NULL;
}

void set_vector_handler(unsigned int vector, void (*fn)(void))
{
	vector_handlers[vector & 0xff] = fn;
}

void do_irq(unsigned int vector)
{
	irq_enter();
	vector_counts[vector]++;
	if (vector_handlers[vector]) {
		vector_handlers[vector]();
	} else if (vector >= FIRST_EXTERNAL_VECTOR && vector < FIRST_EXTERNAL_VECTOR + NR_IRQS &&
		   irq_descs[vector - FIRST_EXTERNAL_VECTOR].handler) {
		struct irq_desc *d = &irq_descs[vector - FIRST_EXTERNAL_VECTOR];

		d->count++;
		d->handler(vector - FIRST_EXTERNAL_VECTOR, d->data);
	} else if (vector == SPURIOUS_APIC_VECTOR) {
		spurious_count++;
		irq_exit();
		return;		/* a spurious interrupt gets no EOI */
	} else {
		if (vector_counts[vector] == 1)
			pr_warn("irq: unexpected interrupt on vector %#x\n", vector);
	}
	apic_eoi();
	irq_exit();
}

void show_interrupts(void (*line)(const char *name, unsigned int irq, unsigned long count))
{
	line("LOC", LOCAL_TIMER_VECTOR, vector_counts[LOCAL_TIMER_VECTOR]);
	for (unsigned int i = 0; i < NR_IRQS; i++)
		if (irq_descs[i].handler)
			line(irq_descs[i].name, i, irq_descs[i].count);
	line("SPU", SPURIOUS_APIC_VECTOR, spurious_count);
}
