// SPDX-License-Identifier: MIT
/*
 * ps: the kernel threads, their state, the CPU each runs or last ran on
 * (PSR, as Linux's ps -o psr; "3*": pinned to CPU 3) and CPU time.
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/time.h>

static void ps_line(struct task_struct *t, void *data)
{
	static const char states[] = { 'R', 'S', 'Z' };
	uint64_t ns = t->runtime_ns;

	if (t == current)
		ns += clock_ns_since_boot() - t->last_ran_ns;
	kprintf("%5d %c %3u%c %6llu.%03llu %8lu %8lu %s\n", t->pid, states[t->state], t->cpu,
		t->pin_cpu >= 0 && t->pid ? '*' : ' ', (unsigned long long)(ns / NSEC_PER_SEC),
		(unsigned long long)(ns / NSEC_PER_MSEC % 1000), t->nvcsw, t->nivcsw, t->comm);
}

static int cmd_ps(int argc, char **argv)
{
	kprintf("  PID S  PSR   TIME(s)    VOLCS  INVOLCS COMMAND\n");
	for_each_task(ps_line, NULL);
	return 0;
}
SHELL_COMMAND(ps, "ps", "", "list kernel threads", cmd_ps);
