/* SPDX-License-Identifier: MIT */
/*
 * CPU exceptions and interrupts: the register frame every entry saves,
 * the vectors, and the hooks the page-fault handler consults.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <guestmm/compiler.h>

/* Laid out as guest/arch/entry.S pushes it. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long bp, di, si, dx, cx, bx, ax;
	unsigned long vector;
	unsigned long error_code;	/* 0 for vectors without one */
	/* Pushed by the CPU. */
	unsigned long ip, cs, flags, sp, ss;
};

/* Exception vectors (Intel SDM vol. 3 table 6-1). */
enum {
	X86_TRAP_DE = 0, X86_TRAP_DB, X86_TRAP_NMI, X86_TRAP_BP, X86_TRAP_OF,
	X86_TRAP_BR, X86_TRAP_UD, X86_TRAP_NM, X86_TRAP_DF, X86_TRAP_OLD_MF,
	X86_TRAP_TS, X86_TRAP_NP, X86_TRAP_SS, X86_TRAP_GP, X86_TRAP_PF,
	X86_TRAP_SPURIOUS, X86_TRAP_MF, X86_TRAP_AC, X86_TRAP_MC, X86_TRAP_XF,
	X86_TRAP_VE, X86_TRAP_CP,
	X86_TRAP_VC = 29, X86_TRAP_SE = 30,
	NR_EXCEPTION_VECTORS = 32
};

/* Interrupt vectors: IOAPIC pins from 32 up, local APIC ones at the top (as Linux). */
#define FIRST_EXTERNAL_VECTOR	0x20
#define LOCAL_TIMER_VECTOR	0xec
#define SPURIOUS_APIC_VECTOR	0xff

/* Interrupt stack table slots in the TSS. */
#define IST_DOUBLEFAULT		1
#define IST_NMI			2
#define IST_MCE			3

/* Page-fault error code bits. */
#define X86_PF_PROT	0x01	/* 0: page not present, 1: protection violation */
#define X86_PF_WRITE	0x02
#define X86_PF_USER	0x04
#define X86_PF_RSVD	0x08
#define X86_PF_INSTR	0x10

void gdt_init(void);
/* The GDT, TSS and IST stacks of @cpu, loaded on the calling CPU. */
void gdt_init_cpu(unsigned int cpu);
void idt_init(void);
/* Load the (shared) IDT on an AP. */
void idt_load(void);

void do_page_fault(struct pt_regs *regs);

/* Report an unhandled exception (Linux's oops text) and power off. */
__noreturn void die(const char *str, struct pt_regs *regs, unsigned long cr2);
void show_regs(const struct pt_regs *regs);
/* The caller's call trace (frame pointers), at emergency level. */
void dump_stack(void);

#endif
