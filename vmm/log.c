// SPDX-License-Identifier: MIT
/* Messages to stderr, and the rate limiter for guest-triggered ones. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmm/log.h>

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void vmm_log(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	memcpy(buf, "ebb: ", 5);
	va_start(ap, fmt);
	n = vsnprintf(buf + 5, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += 5;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write, so lines from several threads do not interleave. */
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}

void ratelimit_init(struct ratelimit *rl)
{
	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
}

void ratelimit_reset(struct ratelimit *rl)
{
	pthread_mutex_lock(&rl->lock);
	rl->printed = 0;
	rl->suppressed = 0;
	pthread_mutex_unlock(&rl->lock);
}

bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ns, unsigned long *missed)
{
	bool ok;

	*missed = 0;
	pthread_mutex_lock(&rl->lock);
	if (rl->printed == 0 || now_ns - rl->window_start >= RATELIMIT_INTERVAL_NS) {
		*missed = rl->suppressed;
		rl->suppressed = 0;
		rl->printed = 0;
		rl->window_start = now_ns;
	}
	ok = rl->printed < RATELIMIT_BURST;
	if (ok)
		rl->printed++;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
