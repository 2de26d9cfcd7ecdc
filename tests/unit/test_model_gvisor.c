/*
 * test_model_gvisor.c - the gvisor profile's receive knobs, each against the rfc9293 reading it
 * relaxes: hold_beyond_rcv_nxt and data_after_close_rst_ack (netstack transport/tcp/rcv.go,
 * handleRcvdSegmentClosing and consumeSegment). Every test runs the same exchange with the
 * knob off (RFC 9293 as written) and on, and checks the answer and the state of both, so a
 * knob that stopped applying, or applied with the knob off, fails.
 *
 * The target answers exactly what the model predicts (learn), with ISN TISN and window TWIN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../common/names.h"
#include "../../common/seg.h"
#include "../../runner/model/model.h"
#include "../../runner/model/profile.h"

#define PISN 1000u
#define TISN 5000u
#define TWIN 1000u

static struct tc_mout out;
static int64_t now;

static struct tc_seg mk(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
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
		s.payload[i] = (uint8_t)('0' + i % 10);
	return s;
}

/* The target sends what the model predicted; the model learns its ISN and window. */
static void learn(struct tc_model *m)
{
	for (int i = 0; i < out.nseg; i++) {
		const struct tc_mseg *p = &out.seg[i];
		struct tc_seg s = mk(p->flags, p->seq_any ? TISN : p->seq, p->ack, p->len);
		s.sport = 8080;
		s.dport = 40000;
		s.win = TWIN;
		if (p->flags & TC_F_SYN) {
			struct tc_opt o = {.kind = TC_OPT_MSS, .len = 4, .mss = 1460};
			s.opts[s.nopts++] = o;
		}
		tc_model_learn(m, &s);
	}
}

static void seg(struct tc_model *m, struct tc_seg s)
{
	now += 1000;
	tc_model_segment(m, &s, now, &out);
	learn(m);
}

static void call(struct tc_model *m, int c, long len, int how)
{
	struct tc_mcall_in in;
	memset(&in, 0, sizeof(in));
	in.call = c;
	in.len = len;
	in.how = how;
	in.tag = 3;
	now += 1000;
	tc_model_call(m, &in, now, &out);
	learn(m);
}

/* One predicted segment with these flags, seq and (with ACK) ack. */
static void one(uint8_t flags, uint32_t seq, uint32_t ack)
{
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, flags);
	assert_int_equal(out.seg[0].seq, seq);
	if (flags & TC_F_ACK)
		assert_int_equal(out.seg[0].ack, ack);
}

/* rfc9293 knobs, with one knob of the gvisor profile switched on (NULL: none). */
static void knobs(struct tc_knobs *k, const char *knob)
{
	char err[256], buf[96];
	if (!knob) {
		tc_knobs_rfc9293(k);
		return;
	}
	snprintf(buf, sizeof(buf), "%s: true\nseq_right_edge_inclusive: true\n", knob);
	assert_int_equal(tc_profile_load_buf("t.yaml", buf, strlen(buf), k, err, sizeof(err)), 0);
}

/* A passive open up to SYN-RECEIVED: RCV.NXT = PISN+1, SND.NXT = TISN+1. */
static void syn_rcvd(struct tc_model *m, const struct tc_knobs *k)
{
	now = 1000000;
	tc_model_init(m, k);
	m->port = 8080;
	m->peer_port = 40000;
	call(m, TC_MC_LISTEN, 0, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	struct tc_opt o = {.kind = TC_OPT_MSS, .len = 4, .mss = 1460};
	syn.opts[syn.nopts++] = o;
	seg(m, syn);
	assert_int_equal(tc_model_state(m), TC_ST_SYN_RECEIVED);
}

static void est(struct tc_model *m, const struct tc_knobs *k)
{
	syn_rcvd(m, k);
	seg(m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	call(m, TC_MC_ACCEPT, 0, 0);
	assert_int_equal(tc_model_state(m), TC_ST_ESTABLISHED);
}

/* The peer's FIN: CLOSE-WAIT with RCV.NXT = PISN+2, the FIN unread. */
static void close_wait(struct tc_model *m, const struct tc_knobs *k)
{
	est(m, k);
	seg(m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
	one(TC_F_ACK, TISN + 1, PISN + 2);
	assert_int_equal(tc_model_state(m), TC_ST_CLOSE_WAIT);
}

/* Our shutdown and the peer's FIN without the ACK of ours: CLOSING, RCV.NXT = PISN+2,
 * SND.NXT = TISN+2. */
static void closing(struct tc_model *m, const struct tc_knobs *k)
{
	est(m, k);
	call(m, TC_MC_SHUTDOWN, 0, 1);
	one(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 1);
	seg(m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	assert_int_equal(tc_model_state(m), TC_ST_CLOSING);
}

/* FIN-WAIT-1 after our shutdown: SND.NXT = TISN+2, RCV.NXT = PISN+1. */
static void fin_wait_1(struct tc_model *m, const struct tc_knobs *k)
{
	est(m, k);
	call(m, TC_MC_SHUTDOWN, 0, 1);
	one(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 1);
	assert_int_equal(tc_model_state(m), TC_ST_FIN_WAIT_1);
}

/* ---- hold_beyond_rcv_nxt ---- */

/* CLOSING: an in-window ACK of our FIN beyond RCV.NXT. RFC 9293: TIME-WAIT; netstack: dropped. */
static void hold_closing(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	closing(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 2 + 100, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	knobs(&k, "hold_beyond_rcv_nxt");
	closing(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 2 + 100, TISN + 2, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSING);
	assert_non_null(strstr(out.rule, "hold_beyond_rcv_nxt"));
	/* At RCV.NXT the same ACK is taken. */
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
}

/* FIN-WAIT-1: the FIN acknowledged beyond RCV.NXT advances SND.UNA, the state waits. */
static void hold_fin_wait_1(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	fin_wait_1(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 100, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	knobs(&k, "hold_beyond_rcv_nxt");
	fin_wait_1(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 100, TISN + 2, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
	assert_int_equal(m.snd_una, TISN + 2);
	assert_int_equal(m.t_rtx, 0); /* nothing left to retransmit */
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
}

/* ESTABLISHED: a bare ACK of unsent data beyond RCV.NXT. RFC 9293: an ACK; netstack: none. */
static void hold_ack_unsent(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	est(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 100, TISN + 500, 0));
	one(TC_F_ACK, TISN + 1, PISN + 1);
	knobs(&k, "hold_beyond_rcv_nxt");
	est(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 100, TISN + 500, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	/* At RCV.NXT the fifth check applies as written. */
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 500, 0));
	one(TC_F_ACK, TISN + 1, PISN + 1);
}

/* ---- data_after_close_rst_ack ---- */

static void close_rst(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	closing(&m, &k);
	/* Text at RCV.NXT acknowledging our FIN: RFC 9293 ignores the text, enters TIME-WAIT. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 2, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	knobs(&k, "data_after_close_rst_ack");
	closing(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 2, 10));
	one(TC_F_RST | TC_F_ACK, TISN + 2, PISN + 2);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_true(m.reset);
	assert_non_null(strstr(out.rule, "data_after_close_rst_ack"));
	/* Not in CLOSE-WAIT (the application has not closed). */
	close_wait(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	for (int i = 0; i < out.nseg; i++)
		assert_false(out.seg[i].flags & TC_F_RST);
}

/* ---- fin_after_fin_acked ---- */

static void fin_after_fin(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	close_wait(&m, &k);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 2, TISN + 1, 0));
	assert_int_equal(out.nseg, 0);
	knobs(&k, "fin_after_fin_acked");
	close_wait(&m, &k);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 2, TISN + 1, 0));
	one(TC_F_ACK, TISN + 1, PISN + 3);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	assert_non_null(strstr(out.rule, "fin_after_fin_acked"));
}

/* ESTABLISHED only: in FIN-WAIT-1 the ACK of unsent data draws the fifth check's ACK. */
static void hold_ack_unsent_fin_wait_1(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, "hold_beyond_rcv_nxt");
	fin_wait_1(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 100, TISN + 500, 0));
	one(TC_F_ACK, TISN + 2, PISN + 1);
}

/* The gvisor profile file sets all three; rfc9293 none. */
static void profiles(void **st)
{
	(void)st;
	struct tc_knobs k;
	char err[256];
	assert_int_equal(tc_profile_load("suites/profiles/gvisor.yaml", &k, err, sizeof(err)), 0);
	assert_true(k.hold_beyond_rcv_nxt && k.data_after_close_rst_ack && k.fin_after_fin_acked);
	assert_int_equal(tc_profile_load("suites/profiles/rfc9293.yaml", &k, err, sizeof(err)), 0);
	assert_false(k.hold_beyond_rcv_nxt || k.data_after_close_rst_ack || k.fin_after_fin_acked);
}

/* ---- simopen_synack_table6 ---- */

/* Crossing SYNs, then the peer's SYN-ACK at IRS. Off: RFC 9293 Figure 7, the SYN-ACK completes
 * the open (MUST-10) with an ACK. On: Table 6 finds it unacceptable: the same ACK, the state
 * stays SYN-RECEIVED (MAY knob:simopen_synack_table6), and the next ACK completes it. */
static void simopen(void **u)
{
	(void)u;
	for (int on = 0; on <= 1; on++) {
		struct tc_knobs k;
		struct tc_model m;
		knobs(&k, on ? "simopen_synack_table6" : NULL);
		now = 1000000;
		tc_model_init(&m, &k);
		m.port = 8080;
		m.peer_port = 40000;
		call(&m, TC_MC_CONNECT, 0, 0);
		assert_int_equal(tc_model_state(&m), TC_ST_SYN_SENT);
		struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
		struct tc_opt o = {.kind = TC_OPT_MSS, .len = 4, .mss = 1460};
		syn.opts[syn.nopts++] = o;
		seg(&m, syn);
		assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
		struct tc_seg sa = mk(TC_F_SYN | TC_F_ACK, PISN, TISN + 1, 0);
		sa.opts[sa.nopts++] = o;
		seg(&m, sa);
		one(TC_F_ACK, TISN + 1, PISN + 1);
		if (!on) {
			assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
			assert_string_equal(out.seg[0].req, "MUST-10");
			continue;
		}
		assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
		assert_int_equal(out.seg[0].level, TC_LVL_MAY);
		assert_string_equal(out.seg[0].req, "knob:simopen_synack_table6");
		seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hold_closing),
		cmocka_unit_test(hold_fin_wait_1),
		cmocka_unit_test(hold_ack_unsent),
		cmocka_unit_test(close_rst),
		cmocka_unit_test(fin_after_fin),
		cmocka_unit_test(hold_ack_unsent_fin_wait_1),
		cmocka_unit_test(simopen),
		cmocka_unit_test(profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
