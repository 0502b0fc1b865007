// SPDX-License-Identifier: MIT
/*
 * The 8250/16550 UART: COM1 (the console) and COM2 (the control channel),
 * docs/CONVENTIONS.md.
 *
 * Transmit is polled: ebb and QEMU drain the transmit register at once, so
 * waiting for THRE costs nothing, and polling is what lets panic() print
 * with interrupts off and locks in any state.  Receive is interrupt-driven
 * once uart_enable_rx_irq() has routed the port's IRQ: the handler moves
 * bytes into a ring and wakes the reader, so an idle reader sleeps in HLT
 * instead of spinning on the line status register.
 */
#include <guest/console.h>
#include <guest/interrupts.h>
#include <guest/uart.h>
#include <guest/x86.h>

/* Register offsets (with DLAB = 0 unless noted). */
#define UART_RX		0	/* receive buffer (read) */
#define UART_TX		0	/* transmit holding (write) */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1	/* interrupt enable */
#define UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */

#define UART_IER_RDI	0x01	/* receive data available */
#define UART_LCR_DLAB	0x80
#define UART_LCR_WLEN8	0x03
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT2	0x08	/* gates the IRQ line on PC-compatible boards */
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */

#define COM2_BASE	0x2f8
#define COM2_IRQ	3

struct uart_port uart_com1 = {
	.base = COM1_BASE, .irq = COM1_IRQ, .name = "ttyS0",
	.rx_wait = { LIST_HEAD_INIT(uart_com1.rx_wait.head) },
};
struct uart_port uart_com2 = {
	.base = COM2_BASE, .irq = COM2_IRQ, .name = "ttyS1",
	.rx_wait = { LIST_HEAD_INIT(uart_com2.rx_wait.head) },
};

bool uart_init(struct uart_port *port)
{
	/*
	 * Nothing decodes the port: reads float to 0xff.  A UART's line
	 * status never reads so (bit 7 is a FIFO error, bit 1 an overrun),
	 * and this needs nothing beyond the registers a VMM must emulate.
	 */
	if (inb(port->base + UART_LSR) == 0xff)
		return false;
	outb(port->base + UART_IER, 0);
	outb(port->base + UART_LCR, UART_LCR_DLAB);
	outb(port->base + UART_DLL, 1);		/* 115200 baud */
	outb(port->base + UART_DLM, 0);
	outb(port->base + UART_LCR, UART_LCR_WLEN8);	/* 8N1 */
	/*
	 * The FIFO control register is left as the firmware set it:
	 * switching the FIFOs on discards what the receiver holds, and input
	 * typed (or piped) before boot may be arriving right then.  No FIFO
	 * is needed: the interrupt handler drains the receiver a byte at a
	 * time and the VMM holds the rest back meanwhile.
	 */
	outb(port->base + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	return true;
}

void uart_putc(struct uart_port *port, char c)
{
	/* Bounded: a UART that never drains must not hang a panic. */
	for (int spins = 0; spins < 100000; spins++) {
		if (inb(port->base + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb(port->base + UART_TX, (uint8_t)c);
}

void uart_write(struct uart_port *port, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(port, '\r');
		uart_putc(port, s[i]);
	}
}

static int rx_poll(struct uart_port *port)
{
	if (inb(port->base + UART_LSR) & UART_LSR_DR)
		return inb(port->base + UART_RX);
	return -1;
}

/*
 * Move waiting bytes into the ring until it is full, then mask the
 * receive interrupt and leave the rest in the UART.  With rx_lock held:
 * the only writer of rx.head.
 */
static void uart_rx_fill(struct uart_port *port)
{
	int c;

	while (port->rx.head - port->rx.tail < UART_RX_RING_SIZE) {
		c = rx_poll(port);
		if (c < 0)
			break;
		port->rx.buf[port->rx.head++ % UART_RX_RING_SIZE] = (char)c;
	}
	if (port->rx.head - port->rx.tail == UART_RX_RING_SIZE && !port->rx_throttled) {
		port->rx_throttled = true;
		outb(port->base + UART_IER, 0);
	}
}

/* The port's IRQ. */
static void uart_interrupt(unsigned int irq, void *data)
{
	struct uart_port *port = data;
	unsigned long flags;

	(void)irq;
	spin_lock_irqsave(&port->rx_lock, flags);
	uart_rx_fill(port);
	spin_unlock_irqrestore(&port->rx_lock, flags);
	wake_up(&port->rx_wait);
}

void uart_enable_rx_irq(struct uart_port *port)
{
	unsigned long flags;

	if (request_irq(port->irq, uart_interrupt, port, port->name) < 0)
		return;		/* no IOAPIC: the reader keeps polling */
	spin_lock_irqsave(&port->rx_lock, flags);
	port->rx_irq_enabled = true;
	outb(port->base + UART_IER, UART_IER_RDI);
	/*
	 * A byte that arrived before the IRQ was wired raises no new edge:
	 * drain by hand, under the lock so the real handler cannot run in
	 * the middle and race on the ring's head.
	 */
	uart_rx_fill(port);
	spin_unlock_irqrestore(&port->rx_lock, flags);
	wake_up(&port->rx_wait);
}

int uart_getc_nonblock(struct uart_port *port)
{
	unsigned long flags;
	int c = -1;

	spin_lock_irqsave(&port->rx_lock, flags);
	if (port->rx.head != port->rx.tail) {
		c = (unsigned char)port->rx.buf[port->rx.tail++ % UART_RX_RING_SIZE];
		if (port->rx_throttled) {
			/* Room again: take what waited in the UART, unmask. */
			port->rx_throttled = false;
			uart_rx_fill(port);
			if (!port->rx_throttled)
				outb(port->base + UART_IER, UART_IER_RDI);
		}
	} else if (!port->rx_irq_enabled) {
		c = rx_poll(port);
	}
	spin_unlock_irqrestore(&port->rx_lock, flags);
	return c;
}

int uart_getc(struct uart_port *port)
{
	int c;

	for (;;) {
		c = uart_getc_nonblock(port);
		if (c >= 0)
			return c;
		if (port->rx_irq_enabled)
			wait_event(&port->rx_wait, port->rx.head != port->rx.tail);
		else
			msleep(1);	/* polling: let other tasks run meanwhile */
	}
}

/* --- the console on COM1 ---------------------------------------------- */

void serial8250_init(void)
{
	uart_init(&uart_com1);
}

void serial8250_write(const char *s, size_t len)
{
	uart_write(&uart_com1, s, len);
}

void serial8250_enable_rx_irq(void)
{
	uart_enable_rx_irq(&uart_com1);
}

int console_getc(void)
{
	return uart_getc(&uart_com1);
}
