// SPDX-License-Identifier: MIT
/*
 * The scheduler: round robin over kernel threads on every CPU, a slice of
 * one timer tick (1/HZ).  Small on purpose; what matters is that kswapd,
 * kcompactd, the shell and workloads run beside each other, on as many
 * CPUs as there are, and sleep on wait queues the way they do in Linux.
 *
 * One run queue for all CPUs (docs/smp.md): a CPU that looks for work
 * takes the first runnable task that may run on it (a task pinned to one
 * CPU, as `run --threads N` pins its copies, waits for that CPU; the rest
 * go wherever a CPU is free).  All run-queue,
 * wait-queue, timer-list and task-slot state is changed under rq_lock
 * with interrupts off.  The lock is held across the context switch and
 * released by the task switched to (finish_task_switch's caller), so no
 * other CPU can pick a task up while its registers are still being saved
 * on the CPU it leaves.  A waker queues the task and sends a reschedule
 * IPI to a CPU that idles, if one does; otherwise its own CPU switches at
 * the next preemption point.  Task structs and stacks come from a static
 * pool so that threads can be created before (and independently of) the
 * page allocator.
 */
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guestmm/errno.h>

#define STACK_CANARY	0x57ac6e5dead0fa11UL

static struct task_struct tasks[MAX_TASKS];
static bool task_used[MAX_TASKS];
static char task_stacks[MAX_TASKS][THREAD_SIZE] __attribute__((aligned(4096)));

static int rq_lock;
static struct list_head runqueue = LIST_HEAD_INIT(runqueue);
static struct list_head timer_sleepers = LIST_HEAD_INIT(timer_sleepers);
static unsigned int nr_queued;
/* Of those, the ones any CPU may take, and per CPU the ones pinned to it. */
static unsigned int nr_queued_any, nr_queued_pinned[NR_CPUS];
static uint64_t idle_cpus;		/* bit per CPU halted in cpu_idle() */
static int next_pid = 1;

#define need_resched	(this_cpu()->need_resched)
#define irq_depth	(this_cpu()->irq_depth)
#define idle_task	(this_cpu()->idle)

void __switch_to(struct task_struct *prev, struct task_struct *next);
void ret_from_kernel_thread(void);
__noreturn void kthread_entry(struct task_struct *t);

static unsigned long *stack_canary(struct task_struct *t)
{
	return (unsigned long *)t->stack;
}

static void free_task(struct task_struct *t)
{
	task_used[t - tasks] = false;
}

/* A spin that still answers function calls: the lock holder may be sending one. */
static void rq_lock_acquire(void)
{
	while (__atomic_exchange_n(&rq_lock, 1, __ATOMIC_ACQUIRE)) {
		do {
			smp_call_poll();
			cpu_relax();
		} while (__atomic_load_n(&rq_lock, __ATOMIC_RELAXED));
	}
}

static void rq_lock_release(void)
{
	__atomic_store_n(&rq_lock, 0, __ATOMIC_RELEASE);
}

unsigned long sched_lock_irqsave(void)
{
	unsigned long flags = arch_local_irq_save();

	rq_lock_acquire();
	return flags;
}

void sched_unlock_irqrestore(unsigned long flags)
{
	rq_lock_release();
	arch_local_irq_restore(flags);
}

/* A free task slot, set up as a task that has not run; with rq_lock held. */
static struct task_struct *task_alloc(const char *name)
{
	struct task_struct *t = NULL;
	int i;

	for (i = 1; i < MAX_TASKS; i++) {
		if (!task_used[i]) {
			task_used[i] = true;
			t = &tasks[i];
			break;
		}
	}
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->pid = next_pid++;
	strlcpy(t->comm, name, TASK_COMM_LEN);
	t->stack = task_stacks[i];
	*stack_canary(t) = STACK_CANARY;
	init_waitqueue_head(&t->exit_wait);
	INIT_LIST_HEAD(&t->run_list);
	INIT_LIST_HEAD(&t->wait_list);
	INIT_LIST_HEAD(&t->timer_list);
	t->pin_cpu = -1;
	t->state = TASK_RUNNING;
	return t;
}

void sched_init(void)
{
	struct task_struct *idle = &tasks[0];

	/* The boot context becomes CPU 0's idle task, on the boot stack. */
	task_used[0] = true;
	idle->pid = 0;
	strlcpy(idle->comm, "swapper/0", TASK_COMM_LEN);
	idle->state = TASK_RUNNING;
	init_waitqueue_head(&idle->exit_wait);
	INIT_LIST_HEAD(&idle->run_list);
	INIT_LIST_HEAD(&idle->wait_list);
	INIT_LIST_HEAD(&idle->timer_list);
	idle->pin_cpu = 0;
	this_cpu()->idle = this_cpu()->curr = idle;
}

struct task_struct *sched_idle_task_create(unsigned int cpu)
{
	unsigned long flags = sched_lock_irqsave();
	char name[TASK_COMM_LEN];
	struct task_struct *t;

	snprintf(name, sizeof(name), "swapper/%u", cpu);
	t = task_alloc(name);
	if (t) {
		t->pid = 0;	/* as Linux numbers every idle task */
		t->cpu = cpu;
		t->pin_cpu = (int)cpu;
	}
	sched_unlock_irqrestore(flags);
	if (!t)
		pr_err("smp: no task slot for CPU %u's idle task\n", cpu);
	return t;
}

unsigned long sched_task_stack_top(struct task_struct *t)
{
	return (unsigned long)t->stack + THREAD_SIZE - 16;
}

/* With rq_lock held: queue @t. */
static void enqueue(struct task_struct *t)
{
	list_add_tail(&t->run_list, &runqueue);
	nr_queued++;
	if (t->pin_cpu < 0)
		nr_queued_any++;
	else
		nr_queued_pinned[t->pin_cpu]++;
}

static void dequeue(struct task_struct *t)
{
	list_del_init(&t->run_list);
	nr_queued--;
	if (t->pin_cpu < 0)
		nr_queued_any--;
	else
		nr_queued_pinned[t->pin_cpu]--;
}

/* Is a task waiting that @cpu may run? */
static bool runnable_on(unsigned int cpu)
{
	return READ_ONCE(nr_queued_any) || READ_ONCE(nr_queued_pinned[cpu]);
}

/*
 * With rq_lock held, @t just queued: have a CPU that may run it do so.
 * A task pinned to another CPU: a reschedule IPI to that CPU, idle or
 * not (it preempts what runs there, as Linux's resched_curr does).  Any
 * other: an idle CPU gets the IPI, else this CPU switches at its next
 * preemption point.
 */
static void kick_cpu(const struct task_struct *t)
{
	unsigned int self = smp_processor_id();
	uint64_t idle;

	/* Pairs with cpu_idle(): it marks itself idle, then looks at the queue. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	idle = __atomic_load_n(&idle_cpus, __ATOMIC_RELAXED) & ~(1ULL << self);
	if (t->pin_cpu >= 0) {
		if ((unsigned int)t->pin_cpu == self)
			need_resched = true;
		else
			smp_send_reschedule((unsigned int)t->pin_cpu);
		return;
	}
	if (idle)
		smp_send_reschedule((unsigned int)__builtin_ctzll(idle));
	else
		need_resched = true;
}

static void wake_up_task(struct task_struct *t)
{
	if (t->state != TASK_SLEEPING)
		return;
	if (t->waiting_on) {
		list_del_init(&t->wait_list);
		t->waiting_on = NULL;
	}
	if (t->wake_at_ns) {
		list_del_init(&t->timer_list);
		t->wake_at_ns = 0;
	}
	t->state = TASK_RUNNING;
	enqueue(t);
	kick_cpu(t);
}

/* Runs first in a task that was just switched to, with rq_lock held. */
static void finish_task_switch(void)
{
	struct task_struct *prev = this_cpu()->switched_from;

	this_cpu()->switched_from = NULL;
	if (prev && prev->state == TASK_DEAD && !prev->refs)
		free_task(prev);
}

bool sched_runnable(void)
{
	return runnable_on(smp_processor_id());
}

void sched_idle_enter(void)
{
	__atomic_fetch_or(&idle_cpus, 1ULL << smp_processor_id(), __ATOMIC_SEQ_CST);
}

void sched_idle_exit(void)
{
	__atomic_fetch_and(&idle_cpus, ~(1ULL << smp_processor_id()), __ATOMIC_RELAXED);
}

/* The first queued task this CPU may run, or its idle task; rq_lock held. */
static struct task_struct *pick_next_task(unsigned int cpu)
{
	struct task_struct *t;

	if (runnable_on(cpu))
		list_for_each_entry(t, &runqueue, run_list)
			if (t->pin_cpu < 0 || (unsigned int)t->pin_cpu == cpu) {
				dequeue(t);
				return t;
			}
	return idle_task;
}

/* With rq_lock held and interrupts off; returns (on whatever CPU) with both still so. */
static void __schedule(void)
{
	struct task_struct *prev = current, *next;
	uint64_t now = clock_ns_since_boot();
	unsigned int self = smp_processor_id();

	if (prev->stack && *stack_canary(prev) != STACK_CANARY)
		panic("stack overflow in task %d (%s)", prev->pid, prev->comm);

	prev->runtime_ns += now - prev->last_ran_ns;
	if (prev->state == TASK_RUNNING && prev != idle_task) {
		enqueue(prev);
		/* Pinned elsewhere since it last ran here (sched_pin_current): wake its CPU. */
		if (prev->pin_cpu >= 0 && (unsigned int)prev->pin_cpu != self)
			kick_cpu(prev);
	}
	next = pick_next_task(self);
	need_resched = false;
	next->last_ran_ns = now;

	if (next != prev) {
		if (prev->state == TASK_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
		this_cpu()->switched_from = prev;
		this_cpu()->curr = next;
		next->cpu = self;
		/* The next task's address space (its own, or the kernel's). */
		switch_page_tables(next->cr3);
		__switch_to(prev, next);
		finish_task_switch();
	}
}

void schedule(void)
{
	unsigned long flags = sched_lock_irqsave();

	__schedule();
	sched_unlock_irqrestore(flags);
}

void yield(void)
{
	schedule();
}

void cond_resched(void)
{
	if (READ_ONCE(need_resched) && !irq_depth)
		schedule();
}

bool sched_relax_yield(void)
{
	if (irq_depth || current == idle_task || !nr_queued)
		return false;
	schedule();
	return true;
}

bool in_atomic(void)
{
	return irq_depth != 0;
}

void irq_enter(void)
{
	irq_depth++;
}

void irq_exit(void)
{
	irq_depth--;
	if (!irq_depth && need_resched)
		schedule();
}

void scheduler_tick(void)
{
	uint64_t now = clock_ns_since_boot();
	struct task_struct *t, *n;

	/* Every CPU ticks; the boot CPU's tick is the one that counts time. */
	if (smp_processor_id() == 0)
		jiffies++;
	rq_lock_acquire();
	list_for_each_entry_safe(t, n, &timer_sleepers, timer_list) {
		if (t->wake_at_ns <= now) {
			t->timed_out = true;
			wake_up_task(t);
		}
	}
	/* The slice is one tick: anyone waiting that may run here gets the CPU next. */
	if (runnable_on(smp_processor_id()))
		need_resched = true;
	rq_lock_release();
}

/* With rq_lock held and interrupts off; returns so, once woken (wake_up, the deadline). */
void __wait_on(struct wait_queue_head *wq, uint64_t deadline_ns)
{
	struct task_struct *t = current;

	if (t == idle_task)
		panic("the idle task tried to sleep");
	t->state = TASK_SLEEPING;
	t->timed_out = false;
	if (wq) {
		list_add_tail(&t->wait_list, &wq->head);
		t->waiting_on = wq;
	}
	if (deadline_ns) {
		t->wake_at_ns = deadline_ns;
		list_add_tail(&t->timer_list, &timer_sleepers);
	}
	__schedule();
}

static void __wake_up(struct wait_queue_head *wq)
{
	while (!list_empty(&wq->head))
		wake_up_task(list_first_entry(&wq->head, struct task_struct, wait_list));
}

void wake_up(struct wait_queue_head *wq)
{
	unsigned long flags = sched_lock_irqsave();

	__wake_up(wq);
	sched_unlock_irqrestore(flags);
}

void msleep(unsigned int msecs)
{
	uint64_t deadline = clock_ns_since_boot() + (uint64_t)msecs * NSEC_PER_MSEC;

	if (current == idle_task) {	/* during boot: nobody else to run */
		udelay(msecs * 1000UL);
		return;
	}
	while (clock_ns_since_boot() < deadline) {
		unsigned long flags = sched_lock_irqsave();

		__wait_on(NULL, deadline);
		sched_unlock_irqrestore(flags);
	}
}

__noreturn static void task_exit(int code)
{
	sched_lock_irqsave();
	current->exit_code = code;
	current->state = TASK_DEAD;
	__wake_up(&current->exit_wait);
	__schedule();
	panic("dead task %d scheduled again", current->pid);
}

void kthread_entry(struct task_struct *t)
{
	finish_task_switch();
	rq_lock_release();
	local_irq_enable();
	task_exit(t->fn(t->arg));
}

static struct task_struct *__kthread_run(int (*fn)(void *), void *arg, const char *name,
					 unsigned int refs, int cpu)
{
	unsigned long flags = sched_lock_irqsave();
	struct task_struct *t = task_alloc(name);
	unsigned long *sp;

	if (!t) {
		sched_unlock_irqrestore(flags);
		pr_err("kthread_run: no free task slot for %s\n", name);
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;

	/*
	 * Make the stack look as if the task had called __switch_to():
	 * six callee-saved registers (r12 = the task) under the return
	 * address.  The top is 16-byte aligned so that ret_from_kernel_thread
	 * calls C with the alignment the ABI wants.
	 */
	sp = (unsigned long *)sched_task_stack_top(t);
	*--sp = (unsigned long)ret_from_kernel_thread;
	*--sp = 0;			/* rbp */
	*--sp = 0;			/* rbx */
	*--sp = (unsigned long)t;	/* r12 */
	*--sp = 0;			/* r13 */
	*--sp = 0;			/* r14 */
	*--sp = 0;			/* r15 */
	t->rsp = (unsigned long)sp;

	t->refs = refs;
	t->pin_cpu = cpu;
	enqueue(t);
	kick_cpu(t);
	sched_unlock_irqrestore(flags);
	return t;
}

struct task_struct *kthread_run(int (*fn)(void *), void *arg, const char *name)
{
	return __kthread_run(fn, arg, name, 0, -1);
}

struct task_struct *kthread_run_held(int (*fn)(void *), void *arg, const char *name)
{
	return __kthread_run(fn, arg, name, 1, -1);
}

struct task_struct *kthread_run_held_on(int (*fn)(void *), void *arg, const char *name,
					unsigned int cpu)
{
	if (cpu >= READ_ONCE(nr_cpus_online))
		return NULL;
	return __kthread_run(fn, arg, name, 1, (int)cpu);
}

int sched_pin_current(int cpu)
{
	unsigned long flags;

	if (cpu >= (int)READ_ONCE(nr_cpus_online) || current == idle_task)
		return -EINVAL;
	flags = sched_lock_irqsave();
	current->pin_cpu = cpu < 0 ? -1 : cpu;
	/* Off to that CPU now, not at the next tick (__schedule requeues and kicks it). */
	if (cpu >= 0 && (unsigned int)cpu != smp_processor_id())
		__schedule();
	sched_unlock_irqrestore(flags);
	return 0;
}

int task_wait(struct task_struct *t)
{
	int code;
	unsigned long flags;

	wait_event(&t->exit_wait, t->state == TASK_DEAD);
	flags = sched_lock_irqsave();
	code = t->exit_code;
	/* Its CPU switched away from it before releasing rq_lock: free to go. */
	if (!--t->refs && t != current)
		free_task(t);
	sched_unlock_irqrestore(flags);
	return code;
}

void __kthread_request_stop(struct task_struct *t)
{
	WRITE_ONCE(t->should_stop, true);
	wake_up_task(t);
}

void kthread_request_stop(struct task_struct *t)
{
	unsigned long flags = sched_lock_irqsave();

	__kthread_request_stop(t);
	sched_unlock_irqrestore(flags);
}

int kthread_stop(struct task_struct *t)
{
	kthread_request_stop(t);
	return task_wait(t);
}

bool kthread_should_stop(void)
{
	return READ_ONCE(current->should_stop);
}

void for_each_task(void (*fn)(struct task_struct *t, void *data), void *data)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (task_used[i] && tasks[i].state != TASK_DEAD)
			fn(&tasks[i], data);
}

unsigned int nr_running(void)
{
	unsigned int n = READ_ONCE(nr_queued);

	for (unsigned int c = 0; c < READ_ONCE(nr_cpus_online); c++)
		if (READ_ONCE(percpu_areas[c].curr) != percpu_areas[c].idle)
			n++;
	return n;
}

/* Summed over the CPUs, as /proc/uptime's second figure is. */
uint64_t idle_time_ns(void)
{
	uint64_t now = clock_ns_since_boot(), sum = 0;

	for (unsigned int c = 0; c < READ_ONCE(nr_cpus_online); c++) {
		const struct percpu *p = &percpu_areas[c];
		const struct task_struct *idle = p->idle;

		sum += idle->runtime_ns;
		if (READ_ONCE(p->curr) == idle)
			sum += now - idle->last_ran_ns;
	}
	return sum;
}
