// SPDX-License-Identifier: MIT
/*
 * The virtio-mmio transport, version 2 only (virtio 1.2 section 4.2.2).
 *
 * Devices are announced on the command line as Linux expects them,
 * `virtio_mmio.device=SIZE@BASE:IRQ` (docs/CONVENTIONS.md): a window of
 * SIZE bytes of registers at BASE and an IOAPIC pin.  A window that shows
 * no virtio magic, a legacy (version 1) device or device ID 0 (an empty
 * slot, as QEMU's microvm has many) is skipped with a message.  A window
 * announced twice is probed once: QEMU's microvm (acpi=off) appends its
 * own `virtio_mmio.device=` for each device to the command line, after
 * the ones the user gave.
 *
 * Interrupts: the IOAPIC pin is programmed edge-triggered, and a
 * virtio-mmio interrupt line stays high while InterruptStatus has bits
 * set.  So the handler acknowledges and re-reads until the status is 0:
 * only then is the line low, and the next used buffer raises a new edge
 * (a level-triggered VMM line and a pulsed one both work this way).
 */
#define pr_fmt(fmt) "virtio-mmio: " fmt
#include <guest/cmdline.h>
#include <guest/interrupts.h>
#include <guest/pgtable.h>
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/virtio.h>
#include <guest/virtio_mmio.h>
#include <guest/virtqueue.h>
#include <guest/x86.h>
#include <guestmm/errno.h>
#include <guestmm/gfp.h>
#include <guestmm/slab.h>
#include <linux/virtio_mmio.h>

#define VIRTIO_MMIO_MAGIC	0x74726976	/* "virt", little-endian */
#define MAX_MMIO_DEVICES	8
#define MAX_VQS			8	/* per device: the balloon has 5 */
#define RESET_SPINS		1000000
/* Rounds of ack-and-recheck per interrupt before a stuck device is left. */
#define IRQ_ROUNDS		16

struct virtio_mmio_device {
	struct virtio_device vdev;
	volatile uint8_t *base;		/* the register window, uncached */
	uint64_t phys;
	uint64_t size;			/* config space is [0x100, size) */
	unsigned int irq;
	struct virtqueue *vqs[MAX_VQS];	/* by queue index, for the interrupt */
};

static struct virtio_mmio_device mmio_devices[MAX_MMIO_DEVICES];
static unsigned int nr_mmio_devices;

static inline struct virtio_mmio_device *to_vm_dev(struct virtio_device *vdev)
{
	return vdev->transport;
}

static uint32_t vm_readl(struct virtio_mmio_device *vm, unsigned int off)
{
	return *(volatile uint32_t *)(vm->base + off);
}

static void vm_writel(struct virtio_mmio_device *vm, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(vm->base + off) = v;
}

static uint8_t vm_get_status(struct virtio_device *vdev)
{
	return (uint8_t)vm_readl(to_vm_dev(vdev), VIRTIO_MMIO_STATUS);
}

static void vm_set_status(struct virtio_device *vdev, uint8_t status)
{
	vm_writel(to_vm_dev(vdev), VIRTIO_MMIO_STATUS, status);
}

static void vm_reset(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm = to_vm_dev(vdev);

	vm_writel(vm, VIRTIO_MMIO_STATUS, 0);
	/* Spec 4.2.2.1: wait until the device shows the reset is complete. */
	for (int i = 0; i < RESET_SPINS && vm_readl(vm, VIRTIO_MMIO_STATUS); i++)
		cpu_relax();
	for (unsigned int i = 0; i < MAX_VQS; i++)
		vm->vqs[i] = NULL;	/* the queues are the driver's to delete */
}

static uint64_t vm_get_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm = to_vm_dev(vdev);
	uint64_t f;

	vm_writel(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)vm_readl(vm, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vm_writel(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | vm_readl(vm, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void vm_finalize_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm = to_vm_dev(vdev);

	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(vdev->features >> 32));
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)vdev->features);
}

static uint32_t vm_generation(struct virtio_device *vdev)
{
	return vm_readl(to_vm_dev(vdev), VIRTIO_MMIO_CONFIG_GENERATION);
}

static bool config_range_ok(struct virtio_mmio_device *vm, unsigned int offset, unsigned int len)
{
	return vm->size > VIRTIO_MMIO_CONFIG && offset <= vm->size - VIRTIO_MMIO_CONFIG &&
	       len <= vm->size - VIRTIO_MMIO_CONFIG - offset;
}

/*
 * Config space is accessed at the field's own width (4.2.2.2); 8-byte
 * fields as two 4-byte halves, low first, which the generation check
 * around the whole read makes consistent.
 */
static void vm_get_config(struct virtio_device *vdev, unsigned int offset, void *buf,
			  unsigned int len)
{
	struct virtio_mmio_device *vm = to_vm_dev(vdev);
	volatile uint8_t *p = vm->base + VIRTIO_MMIO_CONFIG + offset;

	if (!config_range_ok(vm, offset, len)) {
		memset(buf, 0, len);
		return;
	}
	switch (len) {
	case 1:
		*(uint8_t *)buf = *p;
		break;
	case 2: {
		uint16_t v = *(volatile uint16_t *)p;

		memcpy(buf, &v, 2);
		break;
	}
	case 8: {
		uint32_t hi, lo = *(volatile uint32_t *)p;

		hi = *(volatile uint32_t *)(p + 4);
		memcpy(buf, &lo, 4);
		memcpy((char *)buf + 4, &hi, 4);
		break;
	}
	case 4: {
		uint32_t v = *(volatile uint32_t *)p;

		memcpy(buf, &v, 4);
		break;
	}
	default:
		for (unsigned int i = 0; i < len; i++)
			((uint8_t *)buf)[i] = p[i];
	}
}

static void vm_set_config(struct virtio_device *vdev, unsigned int offset, const void *buf,
			  unsigned int len)
{
	struct virtio_mmio_device *vm = to_vm_dev(vdev);
	volatile uint8_t *p = vm->base + VIRTIO_MMIO_CONFIG + offset;

	if (!config_range_ok(vm, offset, len))
		return;
	if (len == 4) {
		uint32_t v;

		memcpy(&v, buf, 4);
		*(volatile uint32_t *)p = v;
	} else {
		for (unsigned int i = 0; i < len; i++)
			p[i] = ((const uint8_t *)buf)[i];
	}
}

static bool vm_notify(struct virtqueue *vq)
{
	vm_writel(to_vm_dev(vq->vdev), VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
	return true;
}

static struct virtqueue *vm_setup_vq(struct virtio_device *vdev, unsigned int index,
				     unsigned int num, void (*callback)(struct virtqueue *vq),
				     const char *name)
{
	struct virtio_mmio_device *vm = to_vm_dev(vdev);
	struct virtqueue *vq;
	unsigned int max;

	if (index >= MAX_VQS || vm->vqs[index])
		return NULL;
	vm_writel(vm, VIRTIO_MMIO_QUEUE_SEL, index);
	if (vm_readl(vm, VIRTIO_MMIO_QUEUE_READY)) {
		pr_err("%s: queue %u already set up\n", vdev->name, index);
		return NULL;
	}
	max = vm_readl(vm, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return NULL;	/* no such queue */
	num = min(num, max);
	if (num > 32768)
		num = 32768;
	while (num & (num - 1))
		num &= num - 1;	/* a split ring's size is a power of two */
	vq = vring_create_virtqueue(num, name);
	if (!vq)
		return NULL;
	vq->vdev = vdev;
	vq->index = index;
	vq->notify = vm_notify;
	vq->callback = callback;

	vm_writel(vm, VIRTIO_MMIO_QUEUE_NUM, num);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc_addr);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(vq->desc_addr >> 32));
	vm_writel(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)vq->avail_addr);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(vq->avail_addr >> 32));
	vm_writel(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)vq->used_addr);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(vq->used_addr >> 32));
	vm_writel(vm, VIRTIO_MMIO_QUEUE_READY, 1);
	vm->vqs[index] = vq;
	return vq;
}

static void vm_del_vq(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm = to_vm_dev(vq->vdev);

	if (vq->index < MAX_VQS && vm->vqs[vq->index] == vq) {
		vm_writel(vm, VIRTIO_MMIO_QUEUE_SEL, vq->index);
		vm_writel(vm, VIRTIO_MMIO_QUEUE_READY, 0);
		vm->vqs[vq->index] = NULL;
	}
	vring_del_virtqueue(vq);
}

static const struct virtio_config_ops virtio_mmio_config_ops = {
	.get_status = vm_get_status,
	.set_status = vm_set_status,
	.reset = vm_reset,
	.get_features = vm_get_features,
	.finalize_features = vm_finalize_features,
	.generation = vm_generation,
	.get_config = vm_get_config,
	.set_config = vm_set_config,
	.setup_vq = vm_setup_vq,
	.del_vq = vm_del_vq,
};

static void vm_interrupt(unsigned int irq, void *data)
{
	struct virtio_mmio_device *vm = data;

	for (int round = 0; round < IRQ_ROUNDS; round++) {
		uint32_t status = vm_readl(vm, VIRTIO_MMIO_INTERRUPT_STATUS);

		if (!status)
			return;
		vm_writel(vm, VIRTIO_MMIO_INTERRUPT_ACK, status);
		if (status & VIRTIO_MMIO_INT_CONFIG)
			virtio_config_changed(&vm->vdev);
		if (status & VIRTIO_MMIO_INT_VRING)
			for (unsigned int i = 0; i < MAX_VQS; i++)
				if (vm->vqs[i])
					vring_interrupt(vm->vqs[i]);
	}
}

/* One `virtio_mmio.device=` value: check the window and register it. */
static int vm_probe(uint64_t size, uint64_t phys, unsigned int irq)
{
	struct virtio_mmio_device *vm;
	uint32_t magic, version;
	int ret;

	for (unsigned int i = 0; i < nr_mmio_devices; i++) {
		if (mmio_devices[i].phys != phys)
			continue;
		if (mmio_devices[i].irq != irq || mmio_devices[i].size != size)
			pr_warn("%#llx: announced again as %llu bytes, IRQ %u; keeping %llu, IRQ %u\n",
				(unsigned long long)phys, (unsigned long long)size, irq,
				(unsigned long long)mmio_devices[i].size, mmio_devices[i].irq);
		return -EEXIST;
	}
	if (nr_mmio_devices == MAX_MMIO_DEVICES) {
		pr_err("more than %d devices; %#llx ignored\n", MAX_MMIO_DEVICES,
		       (unsigned long long)phys);
		return -ENOSPC;
	}
	vm = &mmio_devices[nr_mmio_devices];
	memset(vm, 0, sizeof(*vm));
	vm->base = ioremap(phys, size);
	if (!vm->base)
		return -ENOMEM;
	vm->phys = phys;
	vm->size = size;
	vm->irq = irq;

	magic = vm_readl(vm, VIRTIO_MMIO_MAGIC_VALUE);
	if (magic != VIRTIO_MMIO_MAGIC) {
		pr_warn("%#llx: no virtio-mmio device (magic %#x)\n", (unsigned long long)phys,
			magic);
		return -ENODEV;
	}
	version = vm_readl(vm, VIRTIO_MMIO_VERSION);
	if (version != 2) {
		pr_err("%#llx: version %u not supported (only 2; QEMU: -global "
		       "virtio-mmio.force-legacy=false)\n", (unsigned long long)phys, version);
		return -ENODEV;
	}
	vm->vdev.device_id = vm_readl(vm, VIRTIO_MMIO_DEVICE_ID);
	if (!vm->vdev.device_id)
		return -ENODEV;		/* an empty transport slot */
	vm->vdev.vendor_id = vm_readl(vm, VIRTIO_MMIO_VENDOR_ID);
	vm->vdev.config = &virtio_mmio_config_ops;
	vm->vdev.transport = vm;

	/* Interrupts before the driver runs: its probe may already wait on one. */
	ret = request_irq(irq, vm_interrupt, vm, "virtio-mmio");
	if (ret < 0) {
		if (ret == -EBUSY)
			pr_err("%#llx: IRQ %u is %s's already (no sharing); device ID %u left alone\n",
			       (unsigned long long)phys, irq, irq_owner(irq), vm->vdev.device_id);
		else
			pr_err("%#llx: cannot route IRQ %u; device ID %u left alone\n",
			       (unsigned long long)phys, irq, vm->vdev.device_id);
		return ret;
	}
	nr_mmio_devices++;
	pr_info("%#llx (%llu bytes) IRQ %u: device ID %u, vendor %#x\n",
		(unsigned long long)phys, (unsigned long long)size, irq, vm->vdev.device_id,
		vm->vdev.vendor_id);
	return virtio_device_register(&vm->vdev);
}

/* SIZE@BASE:IRQ[:ID], as Linux's vm_cmdline_set(); the ID is ignored. */
static int parse_device(const char *val, uint64_t *size, uint64_t *base, unsigned int *irq)
{
	const char *p;
	char num[24];
	unsigned long long v;
	size_t n;

	*size = memparse(val, &p);
	if (*p++ != '@' || !*size)
		return -EINVAL;
	*base = memparse(p, &p);
	if (*p++ != ':')
		return -EINVAL;
	for (n = 0; p[n] >= '0' && p[n] <= '9' && n < sizeof(num) - 1; n++)
		num[n] = p[n];
	num[n] = '\0';
	if (!n || (p[n] && p[n] != ':') || kstrtoull(num, 10, &v) || v >= NR_IRQS)
		return -EINVAL;
	*irq = (unsigned int)v;
	if (*base + *size < *base || *size > (1u << 20))
		return -EINVAL;
	return 0;
}

static int cmdline_device(char *param, char *val, void *arg)
{
	uint64_t size, base;
	unsigned int irq;

	if (strcmp(param, "virtio_mmio.device"))
		return 0;
	if (!val || parse_device(val, &size, &base, &irq) < 0) {
		pr_err("bad virtio_mmio.device=%s (want SIZE@BASE:IRQ)\n", val ? val : "");
		return 0;
	}
	vm_probe(size, base, irq);
	return 0;
}

void virtio_mmio_init(void)
{
	static char cmdline[COMMAND_LINE_SIZE];

	if (!boot_options.nr_virtio_mmio)
		return;
	strlcpy(cmdline, boot_command_line, sizeof(cmdline));
	parse_args(cmdline, cmdline_device, NULL);
}
