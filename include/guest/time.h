/* SPDX-License-Identifier: MIT */
/*
 * Time: the TSC is the clock (calibrated once at boot), the LAPIC timer
 * the tick that drives the scheduler (HZ per second).
 */
#ifndef GUEST_TIME_H
#define GUEST_TIME_H

#include <stdint.h>

#define HZ		100
#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_USEC	1000ULL

extern uint64_t tsc_khz;
extern volatile unsigned long jiffies;

/* Calibrate the TSC; until then the clock reads 0. */
void tsc_init(void);
/* Nanoseconds since tsc_init() (a little after the kernel started). */
uint64_t clock_ns_since_boot(void);
/* TSC cycles to nanoseconds at the calibrated rate. */
uint64_t cycles_to_ns(uint64_t cycles);
/*
 * Nanoseconds since rdtsc() read @t0, possibly on another CPU: 0 if this
 * CPU's TSC is behind that reading (the task moved to a CPU whose TSC
 * the bring-up handshake left a little behind), never a wrapped value.
 */
uint64_t tsc_ns_since(uint64_t t0);

/* Busy-wait; for drivers, not for waiting on other tasks (see msleep()). */
void udelay(unsigned long usecs);

/* The PIT (i8254), used to measure the TSC and LAPIC timer rates. */
int pit_calibrate_tsc_khz(uint64_t *khz);

#endif
