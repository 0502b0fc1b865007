/* SPDX-License-Identifier: MIT */
/*
 * The I/O port and MMIO buses: a device claims [base, base+len) and gets
 * every access inside it.  An access no device claims is logged (rate
 * limited) and answered with all ones; it is never fatal.  Devices are
 * registered before the vCPUs start, so lookups take no lock.
 */
#ifndef EBB_VMM_BUS_H
#define EBB_VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <vmm/log.h>

#define BUS_MAX_DEVS	32

/* @off is relative to the device's base; @data holds @size bytes. */
typedef void (*bus_fn)(void *ctx, uint64_t off, uint8_t *data,
		       unsigned int size, bool is_write);

struct bus_dev {
	uint64_t base, len;
	bus_fn fn;
	void *ctx;
	const char *name;
};

struct bus {
	const char *name;		/* "port", "mmio" */
	unsigned int nr;
	struct bus_dev dev[BUS_MAX_DEVS];
	struct ratelimit rl;
	unsigned long unhandled;	/* accesses nobody claimed */
};

void bus_init(struct bus *b, const char *name);
/* 0, or -1 if full or overlapping. */
int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_fn fn,
		 void *ctx, const char *name);
/* Dispatch one access; false (and logged) if no device claimed it. */
bool bus_access(struct bus *b, unsigned int cpu, uint64_t addr, uint8_t *data,
		unsigned int size, bool is_write);

#endif
