/* SPDX-License-Identifier: MIT */
/*
 * The guest's two ways in, and its interrupt entry points.
 *
 * pvh_start (the PVH note): 32-bit protected mode, paging off, EBX =
 * start_info, as QEMU and ebb start a PVH kernel.  It maps the first
 * GiB, enters long mode and joins the 64-bit entry.
 *
 * entry64 (the ELF entry): long mode already, the first GiB identity
 * mapped, EBX = start_info.  bench/vcost/kvm.c starts here, with the
 * state set by KVM_SET_SREGS: no 32-bit code runs under KVM, which a KVM
 * that interprets its guest (PVM) may not run at all.
 *
 * Handlers: #PF for the window (map the page, return), the LAPIC timer,
 * the spurious vector, and a stub for every other vector that reports
 * it and powers off: nothing else is expected, and a measurement with a
 * surprise in it is not one.
 */
#define __ASSEMBLY__
#include <pvh/start_info.h>

#include "guest.h"

#define MSR_EFER	0xc0000080
#define EFER_LME	0x100
#define CR0_PE_PG	0x80000001
#define CR4_PAE		0x20

	.section .note.pvh, "a", @note
	.balign 4
	.long 4
	.long 4
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start

	.code32
	.text
	.globl pvh_start
pvh_start:
	/* EBX (start_info) is kept to the end. */
	mov $boot_pd, %edi
	mov $(PTE_P | PTE_RW | PTE_PS), %eax
	mov $512, %ecx
1:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	dec %ecx
	jnz 1b
	movl $(boot_pd + PTE_P + PTE_RW), boot_pdpt
	movl $(boot_pdpt + PTE_P + PTE_RW), boot_pml4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PE_PG, %eax
	mov %eax, %cr0
	lgdt gdt_desc
	ljmp $GUEST_CS, $entry64

	.code64
	.globl entry64
entry64:
	lgdt gdt_desc(%rip)
	mov $GUEST_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	lea stack_top(%rip), %rsp
	pushq $GUEST_CS
	lea 2f(%rip), %rax
	push %rax
	lretq
2:	mov %ebx, %edi			/* start_info; the upper half may be stale */
	call vcost_main
3:	hlt
	jmp 3b

/*
 * #PF: a fault inside the window maps its page (to vcost_win_pte) and
 * returns to retry the access; anything else is a fault to report.
 */
	.globl vcost_pf_entry
vcost_pf_entry:
	push %rax
	push %rdx
	mov %cr2, %rax
	movabs $GUEST_WIN_VA, %rdx
	sub %rdx, %rax
	cmp $(GUEST_WIN_PAGES * 4096), %rax
	jae 1f
	shr $12, %rax
	lea vcost_win_pt(%rip), %rdx
	lea (%rdx, %rax, 8), %rdx
	mov vcost_win_pte(%rip), %rax
	mov %rax, (%rdx)
	pop %rdx
	pop %rax
	add $8, %rsp			/* the error code */
	iretq
1:	pop %rdx
	pop %rax
	pushq $14
	jmp fault_common

/*
 * The LAPIC timer: count the tick, EOI, and re-arm the one-shot when
 * vcost_rearm says so (the tick op: one shot per tick, as a tickless
 * kernel does, so a slow interrupt path can never become a storm).
 *
 * A tick taken at the hlt op's hlt came inside sti's interrupt shadow,
 * which a platform that keeps the shadow never does; the nested
 * harness (QEMU TCG's SVM under kvm_amd) does it, and the hlt would
 * then wait for a tick that has come and gone.  Step over the hlt and
 * count it (vcost_early_ticks).
 */
	.globl vcost_timer_entry
vcost_timer_entry:
	push %rax
	push %rdx
	incq vcost_ticks(%rip)
	lea vcost_hlt_insn(%rip), %rax
	cmp %rax, 16(%rsp)		/* the interrupted RIP */
	jne 2f
	incq 16(%rsp)			/* hlt is one byte */
	incq vcost_early_ticks(%rip)
2:
	mov $APIC_BASE, %edx
	movl $0, APIC_EOI(%rdx)
	mov vcost_rearm(%rip), %eax
	test %eax, %eax
	jz 1f
	mov %eax, APIC_TMICT(%rdx)
1:	pop %rdx
	pop %rax
	iretq

	.globl vcost_spurious_entry
vcost_spurious_entry:
	iretq				/* the LAPIC's spurious vector takes no EOI */

/*
 * One 16-byte stub per vector: push a zero where the CPU pushes no error
 * code, push the vector, report.
 */
	.balign 16
	.globl vcost_vector_stubs
vcost_vector_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
	.else
	pushq $0
	.endif
	pushq $vec
	jmp fault_common
	.set vec, vec + 1
	.endr

/* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
fault_common:
	mov (%rsp), %rdi
	mov 8(%rsp), %rsi
	mov 16(%rsp), %rdx
	mov %cr2, %rcx
	and $-16, %rsp
	call vcost_fault		/* does not return */
	jmp fault_common

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* GUEST_CS: 64-bit code */
	.quad 0x00cf92000000ffff	/* GUEST_DS: data */
gdt_end:
/* Ten bytes for lgdt in long mode; 32-bit mode reads the first six. */
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096
	.balign 16
	.skip 16384
stack_top:
