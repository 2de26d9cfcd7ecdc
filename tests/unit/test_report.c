/*
 * test_report.c - the report writers on a fixed result set: JUnit, TAP and JSON against golden
 * files (tests/golden/report-set.*), reading JSON (including what it must reject, with the
 * line and column), loading our own result files back losslessly, the HTML report's hooks, and
 * the comparison matrix. Baselines, shards and the progress line have their own test programs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../reports/compare.h"
#include "../../reports/html.h"
#include "../../reports/json.h"
#include "../../reports/junit.h"
#include "../../reports/load.h"
#include "../../reports/report.h"
#include "../../reports/tap.h"
#include "../../reports/term.h"
#include "test_report_set.h"

static char *run_writer(tc_report_writer w, const struct tc_report *rep, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	w(f, rep);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static char *slurp_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	char tmp[4096];
	size_t r;
	while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
		fwrite(tmp, 1, r, m);
	fclose(m);
	fclose(f);
	*len = n;
	return buf;
}

/* Compares got with the golden file; TC_GOLDEN_REGEN=1 rewrites it (then review the diff). */
static void golden(const char *path, const char *got, size_t len)
{
	if (getenv("TC_GOLDEN_REGEN")) {
		FILE *g = fopen(path, "wb");
		assert_non_null(g);
		fwrite(got, 1, len, g);
		fclose(g);
	}
	size_t glen;
	char *want = slurp_path(path, &glen);
	if (!want)
		fail_msg("missing %s (run from the repository root)", path);
	if (glen != len || memcmp(want, got, len) != 0) {
		size_t i = 0;
		while (i < len && i < glen && want[i] == got[i])
			i++;
		fail_msg("%s differs at byte %zu: got '%.60s', want '%.60s'", path, i, got + i,
			 want + i);
	}
	free(want);
}

static void test_junit_golden(void **st)
{
	(void)st;
	struct set s;
	set_build(&s);
	size_t len;
	char *got = run_writer(tc_junit_write, &s.rep, &len);
	golden("tests/golden/report-set.junit.xml", got, len);
	/* Independently of the golden file: the counts CI reads, one testcase per result, the
	 * known deviation as skipped, the failure's first mismatch as message. */
	assert_non_null(strstr(got, "<testsuites name=\"tcpconform\" tests=\"7\" failures=\"1\" "
				    "errors=\"1\" skipped=\"2\""));
	int n = 0;
	for (const char *p = got; (p = strstr(p, "<testcase ")); p++)
		n++;
	assert_int_equal(n, 7);
	assert_non_null(strstr(got, "classname=\"reset\""));
	/* The message says who judged the first mismatch, its level and its requirement. */
	assert_non_null(strstr(got, "message=\"step 3 (case, MUST MUST-1): ack: expected 1, got 2&#10;second line \\x01 (and more)\" type=\"ack\""));
	assert_non_null(strstr(got, "<skipped message=\"known deviation (baseline): "));
	/* A control character and a stray byte must not make the XML ill-formed. */
	assert_null(strchr(got, '\x01'));
	assert_non_null(strstr(got, "second line \\x01"));
	assert_non_null(strstr(got, "bad \\xff byte"));
	free(got);
	set_free(&s);
}

static void test_tap_golden(void **st)
{
	(void)st;
	struct set s;
	set_build(&s);
	size_t len;
	char *got = run_writer(tc_tap_write, &s.rep, &len);
	golden("tests/golden/report-set.tap", got, len);
	assert_true(strncmp(got, "TAP version 13\n1..7\n", 20) == 0);
	assert_non_null(strstr(got, "\nnot ok 1 - "));
	assert_non_null(strstr(got, " # SKIP not for profile"));
	assert_non_null(strstr(got, " # TODO known deviation: "));
	assert_non_null(strstr(got, " # TODO fixed: "));
	assert_non_null(strstr(got, "  ---\n  message: "));
	assert_non_null(strstr(got, "      actual: \"2\\nsecond line \\x01\""));
	/* A '#' in an id would start a directive. */
	assert_non_null(strstr(got, "odd\\#id"));
	free(got);
	set_free(&s);
}

static void json_of(const struct set *s, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	assert_non_null(f);
	struct tc_json_meta m = {"0.1.0", "linux", 77, 2.5, "linux", "2024-05-01T12:00:00Z"};
	tc_json_write(f, s->rep.rs, s->rep.n, &m);
	fclose(f);
}

static void test_json_golden_and_reload(void **st)
{
	(void)st;
	struct set s;
	set_build(&s);
	char *a = NULL, *b = NULL;
	size_t alen, blen;
	json_of(&s, &a, &alen);
	golden("tests/golden/report-set.json", a, alen);
	/* What we write, we read back to the same document: merge depends on it. */
	struct tc_loaded l;
	char err[512];
	assert_int_equal(tc_load_buf("set.json", a, alen, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.target, "linux");
	assert_string_equal(l.date, "2024-05-01T12:00:00Z");
	assert_int_equal(l.seed, 77);
	assert_int_equal(l.rs[0].nrefs, 2);
	assert_string_equal(l.rs[0].refs[1], "MUST-1");
	assert_string_equal(l.rs[0].failures[0].actual, "2\nsecond line \x01");
	assert_string_equal(l.rs[0].failures[0].rule, s.rs[0].failures[0].rule);
	assert_string_equal(l.rs[0].title, "Un titre accentu\xc3\xa9 \"quoted\"");
	/* warn, level and req come back (merge and compare keep them). */
	assert_int_equal(l.rs[6].verdict, TC_V_WARN);
	assert_int_equal(l.rs[6].failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(l.rs[6].failures[0].req, "RFC6298-2.4");
	assert_string_equal(l.rs[6].failures[0].judge, "model");
	assert_int_equal(l.rs[0].failures[0].level, TC_LVL_MUST);
	assert_string_equal(l.rs[0].failures[0].req, "MUST-1");
	/* Written, read and written again, the document is the same (the only byte that cannot
	 * survive, an invalid 0xff, became U+FFFD on the first write already). */
	struct set s2 = s;
	s2.rep.rs = l.rs;
	json_of(&s2, &b, &blen);
	struct tc_loaded l2;
	assert_int_equal(tc_load_buf("b.json", b, blen, &l2, err, sizeof(err)), 0);
	char *c = NULL;
	size_t clen;
	s2.rep.rs = l2.rs;
	json_of(&s2, &c, &clen);
	assert_int_equal(blen, clen);
	assert_memory_equal(b, c, blen);
	/* And apart from that byte, the first write already equals the second. */
	assert_non_null(strstr(a, "bad \\ufffd byte"));
	assert_non_null(strstr(b, "bad \xef\xbf\xbd byte"));
	free(a);
	free(b);
	free(c);
	tc_loaded_free(&l);
	tc_loaded_free(&l2);
	set_free(&s);
}

/* Copies the text of hay from the first `from` up to the next `to` into out (fails if absent). */
static void slice(const char *hay, const char *from, const char *to, char *out, size_t cap)
{
	const char *a = strstr(hay, from);
	if (!a)
		fail_msg("'%s' not found", from);
	const char *b = strstr(a, to);
	if (!b)
		fail_msg("'%s' not found after '%s'", to, from);
	snprintf(out, cap, "%.*s", (int)(b - a), a);
}

/* A SHOULD-only failure list is a warn, and every writer says so in its own words; --strict
 * makes it a fail in each. */
static void test_warn_every_writer(void **st)
{
	(void)st;
	struct set s;
	set_build(&s);
	const struct tc_result *w = &s.rs[6];
	assert_int_equal(tc_result_failure_verdict(w), TC_V_WARN);
	assert_string_equal(tc_report_verdict(&s.rep, 6), "warn");
	char *got;
	size_t len;

	/* Terminal: its own tag, and the failure line says who judged, level and req. */
	char *t = NULL;
	FILE *f = open_memstream(&t, &len);
	tc_term_result(f, w, 0);
	fclose(f);
	assert_non_null(strstr(t, "WARN  timers.rto.initial [ipv4] 1500ms\n"));
	assert_non_null(strstr(t, "suites/timers.rto.initial.yaml:30: step 7 (model, SHOULD RFC6298-2.4): "
				  "after: expected >= 1000 ms, got 210 ms\n"));
	assert_non_null(strstr(t, "        rule: RFC 6298 2.4: the RTO SHOULD be rounded up to 1 second\n"));
	free(t);

	/* JUnit: a passed test (no <failure>) with a system-out naming the SHOULD departure. */
	got = run_writer(tc_junit_write, &s.rep, &len);
	char one[2048];
	slice(got, "<testcase name=\"timers.rto.initial [ipv4]\"", "</testcase>", one, sizeof(one));
	assert_null(strstr(one, "<failure"));
	assert_null(strstr(one, "<skipped"));
	assert_non_null(strstr(one, "<system-out>warn: departs only from SHOULD-level requirements"));
	assert_non_null(strstr(one, "step 7 (model, SHOULD RFC6298-2.4): after: expected &gt;= 1000 ms, got 210 ms"));
	free(got);

	/* TAP: ok with a "# warn" comment (not a directive) and a YAML block at severity warn. */
	got = run_writer(tc_tap_write, &s.rep, &len);
	assert_non_null(strstr(got, "\nok 7 - timers.rto.initial [ipv4] # warn model, SHOULD RFC6298-2.4: "
				    "retransmission after 210 ms, before the 1 s minimum RTO\n  ---\n"));
	assert_non_null(strstr(got, "  severity: warn\n"));
	assert_non_null(strstr(got, "      level: SHOULD\n      req: \"RFC6298-2.4\"\n"));
	free(got);

	/* JSON: verdict warn, level and req per failure, warnings counted. */
	char *j = NULL;
	json_of(&s, &j, &len);
	assert_non_null(strstr(j, "\"id\": \"timers.rto.initial\", \"family\": \"ipv4\", \"verdict\": \"warn\""));
	assert_non_null(strstr(j, "\"judge\": \"model\", \"rule\": \"RFC 6298 2.4: the RTO SHOULD be rounded up to 1 second\", "
				  "\"level\": \"SHOULD\", \"req\": \"RFC6298-2.4\""));
	assert_non_null(strstr(j, "\"warnings\": 1"));
	free(j);

	/* HTML: its own badge and filter, the failure's level, and the requirement view
	 * counting the SHOULD warning apart from MUST failures. */
	got = run_writer(tc_html_write, &s.rep, &len);
	assert_non_null(strstr(got, "data-v=\"warn\""));
	assert_non_null(strstr(got, "<span class=\"badge bg-warn\">warn</span>"));
	assert_non_null(strstr(got, "<input type=\"checkbox\" name=\"v\" value=\"warn\" checked>"));
	assert_non_null(strstr(got, ".bg-warn{background:var(--warn)}"));
	assert_non_null(strstr(got, "<tr class=\"lvl-should\">"));
	assert_non_null(strstr(got, "<td class=\"v-warn\">SHOULD</td><td>RFC6298-2.4</td>"));
	slice(got, "data-ref=\"RFC6298-2.4\"", "</tr>", one, sizeof(one));
	assert_non_null(strstr(one, "<td class=\"v-warn\">warn</td>"));
	assert_non_null(strstr(one, "<td class=\"n must z\">0</td><td class=\"n should\">1</td>"));
	/* The MUST the failing case names is a MUST failure of its requirement. */
	slice(got, "data-ref=\"MUST-1\"", "</tr>", one, sizeof(one));
	assert_non_null(strstr(one, "<td class=\"v-fail\">fail</td>"));
	assert_non_null(strstr(one, "<td class=\"n must\">1</td><td class=\"n should z\">0</td>"));
	free(got);

	/* --strict: the warn is a fail in every writer. */
	assert_int_equal(tc_report_strict(s.rs, 7), 1);
	s.rep.strict = 1;
	assert_string_equal(tc_report_verdict(&s.rep, 6), "fail");
	got = run_writer(tc_tap_write, &s.rep, &len);
	assert_non_null(strstr(got, "\nnot ok 7 - timers.rto.initial [ipv4]\n"));
	free(got);
	got = run_writer(tc_junit_write, &s.rep, &len);
	assert_non_null(strstr(got, "<failure message=\"step 7 (model, SHOULD RFC6298-2.4): after: expected &gt;= 1000 ms, got 210 ms\""));
	free(got);
	got = run_writer(tc_html_write, &s.rep, &len);
	assert_null(strstr(got, "data-v=\"warn\""));
	free(got);
	set_free(&s);
}

/* A document that is not JSON at all: jansson's reason, behind our "NAME: not valid JSON: line
 * L, column C" (columns count characters from 1; where the input ended early, the column is
 * the one after the last character, where the missing text belongs). */
static void expect_parse_error(const char *doc, const char *want)
{
	struct tc_loaded l;
	char err[512] = "";
	assert_int_equal(tc_load_buf("x.json", doc, strlen(doc), &l, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("for '%s': got error '%s', want '%s'", doc, err, want);
	if (strncmp(err, "x.json: not valid JSON: line ", 29) != 0)
		fail_msg("for '%s': got error '%s', want it to start with the file and a line", doc, err);
}

/* The reader is jansson (reports/load.c); this checks what we rely on it for: escapes and
 * surrogate pairs decoded to UTF-8, values of the wrong JSON type skipped where the format
 * allows it, and every malformed document refused with the place and the reason. */
static void test_json_reader(void **st)
{
	(void)st;
	const char *doc = "\xef\xbb\xbf{\"cases\": [{\"id\": \"a.b\", \"verdict\": \"pass\", \"duration_ms\": 2.5e3,"
			  " \"refs\": [\"MUST-1\", -2.5e3, true, false, null], \"o\": {},"
			  " \"title\": \"x\\u00e9\\ud83d\\ude00\\n\"}]}";
	struct tc_loaded l;
	char err[512];
	assert_int_equal(tc_load_buf("x.json", doc, strlen(doc), &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.rs[0].duration_ms, 2500);
	assert_int_equal(l.rs[0].nrefs, 1);
	assert_string_equal(l.rs[0].refs[0], "MUST-1");
	assert_string_equal(l.rs[0].title, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	tc_loaded_free(&l);

	expect_parse_error("", "line 1, column 1: '[' or '{' expected near end of file");
	expect_parse_error("{\"a\": 1,\n  }", "line 2, column 3: string or '}' expected");
	expect_parse_error("[1 2]", "line 1, column 4: ']' expected near '2'");
	expect_parse_error("{\"a\" 1}", "':' expected");
	expect_parse_error("[\"abc", "line 1, column 6: premature end of input");
	expect_parse_error("[\"a\tb\"]", "control character 0x9");
	expect_parse_error("[\"\\q\"]", "invalid escape");
	expect_parse_error("[\"\\u12g4\"]", "invalid escape");
	expect_parse_error("[01]", "invalid token");
	expect_parse_error("[-]", "invalid token");
	expect_parse_error("[1.]", "invalid token");
	expect_parse_error("[tru]", "invalid token");
	expect_parse_error("{} x", "line 1, column 4: end of file expected");
	/* Stricter than the reader jansson replaced: a lone surrogate, which no UTF-8 can hold,
	 * and a byte that is not UTF-8 are errors rather than U+FFFD (our writer makes neither). */
	expect_parse_error("[\"\\ud800\"]", "invalid Unicode '\\uD800'");
	expect_parse_error("[\"\xff\"]", "unable to decode byte 0xff");
	/* Columns count characters: the two-byte e-acute is one column. */
	expect_parse_error("{\"a\":\n  \"\xc3\xa9\xc3\xa9\" x}", "line 2, column 8: '}' expected");
	/* Nesting is bounded (jansson's JSON_PARSER_MAX_DEPTH, 2048), so a hostile file cannot
	 * exhaust the stack. */
	char deep[3000];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	expect_parse_error(deep, "maximum parsing depth reached");
}

static void test_load_rejects(void **st)
{
	(void)st;
	struct tc_loaded l;
	char err[512];
	static const struct {
		const char *doc, *want;
	} bad[] = {
		{"[]", "x.json: not a tcpconform result file (no \"cases\" list)"},
		{"{\"cases\": [1]}", "x.json: cases[0] is not an object"},
		{"{\"cases\": [{\"verdict\": \"pass\"}]}", "x.json: cases[0] has no \"id\""},
		{"{\"cases\": [{\"id\": \"a.b\", \"verdict\": \"maybe\"}]}",
		 "case a.b: \"verdict\" must be pass, fail, error, skip or warn"},
		{"{\"cases\": [{\"id\": \"a.b\", \"verdict\": \"warn\", \"failures\": [{\"level\": \"OUGHT\"}]}]}",
		 "case a.b: failures[0]: \"level\" must be MUST, SHOULD or MAY"},
		{"{\"cases\": [{\"id\": \"a.b\", \"verdict\": \"pass\", \"duration_ms\": \"1\"}]}",
		 "case a.b: \"duration_ms\" has the wrong type"},
		{"{\"cases\": [{\"id\": \"a.b\", \"verdict\": \"fail\", \"events\": [{\"kind\": \"zap\"}]}]}",
		 "case a.b: events[0]: unknown kind 'zap'"},
		{"{\"cases\": [", "x.json: not valid JSON: line 1, column 12"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tc_load_buf("x.json", bad[i].doc, strlen(bad[i].doc), &l, err,
					     sizeof(err)), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("doc %zu: got '%s', want '%s'", i, err, bad[i].want);
	}
	/* Unknown fields are ignored and missing optional ones are empty: newer and older
	 * writers (and a model that does not judge yet) stay readable. */
	const char *ok = "{\"cases\": [{\"id\": \"a.b\", \"verdict\": \"fail\", \"new\": {\"x\": [1]},"
			 " \"failures\": [{\"field\": \"ack\", \"rule\": \"RFC 9293 3.10.7.4\"}]}]}";
	assert_int_equal(tc_load_buf("x.json", ok, strlen(ok), &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.rs[0].nfailures, 1);
	assert_string_equal(l.rs[0].failures[0].field, "ack");
	assert_string_equal(l.rs[0].failures[0].rule, "RFC 9293 3.10.7.4");
	assert_string_equal(l.rs[0].failures[0].judge, "");
	assert_string_equal(l.rs[0].family, "");
	/* A file of an older version has no level: its failures failed the case, so MUST. */
	assert_int_equal(l.rs[0].failures[0].level, TC_LVL_MUST);
	assert_string_equal(l.rs[0].failures[0].req, "");
	tc_loaded_free(&l);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_html_hooks(void **st)
{
	(void)st;
	struct set s;
	set_build(&s);
	s.rep.pcap_href = "pcap";
	size_t len;
	char *got = run_writer(tc_html_write, &s.rep, &len);
	/* Self-contained: nothing is fetched from anywhere. */
	assert_null(strstr(got, "src=\"http"));
	assert_null(strstr(got, "href=\"http"));
	assert_null(strstr(got, "<link"));
	assert_int_equal(count(got, "<details class=\"case\""), 7);
	/* Every case that ran has a ladder; the skip has none. */
	assert_int_equal(count(got, "<svg class=\"ladder\""), 6);
	assert_non_null(strstr(got, "data-v=\"known\""));
	assert_non_null(strstr(got, "data-v=\"fixed\""));
	/* The missing segment is drawn dashed, the mismatch in red, the unexpected highlighted. */
	assert_non_null(strstr(got, "<g class=\"ev missing\""));
	assert_non_null(strstr(got, "<g class=\"ev bad\""));
	assert_non_null(strstr(got, "<g class=\"ev bad unexp\""));
	assert_non_null(strstr(got, "<g class=\"ev state bad\""));
	assert_non_null(strstr(got, ">missing: AF</text>"));
	/* The failure table names field, expected and actual; the pcap link is relative. */
	assert_non_null(strstr(got, "<td class=\"exp mono\">1</td><td class=\"act mono\">2\nsecond line \\x01</td>"));
	assert_non_null(strstr(got, "href=\"pcap/reset.in-window.ipv6.pcap\""));
	/* The model's rule explains the mismatch. */
	assert_non_null(strstr(got, "rule: RFC 9293 3.10.7.4: &lt;SEQ=SND.NXT&gt;"));
	/* Filters and coverage. */
	assert_non_null(strstr(got, "id=\"f-area\""));
	assert_non_null(strstr(got, "<option>reset</option>"));
	assert_non_null(strstr(got, "<option>rst</option>"));
	assert_non_null(strstr(got, "id=\"f-search\""));
	assert_non_null(strstr(got, "data-ref=\"RFC9293-3.10.7.4\""));
	/* Markup from a title is escaped, never interpreted. */
	assert_null(strstr(got, "<b>bold</b>"));
	assert_non_null(strstr(got, "&lt;b&gt;bold&lt;/b&gt;"));
	free(got);
	set_free(&s);
}

static void test_compare(void **st)
{
	(void)st;
	struct set s;
	set_build(&s);
	struct tc_loaded runs[2];
	memset(runs, 0, sizeof(runs));
	/* Run B: the same cases, but the first passes and one is missing. */
	runs[0].rs = (struct tc_result *)s.rep.rs;
	runs[0].n = s.rep.n;
	struct tc_result b[5];
	memcpy(b, s.rep.rs, sizeof(b));
	b[0].verdict = TC_V_PASS;
	b[0].nfailures = 0;
	runs[1].rs = b;
	runs[1].n = 5;
	const char *labels[2] = {"linux", "userstack"};
	struct tc_compare c = {runs, 2, labels};
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int ndiff = tc_compare_text(f, &c);
	fclose(f);
	assert_int_equal(ndiff, 3);
	/* Differences come first. */
	const char *first = strchr(buf, '\n') + 1;
	assert_true(strstr(first, "<- differs") < strstr(first, "\n") + 1 ||
		    strstr(first, "<- differs") != NULL);
	char line1[256];
	snprintf(line1, sizeof(line1), "%.*s", (int)(strchr(first, '\n') - first), first);
	assert_non_null(strstr(line1, "<- differs"));
	assert_non_null(strstr(buf, "7 cases, 3 differ"));
	assert_non_null(strstr(buf, "  -  "));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &n);
	tc_compare_html(f, &c);
	fclose(f);
	assert_int_equal(count(buf, "<tr class=\"diff\">"), 3);
	assert_int_equal(count(buf, "<tr class=\"same\">"), 4);
	assert_non_null(strstr(buf, "not run"));
	free(buf);
	set_free(&s);
}

static void test_relpath_and_escapes(void **st)
{
	(void)st;
	char out[512];
	assert_int_equal(tc_relpath("/a/b/report.html", "/a/b/pcap", out, sizeof(out)), 0);
	assert_string_equal(out, "pcap");
	assert_int_equal(tc_relpath("/a/b/report.html", "/a/c/pcap", out, sizeof(out)), 0);
	assert_string_equal(out, "../c/pcap");
	assert_int_equal(tc_relpath("/a/b/c/r.html", "/a/x", out, sizeof(out)), 0);
	assert_string_equal(out, "../../x");
	assert_int_equal(tc_relpath("/a/b/r.html", "/a/b", out, sizeof(out)), 0);
	assert_string_equal(out, ".");
	assert_int_equal(tc_relpath("/a/./b//r.html", "/a/b/../b/p", out, sizeof(out)), 0);
	assert_string_equal(out, "p");
	assert_int_equal(tc_relpath("/ab/r.html", "/a/p", out, sizeof(out)), 0);
	assert_string_equal(out, "../a/p");

	assert_int_equal(tc_utf8_len((const unsigned char *)"\xc3\xa9"), 2);
	assert_int_equal(tc_utf8_len((const unsigned char *)"\xc0\xaf"), 0);       /* overlong */
	assert_int_equal(tc_utf8_len((const unsigned char *)"\xed\xa0\x80"), 0);   /* surrogate */
	assert_int_equal(tc_utf8_len((const unsigned char *)"\xf4\x90\x80\x80"), 0); /* > U+10FFFF */
	assert_int_equal(tc_utf8_len((const unsigned char *)"\xe2\x82"), 0);       /* truncated */
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	tc_xml_text(f, "a<b>&\"'\x01\n\xc3\xa9\xff", 1);
	fclose(f);
	assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;&#39;\\x01&#10;\xc3\xa9\\xff");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_golden),
		cmocka_unit_test(test_tap_golden),
		cmocka_unit_test(test_json_golden_and_reload),
		cmocka_unit_test(test_warn_every_writer),
		cmocka_unit_test(test_json_reader),
		cmocka_unit_test(test_load_rejects),
		cmocka_unit_test(test_html_hooks),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_relpath_and_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
