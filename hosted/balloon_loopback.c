// SPDX-License-Identifier: MIT
/*
 * The loopback virtio transport (include/hosted/balloon_loopback.h): the guest
 * side of virtio-mmio, with every register access a call into the
 * device's emulation instead of an MMIO exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_mmio.h>

#include <guest/printk.h>
#include <guest/virtqueue.h>
#include <hosted/balloon_loopback.h>
#include <hosted/hosted.h>
#include <vmm/layout.h>

static struct loopback *to_lb(struct virtio_device *vdev)
{
	return vdev->transport;
}

static uint32_t lb_readl(struct loopback *lb, unsigned int off)
{
	uint32_t v;

	virtio_mmio_io(&lb->dev.mmio, off, (uint8_t *)&v, 4, false);
	return v;
}

static void lb_writel(struct loopback *lb, unsigned int off, uint32_t v)
{
	virtio_mmio_io(&lb->dev.mmio, off, (uint8_t *)&v, 4, true);
}

static uint8_t lb_get_status(struct virtio_device *vdev)
{
	return (uint8_t)lb_readl(to_lb(vdev), VIRTIO_MMIO_STATUS);
}

static void lb_set_status(struct virtio_device *vdev, uint8_t status)
{
	lb_writel(to_lb(vdev), VIRTIO_MMIO_STATUS, status);
}

static void lb_reset(struct virtio_device *vdev)
{
	struct loopback *lb = to_lb(vdev);

	lb_writel(lb, VIRTIO_MMIO_STATUS, 0);
	memset(lb->vqs, 0, sizeof(lb->vqs));
}

static uint64_t lb_get_features(struct virtio_device *vdev)
{
	struct loopback *lb = to_lb(vdev);
	uint64_t f;

	lb_writel(lb, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)lb_readl(lb, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	lb_writel(lb, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | lb_readl(lb, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void lb_finalize_features(struct virtio_device *vdev)
{
	struct loopback *lb = to_lb(vdev);

	lb_writel(lb, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	lb_writel(lb, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(vdev->features >> 32));
	lb_writel(lb, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	lb_writel(lb, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)vdev->features);
}

static uint32_t lb_generation(struct virtio_device *vdev)
{
	return lb_readl(to_lb(vdev), VIRTIO_MMIO_CONFIG_GENERATION);
}

/* Config space at the field's width, as the guest transport does. */
static void lb_get_config(struct virtio_device *vdev, unsigned int offset, void *buf,
			  unsigned int len)
{
	virtio_mmio_io(&to_lb(vdev)->dev.mmio, VIRTIO_MMIO_CONFIG + offset, buf, len, false);
}

static void lb_set_config(struct virtio_device *vdev, unsigned int offset, const void *buf,
			  unsigned int len)
{
	uint8_t tmp[8];

	if (len > sizeof(tmp))
		return;
	memcpy(tmp, buf, len);
	virtio_mmio_io(&to_lb(vdev)->dev.mmio, VIRTIO_MMIO_CONFIG + offset, tmp, len, true);
}

static bool lb_notify(struct virtqueue *vq)
{
	lb_writel(to_lb(vq->vdev), VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
	return true;
}

static struct virtqueue *lb_setup_vq(struct virtio_device *vdev, unsigned int index,
				     unsigned int num, void (*callback)(struct virtqueue *vq),
				     const char *name)
{
	struct loopback *lb = to_lb(vdev);
	struct virtqueue *vq;
	unsigned int max;

	/*
	 * @index is the driver's numbering, over the queues its features
	 * give (balloon.h); the device maps it back to a role the same way,
	 * so the loopback only routes notifications and interrupts by it.
	 */
	if (index >= LOOPBACK_MAX_VQS || lb->vqs[index])
		return NULL;
	lb_writel(lb, VIRTIO_MMIO_QUEUE_SEL, index);
	max = lb_readl(lb, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return NULL;
	num = num < max ? num : max;
	while (num & (num - 1))
		num &= num - 1;
	vq = vring_create_virtqueue(num, name);
	if (!vq)
		return NULL;
	vq->vdev = vdev;
	vq->index = index;
	vq->notify = lb_notify;
	vq->callback = callback;
	lb_writel(lb, VIRTIO_MMIO_QUEUE_NUM, num);
	lb_writel(lb, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc_addr);
	lb_writel(lb, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(vq->desc_addr >> 32));
	lb_writel(lb, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)vq->avail_addr);
	lb_writel(lb, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(vq->avail_addr >> 32));
	lb_writel(lb, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)vq->used_addr);
	lb_writel(lb, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(vq->used_addr >> 32));
	lb_writel(lb, VIRTIO_MMIO_QUEUE_READY, 1);
	pthread_mutex_lock(&lb->irq_lock);
	lb->vqs[index] = vq;
	pthread_mutex_unlock(&lb->irq_lock);
	return vq;
}

static void lb_del_vq(struct virtqueue *vq)
{
	struct loopback *lb = to_lb(vq->vdev);

	pthread_mutex_lock(&lb->irq_lock);
	if (lb->vqs[vq->index] == vq)
		lb->vqs[vq->index] = NULL;
	pthread_mutex_unlock(&lb->irq_lock);
	vring_del_virtqueue(vq);
}

static const struct virtio_config_ops lb_config_ops = {
	.get_status = lb_get_status,
	.set_status = lb_set_status,
	.reset = lb_reset,
	.get_features = lb_get_features,
	.finalize_features = lb_finalize_features,
	.generation = lb_generation,
	.get_config = lb_get_config,
	.set_config = lb_set_config,
	.setup_vq = lb_setup_vq,
	.del_vq = lb_del_vq,
};

/* The device drives the line (with its lock held): just note it. */
static void lb_set_irq(void *ctx, unsigned int irq, int level)
{
	struct loopback *lb = ctx;

	pthread_mutex_lock(&lb->irq_lock);
	lb->irq_level = level;
	pthread_cond_signal(&lb->irq_cond);
	pthread_mutex_unlock(&lb->irq_lock);
}

/* The interrupt handler, while the line is up: ack, then dispatch. */
static void *lb_irq_thread(void *arg)
{
	struct loopback *lb = arg;

	pthread_mutex_lock(&lb->irq_lock);
	for (;;) {
		uint32_t status;

		while (!lb->irq_level && !lb->stopping)
			pthread_cond_wait(&lb->irq_cond, &lb->irq_lock);
		if (lb->stopping)
			break;
		pthread_mutex_unlock(&lb->irq_lock);
		status = lb_readl(lb, VIRTIO_MMIO_INTERRUPT_STATUS);
		lb_writel(lb, VIRTIO_MMIO_INTERRUPT_ACK, status);
		if (status & VIRTIO_MMIO_INT_CONFIG)
			virtio_config_changed(&lb->vdev);
		pthread_mutex_lock(&lb->irq_lock);
		if (status & VIRTIO_MMIO_INT_VRING)
			for (unsigned int i = 0; i < LOOPBACK_MAX_VQS; i++)
				if (lb->vqs[i])
					vring_interrupt(lb->vqs[i]);
	}
	pthread_mutex_unlock(&lb->irq_lock);
	return NULL;
}

/*
 * The guest's printk, for the guest code linked in here (the virtio core's
 * FAILED message): on stderr, the level's prefix dropped.
 */
int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fmt[0] == KERN_SOH[0] && fmt[1])
		fmt += 2;
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

int loopback_create(struct loopback *lb, const struct balloon_dev_config *cfg,
		    const struct virtio_driver *drv)
{
	struct ebb_layout *l = &lb->mem.layout;

	memset(lb, 0, sizeof(*lb));
	/* Hosted RAM is one anonymous mapping with PFN 0 at its base: one node, no memfd. */
	l->mem_size = hosted_phys_size();
	l->nr_nodes = 1;
	l->node_size[0] = l->mem_size;
	l->nr_ranges = 1;
	l->ranges[0] = (struct ebb_range){ .gpa = 0, .size = l->mem_size };
	for (unsigned int n = 0; n < EBB_MAX_NODES; n++)
		lb->mem.node[n].fd = -1;
	lb->mem.node[0].base = hosted_phys_base();
	lb->mem.node[0].size = l->mem_size;

	pthread_mutex_init(&lb->irq_lock, NULL);
	pthread_cond_init(&lb->irq_cond, NULL);
	if (balloon_dev_init(&lb->dev, cfg, &lb->mem, EBB_MMIO_BASE, 5, lb_set_irq, lb))
		goto err;
	if (balloon_dev_start(&lb->dev))
		goto err_dev;
	if (pthread_create(&lb->irq_thread, NULL, lb_irq_thread, lb))
		goto err_dev;
	lb->vdev.device_id = lb_readl(lb, VIRTIO_MMIO_DEVICE_ID);
	lb->vdev.vendor_id = lb_readl(lb, VIRTIO_MMIO_VENDOR_ID);
	lb->vdev.config = &lb_config_ops;
	lb->vdev.transport = lb;
	snprintf(lb->vdev.name, sizeof(lb->vdev.name), "virtio0");
	lb_reset(&lb->vdev);
	lb_set_status(&lb->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	if (virtio_device_bind(&lb->vdev, drv))
		goto err_irq;
	return 0;

err_irq:
	pthread_mutex_lock(&lb->irq_lock);
	lb->stopping = true;
	pthread_cond_signal(&lb->irq_cond);
	pthread_mutex_unlock(&lb->irq_lock);
	pthread_join(lb->irq_thread, NULL);
err_dev:
	balloon_dev_destroy(&lb->dev);
err:
	return -1;
}

void loopback_destroy(struct loopback *lb)
{
	pthread_mutex_lock(&lb->irq_lock);
	lb->stopping = true;
	pthread_cond_signal(&lb->irq_cond);
	pthread_mutex_unlock(&lb->irq_lock);
	pthread_join(lb->irq_thread, NULL);
	balloon_dev_destroy(&lb->dev);
}
