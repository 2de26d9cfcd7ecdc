/*
 * lint.c - `tcpconform lint PATH...`: every case through the model alone (sim.h), for every
 * profile the case applies to. Each explicit expectation the model contradicts is a finding,
 * printed with the step, the YAML line, the field and the model's rule.
 *
 * Which profiles a case applies to: with `only:`, the profiles it names; without, rfc9293 and
 * every profile given with --profile (default: rfc9293 and linux, the standard and the stack the
 * suites run against); `except:` removes profiles. Profiles that do not exist as files are
 * skipped with a note.
 */
#include "lint.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec.h"
#include "../sched.h"
#include "profile.h"
#include "sim.h"

#define MAXP 8

static int in_list(char **l, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

/* Whether FILE has a line "ID PROFILE" (anything after is the reason). */
static int is_known(const char *file, const char *id, const char *profile)
{
	if (!file)
		return 0;
	FILE *f = fopen(file, "r");
	char line[512], a[256], b[64];
	int hit = 0;
	if (!f)
		return 0;
	while (!hit && fgets(line, sizeof(line), f))
		if (line[0] != '#' && sscanf(line, "%255s %63s", a, b) == 2 && strcmp(a, id) == 0 &&
		    strcmp(b, profile) == 0)
			hit = 1;
	fclose(f);
	return hit;
}

/* Lints one case under one profile; returns the number of findings. */
static int lint_one(const struct tc_case *c, const struct tc_knobs *k, FILE *out, int verbose,
		    int *abstained)
{
	struct tc_result r;
	struct tc_io io;
	struct tc_exec_cfg cfg;
	memset(&r, 0, sizeof(r));
	int fam = (c->families & TC_FAM_MASK_V4) ? TC_FAMILY_V4 : TC_FAMILY_V6;
	struct tc_sim *s = tc_sim_new(c, k, fam, &r, &io, &cfg);
	if (!s) {
		fprintf(out, "%s [%s]: out of memory\n", c->id, k->name);
		return 1;
	}
	cfg.knobs = k;
	tc_exec_case(c, &cfg, &io, &r);
	const char *why = NULL;
	int nbefore = r.nfailures;
	int lost = tc_sim_lost(s, &why, &nbefore);
	int findings = 0;
	if (r.verdict == TC_V_ERROR && !lost) {
		fprintf(out, "%s:%d: %s [profile %s]: the case cannot run on the model: %s\n", c->file,
			c->id_pos.line, c->id, k->name, r.reason);
		findings++;
	}
	for (int i = 0; i < r.nfailures && i < nbefore; i++) {
		const struct tc_failure *f = &r.failures[i];
		int64_t t = -1;
		for (int e = 0; e < r.nevents; e++)
			if (r.events[e].step == f->step)
				t = r.events[e].t_us;
		const char *rule = f->rule[0] ? f->rule : t >= 0 ? tc_sim_rule_before(s, 1000000000 + t) : "";
		fprintf(out, "%s:%d: %s [profile %s] step %d: %s: expected %s, the model gives %s\n",
			c->file, f->line, c->id, k->name, f->step, f->field, f->expected, f->actual);
		fprintf(out, "    %s\n", f->message);
		if (rule[0])
			fprintf(out, "    model rule: %s\n", rule);
		findings++;
	}
	if (lost) {
		(*abstained)++;
		if (verbose)
			fprintf(out, "%s [profile %s]: model abstains after %d finding(s): %s\n", c->id,
				k->name, nbefore, why);
	}
	if (verbose && r.trace)
		fprintf(out, "%s", r.trace);
	tc_sim_free(s);
	tc_result_free(&r);
	return findings;
}

int tc_lint_main(int argc, char **argv)
{
	static const struct option lo[] = {{"profile", required_argument, 0, 'p'},
					   {"known", required_argument, 0, 'k'},
					   {"verbose", no_argument, 0, 'v'},
					   {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *pnames[MAXP];
	const char *known = NULL;
	int np = 0, verbose = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (np == MAXP) {
				fprintf(stderr, "tcpconform lint: at most %d profiles\n", MAXP);
				return 2;
			}
			pnames[np++] = optarg;
			break;
		case 'v': verbose = 1; break;
		case 'k': known = optarg; break;
		case 'h':
			printf("usage: tcpconform lint [--profile NAME]... [-v] PATH...\n"
			       "  --known FILE  findings for the 'case-id profile' lines of FILE are shown\n"
			       "                but do not fail (known gaps of the model, each with a reason)\n"
			       "Runs every case through the reference model alone (no target, no root)\n"
			       "and reports each expectation the model contradicts, with the rule.\n"
			       "exit status: 0 no findings, 1 findings, 2 bad usage or invalid files.\n");
			return 0;
		default: return 2;
		}
	}
	if (np == 0) {
		pnames[np++] = "rfc9293";
		pnames[np++] = "linux";
	}
	if (optind >= argc) {
		fprintf(stderr, "tcpconform lint: give at least one PATH (a case file or a folder)\n");
		return 2;
	}
	char err[2048];
	struct tc_knobs all[MAXP + 8];
	char *names[MAXP + 8];
	int nall = 0;
	for (int i = 0; i < np; i++) {
		if (tc_profile_load(pnames[i], &all[nall], err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpconform lint: %s\n", err);
			return 2;
		}
		names[nall] = all[nall].name;
		nall++;
	}
	struct tc_caselist l;
	if (tc_collect(argv + optind, argc - optind, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform lint: %s\n", err);
		return 2;
	}
	int findings = 0, runs = 0, abstained = 0, nknown = 0;
	for (int i = 0; i < l.n; i++) {
		const struct tc_case *cs = &l.cases[i];
		/* The profiles this case applies to. */
		struct tc_knobs use[MAXP + 8];
		int nu = 0;
		if (cs->nonly) {
			for (int j = 0; j < cs->nonly && nu < MAXP + 8; j++) {
				int found = 0;
				for (int a = 0; a < nall; a++)
					if (strcmp(names[a], cs->only[j]) == 0) {
						use[nu++] = all[a];
						found = 1;
					}
				if (!found && tc_profile_load(cs->only[j], &use[nu], err, sizeof(err)) == 0)
					nu++;
			}
		} else {
			for (int a = 0; a < nall; a++)
				use[nu++] = all[a];
		}
		for (int u = 0; u < nu; u++) {
			if (in_list(cs->except, cs->nexcept, use[u].name))
				continue;
			runs++;
			int n = lint_one(cs, &use[u], stdout, verbose, &abstained);
			if (n && is_known(known, cs->id, use[u].name)) {
				printf("    (known gap, listed in %s: not counted)\n", known);
				nknown += n;
			} else {
				findings += n;
			}
		}
	}
	printf("lint: %d cases, %d case-profile runs, %d findings (+%d known), %d runs where the "
	       "model abstained part-way\n", l.n, runs, findings, nknown, abstained);
	tc_caselist_free(&l);
	return findings ? 1 : 0;
}
