// SPDX-License-Identifier: MIT
/*
 * Split virtqueues, device side.  The rings are shared with a guest that
 * may be buggy or hostile, so every value read from them is read once
 * (into a local) and checked before use: a chain is walked at most
 * queue-size steps, each index is bounded, each buffer is translated
 * through the guest RAM layout and must be non-empty and below
 * VIRTQ_MAX_DESC_LEN, and device-readable buffers must come before
 * device-writable ones (2.7.4.2).  Split rings are little-endian (virtio 1).
 */
#include <endian.h>
#include <string.h>

#include <vmm/memory.h>
#include <vmm/virtio/queue.h>

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

int virtq_enable(struct virtq *q, const struct guest_mem *m, uint16_t max)
{
	uint64_t n = q->size;

	/* 2.7: descriptor table 16-aligned, available ring 2, used ring 4. */
	if (n == 0 || n > max || (n & (n - 1)) ||
	    (q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return -1;
	q->desc = guest_mem_ptr(m, q->desc_gpa, n * sizeof(struct vring_desc));
	q->avail = guest_mem_ptr(m, q->avail_gpa, 4 + n * 2 + 2);
	q->used = guest_mem_ptr(m, q->used_gpa, 4 + n * sizeof(struct vring_used_elem) + 2);
	if (!q->desc || !q->avail || !q->used) {
		q->desc = NULL;
		q->avail = NULL;
		q->used = NULL;
		return -1;
	}
	q->ready = true;
	return 0;
}

/* Append guest [gpa, gpa+len) to @iov, split where guest RAM ranges end. */
static enum virtq_error map_buffer(const struct guest_mem *m, uint64_t gpa, uint32_t len,
				   struct iovec *iov, unsigned int *nr)
{
	if (len == 0 || len > VIRTQ_MAX_DESC_LEN)
		return VIRTQ_ELEN;
	while (len) {
		const struct ebb_range *r = layout_find(&m->layout, gpa, 1);
		uint64_t chunk;
		void *p;

		if (!r)
			return VIRTQ_EADDR;
		chunk = r->gpa + r->size - gpa;
		if (chunk > len)
			chunk = len;
		p = guest_mem_ptr(m, gpa, chunk);
		if (!p)
			return VIRTQ_EADDR;
		if (*nr == VIRTQ_MAX_SEGS)
			return VIRTQ_ESEGS;
		iov[*nr].iov_base = p;
		iov[*nr].iov_len = (size_t)chunk;
		(*nr)++;
		gpa += chunk;
		len -= (uint32_t)chunk;
	}
	return VIRTQ_OK;
}

int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_req *req,
	      enum virtq_error *why)
{
	uint16_t avail_idx, head, idx;
	enum virtq_error e = VIRTQ_OK;

	if (!q->ready)
		return 0;
	/* Acquire: the ring entry and the chain were written before idx. */
	avail_idx = le16toh(__atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE));
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size) {
		e = VIRTQ_EHEAD;	/* more available than the ring holds */
		goto bad;
	}
	head = le16toh(__atomic_load_n(&q->avail->ring[q->last_avail & (q->size - 1)],
				       __ATOMIC_RELAXED));
	if (head >= q->size) {
		e = VIRTQ_EHEAD;
		goto bad;
	}
	req->head = head;
	req->nr_out = req->nr_in = 0;
	req->out_len = req->in_len = 0;
	idx = head;
	for (unsigned int steps = 0;; steps++) {
		struct vring_desc d;
		uint16_t flags;

		if (steps == q->size) {
			e = VIRTQ_ELOOP;
			goto bad;
		}
		/* One copy: the guest may change the entry while we look at it. */
		memcpy(&d, &q->desc[idx], sizeof(d));
		flags = le16toh(d.flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			e = VIRTQ_EINDIRECT;
			goto bad;
		}
		if (flags & VRING_DESC_F_WRITE) {
			e = map_buffer(m, le64toh(d.addr), le32toh(d.len), req->in, &req->nr_in);
			req->in_len += le32toh(d.len);
		} else {
			if (req->nr_in) {
				e = VIRTQ_EORDER;
				goto bad;
			}
			e = map_buffer(m, le64toh(d.addr), le32toh(d.len), req->out, &req->nr_out);
			req->out_len += le32toh(d.len);
		}
		if (e)
			goto bad;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		idx = le16toh(d.next);
		if (idx >= q->size) {
			e = VIRTQ_ENEXT;
			goto bad;
		}
	}
	q->last_avail++;
	return 1;
bad:
	if (why)
		*why = e;
	return -1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &q->used->ring[q->used_idx & (q->size - 1)];

	e->id = htole32(head);
	e->len = htole32(len);
	q->used_idx++;
	/* Release: the element is visible before the index that publishes it. */
	__atomic_store_n(&q->used->idx, htole16(q->used_idx), __ATOMIC_RELEASE);
}

bool virtq_want_irq(const struct virtq *q)
{
	/* Full barrier: our used->idx store is ordered before reading flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(le16toh(__atomic_load_n(&q->avail->flags, __ATOMIC_RELAXED)) &
		 VRING_AVAIL_F_NO_INTERRUPT);
}

const char *virtq_strerror(enum virtq_error e)
{
	switch (e) {
	case VIRTQ_OK: return "no error";
	case VIRTQ_EHEAD: return "available ring index or head out of range";
	case VIRTQ_ENEXT: return "descriptor next index out of range";
	case VIRTQ_ELOOP: return "descriptor chain longer than the queue (a loop)";
	case VIRTQ_EADDR: return "buffer outside guest RAM";
	case VIRTQ_ELEN: return "zero or huge buffer length";
	case VIRTQ_EORDER: return "device-readable buffer after a device-writable one";
	case VIRTQ_EINDIRECT: return "indirect descriptor (not negotiated)";
	case VIRTQ_ESEGS: return "too many segments";
	}
	return "unknown error";
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip, void *buf,
		  size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len - done)
			l = len - done;
		memcpy((char *)buf + done, (char *)iov[i].iov_base + skip, l);
		done += l;
		skip = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip,
		    const void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len - done)
			l = len - done;
		memcpy((char *)iov[i].iov_base + skip, (const char *)buf + done, l);
		done += l;
		skip = 0;
	}
	return done;
}
