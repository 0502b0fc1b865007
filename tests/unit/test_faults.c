// SPDX-License-Identifier: MIT
/*
 * The VMM's fault points (vmm/fault_inject.c): SPEC parsing and its
 * refusals, Linux's should_fail() order (space, interval, probability,
 * times), the counts; then a point in use: the balloon whose punch-hole
 * fails keeps the pages resident and bit-exact and says so.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <linux/virtio_config.h>

#include <vmm/fault_inject.h>
#include <vmm/log.h>
#include <vmm/virtio/balloon.h>

#include "unit.h"
#include "virtio_test.h"

static struct fault_attr attr(enum fault_point p)
{
	struct fault_attr a;

	fault_inject_get(p, &a);
	return a;
}

static void set_ok(const char *spec)
{
	char err[256] = "";

	ck_assert_msg(fault_inject_set(spec, err, sizeof(err)) == 0, "%s: %s", spec, err);
}

static void set_bad(const char *spec, const char *why)
{
	char err[256] = "";

	ck_assert_int_eq(fault_inject_set(spec, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, why), "%s: \"%s\" does not say \"%s\"", spec, err, why);
}

START_TEST(faults_parse)
{
	struct fault_attr a;

	fault_inject_reset();
	set_ok("swap-write:eio:times=3");
	a = attr(FAULT_SWAP_WRITE);
	ck_assert(a.armed);
	ck_assert_int_eq(a.err, EIO);
	ck_assert_int_eq(a.times, 3);
	ck_assert_uint_eq(a.prob, 100);
	ck_assert_uint_eq(a.interval, 1);
	set_ok("swap-read:prob=10:interval=2");
	a = attr(FAULT_SWAP_READ);
	ck_assert_uint_eq(a.prob, 10);
	ck_assert_uint_eq(a.interval, 2);
	ck_assert_int_eq(a.times, -1);
	set_ok("swap-full:space=1M");
	a = attr(FAULT_SWAP_FULL);
	ck_assert_int_eq(a.err, ENOSPC);
	ck_assert_uint_eq(a.space, 1 << 20);
	set_ok("balloon-punch:fail");
	ck_assert_int_eq(attr(FAULT_BALLOON_PUNCH).err, EIO);
	set_ok("control:mute");
	ck_assert(attr(FAULT_CONTROL_MUTE).armed);
	set_ok("control:off");
	ck_assert(!attr(FAULT_CONTROL_MUTE).armed);

	/* Refusals name the problem and change nothing. */
	set_bad("disk-write:eio", "unknown fault point \"disk-write\"");
	set_bad("swap-write:ebadness", "\"ebadness\" is neither an error");
	set_bad("swap-write:prob=0", "prob=0");
	set_bad("swap-write:prob=101", "prob=101");
	set_bad("swap-write:interval=0", "interval=0");
	set_bad("swap-write:times=0", "times=0");
	set_bad("swap-write:times=-2", "times=-2");
	set_bad("swap-write:space=lots", "space=lots");
	set_bad("swap-write:color=red", "unknown key \"color\"");
	set_bad("", "unknown fault point");
	ck_assert_int_eq(attr(FAULT_SWAP_WRITE).times, 3);
	fault_inject_reset();
}
END_TEST

START_TEST(faults_times_and_counts)
{
	fault_inject_reset();
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_WRITE, 4096), 0);	/* not armed */
	set_ok("swap-write:eagain:times=3");
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(fault_should_fail(FAULT_SWAP_WRITE, 4096), EAGAIN);
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_WRITE, 4096), 0);
	ck_assert(!attr(FAULT_SWAP_WRITE).armed);
	ck_assert_uint_eq(attr(FAULT_SWAP_WRITE).fired, 3);
	/* Other points are not touched. */
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_READ, 4096), 0);
	ck_assert_uint_eq(attr(FAULT_SWAP_READ).fired, 0);
	/* Re-arming keeps the count since start; off too. */
	set_ok("swap-write");
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_WRITE, 1), EIO);
	set_ok("swap-write:off");
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_WRITE, 1), 0);
	ck_assert_uint_eq(attr(FAULT_SWAP_WRITE).fired, 4);
	fault_inject_reset();
}
END_TEST

START_TEST(faults_interval_space_prob)
{
	unsigned int fired = 0;

	fault_inject_reset();
	/* Every third call fails. */
	set_ok("swap-read:interval=3");
	for (int i = 1; i <= 9; i++)
		ck_assert_int_eq(fault_should_fail(FAULT_SWAP_READ, 512), i % 3 ? 0 : EIO);
	ck_assert_uint_eq(attr(FAULT_SWAP_READ).calls, 9);

	/* 10 KiB pass, then the disk is full. */
	set_ok("swap-full:space=10K");
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_FULL, 4096), 0);
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_FULL, 4096), 0);
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_FULL, 4096), ENOSPC);
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_FULL, 1), ENOSPC);

	/* About half of 2000 calls (far outside 700..1300 means no randomness, or none at all). */
	set_ok("balloon-punch:prob=50");
	for (int i = 0; i < 2000; i++)
		fired += fault_should_fail(FAULT_BALLOON_PUNCH, 4096) != 0;
	ck_assert_uint_gt(fired, 700);
	ck_assert_uint_lt(fired, 1300);
	ck_assert_uint_eq(attr(FAULT_BALLOON_PUNCH).fired, fired);
	fault_inject_reset();
}
END_TEST

/* Under QEMU the device points cannot fire: refused, at start and later. */
START_TEST(faults_qemu_backend)
{
	char err[256] = "";

	fault_inject_reset();
	set_ok("control:mute");
	ck_assert_int_eq(fault_inject_qemu_backend(err, sizeof(err)), 0);
	set_bad("swap-read:eio", "runs under QEMU");
	set_bad("balloon-punch", "runs under QEMU");
	set_ok("control:off");
	fault_inject_reset();
	set_ok("swap-write:times=1");
	ck_assert_int_eq(fault_inject_qemu_backend(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "--inject swap-write: this VM runs under QEMU"), "%s", err);
	fault_inject_reset();
}
END_TEST

START_TEST(faults_json)
{
	json_t *j, *p;

	fault_inject_reset();
	set_ok("swap-read:eio:times=2");
	fault_should_fail(FAULT_SWAP_READ, 4096);
	j = fault_inject_json();
	p = json_object_get(j, "swap-read");
	ck_assert_ptr_nonnull(p);
	ck_assert(json_is_true(json_object_get(p, "armed")));
	ck_assert_str_eq(json_string_value(json_object_get(p, "errno")), "eio");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "times")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "fired")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "calls")), 1);
	for (unsigned int i = 0; i < FAULT_NR; i++)
		ck_assert_ptr_nonnull(json_object_get(j, fault_point_name(i)));
	json_decref(j);
	fault_inject_reset();
}
END_TEST

#define PATTERN		0x5a

/* Queue an inflate of two pages on a hand-made ring: one request of two PFNs. */
static void queue_two(struct guest_mem *m, uint64_t page, uint16_t idx)
{
	uint32_t pfns[2] = { htole32((uint32_t)(page >> 12)), htole32((uint32_t)(page >> 12) + 1) };
	uint64_t list = VT_DATA + 0x100 * idx;

	memcpy(vt_ptr(m, list), pfns, sizeof(pfns));
	vt_desc(m, idx, list, sizeof(pfns), 0, 0);
	vt_avail(m, 16, idx);
}

/*
 * The punch-hole fails: the request is still answered, the pages count
 * as inflated but stay resident with their contents (a deflate gives them
 * back bit-exact), and the device counts the failure.  Disarmed, the
 * next inflate frees memory again.
 */
START_TEST(faults_balloon_punch)
{
	struct balloon_dev_config cfg = { 0 };
	uint64_t page = VT_DATA + 0x10000, page2 = VT_DATA + 0x20000, before;
	struct guest_mem m;
	struct balloon_dev b;
	struct vt_irq irq = { 0 };

	fault_inject_reset();
	vt_mem_init(&m);
	ck_assert_int_eq(balloon_dev_init(&b, &cfg, &m, EBB_MMIO_BASE, 5, vt_irq, &irq), 0);
	vt_negotiate(&b.mmio, (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BALLOON_F_MUST_TELL_HOST));
	vt_setup_queue(&b.mmio, 16);
	memset(vt_ptr(&m, page), PATTERN, 2 * 4096);
	memset(vt_ptr(&m, page2), PATTERN, 2 * 4096);
	memset(vt_ptr(&m, VT_USED), 0, 4096);

	set_ok("balloon-punch:fail:times=1");
	queue_two(&m, page, 0);
	before = guest_mem_resident(&m);
	balloon_dev_process(&b);
	ck_assert_uint_eq(vt_used_idx(&m), 1);
	ck_assert_uint_eq(b.counters.inflated, 2);
	ck_assert_uint_eq(b.counters.discards, 1);
	ck_assert_uint_eq(b.counters.discard_errors, 1);
	ck_assert_uint_eq(b.counters.discard_error_pages, 2);
	ck_assert_uint_eq(guest_mem_resident(&m), before);
	for (int i = 0; i < 2 * 4096; i++)
		ck_assert_uint_eq(((uint8_t *)vt_ptr(&m, page))[i], PATTERN);
	ck_assert_uint_eq(attr(FAULT_BALLOON_PUNCH).fired, 1);
	ck_assert_int_eq(irq.raises, 1);

	/* times=1 is spent: the next inflate gives the host its memory. */
	queue_two(&m, page2, 1);
	before = guest_mem_resident(&m);
	balloon_dev_process(&b);
	ck_assert_uint_eq(vt_used_idx(&m), 2);
	ck_assert_uint_eq(b.counters.discard_errors, 1);
	ck_assert_uint_eq(before - guest_mem_resident(&m), 2 * 4096);
	for (int i = 0; i < 2 * 4096; i++)
		ck_assert_uint_eq(((uint8_t *)vt_ptr(&m, page2))[i], 0);
	/* The first pages were never touched by the device. */
	for (int i = 0; i < 2 * 4096; i++)
		ck_assert_uint_eq(((uint8_t *)vt_ptr(&m, page))[i], PATTERN);
	balloon_dev_destroy(&b);
	guest_mem_destroy(&m);
	fault_inject_reset();
}
END_TEST


/*
 * Each point's failures are rate-limited on their own: a point that floods
 * the log (balloon-punch, thousands a second) must not hide the first
 * failure of the next one armed, which is the line a user looks for.
 */
START_TEST(faults_log_per_point)
{
	char log[8192] = "";
	FILE *cap = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	ck_assert_ptr_nonnull(cap);
	ck_assert_int_ge(saved, 0);
	fflush(stderr);
	ck_assert_int_ge(dup2(fileno(cap), STDERR_FILENO), 0);
	fault_inject_reset();
	set_ok("balloon-punch");
	for (int i = 0; i < 5 * RATELIMIT_BURST; i++)
		ck_assert_int_eq(fault_should_fail(FAULT_BALLOON_PUNCH, 4096), EIO);
	set_ok("swap-full");
	ck_assert_int_eq(fault_should_fail(FAULT_SWAP_FULL, 4096), ENOSPC);
	fault_inject_reset();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(cap);
	n = fread(log, 1, sizeof(log) - 1, cap);
	log[n] = '\0';
	fclose(cap);
	ck_assert_msg(strstr(log, "fault injection: swap-full fails (enospc), 1 injected"),
		      "the first swap-full failure is not in the log:\n%s", log);
	ck_assert_msg(!strstr(log, "balloon-punch fails (eio), 11 injected"),
		      "balloon-punch was not rate-limited:\n%s", log);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");

	tcase_add_test(tc, faults_parse);
	tcase_add_test(tc, faults_times_and_counts);
	tcase_add_test(tc, faults_interval_space_prob);
	tcase_add_test(tc, faults_qemu_backend);
	tcase_add_test(tc, faults_json);
	tcase_add_test(tc, faults_balloon_punch);
	tcase_add_test(tc, faults_log_per_point);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(faults_suite)
