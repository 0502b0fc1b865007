/* SPDX-License-Identifier: MIT */
/* The virtio-mmio transport (guest/virtio/virtio_mmio.c). */
#ifndef GUEST_VIRTIO_MMIO_H
#define GUEST_VIRTIO_MMIO_H

/*
 * Probe every `virtio_mmio.device=SIZE@BASE:IRQ` on the command line and
 * bring each device up with its driver.  After the page allocator, the
 * IOAPIC and the scheduler (drivers set up queues and wait queues).
 */
void virtio_mmio_init(void);

#endif
