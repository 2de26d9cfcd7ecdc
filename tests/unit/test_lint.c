/*
 * test_lint.c - `tcpconform lint` (runner/cmd/lint.c): a contradiction at a MUST-level step is
 * a finding, at a SHOULD-level step a reported difference that is not counted; the reviewed
 * list (--abstentions) fails when it is incomplete, stale or out of date with the model's
 * reason, and rejects a malformed line with file:line:column; and the simulated target takes a
 * new ISN for a new connection (RFC 9293 3.4.1, MUST-8).
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

#include "../../runner/cmd/lint.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Runs lint with the given arguments (after "lint"); returns the exit status, output in buf. */
static int lint(char *buf, size_t cap, int n, ...)
{
	char *argv[12];
	char store[12][160];
	va_list ap;
	argv[0] = "lint";
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *a = va_arg(ap, const char *);
		/* Names ending in .yaml or .txt are files in the test's directory. */
		size_t al = strlen(a);
		if ((al > 5 && strcmp(a + al - 5, ".yaml") == 0) || (al > 4 && strcmp(a + al - 4, ".txt") == 0))
			snprintf(store[i], sizeof(store[i]), "%s/%s", dir, a);
		else
			snprintf(store[i], sizeof(store[i]), "%s", a);
		argv[i + 1] = store[i];
	}
	va_end(ap);
	FILE *out = tmpfile();
	assert_non_null(out);
	int rc = tc_lint_run(n + 1, argv, out);
	rewind(out);
	size_t got = fread(buf, 1, cap - 1, out);
	buf[got] = 0;
	fclose(out);
	return rc;
}

#define OPEN \
	"steps:\n" \
	"  - app: listen\n" \
	"  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n" \
	"  - expect: {flags: SA, seq: 0, ack: 1}\n" \
	"  - send: {flags: A, seq: 1, ack: 1}\n" \
	"  - app: accept\n" \
	"  - send: {flags: PA, seq: 1, ack: 1, data: \"x\"}\n"

/* The model ACKs one byte (ack 2); the case says ack 5, at a SHOULD-level step. */
static const char *should_case = "id: t.should\ntitle: t\n" OPEN
				 "  - expect: {flags: A, seq: 1, ack: 5}\n"
				 "    req: SHLD-18\n";
/* The same contradiction at a MUST-level step (no level said: MUST). */
static const char *must_case = "id: t.must\ntitle: t\n" OPEN "  - expect: {flags: A, seq: 1, ack: 5}\n";
/* Urgent data: the model abstains there. */
static const char *abstain_case = "id: t.urgent\ntitle: t\n" OPEN
				  "  - send: {flags: UPA, seq: 2, ack: 1, urg: 1, data: \"y\"}\n";

static int setup(void **u)
{
	(void)u;
	snprintf(dir, sizeof(dir), "/tmp/tc-lint-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("should.yaml", should_case);
	put("must.yaml", must_case);
	put("urgent.yaml", abstain_case);
	return 0;
}

static int teardown(void **u)
{
	(void)u;
	const char *names[] = {"should.yaml", "must.yaml", "urgent.yaml", "list.txt"};
	char p[128];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* A SHOULD-level contradiction is printed as a difference, not counted; a MUST-level one is a
 * finding naming the field, the expectation and the model's answer. */
static void test_levels(void **u)
{
	(void)u;
	char out[16384];
	int rc = lint(out, sizeof(out), 3, "--profile", "rfc9293", "should.yaml");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "step 7: SHOULD-level difference (SHLD-18, not a finding): ack: "
				    "expected 5, the model gives 2"));
	assert_non_null(strstr(out, "0 findings (+0 known), 1 SHOULD/MAY-level differences"));
	rc = lint(out, sizeof(out), 3, "--profile", "rfc9293", "must.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "t.must [profile rfc9293] step 7: ack: expected 5, the model gives 2"));
	assert_null(strstr(out, "SHOULD-level difference"));
	assert_non_null(strstr(out, "1 findings"));
}

/* The reviewed list: complete passes; a missing, a stale or an outdated line fails, saying
 * which; a malformed line is an input error (2) with file:line:column. */
static void test_reviewed_list(void **u)
{
	(void)u;
	char out[16384];
	const char *good = "# reviewed\n"
			   "abstain t.urgent rfc9293 : urgent data is not modelled\n"
			   "differ t.should rfc9293 7 ack : the test's SHOULD\n";
	put("list.txt", good);
	int rc = lint(out, sizeof(out), 6, "--profile", "rfc9293", "--abstentions", "list.txt",
		      "should.yaml", "urgent.yaml");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "lists every abstention and difference"));

	/* The abstention not listed. */
	put("list.txt", "differ t.should rfc9293 7 ack : the test's SHOULD\n");
	rc = lint(out, sizeof(out), 6, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "should.yaml", "urgent.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "not listed: the model abstains in t.urgent [profile rfc9293]"));
	assert_non_null(strstr(out, "    abstain t.urgent rfc9293 : urgent data is not modelled\n"));

	/* The difference not listed. */
	put("list.txt", "abstain t.urgent rfc9293 : urgent data is not modelled\n");
	rc = lint(out, sizeof(out), 6, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "should.yaml", "urgent.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "not listed: a SHOULD-level difference in t.should [profile "
				    "rfc9293] step 7 ack"));

	/* A listed abstention that no longer happens (the case is not abstaining: stale). */
	put("list.txt", "abstain t.urgent rfc9293 : urgent data is not modelled\n"
			"differ t.should rfc9293 7 ack : the test's SHOULD\n"
			"abstain t.must rfc9293 : urgent data is not modelled\n");
	rc = lint(out, sizeof(out), 7, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "should.yaml", "urgent.yaml", "must.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "list.txt:3: stale: the model no longer abstains in t.must"));

	/* A listed difference at a step that no longer differs. */
	put("list.txt", "abstain t.urgent rfc9293 : urgent data is not modelled\n"
			"differ t.should rfc9293 7 ack : the test's SHOULD\n"
			"differ t.should rfc9293 6 ack : wrong step\n");
	rc = lint(out, sizeof(out), 6, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "should.yaml", "urgent.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "list.txt:3: stale: no difference any more in t.should [profile "
				    "rfc9293] step 6 ack"));

	/* The model's reason changed. */
	put("list.txt", "abstain t.urgent rfc9293 : urgent data\n"
			"differ t.should rfc9293 7 ack : the test's SHOULD\n");
	rc = lint(out, sizeof(out), 6, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "should.yaml", "urgent.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "list.txt:1: the model's reason for abstaining in t.urgent "
				    "[profile rfc9293] changed: listed 'urgent data', now 'urgent data "
				    "is not modelled'"));

	/* Malformed lines: exit 2, the message (on stderr) quoting file:line:column and the line. */
	put("list.txt", "abstain t.urgent rfc9293 urgent data is not modelled\n");
	rc = lint(out, sizeof(out), 5, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "urgent.yaml");
	assert_int_equal(rc, 2);
	put("list.txt", "differ t.should rfc9293 seven ack : x\n");
	rc = lint(out, sizeof(out), 5, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "should.yaml");
	assert_int_equal(rc, 2);
	put("list.txt", "abstain t.urgent rfc9293 : a\nabstain t.urgent rfc9293 : b\n");
	rc = lint(out, sizeof(out), 5, "--profile", "rfc9293", "--abstentions", "list.txt",
		  "urgent.yaml");
	assert_int_equal(rc, 2);
}

/* RFC 9293 3.4.1 (MUST-8): a connection on the same ports 100 ms after the first gets another
 * ISN from the simulated target, so the first connection's ACK is unacceptable and draws a RST
 * (3.10.7.4, SYN-RECEIVED). With one fixed ISN it was accepted, and lint contradicted
 * handshake.isn.differs-on-reconnect; the deliberately wrong variant (the same ISN again) must
 * now be a finding. */
static void test_sim_new_isn(void **u)
{
	(void)u;
	char out[16384];
	const char *c = "id: t.isn\ntitle: t\nsteps:\n"
			"  - app: listen\n"
			"  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"
			"  - expect: {flags: SA, seq: 0, ack: 1}\n"
			"  - send: {flags: R, seq: 1}\n"
			"  - state: LISTEN\n"
			"  - send: {flags: S, seq: 0, options: [{mss: 1460}], after: 100ms}\n"
			"  - expect: {flags: SA, ack: 1}\n"
			"  - send: {flags: A, seq: 1, ack: 1}\n"
			"  - expect: {flags: R, seq: 1}\n"
			"  - state: SYN_RECEIVED\n";
	put("should.yaml", c);
	int rc = lint(out, sizeof(out), 3, "--profile", "rfc9293", "should.yaml");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "0 findings"));
	const char *same = "id: t.isn\ntitle: t\nsteps:\n"
			   "  - app: listen\n"
			   "  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"
			   "  - expect: {flags: SA, seq: 0, ack: 1}\n"
			   "  - send: {flags: R, seq: 1}\n"
			   "  - send: {flags: S, seq: 0, options: [{mss: 1460}], after: 100ms}\n"
			   "  - expect: {flags: SA, seq: 0, ack: 1}\n";
	put("should.yaml", same);
	rc = lint(out, sizeof(out), 3, "--profile", "rfc9293", "should.yaml");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "step 6: seq: expected 0, the model gives 25000"));
	put("should.yaml", should_case);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_reviewed_list),
		cmocka_unit_test(test_sim_new_isn),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
