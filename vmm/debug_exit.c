// SPDX-License-Identifier: MIT
/*
 * Ports that end the VM: 0xf4 (QEMU's isa-debug-exit) takes the guest's
 * power-off status; 0xcf9 (the PCI reset control register) and 0x64 (the
 * i8042 "pulse reset line" command 0xfe) are reset requests.  Port 0x80,
 * the POST / I/O-delay port, is accepted silently.
 */
#include <vmm/vm.h>

#define DEBUG_EXIT_PORT		0xf4
#define RESET_CONTROL_PORT	0xcf9
#define RESET_CONTROL_RST_CPU	0x04	/* with SYS_RST (0x02): full reset */
#define I8042_COMMAND_PORT	0x64
#define I8042_CMD_PULSE_RESET	0xfe
#define POST_PORT		0x80

static void debug_exit_io(void *ctx, uint64_t off, uint8_t *data,
			  unsigned int size, bool is_write)
{
	struct vm *vm = ctx;

	if (!is_write) {
		data[0] = 0;
		return;
	}
	if (data[0] == 0)
		vm_stop(vm, EBB_EXIT_OK, NULL);
	else
		vm_stop(vm, EBB_EXIT_GUEST_BASE + data[0],
			"guest powered off with status %u", data[0]);
}

static void reset_control_io(void *ctx, uint64_t off, uint8_t *data,
			     unsigned int size, bool is_write)
{
	struct vm *vm = ctx;

	if (!is_write) {
		for (unsigned int i = 0; i < size; i++)
			data[i] = 0;
		return;
	}
	if (off == 0 && (data[0] & RESET_CONTROL_RST_CPU))
		vm_stop(vm, EBB_EXIT_RESET, "guest requested reset (port 0xcf9)");
}

static void i8042_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
		     bool is_write)
{
	struct vm *vm = ctx;

	if (!is_write) {
		data[0] = 0;	/* status: nothing to read, ready for input */
		return;
	}
	if (data[0] == I8042_CMD_PULSE_RESET)
		vm_stop(vm, EBB_EXIT_RESET, "guest requested reset (i8042 port 0x64)");
}

static void post_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
		    bool is_write)
{
	if (!is_write)
		for (unsigned int i = 0; i < size; i++)
			data[i] = 0xff;
}

int debug_exit_register(struct vm *vm)
{
	if (bus_register(&vm->pio, DEBUG_EXIT_PORT, 1, debug_exit_io, vm, "debug-exit") ||
	    bus_register(&vm->pio, RESET_CONTROL_PORT, 1, reset_control_io, vm, "reset-control") ||
	    bus_register(&vm->pio, I8042_COMMAND_PORT, 1, i8042_io, vm, "i8042") ||
	    bus_register(&vm->pio, POST_PORT, 1, post_io, vm, "post"))
		return -1;
	return 0;
}
