// SPDX-License-Identifier: MIT
/*
 * A virtio device's service thread (include/vmm/virtio/worker.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vmm/seccomp.h>
#include <vmm/virtio/worker.h>

int virtio_worker_init(struct virtio_worker *w, const char *name, void *dev,
		       void (*process)(void *dev), int (*timeout_ms)(void *dev))
{
	*w = (struct virtio_worker){ .name = name, .dev = dev, .process = process,
				     .timeout_ms = timeout_ms };
	w->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->kick_fd < 0)
		return -1;
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->stop_fd < 0)
		goto err_kick;
	return 0;
err_kick:
	close(w->kick_fd);
	return -1;
}

static void eventfd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: the thread is already due to run. */
	}
}

void virtio_worker_kick(struct virtio_worker *w)
{
	eventfd_signal(w->kick_fd);
}

static void *worker_thread(void *arg)
{
	struct virtio_worker *w = arg;

	pthread_setname_np(pthread_self(), w->name);
	/* The device's files and eventfds are open: from here on, its allow-list. */
	seccomp_thread_enter(SECCOMP_THREAD_WORKER, w->name);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = w->kick_fd, .events = POLLIN },
			{ .fd = w->stop_fd, .events = POLLIN },
		};
		uint64_t v;

		if (poll(p, 2, w->timeout_ms ? w->timeout_ms(w->dev) : -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents && read(w->kick_fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: a wake-up that raced with ours; serve anyway */
		}
		/* Kicked, timed out or interrupted: serving an idle device is harmless. */
		w->process(w->dev);
	}
	return NULL;
}

int virtio_worker_start(struct virtio_worker *w)
{
	int r = pthread_create(&w->thread, NULL, worker_thread, w);

	if (r) {
		errno = r;
		return -1;
	}
	w->started = true;
	return 0;
}

void virtio_worker_destroy(struct virtio_worker *w)
{
	if (w->started) {
		eventfd_signal(w->stop_fd);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	close(w->kick_fd);
	close(w->stop_fd);
}
