// SPDX-License-Identifier: MIT
/*
 * Fault points (include/vmm/fault_inject.h), decided as Linux's
 * should_fail(): a call first spends the space budget, then only every
 * interval-th call is eligible, an eligible one fails with probability
 * prob %, and a point that has fired `times` times disarms itself.
 * Every injected failure is logged (rate-limited) so a VM's log says
 * which errors were made up.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmm/fault_inject.h>
#include <vmm/log.h>
#include <vmm/options.h>

struct fault_point_info {
	const char *name;
	int default_err;
	bool kvm_device;	/* in ebb's own device models: not under QEMU */
};

static const struct fault_point_info points[FAULT_NR] = {
	[FAULT_SWAP_WRITE]	= { "swap-write", EIO, true },
	[FAULT_SWAP_READ]	= { "swap-read", EIO, true },
	[FAULT_SWAP_FULL]	= { "swap-full", ENOSPC, true },
	[FAULT_BALLOON_PUNCH]	= { "balloon-punch", EIO, true },
	[FAULT_CONTROL_MUTE]	= { "control", ETIMEDOUT, false },
};

/* The errors a SPEC may name (and "fail": the point's own). */
static const struct {
	const char *name;
	int err;
} errors[] = {
	{ "eio", EIO }, { "enospc", ENOSPC }, { "eagain", EAGAIN }, { "enomem", ENOMEM },
	{ "eopnotsupp", EOPNOTSUPP }, { "einval", EINVAL }, { "eperm", EPERM },
	{ "etimedout", ETIMEDOUT },
};

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fault_attr attrs[FAULT_NR];
static uint64_t rng_state;
/* One limiter per point: a flooding point must not hide another's first failure. */
static struct ratelimit fault_rl[FAULT_NR] = {
	[0 ... FAULT_NR - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};
static bool qemu_backend;	/* the device points cannot fire */

const char *fault_point_name(enum fault_point point)
{
	return point < FAULT_NR ? points[point].name : "?";
}

static const char *err_name(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].err == err)
			return errors[i].name;
	return err ? "?" : "none";
}

/*
 * xorshift64*: fault_lock held.  Seeded when a point is armed (by the
 * monitor or at start) from the clocks, which need no system call.
 */
static unsigned int next_percent(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned int)((rng_state * 0x2545f4914f6cdd1dULL >> 32) % 100);
}

static int parse_u64_arg(const char *v, uint64_t *out)
{
	char *end;

	if (!*v || *v == '-')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -1 : 0;
}

/* One KEY=VALUE or ERR token of a SPEC into @a.  0 or -1 with @err. */
static int parse_token(const char *name, const char *tok, struct fault_attr *a, bool *off,
		       char *err, size_t errlen)
{
	const char *eq = strchr(tok, '=');
	const char *v = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
	uint64_t n;

	if (!eq) {
		if (!strcmp(tok, "off")) {
			*off = true;
			return 0;
		}
		if (!strcmp(tok, "fail") || !strcmp(tok, "mute"))
			return 0;
		for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
			if (!strcmp(tok, errors[i].name)) {
				a->err = errors[i].err;
				return 0;
			}
		snprintf(err, errlen, "--inject %s: \"%s\" is neither an error (eio, enospc, eagain, "
			 "enomem, eopnotsupp, einval, eperm, fail), off, nor KEY=VALUE", name, tok);
		return -1;
	}
	if (klen == 4 && !strncmp(tok, "prob", 4)) {
		if (parse_u64_arg(v, &n) || n < 1 || n > 100)
			goto bad;
		a->prob = (unsigned int)n;
	} else if (klen == 8 && !strncmp(tok, "interval", 8)) {
		if (parse_u64_arg(v, &n) || n < 1)
			goto bad;
		a->interval = n;
	} else if (klen == 5 && !strncmp(tok, "times", 5)) {
		if (!strcmp(v, "-1"))
			a->times = -1;
		else if (parse_u64_arg(v, &n) || n < 1 || n > INT64_MAX)
			goto bad;
		else
			a->times = (int64_t)n;
	} else if (klen == 5 && !strncmp(tok, "space", 5)) {
		if (parse_size(v, &a->space))
			goto bad;
	} else {
		snprintf(err, errlen, "--inject %s: unknown key \"%.*s\" (prob, interval, times, space)",
			 name, (int)klen, tok);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "--inject %s: %s (prob=1..100 percent, interval=N>=1, "
		 "times=N>=1 or -1, space=SIZE)", name, tok);
	return -1;
}

int fault_inject_set(const char *spec, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;
	struct fault_attr a = { .armed = true, .prob = 100, .interval = 1, .times = -1 };
	enum fault_point p = FAULT_NR;
	bool off = false;

	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "--inject: the spec is longer than %zu bytes", sizeof(buf) - 1);
		return -1;
	}
	strcpy(buf, spec);
	tok = strtok_r(buf, ":", &save);
	for (unsigned int i = 0; tok && i < FAULT_NR; i++)
		if (!strcmp(tok, points[i].name))
			p = i;
	if (p == FAULT_NR) {
		snprintf(err, errlen, "--inject %s: unknown fault point \"%s\" (swap-write, swap-read, "
			 "swap-full, balloon-punch, control)", spec, tok ? tok : "");
		return -1;
	}
	if (points[p].kvm_device && __atomic_load_n(&qemu_backend, __ATOMIC_RELAXED)) {
		snprintf(err, errlen, "--inject %s: this VM runs under QEMU, whose own devices serve "
			 "the swap disk and the balloon; %s is a point in ebb's (the KVM backend)",
			 spec, points[p].name);
		return -1;
	}
	a.err = points[p].default_err;
	while ((tok = strtok_r(NULL, ":", &save)))
		if (parse_token(points[p].name, tok, &a, &off, err, errlen))
			return -1;

	pthread_mutex_lock(&fault_lock);
	if (!rng_state)
		rng_state = ((uint64_t)time(NULL) << 20) ^ mono_ns() ^ 0x9e3779b97f4a7c15ULL;
	a.fired = attrs[p].fired;
	if (off) {
		attrs[p].armed = false;
	} else {
		attrs[p] = a;
	}
	pthread_mutex_unlock(&fault_lock);
	/* A point armed again shows its first failures, whatever came before. */
	if (!off)
		ratelimit_reset(&fault_rl[p]);
	if (off)
		vmm_log("fault injection: %s off (%" PRIu64 " injected so far)", points[p].name,
			a.fired);
	else
		vmm_log("fault injection: %s armed: %s, prob %u%%, interval %" PRIu64 ", times %"
			PRId64 ", space %" PRIu64, points[p].name, err_name(a.err), a.prob,
			a.interval, a.times, a.space);
	return 0;
}

int fault_should_fail(enum fault_point point, uint64_t bytes)
{
	struct fault_attr *a = &attrs[point];
	unsigned long missed;
	uint64_t fired = 0;
	int err = 0;

	/* The common case, nothing armed, takes no lock: a stale read only delays arming. */
	if (!__atomic_load_n(&a->armed, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&fault_lock);
	if (!a->armed)
		goto out;
	a->calls++;
	if (a->space) {
		/* As Linux: the budget passes calls until a call no longer fits. */
		if (a->space > bytes) {
			a->space -= bytes;
			goto out;
		}
		a->space = 0;
	}
	if (a->interval > 1 && a->calls % a->interval)
		goto out;
	if (a->prob < 100 && next_percent() >= a->prob)
		goto out;
	err = a->err;
	fired = ++a->fired;
	if (a->times > 0 && --a->times == 0)
		a->armed = false;
out:
	pthread_mutex_unlock(&fault_lock);
	if (err && ratelimit_allow(&fault_rl[point], mono_ns(), &missed))
		vmm_log("fault injection: %s fails (%s), %" PRIu64 " injected%s", points[point].name,
			err_name(err), fired, missed ? " (earlier messages suppressed)" : "");
	return err;
}

int fault_inject_qemu_backend(char *err, size_t errlen)
{
	int ret = 0;

	pthread_mutex_lock(&fault_lock);
	qemu_backend = true;
	for (unsigned int p = 0; p < FAULT_NR; p++)
		if (points[p].kvm_device && attrs[p].armed) {
			snprintf(err, errlen, "--inject %s: this VM runs under QEMU, whose own devices "
				 "serve the swap disk and the balloon; the point is in ebb's (the KVM "
				 "backend: --accel kvm)", points[p].name);
			ret = -1;
			break;
		}
	pthread_mutex_unlock(&fault_lock);
	return ret;
}

void fault_inject_get(enum fault_point point, struct fault_attr *out)
{
	pthread_mutex_lock(&fault_lock);
	*out = attrs[point];
	pthread_mutex_unlock(&fault_lock);
}

json_t *fault_inject_json(void)
{
	json_t *o = json_object();

	for (unsigned int p = 0; p < FAULT_NR; p++) {
		struct fault_attr a;

		fault_inject_get(p, &a);
		json_object_set_new(o, points[p].name, json_pack("{sb ss si sI sI sI sI sI}",
			"armed", a.armed, "errno", err_name(a.err), "prob", (int)a.prob,
			"interval", (json_int_t)a.interval, "times", (json_int_t)a.times,
			"space", (json_int_t)a.space, "calls", (json_int_t)a.calls,
			"fired", (json_int_t)a.fired));
	}
	return o;
}

void fault_inject_reset(void)
{
	pthread_mutex_lock(&fault_lock);
	memset(attrs, 0, sizeof(attrs));
	qemu_backend = false;
	pthread_mutex_unlock(&fault_lock);
	for (unsigned int p = 0; p < FAULT_NR; p++)
		ratelimit_reset(&fault_rl[p]);
}
