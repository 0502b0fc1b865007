// SPDX-License-Identifier: MIT
/*
 * sleep SECONDS: pause the shell, as a script on Linux does between
 * starting a job and looking at what it does (ebb.init has no other way
 * to wait).  Whole seconds, or milliseconds with an "ms" suffix.
 */
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/string.h>

#define SLEEP_MAX_MS	(3600 * 1000ULL)

static int cmd_sleep(int argc, char **argv)
{
	unsigned long long v, ms;
	size_t len = argc == 2 ? strlen(argv[1]) : 0;
	bool millis = len > 2 && !strcmp(argv[1] + len - 2, "ms");
	char num[24];

	if (!len || len >= sizeof(num)) {
		kprintf("usage: sleep SECONDS | MILLISECONDSms\n");
		return 1;
	}
	strlcpy(num, argv[1], millis ? len - 1 : len + 1);
	if (kstrtoull(num, 10, &v) || v > SLEEP_MAX_MS) {
		kprintf("sleep: invalid time interval '%s'\n", argv[1]);
		return 1;
	}
	ms = millis ? v : v * 1000;
	if (ms > SLEEP_MAX_MS) {
		kprintf("sleep: invalid time interval '%s'\n", argv[1]);
		return 1;
	}
	msleep((unsigned int)ms);
	return 0;
}
SHELL_COMMAND(sleep, "sleep", "SECONDS|MSms", "pause for a while", cmd_sleep);
