/* SPDX-License-Identifier: MIT */
/*
 * The virtio driver core: devices, drivers, and what a transport provides.
 *
 * The shape is Linux's (include/linux/virtio.h, virtio_config.h), cut to
 * what ebb's drivers need:
 *
 *   transport  finds a device and implements struct virtio_config_ops on
 *              its registers: guest/virtio/virtio_mmio.c for virtio-mmio
 *              version 2; a loopback transport (unit tests, balloon) can
 *              implement the same operations in one process.
 *   core       guest/virtio/virtio.c: matches a device with a driver by
 *              device ID and walks the status protocol of virtio 1.2
 *              section 3.1.1: reset, ACKNOWLEDGE, DRIVER, feature
 *              negotiation (VIRTIO_F_VERSION_1 is required: this is a
 *              modern-only driver), FEATURES_OK read back, driver probe
 *              (which sets up the virtqueues), DRIVER_OK.  Any failure
 *              sets FAILED and leaves the device alone.
 *   driver     declares itself with VIRTIO_DRIVER() in its own file
 *              (gathered by the linker like shell commands) and uses
 *              virtqueues (include/guest/virtqueue.h) and config reads.
 *
 * The constants and structures of the specification come from Linux's
 * UAPI headers (<linux/virtio_config.h> ...), which are plain C usable
 * freestanding; nothing is retyped here.
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <guestmm/compiler.h>
#include <guestmm/spinlock.h>
#include <linux/virtio_config.h>

struct virtqueue;
struct virtio_device;

/*
 * What a transport does for the core and the drivers.  Config accesses
 * are of 1, 2, 4 or 8 bytes at @offset into the device-specific
 * configuration space; a transport rejects (reads as zero, ignores)
 * anything outside the window it has, never touching other memory.
 */
struct virtio_config_ops {
	uint8_t (*get_status)(struct virtio_device *vdev);
	void (*set_status)(struct virtio_device *vdev, uint8_t status);
	/* Write 0 to the status and wait until the device reads back 0. */
	void (*reset)(struct virtio_device *vdev);
	uint64_t (*get_features)(struct virtio_device *vdev);
	/* Write vdev->features (the subset the driver accepted) to the device. */
	void (*finalize_features)(struct virtio_device *vdev);
	uint32_t (*generation)(struct virtio_device *vdev);
	void (*get_config)(struct virtio_device *vdev, unsigned int offset, void *buf,
			   unsigned int len);
	void (*set_config)(struct virtio_device *vdev, unsigned int offset, const void *buf,
			   unsigned int len);
	/*
	 * Set up queue @index with at most @num entries (fewer if the
	 * device offers fewer; rounded down to a power of two).  NULL if the
	 * queue does not exist, is already in use, or memory is short.
	 */
	struct virtqueue *(*setup_vq)(struct virtio_device *vdev, unsigned int index,
				      unsigned int num, void (*callback)(struct virtqueue *vq),
				      const char *name);
	/* Release a queue the device no longer uses (after reset). */
	void (*del_vq)(struct virtqueue *vq);
};

struct virtio_device {
	unsigned int index;		/* virtio0, virtio1 ... in probe order */
	uint32_t device_id;		/* VIRTIO_ID_* (<linux/virtio_ids.h>) */
	uint32_t vendor_id;
	uint64_t features;		/* negotiated: device's & driver's */
	bool failed;			/* FAILED set: the core gave up on it */
	/*
	 * A configuration change reaches the driver only once its probe is
	 * done (its state exists) and DRIVER_OK is set; one that comes
	 * earlier (a target the host set while we booted) is kept pending
	 * and delivered then, not lost.  Guarded by config_lock.
	 */
	spinlock_t config_lock;
	bool config_enabled;
	bool config_change_pending;
	const struct virtio_config_ops *config;
	const struct virtio_driver *driver;
	void *priv;			/* the driver's per-device state */
	void *transport;		/* the transport's per-device state */
	char name[16];			/* "virtio0" */
};

struct virtio_driver {
	const char *name;
	uint32_t device_id;
	/* Feature bits the driver understands (VIRTIO_F_VERSION_1 is added). */
	uint64_t features;
	/*
	 * Set up queues and state; the core sets DRIVER_OK after it returns 0.
	 * A negative errno makes the core mark the device FAILED.
	 */
	int (*probe)(struct virtio_device *vdev);
	/* The device's configuration changed (interrupt bit 1). */
	void (*config_changed)(struct virtio_device *vdev);
};

#define VIRTIO_DRIVER(id, drv)							\
	static const struct virtio_driver *const __virtio_driver_##id		\
	__attribute__((used, section(".virtio_drivers." #id), aligned(8))) = &(drv)

extern const struct virtio_driver *const __virtio_drivers_start[], *const __virtio_drivers_end[];

/*
 * A transport found a device: match it with a driver and bring it up.
 * Returns 0, or a negative errno (no driver, negotiation failed, the
 * driver's probe failed); the device is then left reset or FAILED.
 */
int virtio_device_register(struct virtio_device *vdev);

/*
 * The device, reset and ACKNOWLEDGEd, meets @drv: DRIVER, features
 * negotiated (VIRTIO_F_VERSION_1 required), FEATURES_OK checked, the
 * driver probed, DRIVER_OK.  Returns 0 or a negative errno, the device
 * then FAILED.  The hosted loopback calls it with its one driver.
 */
int virtio_device_bind(struct virtio_device *vdev, const struct virtio_driver *drv);

/*
 * The driver's queues and state are set up: set DRIVER_OK and let
 * configuration changes through.  A driver that uses a queue during its
 * probe (the balloon's first stats buffer) calls this before it kicks,
 * since a device need not serve a queue before DRIVER_OK (3.1.1); the
 * core calls it after a probe that did not.  Idempotent.
 */
void virtio_device_ready(struct virtio_device *vdev);

/* The transport's interrupt said the configuration changed. */
void virtio_config_changed(struct virtio_device *vdev);

static inline bool virtio_has_feature(const struct virtio_device *vdev, unsigned int bit)
{
	return bit < 64 && (vdev->features & (1ULL << bit));
}

/*
 * Read @len bytes of config at @offset consistently: the device may
 * change its configuration while we read, which the config generation
 * counter shows; re-read until it is stable (bounded: a device that keeps
 * changing gets -EAGAIN, not a hang).  Values in the buffer are
 * little-endian as the device wrote them and, like everything a device
 * writes, still to be range-checked by the caller.
 */
int virtio_cread_bytes(struct virtio_device *vdev, unsigned int offset, void *buf,
		       unsigned int len);

/* Fail the device: set FAILED (spec 2.1.1), the driver stops using it. */
void virtio_device_fail(struct virtio_device *vdev, const char *why);

/* All devices found, for `virtio` (the shell's listing). */
struct virtio_device *virtio_device_get(unsigned int index);

#endif
