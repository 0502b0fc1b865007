// SPDX-License-Identifier: MIT
/*
 * The KVM backend's balloon operations for the control socket
 * (monitor_backend.balloon_set / balloon_query): the target goes to the
 * device (balloon/device.c), and query-balloon describes the device, the
 * guest's last statistics and the host's view of guest RAM.
 */
#include <inttypes.h>
#include <stdio.h>

#include <vmm/vm.h>

int vm_balloon_set(void *ctx, uint64_t pages, struct ctl_ref who, char *err, size_t errlen)
{
	struct vm *vm = ctx;

	if (pages > vm->mem.layout.mem_size / BALLOON_PAGE_SIZE || pages > UINT32_MAX) {
		snprintf(err, errlen, "a balloon of %" PRIu64 " pages is larger than the guest's RAM",
			 pages);
		return -1;
	}
	balloon_dev_set_target(&vm->balloon, (uint32_t)pages);
	return 0;
}

static json_t *guest_stats(const struct balloon_guest_stats *st)
{
	json_t *o = json_object();

	for (unsigned int t = 0; t < BALLOON_S_LINUX_NR; t++)
		if (st->linux_have & (1U << t))
			json_object_set_new(o, balloon_stat_name(t),
					    json_integer((json_int_t)st->linux_val[t]));
	for (unsigned int t = 0; t < EBB_BALLOON_S_NR; t++)
		if (st->ebb_have & (1U << t))
			json_object_set_new(o, balloon_stat_name(EBB_BALLOON_S_BASE + t),
					    json_integer((json_int_t)st->ebb_val[t]));
	return o;
}

void vm_balloon_query(void *ctx, json_t *into)
{
	struct vm *vm = ctx;
	struct balloon_dev_info i;
	const struct balloon_dev_counters *c = &i.counters;

	balloon_dev_info(&vm->balloon, &i);
	json_object_set_new(into, "target_bytes", json_integer((json_int_t)i.num_pages * 4096));
	json_object_set_new(into, "actual_bytes", json_integer((json_int_t)i.actual * 4096));
	json_object_set_new(into, "features", json_integer((json_int_t)i.features));
	json_object_set_new(into, "guest_resident_bytes",
			    json_integer((json_int_t)guest_mem_resident(&vm->mem)));
	json_object_set_new(into, "device", json_pack("{sI sI sI sI sI sI sI sI}",
		"inflated_pages", (json_int_t)c->inflated, "deflated_pages", (json_int_t)c->deflated,
		"reported_pages", (json_int_t)c->reported, "discards", (json_int_t)c->discards,
		"discard_errors", (json_int_t)c->discard_errors,
		"discard_error_pages", (json_int_t)c->discard_error_pages,
		"rejected", (json_int_t)c->rejected,
		"stats_updates", (json_int_t)c->stats_updates));
	json_object_set_new(into, "stats", guest_stats(&i.stats));
}
