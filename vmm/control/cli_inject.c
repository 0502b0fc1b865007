// SPDX-License-Identifier: MIT
/*
 * `ebb inject NAME [SPEC]`: arm or disarm a fault point on a running VM
 * (docs/fault-injection.md) and print every point's state; without SPEC,
 * only print.  The request is the control socket's "inject" command, sent
 * the way `ebb ctl` sends any line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vmm/cli.h>
#include <vmm/log.h>

const char cli_inject_usage[] =
"Usage: ebb inject NAME [SPEC]\n"
"\n"
"Arm (or with NAME:off disarm) a fault point on VM NAME, then print every\n"
"point: armed, errno, prob, interval, times left, space left, calls and how\n"
"many failures were injected.  SPEC as for `ebb run --inject`:\n"
"  swap-write:eio:times=3   swap-read:eio:prob=10   swap-full:space=16M\n"
"  balloon-punch:fail       control:mute            control:off\n"
"See docs/fault-injection.md.\n";

int cli_inject(int argc, char **argv)
{
	json_t *req;
	char *line;
	int st;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(cli_inject_usage, stdout);
			return EBB_CLI_OK;
		}
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fputs(cli_inject_usage, stderr);
		return EBB_CLI_USAGE;
	}
	req = json_pack("{ss s{}}", "execute", "inject", "arguments");
	if (req && argc == 3)
		json_object_set_new(json_object_get(req, "arguments"), "fault", json_string(argv[2]));
	line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!line) {
		vmm_log("out of memory");
		return EBB_CLI_BROKEN;
	}
	st = cli_ctl(3, (char *[]){ "ctl", argv[1], line, NULL });
	free(line);
	return st;
}
