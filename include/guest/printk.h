/* SPDX-License-Identifier: MIT */
/*
 * printk and panic, with Linux's conventions: a "[    s.micros] " stamp
 * from boot, log levels as a leading "\001N", and `quiet` on the command
 * line keeping KERN_INFO and below off the console (they still reach the
 * log buffer that `dmesg` prints).
 */
#ifndef GUEST_PRINTK_H
#define GUEST_PRINTK_H

#include <guestmm/compiler.h>
#include <stdarg.h>

#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"

#define CONSOLE_LOGLEVEL_DEFAULT	7	/* print up to KERN_INFO */
#define CONSOLE_LOGLEVEL_QUIET		4	/* `quiet`: only warnings and worse */

extern int console_loglevel;

__printf(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

#define pr_emerg(fmt, ...)	printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

/*
 * Plain output without stamp or level, for the shell and the /proc views:
 * what a user program would write to its stdout.  It goes to the calling
 * task's output (current->out) when one is set, as the control channel
 * sets one to capture a command's output, else to the console.
 */
struct tty_output {
	void (*write)(struct tty_output *out, const char *s, size_t len);
};

__printf(1, 2) int kprintf(const char *fmt, ...);
void tty_write(const char *s, size_t len);
/* Straight to the console, whatever the task's output. */
void console_write(const char *s, size_t len);

/* Print the log buffer (dmesg). */
void log_buf_dump(void);

__printf(1, 2) __noreturn void panic(const char *fmt, ...);

/* Set by panic(): further panics (and oopses) go straight to power-off. */
extern int panic_in_progress;

#define BUG_ON(cond)							\
	do {								\
		if (unlikely(cond))					\
			panic("kernel BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
