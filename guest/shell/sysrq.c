// SPDX-License-Identifier: MIT
/*
 * /proc/sysrq-trigger: Linux's magic SysRq keys, the ones that make sense
 * here.  As in Linux, the handler's output is shown on the console even
 * under `quiet` (the log level is raised for its duration).
 *
 *   m  show memory (Mem-Info)     t  show tasks
 *   c  crash (NULL dereference)   b  reboot       o  power off
 */
#include <guest/mm.h>
#include <guest/power.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/string.h>

static char sysrq_buf[32 * 1024];

static void print_lines(struct seq_buf *s)
{
	char *line = s->buf;

	for (char *p = s->buf; p < s->buf + s->len; p++) {
		if (*p == '\n') {
			*p = '\0';
			printk(KERN_INFO "%s\n", line);
			line = p + 1;
		}
	}
}

static void sysrq_show_task(struct task_struct *t, void *data)
{
	printk(KERN_INFO "task:%-15s state:%c pid:%-5d switches:%lu/%lu\n", t->comm,
	       "RSZ"[t->state], t->pid, t->nvcsw, t->nivcsw);
}

static int write_sysrq_trigger(const char *val)
{
	int saved = console_loglevel;
	struct seq_buf s;

	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
	switch (val[0]) {
	case 'm':
		printk(KERN_INFO "sysrq: Show Memory\n");
		seq_buf_init(&s, sysrq_buf, sizeof(sysrq_buf));
		show_mem_info(&s);
		print_lines(&s);
		break;
	case 't':
		printk(KERN_INFO "sysrq: Show State\n");
		for_each_task(sysrq_show_task, NULL);
		break;
	case 'c':
		printk(KERN_INFO "sysrq: Trigger a crash\n");
		*(volatile int *)NULL = 1;	/* a NULL dereference, as Linux's sysrq-c */
		break;
	case 'b':
		printk(KERN_INFO "sysrq: Resetting\n");
		machine_restart();
	case 'o':
		printk(KERN_INFO "sysrq: Power Off\n");
		machine_power_off(EXIT_STATUS_OK);
	default:
		printk(KERN_INFO "sysrq: HELP : reboot(b) crash(c) show-memory-usage(m) "
		       "poweroff(o) show-task-states(t)\n");
		break;
	}
	console_loglevel = saved;
	return 0;
}
PROC_FILE(sysrq_trigger, "/proc/sysrq-trigger", NULL, write_sysrq_trigger);
