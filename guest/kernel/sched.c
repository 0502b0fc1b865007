// SPDX-License-Identifier: MIT
/*
 * The scheduler: round robin over kernel threads, one CPU, a slice of one
 * timer tick (1/HZ).  Small on purpose; what matters is that kswapd,
 * kcompactd, the shell and workloads can run beside each other and sleep
 * on wait queues, the way they do in Linux.
 *
 * All run-queue, wait-queue and timer-list state is changed with
 * interrupts off, which on one CPU is the whole locking story.  Task
 * structs and stacks come from a static pool so that threads can be
 * created before (and independently of) the page allocator.
 */
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/time.h>

#define STACK_CANARY	0x57ac6e5dead0fa11UL

struct task_struct *current;

static struct task_struct tasks[MAX_TASKS];
static bool task_used[MAX_TASKS];
static char task_stacks[MAX_TASKS][THREAD_SIZE] __attribute__((aligned(4096)));
static struct task_struct *idle_task;
static struct task_struct *switched_from;	/* for finish_task_switch() */

static struct list_head runqueue = LIST_HEAD_INIT(runqueue);
static struct list_head timer_sleepers = LIST_HEAD_INIT(timer_sleepers);
static unsigned int nr_queued;
static int next_pid = 1;
static bool need_resched;
static int preempt_count;
static int irq_depth;

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

void sched_init(void)
{
	/* The boot context becomes the idle task, on the boot stack. */
	idle_task = &tasks[0];
	task_used[0] = true;
	idle_task->pid = 0;
	strlcpy(idle_task->comm, "swapper/0", TASK_COMM_LEN);
	idle_task->state = TASK_RUNNING;
	init_waitqueue_head(&idle_task->exit_wait);
	INIT_LIST_HEAD(&idle_task->run_list);
	INIT_LIST_HEAD(&idle_task->timer_list);
	current = idle_task;
}

/* With interrupts off. */
static void enqueue(struct task_struct *t)
{
	list_add_tail(&t->run_list, &runqueue);
	nr_queued++;
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
	need_resched = true;
}

/* Runs first in a task that was just switched to. */
static void finish_task_switch(void)
{
	struct task_struct *prev = switched_from;

	switched_from = NULL;
	if (prev && prev->state == TASK_DEAD && !prev->refs)
		free_task(prev);
}

void schedule(void)
{
	unsigned long flags = arch_local_irq_save();
	struct task_struct *prev = current, *next;
	uint64_t now = clock_ns_since_boot();

	if (prev->stack && *stack_canary(prev) != STACK_CANARY)
		panic("stack overflow in task %d (%s)", prev->pid, prev->comm);

	prev->runtime_ns += now - prev->last_ran_ns;
	if (prev->state == TASK_RUNNING && prev != idle_task)
		enqueue(prev);

	if (list_empty(&runqueue)) {
		next = idle_task;
	} else {
		next = list_first_entry(&runqueue, struct task_struct, run_list);
		list_del_init(&next->run_list);
		nr_queued--;
	}
	need_resched = false;
	next->last_ran_ns = now;

	if (next != prev) {
		if (prev->state == TASK_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
		switched_from = prev;
		current = next;
		/* The next task's address space (its own, or the kernel's). */
		switch_page_tables(next->cr3);
		__switch_to(prev, next);
		finish_task_switch();
	}
	arch_local_irq_restore(flags);
}

void yield(void)
{
	schedule();
}

void cond_resched(void)
{
	if (READ_ONCE(need_resched) && !preempt_count && !irq_depth)
		schedule();
}

bool sched_relax_yield(void)
{
	if (irq_depth || preempt_count || current == idle_task || !nr_queued)
		return false;
	schedule();
	return true;
}

void preempt_disable(void)
{
	preempt_count++;
	__asm__ volatile("" : : : "memory");
}

void preempt_enable(void)
{
	__asm__ volatile("" : : : "memory");
	preempt_count--;
}

bool in_interrupt(void)
{
	return irq_depth != 0;
}

bool in_atomic(void)
{
	return irq_depth || preempt_count;
}

void irq_enter(void)
{
	irq_depth++;
}

void irq_exit(void)
{
	irq_depth--;
	if (!irq_depth && need_resched && !preempt_count)
		schedule();
}

void scheduler_tick(void)
{
	uint64_t now = clock_ns_since_boot();
	struct task_struct *t, *n;

	jiffies++;
	list_for_each_entry_safe(t, n, &timer_sleepers, timer_list) {
		if (t->wake_at_ns <= now) {
			t->timed_out = true;
			wake_up_task(t);
		}
	}
	/* The slice is one tick: anyone waiting gets the CPU next. */
	if (nr_queued)
		need_resched = true;
}

/* With interrupts off; returns once woken (by wake_up or the deadline). */
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
	schedule();
}

void wake_up(struct wait_queue_head *wq)
{
	unsigned long flags = arch_local_irq_save();

	while (!list_empty(&wq->head))
		wake_up_task(list_first_entry(&wq->head, struct task_struct, wait_list));
	arch_local_irq_restore(flags);
}

void msleep(unsigned int msecs)
{
	uint64_t deadline = clock_ns_since_boot() + (uint64_t)msecs * NSEC_PER_MSEC;

	if (current == idle_task) {	/* during boot: nobody else to run */
		udelay(msecs * 1000UL);
		return;
	}
	while (clock_ns_since_boot() < deadline) {
		unsigned long flags = arch_local_irq_save();

		__wait_on(NULL, deadline);
		arch_local_irq_restore(flags);
	}
}

__noreturn static void task_exit(int code)
{
	local_irq_disable();
	current->exit_code = code;
	current->state = TASK_DEAD;
	wake_up(&current->exit_wait);
	schedule();
	panic("dead task %d scheduled again", current->pid);
}

void kthread_entry(struct task_struct *t)
{
	finish_task_switch();
	local_irq_enable();
	task_exit(t->fn(t->arg));
}

static struct task_struct *__kthread_run(int (*fn)(void *), void *arg, const char *name,
					 unsigned int refs)
{
	unsigned long flags = arch_local_irq_save();
	struct task_struct *t = NULL;
	unsigned long *sp;
	int i;

	for (i = 1; i < MAX_TASKS; i++) {
		if (!task_used[i]) {
			task_used[i] = true;
			t = &tasks[i];
			break;
		}
	}
	if (!t) {
		arch_local_irq_restore(flags);
		pr_err("kthread_run: no free task slot for %s\n", name);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->pid = next_pid++;
	strlcpy(t->comm, name, TASK_COMM_LEN);
	t->fn = fn;
	t->arg = arg;
	t->stack = task_stacks[i];
	*stack_canary(t) = STACK_CANARY;
	init_waitqueue_head(&t->exit_wait);
	INIT_LIST_HEAD(&t->wait_list);
	INIT_LIST_HEAD(&t->timer_list);

	/*
	 * Make the stack look as if the task had called __switch_to():
	 * six callee-saved registers (r12 = the task) under the return
	 * address.  The top is 16-byte aligned so that ret_from_kernel_thread
	 * calls C with the alignment the ABI wants.
	 */
	sp = (unsigned long *)(task_stacks[i] + THREAD_SIZE - 16);
	*--sp = (unsigned long)ret_from_kernel_thread;
	*--sp = 0;			/* rbp */
	*--sp = 0;			/* rbx */
	*--sp = (unsigned long)t;	/* r12 */
	*--sp = 0;			/* r13 */
	*--sp = 0;			/* r14 */
	*--sp = 0;			/* r15 */
	t->rsp = (unsigned long)sp;

	t->refs = refs;
	t->state = TASK_RUNNING;
	enqueue(t);
	need_resched = true;
	arch_local_irq_restore(flags);
	return t;
}

struct task_struct *kthread_run(int (*fn)(void *), void *arg, const char *name)
{
	return __kthread_run(fn, arg, name, 0);
}

struct task_struct *kthread_run_held(int (*fn)(void *), void *arg, const char *name)
{
	return __kthread_run(fn, arg, name, 1);
}

void get_task(struct task_struct *t)
{
	unsigned long flags = arch_local_irq_save();

	t->refs++;
	arch_local_irq_restore(flags);
}

int task_wait(struct task_struct *t)
{
	int code;
	unsigned long flags;

	wait_event(&t->exit_wait, t->state == TASK_DEAD);
	flags = arch_local_irq_save();
	code = t->exit_code;
	if (!--t->refs && t != current)
		free_task(t);
	arch_local_irq_restore(flags);
	return code;
}

void kthread_request_stop(struct task_struct *t)
{
	unsigned long flags = arch_local_irq_save();

	WRITE_ONCE(t->should_stop, true);
	wake_up_task(t);
	arch_local_irq_restore(flags);
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
	return nr_queued + (current != idle_task);
}

uint64_t idle_time_ns(void)
{
	uint64_t t = idle_task->runtime_ns;

	if (current == idle_task)
		t += clock_ns_since_boot() - idle_task->last_ran_ns;
	return t;
}
