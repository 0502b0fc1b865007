// SPDX-License-Identifier: MIT
/*
 * `vcost kvm`: the guest on /dev/kvm.  The VM is built from ebb's own
 * pieces (libvmm: kvm_open with ebb's capability checks, memfd guest
 * RAM, the in-kernel irqchip and PIT, the ELF loader, PVH start_info,
 * cpu_create's CPUID and MSRs), so it is the VM ebb would run; the run
 * loop is this file's, because it has to stop at every mark: there it
 * reads the KVM statistics of the vCPU and of the VM and the host clock.
 *
 * The vCPU starts in long mode at the ELF entry (entry64), with the
 * first GiB identity-mapped by the tables below, as KVM_SET_SREGS sets
 * it: no 32-bit code runs under KVM, because a KVM that interprets its
 * guest (PVM) may not run it.  The guest builds its own tables at once.
 *
 * An op that ends the VM (KVM cannot emulate it: KVM_EXIT_INTERNAL_ERROR;
 * a triple fault; an exception the guest did not expect; no progress)
 * gets a record saying why, and a new VM starts at the next op.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <vmm/cpu.h>
#include <vmm/elf.h>
#include <vmm/irqchip.h>
#include <vmm/kvm_flavour.h>
#include <vmm/kvm_stats.h>
#include <vmm/log.h>
#include <vmm/longmode.h>
#include <vmm/pvh.h>
#include <vmm/vm.h>

#include "proto.h"
#include "vcost.h"

/* A statistic followed from mark to mark. */
struct counter {
	char name[VCOST_STAT_NAME_MAX];	/* "vcpu.exits", "vm.pages_4k" */
	unsigned int file;		/* STATS_VCPU or STATS_VM */
	uint32_t index;			/* its value in that file's read */
};

enum { STATS_VCPU, STATS_VM, NR_STATS_FILES };

/* The counters' change over a bracket, and the host time it took. */
struct delta {
	int64_t *v;
	uint64_t ns;
	unsigned int op;
	bool valid;
};

/* One VM, from its first op to its end. */
struct session {
	struct vm *vm;			/* libvmm's; only kvm and mem are used */
	struct vcpu cpu;
	uint64_t tsc_khz;
	const char *tsc_source;		/* "kvm" (KVM_GET_TSC_KHZ) or "host" */

	struct kvm_stats stats[NR_STATS_FILES];	/* fd -1: this KVM has none */
	uint64_t *raw[NR_STATS_FILES];
	unsigned int nr_counters;
	struct counter *counters;
	uint64_t *begin, *end;		/* the counters at the open bracket's marks */
	uint64_t begin_ns;
	struct delta main, ref, null;	/* the last run, the tick op's loop alone, the empty op */

	char line[256];			/* COM1 so far */
	size_t len;
	int cur_op;			/* the op running (its "op" line), -1 before any */
	char cur_name[VCOST_NAME_MAX];
	unsigned int nr_ops;		/* from "hello" */
	bool done;
	char why[VCOST_STATUS_MAX];	/* how it ended, if not done */
	uint64_t progress_ns;		/* the last line or mark */
};

/* Nothing to do: the signal is there to make KVM_RUN return. */
static void on_alarm(int sig)
{
}

/* The whole of @path in a malloc'd buffer.  0, or -1 (errno). */
static int read_file(const char *path, void **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = -1;

	if (fd < 0)
		return -1;
	if (!fstat(fd, &st) && st.st_size > 0 && (*buf = malloc((size_t)st.st_size))) {
		*len = (size_t)st.st_size;
		r = read(fd, *buf, *len);
		if (r != (ssize_t)*len) {
			free(*buf);
			*buf = NULL;
			r = -1;
		}
	}
	close(fd);
	return r < 0 ? -1 : 0;
}

/* ---- statistics -------------------------------------------------------- */

static void counters_build(struct session *s)
{
	static const char *const prefix[NR_STATS_FILES] = { "vcpu.", "vm." };
	unsigned int max = 0;

	for (int f = 0; f < NR_STATS_FILES; f++)
		max += s->stats[f].fd >= 0 ? s->stats[f].nr : 0;
	s->counters = calloc(max ? max : 1, sizeof(*s->counters));
	s->begin = calloc(max ? max : 1, sizeof(uint64_t));
	s->end = calloc(max ? max : 1, sizeof(uint64_t));
	s->main.v = calloc(max ? max : 1, sizeof(int64_t));
	s->ref.v = calloc(max ? max : 1, sizeof(int64_t));
	s->null.v = calloc(max ? max : 1, sizeof(int64_t));
	if (!s->counters || !s->begin || !s->end || !s->main.v || !s->ref.v || !s->null.v)
		return;
	for (int f = 0; f < NR_STATS_FILES; f++) {
		if (s->stats[f].fd < 0)
			continue;
		s->raw[f] = calloc(s->stats[f].nr_values ? s->stats[f].nr_values : 1, sizeof(uint64_t));
		if (!s->raw[f])
			continue;
		for (unsigned int i = 0; i < s->stats[f].nr; i++) {
			const struct kvm_stat *st = &s->stats[f].stat[i];
			uint32_t type = st->flags & KVM_STATS_TYPE_MASK;
			struct counter *c = &s->counters[s->nr_counters];

			/* Counters and levels; peaks and histograms say nothing per op. */
			if (st->size != 1 || (type != KVM_STATS_TYPE_CUMULATIVE &&
					      type != KVM_STATS_TYPE_INSTANT))
				continue;
			snprintf(c->name, sizeof(c->name), "%s%s", prefix[f], st->name);
			c->file = (unsigned int)f;
			c->index = st->index;
			s->nr_counters++;
		}
	}
}

static void snapshot(struct session *s, uint64_t *into)
{
	for (int f = 0; f < NR_STATS_FILES; f++)
		if (s->raw[f] && kvm_stats_read(&s->stats[f], s->raw[f]))
			memset(s->raw[f], 0, s->stats[f].nr_values * sizeof(uint64_t));
	for (unsigned int c = 0; c < s->nr_counters; c++)
		into[c] = s->raw[s->counters[c].file][s->counters[c].index];
}

/* A mark: open a bracket, or close one into the run, the tick's reference or the empty op. */
static void mark(struct session *s, uint32_t m)
{
	unsigned int op = VCOST_MARK_OP(m), kind = VCOST_MARK_KIND(m);
	struct delta *d;

	if (kind == VCOST_BEGIN || kind == VCOST_REF_BEGIN) {
		snapshot(s, s->begin);
		s->begin_ns = mono_ns();
		return;
	}
	if (kind != VCOST_END && kind != VCOST_REF_END)
		return;
	d = kind == VCOST_REF_END ? &s->ref : &s->main;
	d->ns = mono_ns() - s->begin_ns;
	snapshot(s, s->end);
	for (unsigned int c = 0; c < s->nr_counters; c++)
		d->v[c] = (int64_t)(s->end[c] - s->begin[c]);
	d->op = op;
	d->valid = true;
	if (op != VCOST_OP_NULL || kind != VCOST_END)
		return;
	/* The empty op runs a few times: keep the least of each. */
	for (unsigned int c = 0; c < s->nr_counters; c++)
		if (!s->null.valid || d->v[c] < s->null.v[c])
			s->null.v[c] = d->v[c];
	if (!s->null.valid || d->ns < s->null.ns)
		s->null.ns = d->ns;
	s->null.valid = true;
	d->valid = false;
}

/* ---- records ----------------------------------------------------------- */

/* A run line: its figure, and the statistics net of its base, per iteration. */
static void rec_run(struct session *s, const struct vcost_msg *m)
{
	static struct vcost_rec r;
	const struct delta *base = s->ref.valid && s->ref.op == m->op ? &s->ref :
				   s->null.valid ? &s->null : NULL;

	vcost_rec_from_run(&r, "kvm", m, s->tsc_khz);
	if (!r.status[0] && (!s->main.valid || s->main.op != m->op)) {
		snprintf(r.status, sizeof(r.status), "the guest reported a run without its marks");
	} else if (!r.status[0]) {
		if (base && s->main.ns >= base->ns)
			r.wall_ns = (double)(s->main.ns - base->ns) / (double)m->n;
		for (unsigned int c = 0; c < s->nr_counters && r.nr_stats < VCOST_MAX_STATS; c++) {
			int64_t d = s->main.v[c] - (base ? base->v[c] : 0);

			if (!d)
				continue;
			snprintf(r.stat[r.nr_stats].name, sizeof(r.stat[0].name), "%s", s->counters[c].name);
			r.stat[r.nr_stats++].per_op = (double)d / (double)m->n;
		}
	}
	s->main.valid = s->ref.valid = false;
	vcost_rec_print(stdout, &r);
	fflush(stdout);
	if (!r.status[0])
		fprintf(stderr, "vcost kvm: %-12s run %u: %10.1f ns/op over %" PRIu64 "\n", r.name,
			r.rep, r.ns, r.n);
}

/* ---- the guest's console ---------------------------------------------- */

static void guest_line(struct session *s)
{
	struct vcost_msg m;

	s->line[s->len] = '\0';
	s->len = 0;
	if (vcost_msg_parse(s->line, &m)) {
		if (s->line[0])
			fprintf(stderr, "vcost kvm: guest: %s\n", s->line);
		return;
	}
	switch (m.type) {
	case VCOST_MSG_HELLO:
		s->nr_ops = (unsigned int)m.nr_ops;
		break;
	case VCOST_MSG_OP:
		s->cur_op = (int)m.op;
		snprintf(s->cur_name, sizeof(s->cur_name), "%s", m.name);
		break;
	case VCOST_MSG_RUN:
		rec_run(s, &m);
		break;
	case VCOST_MSG_FAULT:
		snprintf(s->why, sizeof(s->why), "guest exception: vector %" PRIu64 ", error code %"
			 PRIu64 ", rip %#" PRIx64 ", cr2 %#" PRIx64, m.vec, m.err, m.rip, m.cr2);
		break;
	case VCOST_MSG_DONE:
		s->done = true;
		break;
	}
}

/* Port I/O.  true: the VM powered off. */
static bool pio(struct session *s, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t bytes = run->io.size * run->io.count;

	if (run->io.direction == KVM_EXIT_IO_IN) {
		/* COM1's line status: always ready; every other port reads as nothing there. */
		memset(data, run->io.port == VCOST_COM1_LSR ? VCOST_LSR_THRE | 0x40 : 0xff, bytes);
		return false;
	}
	switch (run->io.port) {
	case VCOST_COM1:
		for (uint32_t i = 0; i < bytes; i++) {
			if (data[i] == '\n') {
				guest_line(s);
				continue;
			}
			if (s->len == sizeof(s->line) - 1)
				guest_line(s);	/* no report line is this long */
			s->line[s->len++] = (char)data[i];
		}
		s->progress_ns = mono_ns();
		break;
	case VCOST_MARK_PORT:
		if (run->io.size == 4) {
			uint32_t m;

			memcpy(&m, data, 4);
			mark(s, m);
			s->progress_ns = mono_ns();
		}
		break;
	case VCOST_EXIT_PORT:
		if (!s->done && !s->why[0])
			snprintf(s->why, sizeof(s->why), "the guest powered off with status %u", data[0]);
		return true;
	}
	return false;
}

static const char *internal_error_name(uint32_t sub)
{
	switch (sub) {
	case KVM_INTERNAL_ERROR_EMULATION: return "emulation failure";
	case KVM_INTERNAL_ERROR_SIMUL_EX: return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV: return "event delivery";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON: return "unexpected exit reason";
	default: return "unknown suberror";
	}
}

static void internal_error(struct session *s, struct kvm_run *run)
{
	struct kvm_regs regs;
	char insn[64] = "";
	size_t n = 0;

	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		n = (size_t)snprintf(insn, sizeof(insn), ", bytes");
		for (unsigned int i = 0; i < run->emulation_failure.insn_size && i < 8; i++)
			n += (size_t)snprintf(insn + n, sizeof(insn) - n, " %02x",
					      run->emulation_failure.insn_bytes[i]);
	}
	if (ioctl(s->cpu.fd, KVM_GET_REGS, &regs))
		regs.rip = 0;
	snprintf(s->why, sizeof(s->why),
		 "not emulated: KVM_EXIT_INTERNAL_ERROR, suberror %u (%s), rip %#llx%s",
		 run->internal.suberror, internal_error_name(run->internal.suberror),
		 (unsigned long long)regs.rip, insn);
}

/* Run the VM to its end: done, or s->why says what ended it. */
static void session_run(struct session *s)
{
	struct kvm_run *run = s->cpu.run;

	s->progress_ns = mono_ns();
	for (;;) {
		if (ioctl(s->cpu.fd, KVM_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				snprintf(s->why, sizeof(s->why), "KVM_RUN: %s", strerror(errno));
				return;
			}
			if (mono_ns() - s->progress_ns > VCOST_HANG_S * 1000000000ULL) {
				snprintf(s->why, sizeof(s->why),
					 "no progress for %d s: the VM was stopped", VCOST_HANG_S);
				return;
			}
			continue;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (pio(s, run))
				return;
			break;
		case KVM_EXIT_MMIO:
			/* The MMIO op's stores; a read would get zeros. */
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0, sizeof(run->mmio.data));
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			internal_error(s, run);
			return;
		case KVM_EXIT_SHUTDOWN:
			snprintf(s->why, sizeof(s->why), "triple fault (KVM_EXIT_SHUTDOWN)");
			return;
		case KVM_EXIT_FAIL_ENTRY:
			snprintf(s->why, sizeof(s->why), "KVM_EXIT_FAIL_ENTRY, hardware reason %#llx",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return;
		default:
			snprintf(s->why, sizeof(s->why), "unexpected KVM exit %u", run->exit_reason);
			return;
		}
	}
}

/* ---- the VM -------------------------------------------------------------- */

/* Long mode at the ELF entry, as ebb starts a bzImage (vmm/longmode.c). */
static int long_mode_entry(struct session *s, uint64_t rip, char *err, size_t errlen)
{
	struct kvm_regs r = { .rip = rip, .rbx = EBB_START_INFO_ADDR, .rflags = 0x2 };
	struct kvm_sregs sr;

	if (longmode_write(&s->vm->mem)) {
		snprintf(err, errlen, "no guest RAM for the boot page tables");
		return -1;
	}
	if (ioctl(s->cpu.fd, KVM_GET_SREGS, &sr)) {
		snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	longmode_sregs(&sr);
	if (ioctl(s->cpu.fd, KVM_SET_SREGS, &sr)) {
		snprintf(err, errlen, "KVM_SET_SREGS (long mode): %s", strerror(errno));
		return -1;
	}
	if (ioctl(s->cpu.fd, KVM_SET_REGS, &r)) {
		snprintf(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void session_destroy(struct session *s)
{
	for (int f = 0; f < NR_STATS_FILES; f++) {
		kvm_stats_close(&s->stats[f]);
		free(s->raw[f]);
	}
	free(s->counters);
	free(s->begin);
	free(s->end);
	free(s->main.v);
	free(s->ref.v);
	free(s->null.v);
	if (s->vm) {
		cpu_destroy(&s->cpu);
		guest_mem_destroy(&s->vm->mem);
		kvm_close(&s->vm->kvm);
		free(s->vm);
	}
}

static int session_create(struct session *s, const struct vcost_opts *o, const void *elf,
			  size_t len, const struct elf_image *img, unsigned int from,
			  char *err, size_t errlen)
{
	uint64_t size = VCOST_MEM;
	struct ebb_layout layout;
	char cmdline[256], serr[160];
	int khz;

	memset(s, 0, sizeof(*s));
	s->cur_op = -1;
	for (int f = 0; f < NR_STATS_FILES; f++)
		s->stats[f].fd = -1;
	s->vm = calloc(1, sizeof(*s->vm));
	if (!s->vm) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->vm->kvm.sys_fd = s->vm->kvm.vm_fd = -1;
	for (unsigned int n = 0; n < EBB_MAX_NODES; n++)
		s->vm->mem.node[n].fd = -1;
	s->cpu.vm = s->vm;
	s->cpu.fd = -1;

	if (kvm_open(&s->vm->kvm, getenv("EBB_KVM_DEV"), err, errlen) ||
	    layout_build(&layout, 1, &size, err, errlen) ||
	    guest_mem_create(&s->vm->mem, &layout, NULL, err, errlen))
		return -1;
	if (guest_mem_register(&s->vm->mem, s->vm->kvm.vm_fd)) {
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	if (irqchip_create(s->vm->kvm.vm_fd, err, errlen) ||
	    elf_load(elf, len, img, &s->vm->mem, err, errlen) ||
	    cpu_create(s->vm, &s->cpu, 0, err, errlen))
		return -1;

	/* The guest's TSC as KVM runs it; the host's where this KVM cannot say. */
	khz = ioctl(s->cpu.fd, KVM_GET_TSC_KHZ, 0);
	s->tsc_khz = khz > 0 ? (uint64_t)khz : vcost_host_tsc_khz();
	s->tsc_source = khz > 0 ? "kvm" : "host";
	snprintf(cmdline, sizeof(cmdline), VCOST_KEY_FROM "%u " VCOST_KEY_TSC_KHZ "%" PRIu64 " "
		 VCOST_KEY_TARGET_US "%u " VCOST_KEY_REPS "%u", from, s->tsc_khz, o->target_us,
		 o->reps);
	if (pvh_build(&s->vm->mem, cmdline, err, errlen) ||
	    long_mode_entry(s, img->e_entry, err, errlen))
		return -1;

	if (kvm_stats_open(&s->stats[STATS_VCPU], s->cpu.fd, serr, sizeof(serr)) ||
	    kvm_stats_open(&s->stats[STATS_VM], s->vm->kvm.vm_fd, serr, sizeof(serr)))
		fprintf(stderr, "vcost kvm: no KVM statistics, times only: %s\n", serr);
	counters_build(s);
	if (!s->counters || !s->begin || !s->end || !s->main.v || !s->ref.v || !s->null.v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* What the host says about its KVM (vmm/kvm_flavour.c, no calibration VM), for the label. */
static void print_info(const struct session *s)
{
	struct kvm_flavour_info fi;
	struct utsname u;

	kvm_flavour_probe(&fi, getenv("EBB_KVM_DEV"), KVM_PROBE_REPORT);
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	printf(VCOST_INFO_PREFIX "kvm flavour=%s module=%s paging=%s tsc_khz=%" PRIu64
	       " tsc_source=%s kernel=%s vcpu_stats=%u vm_stats=%u\n",
	       kvm_flavour_name(fi.flavour),
	       fi.host.mod_pvm ? "kvm_pvm" : fi.host.mod_amd ? "kvm_amd" :
	       fi.host.mod_intel ? "kvm_intel" : "unknown",
	       fi.paging ? (!strcmp(fi.paging, "shadow paging") ? "shadow" : fi.paging) : "unknown",
	       s->tsc_khz, s->tsc_source, u.release,
	       s->stats[STATS_VCPU].fd >= 0 ? s->stats[STATS_VCPU].nr : 0,
	       s->stats[STATS_VM].fd >= 0 ? s->stats[STATS_VM].nr : 0);
	fflush(stdout);
}

int vcost_kvm(const struct vcost_opts *o)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval tick = { { 1, 0 }, { 1, 0 } };
	struct elf_image img;
	struct session s;
	char err[512];
	void *elf = NULL;
	size_t len = 0;
	unsigned int from = 1, nr_ops = 0;
	int rc = 1;

	if (read_file(o->guest, &elf, &len)) {
		fprintf(stderr, "vcost kvm: %s: %s\n", o->guest, strerror(errno));
		return 1;
	}
	if (elf_parse(elf, len, &img, err, sizeof(err))) {
		fprintf(stderr, "vcost kvm: %s: %s\n", o->guest, err);
		goto out;
	}
	if (img.e_entry < img.lowest || img.e_entry >= img.highest) {
		fprintf(stderr, "vcost kvm: %s: the ELF entry is not in the image\n", o->guest);
		goto out;
	}
	/* KVM_RUN returns EINTR at each tick (SA_RESTART does not restart it): the hang check. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &tick, NULL)) {
		fprintf(stderr, "vcost kvm: timer: %s\n", strerror(errno));
		goto out;
	}

	for (;;) {
		if (session_create(&s, o, elf, len, &img, from, err, sizeof(err))) {
			fprintf(stderr, "vcost kvm: %s\n", err);
			session_destroy(&s);
			goto out;
		}
		if (from == 1)
			print_info(&s);
		session_run(&s);
		if (s.nr_ops)
			nr_ops = s.nr_ops;
		if (s.done) {
			session_destroy(&s);
			break;
		}
		if (s.cur_op < (int)from) {
			/* It never reached the op it was started for: nothing to skip past. */
			fprintf(stderr, "vcost kvm: the guest did not get through its set-up: %s\n", s.why);
			session_destroy(&s);
			goto out;
		}
		vcost_rec_failed("kvm", (unsigned int)s.cur_op, s.cur_name, s.why);
		from = (unsigned int)s.cur_op + 1;
		session_destroy(&s);
		if (from >= nr_ops)
			break;
		fprintf(stderr, "vcost kvm: a new VM from op %u\n", from);
	}
	rc = 0;
out:
	setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	free(elf);
	return rc;
}
