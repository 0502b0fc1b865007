// SPDX-License-Identifier: MIT
/*
 * virtio-balloon, device side, against a hostile driver: inflate,
 * deflate, stats and free page reporting queues programmed and filled by
 * the driver program of fuzz_virtq.h, served by balloon_dev_process() as
 * the device's thread does.  PFNs and reported ranges come from the
 * fuzzer: inside RAM, in the hole, past the end.
 *
 * Input: u8 configuration (bit 0 deflate-on-oom, 1 stats, 2 reporting),
 * u8 features the driver accepts (bit 0 MUST_TELL_HOST, 1 STATS_VQ,
 * 2 DEFLATE_ON_OOM, 3 REPORTING, 4 FREE_PAGE_HINT: never offered), the
 * fuzz_virtq.h header, then the operations.
 */
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>

#include <vmm/virtio/balloon.h>

#include "fuzz_virtq.h"

static struct guest_mem mem;
static struct balloon_dev dev;
static int initialised;

static void set_irq(void *ctx, unsigned int irq, int level)
{
}

static void process(void *d)
{
	balloon_dev_process(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int bits[] = {
		VIRTIO_BALLOON_F_MUST_TELL_HOST, VIRTIO_BALLOON_F_STATS_VQ,
		VIRTIO_BALLOON_F_DEFLATE_ON_OOM, VIRTIO_BALLOON_F_REPORTING,
		VIRTIO_BALLOON_F_FREE_PAGE_HINT,
	};
	struct fz_in in = { data, size };
	struct fz_virtq fv = { .mem = &mem, .vm = &dev.mmio, .process = process, .dev = &dev };
	struct balloon_dev_config cfg = { 0 };
	struct balloon_dev_info info;
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;
	uint8_t c, f;

	if (!initialised) {
		fz_mem_init(&mem);
		initialised = 1;
	}
	fz_mem_clear(&mem);
	c = fz_u8(&in);
	cfg.deflate_on_oom = c & 1;
	cfg.stats_interval_ms = c & 2 ? 1000 : 0;
	cfg.reporting = c & 4;
	if (balloon_dev_init(&dev, &cfg, &mem, EBB_MMIO_BASE, EBB_VIRTIO_IRQ_BASE, set_irq, NULL))
		fz_fail("balloon_dev_init");
	f = fz_u8(&in);
	for (unsigned int i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (f & (1u << i))
			features |= 1ULL << bits[i];
	fz_virtq_header(&fv, &in);
	fv.nr_queues = dev.ops.nr_queues;
	fz_negotiate(&dev.mmio, features);
	fz_virtq_setup(&fv);
	balloon_dev_set_target(&dev, fz_u16(&in));
	fz_virtq_run(&fv, &in);

	balloon_dev_info(&dev, &info);
	/* Each page counted is a distinct PFN of one request in RAM: bounded by what RAM holds. */
	if (info.counters.discard_errors > info.counters.discards)
		fz_fail("more discard errors (%llu) than discards (%llu)",
			(unsigned long long)info.counters.discard_errors,
			(unsigned long long)info.counters.discards);
	balloon_dev_destroy(&dev);
	return 0;
}
