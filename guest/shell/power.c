// SPDX-License-Identifier: MIT
/* poweroff and reboot, as on a Linux box (status per include/guest/power.h). */
#include <guest/power.h>
#include <guest/printk.h>
#include <guest/shell.h>
#include <guest/string.h>

static int cmd_poweroff(int argc, char **argv)
{
	unsigned long long status = 0;

	if (argc > 1 && (kstrtoull(argv[1], 0, &status) < 0 || status > 255)) {
		kprintf("usage: poweroff [STATUS 0-255]\n");
		return 1;
	}
	printk(KERN_NOTICE "reboot: Power down\n");
	machine_power_off((int)status);
}
SHELL_COMMAND(poweroff, "poweroff", "[STATUS]", "power off (exit status, default 0)", cmd_poweroff);

static int cmd_reboot(int argc, char **argv)
{
	printk(KERN_NOTICE "reboot: Restarting system\n");
	machine_restart();
}
SHELL_COMMAND(reboot, "reboot", "", "reset the machine", cmd_reboot);
