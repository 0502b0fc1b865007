/* SPDX-License-Identifier: MIT */
/*
 * A sleeping lock for task context: what guards state that two tasks
 * (the console shell and the control channel) may reach at once and hold
 * across output, which a spinning, interrupts-off lock must not.
 */
#ifndef GUEST_MUTEX_H
#define GUEST_MUTEX_H

#include <guest/sched.h>

struct mutex {
	bool locked;
	struct wait_queue_head wait;
};

#define DEFINE_MUTEX(name) \
	struct mutex name = { false, { LIST_HEAD_INIT(name.wait.head) } }

void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
