// SPDX-License-Identifier: MIT
/*
 * The bounded buffer the /proc reports are written into, and guestmm's
 * printk; both format with mm_vsnprintf() (vsprintf.c).
 */
#include <guestmm/platform.h>
#include <guestmm/seq_buf.h>

void seq_vprintf(struct seq_buf *s, const char *fmt, va_list ap)
{
	size_t room = s->size - s->len;
	int n;

	if (room == 0) {
		s->overflow = true;
		return;
	}
	n = mm_vsnprintf(s->buf + s->len, room, fmt, ap);

	if ((size_t)n >= room) {
		/* Keep whole writes only, like seq_file: drop the partial one. */
		s->buf[s->len] = '\0';
		s->overflow = true;
		return;
	}
	s->len += (size_t)n;
}

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seq_vprintf(s, fmt, ap);
	va_end(ap);
}

void seq_puts(struct seq_buf *s, const char *str)
{
	seq_printf(s, "%s", str);
}

void seq_putc(struct seq_buf *s, char c)
{
	seq_printf(s, "%c", c);
}

void mm_printk(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = mm_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && line[n - 1] == '\n')
		n--;
	platform_log(line, (size_t)n);
}
