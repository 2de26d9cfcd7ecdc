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

#define TISN 5000u
#define MS 1000LL

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
	if (strcmp(verb, "CONFIG") == 0) {
		fio_push_line(&f->q, f->q.now + 10, "%d OK", tag);
	} else if (strcmp(verb, "STATE") == 0) {
		fio_push_line(&f->q, f->q.now + 10, "%d OK state=%s", tag, f->state);
	} else if (strcmp(call, "write") == 0) {
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
		fio_push_line(&f->q, f->q.now + 10, "%d DONE call=%s ret=0 errno=0", tag, call);
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

static const struct tc_failure *by_level(const struct tc_result *r, int level)
{
	static const struct tc_failure none = {.judge = "(none)", .field = "(none)", .level = -1};
	for (int i = 0; i < r->nfailures; i++)
		if (r->failures[i].level == level)
			return &r->failures[i];
	return &none;
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

/* ---- the judge driven directly ---- */

#define PISN 1000u
#define T0 1000000000LL

static struct tc_case kase;
static struct tc_result res;
static struct tc_judge J;

static const char *yaml = "id: t.j\ntitle: t\nisn: 1000\nsteps:\n"
			  "  - app: listen\n"
			  "  - send: {flags: S, seq: 0}\n"
			  "  - wait: 1s\n";

static int setup(void **st)
{
	(void)st;
	char err[256];
	if (tc_case_load_buf("t.yaml", yaml, strlen(yaml), &kase, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	memset(&res, 0, sizeof(res));
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	tc_judge_free(&J);
	tc_case_free(&kase);
	tc_result_free(&res);
	return 0;
}

static struct tc_seg mkseg(int from_target, uint8_t flags, uint32_t seq, uint32_t ack, size_t len,
			   int64_t ts)
{
	struct tc_seg s;
	memset(&s, 0, sizeof(s));
	s.family = TC_FAMILY_V4;
	s.sport = from_target ? 8080 : 40000;
	s.dport = from_target ? 40000 : 8080;
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.win = from_target ? 1000 : 65535;
	s.payload_len = len;
	memset(s.payload, 'x', len);
	s.ts_us = ts;
	if (flags & TC_F_SYN) {
		s.opts[0].kind = TC_OPT_MSS;
		s.opts[0].len = 4;
		s.opts[0].mss = 1460;
		s.nopts = 1;
	}
	return s;
}

static void app_write(long len, int64_t ts)
{
	struct tc_appspec a;
	memset(&a, 0, sizeof(a));
	a.call = TC_APP_WRITE;
	a.len = len;
	tc_judge_call(&J, &a, 3, ts, 3);
}

static void sent(uint8_t flags, uint32_t seq, uint32_t ack, size_t len, int64_t ts)
{
	struct tc_seg s = mkseg(0, flags, seq, ack, len, ts);
	tc_judge_sent(&J, &s, ts, 2);
}

static struct tc_jverdict got(uint8_t flags, uint32_t seq, uint32_t ack, size_t len, int64_t ts)
{
	struct tc_jverdict v;
	struct tc_seg s = mkseg(1, flags, seq, ack, len, ts);
	tc_judge_segment(&J, &s, &v);
	return v;
}

/* Listen, SYN, SYN-ACK, ACK, accept: ESTABLISHED at T0 + 2 ms under knobs k. */
static void established(const struct tc_knobs *k)
{
	tc_judge_free(&J);
	tc_judge_init(&J, k, &kase, TC_FAMILY_V4, 40000, PISN, &res, T0);
	struct tc_appspec a;
	memset(&a, 0, sizeof(a));
	a.call = TC_APP_LISTEN;
	tc_judge_call(&J, &a, 1, T0, 1);
	sent(TC_F_SYN, PISN, 0, 0, T0 + 1 * MS);
	assert_false(got(TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0, T0 + 1100).bad);
	sent(TC_F_ACK, PISN + 1, TISN + 1, 0, T0 + 2 * MS);
	a.call = TC_APP_ACCEPT;
	tc_judge_call(&J, &a, 2, T0 + 2 * MS, 2);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
