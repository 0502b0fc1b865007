// SPDX-License-Identifier: MIT
/* /proc/interrupts: one CPU, Linux's columns (count, chip, name). */
#include <guest/interrupts.h>
#include <guest/shell.h>

static struct seq_buf *irq_seq;

static void irq_line(const char *name, unsigned int irq, unsigned long count)
{
	if (irq < NR_IRQS)
		seq_printf(irq_seq, "%4u: %10lu   IO-APIC %4u-edge      %s\n", irq, count, irq, name);
	else
		seq_printf(irq_seq, "%s: %10lu   vector %#x\n", name, count, irq);
}

static void show_proc_interrupts(struct seq_buf *s)
{
	irq_seq = s;
	seq_puts(s, "           CPU0\n");
	show_interrupts(irq_line);
}
PROC_FILE(interrupts, "/proc/interrupts", show_proc_interrupts, NULL);
