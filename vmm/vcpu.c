// SPDX-License-Identifier: MIT
/*
 * vCPU threads: KVM_RUN in a loop, each exit dispatched to the port or
 * MMIO bus, or ending the VM (triple fault, entry failure, internal error).
 * A stopping VM kicks each thread out of KVM_RUN with a signal and
 * kvm_run.immediate_exit, so there is no window where a kick is lost.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include <vmm/cpu.h>
#include <vmm/insn.h>
#include <vmm/seccomp.h>
#include <vmm/vm.h>

#define KICK_SIGNAL	SIGUSR1

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpu_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	return sigaction(KICK_SIGNAL, &sa, NULL);
}

static void note_first_exit(struct vm *vm)
{
	uint64_t zero = 0;

	if (!atomic_load_explicit(&vm->stats.t_first_exit, memory_order_relaxed))
		atomic_compare_exchange_strong(&vm->stats.t_first_exit, &zero, mono_ns());
}

static void triple_fault(struct vcpu *c)
{
	struct kvm_regs r;
	struct kvm_sregs sr;

	if (ioctl(c->fd, KVM_GET_REGS, &r) < 0 || ioctl(c->fd, KVM_GET_SREGS, &sr) < 0)
		vm_stop(c->vm, EBB_EXIT_TRIPLE_FAULT, "guest triple fault: vCPU %u shut down", c->id);
	else if (r.rip == 0xfff0 && sr.cs.base == 0xffff0000)
		/* SVM's VMCB is undefined after a shutdown: KVM has reset the vCPU. */
		vm_stop(c->vm, EBB_EXIT_TRIPLE_FAULT,
			"guest triple fault: vCPU %u shut down; its state at the fault is lost "
			"(KVM reset the vCPU, as it does on AMD); the guest hit an exception it "
			"could not handle", c->id);
	else
		vm_stop(c->vm, EBB_EXIT_TRIPLE_FAULT,
			"guest triple fault: vCPU %u shut down at RIP 0x%llx "
			"(CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx IDT limit 0x%x); "
			"the guest hit an exception it could not handle",
			c->id, r.rip, sr.cr0, sr.cr3, sr.cr4, sr.efer, sr.idt.limit);
}

/*
 * The instruction at the guest's RIP, up to @max bytes: read through the
 * guest's page tables (KVM_TRANSLATE) from guest RAM, not past the page
 * (the next may not be mapped); else the bytes KVM reports with an
 * emulation failure (Linux 5.14+), which are only as many as its decoder
 * fetched before giving up.  Returns how many bytes.
 */
static size_t failed_insn(struct vcpu *c, const struct kvm_regs *r, uint8_t *bytes, size_t max)
{
	struct kvm_run *run = c->run;
	struct kvm_translation tr = { .linear_address = r->rip };
	const uint8_t *p;

	if (ioctl(c->fd, KVM_TRANSLATE, &tr) == 0 && tr.valid) {
		size_t n = 0x1000 - (tr.physical_address & 0xfff);

		if (n > max)
			n = max;
		p = guest_mem_ptr(&c->vm->mem, tr.physical_address, n);
		if (p) {
			memcpy(bytes, p, n);
			return n;
		}
	}
	if (run->emulation_failure.ndata >= 3 &&
	    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		size_t n = run->emulation_failure.insn_size;

		if (n > max)
			n = max;
		if (n > sizeof(run->emulation_failure.insn_bytes))
			n = sizeof(run->emulation_failure.insn_bytes);
		memcpy(bytes, run->emulation_failure.insn_bytes, n);
		return n;
	}
	return 0;
}

static const char *const internal_suberror[] = {
	[KVM_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
	[KVM_INTERNAL_ERROR_SIMUL_EX] = "an exception while delivering an exception",
	[KVM_INTERNAL_ERROR_DELIVERY_EV] = "an error while delivering an event",
	[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "an exit reason KVM did not expect",
};

/*
 * KVM gave up on the guest.  On an interpreting KVM (PVM) that is most
 * often an instruction its emulator cannot run: say which, from its bytes.
 */
static void internal_error(struct vcpu *c)
{
	uint32_t sub = c->run->internal.suberror;
	const char *what = sub < sizeof(internal_suberror) / sizeof(internal_suberror[0]) &&
			   internal_suberror[sub] ? internal_suberror[sub] : "unknown suberror";
	struct kvm_regs r;
	struct kvm_sregs sr;
	uint8_t bytes[15];
	char hex[3 * 8 + 4] = "", insn[96];
	size_t n, shown;

	if (sub != KVM_INTERNAL_ERROR_EMULATION || ioctl(c->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(c->fd, KVM_GET_SREGS, &sr) < 0) {
		vm_stop(c->vm, EBB_EXIT_INTERNAL, "vCPU %u: KVM internal error, suberror %u (%s)",
			c->id, sub, what);
		return;
	}
	n = failed_insn(c, &r, bytes, sizeof(bytes));
	/* Eight bytes say enough; the instruction's length is not decoded. */
	shown = n < 8 ? n : 8;
	for (size_t i = 0; i < shown; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x%s", bytes[i],
			 i + 1 < shown ? " " : "");
	if (n > shown)
		strcat(hex, " ..");
	if (n)
		insn_describe(bytes, n, sr.cs.l, insn, sizeof(insn));
	vm_stop(c->vm, EBB_EXIT_INTERNAL,
		"vCPU %u: KVM could not emulate the guest instruction at RIP 0x%llx "
		"(%s-bit code): %s%s%s%s.  %s", c->id, r.rip, sr.cs.l ? "64" : sr.cs.db ? "32" : "16",
		n ? insn : "its bytes could not be read", n ? " [" : "", hex, n ? "]" : "",
		c->vm->kvm_flavour && !c->vm->kvm_flavour->native ?
		"This KVM interprets guest code and its emulator lacks that instruction: "
		"run the guest on a hardware KVM, or under QEMU (--accel qemu)" :
		"KVM emulates only what traps (MMIO, I/O, some privileged instructions): "
		"is code running from MMIO, or touching memory ebb did not map?");
}

/* Returns false when the VM must stop. */
static bool handle_exit(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	struct vm *vm = c->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		uint8_t *data = (uint8_t *)run + run->io.data_offset;
		bool out = run->io.direction == KVM_EXIT_IO_OUT;

		/* data_offset comes from the kernel, but check it anyway. */
		if (run->io.data_offset + (uint64_t)run->io.size * run->io.count >
		    (uint64_t)vm->kvm.vcpu_mmap_size) {
			vm_stop(vm, EBB_EXIT_INTERNAL, "vCPU %u: bad I/O exit data", c->id);
			return false;
		}
		for (uint32_t i = 0; i < run->io.count; i++)
			bus_access(&vm->pio, c->id, run->io.port, data + i * run->io.size,
				   run->io.size, out);
		return true;
	}
	case KVM_EXIT_MMIO:
		if (run->mmio.len > sizeof(run->mmio.data))
			return true;
		bus_access(&vm->mmio, c->id, run->mmio.phys_addr, run->mmio.data,
			   run->mmio.len, run->mmio.is_write);
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; a halted lone CPU is the end. */
		vm_stop(vm, EBB_EXIT_OK, "vCPU %u halted; stopping the VM", c->id);
		return false;
	case KVM_EXIT_SHUTDOWN:
		triple_fault(c);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_RESET:
			vm_stop(vm, EBB_EXIT_RESET, "guest requested reset");
			break;
		case KVM_SYSTEM_EVENT_CRASH:
			vm_stop(vm, EBB_EXIT_TRIPLE_FAULT, "guest reported a crash");
			break;
		default:
			vm_stop(vm, EBB_EXIT_OK, "guest powered off");
		}
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_stop(vm, EBB_EXIT_INTERNAL,
			"vCPU %u: KVM could not enter the guest (hardware reason 0x%llx)",
			c->id, (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		internal_error(c);
		return false;
	case KVM_EXIT_INTR:
		return true;
	default:
		vm_stop(vm, EBB_EXIT_INTERNAL, "vCPU %u: unexpected KVM exit reason %u",
			c->id, run->exit_reason);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", c->id);
	pthread_setname_np(pthread_self(), name);
	/* Set up by cpu_create (fd, kvm_run mapped): from here on, its allow-list. */
	seccomp_thread_enter(SECCOMP_THREAD_VCPU, name);
	while (!atomic_load(&vm->stopping)) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_stop(vm, EBB_EXIT_INTERNAL, "vCPU %u: KVM_RUN: %s", c->id,
				strerror(errno));
			break;
		}
		note_first_exit(vm);
		if (!handle_exit(c))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu *c)
{
	int r = pthread_create(&c->thread, NULL, vcpu_thread, c);

	if (r) {
		errno = r;
		return -1;
	}
	c->started = 1;
	return 0;
}

void vcpu_kick(struct vcpu *c)
{
	if (!c->started)
		return;
	__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(c->thread, KICK_SIGNAL);
}

void vcpu_join(struct vcpu *c)
{
	if (c->started)
		pthread_join(c->thread, NULL);
	c->started = 0;
}
