// SPDX-License-Identifier: MIT
/*
 * The guest's split virtqueue (guest/virtio/virtio_ring.c) against a
 * hostile device.  The driver adds chains, kicks and harvests; the
 * fuzzer plays the device, writing whatever it likes into the used ring
 * (ids, lengths, the index) and so trying to make the driver walk out of
 * its shadow state or its rings, return a token twice or one it never
 * gave, or believe a longer write than the chain allows.
 *
 * virtio_ring.c needs only guestmm's allocators; here they are malloc
 * and a page arena whose unused part is poisoned for ASan, so an index
 * the device steers past the rings or the shadow array is caught.
 *
 * Input: u8 log2(queue size) (1..256 entries), then operations:
 *   0 add: u8 out, u8 in, u16 len per buffer      1 kick
 *   2 device uses: u32 id, u32 len (next used slot, used->idx + 1)
 *   3 device sets used->idx: u16                   4 get_buf
 *   5 detach an unused buffer (as after a reset)   6 interrupt (callback harvests)
 *   7 device writes a byte of the used ring: u16 offset, u8 value
 *   8 disable callbacks / 9 enable callbacks
 *
 * Oracle: get_buf returns only outstanding tokens, once each, with a
 * length at most the chain's writable bytes; the free descriptor count
 * and the free list always agree with the chains outstanding.
 */
#include <sanitizer/asan_interface.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <guest/virtqueue.h>
#include <guestmm/page.h>
#include <guestmm/page_alloc.h>
#include <guestmm/seq_buf.h>
#include <guestmm/slab.h>

#include "fuzz_input.h"

#define ARENA_ORDER	8
#define ARENA_PAGES	(1u << ARENA_ORDER)
#define MAX_NUM		256
#define MAX_TOKENS	4096

/* --- the allocators virtio_ring.c uses (guestmm's, in the guest) --------- */

struct page *mem_map;
unsigned long max_pfn;
char *mm_direct_map;
static bool arena_used;

void *kmalloc(size_t size, gfp_t gfp)
{
	return (gfp & __GFP_ZERO) ? calloc(1, size) : malloc(size);
}

void kfree(const void *p)
{
	free((void *)p);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	if (order > ARENA_ORDER || arena_used)
		return NULL;
	arena_used = true;
	ASAN_UNPOISON_MEMORY_REGION(mm_direct_map, PAGE_SIZE << order);
	memset(mm_direct_map, 0, PAGE_SIZE << order);
	return mem_map;
}

void __free_pages(struct page *page, unsigned int order)
{
	if (page != mem_map || !arena_used)
		fz_fail("freeing pages that were not allocated");
	arena_used = false;
	ASAN_POISON_MEMORY_REGION(mm_direct_map, PAGE_SIZE * ARENA_PAGES);
}

void mm_printk(const char *fmt, ...)
{
	/* "queue marked broken": expected here, and too frequent to print. */
}

/* --- the harness ----------------------------------------------------------- */

struct chain {
	bool outstanding;
	uint32_t in_bytes;
	unsigned int descs;
};

static struct chain chains[MAX_TOKENS];
static unsigned int nr_chains, harvested;
static uint16_t dev_used_idx;

static bool notify(struct virtqueue *vq)
{
	return true;
}

static void take(struct virtqueue *vq, void *token, uint32_t len)
{
	struct chain *c = token;

	if (c < chains || c >= chains + nr_chains)
		fz_fail("get_buf returned a token the driver never gave");
	if (!c->outstanding)
		fz_fail("get_buf returned token %td twice", c - chains);
	if (len > c->in_bytes)
		fz_fail("get_buf: %u bytes used of a chain with %u writable", len, c->in_bytes);
	c->outstanding = false;
	harvested++;
}

static void callback(struct virtqueue *vq)
{
	void *t;
	uint32_t len;

	while ((t = virtqueue_get_buf(vq, &len)))
		take(vq, t, len);
}

static void check(struct virtqueue *vq)
{
	static bool seen[MAX_NUM];
	unsigned int busy = 0;
	uint16_t i = vq->free_head;

	for (unsigned int k = 0; k < nr_chains; k++)
		busy += chains[k].outstanding ? chains[k].descs : 0;
	if (vq->num_free + busy != vq->num)
		fz_fail("%u descriptors free, %u in chains, of %u", vq->num_free, busy, vq->num);
	memset(seen, 0, sizeof(seen));
	for (unsigned int k = 0; k < vq->num_free; k++) {
		if (i >= vq->num || seen[i])
			fz_fail("free list broken at step %u (index %u)", k, i);
		seen[i] = true;
		i = vq->shadow[i].next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct virtqueue *vq;
	unsigned int num;

	if (!mm_direct_map) {
		mm_direct_map = aligned_alloc(PAGE_SIZE, PAGE_SIZE * ARENA_PAGES);
		mem_map = calloc(ARENA_PAGES, sizeof(*mem_map));
		max_pfn = ARENA_PAGES;
		ASAN_POISON_MEMORY_REGION(mm_direct_map, PAGE_SIZE * ARENA_PAGES);
	}
	num = 1u << (fz_u8(&in) % 9);
	vq = vring_create_virtqueue(num, "fuzz");
	if (!vq)
		fz_fail("no virtqueue of %u", num);
	vq->notify = notify;
	vq->callback = callback;
	nr_chains = harvested = 0;
	dev_used_idx = 0;

	while (fz_more(&in)) {
		struct vring_used *u = vq->vring.used;
		uint32_t len;
		void *t;

		switch (fz_u8(&in) % 10) {
		case 0: {
			struct vq_buf bufs[16];
			unsigned int out = fz_u8(&in) % 9, inn = fz_u8(&in) % 9;
			uint64_t in_bytes = 0;
			struct chain *c = &chains[nr_chains];

			for (unsigned int k = 0; k < out + inn; k++) {
				bufs[k].addr = 0x100000 + k * 0x1000;
				bufs[k].len = fz_u16(&in);
				if (k >= out)
					in_bytes += bufs[k].len;
			}
			if (nr_chains == MAX_TOKENS)
				break;
			if (virtqueue_add(vq, bufs, out, inn, c) == 0) {
				*c = (struct chain){ true, (uint32_t)in_bytes, out + inn };
				nr_chains++;
			}
			break;
		}
		case 1:
			virtqueue_kick(vq);
			break;
		case 2:
			u->ring[dev_used_idx % num].id = fz_u32(&in);
			u->ring[dev_used_idx % num].len = fz_u32(&in);
			dev_used_idx++;
			__atomic_store_n(&u->idx, dev_used_idx, __ATOMIC_RELEASE);
			break;
		case 3:
			dev_used_idx = fz_u16(&in);
			__atomic_store_n(&u->idx, dev_used_idx, __ATOMIC_RELEASE);
			break;
		case 4:
			if ((t = virtqueue_get_buf(vq, &len)))
				take(vq, t, len);
			break;
		case 5:
			if ((t = virtqueue_detach_unused_buf(vq))) {
				struct chain *c = t;

				if (c < chains || c >= chains + nr_chains || !c->outstanding)
					fz_fail("detached a token that was not outstanding");
				c->outstanding = false;
			}
			break;
		case 6:
			vring_interrupt(vq);
			break;
		case 7: {
			uint16_t off = fz_u16(&in) % (4 + 8 * num + 2);

			((uint8_t *)u)[off] = fz_u8(&in);
			dev_used_idx = u->idx;
			break;
		}
		case 8:
			virtqueue_disable_cb(vq);
			break;
		case 9:
			virtqueue_enable_cb(vq);
			break;
		}
		check(vq);
	}
	vring_del_virtqueue(vq);
	return 0;
}
