// SPDX-License-Identifier: MIT
/*
 * The console on the terminal: raw mode when stdin is a tty (restored at
 * exit), and the loop that feeds stdin to the guest's UART until the VM
 * stops.  Ctrl-A x quits, Ctrl-A Ctrl-A sends a Ctrl-A, as QEMU's -nographic.
 * SIGINT, SIGTERM and SIGHUP arrive through a signalfd and stop the VM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <vmm/vm.h>

#define CTRL_A	0x01

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

/* Feed as much of buf as the FIFO takes; returns bytes consumed. */
static size_t feed(struct vm *vm, const uint8_t *buf, size_t n)
{
	return serial_receive(&vm->com1, buf, n);
}

void term_input_loop(struct vm *vm)
{
	uint8_t buf[256];
	size_t have = 0, off = 0;
	bool in_open = true, escape = false;
	sigset_t set;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);

	while (!atomic_load(&vm->stopping)) {
		struct pollfd p[3] = {
			{ .fd = vm->stop_fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};
		/* Only read more when the last read went into the FIFO. */
		nfds_t np = (in_open && off == have) ? 3 : 2;
		int timeout = off < have ? 5 : -1;

		if (poll(p, np, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (sfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				vm_stop(vm, EBB_EXIT_SIGNAL_BASE + (int)si.ssi_signo,
					"stopped by signal %u", si.ssi_signo);
			break;
		}
		if (np == 3 && p[2].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n <= 0) {
				in_open = false;	/* EOF: the guest keeps running */
				continue;
			}
			have = (size_t)n;
			off = 0;
			if (raw) {
				/* Ctrl-A escapes, handled in place. */
				size_t w = 0;

				for (size_t i = 0; i < have; i++) {
					if (escape) {
						escape = false;
						if (buf[i] == 'x' || buf[i] == 'X') {
							vm_stop(vm, EBB_EXIT_SIGNAL_BASE + SIGINT,
								"quit from the console (Ctrl-A x)");
							goto out;
						}
						if (buf[i] != CTRL_A)
							continue;
					} else if (buf[i] == CTRL_A) {
						escape = true;
						continue;
					}
					buf[w++] = buf[i];
				}
				have = w;
			}
		}
		off += feed(vm, buf + off, have - off);
	}
out:
	if (sfd >= 0)
		close(sfd);
}
