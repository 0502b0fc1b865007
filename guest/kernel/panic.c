// SPDX-License-Identifier: MIT
/*
 * panic(): the kernel cannot go on.  Say why, in Linux's words, and power
 * the machine off with EXIT_STATUS_PANIC so ebb (64+1) and the test
 * harnesses see a failure rather than a hang.  Interrupts go off first:
 * nothing else may run, and printk bypasses its lock from here on.
 */
#include <guest/power.h>
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/x86.h>

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	local_irq_disable();
	if (panic_in_progress)		/* panic inside panic: just stop */
		machine_power_off(EXIT_STATUS_PANIC);
	panic_in_progress = 1;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", buf);
	printk(KERN_EMERG "---[ end Kernel panic - not syncing: %s ]---\n", buf);
	machine_power_off(EXIT_STATUS_PANIC);
}
