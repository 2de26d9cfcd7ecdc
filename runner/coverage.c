/*
 * coverage.c - requirement coverage of the suites (see coverage.h).
 */
#include "coverage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *tc_req_level(const char *id, char *buf, size_t cap)
{
	size_t n = strcspn(id, "-");
	snprintf(buf, cap, "%.*s", (int)n, id);
	return buf;
}

void tc_coverage_free(struct tc_coverage *cv)
{
	for (int i = 0; i < cv->n; i++) {
		free(cv->reqs[i].sentence);
		free(cv->reqs[i].untestable);
		free(cv->reqs[i].cases);
	}
	free(cv->reqs);
	cv->reqs = NULL;
	cv->n = 0;
}

static struct tc_req *find_req(struct tc_coverage *cv, const char *id)
{
	for (int i = 0; i < cv->n; i++)
		if (strcmp(cv->reqs[i].id, id) == 0)
			return &cv->reqs[i];
	return NULL;
}

static int load_tsv(const char *path, struct tc_coverage *cv, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	int lineno = 0, rc = -1, ncap = 0;
	if (!f) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lineno == 1 || len == 0)
			continue; /* the header line */
		char *tab = strchr(line, '\t');
		if (!tab || tab - line >= (long)sizeof(cv->reqs[0].id) || tab == line) {
			snprintf(err, cap, "%s:%d:1: expected 'ID<TAB>sentence': '%.60s'", path, lineno,
				 line);
			goto out;
		}
		if (cv->n == ncap) {
			ncap = ncap ? ncap * 2 : 128;
			struct tc_req *nr = realloc(cv->reqs, (size_t)ncap * sizeof(*nr));
			if (!nr) {
				snprintf(err, cap, "out of memory");
				goto out;
			}
			cv->reqs = nr;
		}
		struct tc_req *r = &cv->reqs[cv->n];
		memset(r, 0, sizeof(*r));
		snprintf(r->id, sizeof(r->id), "%.*s", (int)(tab - line), line);
		r->sentence = strdup(tab + 1);
		if (!r->sentence) {
			snprintf(err, cap, "out of memory");
			goto out;
		}
		cv->n++;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

/* The untestable list: one YAML mapping of requirement id to reason. */
static int load_untestable(const char *path, struct tc_coverage *cv, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	yaml_parser_t p;
	yaml_document_t d;
	int rc = -1, have_doc = 0;
	if (!f) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (!yaml_parser_load(&p, &d)) {
		snprintf(err, cap, "%s:%zu:%zu: YAML syntax error: %s", path, p.problem_mark.line + 1,
			 p.problem_mark.column + 1, p.problem ? p.problem : "?");
		goto out;
	}
	have_doc = 1;
	yaml_node_t *root = yaml_document_get_root_node(&d);
	if (!root) {
		rc = 0; /* an empty file lists nothing */
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(err, cap, "%s:%zu:%zu: expected a mapping of requirement id to reason", path,
			 root->start_mark.line + 1, root->start_mark.column + 1);
		goto out;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&d, pr->key);
		yaml_node_t *v = yaml_document_get_node(&d, pr->value);
		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE ||
		    v->data.scalar.length == 0) {
			snprintf(err, cap, "%s:%zu:%zu: each entry is 'ID: reason'", path,
				 k->start_mark.line + 1, k->start_mark.column + 1);
			goto out;
		}
		const char *id = (const char *)k->data.scalar.value;
		struct tc_req *r = find_req(cv, id);
		if (!r) {
			snprintf(err, cap, "%s:%zu:%zu: not a requirement id: '%s'", path,
				 k->start_mark.line + 1, k->start_mark.column + 1, id);
			goto out;
		}
		if (r->untestable) {
			snprintf(err, cap, "%s:%zu:%zu: listed twice: '%s'", path, k->start_mark.line + 1,
				 k->start_mark.column + 1, id);
			goto out;
		}
		r->untestable = strdup((const char *)v->data.scalar.value);
		if (!r->untestable) {
			snprintf(err, cap, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (have_doc)
		yaml_document_delete(&d);
	yaml_parser_delete(&p);
	fclose(f);
	return rc;
}

int tc_coverage_build(const char *req_path, const char *untestable_path,
		      const struct tc_caselist *cases, struct tc_coverage *out, char *err,
		      size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (load_tsv(req_path, out, err, cap) < 0 ||
	    (untestable_path && load_untestable(untestable_path, out, err, cap) < 0)) {
		tc_coverage_free(out);
		return -1;
	}
	for (int c = 0; c < cases->n; c++) {
		const struct tc_case *k = &cases->cases[c];
		for (int j = 0; j < k->nrefs; j++) {
			struct tc_req *r = find_req(out, k->refs[j]);
			if (!r || (r->ncases > 0 && r->cases[r->ncases - 1] == c))
				continue;
			int *nc = realloc(r->cases, (size_t)(r->ncases + 1) * sizeof(int));
			if (!nc) {
				snprintf(err, cap, "out of memory");
				tc_coverage_free(out);
				return -1;
			}
			r->cases = nc;
			r->cases[r->ncases++] = c;
		}
	}
	return 0;
}

int tc_coverage_uncovered_musts(const struct tc_coverage *cv)
{
	int n = 0;
	for (int i = 0; i < cv->n; i++)
		if (strncmp(cv->reqs[i].id, "MUST-", 5) == 0 && cv->reqs[i].ncases == 0 &&
		    !cv->reqs[i].untestable)
			n++;
	return n;
}

int tc_coverage_contradictions(const struct tc_coverage *cv, FILE *report)
{
	int n = 0;
	for (int i = 0; i < cv->n; i++) {
		if (cv->reqs[i].ncases == 0 || !cv->reqs[i].untestable)
			continue;
		n++;
		if (report)
			fprintf(report, "tcpconform coverage: %s is listed as untestable but %d case(s) "
					"cite it: remove the entry, or the citation if the case cannot "
					"show it\n", cv->reqs[i].id, cv->reqs[i].ncases);
	}
	return n;
}

/* Markdown table cells must not contain a bar or a line break. */
static void md_cell(FILE *out, const char *s, size_t max)
{
	size_t n = 0;
	for (; *s && n < max; s++, n++)
		fputc(*s == '|' ? '/' : (*s == '\n' ? ' ' : *s), out);
	if (*s)
		fputs("...", out);
}

void tc_coverage_print(FILE *out, const struct tc_coverage *cv, const struct tc_caselist *cases,
		       int markdown)
{
	static const char *const levels[] = {"MUST", "SHLD", "MAY", "REC"};
	char lb[16];
	if (markdown) {
		fprintf(out, "# RFC 9293 requirement coverage\n\n"
			     "Generated by `tcpconform coverage --markdown suites/` (kept current by "
			     "`make test`; do not edit by hand).\nA requirement is covered when a case "
			     "cites it in `refs`; the ones that cannot be seen on the wire are listed "
			     "in `suites/requirements/untestable.yaml` with the reason.\n\n");
		fprintf(out, "| level | covered | untestable | uncovered | total |\n|---|---|---|---|---|\n");
		for (size_t l = 0; l < 4; l++) {
			int cov = 0, unt = 0, unc = 0, tot = 0;
			for (int i = 0; i < cv->n; i++) {
				if (strcmp(tc_req_level(cv->reqs[i].id, lb, sizeof(lb)), levels[l]) != 0)
					continue;
				tot++;
				if (cv->reqs[i].ncases)
					cov++;
				else if (cv->reqs[i].untestable)
					unt++;
				else
					unc++;
			}
			fprintf(out, "| %s | %d | %d | %d | %d |\n", levels[l], cov, unt, unc, tot);
		}
		fprintf(out, "\n| requirement | status | cases | sentence or reason |\n|---|---|---|---|\n");
	}
	for (int i = 0; i < cv->n; i++) {
		const struct tc_req *r = &cv->reqs[i];
		const char *status = r->ncases ? "covered" : r->untestable ? "untestable" : "UNCOVERED";
		if (markdown) {
			fprintf(out, "| %s | %s | ", r->id, status);
			for (int j = 0; j < r->ncases && j < 8; j++)
				fprintf(out, "%s`%s`", j ? ", " : "", cases->cases[r->cases[j]].id);
			if (r->ncases > 8)
				fprintf(out, " and %d more", r->ncases - 8);
			fprintf(out, " | ");
			md_cell(out, r->ncases || !r->untestable ? r->sentence : r->untestable, 160);
			fprintf(out, " |\n");
		} else {
			fprintf(out, "%-8s %-10s %3d", r->id, status, r->ncases);
			for (int j = 0; j < r->ncases && j < 4; j++)
				fprintf(out, "%s%s", j ? ", " : "  ", cases->cases[r->cases[j]].id);
			if (r->ncases > 4)
				fprintf(out, " (+%d)", r->ncases - 4);
			if (!r->ncases && r->untestable)
				fprintf(out, "  -- %s", r->untestable);
			fputc('\n', out);
		}
	}
	int musts = 0, cov = 0, unt = 0;
	for (int i = 0; i < cv->n; i++)
		if (strncmp(cv->reqs[i].id, "MUST-", 5) == 0) {
			musts++;
			cov += cv->reqs[i].ncases > 0;
			unt += !cv->reqs[i].ncases && cv->reqs[i].untestable;
		}
	fprintf(out, "%sMUST: %d of %d covered, %d untestable (with reasons), %d uncovered\n",
		markdown ? "\n" : "", cov, musts, unt, musts - cov - unt);
}
