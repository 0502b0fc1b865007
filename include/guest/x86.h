/* SPDX-License-Identifier: MIT */
/*
 * Thin wrappers around the x86-64 instructions the kernel needs: port I/O,
 * MSRs, CPUID, control registers, the TSC and the interrupt flag.  Each is
 * one instruction; keeping them here keeps inline asm out of the C files.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>
#include <stdbool.h>

#define X86_EFLAGS_IF	(1UL << 9)

#define X86_CR0_PE	(1UL << 0)
#define X86_CR0_WP	(1UL << 16)
#define X86_CR0_PG	(1UL << 31)
#define X86_CR4_PAE	(1UL << 5)
#define X86_CR4_PGE	(1UL << 7)
#define X86_CR4_SMAP	(1UL << 21)

#define MSR_EFER		0xc0000080
#define EFER_NX			(1UL << 11)
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(unsigned long v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(unsigned long v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void invlpg(unsigned long addr)
{
	__asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

static inline unsigned long native_save_fl(void)
{
	unsigned long f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline bool irqs_disabled(void)
{
	return !(native_save_fl() & X86_EFLAGS_IF);
}

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long f = native_save_fl();

	local_irq_disable();
	return f;
}

static inline void arch_local_irq_restore(unsigned long f)
{
	if (f & X86_EFLAGS_IF)
		local_irq_enable();
}

/* Wait for the next interrupt with interrupts enabled (the sti shadow
 * covers the hlt, so a wake-up between the two cannot be lost). */
static inline void safe_halt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

#endif
