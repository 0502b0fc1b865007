// SPDX-License-Identifier: MIT
/*
 * start_kernel(): the order in which the kernel brings itself up, called
 * from head.S in long mode on the boot stack with interrupts off.  Each
 * step needs only the ones before it:
 *
 *   per-CPU area    GS base: current, smp_processor_id() (docs/smp.md)
 *   console         so that everything after can report
 *   GDT, IDT        so that a fault is reported, not a triple fault
 *   start_info      the command line and the memory map (PVH)
 *   TSC             the clock (printk stamps, calibrations)
 *   CPUs            the MADT's list, the AP trampoline page reserved
 *   paging          the direct map of all RAM, ioremap for the APICs
 *   guestmm         the page allocator over the RAM memblock found
 *   APIC, IOAPIC    the timer tick and the console's input interrupt
 *   scheduler       kernel threads, wait queues
 *   APs             INIT/SIPI; each comes up into its idle loop
 *   virtio          devices on the command line meet their drivers
 *   mm daemons      kswapd and kcompactd per node, swap on vda
 *   shell, control  tasks on COM1 and COM2; this context becomes idle
 */
#include <guest/apic.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/control.h>
#include <guest/pgtable.h>
#include <guest/power.h>
#include <guest/printk.h>
#include <guest/sched.h>
#include <guest/setup.h>
#include <guest/smp.h>
#include <guest/time.h>
#include <guest/traps.h>
#include <guest/virtio_mmio.h>
#include <guest/x86.h>

#define EBB_GUEST_VERSION	"0.1"

uint64_t boot_tsc_start;

__noreturn void start_kernel(uint32_t start_info_pa);

void start_kernel(uint32_t start_info_pa)
{
	const char *cmdline;

	boot_tsc_start = rdtsc();
	percpu_setup(&percpu_areas[0]);
	serial8250_init();
	gdt_init();
	idt_init();
	cmdline = pvh_parse_start_info(start_info_pa);
	setup_boot_options(cmdline);

	printk(KERN_NOTICE "ebb-guest version " EBB_GUEST_VERSION
	       " (x86-64 PVH micro-VM kernel)\n");
	printk(KERN_NOTICE "Command line: %s\n", boot_command_line);
	tsc_init();
	pvh_setup_memory();
	smp_prepare(pvh_rsdp_pa);
	paging_init();
	numa_init(boot_options.numa, boot_options.distance);
	mm_core_init();

	legacy_pic_disable();
	apic_init();
	ioapic_init();
	sched_init();
	smp_init_vectors();
	apic_timer_init();
	local_irq_enable();
	smp_boot_cpus();
	virtio_mmio_init();
	mm_late_init();

	shell_start(boot_options.init);
	control_start();
	cpu_idle();
}
