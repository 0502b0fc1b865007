// SPDX-License-Identifier: MIT
/*
 * The KVM backend's devices, in the order docs/CONVENTIONS.md fixes:
 * COM1 (console) and COM2 (control channel) UARTs, the exit and reset
 * ports, the ACPI sleep register (how Linux powers off), the ports of PC
 * hardware ebb has not (answered as absent), then the virtio-mmio devices
 * from EBB_MMIO_BASE, IRQ 5 up: the
 * swap disk first when there is one.  Each UART's output goes into a
 * socketpair the monitor reads, so the vCPU that writes a byte never waits
 * for the terminal or a control client.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/virtio_mmio.h>

#include <vmm/acpi.h>
#include <vmm/irqchip.h>
#include <vmm/swapfile.h>
#include <vmm/vm.h>

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* Guest output can outrun the monitor for a moment; keep a generous buffer. */
#define UART_SOCKBUF	(1 << 20)

static void com_irq(void *ctx, int level, unsigned int irq)
{
	struct vm *vm = ctx;

	irqchip_line(vm->kvm.vm_fd, irq, level);
}

static void com1_irq(void *ctx, int level)
{
	com_irq(ctx, level, SERIAL_COM1_IRQ);
}

static void com2_irq(void *ctx, int level)
{
	com_irq(ctx, level, SERIAL_COM2_IRQ);
}

static void com1_first_tx(void *ctx)
{
	struct vm *vm = ctx;

	atomic_store(&vm->stats.t_first_tx, mono_ns());
}

static void virtio_irq(void *ctx, unsigned int irq, int level)
{
	struct vm *vm = ctx;

	irqchip_line(vm->kvm.vm_fd, irq, level);
}

/* A socketpair: @dev[0] for the UART (non-blocking writes), @dev[1] for the monitor. */
static int uart_pipe(int fd[2])
{
	int sz = UART_SOCKBUF;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fd))
		return -1;
	setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return 0;
}

/* Let KVM signal @efd on a QueueNotify write of @q, without an exit to us. */
static void add_ioeventfd(struct vm *vm, uint64_t base, unsigned int q, int efd)
{
	struct kvm_ioeventfd io = {
		.datamatch = q,
		.addr = base + VIRTIO_MMIO_QUEUE_NOTIFY,
		.len = 4,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	if (ioctl(vm->kvm.vm_fd, KVM_IOEVENTFD, &io))
		vmm_log("KVM_IOEVENTFD: %s; virtio notifications take the MMIO exit",
			strerror(errno));
}

/*
 * Note a virtio-mmio transport at @base, IRQ @irq: for the ACPI tables
 * (vmm/acpi/tables.c) and on the command line, as Linux's
 * virtio_mmio.device= (ebb's own guest reads only that).
 */
static void virtio_slot_add(struct vm *vm, char *params, size_t plen, uint64_t base,
			    unsigned int irq)
{
	size_t n = strlen(params);

	vm->virtio[vm->nr_virtio++] = (struct vm_virtio_slot){ .base = base, .irq = irq };
	snprintf(params + n, plen - n, "%svirtio_mmio.device=4K@0x%" PRIx64 ":%u",
		 n ? " " : "", base, irq);
}

int devices_create(struct vm *vm, char *params, size_t plen, char *err, size_t errlen)
{
	const struct ebb_options *o = vm->opts;
	uint64_t base = EBB_MMIO_BASE;
	unsigned int irq = EBB_VIRTIO_IRQ_BASE;

	params[0] = '\0';
	if (uart_pipe(vm->console_fd) || uart_pipe(vm->chan_fd))
		ERR("socketpair: %s", strerror(errno));
	serial_init(&vm->com1, vm->console_fd[0], com1_irq, vm);
	vm->com1.on_tx = com1_first_tx;
	vm->com1.tx_ctx = vm;
	serial_init(&vm->com2, vm->chan_fd[0], com2_irq, vm);
	if (bus_register(&vm->pio, SERIAL_COM1_BASE, SERIAL_NR_REGS, serial_io, &vm->com1, "com1") ||
	    bus_register(&vm->pio, SERIAL_COM2_BASE, SERIAL_NR_REGS, serial_io, &vm->com2, "com2") ||
	    debug_exit_register(vm) || acpi_sleep_register(vm) || absent_ports_register(vm))
		ERR("registering the serial and exit ports failed");

	if (o->swap_path[0]) {
		uint64_t bytes;

		vm->swap_fd = swapfile_open(o->swap_path, o->swap_size, &bytes, err, errlen);
		if (vm->swap_fd < 0)
			return -1;
		if (virtio_blk_init(&vm->blk, vm->swap_fd, bytes, "ebb-swap", &vm->mem, base, irq,
				    virtio_irq, vm))
			ERR("virtio-blk: %s", strerror(errno));
		vm->has_blk = true;
		if (bus_register(&vm->mmio, base, EBB_MMIO_SIZE, virtio_mmio_io, &vm->blk.mmio,
				 "virtio-blk"))
			ERR("registering virtio-blk failed");
		add_ioeventfd(vm, base, 0, vm->blk.worker.kick_fd);
		virtio_slot_add(vm, params, plen, base, irq);
		base += EBB_MMIO_SIZE;
		irq++;
	}
	if (o->balloon) {
		if (balloon_dev_init(&vm->balloon, &o->balloon_cfg, &vm->mem, base, irq, virtio_irq, vm))
			ERR("virtio-balloon: %s", strerror(errno));
		vm->has_balloon = true;
		if (bus_register(&vm->mmio, base, EBB_MMIO_SIZE, virtio_mmio_io, &vm->balloon.mmio,
				 "virtio-balloon"))
			ERR("registering virtio-balloon failed");
		for (unsigned int q = 0; q < BALLOON_NR_VQS; q++)
			add_ioeventfd(vm, base, q, vm->balloon.worker.kick_fd);
		virtio_slot_add(vm, params, plen, base, irq);
	}
	return 0;
}

int devices_start(struct vm *vm)
{
	if (vm->has_blk && virtio_blk_start(&vm->blk))
		return -1;
	return vm->has_balloon ? balloon_dev_start(&vm->balloon) : 0;
}

void devices_destroy(struct vm *vm)
{
	if (vm->has_blk)
		virtio_blk_destroy(&vm->blk);
	vm->has_blk = false;
	if (vm->has_balloon)
		balloon_dev_destroy(&vm->balloon);
	vm->has_balloon = false;
	if (vm->swap_fd >= 0)
		close(vm->swap_fd);
	for (int i = 0; i < 2; i++) {
		if (vm->console_fd[i] >= 0)
			close(vm->console_fd[i]);
		if (vm->chan_fd[i] >= 0)
			close(vm->chan_fd[i]);
		vm->console_fd[i] = vm->chan_fd[i] = -1;
	}
	vm->swap_fd = -1;
}
