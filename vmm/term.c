// SPDX-License-Identifier: MIT
/*
 * The terminal in raw mode when stdin is a tty, restored at exit.  The
 * monitor (vmm/monitor.c) reads it; `ebb console` (vmm/control/cli_commands.c) uses it too.
 */
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <vmm/vm.h>

static struct termios saved;
static int raw;

void term_raw_leave(void)
{
	if (raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw = 0;
	}
}

void term_raw_enter(void)
{
	struct termios t;

	if (raw || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	t = saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR;	/* keep our own messages readable */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		raw = 1;
		atexit(term_raw_leave);
	}
}
