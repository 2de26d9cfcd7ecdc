/*
 * compare.c - the comparison matrix (see compare.h).
 */
#include "compare.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report.h"

struct row {
	const char *id, *family, *title;
	int *cell;     /* per run: index into runs[k].rs, or -1 if the run lacks the case */
	int differs;
};

/* Builds the rows: the union of (id, family) over every run, sorted differences first. */
static struct row *rows(const struct tc_compare *c, int *nrows, int **cells)
{
	int max = 0;
	for (int k = 0; k < c->nruns; k++)
		max += c->runs[k].n;
	struct row *r = calloc((size_t)max + 1, sizeof(*r));
	int *cl = calloc(((size_t)max + 1) * (size_t)(c->nruns ? c->nruns : 1), sizeof(int));
	int n = 0;
	if (!r || !cl) {
		free(r);
		free(cl);
		return NULL;
	}
	for (int k = 0; k < c->nruns; k++) {
		for (int i = 0; i < c->runs[k].n; i++) {
			const struct tc_result *x = &c->runs[k].rs[i];
			int j = 0;
			while (j < n && !(strcmp(r[j].id, x->id) == 0 && strcmp(r[j].family, x->family) == 0))
				j++;
			if (j == n) {
				r[n].id = x->id;
				r[n].family = x->family;
				r[n].title = x->title;
				r[n].cell = cl + (size_t)n * (size_t)c->nruns;
				for (int m = 0; m < c->nruns; m++)
					r[n].cell[m] = -1;
				n++;
			}
			r[j].cell[k] = i;
		}
	}
	for (int j = 0; j < n; j++) {
		int first = -2;
		for (int k = 0; k < c->nruns; k++) {
			int v = r[j].cell[k] < 0 ? -1 : c->runs[k].rs[r[j].cell[k]].verdict;
			if (first == -2)
				first = v;
			else if (v != first)
				r[j].differs = 1;
		}
	}
	*nrows = n;
	*cells = cl;
	return r;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->differs != y->differs)
		return y->differs - x->differs;
	int d = strcmp(x->id, y->id);
	return d ? d : strcmp(x->family, y->family);
}

static const char *cell_name(const struct tc_compare *c, const struct row *r, int k)
{
	return r->cell[k] < 0 ? "-" : tc_verdict_name(c->runs[k].rs[r->cell[k]].verdict);
}

int tc_compare_text(FILE *out, const struct tc_compare *c)
{
	int n = 0, *cl = NULL, ndiff = 0;
	struct row *r = rows(c, &n, &cl);
	if (!r)
		return -1;
	qsort(r, (size_t)n, sizeof(*r), cmp_row);
	int idw = 20;
	for (int j = 0; j < n; j++)
		if ((int)strlen(r[j].id) + 7 > idw)
			idw = (int)strlen(r[j].id) + 7;
	fprintf(out, "%-*s", idw, "case");
	for (int k = 0; k < c->nruns; k++)
		fprintf(out, "  %-12s", c->labels[k]);
	fputc('\n', out);
	for (int j = 0; j < n; j++) {
		char name[200];
		snprintf(name, sizeof(name), "%s [%s]", r[j].id, r[j].family);
		if (r[j].differs)
			ndiff++;
		fprintf(out, "%-*s", idw, name);
		for (int k = 0; k < c->nruns; k++)
			fprintf(out, "  %-12s", cell_name(c, &r[j], k));
		fputs(r[j].differs ? "  <- differs\n" : "\n", out);
	}
	fprintf(out, "%d cases, %d differ\n", n, ndiff);
	free(r);
	free(cl);
	return ndiff;
}

void tc_compare_html(FILE *out, const struct tc_compare *c)
{
	int n = 0, *cl = NULL, ndiff = 0;
	struct row *r = rows(c, &n, &cl);
	tc_html_head(out, "tcpconform comparison");
	fputs("<header><h1>tcpconform comparison</h1>\n<dl class=\"meta\">", out);
	for (int k = 0; k < c->nruns; k++) {
		fprintf(out, "<div><dt>run %d</dt><dd>", k + 1);
		tc_xml_text(out, c->labels[k], 0);
		fprintf(out, " (tcpconform %s", c->runs[k].version[0] ? "" : "?");
		tc_xml_text(out, c->runs[k].version, 0);
		if (c->runs[k].date[0]) {
			fputs(", ", out);
			tc_xml_text(out, c->runs[k].date, 0);
		}
		fprintf(out, ", %d results)</dd></div>", c->runs[k].n);
	}
	fputs("</dl></header>\n<main id=\"cases\">\n", out);
	if (!r) {
		fputs("<p>out of memory</p></main>", out);
		tc_html_foot(out);
		return;
	}
	qsort(r, (size_t)n, sizeof(*r), cmp_row);
	for (int j = 0; j < n; j++)
		ndiff += r[j].differs;
	fprintf(out, "<h2>%d cases, %d differ</h2>\n<p><label><input type=\"checkbox\" id=\"f-diff\"> "
		     "only differences</label></p>\n<table id=\"matrix\"><thead><tr>"
		     "<th scope=\"col\">case</th><th scope=\"col\">family</th>", n, ndiff);
	for (int k = 0; k < c->nruns; k++) {
		fputs("<th scope=\"col\">", out);
		tc_xml_text(out, c->labels[k], 0);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>\n", out);
	for (int j = 0; j < n; j++) {
		fprintf(out, "<tr class=\"%s\"><th scope=\"row\" title=\"", r[j].differs ? "diff" : "same");
		tc_xml_text(out, r[j].title, 1);
		fputs("\"><code>", out);
		tc_xml_text(out, r[j].id, 0);
		fputs("</code></th><td>", out);
		tc_xml_text(out, r[j].family, 0);
		fputs("</td>", out);
		for (int k = 0; k < c->nruns; k++) {
			const char *v = cell_name(c, &r[j], k);
			fprintf(out, "<td><span class=\"badge bg-%s\">%s</span>", v[0] == '-' ? "skip" : v,
				v[0] == '-' ? "not run" : v);
			if (r[j].cell[k] >= 0) {
				const struct tc_result *x = &c->runs[k].rs[r[j].cell[k]];
				if (x->nfailures) {
					fputs("<br><small>", out);
					tc_xml_text(out, x->failures[0].message, 0);
					fputs("</small>", out);
				} else if (x->reason[0]) {
					fputs("<br><small>", out);
					tc_xml_text(out, x->reason, 0);
					fputs("</small>", out);
				}
			}
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n</main>\n<style>tr.diff>th{border-left:4px solid var(--fail)}"
	      "#matrix small{color:var(--muted)}</style>\n<script>\n(function(){'use strict';\n"
	      "var b=document.getElementById('f-diff');\n"
	      "b.addEventListener('change',function(){Array.prototype.forEach.call("
	      "document.querySelectorAll('#matrix tr.same'),function(t){t.hidden=b.checked;});});\n"
	      "document.body.setAttribute('data-js','ok');})();\n</script>\n", out);
	tc_html_foot(out);
	free(r);
	free(cl);
}
