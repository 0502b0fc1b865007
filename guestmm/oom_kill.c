// SPDX-License-Identifier: MIT
/*
 * The out-of-memory killer: the allocator's last resort when reclaim and
 * compaction cannot make progress.  Before killing, it asks the OOM
 * notifiers (include/guestmm/oom.h) to give memory back.  Then it picks
 * the task whose death frees the most memory; with no killable task it
 * says so and the allocation fails.
 */
#include "internal.h"
#include <guestmm/oom.h>

static struct oom_notifier *oom_notifiers;
static spinlock_t oom_notifier_lock = SPIN_LOCK_UNLOCKED;

void register_oom_notifier(struct oom_notifier *n)
{
	spin_lock(&oom_notifier_lock);
	n->next = oom_notifiers;
	oom_notifiers = n;
	spin_unlock(&oom_notifier_lock);
}

void unregister_oom_notifier(struct oom_notifier *n)
{
	struct oom_notifier **p;

	spin_lock(&oom_notifier_lock);
	for (p = &oom_notifiers; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			break;
		}
	}
	spin_unlock(&oom_notifier_lock);
}

/* Notifiers may sleep: walk the list without the lock (they unregister only at shutdown). */
static unsigned long oom_notify(void)
{
	unsigned long freed = 0;

	for (struct oom_notifier *n = READ_ONCE(oom_notifiers); n; n = READ_ONCE(n->next))
		freed += n->notify(n);
	return freed;
}

bool out_of_memory(struct oom_control *oc)
{
	if (oom_notify())
		return true;	/* the caller retries the allocation */
	mm_printk("Out of memory: order %d, gfp %#x: no killable task", oc->order,
		  oc->gfp_mask);
	return false;
}
