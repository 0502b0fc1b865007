/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line, parsed as Linux parses it (kernel/params.c):
 * space-separated `param` or `param=value`, where double quotes group
 * spaces into one value (`ebb.init="cat /proc/buddyinfo; poweroff"`) and
 * are removed.  The words the kernel knows are in docs/CONVENTIONS.md.
 */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <guestmm/compiler.h>

#define COMMAND_LINE_SIZE	2048

/*
 * Split @cmdline (modified in place: NULs and unquoting) and call @fn for
 * each parameter; @val is NULL when there is no '='.  Stops at the first
 * non-zero return and returns it.
 */
int parse_args(char *cmdline, int (*fn)(char *param, char *val, void *arg), void *arg);

/* Split @s at the next unquoted ';' (shell command lists); NULL at the end. */
char *next_command(char **s);

/* What start_kernel() took from the command line. */
struct boot_options {
	const char *numa;	/* ebb.numa= */
	const char *distance;	/* ebb.distance= */
	const char *init;	/* ebb.init= */
	bool quiet;
	const char *console;
	unsigned int nr_virtio_mmio;
};

extern struct boot_options boot_options;
extern char boot_command_line[COMMAND_LINE_SIZE];

void setup_boot_options(const char *cmdline);

#endif
