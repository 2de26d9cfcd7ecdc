/*
 * html.c - the HTML report (see html.h).
 *
 * Everything is rendered here, in C, into plain HTML and SVG: the page needs no script to show
 * its content (the inline script only filters), prints as it looks, and a browser lays out
 * hundreds of cases quickly because closed <details> and `content-visibility: auto` keep the
 * ladders of cases nobody opened out of layout.
 */
#include "html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/names.h"
#include "baseline.h"

#define H(s) tc_xml_text(out, (s), 0)
#define A(s) tc_xml_text(out, (s), 1)

/* warn comes after the verdicts that fail a run and before the ones that do not need looking at. */
static const char *const display_verdicts[] = {"fail", "error", "warn", "known", "fixed", "pass",
					       "skip"};
#define NDV 7

static int dv_index(const char *v)
{
	for (int i = 0; i < NDV; i++)
		if (strcmp(v, display_verdicts[i]) == 0)
			return i;
	return NDV - 1;
}

static const char *dv_label(const char *v)
{
	if (strcmp(v, "known") == 0)
		return "known deviation";
	return v;
}

static const char css[] =
	":root{--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--skip:#6e7781;--known:#9a6700;"
	"--fixed:#0969da;--warn:#bc4c00;--line:#d0d7de;--muted:#57606a}\n"
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1f2328;"
	"background:#fff}\n"
	"header,section,main{padding:0 24px;max-width:1200px;margin:0 auto}\n"
	"h1{font-size:22px;margin:18px 0 6px}h2{font-size:17px;margin:22px 0 8px}\n"
	"code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12.5px}\n"
	"dl.meta{display:flex;flex-wrap:wrap;gap:4px 22px;margin:6px 0}"
	"dl.meta div{display:flex;gap:6px}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n"
	".totals{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}\n"
	".tot{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:92px;"
	"background:#fff;font:inherit;cursor:pointer;text-align:left}\n"
	".tot b{display:block;font-size:20px}\n"
	".bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#eaeef2;"
	"margin:6px 0 2px}.bar span{display:block}\n"
	".v-pass{color:var(--pass)}.v-fail{color:var(--fail)}.v-error{color:var(--error)}"
	".v-skip{color:var(--skip)}.v-known{color:var(--known)}.v-fixed{color:var(--fixed)}"
	".v-warn{color:var(--warn)}\n"
	".bg-pass{background:var(--pass)}.bg-fail{background:var(--fail)}"
	".bg-error{background:var(--error)}.bg-skip{background:var(--skip)}"
	".bg-known{background:var(--known)}.bg-fixed{background:var(--fixed)}"
	".bg-warn{background:var(--warn)}\n"
	".badge{display:inline-block;min-width:74px;text-align:center;border-radius:4px;"
	"color:#fff;font-size:11.5px;font-weight:600;padding:1px 6px;text-transform:uppercase}\n"
	"table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid var(--line);"
	"padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.n.z{color:#afb8c1}\n"
	".cov{max-height:420px;overflow:auto;display:block}\n"
	"#filters{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);"
	"padding:10px 24px;z-index:2;display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center}\n"
	"#filters fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;flex-wrap:wrap}\n"
	"#filters legend{float:left;margin-right:6px;color:var(--muted)}\n"
	"#filters input[type=search]{min-width:260px;padding:4px 8px;font:inherit}\n"
	"#filters select,#filters button{font:inherit;padding:3px 6px}\n"
	":focus-visible{outline:3px solid #0969da;outline-offset:1px}\n"
	"details.case{border:1px solid var(--line);border-radius:6px;margin:8px 0;"
	"content-visibility:auto;contain-intrinsic-size:auto 40px}\n"
	"details.case[hidden]{display:none}\n"
	"details.case>summary{cursor:pointer;padding:6px 10px;display:flex;gap:10px;"
	"align-items:baseline;flex-wrap:wrap;list-style-position:inside}\n"
	"details.case[open]>summary{border-bottom:1px solid var(--line);background:#f6f8fa}\n"
	"summary .title{color:var(--muted)}summary .dur{margin-left:auto;color:var(--muted)}\n"
	".body{padding:8px 14px}\n"
	".facts{color:var(--muted);margin:2px 0 8px}.facts span{margin-right:14px}\n"
	".tag{display:inline-block;border:1px solid var(--line);border-radius:10px;"
	"padding:0 7px;margin-right:3px;font-size:12px;color:#1f2328}\n"
	"table.fail td.exp{color:var(--pass)}table.fail td.act{color:var(--fail);font-weight:600}\n"
	".rule{color:#0550ae;font-weight:600}\n"
	".reason{border-left:3px solid var(--error);padding:2px 10px}\n"
	"svg.ladder{display:block;max-width:100%;height:auto;margin:8px 0;"
	"font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace}\n"
	"svg.ladder .lane{stroke:#8c959f;stroke-width:2}\n"
	"svg.ladder .hdr{font:600 13px system-ui,sans-serif;fill:#1f2328}\n"
	"svg.ladder text{font-size:11.5px;fill:#1f2328}\n"
	"svg.ladder .t{fill:var(--muted);font-size:10.5px}\n"
	"svg.ladder .ok line{stroke:#1f2328}svg.ladder .ok polygon{fill:#1f2328}\n"
	"svg.ladder .sent line{stroke:#0550ae}svg.ladder .sent polygon{fill:#0550ae}"
	"svg.ladder .sent text{fill:#0550ae}\n"
	"svg.ladder .bad line{stroke:var(--fail);stroke-width:2.5}"
	"svg.ladder .bad polygon{fill:var(--fail)}svg.ladder .bad text{fill:var(--fail);"
	"font-weight:700}\n"
	"svg.ladder .missing line{stroke:var(--fail);stroke-dasharray:6 4;stroke-width:2}"
	"svg.ladder .missing polygon{fill:none;stroke:var(--fail)}"
	"svg.ladder .missing text{fill:var(--fail);font-style:italic;font-weight:700}\n"
	"svg.ladder .unexp rect.hl{fill:#ffebe9}\n"
	"svg.ladder .ign line{stroke:#afb8c1}svg.ladder .ign polygon{fill:#afb8c1}"
	"svg.ladder .ign text{fill:#8c959f}\n"
	"svg.ladder .state rect{fill:#ddf4ff;stroke:#54aeff}"
	"svg.ladder .state.bad rect{fill:#ffebe9;stroke:var(--fail)}\n"
	"svg.ladder .app rect{fill:#fff8c5;stroke:#d4a72c}"
	"svg.ladder .app.bad rect{fill:#ffebe9;stroke:var(--fail)}\n"
	"svg.ladder .note{fill:var(--muted);font-size:10.5px}\n"
	"svg.ladder .mstate{fill:#6f42c1;font-size:10px;font-style:italic}\n"
	".legend{color:var(--muted);font-size:12px}\n"
	"pre.trace{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px;font-size:12px}\n"
	"footer{color:var(--muted);padding:24px;text-align:center}\n"
	"@media print{#filters,.noprint{display:none}details.case{break-inside:avoid;"
	"content-visibility:visible}body{font-size:11px}.cov{max-height:none}"
	".badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

void tc_html_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* Nothing may load from anywhere: the policy makes that a guarantee. */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>",
	      out);
	H(title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

void tc_html_foot(FILE *out)
{
	fputs("</body>\n</html>\n", out);
}

/* ---- ladder diagram ---- */

/* Geometry of the ladder, in SVG user units (pixels at 100%). */
#define LX 190   /* injector lane */
#define RX 560   /* target lane */
#define TOP 46
#define ROW 30
#define WIDTH 860
#define SLOPE 12 /* vertical drop of an arrow: the segment travels while time passes */

/* Writes at most maxc characters (UTF-8 aware) of s, with an ellipsis when cut. */
static void clipped(FILE *out, const char *s, int maxc)
{
	char buf[600];
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	int c = 0;
	while (*p && c < maxc && o + 5 < sizeof(buf)) {
		int n = tc_utf8_len(p);
		if (n == 0)
			n = 1;
		for (int k = 0; k < n && p[k]; k++)
			buf[o++] = (char)p[k];
		p += n;
		c++;
	}
	buf[o] = '\0';
	H(buf);
	if (*p)
		fputs("\xE2\x80\xA6", out);
}

static void arrowhead(FILE *out, int x, int y, int dir)
{
	/* A filled triangle pointing along dir (+1 right, -1 left), tip at (x,y). */
	fprintf(out, "<polygon points=\"%d,%d %d,%d %d,%d\"/>", x, y, x - dir * 10, y - 5,
		x - dir * 10, y + 5);
}

static void fmt_t(char *buf, size_t cap, int64_t t_us)
{
	if (t_us < 0)
		t_us = 0;
	snprintf(buf, cap, "%lld.%03lld ms", (long long)(t_us / 1000), (long long)(t_us % 1000));
}

void tc_html_ladder(FILE *out, const struct tc_result *r, const char *target_name)
{
	int n = r->nevents;
	int h = TOP + (n ? n : 1) * ROW + 16;
	fprintf(out, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		     "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"ladder diagram of ",
		WIDTH, h, WIDTH, h);
	A(r->id);
	fputs("\">\n", out);
	fprintf(out, "<text class=\"hdr\" x=\"%d\" y=\"16\" text-anchor=\"middle\">injector</text>"
		     "<text class=\"hdr\" x=\"%d\" y=\"16\" text-anchor=\"middle\">target (",
		LX, RX);
	H(target_name ? target_name : "target");
	fprintf(out, ")</text>\n<text class=\"t\" x=\"4\" y=\"16\">time since start</text>\n"
		     "<line class=\"lane\" x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\"/>"
		     "<line class=\"lane\" x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\"/>\n",
		LX, LX, h - 6, RX, RX, h - 6);
	if (n == 0)
		fprintf(out, "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
			     "no events recorded</text>\n", (LX + RX) / 2, TOP + 10);
	const char *prev_model = "";
	for (int i = 0; i < n; i++) {
		const struct tc_tevent *e = &r->events[i];
		int y = TOP + i * ROW;
		char t[32];
		fmt_t(t, sizeof(t), e->t_us);
		fprintf(out, "<g class=\"ev");
		const char *cls = "ok";
		int seg = e->kind == TC_TE_SENT || e->kind == TC_TE_RECV || e->kind == TC_TE_MISSING;
		if (e->kind == TC_TE_MISSING)
			cls = "missing";
		else if (e->status == TC_TE_UNEXPECTED)
			cls = "bad unexp";
		else if (e->status == TC_TE_MISMATCH)
			cls = "bad";
		else if (e->status == TC_TE_IGNORED)
			cls = "ign";
		else if (e->kind == TC_TE_SENT)
			cls = "sent";
		if (e->kind == TC_TE_STATE)
			fprintf(out, " state%s", e->status == TC_TE_MISMATCH ? " bad" : "");
		else if (e->kind == TC_TE_APP_CALL || e->kind == TC_TE_APP_DONE)
			fprintf(out, " app%s", e->status == TC_TE_MISMATCH ? " bad" : "");
		else
			fprintf(out, " %s", cls);
		fprintf(out, "\" data-kind=\"%d\">", e->kind);
		/* The hover text gives everything, however long. */
		fputs("<title>", out);
		static const char *const kn[] = {"", "sent", "received", "app call", "app result",
						 "state", "missing"};
		static const char *const sn[] = {"", " (mismatch)", " (unexpected)", " (ignored)"};
		fprintf(out, "%s%s, step %d, %s: ", e->kind >= 1 && e->kind <= 6 ? kn[e->kind] : "?",
			e->status >= 0 && e->status <= 3 ? sn[e->status] : "", e->step, t);
		H(e->text);
		if (e->detail[0]) {
			fputs(" \xE2\x80\x94 ", out);
			H(e->detail);
		}
		if (e->model[0]) {
			fputs("; model: ", out);
			H(e->model);
		}
		fputs("</title>", out);
		/* The reference model's state is marked on the target's lane where it changes, so
		 * a reader sees where the model and the target parted (docs/model.md). */
		if (e->model[0] && strcmp(e->model, prev_model) != 0) {
			fprintf(out, "<text class=\"mstate\" x=\"%d\" y=\"%d\" text-anchor=\"end\">model: ",
				RX - 6, y + 15);
			clipped(out, e->model, 24);
			fputs("</text>", out);
			prev_model = e->model;
		}
		fprintf(out, "<text class=\"t\" x=\"4\" y=\"%d\">%s</text>", y + 4, t);
		if (e->step > 0)
			fprintf(out, "<text class=\"t\" x=\"96\" y=\"%d\">step %d</text>", y + 4, e->step);
		if (seg) {
			int from = e->kind == TC_TE_SENT ? LX : RX, to = e->kind == TC_TE_SENT ? RX : LX;
			int dir = to > from ? 1 : -1;
			if (e->status == TC_TE_UNEXPECTED)
				fprintf(out, "<rect class=\"hl\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
					     "rx=\"3\"/>", LX + 4, y - 16, RX - LX - 8, ROW - 2);
			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", from, y,
				to - dir * 2, y + SLOPE);
			arrowhead(out, to, y + SLOPE, dir);
			fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (LX + RX) / 2, y - 3);
			if (e->kind == TC_TE_MISSING)
				fputs("missing: ", out);
			else if (e->status == TC_TE_UNEXPECTED)
				fputs("unexpected: ", out);
			clipped(out, e->text, e->kind == TC_TE_SENT || e->kind == TC_TE_RECV ? 56 : 44);
			fputs("</text>", out);
			if (e->status == TC_TE_MISMATCH && e->kind == TC_TE_RECV)
				fprintf(out, "<text class=\"note\" x=\"%d\" y=\"%d\">\xE2\x9C\x97 mismatch</text>",
					RX + 10, y + 4);
			else if (e->kind == TC_TE_MISSING && e->detail[0]) {
				fprintf(out, "<text class=\"note\" x=\"%d\" y=\"%d\">", RX + 10, y + 4);
				clipped(out, e->detail, 36);
				fputs("</text>", out);
			}
		} else if (e->kind == TC_TE_STATE) {
			/* The state sits on the target's lane, with the model's view (or what was
			 * expected) beside it. */
			int w = 12 + 7 * (int)(strlen(e->text) > 24 ? 24 : strlen(e->text));
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"9\"/>",
				RX - w / 2, y - 9, w);
			fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", RX, y + 4);
			clipped(out, e->text, 24);
			fputs("</text>", out);
			if (e->detail[0]) {
				fprintf(out, "<text class=\"note\" x=\"%d\" y=\"%d\">", RX + w / 2 + 6, y + 4);
				clipped(out, e->detail, 40);
				fputs("</text>", out);
			}
		} else if (e->kind == TC_TE_APP_CALL || e->kind == TC_TE_APP_DONE) {
			/* App calls happen above the target's TCP: marked beside its lane. */
			int call = e->kind == TC_TE_APP_CALL;
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"3\"/>",
				RX + 8, y - 9, WIDTH - RX - 12);
			fprintf(out, "<text x=\"%d\" y=\"%d\">%s", RX + 14, y + 4,
				call ? "app \xE2\x86\x92 " : "app \xE2\x86\x90 ");
			/* A call's detail is the request ("CALL read len=100"), which already
			 * names the call; a result's detail is "ret=... errno=...". */
			const char *d = e->detail;
			if (call && strncmp(d, "CALL ", 5) == 0)
				d += 5;
			if (call && d[0]) {
				clipped(out, d, 38);
			} else {
				clipped(out, e->text, 12);
				fputs(" ", out);
				clipped(out, d, 26);
			}
			fputs("</text>", out);
			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d4a72c\"/>",
				RX, y, RX + 8, y);
		}
		fputs("</g>\n", out);
	}
	fputs("</svg>\n", out);
}

/* ---- the page ---- */

struct area {
	char name[128];
	int k[NDV];
};

struct req {
	const char *ref;
	int k[NDV];             /* verdicts of the cases citing it */
	int must, should;       /* failures naming it as their requirement: MUST-level ones in
				 * results that fail the run, and SHOULD/MAY departures */
	int must_known;         /* MUST-level ones in known deviations */
};

static int cmp_req(const void *a, const void *b)
{
	return strverscmp(((const struct req *)a)->ref, ((const struct req *)b)->ref);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void counts_row(FILE *out, const int *k)
{
	int total = 0;
	for (int i = 0; i < NDV; i++) {
		total += k[i];
		fprintf(out, "<td class=\"n%s\">%d</td>", k[i] ? "" : " z", k[i]);
	}
	fprintf(out, "<td class=\"n\">%d</td>", total);
}

static void counts_head(FILE *out, const char *first)
{
	fprintf(out, "<thead><tr><th scope=\"col\">%s</th>", first);
	for (int i = 0; i < NDV; i++)
		fprintf(out, "<th scope=\"col\" class=\"v-%s\">%s</th>", display_verdicts[i],
			dv_label(display_verdicts[i]));
	fputs("<th scope=\"col\">total</th></tr></thead>\n", out);
}

/* The coverage status of a requirement: failing if a failure names it as broken MUST or a
 * case citing it fails or errs; warn if only SHOULD departures name it or citing cases warn. */
static const char *req_status(const struct req *q)
{
	if (q->must || q->k[dv_index("fail")] || q->k[dv_index("error")])
		return "fail";
	if (q->should || q->k[dv_index("warn")])
		return "warn";
	if (q->must_known || q->k[dv_index("known")])
		return "known";
	if (q->k[dv_index("fixed")] || q->k[dv_index("pass")])
		return "pass";
	return "untested";
}

/* The index of ref in reqs[0..*nr), added at the end when new. */
static int req_slot(struct req *reqs, int *nr, const char *ref)
{
	int x = 0;
	while (x < *nr && strcmp(reqs[x].ref, ref) != 0)
		x++;
	if (x == *nr)
		reqs[(*nr)++].ref = ref;
	return x;
}

static void summary(FILE *out, const struct tc_report *rep)
{
	int k[NDV] = {0};
	for (int i = 0; i < rep->n; i++)
		k[dv_index(tc_report_verdict(rep, i))]++;
	fputs("<section id=\"summary\" aria-labelledby=\"h-summary\">\n"
	      "<h2 id=\"h-summary\">Summary</h2>\n<div class=\"totals\">", out);
	for (int i = 0; i < NDV; i++)
		fprintf(out, "<button type=\"button\" class=\"tot\" data-only=\"%s\" title=\"show only "
			     "%s\"><b class=\"v-%s\">%d</b>%s</button>",
			display_verdicts[i], dv_label(display_verdicts[i]), display_verdicts[i], k[i],
			dv_label(display_verdicts[i]));
	fprintf(out, "<div class=\"tot\"><b>%d</b>total</div></div>\n<div class=\"bar\" "
		     "aria-hidden=\"true\">", rep->n);
	for (int i = 0; i < NDV; i++)
		if (k[i] && rep->n)
			fprintf(out, "<span class=\"bg-%s\" style=\"width:%.2f%%\"></span>",
				display_verdicts[i], 100.0 * k[i] / rep->n);
	fputs("</div>\n", out);

	/* By area. */
	struct area *areas = calloc((size_t)rep->n + 1, sizeof(*areas));
	int na = 0;
	for (int i = 0; areas && i < rep->n; i++) {
		char a[128];
		tc_result_area(&rep->rs[i], a, sizeof(a));
		int j = 0;
		while (j < na && strcmp(areas[j].name, a) != 0)
			j++;
		if (j == na)
			snprintf(areas[na++].name, sizeof(areas[0].name), "%s", a);
		areas[j].k[dv_index(tc_report_verdict(rep, i))]++;
	}
	fputs("<h2>By area</h2>\n<table class=\"areas\">", out);
	counts_head(out, "area");
	fputs("<tbody>\n", out);
	for (int j = 0; j < na; j++) {
		fputs("<tr><th scope=\"row\">", out);
		H(areas[j].name);
		fputs("</th>", out);
		counts_row(out, areas[j].k);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	free(areas);

	/* By requirement: the coverage view. A row for every requirement a case cites or a
	 * failure names, with the verdicts of the cases citing it and, apart, the failures that
	 * name it: MUST failures (the case fails) and SHOULD warnings (it only warns). */
	int nref = 0;
	for (int i = 0; i < rep->n; i++)
		nref += rep->rs[i].nrefs + rep->rs[i].nfailures;
	struct req *reqs = calloc((size_t)nref + 1, sizeof(*reqs));
	int nr = 0;
	for (int i = 0; reqs && i < rep->n; i++) {
		const struct tc_result *r = &rep->rs[i];
		const char *v = tc_report_verdict(rep, i);
		for (int j = 0; j < r->nrefs && j < TC_RESULT_MAX_REFS; j++)
			reqs[req_slot(reqs, &nr, r->refs[j])].k[dv_index(v)]++;
		for (int j = 0; j < r->nfailures; j++) {
			const struct tc_failure *f = &r->failures[j];
			if (!f->req[0])
				continue;
			struct req *q = &reqs[req_slot(reqs, &nr, f->req)];
			/* Under --strict a SHOULD departure fails its case; it is still counted
			 * as the SHOULD it is. */
			if (f->level != TC_LVL_MUST)
				q->should++;
			else if (strcmp(v, "known") == 0)
				q->must_known++;
			else if (r->verdict == TC_V_FAIL)
				q->must++;
		}
	}
	if (reqs)
		qsort(reqs, (size_t)nr, sizeof(*reqs), cmp_req);
	int st[5] = {0};
	for (int x = 0; x < nr; x++) {
		const char *s = req_status(&reqs[x]);
		st[s[0] == 'f' ? 0 : s[0] == 'w' ? 1 : s[0] == 'k' ? 2 : s[0] == 'p' ? 3 : 4]++;
	}
	fprintf(out, "<h2>By requirement</h2>\n<p>%d requirements cited or broken: <span "
		     "class=\"v-pass\">%d pass</span>, <span class=\"v-fail\">%d fail</span>, <span "
		     "class=\"v-warn\">%d warn</span>, <span class=\"v-known\">%d known deviation</span>, "
		     "<span class=\"v-skip\">%d untested</span> (every case citing it was skipped). "
		     "The verdict columns count the cases citing a requirement: a case counts toward "
		     "every requirement it cites, so a failure there means a case citing it did not "
		     "pass, not necessarily that this requirement is the one broken. The last two "
		     "columns count the failures that name the requirement as the one they enforce: "
		     "<em>MUST failures</em> (the case fails; not counting known deviations) apart "
		     "from <em>SHOULD warnings</em> (departures from a SHOULD or MAY, which only "
		     "warn).</p>\n<table class=\"cov\" id=\"coverage\">",
		nr, st[3], st[0], st[1], st[2], st[4]);
	fputs("<thead><tr><th scope=\"col\">requirement</th><th scope=\"col\">status</th>", out);
	for (int i = 0; i < NDV; i++)
		fprintf(out, "<th scope=\"col\" class=\"v-%s\">%s</th>", display_verdicts[i],
			dv_label(display_verdicts[i]));
	fputs("<th scope=\"col\">total</th><th scope=\"col\" class=\"v-fail\">MUST failures</th>"
	      "<th scope=\"col\" class=\"v-warn\">SHOULD warnings</th></tr></thead><tbody>\n", out);
	for (int x = 0; x < nr; x++) {
		const char *s = req_status(&reqs[x]);
		fputs("<tr><th scope=\"row\"><a class=\"reqlink\" href=\"#\" data-ref=\"", out);
		A(reqs[x].ref);
		fputs("\">", out);
		H(reqs[x].ref);
		fprintf(out, "</a></th><td class=\"v-%s\">%s</td>",
			strcmp(s, "untested") == 0 ? "skip" : s, s);
		counts_row(out, reqs[x].k);
		fprintf(out, "<td class=\"n must%s\">%d</td><td class=\"n should%s\">%d</td></tr>\n",
			reqs[x].must ? "" : " z", reqs[x].must, reqs[x].should ? "" : " z",
			reqs[x].should);
	}
	fputs("</tbody></table>\n</section>\n", out);
	free(reqs);
}

static void filters(FILE *out, const struct tc_report *rep)
{
	fputs("<section id=\"filters\" role=\"search\" aria-label=\"filter cases\">\n"
	      "<fieldset id=\"f-verdict\"><legend>verdict</legend>", out);
	for (int i = 0; i < NDV; i++)
		fprintf(out, "<label><input type=\"checkbox\" name=\"v\" value=\"%s\" checked> "
			     "<span class=\"v-%s\">%s</span></label>",
			display_verdicts[i], display_verdicts[i], dv_label(display_verdicts[i]));
	fputs("</fieldset>\n<label>area <select id=\"f-area\"><option value=\"\">all</option>", out);
	char prev[128] = "";
	for (int i = 0; i < rep->n; i++) {
		char a[128];
		tc_result_area(&rep->rs[i], a, sizeof(a));
		int seen = strcmp(a, prev) == 0;
		for (int j = 0; j < i && !seen; j++) {
			char b[128];
			tc_result_area(&rep->rs[j], b, sizeof(b));
			seen = strcmp(a, b) == 0;
		}
		snprintf(prev, sizeof(prev), "%s", a);
		if (seen)
			continue;
		fputs("<option>", out);
		H(a);
		fputs("</option>", out);
	}
	fputs("</select></label>\n<label>tag <select id=\"f-tag\"><option value=\"\">all</option>", out);
	int ntag = 0;
	for (int i = 0; i < rep->n; i++)
		ntag += rep->rs[i].ntags;
	const char **tags = calloc((size_t)ntag + 1, sizeof(*tags));
	int nt = 0;
	for (int i = 0; tags && i < rep->n; i++)
		for (int j = 0; j < rep->rs[i].ntags && j < TC_RESULT_MAX_REFS; j++)
			tags[nt++] = rep->rs[i].tags[j];
	if (tags)
		qsort(tags, (size_t)nt, sizeof(*tags), cmp_str);
	for (int i = 0; i < nt; i++) {
		if (i && strcmp(tags[i], tags[i - 1]) == 0)
			continue;
		fputs("<option>", out);
		H(tags[i]);
		fputs("</option>", out);
	}
	free(tags);
	fputs("</select></label>\n<label>search <input type=\"search\" id=\"f-search\" "
	      "placeholder=\"id, title, RFC, field\u2026 (press /)\" aria-describedby=\"f-count\">"
	      "</label>\n<button type=\"button\" id=\"f-open\">expand all</button>"
	      "<button type=\"button\" id=\"f-close\">collapse all</button>"
	      "<button type=\"button\" id=\"f-reset\">reset</button>\n"
	      "<span id=\"f-count\" aria-live=\"polite\"></span>\n</section>\n", out);
}

/* Lower-case searchable text for a case: what a person would type to find it. */
static void search_text(FILE *out, const struct tc_result *r)
{
	char buf[4096];
	size_t o = 0;
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s %s %s %s", r->id, r->family, r->title,
			      r->file);
	for (int j = 0; j < r->nrefs && o < sizeof(buf); j++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s", r->refs[j]);
	for (int j = 0; j < r->ntags && o < sizeof(buf); j++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s", r->tags[j]);
	for (int j = 0; j < r->nfailures && o < sizeof(buf); j++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s", r->failures[j].field);
	if (o < sizeof(buf) && r->reason[0])
		snprintf(buf + o, sizeof(buf) - o, " %s", r->reason);
	for (char *p = buf; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	A(buf);
}

static void failure_table(FILE *out, const struct tc_report *rep, int i)
{
	const struct tc_result *r = &rep->rs[i];
	const struct tc_deviation *d = tc_baseline_find(rep->baseline, r);
	int blcol = d && d->nsigs > 0;
	fputs("<table class=\"fail\"><caption class=\"noprint\" style=\"text-align:left\">"
	      "What differed, field by field</caption><thead><tr><th scope=\"col\">step</th>"
	      "<th scope=\"col\">line</th><th scope=\"col\">field</th><th scope=\"col\">expected</th>"
	      "<th scope=\"col\">actual</th><th scope=\"col\">judged by</th>"
	      "<th scope=\"col\">level</th><th scope=\"col\">requirement</th>", out);
	if (blcol)
		fputs("<th scope=\"col\">baseline</th>", out);
	fputs("<th scope=\"col\">explanation</th></tr></thead><tbody>\n", out);
	for (int j = 0; j < r->nfailures; j++) {
		const struct tc_failure *f = &r->failures[j];
		fprintf(out, "<tr class=\"lvl-%s\">", f->level == TC_LVL_MUST ? "must" : "should");
		if (f->step > 0)
			fprintf(out, "<td class=\"n\">%d</td>", f->step);
		else
			fputs("<td>after last</td>", out);
		if (f->line > 0)
			fprintf(out, "<td class=\"n\">%d</td><td><code>", f->line);
		else
			fputs("<td class=\"n\">\xE2\x80\x93</td><td><code>", out);
		H(f->field);
		fputs("</code></td><td class=\"exp mono\">", out);
		H(f->expected);
		fputs("</td><td class=\"act mono\">", out);
		H(f->actual);
		fputs("</td><td>", out);
		H(f->judge[0] ? f->judge : "case");
		fprintf(out, "</td><td class=\"%s\">%s</td><td>", f->level == TC_LVL_MUST ? "v-fail" : "v-warn",
			tc_level_name(f->level));
		H(f->req[0] ? f->req : "\xE2\x80\x93");
		fputs("</td><td>", out);
		if (blcol) {
			int bm = tc_baseline_failure_mark(rep->baseline, r, j, rep->strict);
			fputs(bm == TC_BLF_LISTED ? "listed" : bm == TC_BLF_NEW
				  ? "<b class=\"v-fail\">new</b>" : "\xE2\x80\x93", out);
			fputs("</td><td>", out);
		}
		H(f->message);
		if (f->rule[0]) {
			fputs("<br><span class=\"rule\">rule: ", out);
			H(f->rule);
			fputs("</span>", out);
		}
		if (f->segment[0]) {
			fputs("<br><span class=\"mono\">received: ", out);
			H(f->segment);
			fputs("</span>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void one_case(FILE *out, const struct tc_report *rep, int i)
{
	const struct tc_result *r = &rep->rs[i];
	const char *v = tc_report_verdict(rep, i);
	char area[128];
	tc_result_area(r, area, sizeof(area));
	int open = strcmp(v, "fail") == 0 || strcmp(v, "error") == 0;
	fprintf(out, "<details class=\"case\" id=\"case-%d\" data-v=\"%s\" data-area=\"", i, v);
	A(area);
	fputs("\" data-tags=\" ", out);
	for (int j = 0; j < r->ntags; j++) {
		A(r->tags[j]);
		fputc(' ', out);
	}
	fputs("\" data-refs=\" ", out);
	for (int j = 0; j < r->nrefs; j++) {
		A(r->refs[j]);
		fputc(' ', out);
	}
	/* The requirements its failures name, so the requirement view's links find it too. */
	for (int j = 0; j < r->nfailures; j++) {
		if (!r->failures[j].req[0])
			continue;
		A(r->failures[j].req);
		fputc(' ', out);
	}
	fputs("\" data-q=\"", out);
	search_text(out, r);
	fprintf(out, "\"%s>\n<summary><span class=\"badge bg-%s\">%s</span> <code>", open ? " open" : "",
		v, dv_label(v));
	H(r->id);
	fputs("</code> <span class=\"fam\">", out);
	H(r->family);
	fputs("</span> <span class=\"title\">", out);
	H(r->title);
	fprintf(out, "</span><span class=\"dur\">%lld ms</span></summary>\n<div class=\"body\">\n"
		     "<p class=\"facts\">", (long long)r->duration_ms);
	if (r->nrefs) {
		fputs("<span>refs: ", out);
		for (int j = 0; j < r->nrefs; j++) {
			fputs(j ? ", " : "", out);
			H(r->refs[j]);
		}
		fputs("</span>", out);
	}
	if (r->ntags) {
		fputs("<span>tags: ", out);
		for (int j = 0; j < r->ntags; j++) {
			fputs("<span class=\"tag\">", out);
			H(r->tags[j]);
			fputs("</span>", out);
		}
		fputs("</span>", out);
	}
	if (r->file[0]) {
		fputs("<span>file: <code>", out);
		H(r->file);
		fputs("</code></span>", out);
	}
	if (rep->pcap_href && r->verdict != TC_V_SKIP) {
		char href[1024];
		snprintf(href, sizeof(href), "%s/%s.%s.pcap", rep->pcap_href, r->id, r->family);
		fputs("<span><a class=\"pcap\" href=\"", out);
		A(href);
		fputs("\" download>pcap</a></span>", out);
	}
	fprintf(out, "<span>seed %u</span></p>\n", r->seed);
	if (strcmp(v, "known") == 0)
		fputs("<p class=\"v-known\">A known deviation: the baseline lists this failure, so it "
		      "does not fail the run.</p>\n", out);
	if (strcmp(v, "warn") == 0)
		fputs("<p class=\"v-warn\">A warning: the target departs only from SHOULD-level "
		      "requirements (listed below), so the case does not fail the run; "
		      "<code>--strict</code> makes it a failure.</p>\n", out);
	if (rep->marks && rep->marks[i] == TC_BL_NEW)
		fputs("<p class=\"v-fail\">The baseline lists this case, but not every failure below: "
		      "the ones marked <b>new</b> fail the run.</p>\n", out);
	if (strcmp(v, "fixed") == 0)
		fputs("<p class=\"v-fixed\">Fixed: the baseline lists this case as a deviation, but it "
		      "passes now. Update the baseline (<code>--update-baseline</code>).</p>\n", out);
	if (r->reason[0]) {
		fputs("<p class=\"reason\">", out);
		H(r->reason);
		fputs("</p>\n", out);
	}
	if (r->nfailures)
		failure_table(out, rep, i);
	if (r->verdict != TC_V_SKIP)
		tc_html_ladder(out, r, rep->target);
	if (r->verdict != TC_V_PASS && r->verdict != TC_V_SKIP && r->trace && r->trace[0]) {
		fputs("<details class=\"tr\"><summary>trace</summary><pre class=\"trace\">", out);
		H(r->trace);
		fputs("</pre></details>\n", out);
	}
	fputs("</div>\n</details>\n", out);
}

static const char script[] =
	"(function(){\n"
	"'use strict';\n"
	"var cases=Array.prototype.slice.call(document.querySelectorAll('details.case'));\n"
	"var boxes=Array.prototype.slice.call(document.querySelectorAll('#f-verdict input'));\n"
	"var area=document.getElementById('f-area'),tag=document.getElementById('f-tag');\n"
	"var q=document.getElementById('f-search'),count=document.getElementById('f-count');\n"
	"var ref='';\n"
	"function apply(){\n"
	" var vs={};boxes.forEach(function(b){if(b.checked)vs[b.value]=1;});\n"
	" var a=area.value,t=tag.value,s=q.value.trim().toLowerCase(),n=0;\n"
	" cases.forEach(function(c){\n"
	"  var ok=vs[c.dataset.v]&&(!a||c.dataset.area===a)&&\n"
	"   (!t||c.dataset.tags.indexOf(' '+t+' ')>=0)&&\n"
	"   (!ref||c.dataset.refs.indexOf(' '+ref+' ')>=0)&&\n"
	"   (!s||s.split(/\\s+/).every(function(w){return c.dataset.q.indexOf(w)>=0;}));\n"
	"  c.hidden=!ok;if(ok)n++;});\n"
	" count.textContent=n+' of '+cases.length+' shown'+(ref?' (requirement '+ref+')':'');\n"
	"}\n"
	"boxes.forEach(function(b){b.addEventListener('change',apply);});\n"
	"area.addEventListener('change',apply);tag.addEventListener('change',apply);\n"
	"q.addEventListener('input',apply);\n"
	"Array.prototype.forEach.call(document.querySelectorAll('.tot[data-only]'),function(b){\n"
	" b.addEventListener('click',function(){var v=b.dataset.only;\n"
	"  boxes.forEach(function(x){x.checked=(x.value===v);});apply();\n"
	"  document.getElementById('cases').scrollIntoView();});});\n"
	"Array.prototype.forEach.call(document.querySelectorAll('a.reqlink'),function(l){\n"
	" l.addEventListener('click',function(e){e.preventDefault();ref=l.dataset.ref;apply();\n"
	"  document.getElementById('cases').scrollIntoView();});});\n"
	"function all(open){cases.forEach(function(c){if(!c.hidden)c.open=open;});}\n"
	"document.getElementById('f-open').addEventListener('click',function(){all(true);});\n"
	"document.getElementById('f-close').addEventListener('click',function(){all(false);});\n"
	"document.getElementById('f-reset').addEventListener('click',function(){\n"
	" boxes.forEach(function(b){b.checked=true;});area.value='';tag.value='';q.value='';\n"
	" ref='';apply();});\n"
	"/* Keyboard: / focuses the search, j and k move between visible cases. */\n"
	"document.addEventListener('keydown',function(e){\n"
	" var el=document.activeElement,typing=el&&(el.tagName==='INPUT'||el.tagName==='SELECT');\n"
	" if(e.key==='/'&&!typing){e.preventDefault();q.focus();return;}\n"
	" if(e.key==='Escape'&&el===q){q.blur();return;}\n"
	" if(typing||e.ctrlKey||e.metaKey||e.altKey)return;\n"
	" if(e.key==='j'||e.key==='k'){\n"
	"  var vis=cases.filter(function(c){return !c.hidden;});if(!vis.length)return;\n"
	"  var cur=el&&el.closest?el.closest('details.case'):null,i=vis.indexOf(cur);\n"
	"  i=e.key==='j'?Math.min(i+1,vis.length-1):Math.max(i-1,0);\n"
	"  var s=vis[i].querySelector('summary');s.focus();s.scrollIntoView({block:'nearest'});\n"
	"  e.preventDefault();}\n"
	"});\n"
	"/* Printing shows every case that passes the filters, opened. */\n"
	"var was=[];\n"
	"window.addEventListener('beforeprint',function(){was=cases.map(function(c){return c.open;});\n"
	" cases.forEach(function(c){c.open=true;});});\n"
	"window.addEventListener('afterprint',function(){cases.forEach(function(c,i){c.open=was[i];});});\n"
	"/* A link may carry a search: report.html#search=wrong-ack */\n"
	"var m=/^#search=(.*)$/.exec(location.hash);\n"
	"if(m){q.value=decodeURIComponent(m[1]);}\n"
	"apply();\n"
	"document.body.setAttribute('data-js','ok');\n"
	"})();\n";

void tc_html_write(FILE *out, const struct tc_report *rep)
{
	char title[256];
	snprintf(title, sizeof(title), "%s%s%s", rep->title ? rep->title : "tcpconform report",
		 rep->target ? ": " : "", rep->target ? rep->target : "");
	tc_html_head(out, title);
	fputs("<header>\n<h1>", out);
	H(title);
	fputs("</h1>\n<dl class=\"meta\">", out);
	const char *facts[][2] = {{"target", rep->target},
				  {"profile", rep->profile},
				  {"tool", rep->tool_version},
				  {"date", rep->date}};
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		if (!facts[i][1])
			continue;
		fprintf(out, "<div><dt>%s</dt><dd>", facts[i][0]);
		if (i == 2)
			fputs("tcpconform ", out);
		H(facts[i][1]);
		fputs("</dd></div>", out);
	}
	fprintf(out, "<div><dt>duration</dt><dd>%.1f s</dd></div><div><dt>seed</dt><dd>%u</dd></div>"
		     "<div><dt>cases</dt><dd>%d</dd></div></dl>\n</header>\n",
		rep->seconds, rep->seed, rep->n);
	summary(out, rep);
	filters(out, rep);
	fputs("<main id=\"cases\" aria-label=\"cases\">\n<h2>Cases</h2>\n"
	      "<p class=\"legend\">Ladder diagrams: time flows down; blue arrows are segments the "
	      "injector sent, black ones the target's; <span class=\"v-fail\">red</span> marks a "
	      "mismatch or an unexpected segment, a dashed red arrow a segment that was expected but "
	      "never came. Rounded boxes on the target's lane are its TCP state; yellow boxes are app "
	      "calls. Hover for the full text. Keys: / search, j/k next/previous case, "
	      "Enter opens.</p>\n", out);
	/* Failures first, so the page opens on what needs attention. */
	for (int o = 0; o < NDV; o++)
		for (int i = 0; i < rep->n; i++)
			if (strcmp(tc_report_verdict(rep, i), display_verdicts[o]) == 0)
				one_case(out, rep, i);
	fputs("</main>\n<footer>made by tcpconform", out);
	if (rep->tool_version) {
		fputc(' ', out);
		H(rep->tool_version);
	}
	fprintf(out, "</footer>\n<script>\n%s</script>\n", script);
	tc_html_foot(out);
}
