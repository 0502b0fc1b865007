// SPDX-License-Identifier: MIT
/*
 * The virtio core: a device a transport found meets its driver, through
 * the initialisation sequence of virtio 1.2 section 3.1.1.
 */
#define pr_fmt(fmt) "virtio: " fmt
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/virtio.h>
#include <guestmm/errno.h>

#define MAX_VIRTIO_DEVICES	16
/* Config reads give up after this many generation changes in a row. */
#define CONFIG_READ_RETRIES	64

static struct virtio_device *devices[MAX_VIRTIO_DEVICES];
static unsigned int nr_devices;

static const struct virtio_driver *find_driver(uint32_t device_id)
{
	for (const struct virtio_driver *const *d = __virtio_drivers_start;
	     d < __virtio_drivers_end; d++)
		if ((*d)->device_id == device_id)
			return *d;
	return NULL;
}

static void add_status(struct virtio_device *vdev, uint8_t bits)
{
	vdev->config->set_status(vdev, vdev->config->get_status(vdev) | bits);
}

void virtio_device_fail(struct virtio_device *vdev, const char *why)
{
	pr_err("%s: %s; device marked FAILED\n", vdev->name, why);
	vdev->failed = true;
	add_status(vdev, VIRTIO_CONFIG_S_FAILED);
}

void virtio_device_ready(struct virtio_device *vdev)
{
	unsigned long flags;
	bool pending;

	if (vdev->config_enabled)
		return;		/* only the probing thread gets here: no race */
	add_status(vdev, VIRTIO_CONFIG_S_DRIVER_OK);
	/* A configuration change that came while the driver probed is delivered now. */
	spin_lock_irqsave(&vdev->config_lock, flags);
	vdev->config_enabled = true;
	pending = vdev->config_change_pending;
	vdev->config_change_pending = false;
	spin_unlock_irqrestore(&vdev->config_lock, flags);
	if (pending && vdev->driver->config_changed)
		vdev->driver->config_changed(vdev);
}

int virtio_device_register(struct virtio_device *vdev)
{
	const struct virtio_driver *drv;
	uint64_t offered;
	int ret;

	if (nr_devices == MAX_VIRTIO_DEVICES)
		return -ENOSPC;
	vdev->index = nr_devices;
	spin_lock_init(&vdev->config_lock);
	vdev->config_enabled = false;
	vdev->config_change_pending = false;
	snprintf(vdev->name, sizeof(vdev->name), "virtio%u", vdev->index);
	devices[nr_devices++] = vdev;

	vdev->config->reset(vdev);
	add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	drv = find_driver(vdev->device_id);
	if (!drv) {
		pr_info("%s: device ID %u has no driver\n", vdev->name, vdev->device_id);
		return -ENODEV;
	}
	vdev->driver = drv;
	add_status(vdev, VIRTIO_CONFIG_S_DRIVER);

	offered = vdev->config->get_features(vdev);
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
		virtio_device_fail(vdev, "device does not offer VIRTIO_F_VERSION_1");
		return -ENODEV;
	}
	vdev->features = offered & (drv->features | (1ULL << VIRTIO_F_VERSION_1));
	vdev->config->finalize_features(vdev);
	add_status(vdev, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vdev->config->get_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_device_fail(vdev, "device did not accept our features");
		return -ENODEV;
	}

	ret = drv->probe(vdev);
	if (ret < 0) {
		virtio_device_fail(vdev, "driver probe failed");
		return ret;
	}
	virtio_device_ready(vdev);
	pr_info("%s: %s driver, features %#llx\n", vdev->name, drv->name,
		(unsigned long long)vdev->features);
	return 0;
}

void virtio_config_changed(struct virtio_device *vdev)
{
	unsigned long flags;
	bool deliver;

	spin_lock_irqsave(&vdev->config_lock, flags);
	deliver = vdev->config_enabled && !vdev->failed;
	if (!deliver)
		vdev->config_change_pending = true;
	spin_unlock_irqrestore(&vdev->config_lock, flags);
	if (deliver && vdev->driver->config_changed)
		vdev->driver->config_changed(vdev);
}

int virtio_cread_bytes(struct virtio_device *vdev, unsigned int offset, void *buf,
		       unsigned int len)
{
	for (int tries = 0; tries < CONFIG_READ_RETRIES; tries++) {
		uint32_t gen = vdev->config->generation(vdev);

		vdev->config->get_config(vdev, offset, buf, len);
		if (vdev->config->generation(vdev) == gen)
			return 0;
	}
	return -EAGAIN;
}

struct virtio_device *virtio_device_get(unsigned int index)
{
	return index < nr_devices ? devices[index] : NULL;
}
