/* SPDX-License-Identifier: MIT */
/*
 * Naming the guest instruction KVM could not emulate.  An interpreting
 * KVM (PVM) stops the VM with KVM_EXIT_INTERNAL_ERROR on SSE/AVX, int3 or
 * int n, cmpxchg16b, xsave/xrstor and a few more; the user needs to hear
 * which one, not "suberror 1".  This is a classifier for those classes,
 * not a disassembler: it skips prefixes and names the opcode's family.
 */
#ifndef EBB_VMM_INSN_H
#define EBB_VMM_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Describe the instruction in @bytes (@len of them, up to 15) into @out:
 * its mnemonic or family, e.g. "int3", "SSE/MMX (0f 29)", "AVX (VEX)".
 * @long_mode: decode 40-4f as REX prefixes and 62 as EVEX.
 */
void insn_describe(const uint8_t *bytes, size_t len, bool long_mode, char *out, size_t outlen);

#endif
