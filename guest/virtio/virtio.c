// SPDX-License-Identifier: MIT
/*
 * The virtio core: the devices the transports found, and the table of
 * drivers (VIRTIO_DRIVER) each is matched with.  Negotiation with the
 * chosen driver is virtio_device.c's.
 */
#define pr_fmt(fmt) "virtio: " fmt
#include <guest/printk.h>
#include <guest/string.h>
#include <guest/virtio.h>
#include <guestmm/errno.h>

#define MAX_VIRTIO_DEVICES	16

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

int virtio_device_register(struct virtio_device *vdev)
{
	const struct virtio_driver *drv;
	int ret;

	if (nr_devices == MAX_VIRTIO_DEVICES)
		return -ENOSPC;
	vdev->index = nr_devices;
	snprintf(vdev->name, sizeof(vdev->name), "virtio%u", vdev->index);
	devices[nr_devices++] = vdev;

	vdev->config->reset(vdev);
	vdev->config->set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	drv = find_driver(vdev->device_id);
	if (!drv) {
		pr_info("%s: device ID %u has no driver\n", vdev->name, vdev->device_id);
		return -ENODEV;
	}
	ret = virtio_device_bind(vdev, drv);
	if (ret)
		return ret;
	pr_info("%s: %s driver, features %#llx\n", vdev->name, drv->name,
		(unsigned long long)vdev->features);
	return 0;
}

struct virtio_device *virtio_device_get(unsigned int index)
{
	return index < nr_devices ? devices[index] : NULL;
}
