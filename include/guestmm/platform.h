/* SPDX-License-Identifier: MIT */
/*
 * The platform interface: everything guestmm needs from below.
 *
 * guestmm is freestanding.  It never calls libc, the host OS, KVM or a
 * device; it calls the functions declared here, and links against exactly
 * one implementation of them:
 *
 *   guest/platform.c   the micro-VM kernel on real (virtual) x86-64 hardware
 *   hosted/platform.c  POSIX threads and a host mapping that plays physical
 *                      memory, for tests, benchmarks and simulations
 *
 * The binding is made at link time, not through function pointers, so the
 * allocator's fast path pays nothing for the indirection.  Physical memory
 * itself is reached through the direct map whose base the platform hands
 * to mm_init() (struct mm_boot_params), exactly as a kernel reaches RAM.
 */
#ifndef GUESTMM_PLATFORM_H
#define GUESTMM_PLATFORM_H

#include <guestmm/compiler.h>

/* --- CPUs ------------------------------------------------------------- */

/*
 * The CPU the caller runs on, 0 .. nr_cpus-1 (nr_cpus as given in the boot
 * parameters).  Per-CPU data (page lists, slab freelists, counters) is
 * indexed by it.  It may change at any point where the caller can be
 * preempted or migrated; guestmm protects per-CPU data with a lock of its
 * own, so a stale answer costs a little contention, never correctness.
 */
unsigned int platform_cpu_id(void);

/* Spin-wait hint (PAUSE in the guest; the host may also yield). */
void platform_cpu_relax(void);

/*
 * Interrupt state.  guestmm's locks disable interrupts around their
 * critical sections so an interrupt handler that allocates cannot
 * deadlock against the code it interrupted.
 */
unsigned long platform_irq_save(void);
void platform_irq_restore(unsigned long flags);

/*
 * A full memory barrier on every CPU that runs this kernel (on the host:
 * on every thread of the process), as if each executed one now.  Only
 * the remote side of a cpu_lock pays for it (include/guestmm/cpulock.h).
 */
void platform_membarrier(void);

/* Give the CPU to another runnable task if there is one (cond_resched). */
void platform_yield(void);

/* --- Time ------------------------------------------------------------- */

/* A monotonic clock in nanoseconds. */
uint64_t platform_clock_ns(void);

/* --- Address spaces and page tables ---------------------------------- */

/*
 * An address space: the kernel's own (where vmalloc maps) or one per task
 * (anonymous memory).  The platform owns the page tables; guestmm says
 * what each virtual page maps (a pte_t, include/guestmm/pte.h) and is told
 * when an access finds nothing present, through mm_handle_fault().
 *
 * The guest platform backs these with the CPU's 4-level page tables; the
 * hosted platform with a software MMU whose accesses go through
 * hosted_access() (include/hosted/hosted.h).
 */
struct platform_as;

struct platform_as *platform_kernel_as(void);
struct platform_as *platform_as_create(void);	/* NULL if out of memory */
void platform_as_destroy(struct platform_as *as);

/* The virtual range vmalloc may use in the kernel address space. */
void platform_vmalloc_range(unsigned long *start, unsigned long *end);

/*
 * Make the page tables down to @va's entry exist, so that installing it
 * with platform_pte_xchg() needs no memory.  The tables may come from
 * reclaim, which may sleep and takes the locks of the address spaces it
 * reclaims from: call it holding no lock.  0, or -ENOMEM.
 */
int platform_pte_alloc(struct platform_as *as, unsigned long va);

/*
 * Replace the entry for page @va and return the old one.  Callers may
 * hold spinlocks, so a page-table page still missing is taken without
 * reclaim (platform_pte_alloc() beforehand is what makes room): -1 (as a
 * pte_t, all ones) means none was free and nothing changed.
 */
uint64_t platform_pte_xchg(struct platform_as *as, unsigned long va, uint64_t pte);
#define PLATFORM_PTE_NOMEM	(~0ULL)

uint64_t platform_pte_read(struct platform_as *as, unsigned long va);

/* Clear the accessed bit of a present entry; true if it was set. */
bool platform_pte_test_and_clear_young(struct platform_as *as, unsigned long va);

/* Make every CPU forget cached translations of @va. */
void platform_tlb_flush_page(struct platform_as *as, unsigned long va);

/* --- Kernel threads and wake-ups (kcompactd, kswapd) ------------------ */

/*
 * A kernel thread running fn(arg) until it returns.  NULL if it could not
 * be created.  platform_thread_stop() asks it to stop (its sleeps end and
 * platform_thread_should_stop() turns true in it), waits for fn to return
 * and gives back fn's result.
 */
struct platform_thread;

struct platform_thread *platform_thread_run(int (*fn)(void *), void *arg, const char *name);
int platform_thread_stop(struct platform_thread *t);
bool platform_thread_should_stop(void);

/*
 * A wake-up event, like a binary semaphore: platform_event_signal() sets
 * it (waking a sleeper); platform_event_wait() returns at once if it is
 * set, else sleeps until it is signalled, @timeout_ns passes (0: no
 * timeout) or the calling thread is asked to stop.  It clears the event
 * and returns true if it was signalled.  Signalling never blocks and may
 * be done from any context, so an allocation can wake a daemon.
 */
struct platform_event;

struct platform_event *platform_event_create(void);	/* NULL if out of memory */
void platform_event_destroy(struct platform_event *ev);
bool platform_event_wait(struct platform_event *ev, uint64_t timeout_ns);
void platform_event_signal(struct platform_event *ev);

/* --- Tasks ------------------------------------------------------------ */

/*
 * A pointer-sized slot in the running task (thread) that belongs to
 * guestmm: it keeps the task's memory state there (struct mm_task:
 * memory stall time, OOM victim).  NULL until guestmm sets it; kernel
 * threads and interrupts may leave it NULL.  Hosted: a thread-local
 * variable; guest: a field of the task struct.
 */
void **platform_current_slot(void);

/* --- Swap devices (swapfile.c, swap_anon.c) ------------------------------- */

/*
 * Swap area @type (0 .. MAX_SWAPFILES-1): a block device or file of page
 * slots.  platform_swap_pages() is its size in pages (0: there is none).
 * Writes put @nr pages at consecutive slots from @slot (reclaim writes a
 * batch at once, so the device sees sequential I/O); reads fill one page.
 * Both are synchronous and may sleep (never called with a spinlock held)
 * and return 0 or a negative errno: -EIO, -ENOSPC.  An error is reported
 * and handled by guestmm, never ignored.
 */
unsigned long platform_swap_pages(unsigned int type);
int platform_swap_write(unsigned int type, unsigned long slot, void *const pages[],
			unsigned int nr);
int platform_swap_read(unsigned int type, unsigned long slot, void *page);

/* --- Diagnostics ------------------------------------------------------ */

/* One line of kernel log, without the trailing newline. */
void platform_log(const char *msg, size_t len);

/* Unrecoverable inconsistency: report and stop. */
__noreturn void platform_panic(const char *msg);

#endif
