/* SPDX-License-Identifier: MIT */
/*
 * The first instructions of the guest kernel: the PVH entry point.
 *
 * A PVH loader (ebb, QEMU's microvm firmware) finds pvh_start through the
 * XEN_ELFNOTE_PHYS32_ENTRY note below and jumps there in 32-bit protected
 * mode with paging off, flat 4 GiB segments, interrupts off and EBX holding
 * the physical address of the hvm_start_info.  We have no stack and may not
 * assume that .bss is zeroed, so, in order:
 *
 *   1. keep EBX (the start_info pointer) in a register,
 *   2. zero .bss, then park the pointer in a variable,
 *   3. load static boot page tables that identity-map the first GiB with
 *      2 MiB pages (the image, the boot data and the boot stack live there),
 *   4. turn on PAE, long mode (EFER.LME) and paging: that is long mode,
 *   5. far-jump into a 64-bit code segment and call start_kernel() in C.
 *
 * The kernel is linked at its physical address (1 MiB), so the identity
 * map is all it needs to run; arch/pgtable.c later replaces these tables
 * with the real ones (direct map, vmalloc area, page 0 unmapped).
 */
#define __ASSEMBLY__
#include <pvh/start_info.h>

#define X86_CR0_PE	(1 << 0)
#define X86_CR0_WP	(1 << 16)
#define X86_CR0_PG	(1 << 31)
#define X86_CR4_PAE	(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)

#define BOOT_CS		0x08
#define BOOT_DS		0x10

	/* The note the loader looks for: name "Xen", type 18, a 32-bit address. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4f - 3f			/* namesz */
	.long 6f - 5f			/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
3:	.asciz "Xen"
4:	.balign 4
5:	.long pvh_start
6:	.balign 4

	.section .head.text, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cld
	cli
	movl %ebx, %esi			/* the start_info pointer, until .bss is clean */

	/* Zero .bss: the loader zero-fills it per the ELF, but do not rely on it. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	movl %esi, pvh_start_info_pa
	movl $boot_stack_top, %esp

	/* Boot page tables: PML4[0] -> PDPT[0] -> PD, 512 x 2 MiB identity. */
	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl %cr4, %eax
	orl $X86_CR4_PAE, %eax
	movl %eax, %cr4

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	lgdt boot_gdt_desc

	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	movl %eax, %cr0

	ljmp $BOOT_CS, $startup_64

	.code64
startup_64:
	movl $BOOT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs

	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp			/* end of the frame-pointer chain for backtraces */
	movl pvh_start_info_pa(%rip), %edi
	call start_kernel
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	/* Static boot page tables: built by the assembler, not at run time. */
	.section .data
	.balign 4096
boot_pml4:
	.quad boot_pdpt + 0x3		/* present, writable */
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x3
	.fill 511, 8, 0
boot_pd:
	.set i, 0
	.rept 512
	.quad (i << 21) + 0x83		/* present, writable, 2 MiB page */
	.set i, i + 1
	.endr

	.section .bss
	.balign 16
	.globl pvh_start_info_pa
pvh_start_info_pa:
	.long 0
	.balign 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
