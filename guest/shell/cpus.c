// SPDX-License-Identifier: MIT
/*
 * The CPUs as Linux shows them: nproc, /sys/devices/system/cpu/online
 * ("0-3"), and a /proc/cpuinfo of the fields this kernel knows (APIC ID,
 * NUMA node) plus the IPIs each CPU took (docs/smp.md).
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/smp.h>

static int cmd_nproc(int argc, char **argv)
{
	kprintf("%u\n", READ_ONCE(nr_cpus_online));
	return 0;
}
SHELL_COMMAND(nproc, "nproc", "", "the number of CPUs online", cmd_nproc);

static void show_online(struct seq_buf *s)
{
	unsigned int n = READ_ONCE(nr_cpus_online);

	if (n == 1)
		seq_printf(s, "0\n");
	else
		seq_printf(s, "0-%u\n", n - 1);
}
PROC_FILE(cpu_online, "/sys/devices/system/cpu/online", show_online, NULL);

static void show_cpuinfo(struct seq_buf *s)
{
	for (unsigned int c = 0; c < READ_ONCE(nr_cpus_online); c++) {
		const struct percpu *p = &percpu_areas[c];
		const struct task_struct *t = READ_ONCE(p->curr);

		seq_printf(s, "processor\t: %u\napicid\t\t: %u\nnode\t\t: %d\n"
			   "running\t\t: %s\nresched ipis\t: %lu\ncall ipis\t: %lu\n\n",
			   c, p->apic_id, p->node, t ? t->comm : "?", READ_ONCE(p->nr_ipis),
			   READ_ONCE(p->nr_calls));
	}
}
PROC_FILE(cpuinfo, "/proc/cpuinfo", show_cpuinfo, NULL);
