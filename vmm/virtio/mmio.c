// SPDX-License-Identifier: MIT
/*
 * virtio-mmio version 2 registers (virtio 1.2, 4.2.2).  Registers below
 * the config space are 32 bits wide and only 32-bit aligned accesses
 * mean anything; others read as 0 and are ignored on write.  The driver
 * cannot clear status bits other than by writing 0 (reset), and
 * DEVICE_NEEDS_RESET is the device's to set.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include <vmm/log.h>
#include <vmm/virtio/mmio.h>

#define VIRTIO_MMIO_MAGIC	0x74726976	/* "virt" */

void virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops,
		      void *dev, const struct guest_mem *mem, uint64_t base,
		      unsigned int irq, void (*set_irq)(void *ctx, unsigned int irq, int level),
		      void *irq_ctx)
{
	memset(vm, 0, sizeof(*vm));
	vm->ops = ops;
	vm->dev = dev;
	vm->mem = mem;
	vm->base = base;
	vm->irq = irq;
	vm->set_irq = set_irq;
	vm->irq_ctx = irq_ctx;
	pthread_mutex_init(&vm->lock, NULL);
}

void virtio_mmio_destroy(struct virtio_mmio *vm)
{
	pthread_mutex_destroy(&vm->lock);
}

static uint64_t offered(const struct virtio_mmio *vm)
{
	return vm->ops->features | (1ULL << VIRTIO_F_VERSION_1);
}

static void update_irq(struct virtio_mmio *vm)
{
	int level = vm->interrupt_status != 0;

	if (level != vm->irq_level) {
		vm->irq_level = level;
		if (vm->set_irq)
			vm->set_irq(vm->irq_ctx, vm->irq, level);
	}
}

bool virtio_mmio_queue_live(const struct virtio_mmio *vm, unsigned int q)
{
	return q < vm->ops->nr_queues && vm->vq[q].ready &&
	       (vm->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vm->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtio_mmio_signal_used(struct virtio_mmio *vm, unsigned int q)
{
	if (!virtq_want_irq(&vm->vq[q]))
		return;
	vm->interrupt_status |= VIRTIO_MMIO_INT_VRING;
	update_irq(vm);
}

void virtio_mmio_config_changed(struct virtio_mmio *vm)
{
	vm->config_generation++;
	if (vm->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vm->interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
		update_irq(vm);
	}
}

void virtio_mmio_needs_reset(struct virtio_mmio *vm, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vm->broken++;
	if (vm->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;		/* already said */
	vmm_log("%s at 0x%llx: %s; device needs reset", vm->ops->name,
		(unsigned long long)vm->base, msg);
	vm->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* 2.1.2: a device that needs reset sends a config change notification. */
	if (vm->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vm->interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
		update_irq(vm);
	}
}

static void device_reset(struct virtio_mmio *vm)
{
	if (vm->ops->reset)
		vm->ops->reset(vm);
	vm->status = 0;
	vm->device_features_sel = vm->driver_features_sel = 0;
	vm->driver_features = 0;
	vm->queue_sel = 0;
	vm->interrupt_status = 0;
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&vm->vq[i]);
	update_irq(vm);
}

static void write_status(struct virtio_mmio *vm, uint32_t v)
{
	uint32_t nv, added;

	if (v == 0) {
		device_reset(vm);
		return;
	}
	/* Bits only accumulate; NEEDS_RESET is not the driver's to set. */
	nv = vm->status | (v & 0xff & ~(uint32_t)VIRTIO_CONFIG_S_NEEDS_RESET);
	added = nv & ~vm->status;
	if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
		/* 3.1.1: accept only a subset of what we offered, with VERSION_1. */
		if ((vm->driver_features & ~offered(vm)) ||
		    !(vm->driver_features & (1ULL << VIRTIO_F_VERSION_1)))
			nv &= ~(uint32_t)VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !(nv & VIRTIO_CONFIG_S_FEATURES_OK)) {
		nv &= ~(uint32_t)VIRTIO_CONFIG_S_DRIVER_OK;
		vm->status = nv;
		virtio_mmio_needs_reset(vm, "DRIVER_OK without FEATURES_OK");
		return;
	}
	vm->status = nv;
	/*
	 * A notification before DRIVER_OK was dropped (3.1.1 forbids it), but
	 * the buffers it announced are in the ring: a driver that primed a
	 * queue in its probe and kicked early (a stats buffer, which nothing
	 * else will kick again) must not wait forever for a second kick.
	 */
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && vm->ops->notify)
		for (unsigned int q = 0; q < vm->ops->nr_queues; q++)
			if (virtio_mmio_queue_live(vm, q))
				vm->ops->notify(vm, q);
}

static struct virtq *selected(struct virtio_mmio *vm)
{
	return vm->queue_sel < vm->ops->nr_queues ? &vm->vq[vm->queue_sel] : NULL;
}

/* A queue register may change only while the queue is not ready (4.2.2.3). */
static struct virtq *settable(struct virtio_mmio *vm)
{
	struct virtq *q = selected(vm);

	return q && !q->ready ? q : NULL;
}

static uint32_t read_reg(struct virtio_mmio *vm, unsigned int off)
{
	struct virtq *q = selected(vm);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return 2;
	case VIRTIO_MMIO_DEVICE_ID: return vm->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vm->device_features_sel > 1)
			return 0;
		return (uint32_t)(offered(vm) >> (32 * vm->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return q ? vm->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY: return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return vm->interrupt_status;
	case VIRTIO_MMIO_STATUS: return vm->status;
	case VIRTIO_MMIO_CONFIG_GENERATION: return vm->config_generation;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffff;	/* no shared memory regions: length -1 */
	default: return 0;
	}
}

static void set_half(uint64_t *v, bool high, uint32_t x)
{
	if (high)
		*v = (*v & 0xffffffffULL) | ((uint64_t)x << 32);
	else
		*v = (*v & ~0xffffffffULL) | x;
}

static void write_reg(struct virtio_mmio *vm, unsigned int off, uint32_t v)
{
	struct virtq *q;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: vm->device_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: vm->driver_features_sel = v; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Only between DRIVER and FEATURES_OK (3.1.1 steps 3-5). */
		if (!(vm->status & VIRTIO_CONFIG_S_DRIVER) ||
		    (vm->status & VIRTIO_CONFIG_S_FEATURES_OK) || vm->driver_features_sel > 1)
			break;
		set_half(&vm->driver_features, vm->driver_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL: vm->queue_sel = v; break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if ((q = settable(vm)))
			q->size = v > 0xffff ? 0 : (uint16_t)v;	/* 0: refused at ready */
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if ((q = settable(vm)))
			set_half(&q->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if ((q = settable(vm)))
			set_half(&q->avail_gpa, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if ((q = settable(vm)))
			set_half(&q->used_gpa, off == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q = selected(vm);
		if (!q)
			break;
		if (!v) {
			q->ready = false;
		} else if (!q->ready && virtq_enable(q, vm->mem, vm->ops->queue_max)) {
			virtio_mmio_needs_reset(vm, "queue %u: size %u or ring addresses invalid",
						vm->queue_sel, q->size);
		}
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (virtio_mmio_queue_live(vm, v) && vm->ops->notify)
			vm->ops->notify(vm, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vm->interrupt_status &= ~v;
		update_irq(vm);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(vm, v);
		break;
	default:
		break;		/* read-only or unknown: ignored */
	}
}

void virtio_mmio_io(void *ctx, uint64_t off, uint8_t *data, unsigned int size,
		    bool is_write)
{
	struct virtio_mmio *vm = ctx;

	pthread_mutex_lock(&vm->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		uint64_t c = off - VIRTIO_MMIO_CONFIG;

		if (c + size > vm->ops->config_len || size > 8) {
			if (!is_write)
				memset(data, 0, size);
		} else if (is_write) {
			if (vm->ops->config_write)
				vm->ops->config_write(vm, (unsigned int)c, data, size);
		} else {
			vm->ops->config_read(vm, (unsigned int)c, data, size);
		}
	} else if (size != 4 || (off & 3)) {
		if (!is_write)
			memset(data, 0, size);
	} else if (is_write) {
		uint32_t v;

		memcpy(&v, data, 4);
		write_reg(vm, (unsigned int)off, v);
	} else {
		uint32_t v = read_reg(vm, (unsigned int)off);

		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&vm->lock);
}
