/* SPDX-License-Identifier: MIT */
/*
 * An 8250/16550A UART as Linux-style drivers program it: THR/RBR, IER,
 * IIR/FCR, LCR, MCR (with loopback), LSR, MSR, SCR and the DLAB divisor
 * latches.  Output goes to a file descriptor at once (the transmitter is
 * always empty); input is queued in a 64-byte FIFO by serial_receive().
 * The interrupt line is driven through a callback (KVM_IRQ_LINE in ebb).
 */
#ifndef EBB_VMM_SERIAL_H
#define EBB_VMM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1_BASE	0x3f8
#define SERIAL_COM1_IRQ		4
#define SERIAL_COM2_BASE	0x2f8	/* the control channel */
#define SERIAL_COM2_IRQ		3
#define SERIAL_NR_REGS		8
#define SERIAL_FIFO		64

struct serial8250 {
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thri;			/* THR-empty interrupt pending */
	uint8_t rx[SERIAL_FIFO];
	unsigned int rx_head, rx_count;
	int out_fd;			/* -1: output discarded */
	void (*set_irq)(void *ctx, int level);
	void *irq_ctx;
	int irq_level;
	uint64_t tx_bytes;
	void (*on_tx)(void *ctx);	/* first transmitted byte, for stats; may be NULL */
	void *tx_ctx;
};

void serial_init(struct serial8250 *s, int out_fd,
		 void (*set_irq)(void *ctx, int level), void *irq_ctx);
void serial_destroy(struct serial8250 *s);

/* Bus handler: @off is the register (0..7). */
void serial_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
	       bool is_write);

/* Queue input from the host; returns how many bytes fit. */
size_t serial_receive(struct serial8250 *s, const uint8_t *buf, size_t n);
/* Free room in the receive FIFO. */
size_t serial_rx_room(struct serial8250 *s);

#endif
