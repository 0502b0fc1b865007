// SPDX-License-Identifier: MIT
/*
 * The TSC as the kernel's clock.
 *
 * Every CPU a KVM guest runs on has an invariant TSC, so rdtsc scaled by
 * the calibrated rate is a monotonic nanosecond clock that costs a few
 * cycles to read: that is platform_clock_ns(), which guestmm calls around
 * every allocation it times.
 *
 * The rate comes from the first source that answers, most precise first:
 *   1. CPUID 0x40000010 (the hypervisor's timing leaf: EAX = TSC kHz),
 *   2. CPUID 0x15 (crystal ratio, when the crystal frequency is given),
 *   3. counting TSC cycles across a PIT interval,
 *   4. an assumed 2 GHz, with a warning, so a machine without any of the
 *      above still boots (its times are then only relative).
 */
#include <guest/printk.h>
#include <guest/time.h>
#include <guest/x86.h>

uint64_t tsc_khz;
static uint64_t tsc_boot;
/* ns = cycles * mult >> 32: no division on the clock's fast path. */
static uint64_t tsc_mult;

static uint64_t cpuid_tsc_khz(const char **source)
{
	uint32_t a, b, c, d, max_hv;

	cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 31)) {			/* running under a hypervisor */
		cpuid(0x40000000, 0, &max_hv, &b, &c, &d);
		if (max_hv >= 0x40000010) {
			cpuid(0x40000010, 0, &a, &b, &c, &d);
			if (a) {
				*source = "hypervisor CPUID leaf";
				return a;
			}
		}
	}
	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0x15) {
		cpuid(0x15, 0, &a, &b, &c, &d);
		if (a && b && c) {
			*source = "CPUID 0x15";
			return (uint64_t)c * b / a / 1000;
		}
	}
	return 0;
}

void tsc_init(void)
{
	const char *source = NULL;
	uint64_t khz = cpuid_tsc_khz(&source);

	if (!khz && pit_calibrate_tsc_khz(&khz) == 0)
		source = "PIT";
	if (!khz) {
		khz = 2000000;
		source = "nothing answered: assumed";
		pr_warn("tsc: cannot calibrate the TSC; times are relative\n");
	}
	tsc_khz = khz;
	/* mult = 10^6 / khz in 32.32 fixed point. */
	tsc_mult = (1000000ULL << 32) / khz;
	tsc_boot = rdtsc();
	pr_info("tsc: %llu.%03llu MHz (%s)\n", (unsigned long long)(khz / 1000),
		(unsigned long long)(khz % 1000), source);
}

uint64_t cycles_to_ns(uint64_t cycles)
{
	/* 128-bit product so an hours-long uptime cannot overflow. */
	return (uint64_t)(((unsigned __int128)cycles * tsc_mult) >> 32);
}

uint64_t tsc_ns_since(uint64_t t0)
{
	uint64_t now = rdtsc();

	return now > t0 ? cycles_to_ns(now - t0) : 0;
}

uint64_t clock_ns_since_boot(void)
{
	if (!tsc_mult)
		return 0;
	return cycles_to_ns(rdtsc() - tsc_boot);
}

void udelay(unsigned long usecs)
{
	uint64_t start = rdtsc();
	uint64_t cycles = (uint64_t)usecs * (tsc_khz ? tsc_khz : 2000000) / 1000;

	while (rdtsc() - start < cycles)
		cpu_relax();
}
