// SPDX-License-Identifier: MIT
/*
 * `ebb overcommit`: the experiment.  N ebb VMs with balloons in a private
 * runtime directory, a host budget (a memory cgroup holding the VMs when
 * the host lets us make one, else only accounted), per-VM workloads in
 * phases (idle; busy:SIZE@START+LEN = ramp, busy, release), the controller
 * ticking over them; a CSV timeline, a JSON summary and plots in --out.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <balloon/policy_app.h>
#include <balloon/policy_launch.h>

#define BOOT_TIMEOUT_S		300
/*
 * After the warm-ups, before the clock starts: the guests' stats (every
 * second) must show them idle, not a snapshot from mid warm-up.  QEMU
 * polls them on its own clock, so they can lag by two periods there.
 */
#define STATS_SETTLE_US		3000000

/* One VM's part in the experiment. */
struct oc_vm {
	char name[POLICY_NAME_MAX];
	pid_t pid;			/* its `ebb run` */
	bool busy;
	char size[32];			/* busy: run anon SIZE hotcold */
	char warm[32];			/* idle: touched once before the clock starts, "" none */
	double start_s, len_s;		/* busy: from START for LEN seconds */
	/*
	 * A Linux guest's kernel and initrd, NULL for ebb's own guest.  The
	 * initrd must run tests/linux/ebb-agent.sh (mkinitrd.sh's do), which
	 * answers the control channel and runs `run anon` on memhog.
	 */
	const char *kernel, *initrd;
	pthread_t thread;
	bool thread_on;
	/* Written by the workload thread, read at the end. */
	unsigned int runs, failures;
	double run_s[POLICY_MAX_RUNS];	/* each run's time, in order */
};

struct oc {
	unsigned int nr;
	uint64_t mem, budget;
	double duration_s, settle_s;
	uint64_t t0_ns;
	const char *ebb, *out, *baseline, *policy;
	const char *kernel, *initrd;	/* --kernel, --initrd: for VMs whose SPEC names none */
	char *specs[POLICY_MAX_VMS];	/* --vm, in order */
	unsigned int nspecs;
	bool quiet, reporting, enforce_cgroup;
	char outbuf[128], ebbbuf[PATH_MAX];
	struct policy_cgroup cg;	/* enforces the budget when cg.dir[0] */
	const char *cg_parent;		/* --cgroup: where it is made, NULL the root */
	char cg_error[512];		/* why there is none */
	char run_dir[64];
	struct oc_vm vm[POLICY_MAX_VMS];
	volatile int stop;
};

static struct oc *the_oc;	/* for the signal handler */

static void on_signal(int sig)
{
	the_oc->stop = 1;
}

/*
 * The budget's memory cgroup, or why not (then the budget is only
 * accounted: the controller still sees budget - RSS as the host's room).
 */
static void cgroup_setup(struct oc *o, struct policy_host_src *h)
{
	char name[64];

	snprintf(name, sizeof(name), "ebb-overcommit-%d", (int)getpid());
	if (policy_cgroup_make(&o->cg, o->cg_parent, name, o->budget, o->cg_error,
			       sizeof(o->cg_error))) {
		fprintf(stderr, "ebb overcommit: no memory cgroup: %s; the budget is only "
			"accounted\n", o->cg_error);
		return;
	}
	if (o->cg.v2)
		snprintf(h->psi_path, sizeof(h->psi_path), "%s/memory.pressure", o->cg.dir);
	fprintf(stderr, "ebb overcommit: memory cgroup %s (%s), limit %llu MiB\n", o->cg.dir,
		o->cg.v2 ? "v2" : "v1", (unsigned long long)(policy_cgroup_limit(&o->cg) >> 20));
}

/* Every VM's process is charged to the cgroup, or the budget is not enforced: say so. */
static void cgroup_check(struct oc *o)
{
	for (unsigned int i = 0; o->cg.dir[0] && i < o->nr; i++)
		if (!policy_cgroup_has(&o->cg, o->vm[i].pid)) {
			snprintf(o->cg_error, sizeof(o->cg_error), "%s (pid %d) is not in %s",
				 o->vm[i].name, (int)o->vm[i].pid, o->cg.dir);
			fprintf(stderr, "ebb overcommit: %s: the budget is not enforced for it\n",
				o->cg_error);
		}
}

static pid_t vm_start(struct oc *o, struct oc_vm *v)
{
	char mem[32], log[PATH_MAX];
	pid_t pid;
	int r = 0;

	const char *argv[16] = { o->ebb, "run", "--name", v->name, "--mem", mem,
				 o->reporting ? "--balloon=deflate-on-oom,stats=1,reporting" :
						"--balloon=deflate-on-oom,stats=1" };
	unsigned int argc = 7;

	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)(o->mem >> 20));
	snprintf(log, sizeof(log), "%s/%s.log", o->out, v->name);
	if (v->kernel) {
		argv[argc++] = "--kernel";
		argv[argc++] = v->kernel;
		if (v->initrd) {
			argv[argc++] = "--initrd";
			argv[argc++] = v->initrd;
		}
		/* The initrd's /init runs this instead of a shell on a console nobody reads. */
		argv[argc++] = "--append";
		argv[argc++] = "ebb.init=\"sleep 2147483647\"";
	}
	pid = fork();
	if (pid)
		return pid;
	/* In before exec: everything the VMM maps is charged to the budget. */
	if (o->cg.dir[0])
		r = policy_cgroup_add(&o->cg, getpid());
	int in = open("/dev/null", O_RDONLY), out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in >= 0)
		dup2(in, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	if (r)
		fprintf(stderr, "ebb overcommit: joining %s: %s\n", o->cg.dir, strerror(-r));
	setpgid(0, 0);
	execv(o->ebb, (char **)argv);
	_exit(127);
}

static bool vm_ready(const char *name)
{
	char err[256];
	json_t *r = policy_ebb_call(name, json_pack("{ss}", "execute", "query-status"), 5000,
				    err, sizeof(err));
	bool ok = json_is_true(json_object_get(r, "control_channel_ready"));

	json_decref(r);
	return ok;
}

static double now_s(const struct oc *o)
{
	return (double)(policy_now_ns() - o->t0_ns) / 1e9;
}

/* A busy VM: the workload again and again in its window, each run timed. */
static void *workload(void *arg)
{
	struct oc_vm *v = arg;
	struct oc *o = the_oc;
	char cmd[64], err[256];

	snprintf(cmd, sizeof(cmd), "run anon %s hotcold", v->size);
	while (!o->stop && now_s(o) < v->start_s)
		usleep(100000);
	while (!o->stop && now_s(o) < v->start_s + v->len_s) {
		uint64_t t = policy_now_ns();
		json_t *r = policy_ebb_call(v->name, json_pack("{ss s{ss si}}", "execute",
						"guest-exec", "arguments", "command", cmd,
						"timeout", 600), 660000, err, sizeof(err));

		if (r && json_integer_value(json_object_get(r, "status")) == 0) {
			if (v->runs < POLICY_MAX_RUNS)
				v->run_s[v->runs++] = (double)(policy_now_ns() - t) / 1e9;
		} else {
			v->failures++;
			usleep(200000);
		}
		json_decref(r);
	}
	return NULL;
}

static void vm_stop_all(struct oc *o)
{
	char err[256];

	for (unsigned int i = 0; i < o->nr; i++)
		if (o->vm[i].pid > 0)
			json_decref(policy_ebb_call(o->vm[i].name,
				json_pack("{ss}", "execute", "quit"), 5000, err, sizeof(err)));
	for (unsigned int i = 0; i < o->nr; i++) {
		int st;

		for (int w = 0; o->vm[i].pid > 0 && w < 150; w++) {
			if (waitpid(o->vm[i].pid, &st, WNOHANG) == o->vm[i].pid) {
				o->vm[i].pid = 0;
				break;
			}
			usleep(100000);
		}
		if (o->vm[i].pid > 0) {
			kill(-o->vm[i].pid, SIGKILL);
			kill(o->vm[i].pid, SIGKILL);
			waitpid(o->vm[i].pid, &st, 0);
			o->vm[i].pid = 0;
		}
	}
}

/*
 * An idle VM that once worked: it touches its warm-up size and frees it,
 * so the host holds that memory until a balloon takes it back (without
 * free page reporting nothing else does).  0 or -1.
 */
static int warm_up(struct oc_vm *v)
{
	char cmd[64], err[256];
	json_t *r;

	if (!v->warm[0])
		return 0;
	snprintf(cmd, sizeof(cmd), "run anon %s seq", v->warm);
	r = policy_ebb_call(v->name, json_pack("{ss s{ss si}}", "execute", "guest-exec",
					       "arguments", "command", cmd, "timeout", 600),
			    660000, err, sizeof(err));
	json_decref(r);
	if (!r)
		fprintf(stderr, "ebb overcommit: %s: warm-up: %s\n", v->name, err);
	return r ? 0 : -1;
}

static void *warm_thread(void *arg)
{
	warm_up(arg);
	return NULL;
}

/*
 * "idle", "idle:SIZE" (warmed up) or "busy:SIZE@START+LEN", then
 * ",kernel=PATH" and ",initrd=PATH" for a Linux guest.  @s is cut at its
 * commas; the paths point into it.  0 or -1.
 */
static int parse_spec(char *s, struct oc_vm *v)
{
	char *opt = strchr(s, ','), *next;
	char tail;
	int n;

	if (opt)
		*opt++ = '\0';
	for (; opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (!strncmp(opt, "kernel=", 7) && opt[7])
			v->kernel = opt + 7;
		else if (!strncmp(opt, "initrd=", 7) && opt[7])
			v->initrd = opt + 7;
		else
			return -1;
	}
	if (v->initrd && !v->kernel)
		return -1;
	if (!strcmp(s, "idle"))
		return 0;
	if (!strncmp(s, "idle:", 5)) {
		n = snprintf(v->warm, sizeof(v->warm), "%s", s + 5);
		return n > 0 && n < (int)sizeof(v->warm) ? 0 : -1;
	}
	v->busy = true;
	return sscanf(s, "busy:%31[^@]@%lf+%lf%c", v->size, &v->start_s, &v->len_s, &tail) == 3 &&
	       v->len_s > 0 ? 0 : -1;
}

/*
 * The baseline's run times per VM into @f.  The baseline must be the same
 * experiment (VMs, their size, duration) run with --policy none: anything
 * else is said, and a baseline without run times gives no slowdown.
 */
/*
 * The VMM's own last words in a dead VM's log ("ebb: guest triple fault:
 * ... RIP ..."), so a run in a throw-away nest still shows why it died.
 */
static void vm_last_words(const struct oc *o, const struct oc_vm *v)
{
	char path[PATH_MAX], line[512], last[3][512];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.log", o->out, v->name);
	f = fopen(path, "re");
	if (!f)
		return;
	/* The VMM's lines, even where they follow the guest's prompt on the console. */
	while (fgets(line, sizeof(line), f)) {
		const char *said = strstr(line, "ebb: ");

		if (said)
			snprintf(last[n++ % 3], sizeof(last[0]), "%s", said);
	}
	fclose(f);
	for (unsigned int i = n > 3 ? n - 3 : 0; i < n; i++)
		fprintf(stderr, "ebb overcommit:   %s| %s", v->name, last[i % 3]);
}

static void baseline_load(const struct oc *o, struct policy_figures *f)
{
	json_error_t je;
	json_t *b = json_load_file(o->baseline, 0, &je), *vms = json_object_get(b, "vms");
	const char *pol = json_string_value(json_object_get(b, "policy"));
	unsigned int found = 0;

	if (!b) {
		fprintf(stderr, "ebb overcommit: baseline %s: %s\n", o->baseline, je.text);
		return;
	}
	if (json_array_size(vms) != o->nr ||
	    json_real_value(json_object_get(b, "ram_mib")) != (double)(o->nr * o->mem >> 20) ||
	    json_real_value(json_object_get(b, "duration_s")) != o->duration_s)
		fprintf(stderr, "ebb overcommit: baseline %s is not this experiment (VMs, sizes "
			"or duration differ): its slowdown figures compare unlike runs\n",
			o->baseline);
	if (pol && strcmp(pol, "none"))
		fprintf(stderr, "ebb overcommit: baseline %s ran policy %s, not none\n",
			o->baseline, pol);
	for (unsigned int i = 0; i < o->nr && i < json_array_size(vms); i++) {
		json_t *runs = json_object_get(json_array_get(vms, i), "runs_s");
		struct policy_vm_figures *vf = &f->vm[i];

		for (size_t r = 0; r < json_array_size(runs) && r < POLICY_MAX_RUNS; r++)
			vf->base_run_s[vf->base_runs++] = json_number_value(json_array_get(runs, r));
		found += vf->base_runs;
	}
	if (!found)
		fprintf(stderr, "ebb overcommit: baseline %s has no workload run times "
			"(runs_s): no slowdown figure\n", o->baseline);
	json_decref(b);
}

static int write_outputs(struct oc *o, struct policy_ctl *c, struct policy_figures *f,
			 const char *csv, const char *policy)
{
	char path[PATH_MAX], err[512];
	json_t *sum, *died = json_array();

	for (unsigned int i = 0; i < o->nr; i++) {
		struct policy_vm_figures *vf = &f->vm[i];
		int st;

		vf->runs = o->vm[i].runs;
		vf->failures = o->vm[i].failures;
		memcpy(vf->run_s, o->vm[i].run_s, sizeof(vf->run_s));
		/*
		 * A VM gone before the end was killed: by the budget's cgroup
		 * (its OOM killer picks the largest process, a VMM) or it crashed.
		 */
		if (o->vm[i].pid > 0 && waitpid(o->vm[i].pid, &st, WNOHANG) == o->vm[i].pid) {
			o->vm[i].pid = 0;
			json_array_append_new(died, json_string(o->vm[i].name));
			fprintf(stderr, "ebb overcommit: %s died during the run (%s %d; see %s/%s.log)\n",
				o->vm[i].name, WIFSIGNALED(st) ? "signal" : "exit status",
				WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), o->out, o->vm[i].name);
			vm_last_words(o, &o->vm[i]);
		}
	}
	if (o->baseline)
		baseline_load(o, f);
	sum = policy_summary_json(f, &c->cur, policy, &c->knobs);
	json_object_set_new(sum, "vms_died", died);
	json_object_set_new(sum, "enforced", json_string(o->cg.dir[0] ? "cgroup" : "accounted"));
	if (o->cg.dir[0])
		json_object_set_new(sum, "cgroup", policy_cgroup_json(&o->cg));
	if (o->cg_error[0])
		json_object_set_new(sum, "cgroup_error", json_string(o->cg_error));
	json_object_set_new(sum, "duration_s", json_real(o->duration_s));
	json_object_set_new(sum, "set_errors", json_integer((json_int_t)c->set_errors));
	snprintf(path, sizeof(path), "%s/summary.json", o->out);
	if (json_dump_file(sum, path, JSON_INDENT(2))) {
		fprintf(stderr, "ebb overcommit: cannot write %s\n", path);
		json_decref(sum);
		return -1;
	}
	if (!o->quiet)
		json_dumpf(sum, stdout, JSON_INDENT(2)), putchar('\n');
	json_decref(sum);
	if (policy_plot(o->out, csv, &c->cur, o->budget, err, sizeof(err)))
		fprintf(stderr, "ebb overcommit: %s\n", err);
	return 0;
}

/* The command line into @o and @c's knobs.  0, 1 on a usage error, 2 after --help. */
static int oc_parse_args(struct oc *o, struct policy_ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vms", required_argument, NULL, 'n' }, { "mem", required_argument, NULL, 'm' },
		{ "budget", required_argument, NULL, 'b' }, { "policy", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' }, { "vm", required_argument, NULL, 'v' },
		{ "duration", required_argument, NULL, 'd' }, { "settle", required_argument, NULL, 'S' },
		{ "baseline", required_argument, NULL, 'B' }, { "out", required_argument, NULL, 'o' },
		{ "enforce", required_argument, NULL, 'e' }, { "quiet", no_argument, NULL, 'q' },
		{ "ebb", required_argument, NULL, 'E' }, { "help", no_argument, NULL, 'h' },
		{ "reporting", no_argument, NULL, 'r' }, { "cgroup", required_argument, NULL, 'c' },
		{ "kernel", required_argument, NULL, 'K' }, { "initrd", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	int opt;

	o->nr = 4;
	o->mem = 512ULL << 20;
	o->budget = 1280ULL << 20;
	o->duration_s = 120;
	o->settle_s = -1;
	o->policy = "ebb";
	o->enforce_cgroup = true;
	policy_knobs_default(&c->knobs);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': o->nr = (unsigned int)atoi(optarg); break;
		case 'm': if (policy_parse_size(optarg, &o->mem)) return 1; break;
		case 'b': if (policy_parse_size(optarg, &o->budget)) return 1; break;
		case 'p': o->policy = optarg; break;
		case 's':
			if (policy_knob_set(&c->knobs, optarg, err, sizeof(err))) {
				fprintf(stderr, "ebb overcommit: %s\n", err);
				return 1;
			}
			break;
		case 'v':
			if (o->nspecs == POLICY_MAX_VMS)
				return 1;
			o->specs[o->nspecs++] = optarg;
			break;
		case 'd': o->duration_s = atof(optarg); break;
		case 'S': o->settle_s = atof(optarg); break;
		case 'B': o->baseline = optarg; break;
		case 'o': o->out = optarg; break;
		case 'e': o->enforce_cgroup = !strcmp(optarg, "cgroup"); break;
		case 'q': o->quiet = true; break;
		case 'E': o->ebb = optarg; break;
		case 'r': o->reporting = true; break;
		case 'c': o->cg_parent = optarg; break;
		case 'K': o->kernel = optarg; break;
		case 'I': o->initrd = optarg; break;
		case 'h': fputs(policy_overcommit_usage, stdout); return 2;
		default: return 1;
		}
	}
	if (optind < argc || o->nr < 1 || o->nr > POLICY_MAX_VMS || o->duration_s <= 0 ||
	    o->nspecs > o->nr || (o->initrd && !o->kernel) ||
	    (strcmp(o->policy, "none") && !(c->policy = policy_find(o->policy))))
		return 1;
	if (o->settle_s < 0)
		o->settle_s = o->duration_s / 4;
	if (!o->out) {
		snprintf(o->outbuf, sizeof(o->outbuf), "overcommit-%s", o->policy);
		o->out = o->outbuf;
	}
	if (!o->ebb) {
		ssize_t n = readlink("/proc/self/exe", o->ebbbuf, sizeof(o->ebbbuf) - 4);

		o->ebbbuf[n > 0 ? n : 0] = '\0';
		if (strrchr(o->ebbbuf, '/'))
			strcpy(strrchr(o->ebbbuf, '/') + 1, "ebb");
		o->ebb = o->ebbbuf;
	}
	return 0;
}

/* Each VM's part: its --vm SPEC, else the default mix.  0 or -1 (a bad SPEC). */
static int oc_plan(struct oc *o, struct policy_figures *f)
{
	unsigned int nbusy = o->nr - o->nr / 2;

	for (unsigned int i = 0; i < o->nr; i++) {
		struct oc_vm *v = &o->vm[i];
		unsigned int k = i - o->nr / 2;

		snprintf(v->name, sizeof(v->name), "oc%u", i);
		if (i < o->nspecs) {
			char shown[256];

			snprintf(shown, sizeof(shown), "%s", o->specs[i]);
			if (parse_spec(o->specs[i], v)) {
				fprintf(stderr, "ebb overcommit: bad --vm '%s'\n", shown);
				return -1;
			}
		} else if (i < o->nr / 2) {
			snprintf(v->warm, sizeof(v->warm), "%lluM", (unsigned long long)(o->mem / 2 >> 20));
		} else {
			/* The busy half ramps up one after the other. */
			v->busy = true;
			snprintf(v->size, sizeof(v->size), "%lluM", (unsigned long long)(o->mem * 3 / 4 >> 20));
			v->len_s = o->duration_s * 0.8 / nbusy;
			v->start_s = o->duration_s * 0.15 + k * v->len_s;
		}
		if (!v->kernel) {
			v->kernel = o->kernel;
			v->initrd = o->initrd;
		}
		f->vm[i].idle = !v->busy;
	}
	return 0;
}

/* Start every VM, wait for its control channel, warm up the idle ones.  0 or -1. */
static int oc_boot(struct oc *o, struct policy_ctl *c)
{
	char err[256];

	for (unsigned int i = 0; i < o->nr; i++)
		o->vm[i].pid = vm_start(o, &o->vm[i]);
	for (unsigned int i = 0; i < o->nr; i++) {
		int w = 0;

		while (!o->stop && w++ < BOOT_TIMEOUT_S * 2 && !vm_ready(o->vm[i].name))
			usleep(500000);
		if (o->stop || policy_ebb_open(o->vm[i].name, &c->vm[c->nr], err, sizeof(err))) {
			fprintf(stderr, "ebb overcommit: %s did not come up (see %s/%s.log)\n",
				o->vm[i].name, o->out, o->vm[i].name);
			return -1;
		}
		c->nr++;
	}
	cgroup_check(o);
	fprintf(stderr, "ebb overcommit: %u VMs up; warming up the idle ones\n", o->nr);
	for (unsigned int i = 0; i < o->nr; i++)
		o->vm[i].thread_on = !pthread_create(&o->vm[i].thread, NULL, warm_thread, &o->vm[i]);
	for (unsigned int i = 0; i < o->nr; i++)
		if (o->vm[i].thread_on)
			pthread_join(o->vm[i].thread, NULL);
	for (unsigned int i = 0; i < o->nr; i++)
		o->vm[i].thread_on = false;
	usleep(STATS_SETTLE_US);
	return 0;
}

/* One progress line: where the clock is, the VMs' RSS against the budget, the balloons. */
static void oc_progress(const struct oc *o, const struct policy_ctl *c)
{
	uint64_t rss = 0;

	for (unsigned int i = 0; i < c->nr; i++)
		rss += c->cur.vm[i].rss;
	fprintf(stderr, "\r[%5.0f/%.0f s] total RSS %5llu / %llu MiB, sizes", now_s(o),
		o->duration_s, (unsigned long long)(rss >> 20), (unsigned long long)(o->budget >> 20));
	for (unsigned int i = 0; i < c->nr; i++)
		fprintf(stderr, " %llu", (unsigned long long)(c->cur.vm[i].actual >> 20));
	fprintf(stderr, " MiB   ");
}

/*
 * The clock: the busy VMs' workloads start, the controller ticks until
 * --duration, each tick a row of @cf and the figures.  A workload run
 * under way finishes (and counts) before this returns.
 */
static void oc_run(struct oc *o, struct policy_ctl *c, struct policy_figures *f, FILE *cf)
{
	uint64_t next;

	o->t0_ns = next = policy_now_ns();
	for (unsigned int i = 0; i < o->nr; i++)
		if (o->vm[i].busy)
			o->vm[i].thread_on = !pthread_create(&o->vm[i].thread, NULL, workload, &o->vm[i]);
	while (!o->stop && now_s(o) < o->duration_s) {
		policy_ctl_tick(c, policy_now_ns());
		if (!c->prev.t_ns) {
			policy_csv_header(cf, &c->cur);
			policy_figures_start(f, &c->cur, o->settle_s);
		}
		policy_csv_row(cf, o->t0_ns, c->prev.t_ns ? &c->prev : NULL, &c->cur);
		policy_figures_add(f, c->prev.t_ns ? &c->prev : NULL, &c->cur);
		if (!o->quiet)
			oc_progress(o, c);
		next += (uint64_t)(c->knobs.tick_s * 1e9);
		policy_sleep_until(next);
	}
	if (!o->quiet)
		fputc('\n', stderr);
	o->stop = 1;
	for (unsigned int i = 0; i < o->nr; i++)
		if (o->vm[i].thread_on) {
			pthread_join(o->vm[i].thread, NULL);
			o->vm[i].thread_on = false;
		}
}

int policy_overcommit_main(int argc, char **argv)
{
	struct oc *o = calloc(1, sizeof(*o));
	struct policy_ctl *c = calloc(1, sizeof(*c));
	struct policy_figures *f = calloc(1, sizeof(*f));
	char csv[PATH_MAX], err[512];
	FILE *cf = NULL;
	int ret = 1;

	if (!o || !c || !f)
		goto out_free;
	the_oc = o;
	switch (oc_parse_args(o, c, argc, argv)) {
	case 0: break;
	case 2: ret = 0; goto out_free;
	default: goto usage;
	}
	if (oc_plan(o, f))
		goto usage;
	if (mkdir(o->out, 0755) && errno != EEXIST) {
		fprintf(stderr, "ebb overcommit: mkdir %s: %s\n", o->out, strerror(errno));
		goto out_free;
	}
	strcpy(o->run_dir, "/tmp/ebb-oc.XXXXXX");
	if (!mkdtemp(o->run_dir)) {
		fprintf(stderr, "ebb overcommit: mkdtemp: %s\n", strerror(errno));
		goto out_free;
	}
	setenv("EBB_RUNTIME_DIR", o->run_dir, 1);
	c->host.budget = o->budget;
	if (o->enforce_cgroup && strcmp(o->policy, "none"))
		cgroup_setup(o, &c->host);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	fprintf(stderr, "ebb overcommit: %u VMs x %llu MiB, budget %llu MiB (%s), policy %s, %g s\n",
		o->nr, (unsigned long long)(o->mem >> 20), (unsigned long long)(o->budget >> 20),
		o->cg.dir[0] ? "memory cgroup" : "accounted", o->policy, o->duration_s);
	if (oc_boot(o, c))
		goto out_stop;
	snprintf(csv, sizeof(csv), "%s/timeline.csv", o->out);
	if (!(cf = fopen(csv, "w"))) {
		fprintf(stderr, "ebb overcommit: cannot write %s\n", csv);
		goto out_stop;
	}
	oc_run(o, c, f, cf);
	ret = write_outputs(o, c, f, csv, o->policy) ? 1 : 0;
out_stop:
	policy_ctl_close(c);
	vm_stop_all(o);
	if (cf)
		fclose(cf);
	if (policy_cgroup_remove(&o->cg, err, sizeof(err)))
		fprintf(stderr, "ebb overcommit: %s\n", err);
	rmdir(o->run_dir);
	goto out_free;
usage:
	fputs(policy_overcommit_usage, stderr);
out_free:
	free(f);
	free(c);
	free(o);
	return ret;
}
