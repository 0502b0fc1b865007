/* SPDX-License-Identifier: MIT */
/*
 * The serial-console shell and the tables that features plug into.
 *
 * A feature adds a command, a /proc file or a workload with one macro in
 * its own file; the linker script gathers the entries into sorted tables
 * (like Linux's initcalls), so no shared list is edited:
 *
 *   SHELL_COMMAND(free, "free", "", "show free and used memory", cmd_free);
 *   PROC_FILE(buddyinfo, "/proc/buddyinfo", show_buddyinfo, NULL);
 *   PROC_FILE(drop_caches, "/proc/sys/vm/drop_caches", NULL, write_drop_caches);
 *
 * Commands print with kprintf() and return 0 on success.  /proc files
 * show into a seq_buf (cat) and take what `echo VALUE > FILE` writes.
 */
#ifndef GUEST_SHELL_H
#define GUEST_SHELL_H

#include <guestmm/compiler.h>
#include <guestmm/seq_buf.h>

#define SHELL_MAX_ARGS	32
#define SHELL_PROMPT	"ebb# "

struct shell_cmd {
	const char *name;
	const char *usage;
	const char *help;
	int (*fn)(int argc, char **argv);
};

#define SHELL_COMMAND(id, name_, usage_, help_, fn_)				\
	static const struct shell_cmd __shell_cmd_##id				\
	__attribute__((used, section(".shell_cmds." #id), aligned(8))) = {	\
		.name = name_, .usage = usage_, .help = help_, .fn = fn_ }

struct proc_file {
	const char *path;
	void (*show)(struct seq_buf *s);
	/* @val is what echo wrote, trailing newline removed; 0 or -1. */
	int (*write)(const char *val);
};

#define PROC_FILE(id, path_, show_, write_)					\
	static const struct proc_file __proc_file_##id				\
	__attribute__((used, section(".proc_files." #id), aligned(8))) = {	\
		.path = path_, .show = show_, .write = write_ }

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];
extern const struct proc_file __proc_files_start[], __proc_files_end[];

#define for_each_shell_cmd(c) \
	for (c = __shell_cmds_start; c < __shell_cmds_end; c++)
#define for_each_proc_file(f) \
	for (f = __proc_files_start; f < __proc_files_end; f++)

const struct proc_file *proc_lookup(const char *path);

/* Run one command line (no ';' splitting); returns the command's status. */
int shell_exec(char *line);

#endif
