// SPDX-License-Identifier: MIT
/*
 * Split virtqueues, driver side (include/guest/virtqueue.h).
 *
 * The descriptor table and the available ring are ours to write and the
 * device's to read; the used ring is the device's to write.  So that a
 * device (or a bug in one) cannot steer the driver, every decision is
 * taken from a shadow copy the device cannot reach: the free list, each
 * chain's length and links, and which heads are outstanding.  What the
 * device writes (used->idx, used ring ids and lengths) is only compared
 * against that shadow.
 *
 * The ring fields are little-endian (__virtio16 ...); x86 is too, so they
 * are stored as they are.  Barriers: the avail entries must be visible
 * before avail->idx (release), the used entries read after used->idx
 * (acquire), and avail->idx visible before we read the device's "no
 * notify" flag (a full fence) or a needed kick could be skipped.
 *
 * Portable: only guestmm (page allocator, kmalloc, log) is used, so the
 * balloon's loopback tests can build this file hosted.
 */
#include <guest/virtqueue.h>
#include <guestmm/errno.h>
#include <guestmm/gfp.h>
#include <guestmm/page.h>
#include <guestmm/page_alloc.h>
#include <guestmm/seq_buf.h>
#include <guestmm/slab.h>

#define VRING_ALIGN	4096	/* also keeps the layout a legacy device would accept */

#define virtio_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define virtio_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtio_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

size_t vring_bytes(unsigned int num)
{
	return vring_size(num, VRING_ALIGN);
}

struct virtqueue *vring_create_virtqueue(unsigned int num, const char *name)
{
	struct virtqueue *vq;
	unsigned int order = 0;
	uint64_t base;
	void *p;

	if (!num || num > 32768 || (num & (num - 1)))
		return NULL;
	while ((PAGE_SIZE << order) < vring_bytes(num))
		order++;
	if (order > MAX_ORDER)
		return NULL;

	vq = kmalloc(sizeof(*vq), GFP_KERNEL | __GFP_ZERO);
	if (!vq)
		goto err;
	vq->shadow = kmalloc(num * sizeof(*vq->shadow), GFP_KERNEL | __GFP_ZERO);
	if (!vq->shadow)
		goto err_vq;
	vq->ring_pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!vq->ring_pages)
		goto err_shadow;
	vq->ring_order = order;
	vq->num = num;
	vq->name = name;

	p = page_address(vq->ring_pages);
	base = page_to_phys(vq->ring_pages);
	vring_init(&vq->vring, num, p, VRING_ALIGN);
	vq->desc_addr = base + (uint64_t)((char *)vq->vring.desc - (char *)p);
	vq->avail_addr = base + (uint64_t)((char *)vq->vring.avail - (char *)p);
	vq->used_addr = base + (uint64_t)((char *)vq->vring.used - (char *)p);

	for (unsigned int i = 0; i < num; i++)
		vq->shadow[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = num;
	return vq;

err_shadow:
	kfree(vq->shadow);
err_vq:
	kfree(vq);
err:
	return NULL;
}

void vring_del_virtqueue(struct virtqueue *vq)
{
	if (!vq)
		return;
	__free_pages(vq->ring_pages, vq->ring_order);
	kfree(vq->shadow);
	kfree(vq);
}

void virtqueue_break(struct virtqueue *vq, const char *why)
{
	if (!vq->broken)
		mm_printk("virtio: queue %s: %s; queue marked broken", vq->name, why);
	WRITE_ONCE(vq->broken, true);
}

int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int out,
		  unsigned int in, void *token)
{
	struct vring_desc *desc = vq->vring.desc;
	unsigned int total = out + in, k;
	uint64_t in_bytes = 0;
	uint16_t head, i;

	if (vq->broken)
		return -EIO;
	if (!total || !token)
		return -EINVAL;
	for (k = 0; k < total; k++) {
		if (!bufs[k].len)
			return -EINVAL;
		if (k >= out)
			in_bytes += bufs[k].len;
	}
	if (in_bytes > UINT32_MAX)
		return -EINVAL;
	if (total > vq->num_free)
		return -ENOSPC;

	head = i = vq->free_head;
	for (k = 0; k < total; k++) {
		desc[i].addr = bufs[k].addr;
		desc[i].len = bufs[k].len;
		desc[i].flags = k >= out ? VRING_DESC_F_WRITE : 0;
		if (k + 1 < total) {
			desc[i].flags |= VRING_DESC_F_NEXT;
			desc[i].next = vq->shadow[i].next;
		}
		i = vq->shadow[i].next;
	}
	vq->free_head = i;
	vq->num_free -= total;
	vq->shadow[head].token = token;
	vq->shadow[head].chain_len = (uint16_t)total;
	vq->shadow[head].in_bytes = (uint32_t)in_bytes;

	vq->vring.avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
	vq->num_added++;
	return 0;
}

bool virtqueue_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	virtio_wmb();
	WRITE_ONCE(vq->vring.avail->idx, vq->avail_idx);
	vq->num_added = 0;
	virtio_mb();
	if (READ_ONCE(vq->vring.used->flags) & VRING_USED_F_NO_NOTIFY)
		return true;
	return vq->notify(vq);
}

/* Put the chain at @head back on the free list (our shadow links only). */
static void detach_buf(struct virtqueue *vq, uint16_t head)
{
	struct vq_shadow *s = &vq->shadow[head];
	uint16_t last = head;

	for (unsigned int k = 1; k < s->chain_len; k++)
		last = vq->shadow[last].next;
	vq->shadow[last].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += s->chain_len;
	s->token = NULL;
	s->chain_len = 0;
	s->in_bytes = 0;
}

bool virtqueue_more_used(struct virtqueue *vq)
{
	return READ_ONCE(vq->vring.used->idx) != vq->last_used_idx;
}

void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len)
{
	struct vring_used_elem *e;
	uint16_t used_idx, pending = (uint16_t)(vq->avail_idx - vq->last_used_idx);
	uint32_t id, n;
	void *token;

	if (vq->broken)
		return NULL;
	used_idx = READ_ONCE(vq->vring.used->idx);
	if (used_idx == vq->last_used_idx)
		return NULL;
	/* Each chain we exposed comes back once: never more than that. */
	if ((uint16_t)(used_idx - vq->last_used_idx) > pending) {
		virtqueue_break(vq, "used index ran ahead of the buffers given");
		return NULL;
	}
	virtio_rmb();
	e = &vq->vring.used->ring[vq->last_used_idx & (vq->num - 1)];
	id = READ_ONCE(e->id);
	n = READ_ONCE(e->len);
	if (id >= vq->num || !vq->shadow[id].token) {
		virtqueue_break(vq, "used id is not an outstanding buffer");
		return NULL;
	}
	if (n > vq->shadow[id].in_bytes) {
		virtqueue_break(vq, "used length exceeds the writable buffer");
		return NULL;
	}
	token = vq->shadow[id].token;
	detach_buf(vq, (uint16_t)id);
	vq->last_used_idx++;
	if (len)
		*len = n;
	return token;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	WRITE_ONCE(vq->vring.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	WRITE_ONCE(vq->vring.avail->flags, 0);
	virtio_mb();
	return !virtqueue_more_used(vq);
}

void *virtqueue_detach_unused_buf(struct virtqueue *vq)
{
	for (unsigned int i = 0; i < vq->num; i++) {
		void *token = vq->shadow[i].token;

		if (token) {
			detach_buf(vq, (uint16_t)i);
			return token;
		}
	}
	return NULL;
}

void vring_interrupt(struct virtqueue *vq)
{
	/* A broken queue still calls back: the driver fails what is pending. */
	if ((vq->broken || virtqueue_more_used(vq)) && vq->callback)
		vq->callback(vq);
}
