// SPDX-License-Identifier: MIT
/*
 * The shell: a task that runs the ebb.init commands, then reads lines from
 * the console at the `ebb# ` prompt and runs them.  Lines are split into
 * words at blanks, with "double" or 'single' quotes grouping words, and
 * `;` separating commands; `> FILE` redirects echo into a /proc file.
 */
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/setup.h>
#include <guest/shell.h>
#include <guest/string.h>
#include <guest/time.h>

#define LINE_MAX	512

static const char *init_commands;
extern uint64_t boot_tsc_start;

static const struct shell_cmd *find_cmd(const char *name)
{
	const struct shell_cmd *c;

	for_each_shell_cmd(c)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* Split @line in place into words; returns the count, or -1 if too many. */
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *src = line, *dst = line;

	for (;;) {
		char quote = 0;

		while (*src == ' ' || *src == '\t')
			src++;
		if (!*src)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = dst;
		for (; *src; src++) {
			if (quote) {
				if (*src == quote)
					quote = 0;
				else
					*dst++ = *src;
			} else if (*src == '"' || *src == '\'') {
				quote = *src;
			} else if (*src == ' ' || *src == '\t') {
				src++;
				break;
			} else {
				*dst++ = *src;
			}
		}
		*dst++ = '\0';
	}
	return argc;
}

int shell_exec(char *line)
{
	char *argv[SHELL_MAX_ARGS + 1];
	const struct shell_cmd *cmd;
	int argc = split_words(line, argv, SHELL_MAX_ARGS);

	if (argc < 0) {
		kprintf("sh: too many arguments\n");
		return 1;
	}
	if (argc == 0)
		return 0;
	argv[argc] = NULL;
	cmd = find_cmd(argv[0]);
	if (!cmd) {
		kprintf("sh: %s: command not found (try help)\n", argv[0]);
		return 127;
	}
	return cmd->fn(argc, argv);
}

static void run_command_list(char *list)
{
	char *cmd;

	while ((cmd = next_command(&list)) != NULL)
		shell_exec(cmd);
}

/* Read a line with echo; backspace and ^U edit, ^C drops the line. */
static void read_line(char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		int c = console_getc();

		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			break;
		}
		if (c == 0x7f || c == '\b') {
			if (n) {
				n--;
				console_write("\b \b", 3);
			}
		} else if (c == 0x15) {			/* ^U */
			while (n) {
				n--;
				console_write("\b \b", 3);
			}
		} else if (c == 0x03) {			/* ^C */
			console_write("^C\n", 3);
			n = 0;
			break;
		} else if (c >= ' ' && c < 0x7f && n < size - 1) {
			char ch = (char)c;

			buf[n++] = ch;
			console_write(&ch, 1);
		}
	}
	buf[n] = '\0';
}

static int shell_thread(void *arg)
{
	static char line[LINE_MAX];

	if (init_commands) {
		char *cmd, *list = line;

		strlcpy(line, init_commands, sizeof(line));
		/* Echo each, so a transcript reads as if typed at the prompt. */
		while ((cmd = next_command(&list)) != NULL) {
			kprintf(SHELL_PROMPT "%s\n", cmd);
			shell_exec(cmd);
		}
	}
	pr_info("shell: prompt after %llu ms\n",
		(unsigned long long)(cycles_to_ns(rdtsc() - boot_tsc_start) / NSEC_PER_MSEC));
	for (;;) {
		console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
		read_line(line, sizeof(line));
		run_command_list(line);
	}
	return 0;
}

void shell_start(const char *init)
{
	init_commands = init;
	serial8250_enable_rx_irq();
	if (!kthread_run(shell_thread, NULL, "sh"))
		panic("cannot start the shell");
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	kprintf("Commands (separate several with ';'):\n");
	for_each_shell_cmd(c)
		kprintf("  %-10s %-28s %s\n", c->name, c->usage, c->help);
	return 0;
}
SHELL_COMMAND(help, "help", "", "this list", cmd_help);
