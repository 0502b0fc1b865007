// SPDX-License-Identifier: MIT
/*
 * ebb: ebb's own policy.  MOM moves 5% a tick and senpai 1% a window
 * because neither knows what a guest uses; ebb's guests say it (free,
 * available, faults, swap, stall), so each tick this policy computes what
 * every guest needs and goes there:
 *
 *   used     = actual - available            (what reclaim cannot give back)
 *   touch    = bytes/s the guest takes: its faults, or the growth of
 *              the VMM's RSS if larger (the host sees new memory touched
 *              at once; the guest's stats arrive a period or two late
 *              under QEMU, which polls them on its own clock, and a ramp
 *              that starts in a 64 MiB guest has used its free memory by
 *              then)
 *   busy     = touch above fault_idle/s, any swap-in, or stall above half
 *              of stall_max; quiet_ticks counts the ticks since.  A guest
 *              is idle after idle_ticks quiet ticks, or, once it has been
 *              busy and grew (its use rose by more than fault_idle/s in a
 *              busy tick: a job ramping, not the late stats of one that
 *              ended), after busy_hold quiet seconds: a job's fault rate
 *              has lulls (a phase that touches what it has, a vCPU the
 *              host did not run for a while), and shrinking a guest in
 *              one only makes it fault the memory back a second later
 *   want     = used + max(headroom_min, share * used, touch * lookahead),
 *              share = headroom for a guest quiet for idle_ticks,
 *              active_headroom otherwise (halved while the host's PSI is
 *              above host_psi): a ramping guest is sized for the memory it
 *              will have faulted in by the time the next targets land
 *   grow     at once to want; if the guest stalls above stall_max, swaps
 *              in or OOM-kills, to at least actual + its headroom
 *   shrink   only an idle guest, by up to reclaim_rate * dt a tick: a 512
 *              MiB idle guest is halved in a tick or two, not in minutes;
 *              a busy one keeps what it has (between two runs of a job its
 *              use dips, and shrinking it then costs the next run faults)
 *
 * Then the budget: if the targets add up to more than the budget (less
 * budget_slack and what the VMMs hold beyond guest RAM), the excess comes
 * from the idle guests first and then from everyone in proportion to
 * what they hold above their floor (used + headroom_min), never below it:
 * a guest is never ballooned into the OOM killer to meet a budget.
 */
#include <balloon/policy.h>

struct ebb_plan {
	uint64_t want, floor;
	bool idle;
};

static double stall_share(const struct policy_sample *prev, const struct policy_vm *v,
			  unsigned int i, double dt)
{
	const struct policy_vm *p;

	if (!prev || dt <= 0 || i >= prev->nr_vms)
		return 0;
	p = &prev->vm[i];
	if (!p->has_stats || v->stall_us < p->stall_us)
		return 0;
	return (double)(v->stall_us - p->stall_us) / (dt * 1e6);
}

static void ebb_plan_vm(const struct policy_knobs *k, struct policy_vm_state *s,
			const struct policy_sample *prev, const struct policy_sample *cur,
			unsigned int i, struct ebb_plan *pl)
{
	const struct policy_vm *v = &cur->vm[i];
	double dt = policy_dt(prev, cur), share, stall;
	double touch = (POLICY_RATE(prev, cur, i, minor_faults) +
			POLICY_RATE(prev, cur, i, major_faults)) * 4096;
	bool swapin = POLICY_RATE(prev, cur, i, swap_in) > 0;
	bool oom = prev && i < prev->nr_vms && v->oom_kills > prev->vm[i].oom_kills;
	bool rss_grew = false;
	uint64_t used = policy_used(v), cur_t = s->target ? s->target : v->target;
	uint64_t head, want, step;

	if (dt <= 0)
		dt = k->tick_s;
	if (prev && i < prev->nr_vms && prev->vm[i].rss && v->rss > prev->vm[i].rss &&
	    (double)(v->rss - prev->vm[i].rss) / dt > touch) {
		rss_grew = true;
		touch = (double)(v->rss - prev->vm[i].rss) / dt;
	}
	stall = stall_share(prev, v, i, dt);
	if (touch > (double)k->ebb_fault_idle || swapin || stall > k->ebb_stall_max / 2) {
		uint64_t used0 = prev && i < prev->nr_vms ? policy_used(&prev->vm[i]) : used;

		s->quiet_ticks = 0;
		s->quiet_s = 0;
		if (rss_grew || (double)used > (double)used0 + (double)k->ebb_fault_idle * dt)
			s->was_busy = true;
	} else if (prev) {
		s->quiet_ticks++;
		s->quiet_s += dt;
	}
	pl->idle = s->quiet_ticks >= k->ebb_idle_ticks &&
		   (!s->was_busy || s->quiet_s >= k->ebb_busy_hold_s);

	share = pl->idle ? k->ebb_headroom : k->ebb_active_headroom;
	if (cur->host.psi_some_avg10 > k->ebb_host_psi)
		share /= 2;
	head = (uint64_t)(share * (double)used);
	if (head < k->ebb_headroom_min)
		head = k->ebb_headroom_min;
	if (head < (uint64_t)(touch * k->ebb_lookahead_s))
		head = (uint64_t)(touch * k->ebb_lookahead_s);
	want = used + head;
	pl->floor = policy_clamp(k, v, used + k->ebb_headroom_min);

	if (stall > k->ebb_stall_max || swapin || oom) {
		if (want < v->actual + head)
			want = v->actual + head;
	} else if (want < cur_t) {
		step = pl->idle ? (uint64_t)((double)k->ebb_reclaim_rate * dt) : 0;
		if (cur_t - want > step)
			want = cur_t - step;
	}
	pl->want = policy_clamp(k, v, want);
	if (pl->floor > pl->want)
		pl->floor = pl->want;
}

/* Take @excess from the guests (idle ones first when @idle_only), down to their floors. */
static uint64_t ebb_take(struct ebb_plan *pl, unsigned int n, uint64_t excess, bool idle_only)
{
	uint64_t room = 0, taken = 0;

	for (unsigned int i = 0; i < n; i++)
		if (!idle_only || pl[i].idle)
			room += pl[i].want - pl[i].floor;
	if (!room)
		return 0;
	for (unsigned int i = 0; i < n && taken < excess; i++) {
		uint64_t r = pl[i].want - pl[i].floor, t;

		if (idle_only && !pl[i].idle)
			continue;
		/* In proportion to the room each has; all of it if the excess is larger. */
		t = excess >= room ? r : (uint64_t)((double)r * (double)excess / (double)room);
		t = (t + 4095) & ~4095ULL;
		if (t > r)
			t = r;
		pl[i].want -= t;
		taken += t;
	}
	return taken;
}

static void ebb_decide(const struct policy_knobs *k, struct policy_vm_state *st,
		       const struct policy_sample *prev, const struct policy_sample *cur,
		       uint64_t *targets)
{
	struct ebb_plan pl[POLICY_MAX_VMS];
	uint64_t sum = 0, overhead = 0, cap;

	for (unsigned int i = 0; i < cur->nr_vms; i++) {
		const struct policy_vm *v = &cur->vm[i];

		if (!v->has_stats) {
			/* Nothing known yet: hold the guest where it is. */
			pl[i].want = pl[i].floor = st[i].target ? st[i].target : v->target;
			pl[i].idle = false;
		} else {
			ebb_plan_vm(k, &st[i], prev, cur, i, &pl[i]);
		}
		sum += pl[i].want;
		if (v->rss > v->actual)
			overhead += v->rss - v->actual;
	}
	if (cur->host.budget) {
		cap = (uint64_t)((double)cur->host.budget * (1 - k->budget_slack));
		cap = cap > overhead ? cap - overhead : 0;
		if (sum > cap) {
			uint64_t excess = sum - cap;

			excess -= ebb_take(pl, cur->nr_vms, excess, true);
			if (excess)
				ebb_take(pl, cur->nr_vms, excess, false);
		}
	}
	for (unsigned int i = 0; i < cur->nr_vms; i++) {
		targets[i] = pl[i].want;
		st[i].target = targets[i];
	}
}

const struct policy_ops policy_ebb = {
	.name = "ebb",
	.help = "ebb's default: size each guest to what it uses plus headroom, reclaim idle "
		"guests at once, grow on stall or swap-in, fit the budget from idle guests first",
	.decide = ebb_decide,
};
