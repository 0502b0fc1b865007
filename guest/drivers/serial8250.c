// SPDX-License-Identifier: MIT
/*
 * The 8250/16550 UART on COM1, the console (docs/CONVENTIONS.md).
 *
 * Transmit is polled: ebb and QEMU drain the transmit register at once, so
 * waiting for THRE costs nothing, and polling is what lets panic() print
 * with interrupts off and locks in any state.  Receive is interrupt-driven
 * once serial8250_enable_rx_irq() has routed IRQ 4: the handler moves
 * bytes into a ring and wakes the reader, so an idle shell sleeps in HLT
 * instead of spinning on the line status register.
 */
#include <guest/console.h>
#include <guest/interrupts.h>
#include <guest/sched.h>
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

#define RX_RING_SIZE	256

static struct {
	char buf[RX_RING_SIZE];
	unsigned int head, tail;	/* head: next write (IRQ), tail: next read */
} rx;

static DECLARE_WAIT_QUEUE_HEAD(rx_wait);
static bool rx_irq_enabled;

void serial8250_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
	outb(COM1_BASE + UART_DLL, 1);		/* 115200 baud */
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_WLEN8);	/* 8N1 */
	/*
	 * The FIFO control register is left as the firmware set it:
	 * switching the FIFOs on discards what the receiver holds, and input
	 * typed (or piped) before boot may be arriving right then.  The
	 * console needs no FIFO: the interrupt handler drains the receiver a
	 * byte at a time and the VMM holds the rest back meanwhile.
	 */
	outb(COM1_BASE + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
}

void serial8250_putc(char c)
{
	/* Bounded: a UART that never drains must not hang a panic. */
	for (int spins = 0; spins < 100000; spins++) {
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb(COM1_BASE + UART_TX, (uint8_t)c);
}

void serial8250_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial8250_putc('\r');
		serial8250_putc(s[i]);
	}
}

static int rx_poll(void)
{
	if (inb(COM1_BASE + UART_LSR) & UART_LSR_DR)
		return inb(COM1_BASE + UART_RX);
	return -1;
}

/*
 * IRQ 4 (and the drain in serial8250_enable_rx_irq): move every waiting
 * byte into the ring, dropping what does not fit.  Runs with interrupts
 * off, the only writer of rx.head.
 */
static void serial8250_interrupt(unsigned int irq, void *data)
{
	int c;

	while ((c = rx_poll()) >= 0) {
		if (rx.head - rx.tail < RX_RING_SIZE)
			rx.buf[rx.head++ % RX_RING_SIZE] = (char)c;
	}
	wake_up(&rx_wait);
}

void serial8250_enable_rx_irq(void)
{
	if (request_irq(COM1_IRQ, serial8250_interrupt, NULL, "ttyS0") < 0)
		return;		/* no IOAPIC: the reader keeps polling */
	unsigned long flags = arch_local_irq_save();

	rx_irq_enabled = true;
	outb(COM1_BASE + UART_IER, UART_IER_RDI);
	/*
	 * A byte that arrived before the IRQ was wired raises no new edge:
	 * drain by hand, with interrupts off so the real handler cannot run
	 * in the middle and race on the ring's head.
	 */
	serial8250_interrupt(COM1_IRQ, NULL);
	arch_local_irq_restore(flags);
}

int serial8250_getc_nonblock(void)
{
	unsigned long flags = arch_local_irq_save();
	int c = -1;

	if (rx.head != rx.tail)
		c = (unsigned char)rx.buf[rx.tail++ % RX_RING_SIZE];
	else if (!rx_irq_enabled)
		c = rx_poll();
	arch_local_irq_restore(flags);
	return c;
}

int console_getc(void)
{
	int c;

	for (;;) {
		c = serial8250_getc_nonblock();
		if (c >= 0)
			return c;
		if (rx_irq_enabled)
			wait_event(&rx_wait, rx.head != rx.tail);
		else
			msleep(1);	/* polling: let other tasks run meanwhile */
	}
}
