// SPDX-License-Identifier: MIT
/*
 * gnuplot PNGs from the CSV timeline: memory.png (each VM's size and RSS,
 * the total RSS against the budget) and stall.png (each VM's stall, the
 * host's PSI).  The script is left beside them (plot.gp) to re-plot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <balloon/policy_ctl.h>

int policy_plot(const char *dir, const char *csv, const struct policy_sample *s,
		uint64_t budget, char *err, size_t errlen)
{
	char gp[4096], cmd[4200];
	FILE *f;
	int st;

	snprintf(gp, sizeof(gp), "%s/plot.gp", dir);
	f = fopen(gp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: cannot write", gp);
		return -1;
	}
	fprintf(f, "set datafile separator ','\nset key outside right\nset grid\n"
		   "set terminal png size 1200,600 noenhanced\n");
	fprintf(f, "set output '%s/memory.png'\nset ylabel 'MiB'\n"
		   "set title 'guest sizes (solid) and RSS (dashed); total RSS vs budget'\n", dir);
	fprintf(f, "plot '%s' using 1:4 with lines lw 3 title 'total RSS'", csv);
	if (budget)
		fprintf(f, ", %.1f with lines lw 2 dt 3 title 'budget'", (double)budget / 1048576.0);
	for (unsigned int i = 0; i < s->nr_vms; i++) {
		unsigned int c = 5 + i * POLICY_CSV_VM_COLS;

		fprintf(f, ", '' using 1:%u with lines lc %u title '%s size'", c + 1, i + 1,
			s->vm[i].name);
		fprintf(f, ", '' using 1:%u with lines dt 2 lc %u title '%s RSS'", c + 2, i + 1,
			s->vm[i].name);
	}
	fprintf(f, "\nset output '%s/stall.png'\nset ylabel '%%'\n"
		   "set title 'guest memory stall per tick, host PSI some avg10'\n", dir);
	fprintf(f, "plot '%s' using 1:3 with lines lw 2 title 'host PSI avg10'", csv);
	for (unsigned int i = 0; i < s->nr_vms; i++)
		fprintf(f, ", '' using 1:%u with lines lc %u title '%s stall'",
			5 + i * POLICY_CSV_VM_COLS + 6, i + 1, s->vm[i].name);
	fputc('\n', f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>/dev/null", gp);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(err, errlen, "gnuplot %s failed (apt-get install gnuplot-nox)", gp);
		return -1;
	}
	return 0;
}
