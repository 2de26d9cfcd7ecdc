/*
 * test_judge_alt.c - the model keeps judging (issue 9): alternatives and requirement levels,
 * through the executor on an in-memory target (fake_io.h) and, where exact times matter, on
 * the judge directly.
 *
 * - A target whose RTO is Linux's 200 ms where RFC 6298 2.4 says 1 s: exactly one SHOULD
 *   failure (req RFC6298-2.4) at the step that consumed the early retransmission; the model
 *   learns the value, its back-off doubles from it, and a later MUST violation in the same run
 *   is still a MUST failure.
 * - Deliberately wrong alternatives are not explained away: a retransmission after 10 ms (below
 *   the floor of learned timer values), a retransmission with a wrong sequence number.
 * - Classic Nagle against a Minshall profile and the reverse: no failure, a note.
 * - A SHOULD-level prediction that does not come: a SHOULD failure, and judging goes on; the
 *   same at MUST level stops the judge.
 * - The permitted alternatives syn_sent_bad_ack_resend, keepalive_rst (both ways) and
 *   retries_time: no failure, a note; the same segments with a wrong sequence number stay MUST
 *   failures. ooo_ack_at_once (SHLD-31): exactly one SHOULD failure, from a missing
 *   retransmission (tc_judge_tick tries the alternatives at every level) or from `state: auto`
 *   (exec.c), and the model agrees afterwards.
 * - An early bare ACK of a MUST-level prediction is SHOULD SHLD-18; an early data segment, a
 *   late bare ACK and an early ACK of a SHOULD-level prediction keep their level and req.
 * - tc_judge_case_knobs: a known sysctl configures every profile; an unknown one is ignored by
 *   rfc9293 and makes linux abstain.
 * - Two regression tests: state: auto re-reads the model's state; an abstaining alternative
 *   explains only the segment it is for.
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
#include "../../runner/judge.h"
#include "../../runner/model/model.h"
#include "../../runner/model/profile.h"
#include "fake_io.h"
#include "judge_fixture.h"

/* A passive opener that, for a write of n bytes, sends them 100 us later and retransmits them
 * after rtx_us, then after 2 * rtx_us more (RFC 6298 5.5), until the peer's ACK covers them. */
struct fake {
	struct fio q;           /* must come first (fake_io.h) */
	uint32_t rcv_nxt;
	const char *state;
	int64_t rtx_us;
	uint32_t rtx_seq_bump;  /* added to the retransmissions' seq: a wrong retransmission */
	int rst_after_ack;      /* a RST nobody asked for 1 ms after the peer's ACK of the data */
	long wlen;
	int fin_sent;           /* CASE_OOO_FIN: the application closed, the FIN went out */
};

static int f_send(void *ctx, const struct tc_seg *s, int64_t *ts, char *err, size_t cap)
{
	struct fake *f = ctx;
	(void)err;
	(void)cap;
	*ts = f->q.now;
	f->q.peer_port = s->sport;
	if (s->flags & TC_F_SYN) {
		f->rcv_nxt = s->seq + 1;
		struct tc_seg *g = fio_push_seg(&f->q, f->q.now + 100, TC_F_SYN | TC_F_ACK, TISN,
						f->rcv_nxt, 0);
		static const uint8_t opt[] = {TC_OPT_MSS, 4, 1460 >> 8, 1460 & 0xff};
		fio_set_opts(g, opt, sizeof(opt));
		f->state = "SYN_RECEIVED";
	} else if (s->flags & TC_F_ACK) {
		if (f->wlen && s->ack == TISN + 1 + (uint32_t)f->wlen) {
			/* The data is acknowledged: cancel the retransmissions still queued. */
			for (int i = 0; i < f->q.nev;)
				if (f->q.ev[i].kind == TC_EV_SEG && f->q.ev[i].seg.payload_len) {
					memmove(&f->q.ev[i], &f->q.ev[i + 1],
						(size_t)(f->q.nev - i - 1) * sizeof(f->q.ev[0]));
					f->q.nev--;
				} else {
					i++;
				}
			if (f->rst_after_ack)
				fio_push_seg(&f->q, f->q.now + 1 * MS, TC_F_RST, TISN + 1 + (uint32_t)f->wlen,
					     0, 0);
		}
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
	/* Only a CALL line has a call name: "write" is never the third word of CONFIG or STATE. */
	if (strcmp(call, "write") == 0) {
		const char *l = strstr(line, "len=");
		f->wlen = l ? atol(l + 4) : 0;
		fio_push_line(&f->q, f->q.now + 10, "%d DONE call=write ret=%ld errno=0", tag, f->wlen);
		int64_t t = f->q.now + 100, iv = f->rtx_us;
		fio_push_seg(&f->q, t, TC_F_ACK | TC_F_PSH, TISN + 1, f->rcv_nxt, (size_t)f->wlen);
		for (int i = 0; i < 3 && iv > 0; i++, iv *= 2) {
			t += iv;
			fio_push_seg(&f->q, t, TC_F_ACK | TC_F_PSH, TISN + 1 + f->rtx_seq_bump, f->rcv_nxt,
				     (size_t)f->wlen);
		}
	} else {
		fio_agent_default(&f->q, f->q.now + 10, tag, verb, call, f->state);
	}
	if (strcmp(call, "listen") == 0)
		f->state = "LISTEN";
	return 0;
}

static struct fake *new_fake(int64_t rtx_us)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	fio_init(&f->q);
	f->state = "CLOSED";
	f->rtx_us = rtx_us;
	return f;
}

static void run(struct fake *f, const char *yaml, struct tc_result *r)
{
	static struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	fio_exec(f, f_send, f_agent, yaml, &k, 7, r);
}

/* Steps 1-5: the handshake (an RTT sample of about 0.1 ms: the RTO is RFC 6298 2.4's 1 s), then
 * 10 bytes written (step 6) and sent (step 7). Step 8 consumes the first retransmission, step 9
 * the second; step 10 acknowledges the data. */
#define CASE_RTO                                                      \
	"id: t.rto\ntitle: t\nisn: 100\nignore: [R]\nsteps:\n"      \
	"  - app: listen\n"                                           \
	"  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"      \
	"  - expect: {flags: SA, seq: 0, ack: 1}\n"                   \
	"  - send: {flags: A}\n"                                      \
	"  - app: accept\n"                                           \
	"  - app: {call: write, len: 10}\n"                           \
	"  - expect: {flags: PA, seq: 1, ack: 1, len: 10}\n"          \
	"  - expect: {flags: PA, len: 10}\n"                          \
	"  - expect: {flags: PA, len: 10}\n"                          \
	"  - send: {flags: A, ack: 11}\n"                             \
	"  - wait: 100ms\n"

static void dump(const struct tc_result *r)
{
	if (!getenv("DUMP"))
		return;
	for (int i = 0; i < r->nfailures; i++)
		fprintf(stderr, "F step %d line %d judge %s field %s lvl %d req %s exp [%s] act [%s]\n  msg %s\n  rule %s\n",
			r->failures[i].step, r->failures[i].line, r->failures[i].judge, r->failures[i].field,
			r->failures[i].level, r->failures[i].req, r->failures[i].expected, r->failures[i].actual,
			r->failures[i].message, r->failures[i].rule);
	fprintf(stderr, "model: %s\n%s\n", r->model, r->trace ? r->trace : "");
}

/* The first failure at level (a TC_LVL_*), or fake_io.h's "(none)" entry. */
static const struct tc_failure *by_level(const struct tc_result *r, int level)
{
	return fio_failure(r, NULL, NULL, level);
}

/* Linux's 200 ms RTO against RFC 6298 2.4's SHOULD of 1 s: one SHOULD failure, judge model, at
 * step 8 (the step that consumed the early retransmission), field "after"; the model adopts
 * rto_min 200 ms, so the second retransmission 400 ms later (back-off from the learned value)
 * matches; the model judged to the end; the verdict is warn. */
static void test_rto_200ms_one_should_failure(void **st)
{
	(void)st;
	struct fake *f = new_fake(200 * MS);
	struct tc_result r;
	run(f, CASE_RTO, &r);
	dump(&r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	assert_int_equal(r.nfailures, 1);
	const struct tc_failure *x = &r.failures[0];
	assert_string_equal(x->judge, "model");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "RFC6298-2.4");
	assert_int_equal(x->step, 8);
	assert_int_equal(x->line, 13);
	assert_string_equal(x->field, "after");
	assert_non_null(strstr(x->expected, "AP seq 1 ack 1 len 10"));
	assert_non_null(strstr(x->message, "adopts rto_min 200.100ms learned from the retransmission"));
	assert_non_null(strstr(x->rule, "retransmi"));
	assert_non_null(strstr(r.model, "judged every segment and state"));
	assert_non_null(strstr(r.model, "adopted: rto_min (SHOULD RFC6298-2.4)"));
	tc_result_free(&r);
	free(f);
}

/* The same run, and after the data is acknowledged the target sends a RST nobody asked for
 * (the case ignores it; the model judges it): still the SHOULD failure for the RTO, and the
 * RST is a MUST failure of the model, at the step during which it arrived: the verdict is
 * fail, and only then does the model stop ("diverged"). */
static void test_rto_then_must_violation(void **st)
{
	(void)st;
	struct fake *f = new_fake(200 * MS);
	f->rst_after_ack = 1;
	struct tc_result r;
	run(f, CASE_RTO, &r);
	dump(&r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	assert_int_equal(r.nfailures, 2);
	assert_int_equal(r.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(r.failures[0].req, "RFC6298-2.4");
	const struct tc_failure *x = by_level(&r, TC_LVL_MUST);
	assert_string_equal(x->judge, "model");
	assert_string_equal(x->field, "segment");
	assert_string_equal(x->expected, "none");
	assert_non_null(strstr(x->actual, "Flags [R]"));
	assert_int_equal(x->step, 11);
	assert_non_null(strstr(r.model, "diverged"));
	tc_result_free(&r);
	free(f);
}

/* A wrong alternative is not explained away: a retransmission 10 ms after the data is below
 * the floor of learned RTOs (TC_ALT_RTO_FLOOR_US), so no RTO is adopted from it. Its time is
 * still only RFC 6298's SHOULD (the model's rule level), so it is a SHOULD-level difference and
 * the model judges on without adopting anything. */
static void test_rto_10ms_not_explained(void **st)
{
	(void)st;
	struct fake *f = new_fake(10 * MS);
	struct tc_result r;
	run(f, CASE_RTO, &r);
	dump(&r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	const struct tc_failure *x = by_level(&r, TC_LVL_SHOULD);
	assert_string_equal(x->judge, "model");
	assert_int_equal(x->step, 8);
	assert_string_equal(x->field, "after");
	assert_null(strstr(x->message, "adopts"));
	assert_int_equal(by_level(&r, TC_LVL_MUST)->level, -1);
	assert_null(strstr(r.model, "adopted"));
	tc_result_free(&r);
	free(f);
}

/* A retransmission at 200 ms with a sequence number 5 too high: no timer value explains a wrong
 * sequence number; a MUST failure naming seq. */
static void test_rto_wrong_seq_not_explained(void **st)
{
	(void)st;
	struct fake *f = new_fake(200 * MS);
	f->rtx_seq_bump = 5;
	struct tc_result r;
	run(f, CASE_RTO, &r);
	dump(&r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = by_level(&r, TC_LVL_MUST);
	assert_string_equal(x->judge, "model");
	assert_int_equal(x->step, 8);
	assert_string_equal(x->field, "seq");
	assert_null(strstr(x->message, "adopts"));
	assert_non_null(strstr(r.model, "diverged"));
	tc_result_free(&r);
	free(f);
}

/* ---- state: auto through the executor (exec.c do_state tries tc_judge_explain_state) ---- */

/* Steps 1-5 the handshake, then the application closes (step 6): the target sends its FIN
 * (step 7) and is in FIN-WAIT-1. Our segment at step 8 begins beyond RCV.NXT and acknowledges
 * the FIN; the target answers with a duplicate ACK (step 9) and, processing the ACK at once
 * (ooo_ack_at_once), is in FIN-WAIT-2. Under rfc9293 the model holds the segment with its ACK
 * (SHLD-31) and stays in FIN-WAIT-1. */
#define CASE_OOO_FIN(state_step)                                      \
	"id: t.ooo\ntitle: t\nisn: 100\nsteps:\n"                    \
	"  - app: listen\n"                                           \
	"  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n"      \
	"  - expect: {flags: SA, seq: 0, ack: 1}\n"                   \
	"  - send: {flags: A}\n"                                      \
	"  - app: accept\n"                                           \
	"  - app: close\n"                                            \
	"  - expect: {flags: FA, seq: 1, ack: 1}\n"                   \
	"  - send: {flags: PA, seq: 11, ack: 2, len: 5}\n"            \
	"  - expect: {flags: A, seq: 2, ack: 1}\n"                    \
	"  - " state_step "\n"                                        \
	"  - wait: 100ms\n"

/* The target of CASE_OOO_FIN: the fake with its FIN on close and the out-of-order handling. */
static int f_send_ooo(void *ctx, const struct tc_seg *s, int64_t *ts, char *err, size_t cap)
{
	struct fake *f = ctx;
	if (f->fin_sent && s->payload_len && s->seq != f->rcv_nxt) {
		*ts = f->q.now;
		fio_push_seg(&f->q, f->q.now + 100, TC_F_ACK, TISN + 2, f->rcv_nxt, 0);
		if (s->ack == TISN + 2)
			f->state = "FIN_WAIT_2";
		return 0;
	}
	return f_send(ctx, s, ts, err, cap);
}

static int f_agent_ooo(void *ctx, const char *line, char *err, size_t cap)
{
	struct fake *f = ctx;
	int rc = f_agent(ctx, line, err, cap);
	if (strstr(line, "close")) {
		fio_push_seg(&f->q, f->q.now + 100, TC_F_FIN | TC_F_ACK, TISN + 1, f->rcv_nxt, 0);
		f->fin_sent = 1;
		f->state = "FIN_WAIT_1";
	}
	return rc;
}

static void run_ooo(struct fake *f, const char *yaml, struct tc_result *r)
{
	static struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	fio_exec(f, f_send_ooo, f_agent_ooo, yaml, &k, 7, r);
}

/* state: auto at step 10: the target's FIN-WAIT-2 is explained by ooo_ack_at_once: one failure,
 * judge model, field state, SHOULD SHLD-31 (the model said FIN_WAIT_1, the target FIN_WAIT_2),
 * verdict warn; the model judges to the end (its FIN retransmission is no longer owed). */
static void test_state_auto_ooo_should(void **st)
{
	(void)st;
	struct fake *f = new_fake(0);
	struct tc_result r;
	run_ooo(f, CASE_OOO_FIN("state: auto"), &r);
	dump(&r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	assert_int_equal(r.nfailures, 1);
	const struct tc_failure *x = &r.failures[0];
	assert_string_equal(x->judge, "model");
	assert_string_equal(x->field, "state");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "SHLD-31");
	assert_int_equal(x->step, 10);
	assert_string_equal(x->expected, "FIN_WAIT_1");
	assert_string_equal(x->actual, "FIN_WAIT_2");
	assert_non_null(strstr(x->message, "adopts ooo_ack_at_once on"));
	assert_non_null(strstr(r.model, "judged every segment and state"));
	assert_non_null(strstr(r.model, "adopted: ooo_ack_at_once (SHOULD SHLD-31)"));
	tc_result_free(&r);
	free(f);
}

/* A fixed state the model disagrees with is not state: auto: the target's FIN_WAIT_2 passes the
 * case's expectation, and the model's objection is explained the same way (state steps in
 * exec.c try the alternatives too): the same single SHOULD failure. */
static void test_state_fixed_ooo_should(void **st)
{
	(void)st;
	struct fake *f = new_fake(0);
	struct tc_result r;
	run_ooo(f, CASE_OOO_FIN("state: FIN_WAIT_2"), &r);
	dump(&r);
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	assert_int_equal(r.nfailures, 1);
	assert_string_equal(r.failures[0].judge, "model");
	assert_int_equal(r.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(r.failures[0].req, "SHLD-31");
	tc_result_free(&r);
	free(f);
}

/* state: auto polled for 3 s: the model's FIN retransmission (due 1 s after the FIN) does not
 * come, and when its window closes (about 2.2 s) the judge adopts ooo_ack_at_once from the
 * missing prediction, before the state step's deadline. That is the one deviation: one SHOULD
 * failure (SHLD-31), and the state the model now has (FIN_WAIT_2) is the target's.
 *
 * A regression test: do_state once took the model's state for `state: auto` when the step
 * started and compared with it until `within`, so an alternative adopted meanwhile gave a second,
 * bogus SHOULD failure (RFC5961-3.2) at the deadline. It now re-reads the model's state. */
static void test_state_auto_long_within(void **st)
{
	(void)st;
	struct fake *f = new_fake(0);
	struct tc_result r;
	run_ooo(f, CASE_OOO_FIN("state: {is: auto, within: 3s}"), &r);
	dump(&r);
	assert_int_equal(r.nfailures, 1);
	assert_int_equal(r.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(r.failures[0].req, "SHLD-31");
	assert_null(strstr(r.model, "rfc5961"));
	assert_string_equal(tc_verdict_name(r.verdict), "warn");
	tc_result_free(&r);
	free(f);
}

/* ---- the judge driven directly ---- */

/* A write of len bytes at ts, case line 3, step 3. */
static void app_write(long len, int64_t ts) { jf_call(TC_APP_WRITE, len, 3, ts, 3); }

/* Listen, SYN, SYN-ACK, ACK, accept: ESTABLISHED at T0 + 2 ms under knobs k. */
static void established(const struct tc_knobs *k)
{
	tc_judge_free(&J);
	tc_judge_init(&J, k, &kase, TC_FAMILY_V4, 40000, PISN, &res, T0);
	jf_call(TC_APP_LISTEN, 0, 1, T0, 1);
	sent(TC_F_SYN, PISN, 0, 0, T0 + 1 * MS);
	assert_false(got(TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0, T0 + 1100).bad);
	sent(TC_F_ACK, PISN + 1, TISN + 1, 0, T0 + 2 * MS);
	jf_call(TC_APP_ACCEPT, 0, 2, T0 + 2 * MS, 2);
	assert_int_equal(tc_judge_state(&J, T0 + 2 * MS), TC_ST_ESTABLISHED);
}

static void knobs_of(const char *text, struct tc_knobs *k)
{
	char err[256];
	assert_int_equal(tc_profile_load_buf("p.yaml", text, strlen(text), k, err, sizeof(err)), 0);
}

/* RFC 9293 3.7.4 (classic Nagle) against a profile with Minshall's variant (Appendix A.3): 1470
 * bytes written make a full segment and a short one; Minshall sends both at once, classic holds
 * the short one until the full one is acknowledged. The target holds it: when the Minshall
 * prediction's window closes the model adopts classic Nagle, a choice the RFCs permit, so no
 * failure, a note in the summary; the short segment after the ACK matches. A segment that would
 * have been right for Minshall (the short one at once) was not needed for it to be adopted. */
static void test_nagle_classic_permitted(void **st)
{
	(void)st;
	struct tc_knobs k;
	/* An RTO of 3 s keeps the retransmission out of the way of the Nagle windows. */
	knobs_of("nagle_minshall: true\nrto_min: 3s\n", &k);
	established(&k);
	app_write(1470, T0 + 3 * MS);
	assert_false(got(TC_F_ACK, TISN + 1, PISN + 1, 1460, T0 + 3 * MS + 100).bad);
	tc_judge_tick(&J, T0 + 3 * MS + 1300 * MS);
	assert_int_equal(res.nfailures, 0);
	assert_false(J.stopped);
	assert_int_equal(J.m.k.nagle_minshall, 0);
	sent(TC_F_ACK, PISN + 1, TISN + 1461, 0, T0 + 1400 * MS);
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1461, PISN + 1, 10, T0 + 1400 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	sent(TC_F_ACK, PISN + 1, TISN + 1471, 0, T0 + 1401 * MS);
	tc_judge_tick(&J, T0 + 5000 * MS);
	assert_int_equal(res.nfailures, 0);
	char buf[512];
	tc_judge_summary(&J, buf, sizeof(buf));
	assert_string_equal(buf, "profile p: judged every segment and state; adopted: nagle_minshall (MAY SHLD-7)");
}

/* The reverse: a classic-Nagle profile and a target with Minshall's variant, whose short segment
 * comes at once. The model adopts the variant: the segment is judged and not bad. */
static void test_nagle_minshall_permitted(void **st)
{
	(void)st;
	struct tc_knobs k;
	knobs_of("nagle_minshall: false\n", &k);
	established(&k);
	app_write(1470, T0 + 3 * MS);
	assert_false(got(TC_F_ACK, TISN + 1, PISN + 1, 1460, T0 + 3 * MS + 100).bad);
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1461, PISN + 1, 10, T0 + 3 * MS + 200);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_non_null(strstr(v.message, "adopts nagle_minshall on"));
	assert_false(J.stopped);
	assert_int_equal(J.m.k.nagle_minshall, 1);
	assert_int_equal(res.nfailures, 0);
}

/* An ACK the model predicts at SHOULD level (level and req set here by hand: the model's rules
 * get theirs in model.c) that does not come: one SHOULD failure with that requirement, and the
 * judge goes on: the data written next is still judged, and a wrong segment after it is still
 * a MUST disagreement that stops the judge. */
static void test_missing_should_prediction(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	/* Data far outside the window: RFC 9293 3.10.7.4 first check, ACK it. */
	sent(TC_F_ACK, PISN + 1 + 200000, TISN + 1, 0, T0 + 3 * MS);
	assert_int_equal(J.npred, 1);
	J.pred[0].p.level = TC_LVL_SHOULD;
	snprintf(J.pred[0].p.req, sizeof(J.pred[0].p.req), "RFC9293-3.10.7.4");
	tc_judge_tick(&J, T0 + 3 * MS + 1300 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_string_equal(res.failures[0].judge, "model");
	assert_int_equal(res.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(res.failures[0].req, "RFC9293-3.10.7.4");
	assert_string_equal(res.failures[0].actual, "none");
	assert_false(J.stopped);
	assert_int_equal(tc_result_failure_verdict(&res), TC_V_WARN);
	app_write(5, T0 + 1400 * MS);
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 5, T0 + 1400 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	v = got(TC_F_ACK | TC_F_PSH, TISN + 9, PISN + 1, 5, T0 + 1401 * MS);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_true(J.stopped);
}

/* The same missing ACK at MUST level (set by hand: the model's rule for it is the first
 * check's lower-case "should"): a MUST failure, and the judge stops. */
static void test_missing_must_prediction_stops(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	sent(TC_F_ACK, PISN + 1 + 200000, TISN + 1, 0, T0 + 3 * MS);
	J.pred[0].p.level = TC_LVL_MUST;
	tc_judge_tick(&J, T0 + 3 * MS + 1300 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_int_equal(res.failures[0].level, TC_LVL_MUST);
	assert_true(J.stopped);
	assert_int_equal(tc_result_failure_verdict(&res), TC_V_FAIL);
}

/* A SHOULD-level prediction answered outside its window: a SHOULD failure ("after"), the
 * prediction dropped, judging goes on. */
static void test_should_prediction_late(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	sent(TC_F_ACK, PISN + 1 + 200000, TISN + 1, 0, T0 + 3 * MS);
	J.pred[0].p.level = TC_LVL_SHOULD;
	struct tc_jverdict v = got(TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3 * MS + 1100 * MS);
	assert_true(v.bad);
	assert_string_equal(v.field, "after");
	assert_int_equal(v.level, TC_LVL_SHOULD);
	assert_false(J.stopped);
	assert_int_equal(J.npred, 0);
}

/* A `state` step where the target reset on an in-window RST (RFC 793) while the profile's model
 * (RFC 5961 3.2) sent a challenge ACK and stayed: the model adopts rfc5961_rst off, a SHOULD
 * departure, and agrees with the target from then on (its challenge ACK is no longer owed). A
 * state no alternative leads to is not explained. (In role server the connection's end reads
 * CLOSED: the connection's own state, case-format.md "state".) */
static void test_state_explained(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	sent(TC_F_RST, PISN + 1 + 5, 0, 0, T0 + 3 * MS);
	assert_int_equal(J.npred, 1);
	struct tc_jverdict v;
	assert_int_equal(tc_judge_explain_state(&J, TC_ST_FIN_WAIT_1, T0 + 4 * MS, 6, &v), 0);
	assert_int_equal(tc_judge_explain_state(&J, TC_ST_CLOSED, T0 + 4 * MS, 6, &v), 1);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_SHOULD);
	assert_string_equal(v.req, "RFC5961-3.2");
	assert_string_equal(v.field, "state");
	assert_int_equal(v.step, 6);
	assert_non_null(strstr(v.message, "adopts rfc5961_rst off"));
	assert_int_equal(J.m.k.rfc5961_rst, 0);
	assert_int_equal(J.npred, 0);
	assert_int_equal(tc_judge_state(&J, T0 + 5 * MS), TC_ST_CLOSED);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 0);
}

/* Past TC_JUDGE_MAXLOG inputs no alternative is tried: the same challenge ACK missing is then
 * only the SHOULD failure of its rule (RFC 5961 3.2), nothing adopted. */
static void test_log_full_no_alternatives(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	for (int i = 0; i < TC_JUDGE_MAXLOG; i++)
		sent(TC_F_ACK, PISN + 1, TISN + 1, 0, T0 + 3 * MS + i);
	assert_true(J.log_full);
	sent(TC_F_RST, PISN + 1 + 5, 0, 0, T0 + 4 * MS);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_int_equal(res.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(res.failures[0].req, "RFC5961-3.2");
	assert_null(strstr(res.failures[0].message, "adopts"));
	assert_int_equal(J.nadopt, 0);
}

/* The profile metadata: a learned RTO is offered from the observed span, halved per back-off;
 * below the floor, or for a timer not seen, it is not; the levels follow RFC 6298 2.1 / 2.4. */
static void test_candidates(void **st)
{
	(void)st;
	struct tc_knobs k;
	struct tc_kalt c[8];
	tc_knobs_rfc9293(&k);
	struct tc_rtxobs o = {1, 800 * MS, 2, 1, 100, 50};
	int n = tc_kalt_candidates(&k, &o, c, 8);
	assert_true(n >= 2);
	assert_string_equal(c[0].knob, "rto_min");
	assert_int_equal(c[0].value, 200 * MS);
	assert_int_equal(c[0].level, TC_LVL_SHOULD);
	assert_string_equal(c[0].req, "RFC6298-2.4");
	tc_kalt_apply(&k, &c[0]);
	assert_int_equal(k.rto_min_us, 200 * MS);
	/* Before any RTT sample the initial RTO; 3 s is permitted (RFC 6298 2.1 MAY). */
	tc_knobs_rfc9293(&k);
	o.rtt_valid = 0;
	o.span = 3000 * MS;
	o.backoff = 0;
	n = tc_kalt_candidates(&k, &o, c, 8);
	assert_string_equal(c[0].knob, "rto_initial");
	assert_int_equal(c[0].value, 3000 * MS);
	assert_int_equal(c[0].level, TC_LVL_MAY);
	o.span = 10 * MS;
	n = tc_kalt_candidates(&k, &o, c, 8);
	for (int i = 0; i < n; i++)
		assert_true(strncmp(c[i].knob, "rto", 3) != 0);
	n = tc_kalt_candidates(&k, NULL, c, 8);
	assert_string_equal(c[0].knob, "rfc5961_rst");
	assert_int_equal(c[0].value, 0);
	assert_int_equal(c[0].level, TC_LVL_SHOULD);
	assert_string_equal(c[0].req, "RFC5961-3.2");
}

/* ---- the alternatives of commit cc739d6 and SHLD-31 (issue 9), on the judge directly ---- */

/* Reloads the fixture's case from text (its sysctls configure the model, judge.h). */
static void load_case(const char *text)
{
	char err[256];
	tc_case_free(&kase);
	if (tc_case_load_buf("t.yaml", text, strlen(text), &kase, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void linux_knobs(struct tc_knobs *k)
{
	char err[256];
	if (tc_profile_load("suites/profiles/linux.yaml", k, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(k->name, "linux");
}

static void summary_has(const char *want)
{
	char buf[512];
	tc_judge_summary(&J, buf, sizeof(buf));
	if (!strstr(buf, want))
		fail_msg("summary: expected it to contain \"%s\", actual \"%s\"", want, buf);
}

static void setopt(const char *name, long value, int64_t ts)
{
	struct tc_appspec a;
	memset(&a, 0, sizeof(a));
	a.call = TC_APP_SETSOCKOPT;
	snprintf(a.opt, sizeof(a.opt), "%s", name);
	a.nvalue = 1;
	a.value[0] = value;
	tc_judge_call(&J, &a, 4, ts, 4);
}

/* An active open under knobs k: connect at T0, the target's SYN at T0 + 0.1 ms (its ISS is
 * learned), then a SYN-ACK from us whose ACK is unacceptable (SEG.ACK > SND.NXT) at T0 + 1 ms,
 * and the RST RFC 9293 3.10.7.3 asks for (<SEQ=SEG.ACK><CTL=RST>) at T0 + 1.1 ms. */
static void syn_sent_bad_ack(const struct tc_knobs *k)
{
	tc_judge_free(&J);
	tc_judge_init(&J, k, &kase, TC_FAMILY_V4, 40000, PISN, &res, T0);
	jf_call(TC_APP_CONNECT, 0, 1, T0, 1);
	assert_false(got(TC_F_SYN, TISN, 0, 0, T0 + 100).bad);
	assert_int_equal(tc_judge_state(&J, T0 + 200), TC_ST_SYN_SENT);
	sent(TC_F_SYN | TC_F_ACK, PISN, TISN + 100, 0, T0 + 1 * MS);
	struct tc_jverdict v = got(TC_F_RST, TISN + 100, 0, 0, T0 + 1 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
}

/* Linux sends its SYN again two jiffies after an unacceptable ACK in SYN-SENT (knob
 * syn_sent_bad_ack_resend). RFC 9293 3.10.7.3 says only to send the RST: a retransmission
 * sooner than the timer's is no rule broken, so under rfc9293 the model adopts the knob: no
 * failure, a note naming it. Without the alternative this SYN would be a timing difference
 * (RFC 6298 2.1, SHOULD); the model then predicts the next SYN at the backed-off RTO. */
static void test_syn_sent_bad_ack_resend_permitted(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	syn_sent_bad_ack(&k);
	struct tc_jverdict v = got(TC_F_SYN, TISN, 0, 0, T0 + 3 * MS);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_int_equal(v.level, TC_LVL_MAY);
	assert_string_equal(v.req, "RFC9293-3.10.7.3");
	assert_non_null(strstr(v.message, "adopts syn_sent_bad_ack_resend on"));
	assert_false(J.stopped);
	assert_int_equal(J.m.k.syn_sent_bad_ack_resend, 1);
	assert_int_equal(res.nfailures, 0);
	/* The model judges on: the SYN-ACK that completes the open is answered by an ACK. */
	sent(TC_F_SYN | TC_F_ACK, PISN, TISN + 1, 0, T0 + 10 * MS);
	v = got(TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 10 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_int_equal(tc_judge_state(&J, T0 + 11 * MS), TC_ST_ESTABLISHED);
	tc_judge_tick(&J, T0 + 5000 * MS);
	assert_int_equal(res.nfailures, 0);
	summary_has("judged every segment and state; adopted: syn_sent_bad_ack_resend (MAY "
		    "RFC9293-3.10.7.3)");
}

/* The same SYN resent at once but with a sequence number 5 too high: no knob explains a wrong
 * sequence number, so it is a MUST failure on seq and the model stops. */
static void test_syn_sent_resend_wrong_seq_must(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	syn_sent_bad_ack(&k);
	struct tc_jverdict v = got(TC_F_SYN, TISN + 5, 0, 0, T0 + 3 * MS);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_string_equal(v.field, "seq");
	assert_null(strstr(v.message, "adopts"));
	assert_true(J.stopped);
	assert_int_equal(J.nadopt, 0);
}

/* Keep-alive on a connection under knobs k: 1 s idle, 1 s between probes, 2 probes (set with
 * the socket options, model.c call_setopt), both probes <SEQ=SND.NXT-1><ACK=RCV.NXT> sent by
 * the target at the model's times (T0 + 1003 ms and T0 + 2003 ms) and not answered. The model
 * gives up at T0 + 3003 ms. */
static void keepalive_unanswered(const struct tc_knobs *k)
{
	established(k);
	setopt("TCP_KEEPIDLE", 1, T0 + 3 * MS);
	setopt("TCP_KEEPINTVL", 1, T0 + 3 * MS);
	setopt("TCP_KEEPCNT", 2, T0 + 3 * MS);
	setopt("SO_KEEPALIVE", 1, T0 + 3 * MS);
	for (int i = 1; i <= 2; i++) {
		struct tc_jverdict v = got(TC_F_ACK, TISN, PISN + 1, 0, T0 + 3 * MS + i * 1000 * MS);
		assert_true(v.judged);
		if (v.bad)
			fail_msg("keep-alive probe %d: %s", i, v.message);
	}
}

/* RFC 1122 4.2.3.6 says the connection is closed after unanswered keep-alives; a target that
 * aborts with a RST as it goes (Linux tcp_keepalive_timer, lwIP, FreeBSD) breaks no rule. Under
 * rfc9293 (keepalive_rst off) the RST is a segment the model did not predict; the model adopts
 * keepalive_rst: no failure, a note; the connection is CLOSED for both. */
static void test_keepalive_rst_permitted(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	keepalive_unanswered(&k);
	struct tc_jverdict v = got(TC_F_RST | TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3003 * MS);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_non_null(strstr(v.message, "adopts keepalive_rst on"));
	assert_false(J.stopped);
	assert_int_equal(J.m.k.keepalive_rst, 1);
	assert_int_equal(tc_judge_state(&J, T0 + 3100 * MS), TC_ST_CLOSED);
	tc_judge_tick(&J, T0 + 10000 * MS);
	assert_int_equal(res.nfailures, 0);
	summary_has("judged every segment and state; adopted: keepalive_rst (MAY MAY-5)");
}

/* The reverse, and a missing prediction of MAY level (tc_judge_tick tries the alternatives
 * whatever the level): the linux profile predicts the RST (rule keepalive-rst, MAY); a target
 * that closes silently, as RFC 1122 4.2.3.6 describes, is explained by keepalive_rst off: no
 * failure at all (not even a MAY one), a note. */
static void test_keepalive_silent_close_permitted(void **st)
{
	(void)st;
	struct tc_knobs k;
	linux_knobs(&k);
	keepalive_unanswered(&k);
	assert_int_equal(J.npred, 0);
	tc_judge_tick(&J, T0 + 3003 * MS);
	assert_int_equal(J.npred, 1);
	assert_int_equal(J.pred[0].p.flags, TC_F_RST | TC_F_ACK);
	assert_int_equal(J.pred[0].p.level, TC_LVL_MAY);
	tc_judge_tick(&J, T0 + 10000 * MS);
	assert_int_equal(res.nfailures, 0);
	assert_false(J.stopped);
	assert_int_equal(J.m.k.keepalive_rst, 0);
	assert_int_equal(tc_judge_state(&J, T0 + 10000 * MS), TC_ST_CLOSED);
	summary_has("adopted: keepalive_rst (MAY MAY-5)");
}

/* A RST after the probes with a sequence number the keep-alive RST would not carry (SND.NXT+5):
 * not explained, a MUST failure. */
static void test_keepalive_rst_wrong_seq_must(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	keepalive_unanswered(&k);
	struct tc_jverdict v = got(TC_F_RST | TC_F_ACK, TISN + 6, PISN + 1, 0, T0 + 3003 * MS);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_null(strstr(v.message, "adopts"));
	assert_true(J.stopped);
	assert_int_equal(J.nadopt, 0);
}

/* R2 with net.ipv4.tcp_retries2 = 2 (applied under rfc9293 too: a sysctl configures the stack).
 * Counted in retransmissions (rfc9293) the model gives up, silently, at the third expiry
 * (T0 + 7003 ms); Linux measures R2 in time (RFC 9293 3.8.3 permits "time units"): its budget
 * for 2 is 7 RTO units, so it sends a third retransmission there and gives up at the fourth
 * expiry (T0 + 15003 ms). The third retransmission is explained by retries_time: no failure. */
#define CASE_RETRIES2 "id: t.j\ntitle: t\nisn: 1000\nsysctl: {net.ipv4.tcp_retries2: 2}\n" \
		      "steps:\n  - app: listen\n  - send: {flags: S, seq: 0}\n  - wait: 1s\n"

static void data_unacknowledged(void)
{
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	load_case(CASE_RETRIES2);
	established(&k);
	assert_int_equal(J.m.k.data_retries, 2);
	app_write(10, T0 + 3 * MS);
	assert_false(got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 3 * MS + 100).bad);
	/* RFC 6298 5.5: 1 s, then 2 s, then 4 s. */
	assert_false(got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 1003 * MS).bad);
	assert_false(got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 3003 * MS).bad);
}

static void test_retries_time_permitted(void **st)
{
	(void)st;
	data_unacknowledged();
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 7003 * MS);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_non_null(strstr(v.message, "adopts retries_time on"));
	assert_int_equal(J.m.k.retries_time, 1);
	assert_int_equal(tc_judge_state(&J, T0 + 7100 * MS), TC_ST_ESTABLISHED);
	/* The time budget is spent at the fourth expiry: closed without a segment. */
	tc_judge_tick(&J, T0 + 30000 * MS);
	assert_int_equal(tc_judge_state(&J, T0 + 30000 * MS), TC_ST_CLOSED);
	assert_int_equal(res.nfailures, 0);
	summary_has("judged every segment and state; adopted: retries_time (MAY RFC9293-3.8.3)");
}

/* A target that gives up after two retransmissions, as counted: the rfc9293 model agrees, and
 * nothing is adopted. */
static void test_retries_count_agrees(void **st)
{
	(void)st;
	data_unacknowledged();
	tc_judge_tick(&J, T0 + 30000 * MS);
	assert_int_equal(res.nfailures, 0);
	assert_int_equal(J.nadopt, 0);
	assert_int_equal(tc_judge_state(&J, T0 + 30000 * MS), TC_ST_CLOSED);
	summary_has("judged every segment and state");
	char buf[512];
	tc_judge_summary(&J, buf, sizeof(buf));
	assert_null(strstr(buf, "adopted"));
}

/* SHLD-31 under rfc9293 (ooo_ack_at_once off): 10 bytes of the target are in flight; our
 * segment beginning beyond RCV.NXT acknowledges them. The model holds it with its ACK (and
 * predicts the duplicate ACK of RFC 5681 4.2), so it still predicts the retransmission at the
 * RTO. A target that processes the ACK at once (Linux tcp_ack() before tcp_data_queue()) does
 * not retransmit. */
static void ooo_acks_data(void)
{
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	app_write(10, T0 + 3 * MS);
	assert_false(got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 3 * MS + 100).bad);
	sent(TC_F_ACK | TC_F_PSH, PISN + 1 + 100, TISN + 11, 5, T0 + 10 * MS);
	struct tc_jverdict v = got(TC_F_ACK, TISN + 11, PISN + 1, 0, T0 + 10 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_int_equal(J.m.snd_una, TISN + 1);
}

/* The retransmission does not come: the missing prediction (RFC6298-2.4, SHOULD) is explained
 * by ooo_ack_at_once, so exactly one failure, of the alternative's level and requirement
 * (SHOULD SHLD-31), not the missing prediction's. The model then agrees: SND.UNA covers the
 * data, no retransmission is owed, and the segment filling the hole is acknowledged with the
 * held text. */
static void test_ooo_ack_at_once_one_should(void **st)
{
	(void)st;
	ooo_acks_data();
	tc_judge_tick(&J, T0 + 2300 * MS);
	assert_int_equal(res.nfailures, 1);
	const struct tc_failure *x = &res.failures[0];
	assert_string_equal(x->judge, "model");
	assert_int_equal(x->level, TC_LVL_SHOULD);
	assert_string_equal(x->req, "SHLD-31");
	assert_string_equal(x->field, "segment");
	assert_string_equal(x->actual, "none");
	assert_non_null(strstr(x->message, "adopts ooo_ack_at_once on"));
	assert_int_equal(tc_result_failure_verdict(&res), TC_V_WARN);
	assert_false(J.stopped);
	assert_int_equal(J.m.k.ooo_ack_at_once, 1);
	assert_int_equal(J.m.snd_una, TISN + 11);
	assert_int_equal(J.npred, 0);
	sent(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 11, 100, T0 + 2400 * MS);
	struct tc_jverdict v = got(TC_F_ACK, TISN + 11, PISN + 106, 0, T0 + 2400 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	tc_judge_tick(&J, T0 + 20000 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_false(J.stopped);
	summary_has("judged every segment and state; adopted: ooo_ack_at_once (SHOULD SHLD-31)");
}

/* A target that holds the ACK as SHLD-31 says retransmits at the RTO: the rfc9293 model agrees,
 * no failure, nothing adopted. */
static void test_ooo_held_agrees(void **st)
{
	(void)st;
	ooo_acks_data();
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 1003 * MS);
	assert_true(v.judged);
	assert_false(v.bad);
	tc_judge_tick(&J, T0 + 2300 * MS);
	assert_int_equal(res.nfailures, 0);
	assert_int_equal(J.nadopt, 0);
	assert_int_equal(J.m.k.ooo_ack_at_once, 0);
}

/* A missing SHOULD-level prediction tries the alternatives too (tc_judge_tick): the challenge
 * ACK of RFC 5961 3.2 (SHOULD) for an in-window RST does not come from a target that reset as
 * RFC 793 did. The model adopts rfc5961_rst off (one SHOULD failure, RFC5961-3.2, saying so) and
 * its connection is then CLOSED like the target's; dropping the prediction alone would have left
 * it ESTABLISHED. */
static void test_missing_should_tries_alternatives(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	sent(TC_F_RST, PISN + 1 + 5, 0, 0, T0 + 3 * MS);
	assert_int_equal(J.npred, 1);
	assert_int_equal(J.pred[0].p.level, TC_LVL_SHOULD);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_int_equal(res.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(res.failures[0].req, "RFC5961-3.2");
	assert_non_null(strstr(res.failures[0].message, "adopts rfc5961_rst off"));
	assert_int_equal(J.nadopt, 1);
	assert_false(J.stopped);
	assert_int_equal(tc_judge_state(&J, T0 + 3000 * MS), TC_ST_CLOSED);
}

/* RFC 9293 3.8.6.3: an ACK may be delayed (SHLD-18), at most 500 ms (MUST-40). Data at RCV.NXT
 * makes rfc9293's model predict an immediate ACK (rule text, MUST RFC9293-3.10.7.4#7), due from
 * 5 ms before the data. */
static void data_in_order(void)
{
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	sent(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10, T0 + 100 * MS);
	assert_int_equal(J.npred, 1);
	assert_int_equal(J.pred[0].p.flags, TC_F_ACK);
	assert_int_equal(J.pred[0].p.level, TC_LVL_MUST);
	assert_string_equal(J.pred[0].p.req, "RFC9293-3.10.7.4#7");
}

/* A bare ACK earlier than the window of a MUST-level prediction: acknowledging sooner than the
 * model departs at most from SHLD-18, so the difference is SHOULD, req SHLD-18, and the model
 * judges on (the next data is still judged). */
static void test_early_bare_ack_shld18(void **st)
{
	(void)st;
	data_in_order();
	struct tc_jverdict v = got(TC_F_ACK, TISN + 1, PISN + 11, 0, T0 + 90 * MS);
	assert_true(v.bad);
	assert_string_equal(v.field, "after");
	assert_int_equal(v.level, TC_LVL_SHOULD);
	assert_string_equal(v.req, "SHLD-18");
	assert_false(J.stopped);
	assert_int_equal(J.npred, 0);
	app_write(5, T0 + 200 * MS);
	v = got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 11, 5, T0 + 200 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
}

/* The same bare ACK after the window (1 s after the data, plus 0.5 s): the delay is past the
 * prediction's window, so the prediction's own level stays: MUST, and the model stops. */
static void test_late_bare_ack_must(void **st)
{
	(void)st;
	data_in_order();
	struct tc_jverdict v = got(TC_F_ACK, TISN + 1, PISN + 11, 0, T0 + 1600 * MS);
	assert_true(v.bad);
	assert_string_equal(v.field, "after");
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_string_equal(v.req, "RFC9293-3.10.7.4#7");
	assert_true(J.stopped);
}

/* An early data segment is not a delayed-ACK question: 10 ms before the write that makes it, it
 * keeps the prediction's MUST level. */
static void test_early_data_not_softened(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	app_write(10, T0 + 100 * MS);
	assert_int_equal(J.pred[0].p.level, TC_LVL_MUST);
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 90 * MS);
	assert_true(v.bad);
	assert_string_equal(v.field, "after");
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_string_not_equal(v.req, "SHLD-18");
	assert_true(J.stopped);
}

/* Data after the write that makes it, but sooner than the window of the model's prediction
 * (forced here: the model dates an immediate send at its cause, so this cannot happen in a run
 * since note D1 of docs/deviations/lwip-triage.md). (Behaviour change: it used to be softened to
 * SHLD-7 on the guess that Nagle held the data; the level is now that of the rule that predicted
 * the data, RFC 9293 3.10.2 SEND, MUST, and the judge stops. A Nagle departure is found by the
 * nagle alternatives, test_nagle_classic_permitted and test_nagle_minshall_permitted.) */
static void test_early_data_keeps_rule_level(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	app_write(10, T0 + 100 * MS);
	J.pred[0].lo = T0 + 150 * MS; /* the model's window, as if it held the data 50 ms */
	J.log_full = 1;                /* the rule alone: no alternative is tried */
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 1, PISN + 1, 10, T0 + 110 * MS);
	assert_true(v.bad);
	assert_string_equal(v.field, "after");
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_string_equal(v.req, "RFC9293-3.10.2");
	assert_true(J.stopped);
}

/* An early bare ACK of a SHOULD-level prediction (the ACK for an unacceptable segment, RFC 9293
 * 3.10.7.4 first check) keeps its own requirement: only a MUST-level one becomes SHLD-18. */
static void test_early_should_ack_keeps_req(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	sent(TC_F_ACK, PISN + 1 + 200000, TISN + 1, 0, T0 + 100 * MS);
	assert_int_equal(J.pred[0].p.level, TC_LVL_SHOULD);
	struct tc_jverdict v = got(TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 90 * MS);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_SHOULD);
	assert_string_equal(v.req, "RFC9293-3.10.7.4#1");
	assert_false(J.stopped);
}

/* tc_judge_case_knobs: a sysctl the model knows configures the model under every profile; one
 * it does not know is ignored by rfc9293 and makes linux abstain, naming it. */
#define CASE_SYSCTLS "id: t.j\ntitle: t\nisn: 1000\n" \
		     "sysctl: {net.ipv4.tcp_synack_retries: 1, net.ipv4.tcp_fastopen: 3}\n" \
		     "steps:\n  - app: listen\n  - send: {flags: S, seq: 0}\n  - wait: 1s\n"

static void test_case_knobs(void **st)
{
	(void)st;
	struct tc_knobs k;
	char why[200] = "";
	load_case(CASE_SYSCTLS);
	tc_knobs_rfc9293(&k);
	assert_int_equal(k.synack_retries, 5);
	assert_int_equal(tc_judge_case_knobs(&k, &kase, why, sizeof(why)), 0);
	assert_int_equal(k.synack_retries, 1);
	assert_string_equal(why, "");
	linux_knobs(&k);
	assert_int_equal(tc_judge_case_knobs(&k, &kase, why, sizeof(why)), -1);
	assert_string_equal(why, "sysctl net.ipv4.tcp_fastopen is not modelled");
	/* Known only: linux applies it too. */
	load_case("id: t.j\ntitle: t\nsysctl: {net.ipv4.tcp_synack_retries: 2}\nsteps:\n"
		  "  - wait: 1s\n");
	linux_knobs(&k);
	assert_int_equal(tc_judge_case_knobs(&k, &kase, why, sizeof(why)), 0);
	assert_int_equal(k.synack_retries, 2);
}

/* The same case in a run: under rfc9293 the judge does not abstain and gives up the SYN-ACK
 * after one retransmission (the passive TCB returns to LISTEN at the second expiry, 3 s after
 * the SYN); under linux it abstains from the start with the sysctl's name. */
static void test_case_knobs_in_run(void **st)
{
	(void)st;
	struct tc_knobs k;
	load_case(CASE_SYSCTLS);
	tc_knobs_rfc9293(&k);
	tc_judge_free(&J);
	tc_judge_init(&J, &k, &kase, TC_FAMILY_V4, 40000, PISN, &res, T0);
	assert_false(J.stopped);
	assert_int_equal(J.m.k.synack_retries, 1);
	struct tc_appspec a;
	memset(&a, 0, sizeof(a));
	a.call = TC_APP_LISTEN;
	tc_judge_call(&J, &a, 1, T0, 1);
	sent(TC_F_SYN, PISN, 0, 0, T0 + 1 * MS);
	assert_false(got(TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0, T0 + 1100).bad);
	assert_false(got(TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0, T0 + 1001 * MS).bad);
	tc_judge_tick(&J, T0 + 2900 * MS);
	assert_int_equal(tc_judge_state(&J, T0 + 2900 * MS), TC_ST_SYN_RECEIVED);
	tc_judge_tick(&J, T0 + 10000 * MS);
	assert_int_equal(tc_judge_state(&J, T0 + 10000 * MS), TC_ST_LISTEN);
	assert_int_equal(res.nfailures, 0);
	linux_knobs(&k);
	tc_judge_free(&J);
	tc_judge_init(&J, &k, &kase, TC_FAMILY_V4, 40000, PISN, &res, T0);
	assert_true(J.stopped);
	summary_has("profile linux: abstained: sysctl net.ipv4.tcp_fastopen is not modelled");
}

/* The alternative time_wait_reopen (RFC 1122 4.2.2.13, MAY-2) ends the judging by abstention,
 * since the model does not follow a second incarnation. It must not excuse what no reopening
 * sends: after a new SYN in TIME-WAIT, a segment with 10 bytes of data beyond the target's own
 * FIN is a MUST failure (the rfc9293 model predicts the challenge ACK of RFC 5961 4.2).
 *
 * A regression test: a replay that abstained (time_wait_reopen on, at the SYN) once explained
 * any later segment. An abstaining alternative now explains only a segment with its flags (a
 * SYN-ACK) that comes right after the input the replay abstained at. */
static void test_tw_reopen_does_not_excuse_data(void **st)
{
	(void)st;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	established(&k);
	struct tc_appspec a;
	memset(&a, 0, sizeof(a));
	a.call = TC_APP_CLOSE;
	tc_judge_call(&J, &a, 5, T0 + 3 * MS, 5);
	assert_false(got(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3 * MS + 100).bad);
	sent(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0, T0 + 5 * MS);
	assert_false(got(TC_F_ACK, TISN + 2, PISN + 2, 0, T0 + 5 * MS + 100).bad);
	assert_int_equal(tc_judge_state(&J, T0 + 6 * MS), TC_ST_TIME_WAIT);
	sent(TC_F_SYN, PISN + 100000, 0, 0, T0 + 10 * MS);
	struct tc_jverdict v = got(TC_F_ACK | TC_F_PSH, TISN + 2, PISN + 2, 10, T0 + 10 * MS + 100);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_null(strstr(v.message, "adopts time_wait_reopen"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rto_200ms_one_should_failure),
		cmocka_unit_test(test_rto_then_must_violation),
		cmocka_unit_test(test_rto_10ms_not_explained),
		cmocka_unit_test(test_rto_wrong_seq_not_explained),
		cmocka_unit_test_setup_teardown(test_nagle_classic_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nagle_minshall_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_should_prediction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_must_prediction_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_should_prediction_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_explained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_full_no_alternatives, setup, teardown),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_state_auto_ooo_should),
		cmocka_unit_test(test_state_fixed_ooo_should),
		cmocka_unit_test(test_state_auto_long_within),
		cmocka_unit_test_setup_teardown(test_syn_sent_bad_ack_resend_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_sent_resend_wrong_seq_must, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_rst_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_silent_close_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_rst_wrong_seq_must, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_time_permitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_count_agrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_ack_at_once_one_should, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_held_agrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_should_tries_alternatives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_bare_ack_shld18, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_bare_ack_must, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_data_not_softened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_data_keeps_rule_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_should_ack_keeps_req, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_knobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_knobs_in_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tw_reopen_does_not_excuse_data, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
