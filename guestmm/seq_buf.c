// SPDX-License-Identifier: MIT
/*
 * Text formatting without libc: the subset of printf the /proc reports
 * and kernel messages use (%d %i %u %x %X %p %s %c %%, flags - 0 + #,
 * width, precision, l ll z), and the bounded buffer they are written into.
 */
#include <guestmm/platform.h>
#include <guestmm/seq_buf.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;		/* would-be length, as snprintf returns */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct fmt_spec {
	bool left;		/* '-' */
	bool zero;		/* '0' */
	bool plus;		/* '+' */
	bool alt;		/* '#': 0x prefix for hex */
	int width;
	int precision;		/* -1: none */
};

static void out_str(struct fmt_out *o, const char *s, const struct fmt_spec *f)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (f->precision < 0 || n < (size_t)f->precision))
		n++;
	if (!f->left)
		out_pad(o, ' ', f->width - (int)n);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (f->left)
		out_pad(o, ' ', f->width - (int)n);
}

static void out_num(struct fmt_out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, const struct fmt_spec *f)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;
	char sign = neg ? '-' : (f->plus ? '+' : 0);
	bool prefix = f->alt && base == 16 && v;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (sign ? 1 : 0) + (prefix ? 2 : 0);

	if (!f->left && !f->zero)
		out_pad(o, ' ', f->width - len);
	if (sign)
		out_char(o, sign);
	if (prefix) {
		out_char(o, '0');
		out_char(o, upper ? 'X' : 'x');
	}
	if (!f->left && f->zero)
		out_pad(o, '0', f->width - len);
	while (n)
		out_char(o, tmp[--n]);
	if (f->left)
		out_pad(o, ' ', f->width - len);
}

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };

	for (const char *p = fmt; *p; p++) {
		struct fmt_spec f = { .precision = -1 };
		int lng = 0;
		bool size_t_arg = false;

		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				f.left = true;
			else if (*p == '0')
				f.zero = true;
			else if (*p == '+')
				f.plus = true;
			else if (*p == '#')
				f.alt = true;
			else
				break;
		}
		if (*p == '*') {
			f.width = va_arg(ap, int);
			if (f.width < 0) {
				f.left = true;
				f.width = -f.width;
			}
			p++;
		}
		while (*p >= '0' && *p <= '9')
			f.width = f.width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			f.precision = 0;
			while (*p >= '0' && *p <= '9')
				f.precision = f.precision * 10 + (*p++ - '0');
		}
		while (*p == 'l') {
			lng++;
			p++;
		}
		if (*p == 'z') {
			size_t_arg = true;
			p++;
		}

		switch (*p) {
		case 'd':
		case 'i': {
			long long v = size_t_arg ? (long long)va_arg(ap, long) :
				      lng >= 2 ? va_arg(ap, long long) :
				      lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			bool neg = v < 0;

			out_num(&o, neg ? -(unsigned long long)v : (unsigned long long)v,
				neg, 10, false, &f);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = size_t_arg ? va_arg(ap, size_t) :
					       lng >= 2 ? va_arg(ap, unsigned long long) :
					       lng == 1 ? va_arg(ap, unsigned long) :
					       va_arg(ap, unsigned int);

			out_num(&o, v, false, *p == 'u' ? 10 : 16, *p == 'X', &f);
			break;
		}
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_num(&o, (unsigned long)va_arg(ap, void *), false, 16, false, &f);
			break;
		case 's':
			out_str(&o, va_arg(ap, const char *), &f);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			p--;	/* a lone '%' at the end: print nothing more */
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = mm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

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
