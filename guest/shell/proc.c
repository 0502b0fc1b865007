// SPDX-License-Identifier: MIT
/*
 * A /proc that is only a table of files: `cat` shows them, `echo VALUE >
 * FILE` writes them, `ls` lists them.  The files themselves are defined
 * next to what they show (PROC_FILE in include/guest/shell.h).
 */
#include <guest/mutex.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/string.h>

/*
 * Big enough for /proc/zoneinfo of 8 nodes.  The console shell and the
 * control channel take turns with it.
 */
static char proc_buf[256 * 1024];
static DEFINE_MUTEX(proc_buf_lock);

const struct proc_file *proc_lookup(const char *path)
{
	const struct proc_file *f;

	for_each_proc_file(f)
		if (!strcmp(f->path, path))
			return f;
	return NULL;
}

static int cmd_cat(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2) {
		kprintf("usage: cat FILE...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const struct proc_file *f = proc_lookup(argv[i]);
		struct seq_buf s;

		if (!f) {
			kprintf("cat: %s: No such file or directory\n", argv[i]);
			ret = 1;
			continue;
		}
		if (!f->show) {
			kprintf("cat: %s: Permission denied\n", argv[i]);
			ret = 1;
			continue;
		}
		mutex_lock(&proc_buf_lock);
		seq_buf_init(&s, proc_buf, sizeof(proc_buf));
		f->show(&s);
		tty_write(s.buf, s.len);
		if (seq_buf_overflowed(&s))
			kprintf("cat: %s: output truncated\n", argv[i]);
		mutex_unlock(&proc_buf_lock);
	}
	return ret;
}
SHELL_COMMAND(cat, "cat", "FILE...", "show /proc files", cmd_cat);

static int cmd_echo(int argc, char **argv)
{
	char text[256];
	size_t n = 0;
	int i, redirect = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], ">")) {
			redirect = i + 1;
			break;
		}
		if (argv[i][0] == '>') {	/* echo m >/proc/... */
			argv[i]++;
			redirect = i;
			break;
		}
		n += (size_t)snprintf(text + min(n, sizeof(text)), sizeof(text) - min(n, sizeof(text)),
				      "%s%s", i > 1 ? " " : "", argv[i]);
	}
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	text[n] = '\0';

	if (redirect < 0) {
		kprintf("%s\n", text);
		return 0;
	}
	if (redirect >= argc) {
		kprintf("sh: syntax error: no file after '>'\n");
		return 2;
	}
	{
		const struct proc_file *f = proc_lookup(argv[redirect]);

		if (!f) {
			kprintf("sh: can't create %s: only /proc files exist\n", argv[redirect]);
			return 1;
		}
		if (!f->write) {
			kprintf("sh: write error: %s is read-only\n", argv[redirect]);
			return 1;
		}
		if (f->write(text) < 0) {
			kprintf("sh: write error: Invalid argument\n");
			return 1;
		}
	}
	return 0;
}
SHELL_COMMAND(echo, "echo", "TEXT [> /proc/FILE]", "print, or write a /proc file", cmd_echo);

static int cmd_ls(int argc, char **argv)
{
	const struct proc_file *f;

	for_each_proc_file(f)
		kprintf("%s%s\n", f->path, f->show ? "" : " (write-only)");
	return 0;
}
SHELL_COMMAND(ls, "ls", "", "list the /proc files", cmd_ls);
