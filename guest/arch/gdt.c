// SPDX-License-Identifier: MIT
/*
 * The GDT and TSS.  Long mode ignores segment bases and limits, but it
 * still needs a code segment with L=1, a data segment for SS, and a TSS:
 * the TSS's interrupt stack table gives the double-fault, NMI and machine
 * check handlers stacks of their own, so a kernel stack overflow ends in
 * a readable report instead of a triple fault.  Each CPU has its own
 * GDT, TSS and IST stacks: a busy TSS descriptor cannot be loaded twice,
 * and two CPUs faulting at once must not share a stack.
 */
#include <guest/smp.h>
#include <guest/string.h>
#include <guest/traps.h>

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_TSS		0x18

#define IST_STACK_SIZE	8192

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss64 tss_of[NR_CPUS];
static uint64_t gdt_of[NR_CPUS][5] __attribute__((aligned(16)));
static char ist_stacks[NR_CPUS][3][IST_STACK_SIZE] __attribute__((aligned(16)));

void gdt_init(void)
{
	gdt_init_cpu(0);
}

void gdt_init_cpu(unsigned int cpu)
{
	struct tss64 *tss = &tss_of[cpu];
	uint64_t *gdt = gdt_of[cpu];
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(gdt_of[cpu]) - 1, (uint64_t)gdt };

	for (int i = 0; i < 3; i++)
		tss->ist[i] = (uint64_t)ist_stacks[cpu][i] + IST_STACK_SIZE;	/* IST1..3 */
	tss->iomap_base = sizeof(*tss);	/* no I/O bitmap */

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL;	/* kernel code: present, DPL 0, L = 1 */
	gdt[2] = 0x00cf92000000ffffULL;	/* kernel data */
	/* The 16-byte TSS descriptor: type 9 (available 64-bit TSS), present. */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	__asm__ volatile(
		"lgdt %0\n\t"
		/* Reload CS with a far return, then the data segments. */
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"ltr %w3"
		: : "m"(desc), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "r"(GDT_TSS)
		: "rax", "memory");
}
