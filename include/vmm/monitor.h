/* SPDX-License-Identifier: MIT */
/*
 * The monitor: the one event loop of an `ebb run` process, whichever
 * backend runs the guest.  It owns the terminal (console in and out, the
 * Ctrl-A escapes, stop signals), the control channel to the guest (COM2,
 * vmm/control/chan.c) and the control socket with its clients
 * (vmm/control/server.c, commands.c).  A backend (KVM in vmm/vm.c, QEMU in
 * vmm/qemu.c) hands it byte streams and a few operations, so `ebb list`,
 * `stat`, `console` and `stop` work the same on both.
 */
#ifndef EBB_VMM_MONITOR_H
#define EBB_VMM_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <vmm/control/chan.h>
#include <vmm/control/runtime.h>

#define MONITOR_MAX_CLIENTS	16
#define MONITOR_REQ_MAX		65536	/* bytes per JSON request line; longer: closed */
/* How long a request may wait for the guest (boot included). */
#define MONITOR_GUEST_TIMEOUT_NS	(60ULL * 1000000000ULL)
#define MONITOR_MAX_TIMEOUT_S		86400	/* what a request may ask for */
#define MONITOR_QUIT_GRACE_NS		(10ULL * 1000000000ULL)

/* Who a reply goes to: a slot and the generation it had. */
struct kvm_flavour_info;

struct ctl_ref {
	int slot;
	uint64_t gen;
};

struct monitor_backend {
	const char *name;		/* "kvm" or "qemu": shown to the user */
	void *ctx;
	int console_fd;			/* readable: the guest's console output */
	int chan_fd;			/* readable: control channel bytes from the guest */
	int end_fd;			/* readable once the VM has ended */
	int extra_fd;			/* -1, or another fd to watch (QEMU's QMP) */
	void (*extra_ready)(void *ctx);
	/* Bytes to the guest's console / control channel; returns how many were taken. */
	size_t (*console_write)(void *ctx, const uint8_t *buf, size_t n);
	size_t (*chan_write)(void *ctx, const uint8_t *buf, size_t n);
	/* End the VM with ebb exit status @status; end_fd becomes readable soon. */
	void (*quit)(void *ctx, int status, const char *why);
	/* Still running MONITOR_QUIT_GRACE_NS after quit: force it (NULL: never needed). */
	void (*kill)(void *ctx);
	/* Add backend facts (pid, accel ...) to a query-status answer. */
	void (*status)(void *ctx, json_t *into);
	/*
	 * The balloon, NULL without one: set its target to @bytes of
	 * balloon (whole BALLOON_PAGE_SIZE pages, at most the guest's RAM:
	 * cmd_balloon in vmm/control/commands.c made it so) and describe it
	 * into a query-balloon answer (target_bytes, actual_bytes: balloon).  balloon_set returns
	 * 0 (done), -1 with a message in @err, or 1: the backend answers
	 * @who itself once it knows (ctl_reply / ctl_error), as QEMU's
	 * asynchronous QMP makes the QEMU backend do.
	 */
	int (*balloon_set)(void *ctx, uint64_t bytes, struct ctl_ref who, char *err, size_t errlen);
	void (*balloon_query)(void *ctx, json_t *into);
	/* query-kvm-stats's answer (vmm/kvm_stats_vm.c); NULL: no KVM, as under QEMU (TCG). */
	json_t *(*kvm_stats)(void *ctx);
};

struct ctl_client {
	int fd;				/* -1: slot free */
	uint64_t gen;			/* tells a reused slot from the one a reply was for */
	char in[MONITOR_REQ_MAX + 1];
	size_t in_len;
	bool console;			/* attached to the console: raw bytes both ways */
};

struct monitor {
	const struct monitor_backend *be;
	const char *name;
	uint64_t mem_size;
	unsigned int nr_cpus, nr_nodes;
	const char *swap;		/* swap file path, or NULL */
	const struct kvm_flavour_info *kvm;	/* the host's KVM, or NULL */
	uint64_t t_start;		/* mono_ns */
	struct chan chan;
	int listen_fd;
	char sock_path[RUNTIME_PATH_MAX];
	uint64_t next_gen;
	struct ctl_client client[MONITOR_MAX_CLIENTS];
	uint8_t to_console[4096];	/* input on its way to the guest's console */
	size_t to_console_len, to_console_off;
	bool stdin_open, escape;
	bool console_eof, chan_eof;	/* the backend closed these streams */
	uint64_t quit_ns;		/* when quit was asked (mono_ns), 0: not yet */
};

/*
 * Create VM @name's control socket, before the VM starts: a live VM of
 * that name is an error, a stale socket is replaced.  0, or -1 with a
 * message.
 */
int monitor_listen(struct monitor *m, const char *name, char *err, size_t errlen);
/* Close and remove the control socket, if it is open. */
void monitor_unlisten(struct monitor *m);

/* Run until the backend's end_fd fires; then close the socket and clients. */
void monitor_run(struct monitor *m, const struct monitor_backend *be);
/* End the VM (the first call's @status counts); forced if it lingers. */
void monitor_quit(struct monitor *m, int status, const char *why);

/* Control socket (vmm/control/server.c). */
void ctl_accept(struct monitor *m);
void ctl_client_input(struct monitor *m, int slot);
void ctl_client_close(struct monitor *m, int slot);
void ctl_reply(struct monitor *m, struct ctl_ref who, json_t *ret);	/* steals @ret */
void ctl_error(struct monitor *m, struct ctl_ref who, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Console output to every attached client (never blocks). */
void ctl_console_broadcast(struct monitor *m, const uint8_t *buf, size_t n);

/* One JSON request line from a client (vmm/control/commands.c). */
void ctl_dispatch(struct monitor *m, struct ctl_ref who, const char *line);

#endif
