/*
 * main.c - the tcpconform command line.
 *
 * Exit codes (docs/cli.md): 0 every case passed or was skipped; 1 at least one fail or error;
 * 2 bad usage or an invalid case file; 3 the environment cannot run cases (not root, agent
 * missing); 130 interrupted (SIGINT/SIGTERM), after cleaning up.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../reports/json.h"
#include "../reports/term.h"
#include "sched.h"
#include "target.h"

#define EXIT_FAILS 1
#define EXIT_USAGE 2
#define EXIT_ENV 3
#define EXIT_INTR 130

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tcpconform run [options] PATH...   run cases (files or folders of *.yaml)\n"
		"       tcpconform list PATH...            list case ids, titles and refs\n"
		"       tcpconform --help | --version\n"
		"\n"
		"run options:\n"
		"  --target linux        the stack under test (default: linux, the local kernel in\n"
		"                        fresh network namespaces)\n"
		"  --family F            ipv4, ipv6 or both (default: what each case says)\n"
		"  --filter GLOB         only cases whose id matches GLOB (fnmatch)\n"
		"  --tag TAG             only cases tagged TAG\n"
		"  --jobs N              cases in parallel (default: 4 per CPU)\n"
		"  --json FILE           write results as JSON\n"
		"  --pcap-dir DIR        write one pcap per case and family into DIR\n"
		"  --seed N              reproduce a run's ISNs, ports and IP IDs\n"
		"  -v, --verbose         print each case's trace of segments and calls\n"
		"\n"
		"exit status: 0 all passed or skipped, 1 a case failed or errored, 2 bad usage or an\n"
		"invalid case file, 3 the environment cannot run cases, 130 interrupted.\n");
}

/* Finds tcpconform-agent: $TCPCONFORM_AGENT, next to this program, or on PATH. */
static int find_agent(char *out, size_t cap)
{
	const char *env = getenv("TCPCONFORM_AGENT");
	if (env && *env) {
		snprintf(out, cap, "%s", env);
		return access(out, X_OK);
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, cap, "%s/tcpconform-agent", self);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	const char *path = getenv("PATH");
	while (path && *path) {
		size_t l = strcspn(path, ":");
		snprintf(out, cap, "%.*s/tcpconform-agent", (int)l, path);
		if (access(out, X_OK) == 0)
			return 0;
		path += l + (path[l] == ':');
	}
	return -1;
}

struct printer {
	int verbose;
	struct tc_counts k;
};

static void print_result(const struct tc_result *r, void *arg)
{
	struct printer *p = arg;
	tc_counts_add(&p->k, r);
	tc_term_result(stdout, r, p->verbose);
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_list(int argc, char **argv)
{
	struct tc_caselist l;
	char err[2048];
	if (argc < 1) {
		fprintf(stderr, "tcpconform list: give at least one PATH\n");
		return EXIT_USAGE;
	}
	if (tc_collect(argv, argc, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		return EXIT_USAGE;
	}
	for (int i = 0; i < l.n; i++) {
		const struct tc_case *c = &l.cases[i];
		printf("%-60s %s [", c->id, c->title);
		for (int j = 0; j < c->nrefs; j++)
			printf("%s%s", j ? ", " : "", c->refs[j]);
		printf("]\n");
	}
	printf("%d cases\n", l.n);
	tc_caselist_free(&l);
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{"target", required_argument, 0, 't'}, {"family", required_argument, 0, 'f'},
		{"filter", required_argument, 0, 'F'}, {"tag", required_argument, 0, 'T'},
		{"jobs", required_argument, 0, 'j'},   {"json", required_argument, 0, 'J'},
		{"pcap-dir", required_argument, 0, 'P'}, {"seed", required_argument, 0, 's'},
		{"verbose", no_argument, 0, 'v'},      {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct tc_run_opts o;
	const char *json = NULL;
	char err[2048], agent[PATH_MAX];
	int seed_set = 0, c;
	memset(&o, 0, sizeof(o));
	o.target = tc_target_find("linux");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* Most of a case is waiting on timers and the wire, so more cases than CPUs run well;
	 * four per CPU kept timing checks steady in our measurements (docs/cli.md). */
	o.jobs = (int)(ncpu > 0 ? ncpu * 4 : 4);
	optind = 1;
	while ((c = getopt_long(argc, argv, "vj:h", lo, NULL)) != -1) {
		char *end;
		switch (c) {
		case 't':
			o.target = tc_target_find(optarg);
			if (!o.target) {
				fprintf(stderr, "tcpconform: unknown target '%s' (known: %s)\n", optarg,
					tc_target_names());
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (strcmp(optarg, "ipv4") == 0) o.family_mask = TC_FAM_MASK_V4;
			else if (strcmp(optarg, "ipv6") == 0) o.family_mask = TC_FAM_MASK_V6;
			else if (strcmp(optarg, "both") == 0) o.family_mask = TC_FAM_MASK_V4 | TC_FAM_MASK_V6;
			else {
				fprintf(stderr, "tcpconform: --family '%s': use ipv4, ipv6 or both\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'F': o.filter = optarg; break;
		case 'T': o.tag = optarg; break;
		case 'j':
			o.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o.jobs < 1 || o.jobs > 256) {
				fprintf(stderr, "tcpconform: --jobs '%s': give a number from 1 to 256\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'J': json = optarg; break;
		case 'P': o.pcap_dir = optarg; break;
		case 's':
			o.seed = (uint32_t)strtoul(optarg, &end, 0);
			if (*end) {
				fprintf(stderr, "tcpconform: --seed '%s' is not a number\n", optarg);
				return EXIT_USAGE;
			}
			seed_set = 1;
			break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "tcpconform run: give at least one PATH (a case file or a folder)\n");
		return EXIT_USAGE;
	}
	struct tc_caselist l;
	if (tc_collect(argv + optind, argc - optind, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		return EXIT_USAGE;
	}
	if (!o.profile)
		o.profile = o.target->name;
	struct tc_target_env env0 = {.arg = o.target_arg};
	if (o.target->check(&env0, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		tc_caselist_free(&l);
		return EXIT_ENV;
	}
	if (find_agent(agent, sizeof(agent)) < 0) {
		fprintf(stderr, "tcpconform: cannot find tcpconform-agent (next to tcpconform, on "
				"PATH, or in $TCPCONFORM_AGENT)\n");
		tc_caselist_free(&l);
		return EXIT_ENV;
	}
	o.agent_path = agent;
	if (!seed_set)
		o.seed = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	int swept = o.target->sweep(0);
	if (swept > 0)
		fprintf(stderr, "tcpconform: removed %d namespaces left by an earlier, killed run\n",
			swept);

	struct printer pr = {.verbose = o.verbose};
	o.on_result = print_result;
	o.arg = &pr;
	struct tc_result *rs = NULL;
	int nrs = 0;
	double t0 = mono_s();
	int rc = tc_run(&l, &o, &rs, &nrs, err, sizeof(err));
	double secs = mono_s() - t0;
	int code;
	if (rc < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		code = EXIT_ENV;
	} else if (rc > 0) {
		fprintf(stderr, "tcpconform: interrupted; cleaned up, no report written\n");
		code = EXIT_INTR;
	} else {
		/* The counts are the last line, for people and for CI log scrapers alike. */
		printf("\nseed %u (rerun with --seed %u)", o.seed, o.seed);
		tc_term_summary(stdout, &pr.k, secs);
		code = (pr.k.failed || pr.k.errors) ? EXIT_FAILS : 0;
		if (json) {
			struct tc_json_meta m = {TC_VERSION, o.target->name, o.seed, secs};
			if (tc_json_write_file(json, rs, nrs, &m, err, sizeof(err)) < 0) {
				fprintf(stderr, "tcpconform: %s\n", err);
				code = EXIT_ENV;
			}
		}
	}
	for (int i = 0; i < nrs; i++)
		tc_result_free(&rs[i]);
	free(rs);
	tc_caselist_free(&l);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tcpconform %s\n", TC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 2, argv + 2);
	fprintf(stderr, "tcpconform: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
