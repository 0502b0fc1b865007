// SPDX-License-Identifier: MIT
/*
 * build/ebb-balloond: the balloon controller's programs.  `ebb balloond |
 * overcommit | top ...` exec this with the command name first
 * (balloon/policy/launch.c); it also runs on its own the same way.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <balloon/policy_app.h>
#include <balloon/policy_launch.h>

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "balloond"))
		return policy_balloond_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "overcommit"))
		return policy_overcommit_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "top"))
		return policy_top_main(argc - 1, argv + 1);
	fprintf(stderr, "usage: ebb-balloond balloond|overcommit|top ARGS... (ebb help balloond)\n");
	return 1;
}
