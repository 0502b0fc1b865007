/* SPDX-License-Identifier: MIT */
/* Messages from the VMM to stderr, and a rate limiter for noisy ones. */
#ifndef EBB_VMM_LOG_H
#define EBB_VMM_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_BURST		10
#define RATELIMIT_INTERVAL_NS	5000000000ULL

struct ratelimit {
	pthread_mutex_t lock;
	uint64_t window_start;	/* ns, CLOCK_MONOTONIC */
	unsigned int printed;
	unsigned long suppressed;
};

void ratelimit_init(struct ratelimit *rl);
/* Open a fresh window: the next RATELIMIT_BURST messages print. */
void ratelimit_reset(struct ratelimit *rl);
/*
 * May a message be printed at time @now_ns?  At most RATELIMIT_BURST per
 * RATELIMIT_INTERVAL_NS; when a new window opens, *@missed gets how many
 * were suppressed in the last one (else 0).
 */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ns, unsigned long *missed);

uint64_t mono_ns(void);

void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
