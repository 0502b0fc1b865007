/* SPDX-License-Identifier: MIT */
/*
 * The op loops: void op_X(uint64_t n, uint64_t arg), n >= 1.  Each is the
 * instruction measured inside a dec/jnz loop, written out here so that
 * no compiler decides what is measured.  An iteration's cost includes
 * the loop's own dec and jnz: op_alu is that loop with one add in it.
 * No SSE, no int n, no cmpxchg16b, no xsave: an interpreting KVM (PVM)
 * cannot emulate them.
 */
#include "../proto.h"
#include "guest.h"

	.code64
	.text

.macro OP name
	.globl \name
	.type \name, @function
\name:
.endm

OP op_null
	ret

OP op_alu
1:	add $1, %rax
	dec %rdi
	jnz 1b
	ret

/* The ALU loop with interrupts enabled: the timer-tick op runs it. */
OP op_alu_irq
	sti
1:	add $1, %rax
	dec %rdi
	jnz 1b
	cli
	ret

OP op_cli_sti
1:	cli
	sti
	dec %rdi
	jnz 1b
	cli
	ret

OP op_pushf_popf
1:	pushfq
	popfq
	dec %rdi
	jnz 1b
	ret

OP op_rdtsc
1:	rdtsc
	dec %rdi
	jnz 1b
	ret

OP op_cr3_read
1:	mov %cr3, %rax
	dec %rdi
	jnz 1b
	ret

/* The same value back: a full flush of the (non-global) TLB. */
OP op_cr3_write
	mov %cr3, %rax
1:	mov %rax, %cr3
	dec %rdi
	jnz 1b
	ret

/* arg: the address */
OP op_invlpg
1:	invlpg (%rsi)
	dec %rdi
	jnz 1b
	ret

/* A return frame to the next instruction, same CPL: the tail of every handler. */
OP op_iretq
1:	mov %rsp, %rax
	pushq $GUEST_DS
	push %rax
	pushfq
	pushq $GUEST_CS
	lea 2f(%rip), %rax
	push %rax
	iretq
2:	dec %rdi
	jnz 1b
	ret

/* arg: the first of n unmapped window pages; vcost_pf_entry maps each. */
OP op_page_fault
1:	movq $1, (%rsi)
	add $4096, %rsi
	dec %rdi
	jnz 1b
	ret

/* arg: the first of n PTEs in the window's (live) page tables */
OP op_pte_write
1:	movq $0, (%rsi)
	add $8, %rsi
	dec %rdi
	jnz 1b
	ret

/* arg: the first of n pages of RAM nobody has touched */
OP op_first_touch
1:	movq $1, (%rsi)
	add $4096, %rsi
	dec %rdi
	jnz 1b
	ret

OP op_pio
1:	out %al, $VCOST_IO_PORT
	dec %rdi
	jnz 1b
	ret

/* arg: VCOST_MMIO_ADDR */
OP op_mmio
1:	movl $0, (%rsi)
	dec %rdi
	jnz 1b
	ret

/* arg: one-shot count (ns).  Arm, sleep, take the tick, go again. */
OP op_hlt_timer
	mov $APIC_BASE, %edx
1:	mov %esi, APIC_TMICT(%rdx)
	sti				/* sti; hlt: no tick slips in between */
	.globl vcost_hlt_insn
vcost_hlt_insn:
	hlt
	cli
	dec %rdi
	jnz 1b
	ret

/* arg: a page.  Clearing 4 KiB three ways, as kernels do. */
OP op_clear_stosq
	mov %rdi, %r8
1:	mov %rsi, %rdi
	mov $512, %ecx
	xor %eax, %eax
	rep stosq
	dec %r8
	jnz 1b
	ret

OP op_clear_stosb
	mov %rdi, %r8
1:	mov %rsi, %rdi
	mov $4096, %ecx
	xor %eax, %eax
	rep stosb
	dec %r8
	jnz 1b
	ret

OP op_clear_movq
1:	mov %rsi, %rdx
	mov $512, %ecx
2:	movq $0, (%rdx)
	add $8, %rdx
	dec %ecx
	jnz 2b
	dec %rdi
	jnz 1b
	ret
