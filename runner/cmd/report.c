/*
 * cmd/report.c - report files and the `report merge` / `report compare` subcommands (see
 * cmd/report.h).
 */
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../../reports/compare.h"
#include "../../reports/html.h"
#include "../../reports/junit.h"
#include "../../reports/load.h"
#include "../../reports/report.h"
#include "../../reports/tap.h"

#define EXIT_USAGE 2
#define EXIT_ENV 3

int tc_outputs_prepare(const struct tc_outputs *o, const char *target, struct tc_baseline *bl,
		       char *err, size_t cap)
{
	memset(bl, 0, sizeof(*bl));
	if (o->update_baseline && !o->baseline) {
		snprintf(err, cap, "--update-baseline needs --baseline FILE");
		return -1;
	}
	if (!o->baseline)
		return 0;
	if (tc_baseline_load(o->baseline, o->update_baseline, bl, err, cap) < 0)
		return -1;
	if (tc_baseline_check_target(bl, target, err, cap) < 0) {
		tc_baseline_free(bl);
		return -1;
	}
	tc_baseline_warn_legacy(stderr, o->baseline, bl);
	return 0;
}

/* What the baseline says beyond the counts: fixed cases and failures, new failures of listed
 * cases (the ones that would otherwise hide behind "the case is listed"). */
static void baseline_notes(FILE *msg, const struct tc_outputs *o, const struct tc_baseline *bl,
			   const struct tc_result *rs, int n, const unsigned char *marks)
{
	for (int i = 0; i < n; i++) {
		const struct tc_result *r = &rs[i];
		const struct tc_deviation *d = tc_baseline_find(bl, r);
		if (!d)
			continue;
		if (marks[i] == TC_BL_FIXED) {
			fprintf(msg, "FIXED %s [%s]  -- listed in the baseline, passes now\n", r->id,
				r->family);
			continue;
		}
		if (r->verdict == TC_V_WARN) {
			fprintf(msg, "FIXED %s [%s]  -- listed in the baseline, now departs only from "
				     "SHOULD-level requirements (warn)\n", r->id, r->family);
			continue;
		}
		if (r->verdict != TC_V_FAIL)
			continue;
		for (int k = 0; k < d->nsigs; k++) {
			if (!tc_bl_sig_stale(d, k, r, o->strict))
				continue;
			char sig[400];
			tc_bl_sig_str(&d->sigs[k], sig, sizeof(sig));
			fprintf(msg, "FIXED %s [%s] %s  -- listed in the baseline (%s:%d), no longer "
				     "happens\n", r->id, r->family, sig, o->baseline, d->sigs[k].line);
		}
		for (int j = 0; marks[i] == TC_BL_NEW && j < r->nfailures; j++) {
			if (tc_baseline_failure_mark(bl, r, j, o->strict) != TC_BLF_NEW)
				continue;
			char line[2048];
			tc_failure_line("", &r->failures[j], line, sizeof(line));
			fprintf(msg, "NEW   %s [%s] %s  -- a new failure: the baseline's entry (%s:%d) "
				     "does not list it\n", r->id, r->family, line, o->baseline, d->line);
		}
	}
}

int tc_outputs_write(const struct tc_outputs *o, const struct tc_baseline *bl, struct tc_result *rs,
		     int n, const struct tc_json_meta *m, FILE *msg, struct tc_bl_counts *kout)
{
	char err[2048];
	int code;
	unsigned char *marks = calloc((size_t)n + 1, 1);
	struct tc_bl_counts k;
	if (!marks) {
		fprintf(stderr, "tcpconform: out of memory\n");
		return EXIT_ENV;
	}
	tc_report_sort(rs, n);
	/* --strict: a SHOULD departure fails like a MUST, in every report and the exit status. */
	if (o->strict)
		tc_report_strict(rs, n);
	tc_baseline_apply(o->baseline ? bl : NULL, rs, n, o->strict, marks, &k);
	code = tc_baseline_exit(&k);
	if (kout)
		*kout = k;
	if (o->baseline) {
		fprintf(msg, "baseline %s: %d new failures, %d errors, %d known deviations, %d fixed, "
			     "%d listed failures no longer seen\n",
			o->baseline, k.new_failures, k.errors, k.known, k.fixed, k.fixed_failures);
		baseline_notes(msg, o, bl, rs, n, marks);
	}

	char pcap_href[4096];
	struct tc_report rep;
	memset(&rep, 0, sizeof(rep));
	rep.rs = rs;
	rep.n = n;
	rep.marks = o->baseline ? marks : NULL;
	rep.baseline = o->baseline ? bl : NULL;
	rep.strict = o->strict;
	rep.tool_version = m->tool_version;
	rep.target = m->target;
	rep.profile = m->profile;
	rep.date = m->date;
	rep.seed = m->seed;
	rep.seconds = m->seconds;
	if (o->html && o->pcap_dir && tc_relpath(o->html, o->pcap_dir, pcap_href, sizeof(pcap_href)) == 0)
		rep.pcap_href = pcap_href;

	if (o->json && tc_json_write_file(o->json, rs, n, m, err, sizeof(err)) < 0)
		goto fail;
	if (o->html && tc_report_write_file(o->html, tc_html_write, &rep, err, sizeof(err)) < 0)
		goto fail;
	if (o->junit && tc_report_write_file(o->junit, tc_junit_write, &rep, err, sizeof(err)) < 0)
		goto fail;
	if (o->tap && tc_report_write_file(o->tap, tc_tap_write, &rep, err, sizeof(err)) < 0)
		goto fail;
	if (o->update_baseline) {
		struct tc_baseline nb;
		/* The update works on a copy so the caller's baseline stays as loaded. */
		if (tc_baseline_copy(&nb, bl) < 0) {
			snprintf(err, sizeof(err), "out of memory");
			goto fail;
		}
		if (tc_baseline_update(&nb, rs, n, m->target, o->strict) < 0 ||
		    tc_baseline_write_file(o->baseline, &nb, err, sizeof(err)) < 0) {
			tc_baseline_free(&nb);
			goto fail;
		}
		fprintf(msg, "baseline %s updated: %d deviations\n", o->baseline, nb.n);
		tc_baseline_free(&nb);
	}
	free(marks);
	return code;
fail:
	fprintf(stderr, "tcpconform: %s\n", err);
	free(marks);
	return EXIT_ENV;
}

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: tcpconform report merge OUT.json IN.json... [--html F] [--junit F] [--tap F]\n"
		"                                [--baseline F] [--update-baseline] [--pcap-dir D]\n"
		"                                [--strict]\n"
		"       tcpconform report compare A.json B.json... [--html F] [--strict]\n"
		"\n"
		"merge: joins the JSON results of shards (--shard K/N) into OUT.json and writes the\n"
		"       other reports from them; exit status as for run (baseline rules apply; warn\n"
		"       does not fail, --strict makes every warn a fail).\n"
		"compare: a matrix of cases by run (e.g. one run per target), differences first;\n"
		"       exit status 0, or 1 when any case differs (--strict: warn reads as fail).\n");
}

/* Shared option parsing of both subcommands; positional arguments are left in pos[]. */
static int parse(int argc, char **argv, struct tc_outputs *o, char ***pos, int *npos)
{
	static const struct option lo[] = {
		{"html", required_argument, 0, 'H'},     {"junit", required_argument, 0, 'U'},
		{"tap", required_argument, 0, 'A'},      {"baseline", required_argument, 0, 'B'},
		{"update-baseline", no_argument, 0, 'u'}, {"pcap-dir", required_argument, 0, 'P'},
		{"strict", no_argument, 0, 'S'},         {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	int c;
	memset(o, 0, sizeof(*o));
	optind = 1;
	/* "+"-less optstring with getopt_long permutes, so options may follow the files. */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'H': o->html = optarg; break;
		case 'U': o->junit = optarg; break;
		case 'A': o->tap = optarg; break;
		case 'B': o->baseline = optarg; break;
		case 'u': o->update_baseline = 1; break;
		case 'P': o->pcap_dir = optarg; break;
		case 'S': o->strict = 1; break;
		case 'h': report_usage(stdout); return 1;
		default: report_usage(stderr); return -1;
		}
	}
	*pos = argv + optind;
	*npos = argc - optind;
	return 0;
}

static int cmd_merge(int argc, char **argv)
{
	struct tc_outputs o;
	char **pos, err[2048];
	int npos, code = EXIT_USAGE;
	int pr = parse(argc, argv, &o, &pos, &npos);
	if (pr != 0)
		return pr > 0 ? 0 : EXIT_USAGE;
	if (npos < 2) {
		fprintf(stderr, "tcpconform report merge: give OUT.json and at least one IN.json\n");
		return EXIT_USAGE;
	}
	o.json = pos[0];
	int nin = npos - 1;
	struct tc_loaded *in = calloc((size_t)nin, sizeof(*in));
	struct tc_result *all = NULL;
	struct tc_baseline bl;
	int n = 0, total = 0;
	memset(&bl, 0, sizeof(bl));
	if (!in) {
		fprintf(stderr, "tcpconform: out of memory\n");
		return EXIT_ENV;
	}
	for (int i = 0; i < nin; i++) {
		if (tc_load_file(pos[1 + i], &in[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpconform: %s\n", err);
			goto out;
		}
		if (strcmp(in[i].target, in[0].target) != 0) {
			fprintf(stderr, "tcpconform: %s is a run against '%s', %s against '%s': merge "
					"shards of one run; use `report compare` for different targets\n",
				pos[1 + i], in[i].target, pos[1], in[0].target);
			goto out;
		}
		if (in[i].seed != in[0].seed)
			fprintf(stderr, "tcpconform: warning: %s ran with seed %u, %s with %u (give every "
					"shard the same --seed to make the merge reproducible)\n",
				pos[1 + i], in[i].seed, pos[1], in[0].seed);
		total += in[i].n;
	}
	all = calloc((size_t)total + 1, sizeof(*all));
	if (!all) {
		fprintf(stderr, "tcpconform: out of memory\n");
		code = EXIT_ENV;
		goto out;
	}
	/* The results move from the inputs into one array (the inputs keep nothing to free). */
	for (int i = 0; i < nin; i++) {
		memcpy(all + n, in[i].rs, (size_t)in[i].n * sizeof(*all));
		n += in[i].n;
		in[i].n = 0;
	}
	tc_report_sort(all, n);
	for (int i = 1; i < n; i++)
		if (strcmp(all[i].id, all[i - 1].id) == 0 && strcmp(all[i].family, all[i - 1].family) == 0) {
			fprintf(stderr, "tcpconform: %s [%s] is in more than one input: shards must not "
					"overlap\n", all[i].id, all[i].family);
			goto out;
		}
	if (tc_outputs_prepare(&o, in[0].target, &bl, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform: %s\n", err);
		goto out;
	}
	/* Shards run side by side: the merged run took as long as the longest, and started with
	 * the earliest. */
	double secs = 0;
	const char *date = NULL;
	for (int i = 0; i < nin; i++) {
		if (in[i].seconds > secs)
			secs = in[i].seconds;
		if (in[i].date[0] && (!date || strcmp(in[i].date, date) < 0))
			date = in[i].date;
	}
	struct tc_json_meta m = {in[0].version[0] ? in[0].version : TC_VERSION, in[0].target,
				 in[0].seed, secs, in[0].profile[0] ? in[0].profile : NULL, date};
	code = tc_outputs_write(&o, &bl, all, n, &m, stdout, NULL);
	printf("merged %d results from %d files into %s\n", n, nin, o.json);
out:
	for (int i = 0; i < n; i++)
		tc_result_free(&all[i]);
	free(all);
	for (int i = 0; i < nin; i++)
		tc_loaded_free(&in[i]);
	free(in);
	tc_baseline_free(&bl);
	return code;
}

static void compare_page(FILE *out, const void *arg)
{
	tc_compare_html(out, arg);
}

static int cmd_compare(int argc, char **argv)
{
	struct tc_outputs o;
	char **pos, err[2048];
	int npos, code = EXIT_USAGE;
	int pr = parse(argc, argv, &o, &pos, &npos);
	if (pr != 0)
		return pr > 0 ? 0 : EXIT_USAGE;
	if (npos < 2) {
		fprintf(stderr, "tcpconform report compare: give at least two result files\n");
		return EXIT_USAGE;
	}
	struct tc_loaded *runs = calloc((size_t)npos, sizeof(*runs));
	char (*labels)[160] = calloc((size_t)npos, sizeof(*labels));
	const char **lp = calloc((size_t)npos, sizeof(*lp));
	if (!runs || !labels || !lp) {
		fprintf(stderr, "tcpconform: out of memory\n");
		code = EXIT_ENV;
		goto out;
	}
	for (int i = 0; i < npos; i++) {
		if (tc_load_file(pos[i], &runs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpconform: %s\n", err);
			goto out;
		}
	}
	/* Columns are named by target; two runs of one target are told apart by file name. */
	for (int i = 0; i < npos; i++) {
		int dup = 0;
		for (int j = 0; j < npos; j++)
			dup |= j != i && strcmp(runs[i].target, runs[j].target) == 0;
		const char *base = strrchr(pos[i], '/');
		base = base ? base + 1 : pos[i];
		if (dup || !runs[i].target[0])
			snprintf(labels[i], sizeof(labels[i]), "%s (%s)",
				 runs[i].target[0] ? runs[i].target : "?", base);
		else
			snprintf(labels[i], sizeof(labels[i]), "%s", runs[i].target);
		lp[i] = labels[i];
		tc_report_sort(runs[i].rs, runs[i].n);
		if (o.strict)
			tc_report_strict(runs[i].rs, runs[i].n);
	}
	struct tc_compare c = {runs, npos, lp};
	int ndiff = tc_compare_text(stdout, &c);
	code = ndiff > 0 ? 1 : 0;
	if (ndiff < 0) {
		fprintf(stderr, "tcpconform: out of memory\n");
		code = EXIT_ENV;
	}
	if (o.html) {
		if (tc_write_atomic(o.html, compare_page, &c, err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpconform: %s\n", err);
			code = EXIT_ENV;
		}
	}
out:
	for (int i = 0; runs && i < npos; i++)
		tc_loaded_free(&runs[i]);
	free(runs);
	free(labels);
	free(lp);
	return code;
}

int tc_cmd_report(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		report_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "merge") == 0)
		return cmd_merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "compare") == 0)
		return cmd_compare(argc - 1, argv + 1);
	fprintf(stderr, "tcpconform report: unknown subcommand '%s' (merge or compare)\n", argv[1]);
	return EXIT_USAGE;
}
