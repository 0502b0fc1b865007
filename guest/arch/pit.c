// SPDX-License-Identifier: MIT
/*
 * The i8254 PIT as a stopwatch for calibrating the TSC.
 *
 * Channel 0 is used by reading its counter back (latch command), not by
 * waiting on channel 2's output through port 0x61: QEMU's microvm has the
 * PIT but not the port 0x61 glue.  The channel counts down from 0xffff at
 * 1.193182 MHz; we accumulate elapsed PIT ticks across wrap-arounds for
 * about 10 ms and compare with the TSC.
 *
 * A VMM need not emulate a PIT.  A missing one reads back the same value
 * forever (all ones, typically), so the loop is bounded and the result is
 * checked for plausibility; the caller falls back to another source.
 */
#include <guest/time.h>
#include <guest/x86.h>

#define PIT_TICK_RATE	1193182		/* Hz */
#define PIT_CH0		0x40
#define PIT_MODE	0x43

#define CALIBRATE_TICKS	(PIT_TICK_RATE / 100)	/* 10 ms */

static uint16_t pit_read_ch0(void)
{
	uint8_t lo, hi;

	outb(PIT_MODE, 0x00);		/* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

int pit_calibrate_tsc_khz(uint64_t *khz)
{
	uint64_t t0, t1, elapsed = 0;
	uint16_t prev, now;
	unsigned long spins = 0, changes = 0;

	/* Channel 0, lobyte/hibyte, mode 2 (rate generator), binary, count 0xffff. */
	outb(PIT_MODE, 0x34);
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);

	prev = pit_read_ch0();
	t0 = rdtsc();
	while (elapsed < CALIBRATE_TICKS) {
		now = pit_read_ch0();
		if (now != prev) {
			/* Counting down; a rise means it reloaded at 0xffff. */
			elapsed += now < prev ? (unsigned)(prev - now) : (unsigned)(prev + 0xffff - now);
			prev = now;
			changes++;
		}
		if (++spins > 10000000)
			return -1;	/* it never moved: no PIT */
	}
	t1 = rdtsc();

	if (changes < 2)
		return -1;
	*khz = (t1 - t0) * PIT_TICK_RATE / elapsed / 1000;
	if (*khz < 100000 || *khz > 20000000)	/* 100 MHz .. 20 GHz */
		return -1;
	return 0;
}
