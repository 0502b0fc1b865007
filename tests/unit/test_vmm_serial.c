// SPDX-License-Identifier: MIT
/* The 8250 UART model, the I/O bus and the rate limiter. */
#include <fcntl.h>
#include <linux/serial_reg.h>
#include <string.h>
#include <unistd.h>

#include <vmm/bus.h>
#include <vmm/serial.h>
#include <vmm/vm.h>

#include "unit.h"

struct irq_rec {
	int level;
	int changes;
};

static void rec_irq(void *ctx, int level)
{
	struct irq_rec *r = ctx;

	r->level = level;
	r->changes++;
}

static uint8_t rd(struct serial8250 *s, unsigned int reg)
{
	uint8_t v = 0;

	serial_io(s, reg, &v, 1, false);
	return v;
}

static void wr(struct serial8250 *s, unsigned int reg, uint8_t v)
{
	serial_io(s, reg, &v, 1, true);
}

START_TEST(transmit)
{
	struct serial8250 s;
	struct irq_rec irq = { 0, 0 };
	int p[2];
	char buf[16] = "";

	ck_assert_int_eq(pipe(p), 0);
	serial_init(&s, p[1], rec_irq, &irq);
	ck_assert_uint_eq(rd(&s, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			  UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(rd(&s, UART_IIR) & UART_IIR_NO_INT, UART_IIR_NO_INT);
	wr(&s, UART_TX, 'o');
	wr(&s, UART_TX, 'k');
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "ok");
	ck_assert_int_eq(irq.changes, 0);	/* THRI not enabled */

	/* Enabling THRI with THR empty raises it; reading IIR acknowledges. */
	wr(&s, UART_IER, UART_IER_THRI);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(&s, UART_IIR) & UART_IIR_ID, UART_IIR_THRI);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(&s, UART_IIR) & UART_IIR_NO_INT, UART_IIR_NO_INT);
	wr(&s, UART_TX, '!');
	ck_assert_int_eq(irq.level, 1);
	wr(&s, UART_IER, 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(s.tx_bytes, 3);
	serial_destroy(&s);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(receive)
{
	struct serial8250 s;
	struct irq_rec irq = { 0, 0 };
	uint8_t in[100];

	serial_init(&s, -1, rec_irq, &irq);
	ck_assert_uint_eq(rd(&s, UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(serial_receive(&s, (const uint8_t *)"ab", 2), 2);
	ck_assert_uint_eq(rd(&s, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_int_eq(irq.level, 0);			/* RDI not enabled */
	wr(&s, UART_IER, UART_IER_RDI);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(&s, UART_IIR) & UART_IIR_ID, UART_IIR_RDI);
	ck_assert_uint_eq(rd(&s, UART_RX), 'a');
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(&s, UART_RX), 'b');
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(&s, UART_LSR) & UART_LSR_DR, 0);

	/* The FIFO holds 64 bytes; the rest waits for room. */
	memset(in, 'x', sizeof(in));
	ck_assert_uint_eq(serial_receive(&s, in, sizeof(in)), SERIAL_FIFO);
	ck_assert_uint_eq(serial_rx_room(&s), 0);
	rd(&s, UART_RX);
	ck_assert_uint_eq(serial_rx_room(&s), 1);
	/* FCR clears the receive FIFO. */
	wr(&s, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	ck_assert_uint_eq(serial_rx_room(&s), SERIAL_FIFO);
	ck_assert_uint_eq(rd(&s, UART_IIR) & 0xc0, 0xc0);	/* FIFOs enabled */
	serial_destroy(&s);
}
END_TEST

START_TEST(registers)
{
	struct serial8250 s;

	serial_init(&s, -1, NULL, NULL);
	/* Scratch register. */
	wr(&s, UART_SCR, 0xa5);
	ck_assert_uint_eq(rd(&s, UART_SCR), 0xa5);
	/* Divisor latches behind DLAB, separate from THR/IER. */
	wr(&s, UART_LCR, UART_LCR_DLAB | 0x03);
	wr(&s, UART_DLL, 0x01);
	wr(&s, UART_DLM, 0x00);
	ck_assert_uint_eq(rd(&s, UART_DLL), 0x01);
	ck_assert_uint_eq(rd(&s, UART_DLM), 0x00);
	wr(&s, UART_LCR, 0x03);
	ck_assert_uint_eq(rd(&s, UART_LCR), 0x03);
	ck_assert_uint_eq(rd(&s, UART_IER), 0);
	ck_assert_uint_eq(s.tx_bytes, 0);
	/* Loopback: output comes back as input, MCR drives MSR. */
	wr(&s, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	ck_assert_uint_eq(rd(&s, UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	wr(&s, UART_TX, 'L');
	ck_assert_uint_eq(rd(&s, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(rd(&s, UART_RX), 'L');
	ck_assert_uint_eq(s.tx_bytes, 0);
	wr(&s, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	ck_assert_uint_eq(rd(&s, UART_MSR) & 0xb0, UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	/* Out-of-range offsets and wide reads are harmless. */
	{
		uint8_t w[4] = { 1, 2, 3, 4 };

		serial_io(&s, 9, w, 1, true);
		serial_io(&s, UART_LSR, w, 4, false);
		ck_assert_uint_eq(w[1], 0);
	}
	serial_destroy(&s);
}
END_TEST

struct dev_rec {
	uint64_t off;
	uint8_t val;
	int hits;
};

static void dev_fn(void *ctx, uint64_t off, uint8_t *data, unsigned int size, bool is_write)
{
	struct dev_rec *d = ctx;

	d->off = off;
	d->hits++;
	if (is_write)
		d->val = data[0];
	else
		memset(data, 0x42, size);
}

START_TEST(bus_dispatch)
{
	struct bus b;
	struct dev_rec d = { 0, 0, 0 };
	uint8_t v[4] = { 7, 0, 0, 0 };
	int null_fd = open("/dev/null", O_WRONLY);
	int saved = dup(STDERR_FILENO);

	bus_init(&b, "port");
	ck_assert_int_eq(bus_register(&b, 0x3f8, 8, dev_fn, &d, "uart"), 0);
	ck_assert_int_eq(bus_register(&b, 0x3fc, 8, dev_fn, &d, "overlap"), -1);
	ck_assert_int_eq(bus_register(&b, 0x3f0, 9, dev_fn, &d, "overlap"), -1);
	ck_assert_int_eq(bus_register(&b, 0x400, 0, dev_fn, &d, "empty"), -1);
	ck_assert_int_eq(bus_register(&b, UINT64_MAX, 2, dev_fn, &d, "wraps"), -1);
	ck_assert(bus_access(&b, 0, 0x3f9, v, 1, true));
	ck_assert_uint_eq(d.off, 1);
	ck_assert_uint_eq(d.val, 7);
	ck_assert(bus_access(&b, 0, 0x3ff, v, 2, false));
	ck_assert_uint_eq(v[0], 0x42);

	/* Unclaimed: reads give all ones, nothing is called, it is counted. */
	dup2(null_fd, STDERR_FILENO);
	for (int i = 0; i < 100; i++) {
		memset(v, 0, sizeof(v));
		ck_assert(!bus_access(&b, 0, 0x1234, v, 4, false));
		ck_assert_uint_eq(v[3], 0xff);
	}
	ck_assert(!bus_access(&b, 0, 0x400, v, 1, true));
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null_fd);
	ck_assert_int_eq(d.hits, 2);
	ck_assert_uint_eq(b.unhandled, 101);
}
END_TEST

START_TEST(ratelimit)
{
	struct ratelimit rl;
	unsigned long missed;
	int allowed = 0;
	uint64_t t = 1000;

	ratelimit_init(&rl);
	for (int i = 0; i < 100; i++)
		allowed += ratelimit_allow(&rl, t + (uint64_t)i, &missed);
	ck_assert_int_eq(allowed, RATELIMIT_BURST);
	ck_assert(ratelimit_allow(&rl, t + RATELIMIT_INTERVAL_NS, &missed));
	ck_assert_uint_eq(missed, 100 - RATELIMIT_BURST);
	ck_assert(ratelimit_allow(&rl, t + RATELIMIT_INTERVAL_NS + 1, &missed));
	ck_assert_uint_eq(missed, 0);
}
END_TEST

/*
 * The ports of PC hardware ebb has not: claimed (never counted as
 * unhandled), all ones to a read, writes dropped; the reset register at
 * 0xcf9, between PCI conf1's address and data ports, stays free for its
 * own device.
 */
START_TEST(absent_ports)
{
	static const uint16_t ports[] = { 0x2e, 0x2f, 0x4e, 0x4f, 0x70, 0x71, 0x81, 0x87, 0x8f, 0x2e9, 0x3e9,
					  0xcf8, 0xcfa, 0xcfc, 0xcff };
	struct vm *vm = calloc(1, sizeof(*vm));
	uint8_t v[4];

	ck_assert_ptr_nonnull(vm);
	bus_init(&vm->pio, "port");
	ck_assert_int_eq(absent_ports_register(vm), 0);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		memset(v, 0x5a, sizeof(v));
		ck_assert(bus_access(&vm->pio, 0, ports[i], v, 1, true));
		ck_assert(bus_access(&vm->pio, 0, ports[i], v, 1, false));
		ck_assert_uint_eq(v[0], 0xff);
	}
	memset(v, 0, sizeof(v));
	ck_assert(bus_access(&vm->pio, 0, 0xcfc, v, 4, false));	/* conf1 data: no device */
	ck_assert_uint_eq(v[0] & v[1] & v[2] & v[3], 0xff);
	ck_assert_uint_eq(vm->pio.unhandled, 0);
	ck_assert(!bus_access(&vm->pio, 0, 0xcf9, v, 1, false));
	ck_assert(!bus_access(&vm->pio, 0, 0x80, v, 1, false));
	ck_assert(!bus_access(&vm->pio, 0, 0x72, v, 1, false));
	free(vm);
}
END_TEST

static Suite *vmm_serial_suite(void)
{
	Suite *s = suite_create("vmm_serial");
	TCase *tc = tcase_create("serial");

	tcase_add_test(tc, transmit);
	tcase_add_test(tc, receive);
	tcase_add_test(tc, registers);
	tcase_add_test(tc, bus_dispatch);
	tcase_add_test(tc, ratelimit);
	tcase_add_test(tc, absent_ports);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_serial_suite)
