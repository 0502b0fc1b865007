/* SPDX-License-Identifier: MIT */
/* String helpers beyond the five compiler.h declares for guestmm. */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <guestmm/compiler.h>
#include <guestmm/vsprintf.h>

size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* Number parsing as the kernel's kstrto*() does: whole string, base 0 = auto. */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
/* memparse(): a number with an optional K/M/G/T suffix (binary units). */
unsigned long long memparse(const char *s, const char **end);

/* The kernel formats with guestmm's formatter, under the usual names. */
#define vsnprintf	mm_vsnprintf
#define snprintf	mm_snprintf

#endif
