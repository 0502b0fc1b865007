// SPDX-License-Identifier: MIT
/*
 * The control channel on COM2 (docs/CONVENTIONS.md, include/guest/control.h).
 *
 * One kernel thread reads request lines and runs each, like the console
 * shell, through shell_exec(), with the thread's output (current->out)
 * pointed at a capture that frames every line as `ID | LINE`; then it
 * answers `ID = STATUS`.  Requests run one at a time, in order: a
 * foreground `run` holds the channel until it ends, so hosts start
 * workloads with `&` and hear of their end through `* job N done ...`.
 *
 * Lines leave whole: each is written under one lock with interrupts off,
 * so an event from a job ending meanwhile never lands inside an answer.
 * Lines end in a bare '\n'.  Anything that is not a request (no ID, an ID
 * without a command, a line over CONTROL_LINE_MAX bytes, control
 * characters) is answered with status 22 (EINVAL) and the channel reads
 * on.
 */
#define pr_fmt(fmt) "control: " fmt

#include <guest/cmdline.h>
#include <guest/control.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/shell.h>
#include <guest/string.h>
#include <guest/uart.h>
#include <guestmm/errno.h>
#include <guestmm/spinlock.h>

/* One request's output capture: the part of a line not yet sent. */
struct ctl_request {
	struct tty_output out;
	unsigned long long id;
	size_t len;
	char line[CONTROL_LINE_MAX];
};

static spinlock_t tx_lock = SPIN_LOCK_UNLOCKED;
static bool channel_up;

/* Write HEAD and BODY as one line, raw (no "\r\n" translation). */
static void send_line(const char *head, size_t hlen, const char *body, size_t blen)
{
	unsigned long flags;

	spin_lock_irqsave(&tx_lock, flags);
	for (size_t i = 0; i < hlen; i++)
		uart_putc(&uart_com2, head[i]);
	for (size_t i = 0; i < blen; i++)
		uart_putc(&uart_com2, body[i]);
	uart_putc(&uart_com2, '\n');
	spin_unlock_irqrestore(&tx_lock, flags);
}

static void send_status(const char *id, int status)
{
	char head[48];
	int n = snprintf(head, sizeof(head), "%s = %d", id, status);

	send_line(head, (size_t)n, NULL, 0);
}

void control_event(const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n;

	if (!READ_ONCE(channel_up))
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(text))
		n = sizeof(text) - 1;
	send_line("* ", 2, text, (size_t)n);
}

static void flush_output(struct ctl_request *req)
{
	char head[32];
	int n = snprintf(head, sizeof(head), "%llu | ", req->id);

	send_line(head, (size_t)n, req->line, req->len);
	req->len = 0;
}

/* current->out while a request runs: cut the output into framed lines. */
static void capture_write(struct tty_output *out, const char *s, size_t len)
{
	struct ctl_request *req = container_of(out, struct ctl_request, out);

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			flush_output(req);
			continue;
		}
		if (s[i] == '\r')
			continue;
		if (req->len == sizeof(req->line))
			flush_output(req);	/* an overlong line goes out in pieces */
		req->line[req->len++] = s[i];
	}
}

/*
 * Read one line into @buf (at most @size - 1 bytes kept).  False if it was
 * malformed: too long or with control characters.  '\r', '\n' and "\r\n"
 * all end a line, so a person can type at the channel through a terminal.
 */
static bool read_request(char *buf, size_t size)
{
	size_t n = 0;
	bool ok = true;

	for (;;) {
		int c = uart_getc(&uart_com2);

		if (c == '\n' || c == '\r')
			break;
		if ((c < ' ' && c != '\t') || c == 0x7f)
			ok = false;
		else if (n < size - 1)
			buf[n++] = (char)c;
		else
			ok = false;
	}
	buf[n] = '\0';
	return ok;
}

static void handle_request(char *line, bool ok)
{
	static struct ctl_request req;
	char id[24], *p = line, *cmd;
	size_t n = 0;
	int status = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p && ok)
		return;			/* an empty line: someone pressed enter */
	while (*p >= '0' && *p <= '9' && n < sizeof(id) - 1)
		id[n++] = *p++;
	id[n] = '\0';
	if (!n || n > 19 || (*p && *p != ' ' && *p != '\t') ||
	    kstrtoull(id, 10, &req.id)) {
		send_status("?", EINVAL);
		return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!ok || !*p) {
		send_status(id, EINVAL);
		return;
	}

	req.out.write = capture_write;
	req.len = 0;
	current->out = &req.out;
	while ((cmd = next_command(&p)) != NULL)
		status = shell_exec(cmd);
	current->out = NULL;
	if (req.len)
		flush_output(&req);
	send_status(id, status);
}

static int control_thread(void *arg)
{
	static char line[CONTROL_LINE_MAX + 1];

	WRITE_ONCE(channel_up, true);
	send_line("* ready", 7, NULL, 0);
	for (;;) {
		bool ok = read_request(line, sizeof(line));

		handle_request(line, ok);
	}
	return 0;
}

void control_start(void)
{
	if (!uart_init(&uart_com2)) {
		pr_info("no UART at COM2; no control channel\n");
		return;
	}
	uart_enable_rx_irq(&uart_com2);
	if (!kthread_run(control_thread, NULL, "ctl"))
		pr_err("cannot start the control channel\n");
}
