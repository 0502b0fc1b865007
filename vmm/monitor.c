// SPDX-License-Identifier: MIT
/*
 * The monitor's event loop (include/vmm/monitor.h): one poll() over the
 * VM's end, stop signals, the terminal, the guest's console and control
 * channel, the control socket and its clients.  It never blocks on the
 * guest: input the guest's UART cannot take yet is retried on a short
 * timer, so a guest that stops reading never stalls the loop.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <vmm/fault_inject.h>
#include <vmm/log.h>
#include <vmm/monitor.h>
#include <vmm/seccomp.h>
#include <vmm/vm.h>

#define CTRL_A		0x01
#define RETRY_MS	5

/* Indices of the fixed poll entries; clients follow. */
enum { P_END, P_SIG, P_CONSOLE, P_CHAN, P_LISTEN, P_EXTRA, P_STDIN, P_FIXED };

static void console_out(struct monitor *m)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = read(m->be->console_fd, buf, sizeof(buf))) > 0) {
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0) {
			/* A closed terminal: the guest runs on, unseen. */
		}
		ctl_console_broadcast(m, buf, (size_t)n);
	}
	/* End of stream (QEMU going away): stop polling it; end_fd follows. */
	if (n == 0)
		m->console_eof = true;
}

static void chan_in(struct monitor *m)
{
	uint8_t buf[4096];
	ssize_t n;

	/* An injected mute (control:mute) loses what the guest says, as a dead guest would. */
	while ((n = read(m->be->chan_fd, buf, sizeof(buf))) > 0)
		if (!fault_should_fail(FAULT_CONTROL_MUTE, (uint64_t)n))
			chan_input(&m->chan, buf, (size_t)n);
	if (n == 0)
		m->chan_eof = true;
}

/* Push what is queued for the guest; true if something is still waiting. */
static bool flush_to_guest(struct monitor *m)
{
	uint8_t buf[512];

	if (m->to_console_off < m->to_console_len)
		m->to_console_off += m->be->console_write(m->be->ctx,
			m->to_console + m->to_console_off, m->to_console_len - m->to_console_off);
	while (chan_has_output(&m->chan)) {
		size_t n = chan_output(&m->chan, buf, sizeof(buf));
		size_t w = m->be->chan_write(m->be->ctx, buf, n);

		chan_output_consumed(&m->chan, w);
		if (w < n)
			break;
	}
	return m->to_console_off < m->to_console_len || chan_has_output(&m->chan);
}

/* Terminal input: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A (as QEMU -nographic). */
static void stdin_in(struct monitor *m)
{
	uint8_t buf[sizeof(m->to_console)];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n <= 0) {
		m->stdin_open = false;	/* EOF: the guest keeps running */
		return;
	}
	m->to_console_off = m->to_console_len = 0;
	for (ssize_t i = 0; i < n; i++) {
		if (m->escape) {
			m->escape = false;
			if (buf[i] == 'x' || buf[i] == 'X') {
				monitor_quit(m, EBB_EXIT_SIGNAL_BASE + SIGINT,
					     "quit from the console (Ctrl-A x)");
				return;
			}
			if (buf[i] != CTRL_A)
				continue;
		} else if (buf[i] == CTRL_A && isatty(STDIN_FILENO)) {
			m->escape = true;
			continue;
		}
		m->to_console[m->to_console_len++] = buf[i];
	}
}

static void signal_in(struct monitor *m, int sfd)
{
	struct signalfd_siginfo si;
	char why[64];

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return;
	snprintf(why, sizeof(why), "stopped by signal %u", si.ssi_signo);
	monitor_quit(m, EBB_EXIT_SIGNAL_BASE + (int)si.ssi_signo, why);
}

void monitor_quit(struct monitor *m, int status, const char *why)
{
	if (m->quit_ns)
		return;
	m->quit_ns = mono_ns();
	m->be->quit(m->be->ctx, status, why);
}

/* ms until the next timed event: a request deadline or the quit grace. */
static int next_timeout(struct monitor *m, bool backlog)
{
	uint64_t now = mono_ns(), next = chan_expire(&m->chan, now);

	if (m->quit_ns && m->be->kill) {
		uint64_t due = m->quit_ns + MONITOR_QUIT_GRACE_NS;

		if (now >= due) {
			vmm_log("the VM did not end within %llu s of quit: forcing it",
				MONITOR_QUIT_GRACE_NS / 1000000000ULL);
			m->be->kill(m->be->ctx);
			m->quit_ns = now;	/* and again later, should that not do */
			due = now + MONITOR_QUIT_GRACE_NS;
		}
		if (due - now < next)
			next = due - now;
	}
	if (backlog)
		return RETRY_MS;
	return next == UINT64_MAX ? -1 : (int)(next / 1000000 + 1);
}

void monitor_run(struct monitor *m, const struct monitor_backend *be)
{
	struct pollfd p[P_FIXED + MONITOR_MAX_CLIENTS];
	sigset_t set;
	int sfd;

	m->be = be;
	m->t_start = mono_ns();
	m->stdin_open = true;
	chan_init(&m->chan);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	/*
	 * The VM is built and its threads run: the main thread keeps the
	 * monitor's allow-list to the end (the teardown included).  The QEMU
	 * backend's list differs (QMP's epoll, signalling and reaping QEMU).
	 */
	seccomp_thread_enter(strcmp(be->name, "qemu") ? SECCOMP_THREAD_MONITOR_KVM :
			     SECCOMP_THREAD_MONITOR_QEMU, "monitor");

	for (;;) {
		bool backlog = flush_to_guest(m);
		bool room = m->to_console_off == m->to_console_len;
		int timeout = next_timeout(m, backlog);

		p[P_END] = (struct pollfd){ .fd = be->end_fd, .events = POLLIN };
		p[P_SIG] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[P_CONSOLE] = (struct pollfd){ .fd = m->console_eof ? -1 : be->console_fd,
						.events = POLLIN };
		p[P_CHAN] = (struct pollfd){ .fd = m->chan_eof ? -1 : be->chan_fd, .events = POLLIN };
		p[P_LISTEN] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
		p[P_EXTRA] = (struct pollfd){ .fd = be->extra_fd, .events = POLLIN };
		/* Read input only when the last of it reached the guest. */
		p[P_STDIN] = (struct pollfd){ .fd = m->stdin_open && room ? STDIN_FILENO : -1,
					      .events = POLLIN };
		for (int i = 0; i < MONITOR_MAX_CLIENTS; i++) {
			const struct ctl_client *c = &m->client[i];

			p[P_FIXED + i] = (struct pollfd){
				.fd = c->fd >= 0 && (!c->console || room) ? c->fd : -1,
				.events = POLLIN };
		}
		if (poll(p, P_FIXED + MONITOR_MAX_CLIENTS, timeout) < 0 && errno != EINTR)
			break;
		if (p[P_CONSOLE].revents)
			console_out(m);
		if (p[P_END].revents)
			break;
		if (p[P_SIG].revents)
			signal_in(m, sfd);
		if (p[P_CHAN].revents)
			chan_in(m);
		if (p[P_EXTRA].revents && be->extra_ready)
			be->extra_ready(be->ctx);
		if (p[P_LISTEN].revents)
			ctl_accept(m);
		if (p[P_STDIN].revents)
			stdin_in(m);
		for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
			if (p[P_FIXED + i].revents && m->client[i].fd >= 0)
				ctl_client_input(m, i);
	}
	/* The VM ended: what it printed last still goes out. */
	if (!m->console_eof)
		console_out(m);
	chan_destroy(&m->chan);
	for (int i = 0; i < MONITOR_MAX_CLIENTS; i++)
		ctl_client_close(m, i);
	monitor_unlisten(m);
	if (sfd >= 0)
		close(sfd);
}
