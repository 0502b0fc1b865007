// SPDX-License-Identifier: MIT
/* uptime and /proc/uptime: time since boot, and how much of it was idle. */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/smp.h>
#include <guest/time.h>

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ns = clock_ns_since_boot();
	unsigned long secs = (unsigned long)(ns / NSEC_PER_SEC);

	kprintf(" up %lu:%02lu:%02lu.%03lu, %u running, load: idle %llu%%\n", secs / 3600,
		secs / 60 % 60, secs % 60, (unsigned long)(ns / NSEC_PER_MSEC % 1000),
		nr_running(),
		/* idle time is summed over the CPUs, as /proc/uptime shows it */
		(unsigned long long)(ns ? idle_time_ns() * 100 / ns / nr_cpus_online : 0));
	return 0;
}
SHELL_COMMAND(uptime, "uptime", "", "time since boot", cmd_uptime);

static void show_uptime(struct seq_buf *s)
{
	uint64_t up = clock_ns_since_boot(), idle = idle_time_ns();

	seq_printf(s, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / NSEC_PER_SEC),
		   (unsigned long long)(up / 10000000 % 100), (unsigned long long)(idle / NSEC_PER_SEC),
		   (unsigned long long)(idle / 10000000 % 100));
}
PROC_FILE(uptime, "/proc/uptime", show_uptime, NULL);
