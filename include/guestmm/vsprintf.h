/* SPDX-License-Identifier: MIT */
/*
 * snprintf for freestanding code (guestmm/vsprintf.c lists the formats).
 * guestmm and the guest kernel share it; hosted code has libc's.
 */
#ifndef GUESTMM_VSPRINTF_H
#define GUESTMM_VSPRINTF_H

#include <guestmm/compiler.h>
#include <stdarg.h>

__printf(3, 4) int mm_snprintf(char *buf, size_t size, const char *fmt, ...);
int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
