// SPDX-License-Identifier: MIT
/* build/bench/vcost: the runners and the report (bench/vcost/vcost.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcost.h"

static const char usage[] =
"Usage: vcost kvm [--target-us N] [--reps N] GUEST.elf\n"
"       vcost qemu [--ebb PATH] [--target-us N] [--reps N] GUEST.elf\n"
"       vcost report [--nested] [--json PATH] KVM.txt QEMU.txt\n"
"\n"
"kvm and qemu run the virtualization-cost guest and print a record per\n"
"timed run (and progress on stderr); report takes both runners' output,\n"
"prints the table and writes the JSON.  docs/virtualization-costs.md.\n";

static int report(int argc, char **argv)
{
	static struct vcost_report rp;
	const char *json = "build/bench/vcost.json", *in[2] = { NULL, NULL };
	unsigned int nin = 0;
	json_t *j;
	int rc = 0;

	vcost_report_init(&rp);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--nested")) {
			rp.nested = true;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (argv[i][0] != '-' && nin < 2) {
			in[nin++] = argv[i];
		} else {
			fputs(usage, stderr);
			vcost_report_free(&rp);
			return 2;
		}
	}
	for (unsigned int i = 0; i < nin; i++) {
		FILE *f = fopen(in[i], "r");

		if (!f) {
			fprintf(stderr, "vcost report: %s: %s\n", in[i], strerror(errno));
			rc = 1;
			continue;
		}
		vcost_report_read(&rp, f);
		fclose(f);
	}
	vcost_report_finish(&rp);
	vcost_report_print(&rp, stdout);
	j = vcost_report_json(&rp);
	if (json_dump_file(j, json, JSON_INDENT(2) | JSON_REAL_PRECISION(6))) {
		fprintf(stderr, "vcost report: cannot write %s\n", json);
		rc = 1;
	} else {
		printf("wrote %s\n", json);
	}
	json_decref(j);
	vcost_report_free(&rp);
	return rc;
}

static int runner(int argc, char **argv, int (*run)(const struct vcost_opts *), bool qemu)
{
	struct vcost_opts o = {
		.ebb = "build/ebb",
		.target_us = VCOST_TARGET_US,
		.reps = VCOST_REPS,
	};

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--target-us") && i + 1 < argc) {
			o.target_us = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			o.reps = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else if (qemu && !strcmp(argv[i], "--ebb") && i + 1 < argc) {
			o.ebb = argv[++i];
		} else if (argv[i][0] != '-' && !o.guest) {
			o.guest = argv[i];
		} else {
			o.guest = NULL;
			break;
		}
	}
	if (!o.guest || !o.target_us || !o.reps) {
		fputs(usage, stderr);
		return 2;
	}
	return run(&o);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "kvm"))
		return runner(argc - 2, argv + 2, vcost_kvm, false);
	if (argc >= 2 && !strcmp(argv[1], "qemu"))
		return runner(argc - 2, argv + 2, vcost_qemu, true);
	if (argc >= 2 && !strcmp(argv[1], "report"))
		return report(argc - 2, argv + 2);
	fputs(usage, argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
	return 2;
}
