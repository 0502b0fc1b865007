// SPDX-License-Identifier: MIT
/*
 * Command-line parsing.  parse_args() follows Linux's next_arg(): a
 * parameter runs to the next space that is not inside double quotes; one
 * pair of quotes around the value (or the whole parameter) is removed.
 * Unknown parameters are kept quiet, as Linux hands them to init.
 */
#include <balloon/balloon.h>
#include <guest/cmdline.h>
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/virtio_balloon.h>

char boot_command_line[COMMAND_LINE_SIZE];
struct boot_options boot_options;
static char cmdline_copy[COMMAND_LINE_SIZE];

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One parameter starting at @args; returns where the next one starts. */
static char *next_arg(char *args, char **param, char **val)
{
	unsigned int i, equals = 0;
	bool in_quote = false, quoted = false;
	char *next;

	if (*args == '"') {
		args++;
		in_quote = true;
		quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (is_space(args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}

	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* Don't include quotes in the value. */
		if (**val == '"') {
			(*val)++;
			if (i > 0 && args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';

	if (args[i]) {
		args[i] = '\0';
		next = args + i + 1;
	} else {
		next = args + i;
	}
	while (is_space(*next))
		next++;
	return next;
}

int parse_args(char *args, int (*fn)(char *param, char *val, void *arg), void *arg)
{
	while (is_space(*args))
		args++;
	while (*args) {
		char *param, *val;
		int ret;

		args = next_arg(args, &param, &val);
		ret = fn(param, val, arg);
		if (ret)
			return ret;
	}
	return 0;
}

char *next_command(char **s)
{
	char *p = *s, *start;
	bool in_quote = false;

	if (!p)
		return NULL;
	while (is_space(*p) || *p == ';')
		p++;
	if (!*p) {
		*s = NULL;
		return NULL;
	}
	start = p;
	for (; *p; p++) {
		if (*p == '"' || *p == '\'')
			in_quote = !in_quote;
		else if (*p == ';' && !in_quote)
			break;
	}
	if (*p) {
		*p = '\0';
		*s = p + 1;
	} else {
		*s = p;
	}
	return start;
}

static int boot_param(char *param, char *val, void *arg)
{
	if (!strcmp(param, "quiet")) {
		boot_options.quiet = true;
		console_loglevel = CONSOLE_LOGLEVEL_QUIET;
	} else if (!strcmp(param, "console") && val) {
		boot_options.console = val;
	} else if (!strcmp(param, "ebb.numa") && val) {
		boot_options.numa = val;
	} else if (!strcmp(param, "ebb.distance") && val) {
		boot_options.distance = val;
	} else if (!strcmp(param, "ebb.init") && val) {
		boot_options.init = val;
	} else if (!strcmp(param, "virtio_mmio.device") && val) {
		boot_options.nr_virtio_mmio++;	/* the driver core reads them later */
	} else if (!strcmp(param, "page_reporting.page_reporting_order") && val) {
		unsigned long long order;

		/* Read by the balloon driver when it probes, after this. */
		if (kstrtoull(val, 10, &order) || order < BALLOON_REPORT_ORDER_MIN ||
		    order > BALLOON_REPORT_ORDER_MAX)
			kprintf("page_reporting_order=%s: not an order from %d to %d, ignored\n",
				val, BALLOON_REPORT_ORDER_MIN, BALLOON_REPORT_ORDER_MAX);
		else
			balloon_report_order = (unsigned int)order;
	}
	return 0;
}

void setup_boot_options(const char *cmdline)
{
	strlcpy(boot_command_line, cmdline ? cmdline : "", sizeof(boot_command_line));
	strlcpy(cmdline_copy, boot_command_line, sizeof(cmdline_copy));
	parse_args(cmdline_copy, boot_param, NULL);
}
