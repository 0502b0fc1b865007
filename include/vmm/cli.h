/* SPDX-License-Identifier: MIT */
/*
 * The commands that talk to a running VM through its control socket
 * (vmm/control/cli_commands.c, cli_inject.c): `ebb list`, `stat`,
 * `console`, `stop`, `exec`, `ctl`, `balloon`, `inject`.  Their exit
 * statuses (docs/CONVENTIONS.md), for scripts:
 */
#ifndef EBB_VMM_CLI_H
#define EBB_VMM_CLI_H

#define EBB_CLI_OK		0	/* done */
#define EBB_CLI_USAGE		1	/* bad command line */
#define EBB_CLI_NO_VM		2	/* no running VM of that name */
#define EBB_CLI_FAILED		3	/* the VM answered with an error (or the guest command failed) */
#define EBB_CLI_BROKEN		4	/* the connection broke or timed out */

/* Each takes argv from the command name on; returns an exit status. */
int cli_list(int argc, char **argv);
int cli_stat(int argc, char **argv);
int cli_console(int argc, char **argv);
int cli_stop(int argc, char **argv);
int cli_exec(int argc, char **argv);
int cli_ctl(int argc, char **argv);
int cli_balloon(int argc, char **argv);
int cli_inject(int argc, char **argv);		/* vmm/control/cli_inject.c */

extern const char cli_list_usage[], cli_stat_usage[], cli_console_usage[], cli_stop_usage[],
	cli_exec_usage[], cli_ctl_usage[], cli_balloon_usage[], cli_inject_usage[];

#endif
