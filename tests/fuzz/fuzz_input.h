/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets' input reader: little-endian fields taken from the
 * front of the input, zeros once it runs out, so that every input is a
 * valid program of operations; and how a harness's own check fails.
 */
#ifndef EBB_FUZZ_INPUT_H
#define EBB_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* The input as a stream of fields. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline int fz_more(const struct fz_in *in)
{
	return in->n > 0;
}

uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);
/* Up to @len bytes (fewer at the end); returns how many were copied. */
size_t fz_bytes(struct fz_in *in, void *buf, size_t len);

/* Abort with a message: an oracle of a harness failed (libFuzzer saves the input). */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
