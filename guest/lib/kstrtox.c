// SPDX-License-Identifier: MIT
/*
 * Number parsing for the command line and the shell, with the kernel's
 * rules: kstrtoull() takes the whole string or fails (no trailing junk,
 * overflow is an error); memparse() reads a size such as "64M" or "1G".
 */
#include <guest/string.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Parse a prefix; return the characters consumed (0: no digits) or -1 on overflow. */
static int parse_ull(const char *s, unsigned int base, unsigned long long *res)
{
	const char *p = s;
	unsigned long long v = 0;
	bool any = false;

	if (base == 0) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
			base = 16;
			p += 2;
		} else if (p[0] == '0' && digit_value(p[1]) < 8) {
			base = 8;
			p++;
		} else {
			base = 10;
		}
	} else if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
		   digit_value(p[2]) < 16) {
		p += 2;
	}
	for (;; p++) {
		int d = digit_value(*p);

		if (d >= (int)base)
			break;
		if (v > (~0ULL - (unsigned)d) / base)
			return -1;
		v = v * base + (unsigned)d;
		any = true;
	}
	*res = v;
	return any ? (int)(p - s) : 0;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	int n = parse_ull(s, base, res);

	if (n <= 0)
		return -1;
	if (s[n] == '\n' && s[n + 1] == '\0')
		return 0;
	return s[n] ? -1 : 0;
}

unsigned long long memparse(const char *s, const char **end)
{
	unsigned long long v = 0;
	int n = parse_ull(s, 0, &v);

	if (n <= 0) {
		if (end)
			*end = s;
		return 0;
	}
	s += n;
	switch (*s) {
	case 'T': case 't':
		v <<= 10;
		/* fall through */
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		s++;
		break;
	default:
		break;
	}
	if (end)
		*end = s;
	return v;
}
