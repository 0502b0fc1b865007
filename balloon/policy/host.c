// SPDX-License-Identifier: MIT
/*
 * The host's signals: memory pressure (PSI "some" from
 * /proc/pressure/memory, or a cgroup's memory.pressure) and how much
 * memory is left, against the budget when there is one (budget minus
 * what the VMs hold), else MemAvailable of /proc/meminfo.
 */
#include <stdio.h>
#include <string.h>

#include <balloon/policy_ctl.h>

static void read_psi(const char *path, struct policy_host *h)
{
	char line[256];
	FILE *f = fopen(path[0] ? path : "/proc/pressure/memory", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		double avg10;
		unsigned long long total;

		if (sscanf(line, "some avg10=%lf avg60=%*f avg300=%*f total=%llu",
			   &avg10, &total) == 2) {
			h->psi_some_avg10 = avg10;
			h->psi_some_us = total;
		}
	}
	fclose(f);
}

static void read_meminfo(struct policy_host *h)
{
	char line[256];
	unsigned long long kib;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			h->total = kib * 1024;
		else if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			h->avail = kib * 1024;
	}
	fclose(f);
}

void policy_host_sample(const struct policy_host_src *src, const struct policy_sample *s,
			struct policy_host *out)
{
	uint64_t rss = 0;

	memset(out, 0, sizeof(*out));
	read_psi(src->psi_path, out);
	read_meminfo(out);
	if (!src->budget)
		return;
	for (unsigned int i = 0; i < s->nr_vms; i++)
		rss += s->vm[i].rss;
	out->budget = src->budget;
	out->total = src->budget;
	/* The host itself may be shorter than the budget says. */
	out->avail = src->budget > rss ? src->budget - rss : 0;
}
