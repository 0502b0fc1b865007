/* SPDX-License-Identifier: MIT */
/*
 * Kernel threads and a small preemptive round-robin scheduler.
 *
 * Every task is a kernel thread with its own stack.  The LAPIC timer tick
 * preempts the running task when its slice (one tick) is used up and
 * another task is runnable; code that must not be switched away from
 * disables interrupts, which also keeps it on its CPU.
 * Each CPU has an idle task (the boot context on CPU 0) that halts when
 * nothing is runnable (docs/smp.md).
 *
 * Wait queues follow Linux: wait_event(wq, cond) sleeps until cond is
 * true, wake_up(wq) makes every waiter runnable to recheck it.  cond is
 * tested under the scheduler's lock with interrupts off, and wake_up()
 * takes that lock, so a wake-up from another CPU or an interrupt handler
 * between the test and the sleep cannot be lost.  cond must therefore be
 * a plain test: no lock, no sleep.
 */
#ifndef GUEST_SCHED_H
#define GUEST_SCHED_H

#include <guestmm/compiler.h>
#include <guestmm/list.h>
#include <guest/smp.h>
#include <guest/x86.h>

struct tty_output;
struct mm_anon;
struct fault_catch;

#define TASK_COMM_LEN	16
#define THREAD_SIZE	(16 * 1024)
#define MAX_TASKS	32

enum task_state {
	TASK_RUNNING,		/* running or on the run queue */
	TASK_SLEEPING,		/* on a wait queue and/or the timer list */
	TASK_DEAD,		/* returned; its slot is freed once switched away */
};

struct wait_queue_head {
	struct list_head head;
};

#define DECLARE_WAIT_QUEUE_HEAD(name) \
	struct wait_queue_head name = { LIST_HEAD_INIT(name.head) }

static inline void init_waitqueue_head(struct wait_queue_head *wq)
{
	INIT_LIST_HEAD(&wq->head);
}

struct task_struct {
	unsigned long rsp;		/* saved by __switch_to; first member (switch.S) */
	enum task_state state;
	int pid;
	char comm[TASK_COMM_LEN];
	int (*fn)(void *);
	void *arg;
	int exit_code;

	struct list_head run_list;	/* run queue */
	struct list_head wait_list;	/* a wait queue's list */
	struct wait_queue_head *waiting_on;
	struct list_head timer_list;	/* sleepers with a deadline */
	uint64_t wake_at_ns;		/* 0: no deadline */
	bool timed_out;

	struct wait_queue_head exit_wait;	/* kthread_stop / task_wait */
	bool should_stop;
	unsigned int refs;		/* holders that will read exit_code */

	struct tty_output *out;		/* kprintf's destination; NULL: console */
	void *mm_slot;			/* guestmm's (platform_current_slot) */

	/* A workload's own address space (include/guest/task_mm.h). */
	uint64_t cr3;			/* loaded while it runs; 0: the kernel's */
	struct mm_anon *mm;
	struct fault_catch *fault_catch;	/* where a bad access lands */
	unsigned long min_flt, maj_flt;	/* page faults resolved, as Linux counts */

	unsigned int cpu;		/* where it runs or last ran */
	int pin_cpu;			/* the only CPU it may run on, -1: any (rq_lock) */
	uint64_t runtime_ns;		/* CPU time used */
	uint64_t last_ran_ns;
	unsigned long nvcsw, nivcsw;	/* voluntary, involuntary switches */
	void *stack;
};

/*
 * The task running on this CPU: one load through %gs, so a migration
 * cannot fall between finding this CPU's area and reading its task.
 */
static inline struct task_struct *get_current(void)
{
	struct task_struct *t;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(offsetof(struct percpu, curr)));
	return t;
}
#define current	get_current()

void sched_init(void);
/* An AP's idle task (it starts on that task's stack), and where that stack's top is. */
struct task_struct *sched_idle_task_create(unsigned int cpu);
unsigned long sched_task_stack_top(struct task_struct *t);
/* For cpu_idle(): is a task waiting, and this CPU's idle state for wakers. */
bool sched_runnable(void);
void sched_idle_enter(void);
void sched_idle_exit(void);
/* The scheduler's lock: wait queues and their conditions (wait_event, mutexes). */
unsigned long sched_lock_irqsave(void);
void sched_unlock_irqrestore(unsigned long flags);
/* Called by the timer interrupt every tick. */
void scheduler_tick(void);

/* Create a kernel thread that starts running fn(arg) soon. */
struct task_struct *kthread_run(int (*fn)(void *), void *arg, const char *name);
/*
 * The same, holding on to the task for the caller so that its exit code
 * can be read with task_wait() (which drops the hold) even after it ends.
 */
struct task_struct *kthread_run_held(int (*fn)(void *), void *arg, const char *name);
/* A held thread that runs only on CPU @cpu; NULL if there is no such CPU or slot. */
struct task_struct *kthread_run_held_on(int (*fn)(void *), void *arg, const char *name,
					unsigned int cpu);
/*
 * Run the calling task only on CPU @cpu from now on (it moves there at
 * once), or anywhere again with -1.  0, or -EINVAL for no such CPU.
 */
int sched_pin_current(int cpu);
int task_wait(struct task_struct *t);
/* Ask a held thread to stop (kthread_should_stop() turns true), wait for it. */
int kthread_stop(struct task_struct *t);
/* Only ask: kthread_should_stop() turns true in @t, and its sleep ends. */
void kthread_request_stop(struct task_struct *t);
/* The same with the scheduler's lock held (sched_lock_irqsave). */
void __kthread_request_stop(struct task_struct *t);
bool kthread_should_stop(void);

void schedule(void);
void yield(void);
/* Yield if the tick asked for it: a preemption point in long loops. */
void cond_resched(void);
/* For platform_cpu_relax(): yield to a lock holder; false if we cannot. */
bool sched_relax_yield(void);

void msleep(unsigned int msecs);

/*
 * In an interrupt: may not sleep.  There is no preemption-off count:
 * code that must not be switched away from disables interrupts.
 */
bool in_atomic(void);
void irq_enter(void);
/* Leaving an interrupt: switch tasks if the tick asked for it. */
void irq_exit(void);

/* Wait queues: the internals wait_event() uses (under sched_lock_irqsave), and the wakers. */
void __wait_on(struct wait_queue_head *wq, uint64_t timeout_ns);
void wake_up(struct wait_queue_head *wq);

#define wait_event(wq, cond)						\
	do {								\
		for (;;) {						\
			unsigned long __flags = sched_lock_irqsave();	\
			if (cond) {					\
				sched_unlock_irqrestore(__flags);	\
				break;					\
			}						\
			__wait_on(wq, 0);				\
			sched_unlock_irqrestore(__flags);		\
		}							\
	} while (0)

/* As wait_event(), giving up after timeout_ns; true if cond became true. */
#define wait_event_timeout(wq, cond, timeout_ns)			\
	({								\
		uint64_t __deadline = clock_ns_since_boot() + (timeout_ns); \
		bool __ok;						\
		for (;;) {						\
			unsigned long __flags = sched_lock_irqsave();	\
			__ok = (cond);					\
			uint64_t __now = clock_ns_since_boot();		\
			if (__ok || __now >= __deadline) {		\
				sched_unlock_irqrestore(__flags);	\
				break;					\
			}						\
			__wait_on(wq, __deadline);			\
			sched_unlock_irqrestore(__flags);		\
		}							\
		__ok;							\
	})

/* For `ps`: call fn for every live task. */
void for_each_task(void (*fn)(struct task_struct *t, void *data), void *data);
unsigned int nr_running(void);
uint64_t idle_time_ns(void);

#endif
