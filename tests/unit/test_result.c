/*
 * test_result.c - results survive the worker-to-scheduler pipe byte for byte, and the JSON
 * report is well-formed and escapes whatever a segment or message held (golden file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../reports/json.h"
#include "../../reports/term.h"
#include "../../common/names.h"
#include "../../common/result.h"

static void fill(struct tc_result *r)
{
	struct tc_failure f;
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "reset.in-window");
	snprintf(r->file, sizeof(r->file), "suites/reset/in-window.yaml");
	snprintf(r->title, sizeof(r->title), "A \"quoted\" title\\with\ttabs");
	snprintf(r->family, sizeof(r->family), "ipv6");
	r->verdict = TC_V_FAIL;
	r->duration_ms = 1234;
	r->seed = 77;
	memset(&f, 0, sizeof(f));
	f.step = 3;
	f.line = 12;
	snprintf(f.judge, sizeof(f.judge), "case");
	snprintf(f.field, sizeof(f.field), "ack");
	snprintf(f.expected, sizeof(f.expected), "1");
	snprintf(f.actual, sizeof(f.actual), "2\nsecond line \x01");
	snprintf(f.message, sizeof(f.message), "ack: expected 1, got 2");
	snprintf(f.segment, sizeof(f.segment), "2001:db8::1.8080 > 2001:db8::2.40000: Flags [.]");
	tc_result_add_failure(r, &f);
	f.step = 0;
	snprintf(f.field, sizeof(f.field), "segment");
	f.level = TC_LVL_SHOULD;
	snprintf(f.req, sizeof(f.req), "SHLD-18");
	tc_result_add_failure(r, &f);
	struct tc_tevent e;
	memset(&e, 0, sizeof(e));
	e.t_us = 1500;
	e.kind = TC_TE_RECV;
	e.step = 3;
	e.status = TC_TE_MISMATCH;
	snprintf(e.text, sizeof(e.text), "S. 0:0(0) ack 2 win 64240 <mss 1460>");
	tc_result_add_event(r, &e);
	e.kind = TC_TE_STATE;
	e.t_us = 2500;
	snprintf(e.text, sizeof(e.text), "ESTABLISHED");
	snprintf(e.detail, sizeof(e.detail), "target; expected CLOSE_WAIT");
	tc_result_add_event(r, &e);
	tc_result_tracef(r, "line one\\n\n");
	tc_result_tracef(r, "%9.3f < %s\n", 1.5, "x");
}

static void test_roundtrip(void **st)
{
	(void)st;
	struct tc_result a, b;
	int p[2];
	char buf[65536];
	fill(&a);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tc_result_write(p[1], &a), 0);
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof(buf));
	close(p[0]);
	assert_true(n > 0);
	assert_int_equal(tc_result_read(buf, (size_t)n, &b), 0);
	assert_string_equal(a.id, b.id);
	assert_string_equal(a.title, b.title);
	assert_string_equal(a.family, b.family);
	assert_int_equal(a.verdict, b.verdict);
	assert_int_equal(a.duration_ms, b.duration_ms);
	assert_int_equal(a.seed, b.seed);
	assert_int_equal(b.nfailures, 2);
	assert_string_equal(a.failures[0].actual, b.failures[0].actual);
	assert_string_equal(a.failures[1].field, b.failures[1].field);
	assert_int_equal(b.failures[0].step, 3);
	assert_int_equal(b.failures[0].line, 12);
	/* The level and requirement of each failure survive the pipe (a warn depends on it). */
	assert_int_equal(b.failures[0].level, TC_LVL_MUST);
	assert_int_equal(b.failures[1].level, TC_LVL_SHOULD);
	assert_string_equal(b.failures[1].req, "SHLD-18");
	assert_int_equal(tc_result_failure_verdict(&b), TC_V_FAIL);
	b.failures[0].level = TC_LVL_SHOULD;
	assert_int_equal(tc_result_failure_verdict(&b), TC_V_WARN);
	assert_string_equal(a.trace, b.trace);
	assert_int_equal(b.nevents, 2);
	assert_int_equal(b.events[0].t_us, 1500);
	assert_int_equal(b.events[0].kind, TC_TE_RECV);
	assert_int_equal(b.events[0].step, 3);
	assert_int_equal(b.events[0].status, TC_TE_MISMATCH);
	assert_string_equal(b.events[0].text, a.events[0].text);
	assert_string_equal(b.events[1].detail, "target; expected CLOSE_WAIT");
	tc_result_free(&a);
	tc_result_free(&b);
}

static void test_truncated_record_rejected(void **st)
{
	(void)st;
	struct tc_result a, b;
	int p[2];
	char buf[65536];
	fill(&a);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tc_result_write(p[1], &a), 0);
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof(buf));
	close(p[0]);
	/* A worker that died mid-write leaves no "end" record: that must not parse as a result. */
	assert_int_equal(tc_result_read(buf, (size_t)n / 2, &b), -1);
	assert_int_equal(tc_result_read("", 0, &b), -1);
	tc_result_free(&a);
}

static char *slurp(FILE *f, size_t *len)
{
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	*len = (size_t)n;
	return s;
}

static void test_json_golden(void **st)
{
	(void)st;
	struct tc_result rs[2];
	fill(&rs[0]);
	memset(&rs[1], 0, sizeof(rs[1]));
	snprintf(rs[1].id, sizeof(rs[1].id), "handshake.passive-open");
	snprintf(rs[1].family, sizeof(rs[1].family), "ipv4");
	rs[1].verdict = TC_V_PASS;
	struct tc_json_meta m = {"0.1.0", "linux", 77, 2.5, NULL, NULL};
	FILE *f = tmpfile();
	assert_non_null(f);
	tc_json_write(f, rs, 2, &m);
	size_t len, glen;
	char *got = slurp(f, &len);
	fclose(f);
	const char *path = "tests/golden/report.json";
	FILE *g = fopen(path, "r");
	if (getenv("TC_GOLDEN_REGEN")) {
		g = fopen(path, "w");
		assert_non_null(g);
		fwrite(got, 1, len, g);
		fclose(g);
		g = fopen(path, "r");
	}
	if (!g)
		fail_msg("missing %s (run from the repository root)", path);
	char *want = slurp(g, &glen);
	fclose(g);
	assert_string_equal(got, want);
	/* Independently of the golden file: no raw control characters survive, and the
	 * names the contract promises are there. */
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)got[i] >= 0x20 || got[i] == '\n');
	assert_non_null(strstr(got, "\"verdict\": \"fail\""));
	assert_non_null(strstr(got, "\"duration_ms\": 1234"));
	assert_non_null(strstr(got, "\"field\": \"ack\", \"expected\": \"1\", \"actual\": \"2\\nsecond line \\u0001\""));
	assert_non_null(strstr(got, "\"summary\": {\"total\": 2, \"passed\": 1, \"failed\": 1"));
	assert_non_null(strstr(got, "{\"t_us\": 1500, \"kind\": \"recv\", \"step\": 3, \"status\": \"mismatch\""));
	free(got);
	free(want);
	tc_result_free(&rs[0]);
}

static void test_term_lines(void **st)
{
	(void)st;
	struct tc_result r;
	fill(&r);
	FILE *f = tmpfile();
	size_t len;
	tc_term_result(f, &r, 0);
	struct tc_counts k = {0};
	k.known = -1; /* no baseline */
	tc_counts_add(&k, &r);
	r.verdict = TC_V_SKIP;
	tc_counts_add(&k, &r);
	tc_term_summary(f, &k, 1.0);
	char *got = slurp(f, &len);
	fclose(f);
	assert_non_null(strstr(got, "FAIL  reset.in-window [ipv6] 1234ms\n"));
	/* Each failure line says who judged it, the level and the requirement (issue 9). */
	assert_non_null(strstr(got, "suites/reset/in-window.yaml:12: step 3 (case, MUST): ack: expected 1, got 2"));
	assert_non_null(strstr(got, "suites/reset/in-window.yaml: after the last step (case, SHOULD SHLD-18): ack: expected 1, got 2\n"));
	assert_non_null(strstr(got, "received: 2001:db8::1.8080 > 2001:db8::2.40000: Flags [.]"));
	/* The closing line is the one CI and people read. */
	const char *last = got + len - 1;
	while (last > got && last[-1] != '\n')
		last--;
	assert_string_equal(last, "0 passed, 1 failed, 1 skipped, 0 errors, 0 warnings\n");
	/* With a baseline, the known deviations are counted on the same line. */
	FILE *f2 = tmpfile();
	size_t len2;
	k.failed = 0;
	k.known = 1;
	tc_term_summary(f2, &k, 1.0);
	char *got2 = slurp(f2, &len2);
	fclose(f2);
	assert_non_null(strstr(got2, "0 passed, 0 failed, 1 skipped, 0 errors, 0 warnings, 1 known deviations\n"));
	free(got2);
	FILE *f3 = tmpfile();
	tc_term_result_as(f3, &r, 0, "KNOWN");
	char *got3 = slurp(f3, &len2);
	fclose(f3);
	assert_non_null(strstr(got3, "KNOWN reset.in-window [ipv6]"));
	free(got3);
	free(got);
	tc_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_truncated_record_rejected),
		cmocka_unit_test(test_json_golden),
		cmocka_unit_test(test_term_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
