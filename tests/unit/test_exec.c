/*
 * test_exec.c - the executor's logic on an in-memory backend (runner/io.h): segment matching,
 * unexpected segments, ignore lists, expect_none, app-call results and deadlines, state retries,
 * timing checks, and that every checker names the field, the expected and the actual value.
 *
 * The fake target is a tiny scripted peer with a virtual clock: it answers a SYN with a SYN-ACK,
 * data with an ACK, and agent requests from a table, so each test controls exactly what comes
 * back and when. No network and no root are involved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/names.h"
#include "../../common/seg.h"
#include "../../runner/case.h"
#include "../../runner/exec.h"
#include "fake_io.h"

#define TISN 1000u /* the fake target's ISN */

struct fake {
	struct fio q;             /* clock and event queue (fake_io.h): must come first */
	/* behaviour knobs */
	int synack_delay_us;      /* answer a SYN after this long; -1: never */
	int extra_ack_after_synack; /* also send a bare ACK after the SYN-ACK */
	uint32_t synack_ack_bump; /* added to the SYN-ACK's ack (to produce wrong answers) */
	int synack_bad_option;    /* the SYN-ACK carries an MSS option with a wrong length */
	int synack_ts;            /* the SYN-ACK carries MSS and timestamps */
	uint8_t data_flags;       /* the flags of the data segment a write produces (0: none) */
	const char *state;        /* answer to STATE */
	int block_accept;         /* accept never completes */
	const char *read_reply;   /* DONE fields for read */
	int agent_dies;           /* agent EOF after CONFIG */
	int sent;                 /* segments injected */
	struct tc_seg last_sent;
};

static int f_send(void *ctx, const struct tc_seg *s, int64_t *ts, char *err, size_t cap)
{
	struct fake *f = ctx;
	(void)err;
	(void)cap;
	f->sent++;
	f->last_sent = *s;
	f->q.peer_port = s->sport;
	*ts = f->q.now;
	if ((s->flags & TC_F_SYN) && f->synack_delay_us >= 0) {
		struct tc_seg *sa = fio_push_seg(&f->q, f->q.now + f->synack_delay_us,
						 TC_F_SYN | TC_F_ACK, TISN,
						 s->seq + 1 + f->synack_ack_bump, 0);
		if (f->synack_bad_option) {
			/* MSS with length 3: what the decoder marks malformed. */
			static const uint8_t bad[] = {2, 3, 5, 0};
			fio_set_opts(sa, bad, sizeof(bad));
		} else if (f->synack_ts) {
			static const uint8_t mss_ts[] = {2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 1};
			fio_set_opts(sa, mss_ts, sizeof(mss_ts));
		}
		if (f->extra_ack_after_synack)
			fio_push_seg(&f->q, f->q.now + f->synack_delay_us + 1, TC_F_ACK, TISN + 1,
				     s->seq + 1, 0);
	} else if (s->payload_len > 0) {
		fio_push_seg(&f->q, f->q.now + 100, TC_F_ACK, TISN + 1,
			     s->seq + (uint32_t)s->payload_len, 0);
	}
	return 0;
}

static int f_agent(void *ctx, const char *line, char *err, size_t cap)
{
	struct fake *f = ctx;
	int tag;
	char verb[32], call[32] = "";
	int64_t at = f->q.now + 10;
	(void)err;
	(void)cap;
	if (sscanf(line, "%d %31s %31s", &tag, verb, call) < 2)
		return -1;
	if (strcmp(verb, "CONFIG") == 0) {
		if (f->agent_dies)
			fio_push(&f->q, at, TC_EV_AGENT_EOF);
		else
			fio_push_line(&f->q, at, "%d OK", tag);
	} else if (strcmp(verb, "STATE") == 0) {
		fio_push_line(&f->q, at, "%d OK state=%s", tag, f->state);
	} else if (strcmp(call, "accept") == 0 && f->block_accept) {
		fio_push_line(&f->q, at, "%d PENDING call=accept", tag);
	} else if (strcmp(call, "read") == 0 && f->read_reply) {
		fio_push_line(&f->q, at, "%d DONE call=read %s", tag, f->read_reply);
	} else if (strcmp(verb, "CALL") == 0) {
		fio_push_line(&f->q, at, "%d DONE call=%s ret=0 errno=0", tag, call);
		/* A write puts 10 bytes on the wire right after, with the flags the test chose. */
		if (strcmp(call, "write") == 0 && f->data_flags)
			fio_push_seg(&f->q, at + 1, f->data_flags, TISN + 1, f->last_sent.seq, 10);
	}
	return 0;
}

static struct fake *new_fake(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	fio_init(&f->q);
	f->state = "ESTABLISHED";
	return f;
}

/* Runs yaml against f, without the reference model, and returns the result (caller frees). */
static void run(struct fake *f, const char *yaml, struct tc_result *r)
{
	fio_exec(f, f_send, f_agent, yaml, NULL, 42, r);
}

/* The first failure on field (fake_io.h: a "(none)" entry if there is none). */
static const struct tc_failure *find(const struct tc_result *r, const char *field)
{
	return fio_failure(r, NULL, field, -1);
}

#define HANDSHAKE                                                     \
	"id: t.x\ntitle: t\nsteps:\n"                                 \
	"  - app: listen\n"                                           \
	"  - send: {flags: S, seq: 0}\n"

static void test_pass(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, HANDSHAKE "  - expect: {flags: SA, seq: 0, ack: 1}\n"
			 "  - send: {flags: A}\n"
			 "  - app: accept\n"
			 "  - state: ESTABLISHED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(r.nfailures, 0);
	/* The default ack acknowledged the SYN-ACK: target ISN + 1. */
	assert_int_equal(f->last_sent.ack, TISN + 1);
	assert_int_equal(f->last_sent.flags, TC_F_ACK);
	tc_result_free(&r);
	free(f);
}

static void test_wrong_ack_names_field(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_ack_bump = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = find(&r, "ack");
	assert_string_equal(x->field, "ack");
	assert_string_equal(x->expected, "1");
	assert_non_null(strstr(x->actual, "2"));
	assert_int_equal(x->step, 3);
	assert_int_equal(x->line, 6);
	assert_non_null(strstr(x->segment, "Flags [S.]"));
	tc_result_free(&r);
	free(f);
}

static void test_wrong_flags_and_seq(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, HANDSHAKE "  - expect: {flags: S, seq: 5}\n  - send: {flags: A}\n", &r);
	const struct tc_failure *x = find(&r, "flags");
	assert_string_equal(x->field, "flags");
	assert_string_equal(x->expected, "S");
	assert_string_equal(x->actual, "SA");
	x = find(&r, "seq");
	assert_string_equal(x->field, "seq");
	assert_string_equal(x->expected, "5");
	assert_non_null(strstr(x->actual, "0 (absolute 1000)"));
	tc_result_free(&r);
	free(f);
}

static void test_missing_segment(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_delay_us = -1;
	run(f, HANDSHAKE "  - expect: {flags: SA, within: 200ms}\n", &r);
	const struct tc_failure *x = find(&r, "segment");
	assert_string_equal(x->field, "segment");
	assert_string_equal(x->actual, "none");
	assert_non_null(strstr(x->expected, "SA"));
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	tc_result_free(&r);
	free(f);
}

static void test_late_segment_is_missing(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_delay_us = 1500000; /* after the default within of 1s */
	run(f, HANDSHAKE "  - expect: {flags: SA}\n", &r);
	assert_string_equal(find(&r, "segment")->field, "segment");
	tc_result_free(&r);
	free(f);
}

static void test_unexpected_segment(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, HANDSHAKE "  - wait: 100ms\n", &r);
	const struct tc_failure *x = find(&r, "segment");
	assert_string_equal(x->field, "segment");
	assert_int_equal(x->step, 0);
	assert_string_equal(x->expected, "none");
	assert_string_equal(x->actual, "SA");
	tc_result_free(&r);
	free(f);
}

static void test_ignore_list(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->extra_ack_after_synack = 1;
	run(f, "id: t.x\ntitle: t\nignore: [A]\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0}\n  - expect: {flags: SA}\n  - wait: 10ms\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);
	/* An ignored flag set is still matched by an expect that asks for it. */
	f = new_fake();
	f->extra_ack_after_synack = 1;
	run(f, "id: t.x\ntitle: t\nignore: [A]\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0}\n  - expect: {flags: SA}\n  - expect: {flags: A, seq: 1}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);
	/* Without the ignore list the same bare ACK is unexpected. */
	f = new_fake();
	f->extra_ack_after_synack = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - wait: 10ms\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_string_equal(find(&r, "segment")->actual, "A");
	tc_result_free(&r);
	free(f);
}

static void test_expect_none(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, HANDSHAKE "  - expect_none: 300ms\n", &r);
	const struct tc_failure *x = find(&r, "segment");
	assert_string_equal(x->field, "segment");
	assert_int_equal(x->step, 3);
	assert_string_equal(x->actual, "SA");
	tc_result_free(&r);
	free(f);
	/* expect_none with flags only forbids that flag set; the SYN-ACK stays for the expect. */
	f = new_fake();
	run(f, HANDSHAKE "  - expect_none: {for: 300ms, flags: R}\n  - expect: {flags: SA}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);
}

static void test_state_mismatch(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->state = "LISTEN";
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - state: SYN_RECEIVED\n", &r);
	const struct tc_failure *x = find(&r, "state");
	assert_string_equal(x->field, "state");
	assert_string_equal(x->expected, "SYN_RECEIVED");
	assert_string_equal(x->actual, "LISTEN");
	assert_int_equal(x->line, 7);
	tc_result_free(&r);
	free(f);
}

static void test_app_results(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->read_reply = "ret=3 errno=0 data=616263";
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - send: {flags: A}\n"
			 "  - app: {call: read, len: 10, expect: {ret: 5, data: \"abd\"}}\n", &r);
	const struct tc_failure *x = find(&r, "ret");
	assert_string_equal(x->field, "ret");
	assert_string_equal(x->expected, "5");
	assert_string_equal(x->actual, "3");
	x = find(&r, "data");
	assert_string_equal(x->field, "data");
	assert_non_null(strstr(x->expected, "abd"));
	assert_non_null(strstr(x->actual, "abc"));
	tc_result_free(&r);

	f->read_reply = "ret=-1 errno=ECONNRESET";
	f->q.nev = 0;
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - send: {flags: A}\n"
			 "  - app: {call: read, expect: {errno: EPIPE}}\n", &r);
	x = find(&r, "errno");
	assert_string_equal(x->field, "errno");
	assert_string_equal(x->expected, "EPIPE");
	assert_string_equal(x->actual, "ECONNRESET");
	tc_result_free(&r);

	/* With no expectation a call must succeed. */
	f->q.nev = 0;
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - send: {flags: A}\n  - app: read\n", &r);
	x = find(&r, "errno");
	assert_string_equal(x->field, "errno");
	assert_string_equal(x->expected, "0");
	tc_result_free(&r);

	/* A DONE the codec cannot read (no errno=) is not guessed at: the case is an error that
	 * quotes the line, never a pass on a default value. */
	f->read_reply = "ret=3";
	f->q.nev = 0;
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - send: {flags: A}\n  - app: read\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "malformed reply"));
	assert_non_null(strstr(r.reason, "errno="));
	assert_non_null(strstr(r.reason, "DONE call=read ret=3"));
	tc_result_free(&r);
	free(f);
}

static void test_app_deadline(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->block_accept = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - send: {flags: A}\n"
			 "  - app: {call: accept, within: 500ms}\n", &r);
	const struct tc_failure *x = find(&r, "ret");
	assert_string_equal(x->field, "ret");
	assert_string_equal(x->actual, "still blocked");
	assert_int_equal(x->step, 5);
	tc_result_free(&r);
	free(f);
}

static void test_timing_check(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_delay_us = 400000;
	run(f, HANDSHAKE "  - expect: {flags: SA, after: 1s, tolerance: 200ms}\n", &r);
	const struct tc_failure *x = find(&r, "after");
	assert_string_equal(x->field, "after");
	assert_non_null(strstr(x->actual, "0.400"));
	tc_result_free(&r);
	free(f);
	f = new_fake();
	f->synack_delay_us = 950000;
	run(f, HANDSHAKE "  - expect: {flags: SA, after: 1s, tolerance: 200ms}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);
}

static void test_agent_death_is_error(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->agent_dies = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - state: ESTABLISHED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "agent"));
	tc_result_free(&r);
	free(f);
}

static void test_case_timeout_is_error(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, "id: t.x\ntitle: t\ntimeout: 1s\nsteps:\n  - wait: 5s\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "timeout"));
	tc_result_free(&r);
	free(f);
}

static void test_send_fields(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_delay_us = -1;
	run(f, "id: t.x\ntitle: t\nisn: 5000\npeer_port: 4242\nsteps:\n"
	       "  - send: {flags: PA, seq: 7, ack_abs: 99, win: 1234, ttl: 9, tos: 16, ip_id: 77,"
	       " urg: 3, data: \"xy\", options: [nop, {mss: 1000}]}\n", &r);
	assert_int_equal(f->last_sent.seq, 5007);
	assert_int_equal(f->last_sent.ack, 99);
	assert_int_equal(f->last_sent.win, 1234);
	assert_int_equal(f->last_sent.ttl, 9);
	assert_int_equal(f->last_sent.tos, 16);
	assert_int_equal(f->last_sent.ip_id, 77);
	assert_int_equal(f->last_sent.urg, 3);
	assert_int_equal(f->last_sent.sport, 4242);
	assert_int_equal(f->last_sent.dport, 8080);
	assert_int_equal(f->last_sent.payload_len, 2);
	assert_memory_equal(f->last_sent.payload, "xy", 2);
	assert_int_equal(f->last_sent.opt_len, 5);
	tc_result_free(&r);
	free(f);
}

static void test_settle_window(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	/* The ACK of the last step's data comes 0.1 ms later: always judged, so unexpected. */
	run(f, HANDSHAKE "  - expect: {flags: SA}\n  - send: {flags: PA, seq: 1, data: \"x\"}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_string_equal(find(&r, "segment")->actual, "A");
	tc_result_free(&r);
	free(f);
	/* A SYN-ACK 200 ms after the last step is past the settle window: not judged. */
	f = new_fake();
	f->synack_delay_us = 200000;
	run(f, HANDSHAKE, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	/* At 50 ms it is inside the window: unexpected. */
	free(f);
	f = new_fake();
	f->synack_delay_us = 50000;
	run(f, HANDSHAKE, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	tc_result_free(&r);
	free(f);
}

/* `expect: auto` judges with the reference model (test_exec_model.c); a run without one (no
 * --profile knobs in the config) cannot judge it: an error that says why, never a pass. */
static void test_malformed_option_fails(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_bad_option = 1;
	/* The case does not look at options at all: the malformed one fails it anyway. */
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = find(&r, "options");
	assert_string_equal(x->field, "options");
	assert_non_null(strstr(x->expected, "MUST-68"));
	assert_non_null(strstr(x->actual, "mss"));
	tc_result_free(&r);
	free(f);
}

static void test_expect_auto_needs_model(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, HANDSHAKE "  - expect: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "needs the reference model (run with --profile NAME)"));
	tc_result_free(&r);
	free(f);
}


/* The level of the case's own checks (case.h): a departing SHOULD step is a warn that names
 * its requirement, a departing MUST step still fails, and a case of SHLD refs warns. */
static void test_levels_warn_and_fail(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_ack_bump = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n    req: RFC6298-2.4\n    level: SHOULD\n"
			 "  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	const struct tc_failure *x = find(&r, "ack");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC6298-2.4");
	assert_string_equal(x->expected, "1");
	tc_result_free(&r);
	free(f);

	/* The same departure in a MUST step is a fail. */
	f = new_fake();
	f->synack_ack_bump = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n    req: MUST-20\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	x = find(&r, "ack");
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->req, "MUST-20");
	tc_result_free(&r);
	free(f);

	/* One MUST failure among SHOULD ones still fails the case. */
	f = new_fake();
	f->synack_ack_bump = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n    level: SHOULD\n  - send: {flags: A}\n"
			 "  - app: accept\n  - state: CLOSED\n    req: MUST-1\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_int_equal(find(&r, "ack")->level, TC_LVL_SHOULD);
	assert_int_equal(find(&r, "state")->level, TC_LVL_MUST);
	tc_result_free(&r);
	free(f);

	/* A case citing only SHLD ids: its steps, and an unexpected segment after the last step
	 * (step 0), are SHOULD-level. (Behaviour change, lwIP triage note D3: the step-0 segment
	 * keeps the case's level but not its first requirement, which no step tied to it; its
	 * requirement is RFC 9293 3.10's event processing.) */
	f = new_fake();
	f->extra_ack_after_synack = 1;
	run(f, "id: t.x\ntitle: t\nrefs: [SHLD-18]\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0}\n  - expect: {flags: SA, ack: 1}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	x = find(&r, "segment");
	assert_int_equal(x->step, 0);
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC9293-3.10");
	tc_result_free(&r);
	free(f);

	/* A malformed option breaks MUST-68 whatever level the case gives its own checks. */
	f = new_fake();
	f->synack_bad_option = 1;
	run(f, "id: t.x\ntitle: t\nlevel: SHOULD\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0}\n  - expect: {flags: SA, ack: 1}\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	x = find(&r, "options");
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->req, "MUST-68");
	tc_result_free(&r);
	free(f);
}

/* `requires:` skips a case whose subject the target did not negotiate, and only then. */
static void test_requires_skips(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	const char *yaml = "id: t.x\ntitle: t\nrequires: [ts]\nsteps:\n  - app: listen\n"
			   "  - send: {flags: S, seq: 0, options: [{mss: 1460}, {ts: [1, 0]}]}\n"
			   "  - expect: {flags: SA, ack: 1, options: [mss, nop, nop, ts]}\n"
			   "  - send: {flags: A}\n";
	run(f, yaml, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "skip");
	assert_string_equal(r.reason, "the target did not offer timestamps in its SYN-ACK");
	assert_int_equal(r.nfailures, 0);
	/* The run stopped there: the final ACK was never sent. */
	assert_int_equal(f->sent, 1);
	tc_result_free(&r);
	free(f);

	/* With the option in its SYN-ACK the case runs and is judged. */
	f = new_fake();
	f->synack_ts = 1;
	run(f, yaml, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);
	f = new_fake();
	f->synack_ts = 1;
	run(f, "id: t.x\ntitle: t\nrequires: ts\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0, options: [{ts: [1, 0]}]}\n"
	       "  - expect: {flags: SA, ack: 1, options_include: [ts]}\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);

	/* options_include with a value: the MSS must be that one (the fake says 1460). */
	f = new_fake();
	f->synack_ts = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA, options_include: [{mss: 1400}, ts]}\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_string_equal(find(&r, "options_include")->expected, "includes mss 1400");
	assert_non_null(strstr(find(&r, "options_include")->actual, "mss 1460"));
	tc_result_free(&r);
	free(f);
	f = new_fake();
	f->synack_ts = 1;
	run(f, HANDSHAKE "  - expect: {flags: SA, options_include: [{mss: 1460}, ts]}\n  - send: {flags: A}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);

	/* Each kind names itself; SACK and window scaling as well. */
	f = new_fake();
	f->synack_ts = 1;
	run(f, "id: t.x\ntitle: t\nrequires: [ts, wscale]\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0}\n  - expect: {flags: SA}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "skip");
	assert_string_equal(r.reason, "the target did not offer window scaling in its SYN-ACK");
	tc_result_free(&r);
	free(f);
	f = new_fake();
	run(f, "id: t.x\ntitle: t\nrequires: sack_ok\nsteps:\n  - app: listen\n"
	       "  - send: {flags: S, seq: 0}\n  - expect: {flags: SA}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "skip");
	assert_string_equal(r.reason, "the target did not offer SACK (SACK-permitted) in its SYN-ACK");
	tc_result_free(&r);
	free(f);
}

/* `flags_maybe: P` accepts the segment with or without PSH, and nothing else. */
static void test_flags_maybe(void **st)
{
	(void)st;
	static const uint8_t variants[] = {TC_F_ACK, TC_F_ACK | TC_F_PSH};
	for (int i = 0; i < 2; i++) {
		struct fake *f = new_fake();
		struct tc_result r;
		f->data_flags = variants[i];
		run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n  - send: {flags: A}\n"
				 "  - app: accept\n  - app: {call: write, len: 10}\n"
				 "  - expect: {flags: A, flags_maybe: P, len: 10}\n", &r);
		assert_string_equal(tc_verdict_name(r.verdict), "pass");
		tc_result_free(&r);
		free(f);
	}
	/* A FIN is not an optional PSH: the failure names the field and what was allowed. */
	struct fake *f = new_fake();
	struct tc_result r;
	f->data_flags = TC_F_ACK | TC_F_PSH | TC_F_FIN;
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n  - send: {flags: A}\n"
			 "  - app: accept\n  - app: {call: write, len: 10}\n"
			 "  - expect: {flags: A, flags_maybe: P, len: 10}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = find(&r, "flags");
	assert_string_equal(x->expected, "A (P optional)");
	assert_string_equal(x->actual, "AFP");
	tc_result_free(&r);
	free(f);
	/* Without flags_maybe, flags stay exact: PA does not match A. */
	f = new_fake();
	f->data_flags = TC_F_ACK | TC_F_PSH;
	run(f, HANDSHAKE "  - expect: {flags: SA, ack: 1}\n  - send: {flags: A}\n"
			 "  - app: accept\n  - app: {call: write, len: 10}\n"
			 "  - expect: {flags: A, len: 10}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_string_equal(find(&r, "flags")->expected, "A");
	tc_result_free(&r);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_wrong_ack_names_field),
		cmocka_unit_test(test_wrong_flags_and_seq),
		cmocka_unit_test(test_missing_segment),
		cmocka_unit_test(test_late_segment_is_missing),
		cmocka_unit_test(test_unexpected_segment),
		cmocka_unit_test(test_ignore_list),
		cmocka_unit_test(test_expect_none),
		cmocka_unit_test(test_state_mismatch),
		cmocka_unit_test(test_app_results),
		cmocka_unit_test(test_app_deadline),
		cmocka_unit_test(test_timing_check),
		cmocka_unit_test(test_agent_death_is_error),
		cmocka_unit_test(test_case_timeout_is_error),
		cmocka_unit_test(test_send_fields),
		cmocka_unit_test(test_settle_window),
		cmocka_unit_test(test_malformed_option_fails),
		cmocka_unit_test(test_expect_auto_needs_model),
		cmocka_unit_test(test_levels_warn_and_fail),
		cmocka_unit_test(test_requires_skips),
		cmocka_unit_test(test_flags_maybe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
