// SPDX-License-Identifier: MIT
/*
 * Mutexes on the scheduler's wait queues.  The test and the take happen
 * under the scheduler's lock, which every CPU's waiters and wakers share;
 * unlock wakes every waiter and each re-checks, which for the two or three
 * tasks that ever contend is cheaper to read than a hand-off.
 */
#include <guest/mutex.h>

void mutex_lock(struct mutex *m)
{
	for (;;) {
		unsigned long flags = sched_lock_irqsave();

		if (!m->locked) {
			m->locked = true;
			sched_unlock_irqrestore(flags);
			return;
		}
		__wait_on(&m->wait, 0);
		sched_unlock_irqrestore(flags);
	}
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags = sched_lock_irqsave();

	m->locked = false;
	sched_unlock_irqrestore(flags);
	wake_up(&m->wait);
}
