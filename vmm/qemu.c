// SPDX-License-Identifier: MIT
/*
 * The QEMU backend (include/vmm/qemu.h).  QEMU's exit status is mapped to
 * ebb's (docs/CONVENTIONS.md): isa-debug-exit makes QEMU exit with
 * (status << 1) | 1, so an odd code is the guest's power-off status; a
 * SHUTDOWN event with reason "guest-reset" is a reset (-no-reboot turns
 * resets, triple faults included, into an exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include <vmm/boot.h>
#include <vmm/e820.h>
#include <vmm/layout.h>
#include <vmm/log.h>
#include <vmm/monitor.h>
#include <vmm/qemu.h>
#include <vmm/qemu_balloon.h>
#include <vmm/qmp.h>
#include <vmm/run.h>
#include <vmm/swapfile.h>
#include <vmm/vm.h>

#define QEMU_START_TIMEOUT_MS	30000

/* The sockets QEMU connects to. */
enum { Q_CON, Q_CTL, Q_QMP, Q_NR };
static const char *const sock_names[Q_NR] = { "console.sock", "control.sock", "qmp.sock" };

struct qemu {
	char dir[RUNTIME_PATH_MAX];	/* private: the guest image and the sockets */
	char elf[RUNTIME_PATH_MAX + 16];
	char sock[Q_NR][RUNTIME_PATH_MAX];
	int listen_fd[Q_NR], fd[Q_NR];
	pid_t pid;
	int pidfd;
	int quit_status;		/* -1, or what quit() asked for */
	bool reset;			/* SHUTDOWN reason guest-reset */
	struct qmp qmp;			/* owns fd[Q_QMP] once QEMU is up */
	/* The monitor's extra fd: an epoll set of QMP and the balloon's tick. */
	int epoll_fd, timer_fd;
	bool has_balloon;
	struct qemu_balloon balloon;
	struct monitor mon;
};

static int sock_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* QEMU option values double their commas. */
static void qemu_escape(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 2 < len; src++) {
		if (*src == ',')
			dst[n++] = ',';
		dst[n++] = *src;
	}
	dst[n] = '\0';
}

static size_t sock_write(int fd, const uint8_t *buf, size_t n)
{
	ssize_t w = send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);

	return w > 0 ? (size_t)w : 0;
}

static size_t q_console_write(void *ctx, const uint8_t *buf, size_t n)
{
	return sock_write(((struct qemu *)ctx)->fd[Q_CON], buf, n);
}

static size_t q_chan_write(void *ctx, const uint8_t *buf, size_t n)
{
	return sock_write(((struct qemu *)ctx)->fd[Q_CTL], buf, n);
}

static void q_quit(void *ctx, int status, const char *why)
{
	struct qemu *q = ctx;

	if (q->quit_status >= 0)
		return;
	q->quit_status = status;
	vmm_log("%s", why);
	if (qmp_execute(&q->qmp, "quit", NULL, NULL, NULL))
		kill(q->pid, SIGTERM);
}

static void q_kill(void *ctx)
{
	struct qemu *q = ctx;

	kill(q->pid, SIGKILL);
}

/* QMP events: a SHUTDOWN's reason tells a reset from a power-off. */
static void q_qmp_event(void *ctx, const char *name, json_t *data)
{
	struct qemu *q = ctx;
	const char *reason = json_string_value(json_object_get(data, "reason"));

	if (!strcmp(name, "SHUTDOWN") && reason && !strcmp(reason, "guest-reset"))
		q->reset = true;
	if (q->has_balloon)
		qemu_balloon_event(&q->balloon, name, data);
}

/* QMP has something to say, or the balloon's tick is due. */
static void q_extra_ready(void *ctx)
{
	struct qemu *q = ctx;
	struct epoll_event ev[2];
	int n = epoll_wait(q->epoll_fd, ev, 2, 0);
	uint64_t ticks;

	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd == q->timer_fd) {
			if (read(q->timer_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
				qemu_balloon_tick(&q->balloon);
		} else if (qmp_read(&q->qmp)) {
			/* QEMU is going (the pidfd says when); a closed fd leaves the set. */
		}
	}
}

static int q_balloon_set(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen)
{
	return qemu_balloon_set(&((struct qemu *)ctx)->balloon, bytes, who, err, errlen);
}

static void q_balloon_query(void *ctx, json_t *into)
{
	qemu_balloon_query(&((struct qemu *)ctx)->balloon, into);
}

/* The monitor watches one extra fd: an epoll set of QMP and, with a balloon, its tick. */
static int extra_fd_init(struct qemu *q)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = q->qmp.fd };
	struct itimerspec tick = {
		.it_interval = { .tv_sec = QEMU_BALLOON_TICK_MS / 1000 },
		.it_value = { .tv_sec = QEMU_BALLOON_TICK_MS / 1000 },
	};

	q->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (q->epoll_fd < 0 || epoll_ctl(q->epoll_fd, EPOLL_CTL_ADD, q->qmp.fd, &ev))
		return -1;
	if (!q->has_balloon)
		return 0;
	q->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ev.data.fd = q->timer_fd;
	if (q->timer_fd < 0 || timerfd_settime(q->timer_fd, 0, &tick, NULL) ||
	    epoll_ctl(q->epoll_fd, EPOLL_CTL_ADD, q->timer_fd, &ev))
		return -1;
	return 0;
}

static void q_status(void *ctx, json_t *into)
{
	struct qemu *q = ctx;

	json_object_set_new(into, "pid", json_integer(getpid()));
	json_object_set_new(into, "qemu_pid", json_integer(q->pid));
	json_object_set_new(into, "accel", json_string("tcg"));
}

/* Wait for QEMU to connect to each socket, or to die trying.  0 or -1. */
static int accept_all(struct qemu *q)
{
	uint64_t deadline = mono_ns() + QEMU_START_TIMEOUT_MS * 1000000ULL;

	for (int i = 0; i < Q_NR; i++) {
		struct pollfd p[2] = {
			{ .fd = q->listen_fd[i], .events = POLLIN },
			{ .fd = q->pidfd, .events = POLLIN },
		};
		uint64_t now = mono_ns();

		if (now >= deadline ||
		    poll(p, 2, (int)((deadline - now) / 1000000)) <= 0 || p[1].revents || !p[0].revents)
			return -1;
		q->fd[i] = accept4(q->listen_fd[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (q->fd[i] < 0)
			return -1;
	}
	return 0;
}

static int write_image(const char *path, const void *kernel, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	const char *p = kernel;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

/* Map QEMU's end to ebb's exit status. */
static int exit_status(struct qemu *q, int wst)
{
	if (q->quit_status >= 0)
		return q->quit_status;
	if (WIFSIGNALED(wst)) {
		vmm_log("QEMU was killed by signal %d", WTERMSIG(wst));
		return EBB_EXIT_INTERNAL;
	}
	if (q->reset) {
		vmm_log("guest requested reset (or triple-faulted: QEMU cannot tell them apart)");
		return EBB_EXIT_RESET;
	}
	if (WEXITSTATUS(wst) & 1) {
		int guest = WEXITSTATUS(wst) >> 1;

		if (guest)
			vmm_log("guest powered off with status %d", guest);
		return guest ? EBB_EXIT_GUEST_BASE + guest : EBB_EXIT_OK;
	}
	if (WEXITSTATUS(wst) == 0)
		return EBB_EXIT_OK;
	vmm_log("QEMU exited with status %d", WEXITSTATUS(wst));
	return EBB_EXIT_INTERNAL;
}

bool qemu_available(char *why, size_t len)
{
	const char *bin = getenv("EBB_QEMU") ?: EBB_QEMU_DEFAULT;
	const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
	char full[EBB_PATH_MAX];

	if (strchr(bin, '/')) {
		if (access(bin, X_OK) == 0)
			return true;
		snprintf(why, len, "%s: %s", bin, strerror(errno));
		return false;
	}
	for (const char *p = path; *p; ) {
		size_t n = strcspn(p, ":");

		snprintf(full, sizeof(full), "%.*s/%s", (int)n, p, bin);
		if (n && access(full, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	snprintf(why, len, "no %s on $PATH; apt-get install qemu-system-x86, or set $EBB_QEMU",
		 bin);
	return false;
}

/*
 * microvm's virtio-mmio transports when it writes ACPI tables and has one
 * IOAPIC (ioapic2=off): 8 of 512 bytes from 0xfeb00000 on GSIs 16-23, the
 * devices taking them from the last one down, in command-line order.  It
 * then announces them only in its DSDT, which ebb's own guest does not
 * read, so ebb writes them on the command line as microvm does without
 * ACPI (where they sit on IRQs 5-12 instead).
 */
#define MICROVM_VIRTIO_BASE	0xfeb00000u
#define MICROVM_VIRTIO_SIZE	512u
#define MICROVM_VIRTIO_SLOTS	8u
#define MICROVM_VIRTIO_GSI_ACPI	16u

/* QEMU's argument vector; the strings it points into live here. */
struct qemu_cmd {
	const char *argv[64];
	char cmdline[EBB_CMDLINE_MAX + 128];
	char mem[32], smp[16], drive[2 * EBB_PATH_MAX + 64];
	char chardev[Q_NR][RUNTIME_PATH_MAX + 48];
	char balloon[160], esc[2 * EBB_PATH_MAX];
};

static struct qemu *qemu_alloc(const struct ebb_options *o)
{
	struct qemu *q = calloc(1, sizeof(*q));

	if (!q) {
		vmm_log("out of memory");
		return NULL;
	}
	q->pid = -1;
	q->pidfd = -1;
	q->quit_status = -1;
	q->epoll_fd = q->timer_fd = -1;
	qmp_init(&q->qmp, -1, NULL, NULL);
	q->has_balloon = o->balloon;
	q->mon.listen_fd = -1;
	for (int i = 0; i < Q_NR; i++)
		q->listen_fd[i] = q->fd[i] = -1;
	return q;
}

/* The private directory: the guest image and QEMU's sockets, listening.  0, or -1, said. */
static int qemu_prepare_dir(struct qemu *q, const struct ebb_options *o,
			    const struct boot_files *files)
{
	char dir[RUNTIME_PATH_MAX];

	if (runtime_dir(dir, sizeof(dir)) ||
	    snprintf(q->dir, sizeof(q->dir), "%s/%s.qemu.XXXXXX", dir, o->name) >= (int)sizeof(q->dir) ||
	    !mkdtemp(q->dir)) {
		vmm_log("cannot make a directory for QEMU's sockets under %s: %s", dir, strerror(errno));
		q->dir[0] = '\0';
		return -1;
	}
	snprintf(q->elf, sizeof(q->elf), "%s/guest.elf", q->dir);
	if (write_image(q->elf, files->kernel, files->kernel_len)) {
		vmm_log("writing the guest image to %s: %s", q->elf, strerror(errno));
		return -1;
	}
	for (int i = 0; i < Q_NR; i++)
		if (snprintf(q->sock[i], sizeof(q->sock[i]), "%s/%s", q->dir, sock_names[i]) >=
		    (int)sizeof(q->sock[i]) || (q->listen_fd[i] = sock_listen(q->sock[i])) < 0) {
			vmm_log("socket %s: %s", q->sock[i], strerror(errno));
			return -1;
		}
	return 0;
}

/*
 * @cmdline, plus where microvm put the virtio devices when ebb's own guest
 * runs on several CPUs: it then needs ACPI for its MADT (the APs), and
 * microvm with ACPI no longer writes the devices on the command line.
 * The swap disk first, then the balloon: the order of qemu_cmd_build's
 * -device options.  0, or -1 if the line is too long.
 */
static int qemu_cmdline(struct qemu_cmd *c, const struct ebb_options *o, const char *cmdline,
			bool guest_acpi)
{
	unsigned int slot = MICROVM_VIRTIO_SLOTS;
	size_t n = (size_t)snprintf(c->cmdline, sizeof(c->cmdline), "%s", cmdline);
	bool dev[] = { o->swap_path[0] != '\0', o->balloon };

	for (size_t i = 0; guest_acpi && i < sizeof(dev) / sizeof(dev[0]) && n < sizeof(c->cmdline); i++) {
		if (!dev[i])
			continue;
		slot--;
		n += (size_t)snprintf(c->cmdline + n, sizeof(c->cmdline) - n,
				      " virtio_mmio.device=%u@0x%x:%u", MICROVM_VIRTIO_SIZE,
				      MICROVM_VIRTIO_BASE + slot * MICROVM_VIRTIO_SIZE,
				      MICROVM_VIRTIO_GSI_ACPI + slot);
	}
	return n < sizeof(c->cmdline) ? 0 : -1;
}

static int qemu_cmd_build(struct qemu_cmd *c, const struct qemu *q, const struct ebb_options *o,
			  const struct boot_plan *plan, const char *qemu_bin, const char *cmdline)
{
	bool linux_acpi = !o->no_acpi && (plan->format == BOOT_BZIMAGE || plan->elf.is_linux);
	bool guest_acpi = !o->no_acpi && !linux_acpi && o->nr_cpus > 1;
	int argc = 0;

	if (qemu_cmdline(c, o, cmdline, guest_acpi)) {
		vmm_log("the guest command line is too long with the virtio devices on it");
		return -1;
	}

	for (int i = 0; i < Q_NR; i++)
		snprintf(c->chardev[i], sizeof(c->chardev[i]), "socket,id=c%d,path=%s", i, q->sock[i]);
	snprintf(c->mem, sizeof(c->mem), "%" PRIu64 "M", o->mem_size >> 20);
	snprintf(c->smp, sizeof(c->smp), "%u", o->nr_cpus);
	c->argv[argc++] = qemu_bin;
	c->argv[argc++] = "-M";
	/*
	 * ebb's own guest finds its devices on the command line, which microvm
	 * writes only without ACPI; a Linux kernel (a bzImage, or a vmlinux
	 * whose Xen GUEST_OS note says linux) finds them in ACPI's DSDT, as
	 * distribution kernels must (no CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES).
	 * Linux also wants the RTC: without it, or HPET or the PM timer, its
	 * TSC calibration finds no reference and the boot stops there.
	 */
	if (linux_acpi)
		c->argv[argc++] = "microvm,x-option-roms=off,rtc=on,isa-serial=on,acpi=on";
	else if (guest_acpi)
		c->argv[argc++] = "microvm,x-option-roms=off,rtc=off,isa-serial=on,acpi=on,ioapic2=off";
	else
		c->argv[argc++] = "microvm,x-option-roms=off,rtc=off,isa-serial=on,acpi=off";
	c->argv[argc++] = "-accel";
	c->argv[argc++] = "tcg";
	c->argv[argc++] = "-cpu";
	c->argv[argc++] = "max";
	c->argv[argc++] = "-m";
	c->argv[argc++] = c->mem;
	c->argv[argc++] = "-smp";
	c->argv[argc++] = c->smp;
	if (!o->no_seccomp) {
		/*
		 * ebb cannot filter QEMU (it would have to allow fork and
		 * execve in its own list to spawn it): QEMU's own seccomp
		 * sandbox does, denying what a device model never needs.
		 */
		c->argv[argc++] = "-sandbox";
		c->argv[argc++] = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";
	}
	c->argv[argc++] = "-nodefaults";
	c->argv[argc++] = "-no-user-config";
	c->argv[argc++] = "-display";
	c->argv[argc++] = "none";
	c->argv[argc++] = "-no-reboot";
	c->argv[argc++] = "-kernel";
	c->argv[argc++] = q->elf;
	if (o->initrd) {
		c->argv[argc++] = "-initrd";
		c->argv[argc++] = o->initrd;
	}
	c->argv[argc++] = "-append";
	c->argv[argc++] = c->cmdline;
	c->argv[argc++] = "-chardev";
	c->argv[argc++] = c->chardev[Q_CON];
	c->argv[argc++] = "-serial";
	c->argv[argc++] = "chardev:c0";
	c->argv[argc++] = "-chardev";
	c->argv[argc++] = c->chardev[Q_CTL];
	c->argv[argc++] = "-device";
	c->argv[argc++] = "isa-serial,chardev=c1,iobase=0x2f8,irq=3";
	c->argv[argc++] = "-chardev";
	c->argv[argc++] = c->chardev[Q_QMP];
	c->argv[argc++] = "-mon";
	c->argv[argc++] = "chardev=c2,mode=control";
	c->argv[argc++] = "-device";
	c->argv[argc++] = "isa-debug-exit,iobase=0xf4,iosize=0x04";
	/* QEMU's virtio-mmio is legacy (version 1) by default; the guest drives version 2. */
	c->argv[argc++] = "-global";
	c->argv[argc++] = "virtio-mmio.force-legacy=false";
	if (o->swap_path[0]) {
		qemu_escape(c->esc, sizeof(c->esc), o->swap_path);
		snprintf(c->drive, sizeof(c->drive), "if=none,id=swap,format=raw,file=%s", c->esc);
		c->argv[argc++] = "-drive";
		c->argv[argc++] = c->drive;
		c->argv[argc++] = "-device";
		c->argv[argc++] = "virtio-blk-device,drive=swap,serial=ebb-swap";
	}
	if (o->balloon) {
		/* After the swap disk, as on KVM (docs/CONVENTIONS.md). */
		qemu_balloon_device_arg(&o->balloon_cfg, c->balloon, sizeof(c->balloon));
		c->argv[argc++] = "-device";
		c->argv[argc++] = c->balloon;
	}
	c->argv[argc] = NULL;
	return 0;
}

/*
 * Fork and exec QEMU (stop signals blocked in @block, which the child
 * unblocks), wait for it to connect to its sockets and answer QMP.  0, or
 * -1, said; QEMU is then to be killed if q->pid > 0.
 */
static int qemu_start(struct qemu *q, const char *qemu_bin, const struct qemu_cmd *c,
		      const sigset_t *block)
{
	q->pid = fork();
	if (q->pid == 0) {
		setpgid(0, 0);	/* Ctrl-C on the terminal is ebb's to handle */
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* ebb killed: no orphaned QEMU */
		if (getppid() == 1)
			_exit(127);	/* ebb died before prctl */
		pthread_sigmask(SIG_UNBLOCK, block, NULL);
		execvp(qemu_bin, (char *const *)c->argv);
		fprintf(stderr, "ebb: cannot run %s: %s%s\n", qemu_bin, strerror(errno),
			errno == ENOENT ? " (apt-get install qemu-system-x86, or set $EBB_QEMU)" : "");
		_exit(127);
	}
	if (q->pid < 0) {
		vmm_log("fork: %s", strerror(errno));
		return -1;
	}
	q->pidfd = (int)syscall(SYS_pidfd_open, q->pid, 0);
	if (q->pidfd < 0) {
		vmm_log("pidfd_open: %s", strerror(errno));
		return -1;
	}
	if (accept_all(q)) {
		vmm_log("QEMU (%s) did not start; its messages are above", qemu_bin);
		return -1;
	}
	qmp_init(&q->qmp, q->fd[Q_QMP], q_qmp_event, q);
	q->fd[Q_QMP] = -1;	/* the QMP client's now */
	if (qmp_handshake(&q->qmp, QEMU_START_TIMEOUT_MS)) {
		vmm_log("QEMU (%s) did not start; its messages are above", qemu_bin);
		return -1;
	}
	if (extra_fd_init(q)) {
		vmm_log("epoll / timerfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Serve the monitor until QEMU ends; ebb's exit status. */
static int qemu_serve(struct qemu *q, const struct ebb_options *o,
		      const struct kvm_flavour_info *kf)
{
	struct monitor_backend be = {
		.name = "qemu",
		.ctx = q,
		.console_fd = q->fd[Q_CON],
		.chan_fd = q->fd[Q_CTL],
		.extra_fd = q->epoll_fd,
		.end_fd = q->pidfd,
		.console_write = q_console_write,
		.chan_write = q_chan_write,
		.quit = q_quit,
		.kill = q_kill,
		.extra_ready = q_extra_ready,
		.status = q_status,
	};
	int wst = 0;

	term_raw_enter();
	if (q->has_balloon) {
		qemu_balloon_start(&q->balloon, &q->qmp, &q->mon, q->pid, o->mem_size, &o->balloon_cfg);
		be.balloon_set = q_balloon_set;
		be.balloon_query = q_balloon_query;
	}
	run_monitor_describe(&q->mon, o, kf);
	monitor_run(&q->mon, &be);
	term_raw_leave();
	waitpid(q->pid, &wst, 0);
	return exit_status(q, wst);
}

static void qemu_free(struct qemu *q)
{
	for (int i = 0; i < Q_NR; i++) {
		if (q->fd[i] >= 0)
			close(q->fd[i]);
		if (q->listen_fd[i] >= 0) {
			close(q->listen_fd[i]);
			unlink(q->sock[i]);
		}
	}
	if (q->pidfd >= 0)
		close(q->pidfd);
	qmp_close(&q->qmp);
	if (q->epoll_fd >= 0)
		close(q->epoll_fd);
	if (q->timer_fd >= 0)
		close(q->timer_fd);
	qemu_balloon_destroy(&q->balloon);
	if (q->dir[0]) {
		unlink(q->elf);
		rmdir(q->dir);
	}
	monitor_unlisten(&q->mon);
	free(q);
}

int qemu_run(const struct ebb_options *o, const struct kvm_flavour_info *kf,
	     const struct boot_files *files)
{
	static char cmdline[EBB_CMDLINE_MAX];
	static struct qemu_cmd cmd;
	const char *qemu_bin = getenv("EBB_QEMU") ?: EBB_QEMU_DEFAULT;
	char err[512];
	struct ebb_layout layout;
	struct e820_table map;
	struct boot_plan plan;
	struct qemu *q;
	int status = EBB_EXIT_SETUP, wst = 0;
	sigset_t block;

	if (o->mem_size > EBB_LOW_RAM_END) {
		vmm_log("--mem: the QEMU backend runs guests of up to 3G (microvm's low memory)");
		return EBB_EXIT_SETUP;
	}
	q = qemu_alloc(o);
	if (!q)
		return EBB_EXIT_SETUP;
	/* The same checks as KVM's, so bad input fails the same on both. */
	if (run_plan(o, files, false, &layout, &map, &plan, err, sizeof(err)) ||
	    cmdline_build(o, &layout, NULL, cmdline, sizeof(cmdline), err, sizeof(err)) < 0) {
		vmm_log("%s", err);
		goto out;
	}
	if (o->swap_path[0]) {
		uint64_t bytes;
		int fd = swapfile_open(o->swap_path, o->swap_size, &bytes, err, sizeof(err));

		if (fd < 0) {
			vmm_log("%s", err);
			goto out;
		}
		close(fd);	/* QEMU opens it itself, and uses all of it */
	}
	if (monitor_listen(&q->mon, o->name, err, sizeof(err))) {
		vmm_log("%s", err);
		goto out;
	}
	if (qemu_prepare_dir(q, o, files))
		goto out;
	if (qemu_cmd_build(&cmd, q, o, &plan, qemu_bin, cmdline))
		goto out;

	/* Stop signals reach the monitor's signalfd, not QEMU: ebb ends it through QMP. */
	run_block_stop_signals(&block);
	if (qemu_start(q, qemu_bin, &cmd, &block)) {
		if (q->pid > 0) {
			kill(q->pid, SIGKILL);
			waitpid(q->pid, &wst, 0);
		}
		goto out_unblock;
	}
	vmm_log("VM %s runs under QEMU (%s -M microvm, TCG, pid %d): no KVM acceleration",
		o->name, qemu_bin, (int)q->pid);
	status = qemu_serve(q, o, kf);
out_unblock:
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
out:
	qemu_free(q);
	return status;
}
