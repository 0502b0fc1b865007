// SPDX-License-Identifier: MIT
/* The CSV timeline (include/balloon/policy_ctl.h gives the columns). */
#include <balloon/policy_ctl.h>

#define MIB(b) ((double)(b) / 1048576.0)

void policy_csv_header(FILE *f, const struct policy_sample *s)
{
	static const char *const cols[POLICY_CSV_VM_COLS] = {
		"target_mib", "actual_mib", "rss_mib", "free_mib", "swapin_mib",
		"swapout_mib", "stall_pct", "oom_kills",
	};

	fputs("t_s,host_avail_mib,host_psi_avg10,total_rss_mib", f);
	for (unsigned int i = 0; i < s->nr_vms; i++)
		for (int c = 0; c < POLICY_CSV_VM_COLS; c++)
			fprintf(f, ",%s_%s", s->vm[i].name, cols[c]);
	fputc('\n', f);
}

void policy_csv_row(FILE *f, uint64_t t0_ns, const struct policy_sample *prev,
		    const struct policy_sample *s)
{
	double dt = policy_dt(prev, s);
	uint64_t rss = 0;

	for (unsigned int i = 0; i < s->nr_vms; i++)
		rss += s->vm[i].rss;
	fprintf(f, "%.3f,%.1f,%.2f,%.1f", (double)(s->t_ns - t0_ns) / 1e9, MIB(s->host.avail),
		s->host.psi_some_avg10, MIB(rss));
	for (unsigned int i = 0; i < s->nr_vms; i++) {
		const struct policy_vm *v = &s->vm[i];
		const struct policy_vm *p = prev && i < prev->nr_vms ? &prev->vm[i] : NULL;
		double stall = p && dt > 0 && v->stall_us >= p->stall_us ?
			(double)(v->stall_us - p->stall_us) / (dt * 1e4) : 0;

		fprintf(f, ",%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.3f,%llu", MIB(v->target),
			MIB(v->actual), MIB(v->rss), MIB(v->free), MIB(v->swap_in),
			MIB(v->swap_out), stall, (unsigned long long)v->oom_kills);
	}
	fputc('\n', f);
	fflush(f);
}
