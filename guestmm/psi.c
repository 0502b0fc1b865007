// SPDX-License-Identifier: MIT
/*
 * Memory stall accounting (include/guestmm/psi.h), after Linux's
 * kernel/sched/psi.c reduced to the memory resource and one group.
 *
 * The state changes only when a task enters or leaves a stall; at each
 * change the time since the previous one is added to "some" if any task
 * was stalled and to "full" if every running task was.  Every 2 s the
 * share of stalled time in the period just past is folded into the
 * running averages with Linux's fixed-point decay factors (1/exp(2/10),
 * 1/exp(2/60), 1/exp(2/300) in 11-bit fixed point); periods nobody
 * looked at are decayed as empty ones.
 */
#include "internal.h"
#include <guestmm/mm_task.h>
#include <guestmm/psi.h>

#define PSI_FREQ_NS	(2ULL * 1000 * 1000 * 1000)
#define FSHIFT		11
#define FIXED_1		(1UL << FSHIFT)
#define EXP_10s		1677
#define EXP_60s		1981
#define EXP_300s	2034
#define MAX_MISSED	2048	/* beyond this, every average has decayed to 0 */

enum { PSI_SOME, PSI_FULL, NR_PSI_STATES };

static const unsigned long psi_exp[3] = { EXP_10s, EXP_60s, EXP_300s };

static struct {
	spinlock_t lock;
	unsigned int nr_stalled;	/* tasks (or anonymous callers) in a stall now */
	uint64_t state_start;
	uint64_t total[NR_PSI_STATES];	/* ns */
	uint64_t avg_total[NR_PSI_STATES];
	uint64_t avg_last_update, avg_next_update;
	unsigned long avg[NR_PSI_STATES][3];	/* percent, FSHIFT fixed point */
} psi;

static unsigned long calc_load(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long newload = load * exp + active * (FIXED_1 - exp);

	if (active >= load)
		newload += FIXED_1 - 1;
	return newload / FIXED_1;
}

/* Add the time since the last change to the states that held.  Lock held. */
static void record_times(uint64_t now)
{
	uint64_t delta = now - psi.state_start;
	unsigned int running = mm_task_nr_running();

	psi.state_start = now;
	if (!psi.nr_stalled)
		return;
	psi.total[PSI_SOME] += delta;
	if (psi.nr_stalled >= max(running, 1U))
		psi.total[PSI_FULL] += delta;
}

static void update_averages(uint64_t now)
{
	uint64_t period, missed;

	if (!psi.avg_next_update) {
		psi.avg_last_update = now;
		psi.avg_next_update = now + PSI_FREQ_NS;
		return;
	}
	if (now < psi.avg_next_update)
		return;
	missed = (now - psi.avg_next_update) / PSI_FREQ_NS;
	period = now - psi.avg_last_update;
	for (int s = 0; s < NR_PSI_STATES; s++) {
		uint64_t sample = min(psi.total[s] - psi.avg_total[s], period);
		unsigned long pct = (unsigned long)(sample * 100 / period) * FIXED_1;

		psi.avg_total[s] = psi.total[s];
		for (int w = 0; w < 3; w++) {
			for (uint64_t m = 0; m < min(missed, (uint64_t)MAX_MISSED); m++)
				psi.avg[s][w] = calc_load(psi.avg[s][w], psi_exp[w], 0);
			psi.avg[s][w] = calc_load(psi.avg[s][w], psi_exp[w], pct);
		}
	}
	psi.avg_last_update = now;
	psi.avg_next_update += (missed + 1) * PSI_FREQ_NS;
}

static void psi_change(int delta)
{
	uint64_t now = platform_clock_ns();
	unsigned long flags;

	spin_lock_irqsave(&psi.lock, flags);
	record_times(now);
	update_averages(now);
	psi.nr_stalled += (unsigned int)delta;
	spin_unlock_irqrestore(&psi.lock, flags);
}

void psi_memstall_enter(unsigned long *flags)
{
	struct mm_task *t = mm_task_current();

	*flags = 0;
	if (t && t->memstall_depth++)
		return;		/* already stalled: swap-in reclaiming, say */
	if (t)
		t->memstall_start_ns = platform_clock_ns();
	psi_change(1);
	*flags = 1;
}

void psi_memstall_leave(unsigned long *flags)
{
	struct mm_task *t = mm_task_current();

	if (t)
		t->memstall_depth--;
	if (!*flags)
		return;
	if (t)
		t->memstall_ns += platform_clock_ns() - t->memstall_start_ns;
	psi_change(-1);
}

void psi_memory_read(struct psi_memory *pm)
{
	uint64_t now = platform_clock_ns();
	unsigned long flags;

	spin_lock_irqsave(&psi.lock, flags);
	record_times(now);
	update_averages(now);
	for (int w = 0; w < 3; w++) {
		/* percent in fixed point -> hundredths of a percent */
		pm->some_avg[w] = (psi.avg[PSI_SOME][w] * 100) >> FSHIFT;
		pm->full_avg[w] = (psi.avg[PSI_FULL][w] * 100) >> FSHIFT;
	}
	pm->some_total_us = psi.total[PSI_SOME] / 1000;
	pm->full_total_us = psi.total[PSI_FULL] / 1000;
	spin_unlock_irqrestore(&psi.lock, flags);
}

void report_psi_memory(struct seq_buf *s)
{
	struct psi_memory pm;

	psi_memory_read(&pm);
	seq_printf(s, "some avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu\n",
		   pm.some_avg[0] / 100, pm.some_avg[0] % 100, pm.some_avg[1] / 100,
		   pm.some_avg[1] % 100, pm.some_avg[2] / 100, pm.some_avg[2] % 100,
		   (unsigned long long)pm.some_total_us);
	seq_printf(s, "full avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu\n",
		   pm.full_avg[0] / 100, pm.full_avg[0] % 100, pm.full_avg[1] / 100,
		   pm.full_avg[1] % 100, pm.full_avg[2] / 100, pm.full_avg[2] % 100,
		   (unsigned long long)pm.full_total_us);
}
