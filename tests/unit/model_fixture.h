/*
 * model_fixture.h - what the unit tests of the reference model (runner/model/model.h) share: the
 * model's output and clock as file statics, the peer's segments and their options, the segment
 * the target sends for a prediction (the tests' target answers exactly what the model predicts),
 * the app-call record, and the start of a connection between the peer (port 40000, ISN PISN)
 * and the target (port 8080, ISN TISN).
 *
 * Used by the test_model_*.c files. Header-only (static functions, marked unused where a test
 * does not call them), so every test program stays one test file: the Makefile's
 * tests/unit/test_*.c rule and the fixed source lists of tests/model-mutate.sh and
 * tests/model-coverage.sh build them unchanged.
 *
 * The drivers (seg, timer_to, mcall, mf_call) are there only for a file that defines MF_DRIVERS
 * before including this header; it must then define learn_out(), the target's answer to what
 * the model predicted (what it teaches the model differs from file to file: the window, the
 * options). Files whose drivers differ in behaviour (the clock advancing by 1 ms an event in
 * test_model_linux.c and test_model_verdicts.c, the tc_mout passed by pointer in
 * test_model_states.c) keep their own and build them from the pieces below.
 */
#ifndef TC_TEST_MODEL_FIXTURE_H
#define TC_TEST_MODEL_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "../../common/names.h"
#include "../../common/seg.h"
#include "../../runner/model/model.h"
#include "../../runner/model/profile.h"

#define PISN 1000u
#define TISN 5000u
#define MF_T0 1000000 /* the model clock's start, microseconds */

#define MF_UNUSED __attribute__((unused))

/* The model's answer to the last event, and the model clock. */
static struct tc_mout out;
static int64_t now = MF_T0;

/* A segment from the peer (port 40000) to the target (8080): IPv4, window 65535, no options,
 * len bytes of payload "abc...z" repeated. */
static MF_UNUSED struct tc_seg mf_seg(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	struct tc_seg s;
	memset(&s, 0, sizeof(s));
	s.family = TC_FAMILY_V4;
	s.sport = 40000;
	s.dport = 8080;
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.win = 65535;
	s.payload_len = len;
	for (size_t i = 0; i < len && i < TC_MAX_PAYLOAD; i++)
		s.payload[i] = (uint8_t)('a' + i % 26);
	return s;
}

/* ---- options, appended to a segment's list ---- */

static MF_UNUSED void add_opt(struct tc_seg *s, struct tc_opt o)
{
	assert_true(s->nopts < TC_MAX_OPTS);
	s->opts[s->nopts++] = o;
}

static MF_UNUSED void opt_mss(struct tc_seg *s, uint16_t mss)
{
	struct tc_opt o = {.kind = TC_OPT_MSS, .len = 4, .mss = mss};
	add_opt(s, o);
}

static MF_UNUSED void opt_ts(struct tc_seg *s, uint32_t val, uint32_t ecr)
{
	struct tc_opt o = {.kind = TC_OPT_TS, .len = 10, .ts_val = val, .ts_ecr = ecr};
	add_opt(s, o);
}

static MF_UNUSED void opt_ws(struct tc_seg *s, uint8_t shift)
{
	struct tc_opt o = {.kind = TC_OPT_WSCALE, .len = 3, .wscale = shift};
	add_opt(s, o);
}

static MF_UNUSED void opt_sackok(struct tc_seg *s)
{
	struct tc_opt o = {.kind = TC_OPT_SACK_OK, .len = 2};
	add_opt(s, o);
}

/* ---- the target's side ---- */

/* The segment the target sends for prediction p: its ISN TISN where the model leaves the
 * sequence number open, window win, no options (the caller adds what its target negotiates). */
static MF_UNUSED struct tc_seg mf_target_seg(const struct tc_mseg *p, uint16_t win)
{
	struct tc_seg s = mf_seg(p->flags, p->seq_any ? TISN : p->seq, p->ack, p->len);
	s.sport = 8080;
	s.dport = 40000;
	s.win = win;
	return s;
}

/* The target sends every segment of o, each with window win and, on a SYN, MSS 1460 when
 * syn_mss: the model learns the target's ISN, window and SYN options (tc_model_learn reads
 * only the flags, the sequence number, the window and a SYN's options). */
static MF_UNUSED void mf_learn(struct tc_model *m, const struct tc_mout *o, uint16_t win, int syn_mss)
{
	for (int i = 0; i < o->nseg; i++) {
		struct tc_seg s = mf_target_seg(&o->seg[i], win);
		if (syn_mss && (s.flags & TC_F_SYN))
			opt_mss(&s, 1460);
		tc_model_learn(m, &s);
	}
}

/* ---- connections and calls ---- */

/* The app call c of len bytes with tag and how (the agent protocol's), nothing else set. */
static MF_UNUSED struct tc_mcall_in mf_call_in(int c, long len, int tag, int how)
{
	struct tc_mcall_in in;
	memset(&in, 0, sizeof(in));
	in.call = c;
	in.len = len;
	in.tag = tag;
	in.how = how;
	return in;
}

/* A fresh model under knobs k, the clock at MF_T0, bound to the target's and the peer's port. */
static MF_UNUSED void mf_start(struct tc_model *m, const struct tc_knobs *k)
{
	now = MF_T0;
	tc_model_init(m, k);
	m->port = 8080;
	m->peer_port = 40000;
}

/* The knobs of the named built-in or file profile; NULL: rfc9293. */
static MF_UNUSED void mf_knobs(const char *profile, struct tc_knobs *k)
{
	char err[256];
	if (profile)
		assert_int_equal(tc_profile_load(profile, k, err, sizeof(err)), 0);
	else
		tc_knobs_rfc9293(k);
}

/* Does the prediction g enforce req at level lvl? 0 if so, else 1 with a message naming the
 * field, the expected and the actual value. */
static MF_UNUSED int level_differs(const struct tc_mseg *g, int lvl, const char *req)
{
	if (g->level == lvl && strcmp(g->req, req) == 0)
		return 0;
	print_message("prediction \"%s\": level/req: expected %s %s, got %s %s\n", g->rule,
		      tc_level_name(lvl), req, tc_level_name(g->level), g->req);
	return 1;
}

/* ---- drivers: each event, then the target's answer (learn_out) ---- */

#ifdef MF_DRIVERS
static void learn_out(struct tc_model *m);

/* The peer's segment s arrives at the target now. */
static MF_UNUSED void seg(struct tc_model *m, struct tc_seg s)
{
	tc_model_segment(m, &s, now, &out);
	learn_out(m);
}

/* The clock moves to t and the model's timers run. */
static MF_UNUSED void timer_to(struct tc_model *m, int64_t t)
{
	now = t;
	tc_model_timer(m, now, &out);
	learn_out(m);
}

/* The application makes the call in (built with mf_call_in, then its options set). */
static MF_UNUSED void mf_call(struct tc_model *m, const struct tc_mcall_in *in)
{
	tc_model_call(m, in, now, &out);
	learn_out(m);
}

/* The application call c of len bytes, with the given tag and how. */
static MF_UNUSED void mcall(struct tc_model *m, int c, long len, int tag, int how)
{
	struct tc_mcall_in in = mf_call_in(c, len, tag, how);
	mf_call(m, &in);
}
#endif

#endif
