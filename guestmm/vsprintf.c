// SPDX-License-Identifier: MIT
/*
 * vsnprintf without libc: the one formatter of the guest kernel and of
 * guestmm (kernel messages, the shell, the /proc reports).  It is a pure
 * function of its arguments, so the kernel's first boot messages and a
 * panic anywhere can use it before guestmm manages any memory.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%; flags - 0 + space #;
 * width and precision, either of them as *; lengths hh h l ll z t.
 * As in Linux: '#' prefixes hex with 0x (zero too) and %p prints a
 * pointer as 16 hex digits without a prefix (Linux's %px).  Output that
 * does not fit is counted and dropped, and the return value is the
 * length the whole would have had, as C99 says.
 */
#include <guestmm/vsprintf.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

#define F_LEFT	1
#define F_ZERO	2
#define F_PLUS	4
#define F_SPACE	8
#define F_ALT	16

struct fmt_spec {
	int flags;
	int width;
	int precision;		/* -1: none */
	int length;		/* 2 ll, 1 l z t, 0 int, -1 h, -2 hh */
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

static void out_str(struct fmt_out *o, const char *s, const struct fmt_spec *f)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (f->precision < 0 || n < f->precision))
		n++;
	if (!(f->flags & F_LEFT))
		out_pad(o, ' ', f->width - n);
	for (int i = 0; i < n; i++)
		out_char(o, s[i]);
	if (f->flags & F_LEFT)
		out_pad(o, ' ', f->width - n);
}

static void out_num(struct fmt_out *o, unsigned long long v, bool neg, unsigned int base,
		    bool upper, const struct fmt_spec *f)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool prefix = (f->flags & F_ALT) && base == 16;
	/* A precision asks for digits, so zero padding gives way to it. */
	bool zero_pad = (f->flags & F_ZERO) && !(f->flags & F_LEFT) && f->precision < 0;
	char tmp[24], sign = 0;
	int n = 0, len;

	if (v || f->precision != 0) {	/* C: precision 0 prints no digit for 0 */
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (neg)
		sign = '-';
	else if (f->flags & F_PLUS)
		sign = '+';
	else if (f->flags & F_SPACE)
		sign = ' ';

	len = (n > f->precision ? n : f->precision) + (sign ? 1 : 0) + (prefix ? 2 : 0);
	if (!(f->flags & F_LEFT) && !zero_pad)
		out_pad(o, ' ', f->width - len);
	if (sign)
		out_char(o, sign);
	if (prefix) {
		out_char(o, '0');
		out_char(o, upper ? 'X' : 'x');
	}
	if (zero_pad)
		out_pad(o, '0', f->width - len);
	out_pad(o, '0', f->precision - n);
	while (n)
		out_char(o, tmp[--n]);
	if (f->flags & F_LEFT)
		out_pad(o, ' ', f->width - len);
}

static long long arg_signed(va_list *ap, int length)
{
	switch (length) {
	case -2:
		return (signed char)va_arg(*ap, int);
	case -1:
		return (short)va_arg(*ap, int);
	case 0:
		return va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	default:
		return va_arg(*ap, long long);
	}
}

static unsigned long long arg_unsigned(va_list *ap, int length)
{
	switch (length) {
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case 0:
		return va_arg(*ap, unsigned int);
	case 1:
		return va_arg(*ap, unsigned long);
	default:
		return va_arg(*ap, unsigned long long);
	}
}

/* Flags, width, precision and length after a '%'; returns the conversion. */
static const char *parse_spec(const char *p, struct fmt_spec *f, va_list *ap)
{
	*f = (struct fmt_spec){ .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			f->flags |= F_LEFT;
		else if (*p == '0')
			f->flags |= F_ZERO;
		else if (*p == '+')
			f->flags |= F_PLUS;
		else if (*p == ' ')
			f->flags |= F_SPACE;
		else if (*p == '#')
			f->flags |= F_ALT;
		else
			break;
	}
	if (*p == '*') {
		f->width = va_arg(*ap, int);
		if (f->width < 0) {	/* C: a negative width is '-' and its size */
			f->flags |= F_LEFT;
			f->width = -f->width;
		}
		p++;
	}
	while (*p >= '0' && *p <= '9')
		f->width = f->width * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		f->precision = 0;
		if (*p == '*') {
			f->precision = va_arg(*ap, int);
			if (f->precision < 0)	/* C: as if none were given */
				f->precision = -1;
			p++;
		}
		while (*p >= '0' && *p <= '9')
			f->precision = f->precision * 10 + (*p++ - '0');
	}
	for (;; p++) {
		if (*p == 'l')
			f->length++;
		else if (*p == 'h')
			f->length--;
		else if (*p == 'z' || *p == 't')
			f->length = 1;	/* size_t and ptrdiff_t are longs on x86-64 */
		else
			return p;
	}
}

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	struct fmt_spec f;
	va_list args;

	/* A copy we can pass by pointer (va_list may be an array type). */
	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		p = parse_spec(p + 1, &f, &args);
		switch (*p) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&args, f.length);

			out_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v, v < 0,
				10, false, &f);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			f.flags &= ~(F_PLUS | F_SPACE);		/* signs are for %d */
			out_num(&o, arg_unsigned(&args, f.length), false,
				*p == 'u' ? 10 : *p == 'o' ? 8 : 16, *p == 'X', &f);
			break;
		case 'p':
			f = (struct fmt_spec){ .flags = F_ZERO, .width = 16, .precision = -1 };
			out_num(&o, (unsigned long)va_arg(args, void *), false, 16, false, &f);
			break;
		case 'c':
			if (!(f.flags & F_LEFT))
				out_pad(&o, ' ', f.width - 1);
			out_char(&o, (char)va_arg(args, int));
			if (f.flags & F_LEFT)
				out_pad(&o, ' ', f.width - 1);
			break;
		case 's':
			out_str(&o, va_arg(args, const char *), &f);
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			p--;	/* a lone '%' at the end: nothing more */
			break;
		default:	/* unknown: print it as written */
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	va_end(args);
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
