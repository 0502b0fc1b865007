// SPDX-License-Identifier: MIT
/*
 * `ebb balloond`: the controller as a daemon over running VMs (ebb
 * control sockets or one libvirt connection), one tick every knobs.tick
 * seconds until --duration or SIGINT/SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <balloon/policy_app.h>
#include <balloon/policy_launch.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

uint64_t policy_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void policy_sleep_until(uint64_t t_ns)
{
	uint64_t now = policy_now_ns();
	struct timespec ts;

	if (t_ns <= now)
		return;
	ts.tv_sec = (time_t)((t_ns - now) / 1000000000ULL);
	ts.tv_nsec = (long)((t_ns - now) % 1000000000ULL);
	nanosleep(&ts, NULL);
}

int policy_parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'G': case 'g': v *= 1024; /* fall through */
	case 'M': case 'm': v *= 1024; /* fall through */
	case 'K': case 'k': v *= 1024; end++; break;
	default: break;
	}
	if (*end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static void print_tick(const struct policy_ctl *c, bool dry, const uint64_t *dry_t)
{
	const struct policy_sample *s = &c->cur;

	printf("host avail %llu MiB psi %.2f |", (unsigned long long)(s->host.avail >> 20),
	       s->host.psi_some_avg10);
	for (unsigned int i = 0; i < s->nr_vms; i++)
		printf(" %s %llu->%llu", s->vm[i].name,
		       (unsigned long long)(s->vm[i].actual >> 20),
		       (unsigned long long)((dry ? dry_t[i] : c->st[i].target ?: s->vm[i].target) >> 20));
	printf(" MiB\n");
	fflush(stdout);
}

/* The VMs to steer: libvirt's at @uri, the ebb VMs named after the options, or every ebb VM. */
static int balloond_open_vms(struct policy_ctl *c, const char *uri, int argc, char **argv)
{
	char err[512];

	if (uri) {
		int n = policy_libvirt_open_all(uri, (int)(c->knobs.tick_s + 0.5) ?: 1, c->vm,
						POLICY_MAX_VMS, err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "ebb balloond: %s\n", err);
			return -1;
		}
		c->nr = (unsigned int)n;
	} else if (optind < argc) {
		for (int i = optind; i < argc && c->nr < POLICY_MAX_VMS; i++) {
			if (policy_ebb_open(argv[i], &c->vm[c->nr], err, sizeof(err))) {
				fprintf(stderr, "ebb balloond: %s\n", err);
				return -1;
			}
			c->nr++;
		}
	} else {
		c->nr = policy_ebb_open_all(c->vm, POLICY_MAX_VMS);
	}
	return 0;
}

/* Tick until @duration seconds have passed (<= 0: until a signal), a CSV row per tick. */
static void balloond_loop(struct policy_ctl *c, bool dry, double duration, FILE *cf)
{
	uint64_t t0, next;

	t0 = next = policy_now_ns();
	while (!stop && (duration <= 0 || (double)(policy_now_ns() - t0) / 1e9 < duration)) {
		uint64_t dry_t[POLICY_MAX_VMS];
		const struct policy_ops *p = c->policy;

		if (dry) {
			/* Sample only, then ask the policy on the side. */
			c->policy = NULL;
			policy_ctl_tick(c, policy_now_ns());
			c->policy = p;
			p->decide(&c->knobs, c->st, c->prev.t_ns ? &c->prev : NULL, &c->cur, dry_t);
		} else {
			policy_ctl_tick(c, policy_now_ns());
		}
		if (cf) {
			if (!c->prev.t_ns)
				policy_csv_header(cf, &c->cur);
			policy_csv_row(cf, t0, c->prev.t_ns ? &c->prev : NULL, &c->cur);
		}
		print_tick(c, dry, dry_t);
		next += (uint64_t)(c->knobs.tick_s * 1e9);
		policy_sleep_until(next);
	}
}

int policy_balloond_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "budget", required_argument, NULL, 'b' },
		{ "connect", required_argument, NULL, 'c' },
		{ "tick", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "csv", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "knobs", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_ctl *c = calloc(1, sizeof(*c));
	const char *uri = NULL, *csv = NULL;
	double duration = 0;
	bool dry = false, knobs = false;
	char err[512];
	FILE *cf = NULL;
	int opt, ret = 1;

	if (!c)
		return 1;
	policy_knobs_default(&c->knobs);
	c->policy = &policy_ebb;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!(c->policy = policy_find(optarg))) {
				fprintf(stderr, "ebb balloond: no policy \"%s\" (ebb, mom, stall, static)\n", optarg);
				goto out;
			}
			break;
		case 's':
			if (policy_knob_set(&c->knobs, optarg, err, sizeof(err))) {
				fprintf(stderr, "ebb balloond: %s\n", err);
				goto out;
			}
			break;
		case 'b':
			if (policy_parse_size(optarg, &c->host.budget)) {
				fprintf(stderr, "ebb balloond: bad --budget %s\n", optarg);
				goto out;
			}
			break;
		case 'c': uri = optarg; break;
		case 't': c->knobs.tick_s = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'o': csv = optarg; break;
		case 'n': dry = true; break;
		case 'k': knobs = true; break;
		case 'h': fputs(policy_balloond_usage, stdout); ret = 0; goto out;
		default: fputs(policy_balloond_usage, stderr); goto out;
		}
	}
	if (knobs) {
		policy_knobs_print(&c->knobs, stdout);
		ret = 0;
		goto out;
	}
	if (c->knobs.tick_s <= 0) {
		fprintf(stderr, "ebb balloond: --tick must be positive\n");
		goto out;
	}
	if (balloond_open_vms(c, uri, argc, argv))
		goto out;
	if (!c->nr) {
		fprintf(stderr, "ebb balloond: no VMs to steer\n");
		goto out;
	}
	if (csv && !(cf = fopen(csv, "w"))) {
		fprintf(stderr, "ebb balloond: cannot write %s\n", csv);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "ebb balloond: policy %s over %u VM(s), tick %g s%s\n", c->policy->name,
		c->nr, c->knobs.tick_s, dry ? ", dry run" : "");
	balloond_loop(c, dry, duration, cf);
	ret = 0;
out:
	if (cf)
		fclose(cf);
	policy_ctl_close(c);
	free(c);
	return ret;
}
