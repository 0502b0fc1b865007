/* SPDX-License-Identifier: MIT */
/*
 * The console: the 8250 UART at 0x3f8 (COM1, IRQ 4) per docs/CONVENTIONS.md.
 * Output is polled (a line at a time never waits long, and a panic must be
 * able to print with interrupts off).  Input arrives by interrupt once the
 * IOAPIC routes IRQ 4, into a small ring the shell reads from; before that,
 * and if the interrupt never comes, the reader polls.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <guestmm/compiler.h>

#define COM1_BASE	0x3f8
#define COM1_IRQ	4

void serial8250_init(void);
void serial8250_write(const char *s, size_t len);
/* Switch input to interrupts (after the IOAPIC and the scheduler are up). */
void serial8250_enable_rx_irq(void);
/* Next input byte; sleeps until one arrives. */
int console_getc(void);

#endif
