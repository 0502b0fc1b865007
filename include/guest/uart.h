/* SPDX-License-Identifier: MIT */
/*
 * 8250/16550 UART ports (guest/drivers/serial8250.c): COM1 is the console
 * (include/guest/console.h wraps it), COM2 the control channel
 * (docs/CONVENTIONS.md).
 *
 * Output is polled.  Input is interrupt-driven once uart_enable_rx_irq()
 * has routed the port's IRQ: the handler moves bytes into the port's
 * ring and wakes its reader.  When the ring is full the handler stops
 * taking bytes and masks the receive interrupt, so the rest waits in the
 * UART (and the VMM holds back what follows) instead of being dropped;
 * the reader unmasks it once it has made room.
 */
#ifndef GUEST_UART_H
#define GUEST_UART_H

#include <guest/sched.h>
#include <guestmm/spinlock.h>
#include <guestmm/compiler.h>

#define UART_RX_RING_SIZE	1024

struct uart_port {
	uint16_t base;			/* I/O port of register 0 */
	unsigned int irq;
	const char *name;		/* "ttyS0" */
	struct {
		char buf[UART_RX_RING_SIZE];
		unsigned int head, tail;	/* head: next write (IRQ), tail: next read */
	} rx;
	struct wait_queue_head rx_wait;
	bool rx_irq_enabled;		/* the IRQ is routed */
	bool rx_throttled;		/* ring full: receive interrupt masked */
	spinlock_t rx_lock;		/* the ring and the two flags: the IRQ runs on CPU 0, readers anywhere */
};

extern struct uart_port uart_com1, uart_com2;

/* 115200 8N1, FIFOs as the firmware left them.  False if no UART answers. */
bool uart_init(struct uart_port *port);
void uart_putc(struct uart_port *port, char c);
/* Write @len bytes, '\n' as "\r\n" (a terminal's line discipline). */
void uart_write(struct uart_port *port, const char *s, size_t len);
/* Switch input to interrupts (after the IOAPIC and the scheduler are up). */
void uart_enable_rx_irq(struct uart_port *port);
/* Next input byte, or -1 if none is waiting. */
int uart_getc_nonblock(struct uart_port *port);
/* Next input byte; sleeps until one arrives. */
int uart_getc(struct uart_port *port);

#endif
