/* SPDX-License-Identifier: MIT */
/*
 * A lock for per-CPU data (the page allocator's per-CPU lists, the slab
 * allocator's per-CPU object arrays): nearly free for the CPU that owns
 * the data, still correct against the rare other CPU that must touch it
 * (a drain).
 *
 * When the platform promises exclusive CPUs (mm_cpus_exclusive: a CPU id
 * runs one thread of execution at a time, interleaved on that CPU only by
 * interrupts and the preemption they cause), the owner locks without a
 * bus-locked instruction: it counts owner_free down from 1 with an
 * unlocked DEC, which nothing on this CPU can split, owns the data if that
 * left 0, and checks that no remote CPU is at work.  A remote CPU
 * serializes with other remotes on @lock, raises remote_busy, and calls
 * platform_membarrier(), which makes each side see the other's flag:
 * either the owner's check comes after the barrier and sees remote_busy,
 * or its owner_free store is visible to the remote, which waits for it to
 * return to 1.  This is Dekker's algorithm with the expensive fence moved
 * to the rare side; x86-TSO orders the rest.
 *
 * Without that promise (hosted programs whose threads may share a CPU id)
 * both sides simply use @lock, the owner with trylock.
 *
 * Either way the owner only ever *tries*: an interrupt handler, or an
 * owner that finds a drain in progress, takes its slow path instead of
 * waiting, as Linux does when its pcp trylock fails.
 */
#ifndef GUESTMM_CPULOCK_H
#define GUESTMM_CPULOCK_H

#include <guestmm/platform.h>
#include <guestmm/spinlock.h>

struct cpu_lock {
	int owner_free;		/* exclusive CPUs: 1 free, below 1 held or being tried */
	int remote_busy;
	spinlock_t lock;	/* remote CPUs; everybody without exclusive CPUs */
};

extern bool mm_cpus_exclusive;

static inline void cpu_lock_init(struct cpu_lock *l)
{
	l->owner_free = 1;
	l->remote_busy = 0;
	spin_lock_init(&l->lock);
}

/*
 * Read-modify-writes that no interrupt or preemption on this CPU can
 * split, without the lock prefix that would make them atomic for other
 * CPUs too: one instruction happens entirely before or after anything
 * else on this CPU (Linux's local_t: local_dec_and_test, local_inc).
 * DEC and INC, not an unlocked CMPXCHG: they cost no more than a plain
 * load and store, where CMPXCHG adds about 1.2 ns to each lock and
 * unlock (Zen 5).  guestmm is x86-64 only, as its page-table entries are.
 */
static inline bool cpu_local_dec_and_test(int *p)
{
	bool zero;

	__asm__ volatile("decl %0" : "+m"(*p), "=@ccz"(zero) : : "memory");
	return zero;
}

static inline void cpu_local_inc(int *p)
{
	__asm__ volatile("incl %0" : "+m"(*p) : : "memory");
}

/*
 * The owner CPU: false if the data is busy (take the slow path).  A taker
 * that finds it held gives its count back at once; until it does, other
 * takers fail too, which only sends them to their slow paths.  An owner
 * therefore unlocks with INC, never by storing 1, which would lose a
 * failed taker's pending give-back.
 */
static inline bool cpu_lock_trylock(struct cpu_lock *l)
{
	if (!mm_cpus_exclusive)
		return spin_trylock(&l->lock);
	if (unlikely(!cpu_local_dec_and_test(&l->owner_free))) {
		cpu_local_inc(&l->owner_free);
		return false;
	}
	if (unlikely(READ_ONCE(l->remote_busy))) {
		cpu_local_inc(&l->owner_free);
		return false;
	}
	return true;
}

static inline void cpu_lock_unlock(struct cpu_lock *l)
{
	/* INC is a store, and x86 orders it after the critical section's accesses. */
	if (!mm_cpus_exclusive)
		spin_unlock(&l->lock);
	else
		cpu_local_inc(&l->owner_free);
}

/* Any CPU, including the owner in a context that may wait. */
static inline void cpu_lock_remote(struct cpu_lock *l)
{
	spin_lock(&l->lock);
	if (!mm_cpus_exclusive)
		return;
	WRITE_ONCE(l->remote_busy, 1);
	platform_membarrier();
	while (__atomic_load_n(&l->owner_free, __ATOMIC_ACQUIRE) != 1)
		platform_cpu_relax();
}

static inline void cpu_lock_remote_unlock(struct cpu_lock *l)
{
	if (mm_cpus_exclusive)
		__atomic_store_n(&l->remote_busy, 0, __ATOMIC_RELEASE);
	spin_unlock(&l->lock);
}

#endif
