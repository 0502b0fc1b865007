// SPDX-License-Identifier: MIT
/*
 * What family a guest instruction belongs to, from its bytes (Intel SDM
 * vol. 2, appendix A, the opcode maps).  Only deep enough to name what
 * an instruction emulator refuses: vector instructions, software
 * interrupts, the 16-byte compare-exchange, the state save/restore group.
 */
#include <stdio.h>

#include <vmm/insn.h>

#define REX_W	0x08

static bool insn_is_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e:	/* segment overrides */
	case 0x64: case 0x65:
	case 0x66: case 0x67:				/* operand, address size */
	case 0xf0: case 0xf2: case 0xf3:		/* lock, repne, rep */
		return true;
	}
	return false;
}

static const char *const group15_mem[8] = {
	"fxsave", "fxrstor", "ldmxcsr", "stmxcsr", "xsave", "xrstor", "xsaveopt", "clflush",
};

/* The 0f map; @p points after 0f, @n bytes left. */
static void insn_0f(const uint8_t *p, size_t n, uint8_t rex, bool rep, char *out, size_t outlen)
{
	uint8_t op = p[0], modrm = n > 1 ? p[1] : 0, reg = (modrm >> 3) & 7;

	switch (op) {
	case 0x01:
		if (modrm == 0xd0 || modrm == 0xd1) {
			snprintf(out, outlen, "%s", modrm == 0xd0 ? "xgetbv" : "xsetbv");
			return;
		}
		snprintf(out, outlen, "system instruction (0f 01 %02x)", modrm);
		return;
	case 0x05: snprintf(out, outlen, "syscall"); return;
	case 0x07: snprintf(out, outlen, "sysret"); return;
	case 0x0b: snprintf(out, outlen, "ud2"); return;
	case 0x30: snprintf(out, outlen, "wrmsr"); return;
	case 0x31: snprintf(out, outlen, "rdtsc"); return;
	case 0x32: snprintf(out, outlen, "rdmsr"); return;
	case 0xa2: snprintf(out, outlen, "cpuid"); return;
	case 0x38:
	case 0x3a:
		snprintf(out, outlen, "SSSE3/SSE4 vector instruction (0f %02x %02x)", op,
			 n > 1 ? p[1] : 0);
		return;
	case 0xae:
		if (n < 2)
			break;
		if ((modrm >> 6) == 3) {
			snprintf(out, outlen, "%s", reg == 5 ? "lfence" : reg == 6 ? "mfence" :
				 reg == 7 ? "sfence" : "0f ae group");
			return;
		}
		/* REX.W makes the 64-bit forms of the save/restore ones. */
		snprintf(out, outlen, "%s%s", group15_mem[reg],
			 (rex & REX_W) && reg != 2 && reg != 3 && reg != 7 ? "64" : "");
		return;
	case 0xc7:
		if (n < 2)
			break;
		if (reg == 1 && (modrm >> 6) != 3) {
			snprintf(out, outlen, "%s", rex & REX_W ? "cmpxchg16b" : "cmpxchg8b");
			return;
		}
		if ((modrm >> 6) == 3 && (reg == 6 || reg == 7)) {
			snprintf(out, outlen, "%s", reg == 6 ? "rdrand" : "rdseed");
			return;
		}
		break;
	}
	if ((op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
	    (op >= 0x50 && op <= 0x7f) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6) ||
	    op >= 0xd0) {
		snprintf(out, outlen, "SSE/MMX vector instruction (%s0f %02x)", rep ? "f3 " : "", op);
		return;
	}
	snprintf(out, outlen, "opcode 0f %02x", op);
}

void insn_describe(const uint8_t *bytes, size_t len, bool long_mode, char *out, size_t outlen)
{
	const uint8_t *p = bytes, *end = bytes + (len > 15 ? 15 : len);
	uint8_t rex = 0;
	bool rep = false;

	while (p < end && insn_is_prefix(*p)) {
		rep |= *p == 0xf3;
		p++;
	}
	if (long_mode && p < end && (*p & 0xf0) == 0x40)
		rex = *p++;
	if (p >= end) {
		snprintf(out, outlen, "no instruction bytes");
		return;
	}
	switch (*p) {
	case 0xcc: snprintf(out, outlen, "int3"); return;
	case 0xcd:
		if (p + 1 < end)
			snprintf(out, outlen, "int $0x%02x", p[1]);
		else
			snprintf(out, outlen, "int n");
		return;
	case 0xce: snprintf(out, outlen, "into"); return;
	case 0xf1: snprintf(out, outlen, "int1"); return;
	case 0xf4: snprintf(out, outlen, "hlt"); return;
	case 0xa4: case 0xa5: snprintf(out, outlen, "%smovs", rep ? "rep " : ""); return;
	case 0xaa: case 0xab: snprintf(out, outlen, "%sstos", rep ? "rep " : ""); return;
	case 0xc4:
	case 0xc5:
		/* Outside long mode these are les/lds unless ModRM.mod is 11. */
		if (long_mode || (p + 1 < end && (p[1] >> 6) == 3)) {
			snprintf(out, outlen, "AVX vector instruction (VEX, %02x)", *p);
			return;
		}
		break;
	case 0x62:
		if (long_mode) {
			snprintf(out, outlen, "AVX-512 vector instruction (EVEX)");
			return;
		}
		break;
	case 0x0f:
		if (p + 1 < end) {
			insn_0f(p + 1, (size_t)(end - p - 1), rex, rep, out, outlen);
			return;
		}
		break;
	case 0xd8: case 0xd9: case 0xda: case 0xdb:
	case 0xdc: case 0xdd: case 0xde: case 0xdf:
		snprintf(out, outlen, "x87 floating point (%02x)", *p);
		return;
	}
	snprintf(out, outlen, "opcode %02x", *p);
}
