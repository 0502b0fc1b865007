// SPDX-License-Identifier: MIT
/* virtio: the devices the command line announced, their driver and state. */
#include <guest/printk.h>
#include <guest/shell.h>
#include <guest/virtio.h>

static int cmd_virtio(int argc, char **argv)
{
	struct virtio_device *vdev;
	unsigned int i;

	for (i = 0; (vdev = virtio_device_get(i)) != NULL; i++) {
		uint8_t status = vdev->config->get_status(vdev);

		kprintf("%s: device ID %u, vendor %#x, driver %s, features %#llx, status %#x%s\n",
			vdev->name, vdev->device_id, vdev->vendor_id,
			vdev->driver ? vdev->driver->name : "none",
			(unsigned long long)vdev->features, status, vdev->failed ? " FAILED" : "");
	}
	if (!i)
		kprintf("virtio: no devices (virtio_mmio.device= on the command line)\n");
	return 0;
}
SHELL_COMMAND(virtio, "virtio", "", "list virtio devices", cmd_virtio);
