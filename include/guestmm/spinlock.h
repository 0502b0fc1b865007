/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks, built on the compiler's atomics so the same object code
 * works in the guest kernel and on the host.  The _irqsave forms also
 * keep interrupt handlers out (platform_irq_save), as the kernel's do.
 */
#ifndef GUESTMM_SPINLOCK_H
#define GUESTMM_SPINLOCK_H

#include <guestmm/compiler.h>
#include <guestmm/platform.h>

typedef struct {
	int locked;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED { 0 }

static inline void spin_lock_init(spinlock_t *l)
{
	l->locked = 0;
}

static inline bool spin_trylock(spinlock_t *l)
{
	return !__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(spinlock_t *l)
{
	while (unlikely(!spin_trylock(l))) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			platform_cpu_relax();
	}
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

#define spin_lock_irqsave(l, flags)			\
	do {						\
		(flags) = platform_irq_save();		\
		spin_lock(l);				\
	} while (0)

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	platform_irq_restore(flags);
}

#endif
