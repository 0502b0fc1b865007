/* SPDX-License-Identifier: MIT */
/*
 * A virtio device's service thread (vmm/virtio/worker.c).  It sleeps until
 * the guest notifies a queue (an ioeventfd KVM signals, or the MMIO trap's
 * write to kick_fd), serves the device, and ends when told.  Queues are
 * served off the vCPU threads, so a slow backend stalls only its device.
 */
#ifndef EBB_VMM_VIRTIO_WORKER_H
#define EBB_VMM_VIRTIO_WORKER_H

#include <pthread.h>
#include <stdbool.h>

struct virtio_worker {
	int kick_fd;			/* eventfd: a queue was notified */
	int stop_fd;			/* eventfd: the thread must end */
	pthread_t thread;
	bool started;
	const char *name;		/* the thread's name */
	void *dev;
	void (*process)(void *dev);	/* serve every queue that has work */
	/* Milliseconds the thread may sleep, -1: until kicked.  NULL: always -1. */
	int (*timeout_ms)(void *dev);
};

/* The eventfds; the thread starts with virtio_worker_start().  0, or -1 (errno). */
int virtio_worker_init(struct virtio_worker *w, const char *name, void *dev,
		       void (*process)(void *dev), int (*timeout_ms)(void *dev));
/* Wake the thread (from the MMIO trap's notify). */
void virtio_worker_kick(struct virtio_worker *w);
/* 0, or -1 (errno). */
int virtio_worker_start(struct virtio_worker *w);
/* Stop and join the thread if it runs, close the eventfds. */
void virtio_worker_destroy(struct virtio_worker *w);

#endif
