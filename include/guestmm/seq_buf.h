/* SPDX-License-Identifier: MIT */
/*
 * A bounded text buffer, for the /proc-style reports.  Output past the
 * end is dropped and remembered (seq_buf_overflowed), never written out
 * of bounds.
 */
#ifndef GUESTMM_SEQ_BUF_H
#define GUESTMM_SEQ_BUF_H

#include <guestmm/compiler.h>
#include <guestmm/vsprintf.h>

struct seq_buf {
	char *buf;
	size_t size;
	size_t len;		/* characters kept, excluding the NUL */
	bool overflow;
};

static inline void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = size;
	s->len = 0;
	s->overflow = false;
	if (size)
		buf[0] = '\0';
}

static inline bool seq_buf_overflowed(const struct seq_buf *s)
{
	return s->overflow;
}

__printf(2, 3) void seq_printf(struct seq_buf *s, const char *fmt, ...);
void seq_vprintf(struct seq_buf *s, const char *fmt, va_list ap);
void seq_puts(struct seq_buf *s, const char *str);
void seq_putc(struct seq_buf *s, char c);

/* printk: one formatted line to the platform log. */
__printf(1, 2) void mm_printk(const char *fmt, ...);

#endif
