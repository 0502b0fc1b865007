/* SPDX-License-Identifier: MIT */
/*
 * The AP trampoline (docs/smp.md).  A STARTUP IPI starts an AP in real
 * mode at CS = page >> 4, IP = 0, so this code is copied to a page below
 * 1 MiB (guest/arch/smpboot.c) and must run at any such address: 16-bit
 * code addresses its data relative to CS, and once flat, relative to the
 * page's base in ESI/RSI.  The boot CPU fills in the tr_* fields before
 * each STARTUP: the far pointers (base + offset), the kernel's CR3, CR4 and
 * EFER, and the AP's stack, per-CPU area and C entry point.
 *
 *   real mode -> lgdt, CR0.PE -> 32-bit: CR4.PAE, CR3, EFER.LME|NXE,
 *   CR0.PG -> 64-bit -> the kernel's CR4, the stack -> ap_start(percpu)
 */
#define X86_CR0_PE	(1 << 0)
#define X86_CR0_WP	(1 << 16)
#define X86_CR0_PG	(1 << 31)
#define X86_CR4_PAE	(1 << 5)
#define MSR_EFER	0xc0000080

#define TR_CS32		0x08
#define TR_DS		0x10
#define TR_CS64		0x18

#define OFF(x)		((x) - trampoline_start)

	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end
	.globl tr_gdt_desc, tr_jmp32, tr_jmp64, tr_cr3, tr_cr4, tr_efer
	.globl tr_stack, tr_percpu, tr_entry, tr_gdt
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %esi, %esi
	movw %ax, %si
	shll $4, %esi			/* the page's physical base */

	lgdtl OFF(tr_gdt_desc)
	movl %cr0, %eax
	orl $X86_CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *OFF(tr_jmp32)

	.code32
tr_pm32:
	movl $TR_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss

	movl %cr4, %eax
	orl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl OFF(tr_cr3)(%esi), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl OFF(tr_efer)(%esi), %eax
	xorl %edx, %edx
	wrmsr
	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_WP), %eax
	movl %eax, %cr0
	ljmpl *OFF(tr_jmp64)(%esi)

	.code64
tr_lm64:
	movl %esi, %esi			/* the upper half is undefined after the switch */
	movl $TR_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq OFF(tr_cr4)(%rsi), %rax
	movq %rax, %cr4
	movq OFF(tr_stack)(%rsi), %rsp
	movq OFF(tr_percpu)(%rsi), %rdi
	movq OFF(tr_entry)(%rsi), %rax
	xorl %ebp, %ebp
	pushq $0			/* a return address of 0 ends backtraces */
	jmpq *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_desc:
	.word tr_gdt_end - tr_gdt - 1
	.long 0				/* base + OFF(tr_gdt) */
	.balign 8
tr_jmp32:
	.long 0				/* base + OFF(tr_pm32) */
	.word TR_CS32
	.balign 8
tr_jmp64:
	.long 0				/* base + OFF(tr_lm64) */
	.word TR_CS64
	.balign 8
tr_cr3:		.quad 0
tr_cr4:		.quad 0
tr_efer:	.quad 0
tr_stack:	.quad 0
tr_percpu:	.quad 0
tr_entry:	.quad 0
	.globl tr_pm32, tr_lm64
trampoline_end:
