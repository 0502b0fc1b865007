// SPDX-License-Identifier: MIT
/*
 * The balloon's PFN handling, with an exact oracle.  Every page of the
 * fake guest RAM carries its own pattern; the driver sends one inflate
 * (or deflate) request whose PFN array is the fuzzer's (up to one batch,
 * BALLOON_BATCH PFNs, in a buffer that may cross from node 0 into node
 * 1); then:
 *   - inflate: exactly the listed pages that are RAM read zero (they
 *     were given back to the host), every other page keeps its pattern;
 *   - deflate: no page changes;
 *   - the counters say how many distinct listed PFNs were RAM
 *     (inflated / deflated) and how many were not (rejected).
 * Page 0 holds the rings and is left out of the page check (the device
 * writes the used ring after discarding), and so are the pages the PFN
 * buffer overwrote, unless an inflate listed them (then they read zero).
 *
 * Input: u8 flags (bit 0 deflate, bit 1 the PFN buffer straddles the
 * node boundary), then le32 PFNs.
 */
#include <endian.h>
#include <string.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include <vmm/virtio/balloon.h>

#include "fuzz_guest_mem.h"

#define PAGE		4096ULL
#define NR_PFNS		(FZ_GPA_END / PAGE)
#define QSIZE		8
#define DESC		0x0ULL
#define AVAIL		0x400ULL
#define USED		0x800ULL

static struct guest_mem mem;
static struct balloon_dev dev;
static int initialised;

static void set_irq(void *ctx, unsigned int irq, int level)
{
}

static uint8_t pattern(uint64_t pfn, uint64_t off)
{
	return (uint8_t)(pfn * 37 + off * 11 + 1) | 1;	/* never zero */
}

static void fill(void)
{
	for (uint64_t pfn = 1; pfn < NR_PFNS; pfn++) {
		uint8_t *p = fz_ptr(&mem, pfn * PAGE, PAGE);

		if (!p)
			continue;
		for (uint64_t o = 0; o < PAGE; o += 64)
			p[o] = pattern(pfn, o);
	}
}

/* 1: the page reads zero, 0: it has its pattern; a mix fails the oracle. */
static int page_state(uint64_t pfn)
{
	const uint8_t *p = fz_ptr(&mem, pfn * PAGE, PAGE);
	unsigned int zero = 0, same = 0;

	for (uint64_t o = 0; o < PAGE; o += 64) {
		zero += p[o] == 0;
		same += p[o] == pattern(pfn, o);
	}
	if (zero == PAGE / 64)
		return 1;
	if (same == PAGE / 64)
		return 0;
	fz_fail("page %#llx is neither whole nor discarded", (unsigned long long)pfn);
}

static void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = { htole64(addr), htole32(len), htole16(flags), htole16(next) };

	fz_write(&mem, DESC + i * sizeof(d), &d, sizeof(d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct balloon_dev_config cfg = { 0 };
	struct balloon_dev_info info;
	uint32_t pfn[BALLOON_BATCH];
	bool listed[NR_PFNS] = { false };
	uint64_t in_ram = 0, not_ram = 0, buf;
	unsigned int n;
	bool deflate;
	struct vring_avail *a;
	uint16_t one = 1;

	if (size < 1)
		return 0;
	if (!initialised) {
		fz_mem_init(&mem);
		initialised = 1;
	}
	deflate = data[0] & 1;
	/* The buffer: in page 1, or its last bytes across 0x8000 into node 1. */
	n = (unsigned int)((size - 1) / 4);
	if (n > BALLOON_BATCH)
		n = BALLOON_BATCH;
	if (n == 0)
		return 0;
	buf = data[0] & 2 ? FZ_NODE0_SIZE - 2 * n : PAGE;
	memcpy(pfn, data + 1, n * 4);

	fz_mem_clear(&mem);
	fill();
	if (balloon_dev_init(&dev, &cfg, &mem, EBB_MMIO_BASE, EBB_VIRTIO_IRQ_BASE, set_irq, NULL))
		fz_fail("balloon_dev_init");
	fz_negotiate(&dev.mmio, 1ULL << VIRTIO_F_VERSION_1);
	/* Both queues at the same rings: only one is used, the other stays empty. */
	fz_setup_queue(&dev.mmio, deflate, QSIZE, DESC, AVAIL, USED);
	fz_driver_ok(&dev.mmio);
	/* The buffer goes in after the pattern, so it is never a page the oracle checks whole. */
	fz_write(&mem, buf, pfn, n * 4);
	desc(0, buf, n * 4, 0, 0);
	a = fz_ptr(&mem, AVAIL, 4 + 2 * QSIZE);
	a->ring[0] = 0;
	__atomic_store_n(&a->idx, one, __ATOMIC_RELEASE);
	balloon_dev_process(&dev);
	balloon_dev_info(&dev, &info);

	for (unsigned int i = 0; i < n; i++) {
		uint32_t p = le32toh(pfn[i]);
		bool dup = false;

		for (unsigned int j = 0; j < i; j++)
			dup |= le32toh(pfn[j]) == p;
		if (dup)
			continue;
		if (p < NR_PFNS && fz_ptr(&mem, (uint64_t)p * PAGE, PAGE)) {
			listed[p] = true;
			in_ram++;
		} else {
			not_ram++;
		}
	}
	/* Only a guest that gave up its ring page (page 0) may break its queue. */
	if ((dev.mmio.status & VIRTIO_CONFIG_S_NEEDS_RESET) && (deflate || !listed[0]))
		fz_fail("a well-formed request broke the device");
	if ((deflate ? info.counters.deflated : info.counters.inflated) != in_ram ||
	    info.counters.rejected != not_ram)
		fz_fail("%s of %u PFNs: %llu in RAM and %llu not, the device counted %llu and "
			"%llu rejected", deflate ? "deflate" : "inflate", n,
			(unsigned long long)in_ram, (unsigned long long)not_ram,
			(unsigned long long)(deflate ? info.counters.deflated : info.counters.inflated),
			(unsigned long long)info.counters.rejected);
	for (uint64_t p = 1; p < NR_PFNS; p++) {
		bool page_has_buf = p == buf / PAGE || p == (buf + n * 4 - 1) / PAGE;

		if (!fz_ptr(&mem, p * PAGE, PAGE) || (page_has_buf && (deflate || !listed[p])))
			continue;
		if (page_state(p) != (!deflate && listed[p]))
			fz_fail("page %#llx: %s after %s (listed: %d)", (unsigned long long)p,
				page_state(p) ? "discarded" : "kept", deflate ? "deflate" : "inflate",
				listed[p]);
	}
	balloon_dev_destroy(&dev);
	return 0;
}
