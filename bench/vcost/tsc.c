// SPDX-License-Identifier: MIT
/*
 * The host's TSC rate.  Under QEMU's TCG a guest's rdtsc reads the
 * host's TSC (plus an offset), so this is the rate that turns the
 * guest's cycles into time on the QEMU backend; the KVM runner uses it
 * only where KVM_GET_TSC_KHZ is missing.
 */
#include <time.h>
#include <x86intrin.h>

#include "vcost.h"

#define TSC_SPAN_NS	200000000ULL

static uint64_t raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * A (TSC, clock) pair read close together: the tightest of a few
 * tries, so that a preemption between the reads does not count.
 */
static void sample(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 16; i++) {
		uint64_t a = __rdtsc(), t = raw_ns(), b = __rdtsc();

		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = t;
		}
	}
}

uint64_t vcost_host_tsc_khz(void)
{
	struct timespec nap = { .tv_nsec = TSC_SPAN_NS };
	uint64_t tsc0, ns0, tsc1, ns1;

	sample(&tsc0, &ns0);
	nanosleep(&nap, NULL);
	sample(&tsc1, &ns1);
	if (ns1 <= ns0)
		return 0;
	return (uint64_t)((double)(tsc1 - tsc0) * 1e6 / (double)(ns1 - ns0));
}
