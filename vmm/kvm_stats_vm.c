// SPDX-License-Identifier: MIT
/*
 * The KVM backend's statistics (vmm/kvm_stats.c) for one VM: the VM's
 * file opened after KVM_CREATE_VM (each vCPU's in cpu_create), and what
 * is made of them: query-kvm-stats (monitor_backend.kvm_stats), the
 * cheap kvm_exits of query-status, and the totals line of `ebb run
 * --stats`.  A host without the statistics fd runs the VM all the same;
 * vm->kvm_stats_why says why there are none.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/cpu.h>
#include <vmm/vm.h>

void vm_kvm_stats_open(struct vm *vm)
{
	char why[sizeof(vm->kvm_stats_why)];

	if (kvm_stats_open(&vm->kvm_stats, vm->kvm.vm_fd, why, sizeof(why)))
		snprintf(vm->kvm_stats_why, sizeof(vm->kvm_stats_why), "%s", why);
}

json_t *vm_kvm_stats_query(void *ctx)
{
	struct vm *vm = ctx;
	const struct kvm_stats **vcpu = calloc(vm->nr_vcpus ? vm->nr_vcpus : 1, sizeof(*vcpu));
	char err[256];
	json_t *r;

	if (!vcpu)
		return json_pack("{sb ss}", "available", false, "why", "out of memory");
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu[i] = &vm->vcpus[i].stats;
	r = kvm_stats_json(&vm->kvm_stats, vcpu, vm->nr_vcpus, err, sizeof(err));
	free(vcpu);
	if (!r)
		return json_pack("{sb ss}", "available", false, "why", err);
	if (!json_is_true(json_object_get(r, "available")))
		json_object_set_new(r, "why", json_string(vm->kvm_stats_why[0] ? vm->kvm_stats_why :
							  "no statistics files"));
	return r;
}

void vm_kvm_stats_status(struct vm *vm, json_t *into)
{
	uint64_t sum = 0, v;
	bool any = false;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct kvm_stats *s = &vm->vcpus[i].stats;
		const struct kvm_stat *st = s->fd >= 0 ? kvm_stats_find(s, "exits") : NULL;

		if (st && st->size == 1 && !kvm_stats_read_stat(s, st, &v)) {
			sum += v;
			any = true;
		}
	}
	if (any)
		json_object_set_new(into, "kvm_exits", json_integer((json_int_t)sum));
}

/* NAME=VALUE for each plain counter (cumulative, no unit, one value) of @stats in @group. */
static void print_counters(FILE *f, json_t *stats, const char *group, const char *prefix,
			   const char *key)
{
	const char *name;
	json_t *o;

	json_object_foreach(stats, name, o) {
		json_t *v = json_object_get(o, key);

		if (json_is_integer(v) &&
		    !strcmp(json_string_value(json_object_get(o, "group")) ?: "", group) &&
		    !strcmp(json_string_value(json_object_get(o, "type")) ?: "", "cumulative") &&
		    !strcmp(json_string_value(json_object_get(o, "unit")) ?: "", "none"))
			fprintf(f, " %s%s=%" JSON_INTEGER_FORMAT, prefix, name, json_integer_value(v));
	}
}

void vm_kvm_stats_print(struct vm *vm, FILE *f)
{
	json_t *r = vm_kvm_stats_query(vm);

	/* One line, key=value as ebb-stats:, group by group: the vCPUs' totals, the VM's own. */
	if (!json_is_true(json_object_get(r, "available"))) {
		fprintf(f, "ebb-kvm-stats: unavailable (%s)\n",
			json_string_value(json_object_get(r, "why")));
	} else {
		fprintf(f, "ebb-kvm-stats: vcpus=%u", vm->nr_vcpus);
		for (const struct kvm_stats_group *g = kvm_stats_groups; g->key; g++) {
			print_counters(f, json_object_get(r, "vcpu"), g->key, "", "total");
			print_counters(f, json_object_get(r, "vm"), g->key, "vm.", "value");
		}
		fputc('\n', f);
	}
	json_decref(r);
}
