// SPDX-License-Identifier: MIT
/*
 * printk: format, stamp with the time since boot, keep in the log buffer,
 * and print on the console if the level passes console_loglevel.
 *
 * One lock serialises the console so lines from different tasks do not
 * interleave.  panic() takes no lock (it may interrupt its holder): once
 * panic_in_progress is set, printk writes straight to the UART.
 */
#include <guest/console.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/string.h>
#include <guest/time.h>
#include <guest/x86.h>
#include <guestmm/spinlock.h>

int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
int panic_in_progress;

static spinlock_t console_lock = SPIN_LOCK_UNLOCKED;

/* The log buffer: a ring of text, oldest bytes overwritten first. */
#define LOG_BUF_LEN	(64 * 1024)
static char log_buf[LOG_BUF_LEN];
static size_t log_head;		/* total bytes ever logged */

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_head + i) % LOG_BUF_LEN] = s[i];
	log_head += len;
}

void console_write(const char *s, size_t len)
{
	unsigned long flags;

	if (panic_in_progress) {
		serial8250_write(s, len);
		return;
	}
	spin_lock_irqsave(&console_lock, flags);
	serial8250_write(s, len);
	spin_unlock_irqrestore(&console_lock, flags);
}

int vprintk(const char *fmt, va_list ap)
{
	char line[512];
	int level = 4;		/* default_message_loglevel, as Linux */
	int n, stamp;
	uint64_t ns = clock_ns_since_boot();
	unsigned long flags;

	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		level = fmt[1] - '0';
		fmt += 2;
	}
	stamp = snprintf(line, sizeof(line), "[%5llu.%06llu] ",
			 (unsigned long long)(ns / 1000000000ULL),
			 (unsigned long long)(ns / 1000ULL % 1000000ULL));
	n = stamp + vsnprintf(line + stamp, sizeof(line) - (size_t)stamp, fmt, ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	/* Every printk is a line: add the newline callers may have left off. */
	if (n == 0 || line[n - 1] != '\n') {
		if (n >= (int)sizeof(line) - 1)
			n = sizeof(line) - 2;
		line[n++] = '\n';
		line[n] = '\0';
	}

	if (panic_in_progress) {
		serial8250_write(line, (size_t)n);
		return n;
	}
	spin_lock_irqsave(&console_lock, flags);
	log_store(line, (size_t)n);
	if (level < console_loglevel)
		serial8250_write(line, (size_t)n);
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void tty_write(const char *s, size_t len)
{
	struct tty_output *out = current ? current->out : NULL;

	if (out && !panic_in_progress)
		out->write(out, s, len);
	else
		console_write(s, len);
}

int kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	tty_write(buf, (size_t)n);
	return n;
}

void log_buf_dump(void)
{
	size_t start = log_head > LOG_BUF_LEN ? log_head - LOG_BUF_LEN : 0;
	char chunk[256];
	size_t n = 0;

	for (size_t i = start; i < log_head; i++) {
		chunk[n++] = log_buf[i % LOG_BUF_LEN];
		if (n == sizeof(chunk)) {
			console_write(chunk, n);
			n = 0;
		}
	}
	console_write(chunk, n);
}
