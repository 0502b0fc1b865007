// SPDX-License-Identifier: MIT
/* dmesg: the kernel log, including what `quiet` kept off the console. */
#include <guest/printk.h>
#include <guest/shell.h>

static int cmd_dmesg(int argc, char **argv)
{
	log_buf_dump();
	return 0;
}
SHELL_COMMAND(dmesg, "dmesg", "", "print the kernel log", cmd_dmesg);
