/* SPDX-License-Identifier: MIT */
/*
 * A loopback virtio transport: the balloon driver and the balloon device
 * in one hosted process, for unit tests and benchmarks.
 *
 * The hosted machine's memory (hosted_phys_base()) plays guest RAM on
 * both sides: guestmm allocates from it, the device sees it as a
 * struct guest_mem and discards from it.  Register accesses are function
 * calls into the device's virtio-mmio emulation (virtio_mmio_io), exactly
 * the bytes a guest's MMIO exits would carry; the interrupt line is a
 * thread that runs the driver's handler while the line is up, as the
 * guest's virtio-mmio interrupt does.  The device runs its own thread.
 *
 * The loopback also stands in for the guest's virtio core
 * (guest/virtio/virtio.c, which needs the guest kernel): it walks the
 * same initialisation sequence and provides virtio_cread_bytes() and
 * virtio_device_fail().
 */
#ifndef HOSTED_BALLOON_LOOPBACK_H
#define HOSTED_BALLOON_LOOPBACK_H

#include <pthread.h>

#include <guest/virtio.h>
#include <vmm/memory.h>
#include <vmm/virtio/balloon.h>

#define LOOPBACK_MAX_VQS	BALLOON_NR_VQS

struct loopback {
	struct guest_mem mem;		/* the device's view of hosted RAM */
	struct balloon_dev dev;
	struct virtio_device vdev;	/* the driver's view */
	struct virtqueue *vqs[LOOPBACK_MAX_VQS];
	pthread_t irq_thread;
	pthread_mutex_t irq_lock;
	pthread_cond_t irq_cond;
	int irq_level;			/* the line, as the device drives it */
	bool stopping;
};

/*
 * After hosted_boot(): create the device over hosted RAM with @cfg, start
 * it, and bring @drv up on it.  0, or -1.
 */
int loopback_create(struct loopback *lb, const struct balloon_dev_config *cfg,
		    const struct virtio_driver *drv);
/* Stop everything (the driver must have been removed first). */
void loopback_destroy(struct loopback *lb);

#endif
