// SPDX-License-Identifier: MIT
/*
 * One reader of "Name:   value kB" lines, for the VMM's --stats line (its
 * own smaps_rollup and status), the QEMU backend's view of QEMU's RAM and
 * the balloon controller's of each VM's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/procfs.h>

uint64_t procfs_kib(const char *path, const char *field)
{
	char line[256];
	uint64_t v = 0;
	size_t n = strlen(field);
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

uint64_t procfs_rss(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return procfs_kib(path, "VmRSS") * 1024;
}
