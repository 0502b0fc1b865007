// SPDX-License-Identifier: MIT
/*
 * `ebb top`: every running VM on one screen, refreshed each interval:
 * balloon size and target, host RSS, guest free / available, swap in/out
 * and memory stall over the interval, KVM exits per second (KVM's own
 * statistics, ebb's KVM backend only), and the host's PSI.  The controller
 * with no policy does the sampling, so the figures are the ones the
 * policies see.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <balloon/policy_app.h>
#include <balloon/policy_launch.h>

#define MIB(b) ((unsigned long long)((b) >> 20))

/* VM @i's exits per second between the samples; "-" unknown (QEMU, first sample). */
static void exits_rate(char *buf, size_t n, const struct policy_sample *p,
		       const struct policy_sample *s, unsigned int i, double dt)
{
	const struct policy_vm *v = &s->vm[i];

	if (!p || dt <= 0 || i >= p->nr_vms || !v->has_kvm_exits || !p->vm[i].has_kvm_exits ||
	    v->kvm_exits < p->vm[i].kvm_exits)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.0f", (double)(v->kvm_exits - p->vm[i].kvm_exits) / dt);
}

static void draw(const struct policy_ctl *c, bool clear)
{
	const struct policy_sample *s = &c->cur, *p = c->prev.t_ns ? &c->prev : NULL;
	double dt = policy_dt(p, s);

	if (clear)
		fputs("\033[H\033[J", stdout);
	printf("ebb top - %u VM(s), host available %llu MiB, PSI some avg10 %.2f%%\n\n",
	       s->nr_vms, MIB(s->host.avail), s->host.psi_some_avg10);
	printf("%-16s %8s %8s %8s %8s %8s %8s %8s %8s %7s %4s %9s\n", "VM", "RAM", "TARGET", "SIZE",
	       "RSS", "FREE", "AVAIL", "SWIN/s", "SWOUT/s", "STALL%", "OOM", "EXITS/s");
	for (unsigned int i = 0; i < s->nr_vms; i++) {
		const struct policy_vm *v = &s->vm[i];
		double stall = 0;
		char exits[32];

		if (p && dt > 0 && v->stall_us >= p->vm[i].stall_us)
			stall = (double)(v->stall_us - p->vm[i].stall_us) / (dt * 1e4);
		printf("%-16.16s %7lluM %7lluM %7lluM %7lluM ", v->name, MIB(v->ram), MIB(v->target),
		       MIB(v->actual), MIB(v->rss));
		if (v->has_stats)
			printf("%7lluM %7lluM %7.1fM %7.1fM %7.2f %4llu", MIB(v->free),
			       MIB(v->avail), POLICY_RATE(p, s, i, swap_in) / 1048576.0,
			       POLICY_RATE(p, s, i, swap_out) / 1048576.0, stall,
			       (unsigned long long)v->oom_kills);
		else
			printf("%8s %8s %8s %8s %7s %4s", "-", "-", "-", "-", "-", "-");
		exits_rate(exits, sizeof(exits), p, s, i, dt);
		printf(" %9s\n", exits);
	}
	fflush(stdout);
}

int policy_top_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "connect", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_ctl *c = calloc(1, sizeof(*c));
	const char *uri = NULL;
	double interval = 1;
	bool once = false;
	char err[512];
	int opt, ret = 1;

	if (!c)
		return 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': interval = atof(optarg); break;
		case '1': once = true; break;
		case 'c': uri = optarg; break;
		case 'h': fputs(policy_top_usage, stdout); ret = 0; goto out;
		default: fputs(policy_top_usage, stderr); goto out;
		}
	}
	if (interval <= 0) {
		fprintf(stderr, "ebb top: --interval must be positive\n");
		goto out;
	}
	if (uri) {
		int n = policy_libvirt_open_all(uri, (int)interval ?: 1, c->vm, POLICY_MAX_VMS,
						err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "ebb top: %s\n", err);
			goto out;
		}
		c->nr = (unsigned int)n;
	} else {
		c->nr = policy_ebb_open_all(c->vm, POLICY_MAX_VMS);
	}
	do {
		policy_ctl_tick(c, policy_now_ns());
		draw(c, !once);
		if (!once)
			policy_sleep_until(policy_now_ns() + (uint64_t)(interval * 1e9));
	} while (!once);
	ret = 0;
out:
	policy_ctl_close(c);
	free(c);
	return ret;
}
