// SPDX-License-Identifier: MIT
/*
 * The 64-bit entry environment: identity page tables over the first
 * 4 GiB, a flat 64-bit GDT and the registers that go with them (see
 * include/vmm/longmode.h).  A bzImage's entry, the calibration VM and the
 * cost benchmark's KVM runner all start a vCPU this way.
 */
#include <stdint.h>
#include <string.h>

#include <asm/processor-flags.h>
#include <linux/kvm.h>

#include <vmm/layout.h>
#include <vmm/longmode.h>
#include <vmm/memory.h>

/* EFER (AMD APM vol. 2, 3.1.7): the UAPI has the CR0/CR4 bits, not these. */
#define EFER_LME		(1ULL << 8)	/* long mode enable */
#define EFER_LMA		(1ULL << 10)	/* long mode active */

#define PTE_PRESENT		0x1ULL
#define PTE_WRITE		0x2ULL
#define PTE_LARGE		0x80ULL		/* in a page directory: a 2 MiB page */
#define PT_ENTRIES		512
#define PD_COUNT		4		/* 4 x 1 GiB */

#define PML4_ADDR		EBB_PGTABLE_ADDR
#define PDPT_ADDR		(EBB_PGTABLE_ADDR + 0x1000)
#define PD_ADDR			(EBB_PGTABLE_ADDR + 0x2000)

_Static_assert(0x2000 + PD_COUNT * 0x1000 == EBB_PGTABLE_SIZE, "PML4, PDPT and the PDs fill the area");

/*
 * Descriptors: base 0, limit 4 GiB.  Code: present, DPL 0, execute/read,
 * accessed, L=1 (64-bit).  Data: read/write, accessed, 32-bit, 4 KiB
 * granularity.  TSS: a busy 64-bit TSS of 0x68 bytes at 0; KVM takes the
 * hidden state from KVM_SET_SREGS (vmm/cpu.c), this is what the GDT says.
 */
static const uint64_t longmode_gdt[LONGMODE_GDT_ENTRIES] = {
	[LONGMODE_CS / 8] = 0x00af9b000000ffffULL,
	[LONGMODE_DS / 8] = 0x00cf93000000ffffULL,
	[LONGMODE_TSS / 8] = 0x00008b0000000067ULL,
};

void longmode_fill(uint8_t *low)
{
	uint64_t *pml4 = (uint64_t *)(low + PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(low + PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(low + PD_ADDR);

	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < PD_COUNT; i++)
		pdpt[i] = (PD_ADDR + i * 0x1000) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < PD_COUNT * PT_ENTRIES; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	memcpy(low + EBB_GDT_ADDR, longmode_gdt, sizeof(longmode_gdt));
}

int longmode_write(struct guest_mem *m)
{
	/* Node 0's RAM starts at 0: the low megabyte is one run of it. */
	uint8_t *low = guest_mem_ptr(m, 0, LONGMODE_LOW_END);

	if (!low)
		return -1;
	longmode_fill(low);
	return 0;
}

static void longmode_seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
}

void longmode_sregs(struct kvm_sregs *sr)
{
	longmode_seg(&sr->cs, LONGMODE_CS, 0xb);	/* execute/read, accessed */
	sr->cs.l = 1;
	longmode_seg(&sr->ds, LONGMODE_DS, 0x3);	/* read/write, accessed */
	sr->ds.db = 1;
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	memset(&sr->tr, 0, sizeof(sr->tr));
	sr->tr.selector = LONGMODE_TSS;
	sr->tr.limit = 0x67;
	sr->tr.type = 0xb;
	sr->tr.present = 1;
	sr->gdt.base = EBB_GDT_ADDR;
	sr->gdt.limit = LONGMODE_GDT_ENTRIES * 8 - 1;
	sr->idt.base = 0;
	sr->idt.limit = 0;
	sr->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sr->cr3 = PML4_ADDR;
	sr->cr4 = X86_CR4_PAE;
	sr->efer = EFER_LME | EFER_LMA;
}
