// SPDX-License-Identifier: MIT
/*
 * Mutexes on the scheduler's wait queues.  One CPU: testing and taking
 * the lock with interrupts off is atomic; unlock wakes every waiter and
 * each re-checks, which for the two or three tasks that ever contend is
 * cheaper to read than a hand-off.
 */
#include <guest/mutex.h>

void mutex_lock(struct mutex *m)
{
	for (;;) {
		unsigned long flags = arch_local_irq_save();

		if (!m->locked) {
			m->locked = true;
			arch_local_irq_restore(flags);
			return;
		}
		__wait_on(&m->wait, 0);
		arch_local_irq_restore(flags);
	}
}

void mutex_unlock(struct mutex *m)
{
	WRITE_ONCE(m->locked, false);
	wake_up(&m->wait);
}
