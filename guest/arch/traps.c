// SPDX-License-Identifier: MIT
/*
 * The IDT and what happens on each CPU exception.
 *
 * A page fault goes to do_page_fault() (mm/fault.c), which gives its hooks
 * (vmalloc, swap-in) a chance first.  Every other exception is a kernel
 * bug here (there is no user mode to signal): report it the way Linux's
 * oops does, registers and a frame-pointer backtrace included, and power
 * off with EXIT_STATUS_EXCEPTION so the VMM and the tests see a failure.
 */
#include <guest/interrupts.h>
#include <guest/power.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/traps.h>
#include <guest/x86.h>

#define GDT_KERNEL_CS	0x08

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const char interrupt_stubs[];

static const char *const exception_names[NR_EXCEPTION_VECTORS] = {
	[X86_TRAP_DE] = "divide error",
	[X86_TRAP_DB] = "debug",
	[X86_TRAP_NMI] = "NMI",
	[X86_TRAP_BP] = "int3",
	[X86_TRAP_OF] = "overflow",
	[X86_TRAP_BR] = "bounds",
	[X86_TRAP_UD] = "invalid opcode",
	[X86_TRAP_NM] = "device not available",
	[X86_TRAP_DF] = "double fault",
	[X86_TRAP_OLD_MF] = "coprocessor segment overrun",
	[X86_TRAP_TS] = "invalid TSS",
	[X86_TRAP_NP] = "segment not present",
	[X86_TRAP_SS] = "stack segment",
	[X86_TRAP_GP] = "general protection fault",
	[X86_TRAP_PF] = "page fault",
	[X86_TRAP_MF] = "coprocessor error",
	[X86_TRAP_AC] = "alignment check",
	[X86_TRAP_MC] = "machine check",
	[X86_TRAP_XF] = "SIMD exception",
	[X86_TRAP_VE] = "virtualization exception",
	[X86_TRAP_CP] = "control protection fault",
	[X86_TRAP_VC] = "VMM communication exception",
	[X86_TRAP_SE] = "security exception",
};

static void set_gate(unsigned int vec, const void *handler, unsigned int ist)
{
	uint64_t addr = (uint64_t)handler;

	idt[vec] = (struct idt_entry){
		.offset_low = addr & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = (uint8_t)ist,
		.type_attr = 0x8e,	/* present, DPL 0, 64-bit interrupt gate */
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_high = (uint32_t)(addr >> 32),
	};
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(desc));
}

void idt_init(void)
{
	for (unsigned int vec = 0; vec < 256; vec++)
		set_gate(vec, interrupt_stubs + vec * 16, 0);
	set_gate(X86_TRAP_DF, interrupt_stubs + X86_TRAP_DF * 16, IST_DOUBLEFAULT);
	set_gate(X86_TRAP_NMI, interrupt_stubs + X86_TRAP_NMI * 16, IST_NMI);
	set_gate(X86_TRAP_MC, interrupt_stubs + X86_TRAP_MC * 16, IST_MCE);
	idt_load();
}

void show_regs(const struct pt_regs *regs)
{
	printk(KERN_EMERG "RIP: %04lx:%#018lx\n", regs->cs, regs->ip);
	printk(KERN_EMERG "RSP: %04lx:%016lx EFLAGS: %08lx\n", regs->ss, regs->sp, regs->flags);
	printk(KERN_EMERG "RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->ax, regs->bx, regs->cx);
	printk(KERN_EMERG "RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->dx, regs->si, regs->di);
	printk(KERN_EMERG "RBP: %016lx R08: %016lx R09: %016lx\n", regs->bp, regs->r8, regs->r9);
	printk(KERN_EMERG "R10: %016lx R11: %016lx R12: %016lx\n", regs->r10, regs->r11, regs->r12);
	printk(KERN_EMERG "R13: %016lx R14: %016lx R15: %016lx\n", regs->r13, regs->r14, regs->r15);
	printk(KERN_EMERG "CR2: %016lx CR3: %016lx CR4: %016lx\n", read_cr2(), read_cr3(), read_cr4());
}

/*
 * Walk the frame-pointer chain (the kernel is built with frame pointers).
 * Addresses only: resolve them with addr2line -e build/guest/ebb-guest.elf.
 * Each frame is checked to lie in the kernel's low memory before it is
 * read, so a corrupt chain ends the walk rather than faulting again.
 */
static void show_trace(unsigned long bp)
{
	printk(KERN_EMERG "Call Trace:\n");
	for (int depth = 0; depth < 16 && bp; depth++) {
		unsigned long *frame = (unsigned long *)bp;

		if (bp & 7 || bp < 0x100000 || bp >= 0x40000000)
			break;
		printk(KERN_EMERG " [<%016lx>]\n", frame[1]);
		if (frame[0] <= bp)
			break;
		bp = frame[0];
	}
}

void dump_stack(void)
{
	show_trace((unsigned long)__builtin_frame_address(0));
}

void die(const char *str, struct pt_regs *regs, unsigned long cr2)
{
	static int die_counter;

	local_irq_disable();
	if (panic_in_progress)
		machine_power_off(EXIT_STATUS_EXCEPTION);
	panic_in_progress = 1;	/* from here printk writes straight to the UART */

	if (regs->vector == X86_TRAP_PF)
		printk(KERN_EMERG "BUG: unable to handle page fault for address: %016lx\n", cr2);
	printk(KERN_EMERG "Oops: %s: %04lx [#%d]\n", str, regs->error_code, ++die_counter);
	printk(KERN_EMERG "CPU: %u PID: %d Comm: %s\n", smp_processor_id(),
	       current ? current->pid : 0,
	       current ? current->comm : "?");
	show_regs(regs);
	show_trace(regs->bp);
	printk(KERN_EMERG "---[ end trace ]---\n");
	printk(KERN_EMERG "Kernel panic - not syncing: Fatal exception (vector %lu)\n", regs->vector);
	machine_power_off(EXIT_STATUS_EXCEPTION);
}

void do_interrupt(struct pt_regs *regs);

void do_interrupt(struct pt_regs *regs)
{
	unsigned long vec = regs->vector;

	if (vec >= NR_EXCEPTION_VECTORS) {
		do_irq((unsigned int)vec);
		return;
	}
	if (vec == X86_TRAP_PF) {
		do_page_fault(regs);
		return;
	}
	die(exception_names[vec] ? exception_names[vec] : "reserved exception", regs, 0);
}
