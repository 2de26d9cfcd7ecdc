/*
 * cmd/coverage.c - `tcpconform coverage`: the requirement coverage table of the suites.
 *
 *   tcpconform coverage [--markdown] [--check] [--requirements TSV] [--untestable YAML] PATH...
 *
 * Exit status: 0; 1 with --check when a MUST is neither cited by a case nor listed as
 * untestable, or when a requirement is both cited and listed as untestable; 2 for bad usage or
 * an invalid case, requirements or untestable file.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../coverage.h"
#include "../sched.h"

int tc_cmd_coverage(int argc, char **argv);

/* The default data files: PATH/requirements/NAME for the first folder given, else
 * suites/requirements/NAME. */
static void default_path(char *out, size_t cap, char *const *paths, int n, const char *name)
{
	struct stat st;
	for (int i = 0; i < n; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(out, cap, "%s/requirements/%s", paths[i], name);
			if (stat(out, &st) == 0)
				return;
		}
	}
	snprintf(out, cap, "suites/requirements/%s", name);
}

int tc_cmd_coverage(int argc, char **argv)
{
	static const struct option lo[] = {
		{"markdown", no_argument, 0, 'm'}, {"check", no_argument, 0, 'c'},
		{"requirements", required_argument, 0, 'r'}, {"untestable", required_argument, 0, 'u'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int markdown = 0, check = 0, c;
	const char *req = NULL, *unt = NULL;
	char reqbuf[4096], untbuf[4096], err[2048];
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'm': markdown = 1; break;
		case 'c': check = 1; break;
		case 'r': req = optarg; break;
		case 'u': unt = optarg; break;
		case 'h':
			printf("usage: tcpconform coverage [--markdown] [--check] [--requirements TSV] "
			       "[--untestable YAML] PATH...\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "tcpconform coverage: give at least one PATH (a folder of cases)\n");
		return 2;
	}
	if (!req) {
		default_path(reqbuf, sizeof(reqbuf), argv + optind, argc - optind,
			     "rfc9293-requirements.tsv");
		req = reqbuf;
	}
	if (!unt) {
		default_path(untbuf, sizeof(untbuf), argv + optind, argc - optind, "untestable.yaml");
		unt = untbuf;
	}
	struct tc_caselist l;
	struct tc_coverage cv;
	if (tc_collect(argv + optind, argc - optind, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		return 2;
	}
	if (tc_coverage_build(req, unt, &l, &cv, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		tc_caselist_free(&l);
		return 2;
	}
	tc_coverage_print(stdout, &cv, &l, markdown);
	int missing = tc_coverage_uncovered_musts(&cv);
	int contra = check ? tc_coverage_contradictions(&cv, stderr) : 0;
	if (check && missing > 0)
		fprintf(stderr, "tcpconform coverage: %d MUST requirement(s) neither covered nor listed "
				"as untestable\n", missing);
	tc_coverage_free(&cv);
	tc_caselist_free(&l);
	return check && (missing > 0 || contra > 0) ? 1 : 0;
}
