/*
 * lint.c - `tcpconform lint PATH...`: every case through the model alone (sim.h), for every
 * profile the case applies to. Each explicit expectation the model contradicts at a MUST-level
 * step is a finding, printed with the step, the YAML line, the field and the model's rule.
 *
 * Levels (docs/case-format.md "Levels"): a step whose level is SHOULD or MAY checks something
 * a conforming stack may depart from, and a profile may model a stack that departs from it by
 * design (timers.rto.data.minimum-1s under linux: RFC 6298 2.4's 1 s minimum RTO is a SHOULD,
 * Linux's is 200 ms). The model contradicting such a step is therefore no finding: it is printed
 * as a SHOULD-level (or MAY-level) difference and counted apart. A MUST-level contradiction is
 * always a finding.
 *
 * Which profiles a case applies to: with `only:`, the profiles it names; without, rfc9293 and
 * every profile given with --profile (default: rfc9293 and linux, the standard and the stack the
 * suites run against); `except:` removes profiles. Profiles that do not exist as files are
 * skipped with a note.
 *
 * --abstentions FILE is the reviewed list of the runs where the model abstains and of the
 * SHOULD/MAY-level differences (tests/lint/abstentions.txt documents the format). With it, lint
 * also fails when the list is incomplete (an abstention or a difference it does not list) or
 * stale (a listed one that no longer happens, or whose reason changed).
 */
#include "lint.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/names.h"
#include "../exec.h"
#include "../sched.h"
#include "../model/profile.h"
#include "../targets/sim.h"

#define MAXP 8

/* An abstention or a SHOULD/MAY-level difference: observed in this run, or listed in the file. */
enum { RV_ABSTAIN = 1, RV_DIFFER };

struct rv {
	int kind;
	char id[128], profile[64];
	int step;               /* RV_DIFFER */
	char field[32];         /* RV_DIFFER */
	char text[256];         /* RV_ABSTAIN: the model's reason; RV_DIFFER: the reviewer's note */
	int line;               /* in the file; 0 for an observed one */
	int seen;               /* a listed entry matched by an observation */
};

struct rvlist {
	struct rv *v;
	int n, cap;
};

static struct rv *rv_add(struct rvlist *l)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;
		struct rv *nv = realloc(l->v, (size_t)cap * sizeof(*nv));
		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

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

/* Copies the next blank-separated word of *p into w (at most cap-1 bytes); 0 if there is none. */
static int word(const char **p, char *w, size_t cap)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n')
		n++;
	if (n == 0 || n >= cap)
		return 0;
	memcpy(w, s, n);
	w[n] = 0;
	*p = s + n;
	return 1;
}

/*
 * Reads the reviewed list. Lines: "abstain CASE-ID PROFILE : REASON" (REASON is the model's,
 * verbatim) or "differ CASE-ID PROFILE STEP FIELD : NOTE" (NOTE says why the difference is
 * right); '#' starts a comment line; blank lines are ignored. Returns 0, or -1 with a message
 * quoting the line and its file:line:column.
 */
static int rv_load(const char *file, struct rvlist *l, char *err, size_t cap)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(err, cap, "%s: cannot open the reviewed list", file);
		return -1;
	}
	char buf[1024];
	int ln = 0, rc = 0;
	while (rc == 0 && fgets(buf, sizeof(buf), f)) {
		ln++;
		buf[strcspn(buf, "\n")] = 0;
		const char *p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == 0 || *p == '#')
			continue;
		char kind[16], stepw[16];
		struct rv *e = rv_add(l);
		if (!e) {
			snprintf(err, cap, "%s:%d: out of memory", file, ln);
			rc = -1;
			break;
		}
		e->line = ln;
		const char *what = NULL;
		if (!word(&p, kind, sizeof(kind)))
			what = "a kind (abstain or differ)";
		else if (strcmp(kind, "abstain") == 0)
			e->kind = RV_ABSTAIN;
		else if (strcmp(kind, "differ") == 0)
			e->kind = RV_DIFFER;
		else
			what = "a kind (abstain or differ)", p = buf + strspn(buf, " \t");
		if (!what && !word(&p, e->id, sizeof(e->id)))
			what = "a case id";
		if (!what && !word(&p, e->profile, sizeof(e->profile)))
			what = "a profile";
		if (!what && e->kind == RV_DIFFER) {
			char *end;
			while (*p == ' ' || *p == '\t')
				p++;
			const char *at = p; /* the column of an error is the step's */
			if (!word(&p, stepw, sizeof(stepw)))
				what = "a step number";
			else if ((e->step = (int)strtol(stepw, &end, 10)) <= 0 || *end)
				what = "a step number", p = at;
			else if (!word(&p, e->field, sizeof(e->field)))
				what = "a field";
		}
		if (!what) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ':')
				what = "' : ' and the reason";
			else {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				if (!*p)
					what = "a reason after ':'";
				else
					snprintf(e->text, sizeof(e->text), "%s", p);
			}
		}
		if (what) {
			snprintf(err, cap, "%s:%d:%d: expected %s in '%s'", file, ln, (int)(p - buf) + 1,
				 what, buf);
			rc = -1;
			break;
		}
		for (int i = 0; i < l->n - 1; i++) {
			const struct rv *o = &l->v[i];
			if (o->kind == e->kind && strcmp(o->id, e->id) == 0 &&
			    strcmp(o->profile, e->profile) == 0 &&
			    (e->kind == RV_ABSTAIN || (o->step == e->step && strcmp(o->field, e->field) == 0))) {
				snprintf(err, cap, "%s:%d:1: listed twice (first at line %d): '%s'", file, ln,
					 o->line, buf);
				rc = -1;
				break;
			}
		}
	}
	fclose(f);
	return rc;
}

/* The listed entry an observation matches, or NULL. */
static struct rv *rv_find(struct rvlist *l, const struct rv *o)
{
	for (int i = 0; i < l->n; i++) {
		struct rv *e = &l->v[i];
		if (e->kind == o->kind && strcmp(e->id, o->id) == 0 && strcmp(e->profile, o->profile) == 0 &&
		    (o->kind == RV_ABSTAIN || (e->step == o->step && strcmp(e->field, o->field) == 0)))
			return e;
	}
	return NULL;
}

/*
 * Compares what this run observed with the reviewed list; prints every difference to out.
 * Returns the number of problems (unlisted, stale, or a changed reason).
 */
static int rv_check(const char *file, struct rvlist *listed, const struct rvlist *seen, FILE *out)
{
	int bad = 0;
	for (int i = 0; i < seen->n; i++) {
		const struct rv *o = &seen->v[i];
		struct rv *e = rv_find(listed, o);
		if (!e) {
			if (o->kind == RV_ABSTAIN)
				fprintf(out, "%s: not listed: the model abstains in %s [profile %s]; add\n"
					"    abstain %s %s : %s\n", file, o->id, o->profile, o->id, o->profile,
					o->text);
			else
				fprintf(out, "%s: not listed: a %s in %s [profile %s] step %d %s; add it with "
					"the reason it is right\n    differ %s %s %d %s : WHY\n", file, o->text,
					o->id, o->profile, o->step, o->field, o->id, o->profile, o->step,
					o->field);
			bad++;
			continue;
		}
		if (e->seen)
			continue; /* several failures of one step and field: one entry covers them */
		e->seen = 1;
		if (o->kind == RV_ABSTAIN && strcmp(e->text, o->text) != 0) {
			fprintf(out, "%s:%d: the model's reason for abstaining in %s [profile %s] changed: "
				"listed '%s', now '%s'\n", file, e->line, e->id, e->profile, e->text, o->text);
			bad++;
		}
	}
	for (int i = 0; i < listed->n; i++) {
		const struct rv *e = &listed->v[i];
		if (e->seen)
			continue;
		if (e->kind == RV_ABSTAIN)
			fprintf(out, "%s:%d: stale: the model no longer abstains in %s [profile %s] (%s); "
				"remove the line\n", file, e->line, e->id, e->profile, e->text);
		else
			fprintf(out, "%s:%d: stale: no difference any more in %s [profile %s] step %d %s; "
				"remove the line\n", file, e->line, e->id, e->profile, e->step, e->field);
		bad++;
	}
	return bad;
}

/* Lints one case under one profile; returns the number of findings (MUST-level failures). */
static int lint_one(const struct tc_case *c, const struct tc_knobs *k, FILE *out, int verbose,
		    int *abstained, int *ndiff, struct rvlist *seen)
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
		if (f->level == TC_LVL_MUST) {
			fprintf(out, "%s:%d: %s [profile %s] step %d: %s: expected %s, the model gives %s\n",
				c->file, f->line, c->id, k->name, f->step, f->field, f->expected, f->actual);
			findings++;
		} else {
			/* The step's level is SHOULD or MAY: a stack (and the profile that models it)
			 * may depart from it, so this is reported, not counted as a finding. */
			fprintf(out, "%s:%d: %s [profile %s] step %d: %s-level difference (%s, not a "
				"finding): %s: expected %s, the model gives %s\n", c->file, f->line, c->id,
				k->name, f->step, tc_level_name(f->level), f->req[0] ? f->req : "no req",
				f->field, f->expected, f->actual);
			(*ndiff)++;
			struct rv *o = rv_add(seen);
			if (o) {
				o->kind = RV_DIFFER;
				snprintf(o->id, sizeof(o->id), "%s", c->id);
				snprintf(o->profile, sizeof(o->profile), "%s", k->name);
				o->step = f->step;
				snprintf(o->field, sizeof(o->field), "%s", f->field);
				snprintf(o->text, sizeof(o->text), "%s-level difference",
					 tc_level_name(f->level));
			}
		}
		fprintf(out, "    %s\n", f->message);
		if (rule[0])
			fprintf(out, "    model rule: %s\n", rule);
	}
	if (lost) {
		(*abstained)++;
		if (verbose)
			fprintf(out, "%s [profile %s]: model abstains after %d finding(s): %s\n", c->id,
				k->name, nbefore, why);
		struct rv *o = rv_add(seen);
		if (o) {
			o->kind = RV_ABSTAIN;
			snprintf(o->id, sizeof(o->id), "%s", c->id);
			snprintf(o->profile, sizeof(o->profile), "%s", k->name);
			snprintf(o->text, sizeof(o->text), "%s", why);
		}
	}
	if (verbose && r.trace)
		fprintf(out, "%s", r.trace);
	tc_sim_free(s);
	tc_result_free(&r);
	return findings;
}

int tc_lint_run(int argc, char **argv, FILE *out)
{
	static const struct option lo[] = {{"profile", required_argument, 0, 'p'},
					   {"known", required_argument, 0, 'k'},
					   {"abstentions", required_argument, 0, 'a'},
					   {"verbose", no_argument, 0, 'v'},
					   {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *pnames[MAXP];
	const char *known = NULL, *reviewed = NULL;
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
		case 'a': reviewed = optarg; break;
		case 'h':
			fprintf(out,
				"usage: tcpconform lint [--profile NAME]... [--abstentions FILE] [-v] PATH...\n"
				"  --abstentions FILE  the reviewed list of the runs where the model abstains\n"
				"                and of the SHOULD/MAY-level differences: lint also fails when\n"
				"                one happens that FILE does not list, or FILE lists one that no\n"
				"                longer happens (tests/lint/abstentions.txt)\n"
				"  --known FILE  findings for the 'case-id profile' lines of FILE are shown\n"
				"                but do not fail (for your own suites' known gaps)\n"
				"Runs every case through the reference model alone (no target, no root)\n"
				"and reports each expectation the model contradicts, with the rule: at a\n"
				"MUST-level step a finding, at a SHOULD- or MAY-level step a difference.\n"
				"exit status: 0 no findings, 1 findings (or the reviewed list does not match),\n"
				"2 bad usage or invalid files.\n");
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
	struct rvlist listed = {0}, seen = {0};
	if (reviewed && rv_load(reviewed, &listed, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform lint: %s\n", err);
		free(listed.v);
		return 2;
	}
	struct tc_knobs all[MAXP + 8];
	char *names[MAXP + 8];
	int nall = 0;
	for (int i = 0; i < np; i++) {
		if (tc_profile_load(pnames[i], &all[nall], err, sizeof(err)) < 0) {
			fprintf(stderr, "tcpconform lint: %s\n", err);
			free(listed.v);
			return 2;
		}
		names[nall] = all[nall].name;
		nall++;
	}
	struct tc_caselist l;
	if (tc_collect(argv + optind, argc - optind, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform lint: %s\n", err);
		free(listed.v);
		return 2;
	}
	int findings = 0, runs = 0, abstained = 0, nknown = 0, ndiff = 0;
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
			int n = lint_one(cs, &use[u], out, verbose, &abstained, &ndiff, &seen);
			if (n && is_known(known, cs->id, use[u].name)) {
				fprintf(out, "    (known gap, listed in %s: not counted)\n", known);
				nknown += n;
			} else {
				findings += n;
			}
		}
	}
	int bad = reviewed ? rv_check(reviewed, &listed, &seen, out) : 0;
	fprintf(out, "lint: %d cases, %d case-profile runs, %d findings (+%d known), %d SHOULD/MAY-level "
		"differences, %d runs where the model abstained part-way", l.n, runs, findings, nknown,
		ndiff, abstained);
	if (reviewed)
		fprintf(out, "; %s: %s", reviewed,
			bad ? "does not match (see above)" : "lists every abstention and difference");
	fprintf(out, "\n");
	tc_caselist_free(&l);
	free(listed.v);
	free(seen.v);
	return findings || bad ? 1 : 0;
}

int tc_lint_main(int argc, char **argv)
{
	return tc_lint_run(argc, argv, stdout);
}
