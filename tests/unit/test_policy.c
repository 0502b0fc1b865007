// SPDX-License-Identifier: MIT
/*
 * Balloon policies on recorded signal traces (balloon/policy/): MOM's
 * rules worked out by hand, senpai's probe and back-off, ebb's fast
 * reclaim of an idle guest, its growth on stall and its budget fit, the
 * static split and the knob table.
 */
#include <stdio.h>
#include <string.h>

#include <balloon/policy.h>

#include "unit.h"

#define MiB (1024ULL * 1024)
#define SEC 1000000000ULL

static struct policy_knobs k;
static struct policy_vm_state st[POLICY_MAX_VMS];

static void setup(void)
{
	policy_knobs_default(&k);
	memset(st, 0, sizeof(st));
}

/* A guest of @ram with size @actual and @free of it free (available = free). */
static void vm_set(struct policy_sample *s, unsigned int i, uint64_t ram, uint64_t actual,
		   uint64_t free)
{
	struct policy_vm *v = &s->vm[i];

	snprintf(v->name, sizeof(v->name), "vm%u", i);
	v->ram = ram;
	v->target = v->actual = actual;
	v->rss = actual;
	v->has_stats = true;
	v->free = v->avail = free;
	v->total = actual;
	if (s->nr_vms <= i)
		s->nr_vms = i + 1;
}

static void host_set(struct policy_sample *s, uint64_t total, uint64_t avail)
{
	s->host.total = total;
	s->host.avail = avail;
}

/*
 * MOM, host at 10% free (pressure, not critical): guest_free = 0.20 *
 * 0.10 / 0.20 = 10%.  Guest 1000 MiB with 600 free: used 400, floor 400 +
 * 100 = 500, step 1000 * 0.95 = 950 > 500: 950 MiB.  Guest 1000 MiB with
 * 80 free: used 920, floor 1020 > 1000: no change.
 */
START_TEST(mom_pressure_by_hand)
{
	struct policy_sample s = { .t_ns = SEC };
	uint64_t t[2];

	vm_set(&s, 0, 1000 * MiB, 1000 * MiB, 600 * MiB);
	vm_set(&s, 1, 1000 * MiB, 1000 * MiB, 80 * MiB);
	host_set(&s, 10000 * MiB, 1000 * MiB);
	policy_mom.decide(&k, st, NULL, &s, t);
	ck_assert_uint_eq(t[0], 950 * MiB);
	ck_assert_uint_eq(t[1], 1000 * MiB);
}
END_TEST

/*
 * Critical (host 4% free): guest_free = 0.04 - 0.05 = -1%: a guest of
 * 800 MiB with 20 free: used 780, floor 780 - 8 = 772; step 800 * 0.95 =
 * 760 < 772: 772 MiB, below what it uses (pushed into swap).
 */
START_TEST(mom_critical_by_hand)
{
	struct policy_sample s = { .t_ns = SEC };
	uint64_t t[1];

	vm_set(&s, 0, 1000 * MiB, 800 * MiB, 20 * MiB);
	host_set(&s, 10000 * MiB, 400 * MiB);
	policy_mom.decide(&k, st, NULL, &s, t);
	ck_assert_uint_eq(t[0] >> 20, 772);
}
END_TEST

/*
 * No pressure (host 50% free): grow.  800 MiB of 1000 with 300 free: used
 * 500, floor 500 + 0.2 * 1000 = 700; step 800 * 1.05 = 840: 840 MiB.  With
 * 10 free: used 790, floor 990 > 840: 990 MiB.  A guest at its RAM stays.
 */
START_TEST(mom_grow_by_hand)
{
	struct policy_sample s = { .t_ns = SEC };
	uint64_t t[3];

	vm_set(&s, 0, 1000 * MiB, 800 * MiB, 300 * MiB);
	vm_set(&s, 1, 1000 * MiB, 800 * MiB, 10 * MiB);
	vm_set(&s, 2, 1000 * MiB, 1000 * MiB, 900 * MiB);
	host_set(&s, 10000 * MiB, 5000 * MiB);
	policy_mom.decide(&k, st, NULL, &s, t);
	ck_assert_uint_eq(t[0], 840 * MiB);
	ck_assert_uint_eq(t[1], 990 * MiB);
	ck_assert_uint_eq(t[2], 1000 * MiB);
}
END_TEST

/* Changes under 0.25% of the size are not made: 1000 MiB, floor 998. */
START_TEST(mom_small_change_skipped)
{
	struct policy_sample s = { .t_ns = SEC };
	uint64_t t[1];

	/* pressure 10%: guest_free 10%; free 102: used 898, floor 998 */
	vm_set(&s, 0, 1000 * MiB, 1000 * MiB, 102 * MiB);
	host_set(&s, 10000 * MiB, 1000 * MiB);
	st[0].target = 1000 * MiB;
	policy_mom.decide(&k, st, NULL, &s, t);
	ck_assert_uint_eq(t[0], 1000 * MiB);
}
END_TEST

/*
 * An idle 512 MiB guest (500 MiB free) under constant pressure: MOM takes
 * 5% of the current size a tick, so it needs 14 ticks (2-3 minutes at
 * MOM's 10-15 s) to halve it.
 */
START_TEST(mom_halving_takes_minutes)
{
	struct policy_sample s = { .t_ns = SEC };
	uint64_t t[1], size = 512 * MiB;
	int ticks = 0;

	k.min_size = 0;
	while (size > 256 * MiB && ticks < 100) {
		vm_set(&s, 0, 512 * MiB, size, size - 12 * MiB);
		host_set(&s, 10000 * MiB, 1000 * MiB);
		policy_mom.decide(&k, st, NULL, &s, t);
		ck_assert_uint_lt(t[0], size);
		size = t[0];
		ticks++;
	}
	ck_assert_int_eq(ticks, 14);
}
END_TEST

/* senpai: quiet windows probe down by 1%; a stalling window backs off. */
START_TEST(stall_probe_and_backoff)
{
	struct policy_sample a = { .t_ns = SEC }, b, c, d;
	uint64_t t[1];

	k.min_size = 0;
	vm_set(&a, 0, 1000 * MiB, 1000 * MiB, 500 * MiB);
	policy_stall.decide(&k, st, NULL, &a, t);	/* opens the window */
	ck_assert_uint_eq(t[0], 1000 * MiB);
	b = a;
	b.t_ns = 4 * SEC;				/* mid-window: nothing */
	policy_stall.decide(&k, st, &a, &b, t);
	ck_assert_uint_eq(t[0], 1000 * MiB);
	c = b;
	c.t_ns = 7 * SEC;				/* 6 s, no stall: -1% */
	policy_stall.decide(&k, st, &b, &c, t);
	ck_assert_uint_eq(t[0], (uint64_t)(1000 * MiB * 0.99) & ~4095ULL);
	d = c;
	d.t_ns = 13 * SEC;
	d.vm[0].stall_us = 12000;			/* 12 ms over 6 s = 0.2%: double target */
	policy_stall.decide(&k, st, &c, &d, t);
	/* back-off 20 * (2 - 1) capped at 100%: doubles, capped at RAM */
	ck_assert_uint_eq(t[0], 1000 * MiB);
}
END_TEST

/* Half the target stall: the probe is 10 * 0.5 * 1% capped at 1%. */
START_TEST(stall_probe_scaled)
{
	struct policy_sample a = { .t_ns = SEC }, b;
	uint64_t t[1];

	k.min_size = 0;
	k.stall_coeff_probe = 1;
	vm_set(&a, 0, 1000 * MiB, 1000 * MiB, 500 * MiB);
	policy_stall.decide(&k, st, NULL, &a, t);
	b = a;
	b.t_ns = 7 * SEC;
	b.vm[0].stall_us = 3000;			/* 0.05%: half the target */
	policy_stall.decide(&k, st, &a, &b, t);
	ck_assert_uint_eq(t[0], (uint64_t)(1000 * MiB * 0.995) & ~4095ULL);
}
END_TEST

/*
 * ebb halves an idle 512 MiB guest (40 MiB in use) in under 10 s: the
 * first tick holds (no history), then 256 MiB/s down to 40 + 32 MiB.
 */
START_TEST(ebb_idle_halved_fast)
{
	struct policy_sample prev, cur = { .t_ns = SEC };
	uint64_t t[1], size = 512 * MiB;
	int ticks = 0;

	vm_set(&cur, 0, 512 * MiB, size, size - 40 * MiB);
	policy_ebb.decide(&k, st, NULL, &cur, t);
	while (size > 256 * MiB && ticks < 50) {
		prev = cur;
		cur.t_ns += SEC;
		size = t[0];
		vm_set(&cur, 0, 512 * MiB, size, size - 40 * MiB);
		policy_ebb.decide(&k, st, &prev, &cur, t);
		ticks++;
	}
	ck_assert_int_le(ticks, 5);
	ck_assert_uint_ge(t[0], 40 * MiB + k.ebb_headroom_min);
	/* It settles at use + headroom (the larger of 32 MiB and 10%): 72 MiB, 64 MiB floor. */
	for (int i = 0; i < 5; i++) {
		prev = cur;
		cur.t_ns += SEC;
		vm_set(&cur, 0, 512 * MiB, t[0], t[0] - 40 * MiB);
		policy_ebb.decide(&k, st, &prev, &cur, t);
	}
	ck_assert_uint_eq(t[0], 72 * MiB);
}
END_TEST

/* A guest that stalls grows at once to actual + headroom, past the budget's idle guests. */
START_TEST(ebb_grows_on_stall)
{
	struct policy_sample prev = { .t_ns = SEC }, cur;
	uint64_t t[1];

	vm_set(&prev, 0, 512 * MiB, 200 * MiB, 10 * MiB);
	st[0].target = 200 * MiB;
	cur = prev;
	cur.t_ns = 2 * SEC;
	cur.vm[0].stall_us = 50000;			/* 5% of the second */
	policy_ebb.decide(&k, st, &prev, &cur, t);
	/* used 190, active headroom 50% = 95: at least 200 + 95 */
	ck_assert_uint_ge(t[0], 295 * MiB);
	ck_assert_uint_eq(st[0].quiet_ticks, 0);
}
END_TEST

/*
 * A ramping guest (64 MiB faulted in over the last second, 8 MiB free) is
 * sized for lookahead (4 s) of faults: 56 + 256 MiB; between two runs
 * its use dips and it keeps its size while still busy.
 */
START_TEST(ebb_ramp_lookahead)
{
	struct policy_sample prev = { .t_ns = SEC }, cur, next;
	uint64_t t[1];

	vm_set(&prev, 0, 512 * MiB, 64 * MiB, 64 * MiB);
	st[0].target = 64 * MiB;
	cur = prev;
	cur.t_ns = 2 * SEC;
	cur.vm[0].free = cur.vm[0].avail = 8 * MiB;
	cur.vm[0].minor_faults = 64 * 256;
	policy_ebb.decide(&k, st, &prev, &cur, t);
	ck_assert_uint_eq(t[0], (56 + 256) * MiB);
	next = cur;
	next.t_ns = 3 * SEC;
	next.vm[0].actual = next.vm[0].target = t[0];
	next.vm[0].free = next.vm[0].avail = t[0] - 16 * MiB;	/* the run ended */
	policy_ebb.decide(&k, st, &cur, &next, t);
	ck_assert_uint_eq(t[0], (56 + 256) * MiB);		/* one quiet tick: not idle yet */
}
END_TEST

/*
 * A lull in a busy guest is no idleness.  The shape is from a nested run
 * (timeline.csv, policy ebb): a guest ramping at ~10 MiB/s of faults
 * stopped faulting for a few seconds (its vCPU not run, or a phase that
 * touches what it has), went idle after 2 quiet ticks and was shrunk at
 * reclaim_rate, only to grow again a tick later.  Once busy, it keeps its
 * size for busy_hold quiet seconds; then it shrinks as any idle guest.
 */
START_TEST(ebb_busy_lull_holds)
{
	struct policy_sample prev = { .t_ns = SEC }, cur;
	uint64_t t[1], held;
	int s;

	vm_set(&prev, 0, 512 * MiB, 300 * MiB, 100 * MiB);
	st[0].target = 300 * MiB;
	cur = prev;
	cur.t_ns = 2 * SEC;
	cur.vm[0].minor_faults = 10 * 256;			/* 10 MiB in a second: busy, */
	cur.vm[0].free = cur.vm[0].avail = 90 * MiB;		/* and its use grew */
	policy_ebb.decide(&k, st, &prev, &cur, t);
	ck_assert(st[0].was_busy);
	held = t[0];
	ck_assert_uint_ge(held, 300 * MiB);
	/* Quiet from here on: held for busy_hold (20 s), not for idle_ticks (2). */
	for (s = 1; s < 30 && t[0] >= held; s++) {
		prev = cur;
		cur.t_ns += SEC;
		cur.vm[0].actual = cur.vm[0].target = t[0];
		cur.vm[0].free = cur.vm[0].avail = t[0] - 200 * MiB;
		policy_ebb.decide(&k, st, &prev, &cur, t);
	}
	ck_assert_int_eq(s - 1, 20);
	/* ... then it is idle: down to use + headroom at once. */
	ck_assert_uint_eq(t[0], 232 * MiB);
	/* A fault burst makes it busy again, and the hold starts over. */
	prev = cur;
	cur.t_ns += SEC;
	cur.vm[0].actual = cur.vm[0].target = t[0];
	cur.vm[0].free = cur.vm[0].avail = 32 * MiB;
	cur.vm[0].minor_faults += 10 * 256;
	policy_ebb.decide(&k, st, &prev, &cur, t);
	ck_assert_uint_eq(st[0].quiet_ticks, 0);
	ck_assert(st[0].was_busy);
}
END_TEST

/*
 * The late stats of a job that ended (QEMU polls the guest's stats on its
 * own clock, so the faults of an idle VM's warm-up arrive a tick or two
 * into the run) are no ramp: its use fell.  It is idle after idle_ticks.
 */
START_TEST(ebb_late_faults_no_hold)
{
	struct policy_sample prev = { .t_ns = SEC }, cur;
	uint64_t t[1];
	int s;

	vm_set(&prev, 0, 256 * MiB, 256 * MiB, 202 * MiB);
	st[0].target = 256 * MiB;
	cur = prev;
	cur.t_ns = 2 * SEC;
	cur.vm[0].minor_faults = 64 * 256;			/* the warm-up's 64 MiB */
	cur.vm[0].free = cur.vm[0].avail = 241 * MiB;		/* freed as it exited */
	policy_ebb.decide(&k, st, &prev, &cur, t);
	ck_assert(!st[0].was_busy);
	for (s = 0; s < 5 && t[0] == 256 * MiB; s++) {
		prev = cur;
		cur.t_ns += SEC;
		cur.vm[0].free = cur.vm[0].avail = 248 * MiB;
		policy_ebb.decide(&k, st, &prev, &cur, t);
	}
	ck_assert_int_le(s, 2);
	ck_assert_uint_lt(t[0], 128 * MiB);
}
END_TEST

/*
 * A ramp the host sees before the guest's stats do.  From a run on ebb's
 * QEMU backend: a guest shrunk to 64 MiB while it waited for its job
 * started faulting 384 MiB at ~130 MiB/s; its stats (polled by QEMU)
 * still showed it idle a tick later, its free memory was down to 5 MiB
 * and the balloon only grew it two ticks on.  Its VMM's RSS grew by 100
 * MiB in that first second: that is enough to size it for lookahead.
 */
START_TEST(ebb_ramp_seen_in_rss)
{
	struct policy_sample prev = { .t_ns = SEC }, cur;
	uint64_t t[1];

	vm_set(&prev, 0, 512 * MiB, 64 * MiB, 53 * MiB);
	prev.vm[0].rss = 49 * MiB;
	st[0].target = 64 * MiB;
	st[0].quiet_ticks = 10;
	cur = prev;
	cur.t_ns = 2 * SEC;
	cur.vm[0].rss = 149 * MiB;			/* the stats have not caught up */
	policy_ebb.decide(&k, st, &prev, &cur, t);
	ck_assert_uint_eq(st[0].quiet_ticks, 0);
	ck_assert(st[0].was_busy);
	/* used 11 + 4 s x 100 MiB/s */
	ck_assert_uint_eq(t[0], 411 * MiB);
}
END_TEST

/* Over budget: idle guests give first, and nobody goes under its floor. */
START_TEST(ebb_budget_from_idle_first)
{
	struct policy_sample prev = { .t_ns = SEC }, cur;
	uint64_t t[3], sum;

	k.budget_slack = 0;
	vm_set(&prev, 0, 512 * MiB, 300 * MiB, 260 * MiB);	/* idle, uses 40 */
	vm_set(&prev, 1, 512 * MiB, 400 * MiB, 50 * MiB);	/* busy, uses 350 */
	vm_set(&prev, 2, 512 * MiB, 400 * MiB, 50 * MiB);	/* busy, uses 350 */
	prev.host.budget = 900 * MiB;
	for (int i = 0; i < 3; i++)
		st[i].target = prev.vm[i].actual;
	st[0].quiet_ticks = 10;
	cur = prev;
	cur.t_ns = 2 * SEC;
	cur.vm[1].minor_faults = cur.vm[2].minor_faults = 100000;	/* busy */
	policy_ebb.decide(&k, st, &prev, &cur, t);
	sum = t[0] + t[1] + t[2];
	ck_assert_uint_le(sum, 900 * MiB);
	ck_assert_uint_ge(sum, 899 * MiB);
	ck_assert_uint_eq(t[0], 72 * MiB);			/* idle: down to use + 32 */
	ck_assert_uint_ge(t[1], 350 * MiB + k.ebb_headroom_min);	/* floors kept */
	ck_assert_uint_ge(t[2], 350 * MiB + k.ebb_headroom_min);
}
END_TEST

START_TEST(static_even_share)
{
	struct policy_sample s = { .t_ns = SEC };
	uint64_t t[4];

	k.budget_slack = 0;
	for (unsigned int i = 0; i < 4; i++)
		vm_set(&s, i, 512 * MiB, 512 * MiB, 500 * MiB);
	s.host.budget = 1280 * MiB;
	policy_static.decide(&k, st, NULL, &s, t);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(t[i], 320 * MiB);
}
END_TEST

START_TEST(knobs_parse)
{
	char err[128];

	ck_assert_int_eq(policy_knob_set(&k, "mom.max_change=0.1", err, sizeof(err)), 0);
	ck_assert(k.mom_max_change == 0.1);
	ck_assert_int_eq(policy_knob_set(&k, "ebb.headroom_min=16M", err, sizeof(err)), 0);
	ck_assert_uint_eq(k.ebb_headroom_min, 16 * MiB);
	ck_assert_int_eq(policy_knob_set(&k, "ebb.idle_ticks=3", err, sizeof(err)), 0);
	ck_assert_uint_eq(k.ebb_idle_ticks, 3);
	ck_assert_int_eq(policy_knob_set(&k, "nope=1", err, sizeof(err)), -1);
	ck_assert_int_eq(policy_knob_set(&k, "tick=x", err, sizeof(err)), -1);
	ck_assert_int_eq(policy_knob_set(&k, "tick", err, sizeof(err)), -1);
	ck_assert_ptr_eq(policy_find("mom"), &policy_mom);
	ck_assert_ptr_eq(policy_all[0], &policy_ebb);
	ck_assert_ptr_null(policy_find("senpai"));
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, mom_pressure_by_hand);
	tcase_add_test(tc, mom_critical_by_hand);
	tcase_add_test(tc, mom_grow_by_hand);
	tcase_add_test(tc, mom_small_change_skipped);
	tcase_add_test(tc, mom_halving_takes_minutes);
	tcase_add_test(tc, stall_probe_and_backoff);
	tcase_add_test(tc, stall_probe_scaled);
	tcase_add_test(tc, ebb_idle_halved_fast);
	tcase_add_test(tc, ebb_grows_on_stall);
	tcase_add_test(tc, ebb_ramp_lookahead);
	tcase_add_test(tc, ebb_busy_lull_holds);
	tcase_add_test(tc, ebb_late_faults_no_hold);
	tcase_add_test(tc, ebb_ramp_seen_in_rss);
	tcase_add_test(tc, ebb_budget_from_idle_first);
	tcase_add_test(tc, static_even_share);
	tcase_add_test(tc, knobs_parse);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(policy_suite)
