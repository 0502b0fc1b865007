/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport, version 2 (virtio 1.2, 4.2.2): one 4 KiB
 * register window per device at EBB_MMIO_BASE + i * EBB_MMIO_SIZE.  It
 * owns feature negotiation, the device status state machine, queue set-up,
 * the interrupt status and the config space accessors; the device model
 * behind it (virtio-blk, virtio-balloon) supplies a struct virtio_dev_ops.
 *
 * Interrupts are level-triggered, active high: the line is up while
 * InterruptStatus is non-zero, as on QEMU's virtio-mmio
 * (docs/CONVENTIONS.md).  Notifications: the device model's queue
 * handler runs on the device's own thread, woken through an eventfd that
 * KVM signals directly when ioeventfd is available (no exit to the VMM)
 * and that the QueueNotify MMIO handler signals otherwise.
 */
#ifndef EBB_VMM_VIRTIO_MMIO_H
#define EBB_VMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmm/virtio/queue.h>

struct guest_mem;
struct virtio_mmio;

#define VIRTIO_MMIO_MAX_QUEUES	8
#define VIRTIO_MMIO_VENDOR	0x00626265	/* "ebb\0", little-endian */

struct virtio_dev_ops {
	const char *name;		/* "virtio-blk" */
	uint32_t device_id;		/* VIRTIO_ID_* */
	uint64_t features;		/* offered; the transport adds VERSION_1 */
	unsigned int nr_queues;
	uint16_t queue_max;		/* QueueNumMax, a power of two <= VIRTQ_MAX_SIZE */
	/* Config space (bytes 0x100.. of the window); @len bytes at @off, in range. */
	void (*config_read)(struct virtio_mmio *vm, unsigned int off, void *buf,
			    unsigned int len);
	void (*config_write)(struct virtio_mmio *vm, unsigned int off, const void *buf,
			     unsigned int len);	/* may be NULL: config read-only */
	size_t config_len;
	/* QueueNotify for queue @q.  Called with vm->lock held. */
	void (*notify)(struct virtio_mmio *vm, unsigned int q);
	/* The driver wrote 0 to Status: drop all device state.  vm->lock held. */
	void (*reset)(struct virtio_mmio *vm);
};

struct virtio_mmio {
	const struct virtio_dev_ops *ops;
	void *dev;			/* the device model */
	const struct guest_mem *mem;
	uint64_t base;			/* guest physical address of the window */
	unsigned int irq;		/* IOAPIC pin */
	void (*set_irq)(void *ctx, unsigned int irq, int level);
	void *irq_ctx;

	/* Everything below is guarded by lock (vCPU threads and the device thread). */
	pthread_mutex_t lock;
	uint32_t status;
	uint32_t device_features_sel, driver_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t interrupt_status;
	uint32_t config_generation;
	int irq_level;
	struct virtq vq[VIRTIO_MMIO_MAX_QUEUES];
	unsigned long broken;		/* times the device declared NEEDS_RESET */
};

void virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops,
		      void *dev, const struct guest_mem *mem, uint64_t base,
		      unsigned int irq, void (*set_irq)(void *ctx, unsigned int irq, int level),
		      void *irq_ctx);
void virtio_mmio_destroy(struct virtio_mmio *vm);

/* Bus handler for the 4 KiB window. */
void virtio_mmio_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
		    bool is_write);

/* The features both sides agreed on (after FEATURES_OK). */
static inline bool virtio_mmio_has(const struct virtio_mmio *vm, unsigned int bit)
{
	return (vm->driver_features >> bit) & 1;
}

/* Is queue @q set up and the device live (DRIVER_OK, not NEEDS_RESET)?  Lock held. */
bool virtio_mmio_queue_live(const struct virtio_mmio *vm, unsigned int q);

/* Raise a used-buffer interrupt for queue @q (if the driver wants one).  Lock held. */
void virtio_mmio_signal_used(struct virtio_mmio *vm, unsigned int q);

/* The config space changed: bump the generation and interrupt.  Lock held. */
void virtio_mmio_config_changed(struct virtio_mmio *vm);

/*
 * The driver broke a rule (a malformed chain ...): set DEVICE_NEEDS_RESET,
 * tell the driver with a config-change interrupt, stop serving queues
 * until it resets the device.  Lock held.
 */
void virtio_mmio_needs_reset(struct virtio_mmio *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
