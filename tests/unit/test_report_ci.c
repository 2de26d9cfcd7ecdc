/*
 * test_report_ci.c - what CI gates on: baseline semantics (new failure, known deviation, fixed,
 * errors always count; update; the file's errors with line and column), baselines that name
 * deviations rather than cases (a new failure in a listed case fails; SHOULD failures need no
 * entry; id-only entries warn and still excuse; signatures written and read back), warn and
 * --strict in the exit status, shard partitioning
 * (disjoint, complete, stable, balanced by expected duration), and the terminal's progress line
 * (live on a terminal, plain lines otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../reports/baseline.h"
#include "../../reports/progress.h"
#include "../../reports/report.h"
#include "../../reports/term.h"
#include "../../common/names.h"
#include "../../runner/case.h"
#include "../../runner/cmd/report.h"
#include "../../runner/shard.h"

static void res(struct tc_result *r, const char *id, const char *fam, int verdict)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->family, sizeof(r->family), "%s", fam);
	r->verdict = verdict;
	if (verdict == TC_V_FAIL) {
		struct tc_failure f;
		memset(&f, 0, sizeof(f));
		f.step = 3;
		snprintf(f.judge, sizeof(f.judge), "case");
		snprintf(f.field, sizeof(f.field), "ack");
		snprintf(f.message, sizeof(f.message), "%s: ack: expected 1, got 2", id);
		tc_result_add_failure(r, &f);
		tc_result_add_ref(r, "RFC9293-3.4");
	}
}

static const char baseline_doc[] =
	"# known deviations\n"
	"target: linux\n"
	"deviations:\n"
	"  - id: a.known\n"
	"    reason: \"stack answers RST\"\n"
	"    rfc: RFC9293-3.10.7.4\n"
	"  - id: a.fixed\n"
	"    family: ipv4\n"
	"    reason: was broken\n"
	"  - id: a.err\n"
	"  - id: a.notrun\n"
	"    reason: other shard\n";

static void test_baseline_semantics(void **st)
{
	(void)st;
	struct tc_baseline b;
	char err[512];
	assert_int_equal(tc_baseline_load_buf("bl.yaml", baseline_doc, strlen(baseline_doc), &b, err,
					      sizeof(err)), 0);
	assert_int_equal(b.n, 4);
	assert_string_equal(b.target, "linux");
	assert_string_equal(b.d[0].reason, "stack answers RST");
	assert_int_equal(b.d[1].line, 7);
	assert_int_equal(tc_baseline_check_target(&b, "linux", err, sizeof(err)), 0);
	assert_int_equal(tc_baseline_check_target(&b, "userstack", err, sizeof(err)), -1);
	assert_string_equal(err, "the baseline is for target 'linux', not 'userstack' (baselines are per target)");

	struct tc_result rs[7];
	res(&rs[0], "a.known", "ipv4", TC_V_FAIL);  /* known deviation (no family: both) */
	res(&rs[1], "a.known", "ipv6", TC_V_FAIL);  /* known deviation */
	res(&rs[2], "a.fixed", "ipv4", TC_V_PASS);  /* fixed */
	res(&rs[3], "a.fixed", "ipv6", TC_V_FAIL);  /* family not listed: a new failure */
	res(&rs[4], "a.new", "ipv4", TC_V_FAIL);    /* new failure */
	res(&rs[5], "a.err", "ipv4", TC_V_ERROR);   /* listed, but errors always count */
	res(&rs[6], "a.pass", "ipv4", TC_V_PASS);
	unsigned char marks[7];
	struct tc_bl_counts k;
	tc_baseline_apply(&b, rs, 7, 0, marks, &k);
	assert_int_equal(k.known, 2);
	assert_int_equal(k.fixed, 1);
	assert_int_equal(k.new_failures, 2);
	assert_int_equal(k.errors, 1);
	assert_int_equal(marks[0], TC_BL_KNOWN);
	assert_int_equal(marks[1], TC_BL_KNOWN);
	assert_int_equal(marks[2], TC_BL_FIXED);
	assert_int_equal(marks[3], TC_BL_NONE);
	assert_int_equal(marks[4], TC_BL_NONE);
	assert_int_equal(marks[5], TC_BL_NONE);
	assert_int_equal(tc_baseline_exit(&k), 1);
	struct tc_report rep = {.rs = rs, .n = 7, .marks = marks};
	assert_string_equal(tc_report_verdict(&rep, 0), "known");
	assert_string_equal(tc_report_verdict(&rep, 2), "fixed");
	assert_string_equal(tc_report_verdict(&rep, 3), "fail");

	/* Only known deviations and fixed cases: exit 0. */
	tc_baseline_apply(&b, rs, 3, 0, marks, &k);
	assert_int_equal(tc_baseline_exit(&k), 0);
	/* Only an error, even a listed one: exit 1. */
	tc_baseline_apply(&b, rs + 5, 1, 0, marks, &k);
	assert_int_equal(tc_baseline_exit(&k), 1);
	/* No baseline: every failure is new. */
	tc_baseline_apply(NULL, rs, 2, 0, marks, &k);
	assert_int_equal(k.new_failures, 2);
	assert_int_equal(tc_baseline_exit(&k), 1);

	/* --update-baseline: the fixed one goes, the new ones come, the not-run one stays, and
	 * a.fixed's still-failing ipv6 and a.new become entries. Each failing case's entry now
	 * names its failure (the id-only a.known becomes a signature, keeping its reason). */
	assert_int_equal(tc_baseline_update(&b, rs, 7, "linux", 0), 0);
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	tc_baseline_write(f, &b);
	fclose(f);
	assert_non_null(strstr(out, "  - id: \"a.known\"\n    failures:\n      - {step: 3, field: \"ack\", judge: \"case\"}\n    reason: \"stack answers RST\"\n    rfc: \"RFC9293-3.10.7.4\"\n"));
	assert_non_null(strstr(out, "  - id: \"a.fixed\"\n    family: ipv6\n    failures:\n      - {step: 3, field: \"ack\", judge: \"case\"}\n    reason: \"a.fixed: ack: expected 1, got 2\""));
	assert_null(strstr(out, "family: ipv4\n    reason: \"was broken\""));
	assert_non_null(strstr(out, "  - id: \"a.new\"\n    family: ipv4\n"));
	assert_non_null(strstr(out, "  - id: \"a.notrun\"\n"));
	assert_non_null(strstr(out, "  - id: \"a.err\"\n"));
	/* The rewritten file reads back to the same deviations. */
	struct tc_baseline b2;
	assert_int_equal(tc_baseline_load_buf("out.yaml", out, n, &b2, err, sizeof(err)), 0);
	assert_int_equal(b2.n, b.n);
	assert_int_equal(b2.n, 5);
	tc_baseline_apply(&b2, rs, 7, 0, marks, &k);
	assert_int_equal(k.new_failures, 0);
	assert_int_equal(k.fixed, 0);
	free(out);
	tc_baseline_free(&b2);
	tc_baseline_free(&b);
	for (int i = 0; i < 7; i++)
		tc_result_free(&rs[i]);
}

static void test_baseline_rejects(void **st)
{
	(void)st;
	static const struct {
		const char *doc, *want;
	} bad[] = {
		{"target: linux\ndeviations:\n  - id: a\n    famliy: ipv4\n",
		 "bl.yaml:4:5: unknown key in a deviation (known: id, family, failures, reason, rfc): 'famliy'"},
		{"deviations:\n  - id: a\n    failures:\n      - {step: 9, feild: after}\n",
		 "bl.yaml:4:19: unknown key in a failure (known: step, field, judge, req, rule): 'feild'"},
		{"deviations:\n  - id: a\n    failures:\n      - {step: 9, field: after, judge: modle}\n",
		 "bl.yaml:4:40: judge must be case, model or both: 'modle'"},
		{"deviations:\n  - id: a\n    failures:\n      - {judge: model}\n",
		 "bl.yaml:4:9: a failure needs step and field, or req, or rule"},
		{"deviations:\n  - id: a\n    failures:\n      - {step: 9}\n",
		 "bl.yaml:4:9: a failure needs step and field, or req, or rule"},
		{"deviations:\n  - id: a\n    failures:\n      - {step: nine, field: after}\n",
		 "bl.yaml:4:16: step must be a step number (0: after the last step): 'nine'"},
		{"deviations:\n  - id: a\n    failures: []\n",
		 "bl.yaml:3:15: failures must be a non-empty list (leave it out to excuse the whole case)"},
		{"deviations:\n  - id: a\n    failures:\n      - step 9\n",
		 "bl.yaml:4:9: a failure must be a mapping"},
		{"target: linux\ndeviations:\n  - id: a\n    family: ip4\n",
		 "bl.yaml:4:13: family must be ipv4 or ipv6 (or absent for both): 'ip4'"},
		{"deviations:\n  - reason: x\n", "bl.yaml:2:5: a deviation needs an id:"},
		{"deviations:\n  - id: a\n  - id: a\n    family: ipv6\n",
		 "bl.yaml:3:5: deviation listed twice (also on line 2): 'a'"},
		{"deviations: {id: a}\n", "bl.yaml:1:13: deviations must be a list"},
		{"targets: linux\n", "bl.yaml:1:1: unknown key (known: target, deviations): 'targets'"},
		{"- a\n", "bl.yaml:1:1: a baseline is a mapping"},
		{"deviations: [\n", "bl.yaml:2:1: not valid YAML"},
		{"deviations:\n  - id: [a]\n", "bl.yaml:2:9: expected a single value for: 'id'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tc_baseline b;
		char err[512] = "";
		assert_int_equal(tc_baseline_load_buf("bl.yaml", bad[i].doc, strlen(bad[i].doc), &b, err,
						      sizeof(err)), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("doc %zu: got '%s', want '%s'", i, err, bad[i].want);
	}
	/* An empty file and an empty list are empty baselines. */
	struct tc_baseline b;
	char err[256];
	assert_int_equal(tc_baseline_load_buf("e.yaml", "", 0, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(tc_baseline_load_buf("e.yaml", "deviations: []\n", 15, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	/* A missing file is an error, unless the run is about to create it. */
	assert_int_equal(tc_baseline_load("/nonexistent/bl.yaml", 0, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read baseline /nonexistent/bl.yaml"));
	assert_int_equal(tc_baseline_load("/nonexistent/bl.yaml", 1, &b, err, sizeof(err)), 0);
}

/* A failure as the judges record it. */
static void add_fail(struct tc_result *r, int step, const char *field, const char *judge,
		     int level, const char *req, const char *expected, const char *actual)
{
	struct tc_failure f;
	memset(&f, 0, sizeof(f));
	f.step = step;
	f.line = 10 + step;
	snprintf(f.field, sizeof(f.field), "%s", field);
	snprintf(f.judge, sizeof(f.judge), "%s", judge);
	f.level = level;
	snprintf(f.req, sizeof(f.req), "%s", req);
	snprintf(f.expected, sizeof(f.expected), "%s", expected);
	snprintf(f.actual, sizeof(f.actual), "%s", actual);
	snprintf(f.message, sizeof(f.message), "%s: expected %s, got %s", field, expected, actual);
	assert_int_equal(tc_result_add_failure(r, &f), 0);
	r->verdict = tc_result_failure_verdict(r);
}

static const char sig_doc[] =
	"target: linux\n"
	"deviations:\n"
	"  - id: reset.closing.rst-out-of-window.dropped\n"
	"    family: ipv4\n"
	"    failures:\n"
	"      - {step: 9, field: after, judge: model, req: RFC6298-2.4}\n"
	"    reason: \"early retransmission\"\n"
	"  - id: two.listed\n"
	"    failures:\n"
	"      - {step: 2, field: ack, judge: case}\n"
	"      - {req: MUST-13}\n"
	"  - id: legacy.case\n"
	"    reason: \"the older form\"\n";

/* The demonstration: a baseline entry for one failure of a case no longer excuses a
 * different failure of the same case (a wrong state at the last step). */
static void test_baseline_names_deviations(void **st)
{
	(void)st;
	struct tc_baseline b;
	char err[512];
	assert_int_equal(tc_baseline_load_buf("bl.yaml", sig_doc, strlen(sig_doc), &b, err,
					      sizeof(err)), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.d[0].nsigs, 1);
	assert_int_equal(b.d[0].sigs[0].step, 9);
	assert_string_equal(b.d[0].sigs[0].req, "RFC6298-2.4");
	assert_int_equal(b.d[0].sigs[0].line, 6);
	assert_int_equal(b.d[1].nsigs, 2);
	assert_int_equal(b.d[1].sigs[1].step, -1);
	assert_int_equal(b.d[2].nsigs, 0);

	struct tc_result r[2];
	unsigned char marks[2];
	struct tc_bl_counts k;
	/* Only the listed failure: a known deviation, exit 0. */
	res(&r[0], "reset.closing.rst-out-of-window.dropped", "ipv4", TC_V_PASS);
	add_fail(&r[0], 9, "after", "model", TC_LVL_MUST, "RFC6298-2.4", ">= 1000 ms", "210 ms");
	assert_int_equal(r[0].verdict, TC_V_FAIL);
	tc_baseline_apply(&b, r, 1, 0, marks, &k);
	assert_int_equal(marks[0], TC_BL_KNOWN);
	assert_int_equal(k.known, 1);
	assert_int_equal(tc_baseline_exit(&k), 0);
	assert_int_equal(tc_baseline_failure_mark(&b, &r[0], 0, 0), TC_BLF_LISTED);
	/* The listed failure plus a wrong state: not known, a new failure, exit 1, and the
	 * report can say which failure is the new one. */
	add_fail(&r[0], 12, "state", "both", TC_LVL_MUST, "", "CLOSING", "CLOSED");
	tc_baseline_apply(&b, r, 1, 0, marks, &k);
	if (marks[0] != TC_BL_NEW)
		fail_msg("a listed case with an unlisted state failure: mark expected %d (new), got %d",
			 TC_BL_NEW, marks[0]);
	assert_int_equal(k.known, 0);
	assert_int_equal(k.new_failures, 1);
	assert_int_equal(tc_baseline_exit(&k), 1);
	assert_int_equal(tc_baseline_failure_mark(&b, &r[0], 0, 0), TC_BLF_LISTED);
	assert_int_equal(tc_baseline_failure_mark(&b, &r[0], 1, 0), TC_BLF_NEW);
	/* The same failure on the other family is not listed (the entry says ipv4). */
	res(&r[1], "reset.closing.rst-out-of-window.dropped", "ipv6", TC_V_PASS);
	add_fail(&r[1], 9, "after", "model", TC_LVL_MUST, "RFC6298-2.4", ">= 1000 ms", "210 ms");
	assert_int_equal(tc_baseline_classify(&b, &r[1], 0), TC_BL_NONE);
	/* Every key a signature gives must match: another judge, step or req is not it. */
	struct tc_failure f = r[1].failures[0];
	assert_true(tc_bl_sig_matches(&b.d[0].sigs[0], &f));
	snprintf(f.judge, sizeof(f.judge), "case");
	assert_false(tc_bl_sig_matches(&b.d[0].sigs[0], &f));
	f = r[1].failures[0];
	f.step = 8;
	assert_false(tc_bl_sig_matches(&b.d[0].sigs[0], &f));
	f = r[1].failures[0];
	snprintf(f.req, sizeof(f.req), "RFC6298-2.5");
	assert_false(tc_bl_sig_matches(&b.d[0].sigs[0], &f));
	tc_result_free(&r[0]);
	tc_result_free(&r[1]);

	/* SHOULD failures need no entry: MUST listed + SHOULD unlisted is known... */
	res(&r[0], "two.listed", "ipv6", TC_V_PASS);
	add_fail(&r[0], 2, "ack", "case", TC_LVL_MUST, "", "1", "2");
	add_fail(&r[0], 5, "segment", "model", TC_LVL_SHOULD, "SHLD-18", "ACK", "none");
	assert_int_equal(tc_baseline_classify(&b, &r[0], 0), TC_BL_KNOWN);
	assert_int_equal(tc_baseline_failure_mark(&b, &r[0], 1, 0), TC_BLF_NONE);
	/* ...but under --strict every failure needs one. */
	assert_int_equal(tc_baseline_classify(&b, &r[0], 1), TC_BL_NEW);
	assert_int_equal(tc_baseline_failure_mark(&b, &r[0], 1, 1), TC_BLF_NEW);
	/* A listed failure that did not happen is reported as fixed (the req MUST-13 one). */
	tc_baseline_apply(&b, r, 1, 0, marks, &k);
	assert_int_equal(k.fixed_failures, 1);
	assert_false(tc_bl_sig_stale(&b.d[1], 0, &r[0], 0));
	assert_true(tc_bl_sig_stale(&b.d[1], 1, &r[0], 0));
	char sig[256];
	tc_bl_sig_str(&b.d[1].sigs[0], sig, sizeof(sig));
	assert_string_equal(sig, "{step: 2, field: ack, judge: case}");
	tc_result_free(&r[0]);

	/* A warn stays a warn whatever the baseline: not known, not new, exit 0; its entry is
	 * no longer needed (fixed). Under --strict it is a fail, which the entry excuses
	 * because it names that very failure; an unlisted SHOULD one would be new. */
	res(&r[0], "reset.closing.rst-out-of-window.dropped", "ipv4", TC_V_PASS);
	add_fail(&r[0], 9, "after", "model", TC_LVL_SHOULD, "RFC6298-2.4", ">= 1000 ms", "210 ms");
	assert_int_equal(r[0].verdict, TC_V_WARN);
	tc_baseline_apply(&b, r, 1, 0, marks, &k);
	assert_int_equal(marks[0], TC_BL_NONE);
	assert_int_equal(k.warnings, 1);
	assert_int_equal(k.fixed, 1);
	assert_int_equal(k.new_failures + k.errors + k.known, 0);
	assert_int_equal(tc_baseline_exit(&k), 0);
	tc_baseline_apply(&b, r, 1, 1, marks, &k);
	assert_int_equal(marks[0], TC_BL_KNOWN);
	assert_int_equal(tc_baseline_exit(&k), 0);
	add_fail(&r[0], 10, "after", "model", TC_LVL_SHOULD, "RFC6298-5.5", "2000 ms", "420 ms");
	tc_baseline_apply(&b, r, 1, 0, marks, &k);
	assert_int_equal(tc_baseline_exit(&k), 0);
	tc_baseline_apply(&b, r, 1, 1, marks, &k);
	assert_int_equal(marks[0], TC_BL_NEW);
	assert_int_equal(tc_baseline_exit(&k), 1);
	tc_result_free(&r[0]);

	/* The id-only form still excuses every failure of its case, and is warned about with
	 * file:line. */
	res(&r[0], "legacy.case", "ipv4", TC_V_PASS);
	add_fail(&r[0], 4, "flags", "case", TC_LVL_MUST, "MUST-1", "F.", "R.");
	add_fail(&r[0], 6, "state", "case", TC_LVL_MUST, "", "CLOSED", "LISTEN");
	assert_int_equal(tc_baseline_classify(&b, &r[0], 0), TC_BL_KNOWN);
	assert_int_equal(tc_baseline_failure_mark(&b, &r[0], 0, 0), TC_BLF_NONE);
	char *wbuf = NULL;
	size_t wn = 0;
	FILE *w = open_memstream(&wbuf, &wn);
	assert_int_equal(tc_baseline_warn_legacy(w, "bl.yaml", &b), 1);
	fclose(w);
	assert_non_null(strstr(wbuf, "bl.yaml:12: warning: deviation 'legacy.case' lists no "
				     "failures: it excuses every failure of the case"));
	free(wbuf);
	tc_result_free(&r[0]);
	tc_baseline_free(&b);
}

/* --update-baseline writes one signature per MUST failure (none for SHOULD ones), keeps an
 * existing entry's reason and rfc, and what it writes reads back to the same verdicts. */
static void test_baseline_update_signatures(void **st)
{
	(void)st;
	struct tc_baseline b;
	char err[512];
	assert_int_equal(tc_baseline_load_buf("bl.yaml", sig_doc, strlen(sig_doc), &b, err,
					      sizeof(err)), 0);
	struct tc_result r[5];
	/* The listed case fails now at step 9 and at step 12 (MUST), and warns at step 3. */
	res(&r[0], "reset.closing.rst-out-of-window.dropped", "ipv4", TC_V_PASS);
	add_fail(&r[0], 9, "after", "model", TC_LVL_MUST, "RFC6298-2.4", ">= 1000 ms", "210 ms");
	add_fail(&r[0], 12, "state", "both", TC_LVL_MUST, "", "CLOSING", "CLOSED");
	add_fail(&r[0], 3, "segment", "model", TC_LVL_SHOULD, "SHLD-18", "ACK", "none");
	/* A new case failing alike on both families: one entry without a family. */
	res(&r[1], "new.case", "ipv4", TC_V_PASS);
	add_fail(&r[1], 4, "flags", "case", TC_LVL_MUST, "MUST-1", "F.", "R.");
	res(&r[2], "new.case", "ipv6", TC_V_PASS);
	add_fail(&r[2], 4, "flags", "case", TC_LVL_MUST, "MUST-1", "F.", "R.");
	/* A case that only warns gets no entry; two.listed passes (dropped); legacy.case was
	 * not run (kept as it was). */
	res(&r[3], "warn.only", "ipv4", TC_V_PASS);
	add_fail(&r[3], 2, "after", "model", TC_LVL_SHOULD, "RFC6298-2.4", ">= 1000 ms", "200 ms");
	res(&r[4], "two.listed", "ipv4", TC_V_PASS);
	struct tc_result r5;
	res(&r5, "two.listed", "ipv6", TC_V_PASS);
	struct tc_result all[6] = {r[0], r[1], r[2], r[3], r[4], r5};
	assert_int_equal(tc_baseline_update(&b, all, 6, "linux", 0), 0);
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	tc_baseline_write(f, &b);
	fclose(f);
	assert_non_null(strstr(out,
		"  - id: \"reset.closing.rst-out-of-window.dropped\"\n    family: ipv4\n    failures:\n"
		"      - {step: 9, field: \"after\", judge: \"model\", req: \"RFC6298-2.4\"}\n"
		"      - {step: 12, field: \"state\", judge: \"both\"}\n"
		"    reason: \"early retransmission\"\n"));
	assert_null(strstr(out, "SHLD-18"));
	assert_null(strstr(out, "warn.only"));
	assert_null(strstr(out, "two.listed"));
	assert_non_null(strstr(out, "  - id: \"new.case\"\n    failures:\n"
				    "      - {step: 4, field: \"flags\", judge: \"case\", req: \"MUST-1\"}\n"
				    "    reason: \"flags: expected F., got R.\"\n    rfc: \"MUST-1\"\n"));
	assert_non_null(strstr(out, "  - id: \"legacy.case\"\n    reason: \"the older form\"\n"));
	/* Round trip: the file reads back, the run is all known, and writing it again gives
	 * the same bytes. */
	struct tc_baseline b2;
	assert_int_equal(tc_baseline_load_buf("out.yaml", out, n, &b2, err, sizeof(err)), 0);
	assert_int_equal(b2.n, b.n);
	unsigned char marks[6];
	struct tc_bl_counts k;
	tc_baseline_apply(&b2, all, 6, 0, marks, &k);
	assert_int_equal(k.new_failures, 0);
	assert_int_equal(k.known, 3);
	assert_int_equal(k.warnings, 1);
	char *out2 = NULL;
	size_t n2 = 0;
	f = open_memstream(&out2, &n2);
	tc_baseline_write(f, &b2);
	fclose(f);
	assert_int_equal(n, n2);
	assert_memory_equal(out, out2, n);
	/* Under --strict the SHOULD departures get signatures too. */
	assert_int_equal(tc_baseline_update(&b2, all, 6, "linux", 1), 0);
	const struct tc_deviation *d = tc_baseline_find(&b2, &r[0]);
	assert_non_null(d);
	assert_int_equal(d->nsigs, 3);
	assert_non_null(tc_baseline_find(&b2, &r[3]));
	free(out);
	free(out2);
	tc_baseline_free(&b);
	tc_baseline_free(&b2);
	for (int i = 0; i < 6; i++)
		tc_result_free(&all[i]);
}

/* The exit status of a run with a warn: 0, and 1 under --strict (tc_outputs_write decides it
 * for run and report merge alike). */
static void test_warn_exit_and_strict(void **st)
{
	(void)st;
	struct tc_result r[2];
	res(&r[0], "a.pass", "ipv4", TC_V_PASS);
	res(&r[1], "a.warn", "ipv4", TC_V_PASS);
	add_fail(&r[1], 9, "after", "model", TC_LVL_SHOULD, "RFC6298-2.4", ">= 1000 ms", "210 ms");
	assert_int_equal(r[1].verdict, TC_V_WARN);
	struct tc_outputs o;
	memset(&o, 0, sizeof(o));
	struct tc_baseline bl;
	memset(&bl, 0, sizeof(bl));
	struct tc_json_meta m = {"0.1.0", "linux", 1, 1.0, NULL, NULL};
	struct tc_bl_counts k;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int code = tc_outputs_write(&o, &bl, r, 2, &m, f, &k);
	fclose(f);
	if (code != 0)
		fail_msg("a run whose only departure is a SHOULD: exit expected 0, got %d", code);
	assert_int_equal(k.warnings, 1);
	assert_int_equal(r[1].verdict, TC_V_WARN);
	free(buf);
	o.strict = 1;
	buf = NULL;
	f = open_memstream(&buf, &n);
	code = tc_outputs_write(&o, &bl, r, 2, &m, f, &k);
	fclose(f);
	if (code != 1)
		fail_msg("the same run with --strict: exit expected 1, got %d", code);
	assert_int_equal(r[1].verdict, TC_V_FAIL);
	assert_int_equal(k.new_failures, 1);
	free(buf);
	/* The terminal's last line counts warnings and keeps the "N passed, N failed" shape. */
	r[1].verdict = TC_V_WARN;
	struct tc_counts c = {0};
	c.known = -1;
	tc_counts_add(&c, &r[0]);
	tc_counts_add(&c, &r[1]);
	buf = NULL;
	f = open_memstream(&buf, &n);
	tc_term_summary(f, &c, 1.0);
	fclose(f);
	assert_non_null(strstr(buf, "\n2 cases run in 1.0s\n1 passed, 0 failed, 0 skipped, 0 errors, "
				    "1 warnings\n"));
	free(buf);
	tc_result_free(&r[0]);
	tc_result_free(&r[1]);
}

/* Cases with chosen expected durations (a `wait` step each) for the shard tests. */
static void mk_cases(struct tc_case *c, struct tc_step *steps, int n, const int64_t *wait_us)
{
	char ids[64];
	for (int i = 0; i < n; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		memset(&steps[i], 0, sizeof(steps[i]));
		snprintf(ids, sizeof(ids), "area.case-%03d", i);
		c[i].id = strdup(ids);
		c[i].families = TC_FAM_MASK_V4 | TC_FAM_MASK_V6;
		steps[i].kind = TC_STEP_WAIT;
		steps[i].after_us = -1;
		steps[i].at_us = -1;
		steps[i].wait_us = wait_us[i];
		c[i].steps = &steps[i];
		c[i].nsteps = 1;
	}
}

static void test_shards(void **st)
{
	(void)st;
	enum { N = 40 };
	struct tc_case c[N];
	struct tc_step steps[N];
	int64_t w[N];
	int idx[N], out[N], again[N];
	/* A realistic spread: most cases quick, a few waiting out long timers. */
	for (int i = 0; i < N; i++) {
		w[i] = (i % 10 == 0) ? 30000000 : (i % 3 == 0 ? 2000000 : 100000);
		idx[i] = i;
	}
	mk_cases(c, steps, N, w);
	for (int nsh = 1; nsh <= 7; nsh++) {
		assert_int_equal(tc_shard_assign(c, idx, N, nsh, out), 0);
		int64_t load[8] = {0}, total = 0, maxw = 0;
		for (int i = 0; i < N; i++) {
			/* Complete and disjoint: every case has exactly one shard in range. */
			assert_true(out[i] >= 1 && out[i] <= nsh);
			int64_t e = tc_case_estimate_us(&c[i]);
			load[out[i]] += e;
			total += e;
			if (e > maxw)
				maxw = e;
		}
		/* Balanced by duration: no shard exceeds the ideal share by more than the
		 * longest single case (the greedy bound). */
		for (int s = 1; s <= nsh; s++)
			assert_true(load[s] <= total / nsh + maxw);
		/* Stable: the same input gives the same split, also from a shuffled order. */
		assert_int_equal(tc_shard_assign(c, idx, N, nsh, again), 0);
		assert_memory_equal(out, again, sizeof(out));
		int rev[N];
		for (int i = 0; i < N; i++)
			rev[i] = N - 1 - i;
		assert_int_equal(tc_shard_assign(c, rev, N, nsh, again), 0);
		for (int i = 0; i < N; i++)
			assert_int_equal(again[i], out[N - 1 - i]);
	}
	/* By duration, not by count: with 2 shards the four 30 s cases are split 2/2. */
	assert_int_equal(tc_shard_assign(c, idx, N, 2, out), 0);
	int longs[3] = {0};
	for (int i = 0; i < N; i += 10)
		longs[out[i]]++;
	assert_int_equal(longs[1], 2);
	assert_int_equal(longs[2], 2);
	/* The estimate counts families and what a case waits for. */
	assert_int_equal(tc_case_estimate_us(&c[1]), 2 * (150000 + 100000));
	c[1].families = TC_FAM_MASK_V4;
	assert_int_equal(tc_case_estimate_us(&c[1]), 150000 + 100000);
	for (int i = 0; i < N; i++)
		free(c[i].id);

	int k, n;
	char err[256];
	assert_int_equal(tc_shard_parse("2/4", &k, &n, err, sizeof(err)), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 4);
	static const char *const bad[] = {"0/4", "5/4", "2", "2/", "/4", "a/b", "2/4x", "1/0", "1/1001"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tc_shard_parse(bad[i], &k, &n, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "give K/N with 1 <= K <= N <= 1000"));
	}
}

static void test_progress(void **st)
{
	(void)st;
	struct tc_progress p;
	struct tc_result pass, fail;
	res(&pass, "a.pass", "ipv4", TC_V_PASS);
	res(&fail, "a.fail", "ipv6", TC_V_FAIL);
	char *buf = NULL;
	size_t n = 0;
	char line[256];

	/* Live: the line is redrawn in place, failures are printed above it, passes are not. */
	FILE *f = open_memstream(&buf, &n);
	tc_progress_init(&p, f, 1, 0, 100, 1000.0);
	tc_progress_total(&p, 4, 1000.0);
	tc_progress_result(&p, &pass, NULL, 1010.0);
	tc_progress_result(&p, &fail, "known deviation (listed in the baseline)", 1020.0);
	tc_progress_format(&p, 1020.0, line, sizeof(line));
	assert_string_equal(line, "[2/4] 1 pass  1 fail  0 error  0 skip  0 warn | 0:20 elapsed, ETA 0:20");
	tc_progress_end(&p);
	fclose(f);
	assert_non_null(strstr(buf, "\r\033[K[0/4] 0 pass"));
	assert_non_null(strstr(buf, "\r\033[KKNOWN a.fail [ipv6]"));
	assert_non_null(strstr(buf, "      known deviation (listed in the baseline)\n"));
	assert_null(strstr(buf, "PASS  a.pass"));
	/* It ends with the line erased, so the summary starts on a clean line. */
	assert_true(n >= 4 && strcmp(buf + n - 4, "\r\033[K") == 0);
	free(buf);

	/* A warn is counted on the line and printed above it, with who judged it. */
	struct tc_result warn;
	res(&warn, "a.warn", "ipv4", TC_V_PASS);
	add_fail(&warn, 9, "after", "model", TC_LVL_SHOULD, "RFC6298-2.4", ">= 1000 ms", "210 ms");
	buf = NULL;
	f = open_memstream(&buf, &n);
	tc_progress_init(&p, f, 1, 0, 100, 0.0);
	tc_progress_total(&p, 2, 0.0);
	tc_progress_result(&p, &warn, NULL, 1.0);
	tc_progress_format(&p, 1.0, line, sizeof(line));
	assert_string_equal(line, "[1/2] 0 pass  0 fail  0 error  0 skip  1 warn | 0:01 elapsed, ETA 0:01");
	tc_progress_end(&p);
	fclose(f);
	assert_non_null(strstr(buf, "\r\033[KWARN  a.warn [ipv4]"));
	assert_non_null(strstr(buf, "\n      step 9 (model, SHOULD RFC6298-2.4): after: expected >= 1000 ms, got 210 ms\n"));
	free(buf);
	tc_result_free(&warn);

	/* Plain: one line per result and not a single control character. */
	buf = NULL;
	f = open_memstream(&buf, &n);
	tc_progress_init(&p, f, 0, 0, 0, 0.0);
	tc_progress_total(&p, 2, 0.0);
	tc_progress_result(&p, &pass, NULL, 1.0);
	tc_progress_result(&p, &fail, NULL, 2.0);
	tc_progress_end(&p);
	fclose(f);
	assert_non_null(strstr(buf, "PASS  a.pass [ipv4] 0ms\n"));
	assert_non_null(strstr(buf, "FAIL  a.fail [ipv6] 0ms\n"));
	for (size_t i = 0; i < n; i++)
		assert_true(buf[i] == '\n' || (unsigned char)buf[i] >= 0x20);
	free(buf);

	/* A narrow terminal gets a cut line, never a wrapped one. */
	tc_progress_init(&p, stdout, 1, 0, 20, 0.0);
	p.total = 100;
	tc_progress_format(&p, 3725.0, line, sizeof(line));
	assert_int_equal(strlen(line), 19);
	p.width = 200;
	p.done = 50;
	tc_progress_format(&p, 3725.0, line, sizeof(line));
	assert_non_null(strstr(line, "1:02:05 elapsed, ETA 1:02:05"));
	tc_result_free(&pass);
	tc_result_free(&fail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_semantics),
		cmocka_unit_test(test_baseline_rejects),
		cmocka_unit_test(test_baseline_names_deviations),
		cmocka_unit_test(test_baseline_update_signatures),
		cmocka_unit_test(test_warn_exit_and_strict),
		cmocka_unit_test(test_shards),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
