// SPDX-License-Identifier: MIT
/*
 * Naming the instruction an interpreting KVM could not emulate: the
 * classes PVM refuses (SSE/AVX, int3/int n, cmpxchg16b, xsave/xrstor),
 * behind prefixes, in 64-bit and 32-bit code, and bytes that run out.
 */
#include <stdio.h>
#include <string.h>

#include <vmm/insn.h>

#include "unit.h"

struct insn_case {
	const char *bytes;	/* hex, space separated */
	bool long_mode;
	const char *want;	/* a substring of the description */
};

static const struct insn_case insn_cases[] = {
	{ "cc", true, "int3" },
	{ "cd 80", true, "int $0x80" },
	{ "cd", true, "int n" },
	{ "f1", true, "int1" },
	{ "0f 29 04 24", true, "SSE/MMX" },			/* movaps %xmm0,(%rsp) */
	{ "66 0f ef c0", true, "SSE/MMX" },			/* pxor %xmm0,%xmm0 */
	{ "f3 0f 6f 06", true, "SSE/MMX vector instruction (f3 0f 6f)" },	/* movdqu */
	{ "66 0f 38 00 c1", true, "SSSE3/SSE4" },		/* pshufb */
	{ "c5 f8 77", true, "AVX" },				/* vzeroupper */
	{ "c4 e2 7d 18 06", true, "AVX" },			/* vbroadcastss */
	{ "62 f1 7c 48 10 06", true, "AVX-512" },
	{ "48 0f c7 0e", true, "cmpxchg16b" },
	{ "f0 48 0f c7 0e", true, "cmpxchg16b" },		/* lock prefix first */
	{ "0f c7 0e", true, "cmpxchg8b" },
	{ "0f ae 27", true, "xsave" },
	{ "48 0f ae 2f", true, "xrstor64" },
	{ "0f ae 07", true, "fxsave" },
	{ "0f ae f0", true, "mfence" },
	{ "0f 01 d0", true, "xgetbv" },
	{ "f3 48 ab", true, "rep stos" },
	{ "f3 a4", true, "rep movs" },
	{ "0f a2", true, "cpuid" },
	{ "d9 e8", true, "x87" },
	{ "c4 06", false, "opcode c4" },			/* les in 32-bit code */
	{ "c5 f8 77", false, "AVX" },				/* mod 11: VEX even there */
	{ "48", false, "opcode 48" },				/* dec %eax, not REX */
	{ "90", true, "opcode 90" },
	{ "", true, "no instruction bytes" },
	{ "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", true, "no instruction bytes" },
	{ "0f", true, "opcode 0f" },
};

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
		while (*s == ' ')
			s++;
	}
	return n;
}

START_TEST(insn_classes)
{
	const struct insn_case *c = &insn_cases[_i];
	uint8_t bytes[16];
	char out[96];
	size_t n = parse_hex(c->bytes, bytes, sizeof(bytes));

	insn_describe(bytes, n, c->long_mode, out, sizeof(out));
	ck_assert_msg(strstr(out, c->want), "[%s] -> \"%s\", want \"%s\"", c->bytes, out, c->want);
}
END_TEST

/* Sixteen bytes handed in: only the architectural fifteen are looked at. */
START_TEST(insn_length_capped)
{
	uint8_t bytes[16];
	char out[96];

	memset(bytes, 0x66, 15);
	bytes[15] = 0xcc;
	insn_describe(bytes, sizeof(bytes), true, out, sizeof(out));
	ck_assert_str_eq(out, "no instruction bytes");
}
END_TEST

static Suite *vmm_insn_suite(void)
{
	Suite *s = suite_create("vmm_insn");
	TCase *tc = tcase_create("describe");

	tcase_add_loop_test(tc, insn_classes, 0, sizeof(insn_cases) / sizeof(insn_cases[0]));
	tcase_add_test(tc, insn_length_capped);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(vmm_insn_suite)
