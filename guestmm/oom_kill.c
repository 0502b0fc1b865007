// SPDX-License-Identifier: MIT
/*
 * The out-of-memory killer: the allocator's last resort when reclaim and
 * compaction cannot make progress, as Linux's mm/oom_kill.c.
 *
 * It chooses the registered task (mm_task.h) whose death frees the most
 * memory, by badness = resident pages + swap entries, tells its owner
 * (kill callback), and reaps its memory at once (the oom_reaper's job):
 * the address space is marked dying, so no page comes back, and every
 * region is emptied, pages and swap slots alike.  One victim per OOM:
 * concurrent callers wait for the one in progress and retry their
 * allocations, which the freed memory serves.  With no killable task it
 * says so and the allocation fails.
 *
 * Before choosing anybody, the OOM notifiers (oom.h: the balloon's
 * deflate-on-OOM) may give memory back; if they free anything, nobody
 * dies.
 */
#include "internal.h"
#include <guestmm/anon.h>
#include <guestmm/mm_task.h>
#include <guestmm/oom.h>

static struct oom_notifier *oom_notifiers;
static spinlock_t oom_notify_lock = SPIN_LOCK_UNLOCKED;
static struct oom_notifier *oom_notifying;	/* being called right now */

/* An OOM kill in progress (Linux's oom_lock, without sleeping on it). */
static bool oom_in_progress;

struct oom_choice {
	struct mm_task *victim;
	unsigned long points;
};

static unsigned long oom_badness(const struct mm_task *t)
{
	return READ_ONCE(t->mm->rss) + READ_ONCE(t->mm->swapents);
}

/* Under the registry lock: the worst task so far; the chosen one is marked and held. */
static int select_bad_process(struct mm_task *t, void *arg)
{
	struct oom_choice *oc = arg;
	unsigned long points;

	if (!t->mm || t->oom_killed)
		return 0;
	points = oom_badness(t);
	if (!oc->victim || points > oc->points) {
		oc->victim = t;
		oc->points = points;
	}
	return 0;
}

static int mark_victim(struct mm_task *t, void *arg)
{
	if (t != arg)
		return 0;
	mm_task_mark_killed(t);
	/* Registered means its mm is alive; this hold keeps it so while we reap. */
	__atomic_add_fetch(&t->mm->refs, 1, __ATOMIC_RELAXED);
	return 1;
}

/* Free everything the victim's address space holds (Linux's oom_reaper). */
static void oom_reap(struct mm_anon *mm)
{
	struct anon_region regions[ANON_MAX_REGIONS];
	unsigned int nr;
	unsigned long flags;

	spin_lock_irqsave(&mm->lock, flags);
	WRITE_ONCE(mm->dying, true);
	nr = mm->nr_regions;
	memcpy(regions, mm->regions, nr * sizeof(regions[0]));
	spin_unlock_irqrestore(&mm->lock, flags);
	for (unsigned int i = 0; i < nr; i++)
		anon_discard(mm, regions[i].start, regions[i].end - regions[i].start);
}

void register_oom_notifier(struct oom_notifier *n)
{
	unsigned long flags;

	spin_lock_irqsave(&oom_notify_lock, flags);
	n->next = oom_notifiers;
	oom_notifiers = n;
	spin_unlock_irqrestore(&oom_notify_lock, flags);
}

void unregister_oom_notifier(struct oom_notifier *n)
{
	struct oom_notifier **pp;
	unsigned long flags;

	spin_lock_irqsave(&oom_notify_lock, flags);
	for (pp = &oom_notifiers; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	spin_unlock_irqrestore(&oom_notify_lock, flags);
	/* The caller frees @n next: wait out a call in progress. */
	while (READ_ONCE(oom_notifying) == n)
		platform_yield();
}

/* Call every notifier, unlocked (they may sleep); returns pages freed. */
static unsigned long oom_notify(void)
{
	unsigned long freed = 0, flags;
	struct oom_notifier *n;

	spin_lock_irqsave(&oom_notify_lock, flags);
	n = oom_notifiers;
	while (n) {
		WRITE_ONCE(oom_notifying, n);
		spin_unlock_irqrestore(&oom_notify_lock, flags);
		freed += n->notify(n);
		spin_lock_irqsave(&oom_notify_lock, flags);
		n = n->next;		/* read before unregister may free it */
		WRITE_ONCE(oom_notifying, NULL);
	}
	spin_unlock_irqrestore(&oom_notify_lock, flags);
	return freed;
}

bool out_of_memory(struct oom_control *oc)
{
	struct oom_choice choice;
	struct mm_anon *mm;

	/* Somebody is killing already: their victim's memory is on its way. */
	if (__atomic_exchange_n(&oom_in_progress, true, __ATOMIC_ACQUIRE)) {
		platform_yield();
		return true;
	}
	if (oom_notify()) {
		__atomic_store_n(&oom_in_progress, false, __ATOMIC_RELEASE);
		return true;
	}
	for (;;) {
		choice = (struct oom_choice){ 0 };
		mm_task_for_each(select_bad_process, &choice);
		if (!choice.victim)
			break;
		/* Still registered?  It may have exited since we looked. */
		if (mm_task_for_each(mark_victim, choice.victim))
			break;
	}
	if (!choice.victim) {
		__atomic_store_n(&oom_in_progress, false, __ATOMIC_RELEASE);
		mm_printk("Out of memory: order %d, gfp %#x: no killable task", oc->order,
			  oc->gfp_mask);
		return false;
	}
	mm = choice.victim->mm;
	count_vm_event(OOM_KILL);
	mm_printk("Out of memory: Killed process %d (%s) anon-rss:%lukB swap:%lukB, order %d, gfp %#x",
		  choice.victim->pid, choice.victim->name, READ_ONCE(mm->rss) << (PAGE_SHIFT - 10),
		  READ_ONCE(mm->swapents) << (PAGE_SHIFT - 10), oc->order, oc->gfp_mask);
	/* Tell the owner first, like SIGKILL: its accesses fail from here on. */
	if (choice.victim->kill)
		choice.victim->kill(choice.victim);
	oom_reap(mm);
	anon_mm_put(mm);
	__atomic_store_n(&oom_in_progress, false, __ATOMIC_RELEASE);
	return true;
}
