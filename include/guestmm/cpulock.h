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
 * bus-locked instruction: it sets owner_busy with an unlocked
 * compare-and-exchange, which nothing on this CPU can split, and checks
 * that no remote CPU is at work.  A remote CPU serializes with other remotes on
 * @lock, raises remote_busy, and calls platform_membarrier(), which makes
 * each side see the other's flag: either the owner's check comes after the
 * barrier and sees remote_busy, or its owner_busy store is visible to the
 * remote, which waits for it to clear.  This is Dekker's algorithm with
 * the expensive fence moved to the rare side; x86-TSO orders the rest.
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
	int owner_busy;
	int remote_busy;
	spinlock_t lock;	/* remote CPUs; everybody without exclusive CPUs */
};

extern bool mm_cpus_exclusive;

static inline void cpu_lock_init(struct cpu_lock *l)
{
	l->owner_busy = 0;
	l->remote_busy = 0;
	spin_lock_init(&l->lock);
}

/*
 * Test-and-set that no interrupt or preemption on this CPU can split, but
 * without the lock prefix that would make it atomic for other CPUs too:
 * an unlocked CMPXCHG is one instruction, so it happens entirely before or
 * after anything else on this CPU, and costs a few cycles instead of a
 * bus-locked operation (Linux's this_cpu_cmpxchg).  guestmm is x86-64
 * only, as its page-table entries are.
 */
static inline bool cpu_local_cmpxchg(int *p, int old, int new)
{
	int prev;

	__asm__ volatile("cmpxchgl %2, %1" : "=a"(prev), "+m"(*p) : "r"(new), "0"(old) : "memory");
	return prev == old;
}

/* The owner CPU: false if the data is busy (take the slow path). */
static inline bool cpu_lock_trylock(struct cpu_lock *l)
{
	if (!mm_cpus_exclusive)
		return spin_trylock(&l->lock);
	if (unlikely(!cpu_local_cmpxchg(&l->owner_busy, 0, 1)))
		return false;
	if (unlikely(READ_ONCE(l->remote_busy))) {
		__atomic_store_n(&l->owner_busy, 0, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

static inline void cpu_lock_unlock(struct cpu_lock *l)
{
	if (!mm_cpus_exclusive)
		spin_unlock(&l->lock);
	else
		__atomic_store_n(&l->owner_busy, 0, __ATOMIC_RELEASE);
}

/* Any CPU, including the owner in a context that may wait. */
static inline void cpu_lock_remote(struct cpu_lock *l)
{
	spin_lock(&l->lock);
	if (!mm_cpus_exclusive)
		return;
	WRITE_ONCE(l->remote_busy, 1);
	platform_membarrier();
	while (__atomic_load_n(&l->owner_busy, __ATOMIC_ACQUIRE))
		platform_cpu_relax();
}

static inline void cpu_lock_remote_unlock(struct cpu_lock *l)
{
	if (mm_cpus_exclusive)
		__atomic_store_n(&l->remote_busy, 0, __ATOMIC_RELEASE);
	spin_unlock(&l->lock);
}

#endif
