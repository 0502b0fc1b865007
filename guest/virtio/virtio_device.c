// SPDX-License-Identifier: MIT
/*
 * One device and its driver: the rest of the initialisation sequence of
 * virtio 1.2 section 3.1.1 once a driver is chosen, DRIVER_OK and FAILED,
 * and the configuration space's reads and change notices.  Kept apart
 * from the device list and the driver table (virtio.c) so the hosted
 * loopback transport runs this very code under the balloon driver.
 */
#define pr_fmt(fmt) "virtio: " fmt
#include <guest/printk.h>
#include <guest/virtio.h>
#include <guestmm/errno.h>

/* Config reads give up after this many generation changes in a row. */
#define CONFIG_READ_RETRIES	64

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

int virtio_device_bind(struct virtio_device *vdev, const struct virtio_driver *drv)
{
	uint64_t offered;
	int ret;

	spin_lock_init(&vdev->config_lock);
	vdev->config_enabled = false;
	vdev->config_change_pending = false;
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
