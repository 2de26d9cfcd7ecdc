/*
 * test_exec_model.c - the reference model as the executor's second judge (runner/judge.h), on
 * an in-memory target: judge "model" when only the model disagrees with the target, "case"
 * when only the case does, "both" when both do on the same segment; `expect: auto`; the names
 * rcv_nxt / snd_nxt; abstaining; a state step's `within:` bounding the model; the level and
 * requirement of a segment no step expected.
 *
 * The fake target is a small scripted passive opener with a virtual clock. By default it
 * conforms to RFC 9293 with RFC 5961 (the rfc9293 profile): an in-window RST that is not at
 * RCV.NXT draws a challenge ACK. Its knobs make it deviate.
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
#include "../../runner/model/model.h"
#include "fake_io.h"

#define TISN 5000u
#define OUR_ISN 100u

struct fake {
	struct fio q;           /* clock and event queue (fake_io.h): must come first */
	uint32_t rcv_nxt;       /* the fake's: the peer's next sequence number */
	const char *state;
	/* deviations */
	int rst_closes;         /* any in-window RST closes, silently (RFC 793, not RFC 5961) */
	int rst_ignored;        /* even a RST at RCV.NXT is ignored (breaks a MUST) */
	uint32_t synack_bump;   /* added to the SYN-ACK's ack */
	int extra_ack;          /* a bare ACK nobody asked for after the SYN-ACK */
	int64_t giveup_after;   /* SYN-RECEIVED returns to LISTEN this long after the SYN (0: never) */
	int64_t syn_at;
	int closed_rsts;        /* a segment after the connection is gone draws this many RSTs */
	uint32_t rst_bump;      /* added to the SEQ of the second of them */
	int first_rst_ack;      /* the first of them is RST,ACK (the second a bare RST: gVisor) */
	struct tc_seg last_sent;
};

/* A segment from the fake; with mss, it carries <mss 1460> as a SYN-ACK would. */
static void push_seg(struct fake *f, int64_t at, uint8_t flags, uint32_t seq, uint32_t ack, int mss)
{
	struct tc_seg *s = fio_push_seg(&f->q, at, flags, seq, ack, 0);
	if (mss) {
		static const uint8_t opt[] = {TC_OPT_MSS, 4, 1460 >> 8, 1460 & 0xff};
		fio_set_opts(s, opt, sizeof(opt));
	}
}

static int f_send(void *ctx, const struct tc_seg *s, int64_t *ts, char *err, size_t cap)
{
	struct fake *f = ctx;
	(void)err;
	(void)cap;
	*ts = f->q.now;
	f->last_sent = *s;
	f->q.peer_port = s->sport;
	if (s->flags & TC_F_RST) {
		int in_window = (int32_t)(s->seq - f->rcv_nxt) >= 0 && (int32_t)(s->seq - f->rcv_nxt) < 64240;
		if (f->rst_ignored)
			; /* RFC 5961 3.2 (2) / RFC 9293 3.10.7.4: this TCP MUST reset; it does not. */
		else if (s->seq == f->rcv_nxt || (f->rst_closes && in_window))
			f->state = "CLOSED";
		else if (in_window) /* RFC 5961 3.2: challenge ACK */
			push_seg(f, f->q.now + 100, TC_F_ACK, TISN + 1, f->rcv_nxt, 0);
	} else if (s->flags & TC_F_SYN) {
		f->rcv_nxt = s->seq + 1;
		f->syn_at = f->q.now;
		push_seg(f, f->q.now + 100, TC_F_SYN | TC_F_ACK, TISN, f->rcv_nxt + f->synack_bump, 1);
		if (f->extra_ack)
			push_seg(f, f->q.now + 200, TC_F_ACK, TISN + 1, f->rcv_nxt, 0);
		f->state = "SYN_RECEIVED";
	} else if ((s->flags & TC_F_ACK) && f->closed_rsts && strcmp(f->state, "CLOSED") == 0) {
		/* RFC 9293 3.10.7.1 / 3.10.7.2: <SEQ=SEG.ACK><CTL=RST>, perhaps more than once. */
		for (int k = 0; k < f->closed_rsts; k++)
			push_seg(f, f->q.now + 50 + k,
				 TC_F_RST | (k == 0 && f->first_rst_ack ? TC_F_ACK : 0),
				 s->ack + (k ? f->rst_bump : 0), k == 0 && f->first_rst_ack ? s->seq : 0,
				 0);
	} else if (s->flags & TC_F_ACK) {
		f->state = "ESTABLISHED";
	}
	return 0;
}

static int f_agent(void *ctx, const char *line, char *err, size_t cap)
{
	struct fake *f = ctx;
	int tag;
	char verb[32], call[32] = "";
	(void)err;
	(void)cap;
	if (sscanf(line, "%d %31s %31s", &tag, verb, call) < 2)
		return -1;
	/* Its SYN-ACK retransmissions exhausted (RFC 9293 3.8.3), the embryonic connection of a
	 * passive open goes back to LISTEN. */
	if (strcmp(verb, "STATE") == 0 && f->giveup_after && strcmp(f->state, "SYN_RECEIVED") == 0 &&
	    f->q.now >= f->syn_at + f->giveup_after)
		f->state = "LISTEN";
	fio_agent_default(&f->q, f->q.now + 10, tag, verb, call, f->state);
	if (strcmp(call, "listen") == 0)
		f->state = "LISTEN";
	return 0;
}

static struct fake *new_fake(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	fio_init(&f->q);
	f->state = "CLOSED";
	return f;
}

/* Runs yaml against f with the rfc9293 model as the second judge (knobs NULL: none). */
static void run_k(struct fake *f, const char *yaml, const struct tc_knobs *k, struct tc_result *r)
{
	fio_exec(f, f_send, f_agent, yaml, k, 7, r);
}

static void run(struct fake *f, const char *yaml, struct tc_result *r)
{
	static struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	run_k(f, yaml, &k, r);
}

/* The first failure whose judge is judge, or fake_io.h's "(none)" entry. */
static const struct tc_failure *by_judge(const struct tc_result *r, const char *judge)
{
	return fio_failure(r, judge, NULL, -1);
}

static int count_judge(const struct tc_result *r, const char *judge)
{
	int n = 0;
	for (int i = 0; i < r->nfailures; i++)
		n += strcmp(r->failures[i].judge, judge) == 0;
	return n;
}

#define OPEN                                                          \
	"id: t.m\ntitle: t\nisn: 100\nsteps:\n"                       \
	"  - app: listen\n"                                           \
	"  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"

#define ESTABLISH                                                     \
	OPEN "  - expect: {flags: SA, seq: 0, ack: 1}\n"              \
	"  - send: {flags: A}\n"                                      \
	"  - app: accept\n"

/* RFC 5961 3.2: a conforming target challenges an in-window RST; both judges agree. */
static void test_conforming_passes(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, ESTABLISH "  - state: ESTABLISHED\n"
			 "  - send: {flags: R, seq: 5}\n"
			 "  - expect: {flags: A, seq: 1, ack: 1}\n"
			 "  - state: ESTABLISHED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(r.nfailures, 0);
	assert_non_null(strstr(r.model, "profile rfc9293: judged every segment and state"));
	/* Every event carries the model's state for the ladders. */
	int states = 0;
	for (int i = 0; i < r.nevents; i++)
		if (strcmp(r.events[i].model, "ESTABLISHED") == 0)
			states++;
	assert_true(states >= 3);
	tc_result_free(&r);
	free(f);
}

/* Without knobs there is no second judge: the same deviating target passes a case that asks
 * for its behaviour, and the result carries no model note. */
static void test_no_model_no_judge(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_closes = 1;
	run_k(f, ESTABLISH "  - send: {flags: R, seq: 5}\n  - state: CLOSED\n", NULL, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_string_equal(r.model, "");
	tc_result_free(&r);
	free(f);
}

/* A target closing on an in-window RST, and a case that expects just that: the case passes
 * its own checks, the model fails the run with RFC 5961 3.2's rule (judge "model"). */
static void test_deviation_is_model_failure(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_ignored = 1;
	run(f, ESTABLISH "  - send: {flags: R, seq: 1}\n  - state: ESTABLISHED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_string_equal(x->judge, "model");
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->field, "state");
	assert_string_equal(x->expected, "CLOSED");
	assert_string_equal(x->actual, "ESTABLISHED");
	assert_int_equal(x->step, 7);
	assert_int_equal(count_judge(&r, "case"), 0);
	/* One MUST deviation, one failure: the model stops judging once it diverged. */
	assert_int_equal(r.nfailures, 1);
	assert_non_null(strstr(r.model, "diverged"));
	tc_result_free(&r);
	free(f);
}

/* A target that resets on any in-window RST (RFC 793) departs from RFC 5961 3.2's SHOULD: the
 * state check is explained by the model with rfc5961_rst off, one SHOULD failure, and the model
 * judges on. (Behaviour change, issue 9: this was a fail that stopped the model.) */
static void test_should_deviation_is_warn(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_closes = 1;
	run(f, ESTABLISH "  - send: {flags: R, seq: 5}\n  - state: CLOSED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC5961-3.2");
	assert_int_equal(x->step, 7);
	assert_int_equal(r.nfailures, 1);
	assert_null(strstr(r.model, "diverged"));
	tc_result_free(&r);
	free(f);
}

/* The same deviation without a state step: the challenge ACK the model predicted never came.
 * (Behaviour change, issue 9: RFC 793's reset instead of RFC 5961 3.2's challenge ACK is a
 * SHOULD departure the model adopts, so the verdict is warn, level SHOULD, req RFC5961-3.2.) */
static void test_missing_prediction(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_closes = 1;
	run(f, ESTABLISH "  - send: {flags: R, seq: 5}\n  - wait: 2s\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC5961-3.2");
	assert_non_null(strstr(x->message, "adopts rfc5961_rst off"));
	assert_int_equal(r.nfailures, 1);
	assert_string_equal(x->field, "segment");
	assert_string_equal(x->actual, "none");
	assert_non_null(strstr(x->expected, "A seq 1 ack 1"));
	assert_non_null(strstr(x->message, "nothing came"));
	assert_non_null(strstr(x->rule, "RFC 5961 3.2 (3)"));
	tc_result_free(&r);
	free(f);
}

/* A wrong expectation where the model agrees with the target: judge "case". */
static void test_wrong_case_is_case(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, OPEN "  - expect: {flags: SA, seq: 0, ack: 2}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_int_equal(r.nfailures, 1);
	const struct tc_failure *x = by_judge(&r, "case");
	assert_string_equal(x->field, "ack");
	assert_non_null(strstr(x->message, "the model agrees with the target"));
	assert_int_equal(count_judge(&r, "model") + count_judge(&r, "both"), 0);
	tc_result_free(&r);
	free(f);
}

/* The target's SYN-ACK acknowledges the wrong number: the case (ack: 1) and the model both
 * disagree with it on the same segment: judge "both", with the model's rule. */
static void test_both_wrong_is_both(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->synack_bump = 1;
	run(f, OPEN "  - expect: {flags: SA, seq: 0, ack: 1}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "both");
	assert_string_equal(x->field, "ack");
	assert_non_null(strstr(x->rule, "RFC 9293 3.10.7.2 third"));
	assert_non_null(strstr(x->message, "the model disagrees too"));
	assert_int_equal(count_judge(&r, "case") + count_judge(&r, "model"), 0);
	tc_result_free(&r);
	free(f);
}

/* A segment nobody expected and nobody predicted: "both"; the model says it predicted none. */
static void test_unexpected_unpredicted_is_both(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->extra_ack = 1;
	run(f, OPEN "  - expect: {flags: SA, seq: 0, ack: 1}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "both");
	assert_string_equal(x->field, "segment");
	assert_non_null(strstr(x->message, "predicted nothing"));
	tc_result_free(&r);
	free(f);
}

/* Note D3 of docs/deviations/lwip-triage.md: a segment no step expected (step 0) is not held to
 * the case's first requirement (MUST-2 for a checksum case, which says nothing about it). With
 * the model judging, it takes the model's judgement: an unpredicted segment is MUST, with the
 * neutral requirement of RFC 9293 3.10's event processing. Without a model, the case's level
 * and the same neutral requirement. */
static void test_unexpected_takes_model_req(void **st)
{
	(void)st;
	static const char *yaml = "id: t.m\ntitle: t\nisn: 100\nrefs: [MUST-2, RFC9293-3.1]\nsteps:\n"
				  "  - app: listen\n"
				  "  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"
				  "  - expect: {flags: SA, seq: 0, ack: 1}\n";
	struct fake *f = new_fake();
	struct tc_result r;
	f->extra_ack = 1;
	run(f, yaml, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "both");
	assert_string_equal(x->field, "segment");
	assert_int_equal(x->step, 0);
	assert_non_null(strstr(x->message, "predicted nothing"));
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->req, "RFC9293-3.10");
	tc_result_free(&r);
	free(f);

	f = new_fake();
	f->extra_ack = 1;
	run_k(f, yaml, NULL, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	x = by_judge(&r, "case");
	assert_string_equal(x->field, "segment");
	assert_int_equal(x->step, 0);
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->req, "RFC9293-3.10");
	tc_result_free(&r);
	free(f);
}

/* A target that answers with the same reset twice (lwIP on close() with unread data): the copy
 * tells the peer nothing new and no requirement limits an answer to one reset, so neither judge
 * fails it. A second reset that differs (another SEQ) is a segment no step and no rule expected,
 * and fails, naming it. */
static void test_duplicate_rst_is_harmless(void **st)
{
	(void)st;
	static const char *yaml = "id: t.d\ntitle: t\nisn: 100\nsteps:\n"
				  "  - app: listen\n"
				  "  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"
				  "  - expect: {flags: SA, seq: 0, ack: 1}\n"
				  "  - send: {flags: A, seq: 1, ack: 1}\n"
				  "  - send: {flags: R, seq: 1}\n"
				  "  - send: {flags: A, seq: 1, ack: 1}\n"
				  "  - expect: {flags: R, flags_maybe: A, seq: 1}\n";
	struct fake *f = new_fake();
	struct tc_result r;
	f->closed_rsts = 2;
	run(f, yaml, &r);
	if (r.nfailures)
		fail_msg("a copy of the reset failed: %s: %s", r.failures[0].field,
			 r.failures[0].message);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	tc_result_free(&r);
	free(f);

	/* A RST,ACK followed by a bare RST at the same SEQ is a copy too. */
	f = new_fake();
	f->closed_rsts = 2;
	f->first_rst_ack = 1;
	run(f, yaml, &r);
	if (r.nfailures)
		fail_msg("a bare copy of a RST,ACK failed: %s: %s", r.failures[0].field,
			 r.failures[0].message);
	tc_result_free(&r);
	free(f);

	f = new_fake();
	f->closed_rsts = 2;
	f->rst_bump = 7;
	run(f, yaml, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "both");
	assert_string_equal(x->field, "segment");
	assert_int_equal(x->step, 0);
	assert_string_equal(x->expected, "none");
	assert_non_null(strstr(x->message, "seq 8"));
	tc_result_free(&r);
	free(f);
}

/* A state step's `within:` bounds the model too (exec.c do_state): the target gives up its
 * embryonic connection 50 ms after the SYN and reads LISTEN at 60 ms; the model (no SYN-ACK
 * retransmission, 200 ms initial RTO) gives up at 200 ms. With `within: 400ms`, or the default
 * 300 ms, the step waits for the model's timer (in the executor's time, pumping what the target
 * sends meanwhile) and both agree; with `within: 100ms` the model is still in SYN-RECEIVED when
 * the bound ends: a model failure at that step naming both states. */
static void run_giveup(const char *within, struct tc_result *r)
{
	char yaml[512];
	static struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	k.synack_retries = 0;
	k.rto_initial_us = 200000;
	snprintf(yaml, sizeof(yaml), OPEN "  - expect: {flags: SA, seq: 0, ack: 1}\n"
		 "  - state: LISTEN\n%s", within);
	struct fake *f = new_fake();
	f->giveup_after = 50000;
	run_k(f, yaml, &k, r);
	free(f);
}

static void test_state_within_bounds_model(void **st)
{
	(void)st;
	struct tc_result r;
	const char *long_bounds[] = {"    within: 400ms\n", ""};
	for (int i = 0; i < 2; i++) {
		run_giveup(long_bounds[i], &r);
		assert_string_equal(tc_verdict_name(r.verdict), "pass");
		assert_int_equal(r.nfailures, 0);
		assert_non_null(strstr(r.model, "judged every segment and state"));
		assert_non_null(strstr(r.trace, "model state LISTEN"));
		tc_result_free(&r);
	}
	{
		run_giveup("    within: 100ms\n", &r);
		assert_string_equal(tc_verdict_name(r.verdict), "fail");
		assert_int_equal(r.nfailures, 1);
		const struct tc_failure *x = by_judge(&r, "model");
		assert_string_equal(x->field, "state");
		assert_string_equal(x->expected, "SYN_RECEIVED");
		assert_string_equal(x->actual, "LISTEN");
		assert_int_equal(x->step, 4);
		assert_int_equal(x->level, TC_LVL_MUST);
		assert_non_null(strstr(x->message, "the target is in LISTEN as the case expects, but the "
					      "model says SYN_RECEIVED"));
		tc_result_free(&r);
	}
}

/* expect: auto takes the model's prediction: passes on the conforming target... */
static void test_auto_passes(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, OPEN "  - expect: auto\n"
		    "  - send: {flags: A}\n"
		    "  - app: accept\n"
		    "  - send: {flags: R, seq: 5}\n"
		    "  - expect: auto\n"
		    "  - state: ESTABLISHED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(r.nfailures, 0);
	tc_result_free(&r);
	free(f);
}

/* ...and fails on the deviating one, with the rule the target broke. */
static void test_auto_fails_on_deviation(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->extra_ack = 1;
	run(f, ESTABLISH "  - expect: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->field, "segment");
	tc_result_free(&r);
	free(f);
}

/* expect: auto on a SHOULD departure (RFC 793's reset instead of a challenge ACK): warn. */
static void test_auto_warns_on_should_deviation(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_closes = 1;
	run(f, ESTABLISH "  - send: {flags: R, seq: 5}\n  - expect: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->step, 7);
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC5961-3.2");
	assert_non_null(strstr(x->rule, "RFC 5961 3.2 (3)"));
	tc_result_free(&r);
	free(f);
}

/* expect: auto where the model predicts nothing and nothing comes: silence is the model's
 * answer, so the step holds (the generated state-event cases rely on it). */
static void test_auto_without_prediction(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, ESTABLISH "  - expect: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(r.nfailures, 0);
	assert_non_null(strstr(r.trace, "the model predicts no segment and none came"));
	tc_result_free(&r);
	free(f);
}

/* ...but a segment where the model predicts silence is the model's failure: after the SYN-ACK
 * nothing is due until the retransmission timer, and this target sends a bare ACK. */
static void test_auto_silence_broken(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->extra_ack = 1;
	run(f, OPEN "  - expect: {flags: SA, seq: 0, ack: 1}\n"
		    "  - expect: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->step, 4);
	assert_string_equal(x->field, "segment");
	assert_int_equal(r.nfailures, 1);
	tc_result_free(&r);
	free(f);
}

/* state: auto is the model's state: it passes where target and model agree... */
static void test_state_auto_passes(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, OPEN "  - expect: auto\n"
		    "  - state: auto\n"
		    "  - send: {flags: A}\n"
		    "  - app: accept\n"
		    "  - send: {flags: R, seq: 5}\n"
		    "  - expect: auto\n"
		    "  - state: {is: auto, within: 100ms}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(r.nfailures, 0);
	assert_non_null(strstr(r.trace, "model state SYN_RECEIVED"));
	assert_non_null(strstr(r.trace, "model state ESTABLISHED"));
	tc_result_free(&r);
	free(f);
}

/* ...fails on the model's word where they do not (RFC 5961 3.2: an in-window RST that is not
 * at RCV.NXT must not close the connection)... */
static void test_state_auto_mismatch(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_ignored = 1;
	run(f, ESTABLISH "  - send: {flags: R, seq: 1}\n"
			 "  - state: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->level, TC_LVL_MUST);
	assert_string_equal(x->field, "state");
	assert_string_equal(x->expected, "CLOSED");
	assert_string_equal(x->actual, "ESTABLISHED");
	assert_non_null(strstr(x->message, "state: auto"));
	tc_result_free(&r);
	free(f);
}

/* A target that resets on an in-window RST (RFC 793): state: auto is explained by the model
 * with rfc5961_rst off, a SHOULD departure (behaviour change, issue 9: this was a fail). */
static void test_state_auto_should_departure(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_closes = 1;
	run(f, ESTABLISH "  - send: {flags: R, seq: 5}\n"
			 "  - state: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	const struct tc_failure *x = by_judge(&r, "model");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC5961-3.2");
	assert_string_equal(x->field, "state");
	tc_result_free(&r);
	free(f);
}

/* ...and is an error without a model, like expect: auto. */
static void test_state_auto_needs_model(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run_k(f, ESTABLISH "  - state: auto\n", NULL, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "'state: auto' needs the reference model"));
	tc_result_free(&r);
	free(f);
}

/* The names take the model's values: rcv_nxt from our ISN, snd_nxt from the target's. */
static void test_names_evaluate(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, ESTABLISH "  - send: {flags: PA, seq: rcv_nxt, ack: snd_nxt, len: 3}\n"
			 "  - send: {flags: A, seq: rcv_nxt - 3, ack: snd_una, win: rcv_wnd - 240}\n",
	    &r);
	assert_int_equal(f->last_sent.seq, OUR_ISN + 1);
	assert_int_equal(f->last_sent.ack, TISN + 1);
	assert_int_equal(f->last_sent.win, 64000);
	assert_string_equal(tc_verdict_name(r.verdict), "fail"); /* the fake never ACKs data */
	tc_result_free(&r);
	free(f);
}

/* Names before any SYN, or without a model, are harness errors that say why. */
static void test_names_unavailable(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	run(f, "id: t.n\ntitle: t\nsteps:\n  - send: {flags: S, seq: rcv_nxt}\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "before the connection's first SYN"));
	tc_result_free(&r);
	free(f);
	f = new_fake();
	run_k(f, "id: t.n\ntitle: t\nsteps:\n  - send: {flags: S, seq: rcv_nxt}\n", NULL, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "--profile"));
	tc_result_free(&r);
	free(f);
}

/* Urgent data is outside the model: it abstains, judges nothing more (the deviation that
 * follows is not reported by it), says so, and expect: auto can no longer pass. */
static void test_abstains(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	f->rst_closes = 1;
	run(f, ESTABLISH "  - send: {flags: UA, urg: 1, len: 1}\n"
			 "  - send: {flags: R, seq: 5}\n  - state: CLOSED\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(r.nfailures, 0);
	assert_non_null(strstr(r.model, "abstained: urgent data is not modelled"));
	assert_non_null(strstr(r.trace, "model: abstained"));
	tc_result_free(&r);
	free(f);
	f = new_fake();
	run(f, ESTABLISH "  - send: {flags: UA, urg: 1, len: 1}\n  - expect: auto\n", &r);
	assert_string_equal(tc_verdict_name(r.verdict), "error");
	assert_non_null(strstr(r.reason, "cannot be judged"));
	tc_result_free(&r);
	free(f);
}

/* For the linux profile a sysctl the model does not know makes it abstain from the start. */
static void test_unknown_sysctl_abstains(void **st)
{
	(void)st;
	struct fake *f = new_fake();
	struct tc_result r;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	snprintf(k.name, sizeof(k.name), "linux");
	run_k(f, "id: t.s\ntitle: t\nsysctl: {net.ipv4.tcp_fastopen: 3}\nsteps:\n"
		 "  - app: listen\n  - send: {flags: S, seq: 0}\n"
		 "  - expect: {flags: SA}\n", &k, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_non_null(strstr(r.model, "sysctl net.ipv4.tcp_fastopen is not modelled"));
	tc_result_free(&r);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conforming_passes),
		cmocka_unit_test(test_no_model_no_judge),
		cmocka_unit_test(test_deviation_is_model_failure),
		cmocka_unit_test(test_should_deviation_is_warn),
		cmocka_unit_test(test_missing_prediction),
		cmocka_unit_test(test_wrong_case_is_case),
		cmocka_unit_test(test_both_wrong_is_both),
		cmocka_unit_test(test_unexpected_unpredicted_is_both),
		cmocka_unit_test(test_unexpected_takes_model_req),
		cmocka_unit_test(test_duplicate_rst_is_harmless),
		cmocka_unit_test(test_state_within_bounds_model),
		cmocka_unit_test(test_auto_passes),
		cmocka_unit_test(test_auto_fails_on_deviation),
		cmocka_unit_test(test_auto_warns_on_should_deviation),
		cmocka_unit_test(test_auto_without_prediction),
		cmocka_unit_test(test_auto_silence_broken),
		cmocka_unit_test(test_state_auto_passes),
		cmocka_unit_test(test_state_auto_mismatch),
		cmocka_unit_test(test_state_auto_should_departure),
		cmocka_unit_test(test_state_auto_needs_model),
		cmocka_unit_test(test_names_evaluate),
		cmocka_unit_test(test_names_unavailable),
		cmocka_unit_test(test_abstains),
		cmocka_unit_test(test_unknown_sysctl_abstains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
