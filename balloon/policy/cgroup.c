// SPDX-License-Identifier: MIT
/*
 * The experiment's memory cgroup: what makes a host budget real.  The VMs
 * join it before they exec, so every page their VMMs (and QEMU, under the
 * QEMU backend) touch is charged to it, and the kernel reclaims or
 * OOM-kills inside it when the balloons do not keep the VMs within the
 * budget.  cgroup v2 (memory.max, memory.peak, memory.events) where the
 * unified hierarchy is mounted at the root, else v1's memory controller
 * (memory.limit_in_bytes, memory.max_usage_in_bytes, memory.failcnt,
 * memory.oom_control).  Where neither can be written (no cgroupfs, not
 * root, a read-only mount) the caller is told why and only accounts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <balloon/policy_ctl.h>

static int cg_write(const struct policy_cgroup *cg, const char *file, const char *val)
{
	char path[sizeof(cg->dir) + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? (int)n : -EIO;
}

/* The file's contents, NUL-terminated, into @buf.  Length, or -errno. */
static ssize_t cg_read(const struct policy_cgroup *cg, const char *file, char *buf,
		       size_t len)
{
	char path[sizeof(cg->dir) + 64];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return n < 0 ? -errno : got;
}

/* A "KEY VALUE" line's value in a flat-keyed file (memory.events, oom_control), -1 none. */
static long long cg_key(const struct policy_cgroup *cg, const char *file, const char *key)
{
	char buf[4096], *p = buf;
	size_t kl = strlen(key);

	if (cg_read(cg, file, buf, sizeof(buf)) < 0)
		return -1;
	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return atoll(p + kl + 1);
	return -1;
}

static long long cg_num(const struct policy_cgroup *cg, const char *file)
{
	char buf[64];

	return cg_read(cg, file, buf, sizeof(buf)) > 0 ? atoll(buf) : -1;
}

int policy_cgroup_make(struct policy_cgroup *cg, const char *parent, const char *name,
		       uint64_t limit, char *err, size_t errlen)
{
	char lim[32];
	int r;

	memset(cg, 0, sizeof(*cg));
	if (!parent) {
		/* The unified hierarchy at the root is v2; else v1's memory controller. */
		cg->v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
		parent = cg->v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
	} else {
		char probe[4096];

		snprintf(probe, sizeof(probe), "%s/cgroup.controllers", parent);
		cg->v2 = access(probe, F_OK) == 0;
	}
	if (access(parent, F_OK)) {
		snprintf(err, errlen, "%s: %s (no cgroup filesystem mounted there)", parent,
			 strerror(errno));
		return -1;
	}
	if (snprintf(cg->dir, sizeof(cg->dir), "%s/%s", parent, name) >= (int)sizeof(cg->dir)) {
		snprintf(err, errlen, "%s/%s: path too long", parent, name);
		goto out_clear;
	}
	if (mkdir(cg->dir, 0755)) {
		snprintf(err, errlen, "mkdir %s: %s", cg->dir, strerror(errno));
		goto out_clear;
	}
	snprintf(lim, sizeof(lim), "%llu", (unsigned long long)limit);
	r = cg_write(cg, cg->v2 ? "memory.max" : "memory.limit_in_bytes", lim);
	if (r) {
		/* v2 without the memory controller enabled for the parent's children has no memory.max. */
		snprintf(err, errlen, "%s/%s: %s%s", cg->dir,
			 cg->v2 ? "memory.max" : "memory.limit_in_bytes", strerror(-r),
			 cg->v2 && r == -ENOENT ? " (enable +memory in the parent's "
						  "cgroup.subtree_control)" : "");
		goto out_rmdir;
	}
	cg->limit = limit;
	return 0;
out_rmdir:
	rmdir(cg->dir);
out_clear:
	cg->dir[0] = '\0';
	return -1;
}

int policy_cgroup_add(const struct policy_cgroup *cg, pid_t pid)
{
	char s[24];

	snprintf(s, sizeof(s), "%d", (int)pid);
	return cg_write(cg, "cgroup.procs", s);
}

bool policy_cgroup_has(const struct policy_cgroup *cg, pid_t pid)
{
	char buf[16384], *p = buf;

	if (cg_read(cg, "cgroup.procs", buf, sizeof(buf)) < 0)
		return false;
	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (atoi(p) == (int)pid)
			return true;
	return false;
}

uint64_t policy_cgroup_limit(const struct policy_cgroup *cg)
{
	long long v = cg_num(cg, cg->v2 ? "memory.max" : "memory.limit_in_bytes");

	return v > 0 ? (uint64_t)v : 0;
}

json_t *policy_cgroup_json(const struct policy_cgroup *cg)
{
	long long peak, hits, ooms;

	if (cg->v2) {
		peak = cg_num(cg, "memory.peak");	/* Linux 5.19+ */
		hits = cg_key(cg, "memory.events", "max");
		ooms = cg_key(cg, "memory.events", "oom_kill");
	} else {
		peak = cg_num(cg, "memory.max_usage_in_bytes");
		hits = cg_num(cg, "memory.failcnt");
		ooms = cg_key(cg, "memory.oom_control", "oom_kill");	/* Linux 4.13+ */
	}
	return json_pack("{ss ss sf sf sI sI}", "path", cg->dir, "version", cg->v2 ? "v2" : "v1",
			 "limit_mib", (double)policy_cgroup_limit(cg) / 1048576.0,
			 "peak_mib", peak < 0 ? -1.0 : (double)peak / 1048576.0,
			 "limit_hits", (json_int_t)hits, "oom_kills", (json_int_t)ooms);
}

int policy_cgroup_remove(struct policy_cgroup *cg, char *err, size_t errlen)
{
	if (!cg->dir[0])
		return 0;
	/* Exited processes leave a cgroup a little after their parent reaped them. */
	for (int tries = 0; rmdir(cg->dir); tries++) {
		if (errno != EBUSY || tries == 50) {
			snprintf(err, errlen, "rmdir %s: %s", cg->dir, strerror(errno));
			return -1;
		}
		usleep(100000);
	}
	cg->dir[0] = '\0';
	return 0;
}
