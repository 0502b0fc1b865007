// SPDX-License-Identifier: MIT
/* Port I/O and MMIO dispatch; unclaimed accesses are logged, not fatal. */
#include <inttypes.h>
#include <string.h>

#include <vmm/bus.h>

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	ratelimit_init(&b->rl);
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_fn fn,
		 void *ctx, const char *name)
{
	if (b->nr == BUS_MAX_DEVS || len == 0 || base + len < base)
		return -1;
	for (unsigned int i = 0; i < b->nr; i++) {
		const struct bus_dev *d = &b->dev[i];

		if (base < d->base + d->len && d->base < base + len)
			return -1;
	}
	b->dev[b->nr++] = (struct bus_dev){ base, len, fn, ctx, name };
	return 0;
}

static uint64_t get_value(const uint8_t *data, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, data, size < 8 ? size : 8);
	return v;
}

bool bus_access(struct bus *b, unsigned int cpu, uint64_t addr, uint8_t *data,
		unsigned int size, bool is_write)
{
	unsigned long missed;

	for (unsigned int i = 0; i < b->nr; i++) {
		const struct bus_dev *d = &b->dev[i];

		if (addr >= d->base && addr - d->base < d->len) {
			d->fn(d->ctx, addr - d->base, data, size, is_write);
			return true;
		}
	}
	__atomic_add_fetch(&b->unhandled, 1, __ATOMIC_RELAXED);
	if (!is_write)
		memset(data, 0xff, size);
	if (ratelimit_allow(&b->rl, mono_ns(), &missed)) {
		if (missed)
			vmm_log("%lu unhandled %s accesses not shown", missed, b->name);
		if (is_write)
			vmm_log("vCPU %u: unhandled %s write 0x%" PRIx64 " size %u value 0x%" PRIx64
				" (ignored)", cpu, b->name, addr, size, get_value(data, size));
		else
			vmm_log("vCPU %u: unhandled %s read 0x%" PRIx64 " size %u (reads all ones)",
				cpu, b->name, addr, size);
	}
	return false;
}
