// SPDX-License-Identifier: MIT
/*
 * `ebb balloond | overcommit | top`: build/ebb is static (the nested
 * harness runs it in a bare initramfs) and libvirt has no static library,
 * so the controller is its own dynamic program, ebb-balloond, found beside
 * ebb (or at $EBB_BALLOOND).  This is all of it that build/ebb carries.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <balloon/policy_launch.h>

int policy_launch(int argc, char **argv)
{
	char path[PATH_MAX];
	const char *bin = getenv("EBB_BALLOOND");
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	ssize_t n;

	if (!args)
		return 1;
	if (!bin) {
		n = readlink("/proc/self/exe", path, sizeof(path) - sizeof("ebb-balloond"));
		if (n < 0)
			n = 0;
		path[n] = '\0';
		if (strrchr(path, '/'))
			strrchr(path, '/')[1] = '\0';
		else
			path[0] = '\0';
		strcat(path, "ebb-balloond");
		bin = path;
	}
	args[0] = (char *)bin;
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	execv(bin, args);
	fprintf(stderr, "ebb: cannot run %s: %s (make builds it beside ebb)\n", bin,
		strerror(errno));
	free(args);
	return 1;
}

const char policy_balloond_usage[] =
"Usage: ebb balloond [--policy P] [--set KEY=VALUE]... [--budget SIZE]\n"
"                    [--connect URI] [--tick S] [--duration S] [--csv FILE]\n"
"                    [--dry-run] [--knobs] [NAME...]\n"
"\n"
"Steer the balloons of running VMs: the ebb VMs NAME... (default: every\n"
"running one), or with --connect URI every active libvirt domain of URI\n"
"(qemu:///system, qemu+ssh://host/system, test:///default).  Each tick it\n"
"reads the host (PSI, MemAvailable, or the budget less the VMs' RSS) and the\n"
"guests (free, available, swap, faults, stall) and sets new targets.\n"
"Policies: ebb (default), mom, stall, static; --knobs lists every knob and\n"
"its default (docs/balloon-policy.md explains them).  --dry-run prints the\n"
"decisions without applying them.  Runs until --duration or a signal.\n";

const char policy_overcommit_usage[] =
"Usage: ebb overcommit [--vms N] [--mem SIZE] [--budget SIZE] [--policy P]\n"
"                      [--set KEY=VALUE]... [--vm SPEC]... [--duration S]\n"
"                      [--settle S] [--baseline SUMMARY.json] [--out DIR]\n"
"                      [--enforce cgroup|account] [--cgroup PARENT]\n"
"                      [--reporting] [--quiet] [--kernel PATH [--initrd PATH]]\n"
"\n"
"The overcommit experiment: start N ebb VMs of SIZE (default 4 x 512M)\n"
"with balloons, give them work in phases, let the controller with policy P\n"
"keep them within the host budget (default 1280M; enforced by a memory\n"
"cgroup made under PARENT, default the root of the memory hierarchy, where\n"
"the host lets us, else only accounted, and it says why) for S seconds (120),\n"
"then stop them.  SPEC per VM, in order: idle, idle:SIZE (touches SIZE\n"
"once before the clock starts, then idles), or busy:SIZE@START+LEN (run\n"
"anon SIZE hotcold again and again from START for LEN seconds, then\n"
"release).  Default: half idle:RAM/2, the others busy:3/4 RAM in turn.\n"
"SPEC,kernel=PATH[,initrd=PATH] makes that VM a Linux guest; --kernel and\n"
"--initrd do it for every VM whose SPEC names no kernel.  The initrd must\n"
"answer the control channel as tests/linux/mkinitrd.sh's do (its agent\n"
"runs `run anon` with memhog); Linux's own driver then has the balloon.\n"
"--reporting turns on free page reporting (off: only balloons give back).\n"
"Writes DIR/timeline.csv, DIR/summary.json, DIR/memory.png, DIR/stall.png\n"
"(DIR default overcommit-POLICY).  --policy none runs unconstrained: its\n"
"summary is the --baseline that workload slowdown is measured against\n"
"(same VMs, sizes and duration): run 1 (the ramp) against run 1, the mean\n"
"of the later runs against the baseline's.\n";

const char policy_top_usage[] =
"Usage: ebb top [--interval S] [--once] [--connect URI]\n"
"\n"
"A live view of every running VM: balloon size and target, host RSS, guest\n"
"free and available memory, swap in/out and memory stall per second, and\n"
"KVM exits per second (EXITS/s, from KVM's own statistics: - for a VM under\n"
"QEMU, on a host without them, or before the second sample).\n";
