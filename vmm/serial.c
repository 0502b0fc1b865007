// SPDX-License-Identifier: MIT
/*
 * The 8250/16550A UART.  Transmission is instant (THR and the shift
 * register are always empty), so the only interrupts are "THR empty" and
 * "received data available"; the line follows the highest-priority one.
 */
#include <string.h>
#include <unistd.h>

#include <linux/serial_reg.h>

#include <vmm/serial.h>

/* Divisor 12: 9600 baud from the 1.8432 MHz clock, what firmware leaves. */
#define SERIAL_RESET_DLL	12

static uint8_t iir_locked(const struct serial8250 *s)
{
	uint8_t fifo = (s->fcr & UART_FCR_ENABLE_FIFO) ? 0xc0 : 0;

	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return fifo | UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thri)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

static void update_irq_locked(struct serial8250 *s)
{
	int level = !(iir_locked(s) & UART_IIR_NO_INT);

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->set_irq)
			s->set_irq(s->irq_ctx, level);
	}
}

void serial_init(struct serial8250 *s, int out_fd,
		 void (*set_irq)(void *ctx, int level), void *irq_ctx)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->out_fd = out_fd;
	s->set_irq = set_irq;
	s->irq_ctx = irq_ctx;
	s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
	s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	s->mcr = UART_MCR_OUT2;
	s->dll = SERIAL_RESET_DLL;
}

void serial_destroy(struct serial8250 *s)
{
	pthread_mutex_destroy(&s->lock);
}

static void rx_push_locked(struct serial8250 *s, uint8_t c)
{
	if (s->rx_count == SERIAL_FIFO)
		return;		/* overrun: the byte is lost, as on hardware */
	s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO] = c;
	s->rx_count++;
}

static uint8_t rx_pop_locked(struct serial8250 *s)
{
	uint8_t c;

	if (!s->rx_count)
		return 0;
	c = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO;
	s->rx_count--;
	return c;
}

/* MSR as the modem lines show it; in loopback the outputs feed the inputs. */
static uint8_t msr_locked(const struct serial8250 *s)
{
	uint8_t m = 0;

	if (!(s->mcr & UART_MCR_LOOP))
		return s->msr;
	if (s->mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (s->mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (s->mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (s->mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

static void tx_locked(struct serial8250 *s, uint8_t c)
{
	if (s->mcr & UART_MCR_LOOP) {
		rx_push_locked(s, c);
	} else {
		if (s->out_fd >= 0 && write(s->out_fd, &c, 1) < 0) {
			/* Nowhere to report it; the guest's output is just lost. */
		}
		if (s->tx_bytes++ == 0 && s->on_tx)
			s->on_tx(s->tx_ctx);
	}
	s->thri = true;		/* sent at once: THR is empty again */
}

static uint8_t read_reg_locked(struct serial8250 *s, unsigned int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RX:
		if (dlab)
			return s->dll;
		return rx_pop_locked(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		v = iir_locked(s);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & UART_IIR_ID) == UART_IIR_THRI)
			s->thri = false;
		return v;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return (uint8_t)(UART_LSR_TEMT | UART_LSR_THRE | (s->rx_count ? UART_LSR_DR : 0));
	case UART_MSR:
		return msr_locked(s);
	default:
		return s->scr;
	}
}

static void write_reg_locked(struct serial8250 *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			s->dll = v;
		else
			tx_locked(s, v);
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
		} else {
			/* Enabling THRI while THR is empty raises it at once. */
			if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
				s->thri = true;
			s->ier = v & 0x0f;
		}
		break;
	case UART_FCR:
		if (v & UART_FCR_CLEAR_RCVR)
			s->rx_head = s->rx_count = 0;
		s->fcr = v & (UART_FCR_ENABLE_FIFO | 0xc0);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* read-only */
	default:
		s->scr = v;
	}
}

void serial_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
	       bool is_write)
{
	struct serial8250 *s = ctx;

	if (off >= SERIAL_NR_REGS || size == 0)
		return;
	pthread_mutex_lock(&s->lock);
	if (is_write) {
		write_reg_locked(s, (unsigned int)off, data[0]);
	} else {
		memset(data, 0, size);
		data[0] = read_reg_locked(s, (unsigned int)off);
	}
	update_irq_locked(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial_receive(struct serial8250 *s, const uint8_t *buf, size_t n)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n && s->rx_count < SERIAL_FIFO; i++)
		rx_push_locked(s, buf[i]);
	update_irq_locked(s);
	pthread_mutex_unlock(&s->lock);
	return i;
}

size_t serial_rx_room(struct serial8250 *s)
{
	size_t room;

	pthread_mutex_lock(&s->lock);
	room = SERIAL_FIFO - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return room;
}
