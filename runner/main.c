/*
 * main.c - the tcpconform command line.
 *
 * Exit codes (README.md, docs/ci.md): 0 every case passed, warned or was skipped; 1 at least one fail or
 * error (with --strict, or a warn);
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
#include "../reports/progress.h"
#include "../reports/report.h"
#include "../reports/term.h"
#include "cmd/report.h"
#include "sched.h"
#include "cmd/lint.h"
#include "model/profile.h"
#include "shard.h"
#include "target.h"

#define EXIT_FAILS 1
#define EXIT_USAGE 2
#define EXIT_ENV 3
#define EXIT_INTR 130

int tc_cmd_coverage(int argc, char **argv); /* cmd/coverage.c */
int tc_cmd_gen(int argc, char **argv);      /* cmd/gen.c */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tcpconform run [options] PATH...   run cases (files or folders of *.yaml)\n"
		"       tcpconform list PATH...            list case ids, titles and refs\n"
		"       tcpconform coverage [--markdown] [--check] PATH...\n"
		"                                          which RFC 9293 requirements the cases cite\n"
		"       tcpconform lint [--profile P] PATH...  check cases against the reference model\n"
		"       tcpconform gen state-event [--out DIR]  write the generated state-event matrix\n"
		"       tcpconform report merge|compare ... merge shard results, compare runs\n"
		"                                          (tcpconform report --help)\n"
		"       tcpconform --help | --version\n"
		"\n"
		"run options:\n"
		"  --target linux        the stack under test (default: linux, the local kernel in\n"
		"                        fresh network namespaces)\n"
		"  --target tap --target-file FILE   a user-space stack on a TAP device, started by\n"
		"                        the harness the target file names (docs/targets.md)\n"
		"  --target remote --iface IF --host ADDR[,ADDR6] --peer ADDR[,ADDR6] --agent H:P\n"
		"                        another host on IF's link, its agent `tcpconform-agent\n"
		"                        --listen P` at H:P; injects only on IF, only toward --host\n"
		"                        (or --target-file FILE with the same keys; docs/targets.md)\n"
		"  --family F            ipv4, ipv6 or both (default: what each case says)\n"
		"  --filter GLOB         only cases whose id matches GLOB (fnmatch)\n"
		"  --tag TAG             only cases tagged TAG\n"
		"  --jobs N              cases in parallel (default: 4 per CPU)\n"
		"  --json FILE           write results as JSON\n"
		"  --html FILE           write the HTML report (self-contained, ladder diagrams)\n"
		"  --junit FILE          write JUnit XML for CI\n"
		"  --tap FILE            write TAP version 13 (- for stdout)\n"
		"  --baseline FILE       known deviations of this target: listed failures do not\n"
		"                        fail the run, listed passes are reported as fixed\n"
		"  --update-baseline     rewrite the --baseline file from this run (one signature\n"
		"                        per MUST failure, docs/ci.md)\n"
		"  --strict              a warn (departs only from SHOULD-level requirements) is\n"
		"                        a fail, in every report and the exit status\n"
		"  --shard K/N           run shard K of N (balanced by expected duration); join\n"
		"                        the JSON files with `tcpconform report merge`\n"
		"  --no-progress         plain result lines even on a terminal\n"
		"  --pcap-dir DIR        write one pcap per case and family into DIR\n"
		"  --seed N              reproduce a run's ISNs, ports and IP IDs\n"
		"  --profile NAME        the reference model's profile, the second judge of every\n"
		"                        segment and state (default rfc9293; linux, freebsd, lwip or\n"
		"                        a .yaml file; suites/profiles/, docs/model.md)\n"
		"  -v, --verbose         print each case's trace of segments and calls\n"
		"\n"
		"exit status: 0 all passed, warned or were skipped, 1 a case failed or errored (or\n"
		"warned, with --strict), 2 bad usage or an invalid case file, 3 the environment\n"
		"cannot run cases, 130 interrupted.\n");
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

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct printer {
	int verbose;
	struct tc_counts k;
	struct tc_progress prog;           /* live line on a terminal, plain lines otherwise */
	const struct tc_baseline *bl;      /* to mark known deviations as they happen, or NULL */
	int strict;                        /* --strict: a warn is shown and counted as a fail */
};

static void print_result(const struct tc_result *r0, void *arg)
{
	struct printer *p = arg;
	/* A shallow copy is enough to show a warn as the fail --strict makes it (the reports
	 * convert the results themselves, tc_outputs_write). */
	struct tc_result r = *r0;
	if (p->strict && r.verdict == TC_V_WARN)
		r.verdict = TC_V_FAIL;
	tc_counts_add(&p->k, &r);
	/* The progress knows the baseline (pr.prog.bl): it marks known deviations and new
	 * failures of listed cases itself. */
	tc_progress_result(&p->prog, &r, NULL, mono_s());
}

static void print_start(int total, void *arg)
{
	struct printer *p = arg;
	tc_progress_total(&p->prog, total, mono_s());
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
		{"html", required_argument, 0, 1001},  {"junit", required_argument, 0, 1002},
		{"tap", required_argument, 0, 1003},   {"baseline", required_argument, 0, 1004},
		{"update-baseline", no_argument, 0, 1005}, {"shard", required_argument, 0, 1006},
		{"no-progress", no_argument, 0, 1007},
		{"profile", required_argument, 0, 1008}, {"strict", no_argument, 0, 1009},
		/* Settings of the tap and remote targets (struct tc_target_args). */
		{"target-file", required_argument, 0, 2001}, {"iface", required_argument, 0, 2002},
		{"host", required_argument, 0, 2003}, {"agent", required_argument, 0, 2004},
		{"peer", required_argument, 0, 2005},
		{0, 0, 0, 0}};
	struct tc_target_args targs;
	memset(&targs, 0, sizeof(targs));
	struct tc_run_opts o;
	struct tc_outputs outs;         /* report files, baseline (cmd/report.h) */
	struct tc_baseline bl;
	int no_progress = 0;
	const char *model_profile = "rfc9293";
	int model_profile_given = 0;
	const char *json = NULL;
	memset(&outs, 0, sizeof(outs));
	memset(&bl, 0, sizeof(bl));
	char err[2048], agent[PATH_MAX];
	int seed_set = 0, c;
	memset(&o, 0, sizeof(o));
	o.target = tc_target_find("linux");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* Most of a case is waiting on timers and the wire, so more cases than CPUs run well;
	 * four per CPU kept timing checks steady in our measurements (make bench, tools/bench.sh). */
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
		case 1001: outs.html = optarg; break;
		case 1002: outs.junit = optarg; break;
		case 1003: outs.tap = optarg; break;
		case 1004: outs.baseline = optarg; break;
		case 1005: outs.update_baseline = 1; break;
		case 1006:
			if (tc_shard_parse(optarg, &o.shard_k, &o.shard_n, err, sizeof(err)) < 0) {
				fprintf(stderr, "tcpconform: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case 1007: no_progress = 1; break;
		case 1008: model_profile = optarg; model_profile_given = 1; break;
		case 1009: outs.strict = 1; break;
		case 2001: targs.file = optarg; break;
		case 2002: targs.iface = optarg; break;
		case 2003: targs.host = optarg; break;
		case 2004: targs.agent = optarg; break;
		case 2005: targs.peer = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "tcpconform run: give at least one PATH (a case file or a folder)\n");
		return EXIT_USAGE;
	}
	/* The model's profile is the second judge (docs/model.md). --profile names it; a bad one
	 * is bad usage, found before anything else. */
	static struct tc_knobs knobs;
	if (model_profile_given && tc_profile_load(model_profile, &knobs, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: --profile: %s\n", err);
		return EXIT_USAGE;
	}
	o.knobs = &knobs;
	struct tc_caselist l;
	if (tc_collect(argv + optind, argc - optind, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.target->configure) {
		if (o.target->configure(&targs, err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpconform: %s\n", err);
			tc_caselist_free(&l);
			return EXIT_USAGE;
		}
	} else if (targs.file || targs.iface || targs.host || targs.agent || targs.peer) {
		fprintf(stderr, "tcpconform: --target-file, --iface, --host, --peer and --agent are for "
				"--target tap or remote\n");
		tc_caselist_free(&l);
		return EXIT_USAGE;
	}
	/* A target file names the profile its stack is judged by (e.g. lwip), and its baseline. */
	if (!o.profile && o.target->profile)
		o.profile = o.target->profile();
	if (!outs.baseline && o.target->baseline)
		outs.baseline = o.target->baseline();
	if (o.target->max_jobs > 0 && o.jobs > o.target->max_jobs)
		o.jobs = o.target->max_jobs;
	if (!o.profile)
		o.profile = o.target->name;
	/* Without --profile, the profile the target's settings name (a target file's `profile:`,
	 * docs/targets.md) judges too, not only selects cases: a stack is judged by the choices
	 * its own profile allows. A name with no model profile (a remote host's OS the model has
	 * no knobs for, a user's own label) leaves the model on rfc9293, said once on stderr. */
	if (!model_profile_given) {
		const char *tp = o.target->profile ? o.target->profile() : NULL;
		if (tp && tc_profile_load(tp, &knobs, err, sizeof(err)) == 0) {
			model_profile = tp;
		} else {
			if (tp)
				fprintf(stderr, "tcpconform: the target's profile '%s' is not a model profile "
						"(%s); the model judges with rfc9293\n", tp, err);
			if (tc_profile_load(model_profile, &knobs, err, sizeof(err)) < 0) {
				fprintf(stderr, "tcpconform: --profile: %s\n", err);
				tc_caselist_free(&l);
				return EXIT_USAGE;
			}
		}
	}
	outs.json = json;
	outs.pcap_dir = o.pcap_dir;
	/* A bad baseline is bad usage: found before anything runs. */
	if (tc_outputs_prepare(&outs, o.target->name, &bl, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		tc_caselist_free(&l);
		return EXIT_USAGE;
	}
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

	/* With TAP on stdout, everything meant for people goes to stderr. */
	FILE *term = outs.tap && strcmp(outs.tap, "-") == 0 ? stderr : stdout;
	struct printer pr = {.verbose = o.verbose, .bl = outs.baseline ? &bl : NULL,
			     .strict = outs.strict};
	pr.k.known = -1;
	int live = !no_progress && isatty(fileno(term)) && getenv("TERM") &&
		   strcmp(getenv("TERM"), "dumb") != 0;
	tc_progress_init(&pr.prog, term, live, o.verbose, tc_term_width(fileno(term)), mono_s());
	pr.prog.bl = pr.bl;
	pr.prog.strict = outs.strict;
	o.on_result = print_result;
	o.on_start = print_start;
	o.arg = &pr;
	struct tc_result *rs = NULL;
	int nrs = 0;
	char date[32];
	tc_report_now(date, sizeof(date));
	double t0 = mono_s();
	int rc = tc_run(&l, &o, &rs, &nrs, err, sizeof(err));
	double secs = mono_s() - t0;
	int code;
	tc_progress_end(&pr.prog);
	if (rc < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		code = EXIT_ENV;
	} else if (rc > 0) {
		fprintf(stderr, "tcpconform: interrupted; cleaned up, no report written\n");
		code = EXIT_INTR;
	} else {
		/* Reports, the baseline and the exit status (1 only for new failures and errors
		 * once a baseline is given) are decided in one place for run and report merge. */
		/* Reports name the profile the model judged with: that is what "conforms" means
		 * in them (o.profile only selects cases through only/except). */
		struct tc_json_meta m = {TC_VERSION, o.target->name, o.seed, secs, model_profile, date};
		struct tc_bl_counts bk;
		code = tc_outputs_write(&outs, &bl, rs, nrs, &m, term, &bk);
		if (outs.baseline) {
			pr.k.failed = bk.new_failures;
			pr.k.known = bk.known;
		}
		/* The counts are the last line, for people and for CI log scrapers alike. */
		fprintf(term, "\nseed %u (rerun with --seed %u)", o.seed, o.seed);
		tc_term_summary(term, &pr.k, secs);
	}
	tc_baseline_free(&bl);
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
	if (strcmp(argv[1], "coverage") == 0)
		return tc_cmd_coverage(argc - 1, argv + 1);
	if (strcmp(argv[1], "gen") == 0)
		return tc_cmd_gen(argc - 1, argv + 1); /* cmd/gen.c: the state-event matrix */
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 2, argv + 2);
	if (strcmp(argv[1], "lint") == 0)
		return tc_lint_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return tc_cmd_report(argc - 1, argv + 1);
	fprintf(stderr, "tcpconform: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
