// SPDX-License-Identifier: MIT
/*
 * One micro-VM from start to end: check the image, open KVM, lay out and
 * map guest RAM, create the irqchip and devices, load the kernel, its
 * initrd and boot data (PVH or bzImage), start the vCPUs, run the
 * console, and tear it all down.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vmm/acpi.h>
#include <vmm/boot.h>
#include <vmm/cpu.h>
#include <vmm/e820.h>
#include <vmm/irqchip.h>
#include <vmm/procfs.h>
#include <vmm/run.h>
#include <vmm/vm.h>

void vm_stop(struct vm *vm, int status, const char *fmt, ...)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (!atomic_load(&vm->stopping)) {
		uint64_t one = 1;

		vm->exit_status = status;
		if (fmt) {
			char msg[512];
			va_list ap;

			va_start(ap, fmt);
			vsnprintf(msg, sizeof(msg), fmt, ap);
			va_end(ap);
			vmm_log("%s", msg);
		}
		atomic_store(&vm->stopping, true);
		if (write(vm->stop_fd, &one, sizeof(one)) < 0) {
			/* The main loop also checks vm->stopping. */
		}
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

static size_t kvm_console_write(void *ctx, const uint8_t *buf, size_t n)
{
	struct vm *vm = ctx;

	return serial_receive(&vm->com1, buf, n);
}

static size_t kvm_chan_write(void *ctx, const uint8_t *buf, size_t n)
{
	struct vm *vm = ctx;

	return serial_receive(&vm->com2, buf, n);
}

static void kvm_quit(void *ctx, int status, const char *why)
{
	vm_stop(ctx, status, "%s", why);
}

static void kvm_status(void *ctx, json_t *into)
{
	struct vm *vm = ctx;

	json_object_set_new(into, "pid", json_integer(getpid()));
	json_object_set_new(into, "unhandled_pio", json_integer((json_int_t)vm->pio.unhandled));
	json_object_set_new(into, "unhandled_mmio", json_integer((json_int_t)vm->mmio.unhandled));
	vm_kvm_stats_status(vm, into);
	if (vm->has_blk) {
		struct virtio_blk_stats st;

		pthread_mutex_lock(&vm->blk.mmio.lock);
		st = vm->blk.stats;
		pthread_mutex_unlock(&vm->blk.mmio.lock);
		json_object_set_new(into, "swap_disk", json_pack("{sI sI sI sI sI sI}",
			"reads", (json_int_t)st.reads, "writes", (json_int_t)st.writes,
			"read_bytes", (json_int_t)st.read_bytes,
			"written_bytes", (json_int_t)st.written_bytes,
			"flushes", (json_int_t)st.flushes, "io_errors", (json_int_t)st.io_errors));
	}
}

/* smaps_rollup walks the page tables, so it is exact where status's RSS counters lag. */
static void print_stats(struct vm *vm)
{
	uint64_t rss = procfs_kib("/proc/self/smaps_rollup", "Rss");
	uint64_t shmem = procfs_kib("/proc/self/smaps_rollup", "Pss_Shmem");
	uint64_t hwm = procfs_kib("/proc/self/status", "VmHWM");
	uint64_t guest = guest_mem_resident(&vm->mem) >> 10;
	uint64_t fe = atomic_load(&vm->stats.t_first_exit);
	uint64_t ft = atomic_load(&vm->stats.t_first_tx);

	/* One line, key=value, for scripts (bench/boot.sh). */
	fprintf(stderr,
		"ebb-stats: start_mono_ns=%" PRIu64 " first_exit_mono_ns=%" PRIu64
		" first_console_mono_ns=%" PRIu64 " end_mono_ns=%" PRIu64
		" kvm_us=%" PRIu64 " mem_us=%" PRIu64 " load_us=%" PRIu64 " vcpus_us=%" PRIu64
		" rss_kib=%" PRIu64 " hwm_kib=%" PRIu64 " guest_mapped_kib=%" PRIu64
		" guest_resident_kib=%" PRIu64 " vmm_overhead_kib=%" PRIu64
		" unhandled_pio=%lu unhandled_mmio=%lu kvm_flavour=%s kvm_native=%d\n",
		vm->stats.t_start, fe, ft, vm->stats.t_end,
		(vm->stats.t_kvm - vm->stats.t_start) / 1000, (vm->stats.t_mem - vm->stats.t_kvm) / 1000,
		(vm->stats.t_loaded - vm->stats.t_mem) / 1000,
		(vm->stats.t_vcpus - vm->stats.t_loaded) / 1000, rss, hwm, shmem, guest,
		rss > shmem ? rss - shmem : 0, vm->pio.unhandled, vm->mmio.unhandled,
		vm->kvm_flavour ? kvm_flavour_name(vm->kvm_flavour->flavour) : "unknown",
		vm->kvm_flavour ? vm->kvm_flavour->native : 1);
	vm_kvm_stats_print(vm, stderr);
}

/* A VM with nothing open but its stop eventfd: vm_free() may run from here on. */
static struct vm *vm_alloc(const struct ebb_options *o, const struct kvm_flavour_info *kf)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		vmm_log("out of memory");
		return NULL;
	}
	vm->stats.t_start = mono_ns();
	vm->opts = o;
	vm->kvm_flavour = kf;
	vm->kvm.sys_fd = vm->kvm.vm_fd = -1;
	vm->swap_fd = -1;
	vm->kvm_stats.fd = -1;
	vm->mon.listen_fd = -1;
	for (int i = 0; i < 2; i++)
		vm->console_fd[i] = vm->chan_fd[i] = -1;
	for (unsigned int n = 0; n < EBB_MAX_NODES; n++)
		vm->mem.node[n].fd = -1;
	pthread_mutex_init(&vm->stop_lock, NULL);
	bus_init(&vm->pio, "port");
	bus_init(&vm->mmio, "mmio");
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0) {
		vmm_log("eventfd: %s", strerror(errno));
		free(vm);
		return NULL;
	}
	return vm;
}

/*
 * KVM, the control socket, guest RAM, the irqchip, the devices, ACPI and
 * the loaded kernel: everything but the vCPUs.  0, or -1 with a message.
 */
static int vm_setup(struct vm *vm, const struct ebb_layout *layout, const struct boot_plan *plan,
		    const struct boot_files *files, char *cmdline, struct boot_data *bd, char *err,
		    size_t errlen)
{
	const struct ebb_options *o = vm->opts;
	struct guest_mem_opts mopts = {
		.name = o->name,
		.hugepages = o->hugepages,
		.nr_host_nodes = o->nr_host_nodes,
		.host_node = o->host_node,
	};
	char devparams[256];

	if (kvm_open(&vm->kvm, vm->kvm_flavour ? vm->kvm_flavour->dev : NULL, err, errlen))
		return -1;
	vm->stats.t_kvm = mono_ns();
	vm_kvm_stats_open(vm);
	if (monitor_listen(&vm->mon, o->name, err, errlen))
		return -1;
	if ((int)o->nr_cpus > vm->kvm.max_vcpus) {
		snprintf(err, errlen, "--cpus %u: this KVM allows at most %d vCPUs", o->nr_cpus,
			 vm->kvm.max_vcpus);
		return -1;
	}
	if (guest_mem_create(&vm->mem, layout, &mopts, err, errlen))
		return -1;
	if (guest_mem_register(&vm->mem, vm->kvm.vm_fd)) {
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	if (irqchip_create(vm->kvm.vm_fd, err, errlen))
		return -1;
	vm->stats.t_mem = mono_ns();
	if (devices_create(vm, devparams, sizeof(devparams), err, errlen) ||
	    (!o->no_acpi && acpi_write_vm(vm, &bd->rsdp_addr, err, errlen)) ||
	    cmdline_build(o, layout, devparams, cmdline, EBB_CMDLINE_MAX, err, errlen) < 0 ||
	    boot_load(plan, files, &vm->mem, bd, err, errlen))
		return -1;
	vm->stats.t_loaded = mono_ns();
	return 0;
}

/* The vCPUs, the boot CPU at the kernel's entry.  0, or -1 with a message. */
static int vm_create_vcpus(struct vm *vm, const struct boot_plan *plan, char *err, size_t errlen)
{
	unsigned int nr = vm->opts->nr_cpus;

	vm->vcpus = calloc(nr, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < nr; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; i < nr; i++) {
		vm->nr_vcpus = i + 1;
		if (cpu_create(vm, &vm->vcpus[i], i, err, errlen))
			return -1;
	}
	if (plan->format == BOOT_BZIMAGE)
		return cpu_set_long_entry(&vm->vcpus[0], plan->entry, plan->entry_arg, err, errlen);
	return cpu_set_pvh_entry(&vm->vcpus[0], (uint32_t)plan->entry, (uint32_t)plan->entry_arg,
				 err, errlen);
}

/* Start the device threads and vCPUs, serve the monitor until the VM ends; its status. */
static int vm_serve(struct vm *vm)
{
	struct monitor_backend be = {
		.name = "kvm",
		.ctx = vm,
		.console_fd = vm->console_fd[1],
		.chan_fd = vm->chan_fd[1],
		.extra_fd = -1,
		.end_fd = vm->stop_fd,
		.console_write = kvm_console_write,
		.chan_write = kvm_chan_write,
		.quit = kvm_quit,
		.status = kvm_status,
		.kvm_stats = vm_kvm_stats_query,
	};

	term_raw_enter();
	vm->stats.t_vcpus = mono_ns();
	if (devices_start(vm))
		vm_stop(vm, EBB_EXIT_INTERNAL, "starting device threads: %s", strerror(errno));
	for (unsigned int i = 0; i < vm->nr_vcpus && !atomic_load(&vm->stopping); i++)
		if (vcpu_start(&vm->vcpus[i])) {
			vm_stop(vm, EBB_EXIT_INTERNAL, "starting vCPU %u: %s", i, strerror(errno));
			break;
		}

	if (vm->has_balloon) {
		be.balloon_set = vm_balloon_set;
		be.balloon_query = vm_balloon_query;
	}
	run_monitor_describe(&vm->mon, vm->opts, vm->kvm_flavour);
	monitor_run(&vm->mon, &be);

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(&vm->vcpus[i]);
	term_raw_leave();
	vm->stats.t_end = mono_ns();
	return vm->exit_status;
}

static void vm_free(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		cpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	devices_destroy(vm);
	monitor_unlisten(&vm->mon);
	guest_mem_destroy(&vm->mem);
	kvm_stats_close(&vm->kvm_stats);
	kvm_close(&vm->kvm);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	free(vm);
}

int vm_run(const struct ebb_options *o, const struct kvm_flavour_info *kf,
	   const struct boot_files *files)
{
	static char cmdline[EBB_CMDLINE_MAX];
	struct ebb_layout layout;
	struct e820_table map;
	struct boot_plan plan;
	struct boot_data bd = { .map = &map, .cmdline = cmdline };
	char err[512];
	struct vm *vm;
	sigset_t block;
	int status;

	vm = vm_alloc(o, kf);
	if (!vm)
		return EBB_EXIT_SETUP;
	/* Everything that needs no KVM first: bad input fails the same everywhere. */
	if (run_plan(o, files, !o->no_acpi, &layout, &map, &plan, err, sizeof(err)) ||
	    vm_setup(vm, &layout, &plan, files, cmdline, &bd, err, sizeof(err)) ||
	    vm_create_vcpus(vm, &plan, err, sizeof(err))) {
		vmm_log("%s", err);
		status = EBB_EXIT_SETUP;
		goto out;
	}

	run_block_stop_signals(&block);
	if (vcpu_signals_init()) {
		vmm_log("sigaction: %s", strerror(errno));
		status = EBB_EXIT_SETUP;
		goto out_unblock;
	}
	status = vm_serve(vm);
	if (o->stats)
		print_stats(vm);
out_unblock:
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
out:
	vm_free(vm);
	return status;
}
