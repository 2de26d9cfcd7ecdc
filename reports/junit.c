/*
 * junit.c - JUnit XML writer (see junit.h).
 */
#include "junit.h"

#include <stdlib.h>
#include <string.h>

#include "baseline.h"

struct counts {
	int tests, failures, errors, skipped;
	double secs;
};

static void count(const struct tc_report *rep, int i, struct counts *k)
{
	const char *v = tc_report_verdict(rep, i);
	k->tests++;
	k->secs += (double)rep->rs[i].duration_ms / 1000.0;
	if (strcmp(v, "fail") == 0)
		k->failures++;
	else if (strcmp(v, "error") == 0)
		k->errors++;
	else if (strcmp(v, "skip") == 0 || strcmp(v, "known") == 0)
		k->skipped++;
}

static void attr(FILE *out, const char *name, const char *val)
{
	fprintf(out, " %s=\"", name);
	tc_xml_text(out, val, 1);
	fputc('"', out);
}

/* The field-by-field explanation of a failing case, as the body of <failure> (or, for a warn,
 * of <system-out>): one line per failure saying who judged it and what it enforces. */
static void failure_body(FILE *out, const struct tc_report *rep, int i)
{
	const struct tc_result *r = &rep->rs[i];
	for (int j = 0; j < r->nfailures; j++) {
		const struct tc_failure *f = &r->failures[j];
		char line[2048];
		tc_failure_line(r->file, f, line, sizeof(line));
		tc_xml_text(out, line, 0);
		int bm = tc_baseline_failure_mark(rep->baseline, r, j, rep->strict);
		if (bm != TC_BLF_NONE)
			fputs(bm == TC_BLF_LISTED ? "  [in the baseline]" : "  [new: not in the baseline]",
			      out);
		fputc('\n', out);
		if (f->segment[0]) {
			fputs("  received: ", out);
			tc_xml_text(out, f->segment, 0);
			fputc('\n', out);
		}
		if (f->rule[0]) {
			fputs("  rule: ", out);
			tc_xml_text(out, f->rule, 0);
			fputc('\n', out);
		}
	}
}

static void testcase(FILE *out, const struct tc_report *rep, int i, const char *area)
{
	const struct tc_result *r = &rep->rs[i];
	const char *v = tc_report_verdict(rep, i);
	char name[200];
	snprintf(name, sizeof(name), "%s [%s]", r->id, r->family);
	fputs("    <testcase", out);
	attr(out, "name", name);
	attr(out, "classname", area);
	fprintf(out, " time=\"%.3f\"", (double)r->duration_ms / 1000.0);
	if (r->file[0])
		attr(out, "file", r->file);
	if (strcmp(v, "pass") == 0) {
		fputs("/>\n", out);
		return;
	}
	if (strcmp(v, "warn") == 0) {
		/* A passed test: a SHOULD departure does not fail the run, but CI shows it. */
		fputs(">\n      <system-out>warn: departs only from SHOULD-level requirements (passes; "
		      "--strict makes it a failure):\n", out);
		failure_body(out, rep, i);
		fputs("</system-out>\n    </testcase>\n", out);
		return;
	}
	fputs(">\n", out);
	if (strcmp(v, "fail") == 0) {
		const struct tc_failure *f0 = r->nfailures ? &r->failures[0] : NULL;
		char msg[1024];
		if (f0) {
			char line[1024];
			tc_failure_line("", f0, line, sizeof(line));
			snprintf(msg, sizeof(msg), "%s%s", line, r->nfailures > 1 ? " (and more)" : "");
		} else {
			snprintf(msg, sizeof(msg), "%s", "failed");
		}
		fputs("      <failure", out);
		attr(out, "message", msg);
		attr(out, "type", f0 && f0->field[0] ? f0->field : "fail");
		fputs(">", out);
		failure_body(out, rep, i);
		fputs("</failure>\n", out);
	} else if (strcmp(v, "error") == 0) {
		fputs("      <error", out);
		attr(out, "message", r->reason[0] ? r->reason : "error");
		attr(out, "type", "error");
		fputs(">", out);
		tc_xml_text(out, r->reason, 0);
		fputs("</error>\n", out);
	} else if (strcmp(v, "skip") == 0) {
		fputs("      <skipped", out);
		attr(out, "message", r->reason);
		fputs("/>\n", out);
	} else if (strcmp(v, "known") == 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "known deviation (baseline): %s",
			 r->nfailures ? r->failures[0].message : "failed");
		fputs("      <skipped", out);
		attr(out, "message", msg);
		fputs("/>\n", out);
	}
	if (strcmp(v, "fixed") == 0) {
		fputs("      <system-out>fixed: the baseline lists this case as a known deviation, "
		      "but it passes; update the baseline (--update-baseline).</system-out>\n", out);
	} else if ((strcmp(v, "fail") == 0 || strcmp(v, "error") == 0 || strcmp(v, "known") == 0) &&
		   r->trace && r->trace[0]) {
		fputs("      <system-out>", out);
		tc_xml_text(out, r->trace, 0);
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

void tc_junit_write(FILE *out, const struct tc_report *rep)
{
	struct counts all = {0};
	for (int i = 0; i < rep->n; i++)
		count(rep, i, &all);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	attr(out, "name", "tcpconform");
	fprintf(out, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
		all.tests, all.failures, all.errors, all.skipped, rep->seconds);
	if (rep->date)
		attr(out, "timestamp", rep->date);
	fputs(">\n", out);
	/* One suite per area, in order of first appearance (results are sorted by id, so each
	 * area's cases are together). */
	char *done = calloc((size_t)rep->n + 1, 1);
	if (!done) {
		fputs("</testsuites>\n", out);
		return;
	}
	for (int i = 0; i < rep->n; i++) {
		if (done[i])
			continue;
		char area[128], a2[128];
		tc_result_area(&rep->rs[i], area, sizeof(area));
		struct counts k = {0};
		for (int j = i; j < rep->n; j++) {
			tc_result_area(&rep->rs[j], a2, sizeof(a2));
			if (!done[j] && strcmp(area, a2) == 0)
				count(rep, j, &k);
		}
		fputs("  <testsuite", out);
		attr(out, "name", area);
		fprintf(out, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
			k.tests, k.failures, k.errors, k.skipped, k.secs);
		if (rep->date)
			attr(out, "timestamp", rep->date);
		fputs(">\n    <properties>\n", out);
		const char *props[][2] = {{"tool", "tcpconform"},
					  {"version", rep->tool_version},
					  {"target", rep->target},
					  {"profile", rep->profile}};
		for (size_t p = 0; p < sizeof(props) / sizeof(props[0]); p++) {
			if (!props[p][1])
				continue;
			fputs("      <property", out);
			attr(out, "name", props[p][0]);
			attr(out, "value", props[p][1]);
			fputs("/>\n", out);
		}
		char seed[16];
		snprintf(seed, sizeof(seed), "%u", rep->seed);
		fputs("      <property name=\"seed\"", out);
		attr(out, "value", seed);
		fputs("/>\n    </properties>\n", out);
		for (int j = i; j < rep->n; j++) {
			tc_result_area(&rep->rs[j], a2, sizeof(a2));
			if (done[j] || strcmp(area, a2) != 0)
				continue;
			done[j] = 1;
			testcase(out, rep, j, area);
		}
		fputs("  </testsuite>\n", out);
	}
	free(done);
	fputs("</testsuites>\n", out);
}
