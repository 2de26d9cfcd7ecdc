/*
 * test_model_verdicts.c - what the model no longer fails a stack for (issue 9, the lwIP triage in
 * docs/deviations/lwip-triage.md, classes 9, 10, 13 and 14), on the model directly and through
 * the judge's alternatives (runner/model/profile.c kalts[]):
 *
 * - rst_right_edge_inclusive (lwIP tcp_process): a RST at exactly RCV.NXT+RCV.WND draws the
 *   challenge ACK; on a profile without the knob that challenge ACK is one SHOULD failure
 *   (RFC5961-3.2, a warn), and a wrong challenge ACK is still a MUST failure.
 * - SEG.ACK > SND.NXT: "send an ACK, drop the segment" is ESTABLISHED processing (MUST in
 *   ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING); LAST-ACK and TIME-WAIT have only RFC 9293
 *   3.5.2's lower-case must (SHOULD, RFC9293-3.5.2).
 * - time_wait_syn_rst / time_wait_syn_right_edge (lwIP tcp_timewait_input): an in-window SYN in
 *   TIME-WAIT draws <SEQ=SEG.ACK><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> and TIME-WAIT stays; as an
 *   alternative it is MAY (no failure), at RCV.NXT+RCV.WND SHOULD; a RST where the model allows
 *   none is a MUST failure that names the field and both values.
 * - ack_ignored_segment (lwIP tcp_receive / tcp_timewait_input): the redundant bare ACK after
 *   text the seventh check ignores and after a FIN without ACK in TIME-WAIT, MAY both ways; it
 *   does not excuse the duplicate ACK that is the only evidence of lwIP's SEG.ACK > SND.NXT bug
 *   (triage note D2).
 * - RFC 1337: every RST in TIME-WAIT is ignored, the challenge ACK included.
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
#include "../../runner/case.h"
#include "../../runner/judge.h"
#include "../../runner/model/model.h"
#include "../../runner/model/profile.h"

#define JF_CASE_ID "t.v"
#include "judge_fixture.h"

#include "model_fixture.h"

#define TWND JF_TWND /* the window the target advertises in these tests */

static struct tc_seg mk(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	return mkseg(0, flags, seq, ack, len, now);
}

/* ---- the model directly ---- */

/* The target sends what the model predicted: the model learns the ISN and the window. */
static void learn_out(struct tc_model *m) { mf_learn(m, &out, TWND, 1); }

/* The drivers of this file advance the clock by 1 ms a segment, not a call, so they are not
 * model_fixture.h's. */
static void seg(struct tc_model *m, struct tc_seg s)
{
	now += 1000;
	tc_model_segment(m, &s, now, &out);
	learn_out(m);
}

static void call(struct tc_model *m, int c)
{
	struct tc_mcall_in in = mf_call_in(c, 0, 7, 0);
	tc_model_call(m, &in, now, &out);
	learn_out(m);
}

/* The rfc9293 knobs with the changes in `set` applied by the caller. */
static struct tc_knobs knobs(void)
{
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	return k;
}

/* Established passive connection: RCV.NXT = PISN + 1, SND.NXT = TISN + 1, RCV.WND = TWND. */
static void est(struct tc_model *m, const struct tc_knobs *k)
{
	mf_start(m, k);
	call(m, TC_MC_LISTEN);
	seg(m, mk(TC_F_SYN, PISN, 0, 0));
	seg(m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	call(m, TC_MC_ACCEPT);
	assert_int_equal(tc_model_state(m), TC_ST_ESTABLISHED);
	assert_int_equal(m->rcv_wnd, TWND);
}

/* Drives an established connection into st. Afterwards RCV.NXT is PISN + 1 (ESTABLISHED,
 * FIN-WAIT-1/2) or PISN + 2 (after the peer's FIN); SND.NXT TISN + 1 or TISN + 2 (our FIN). */
static void into(struct tc_model *m, const struct tc_knobs *k, int st)
{
	est(m, k);
	if (st == TC_ST_CLOSE_WAIT || st == TC_ST_LAST_ACK) {
		seg(m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
		if (st == TC_ST_LAST_ACK)
			call(m, TC_MC_CLOSE);
	} else if (st != TC_ST_ESTABLISHED) {
		call(m, TC_MC_CLOSE);
		if (st == TC_ST_FIN_WAIT_2 || st == TC_ST_TIME_WAIT)
			seg(m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
		if (st == TC_ST_CLOSING || st == TC_ST_TIME_WAIT)
			seg(m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, st == TC_ST_CLOSING ? TISN + 1 : TISN + 2, 0));
	}
	assert_int_equal(tc_model_state(m), st);
}

/* Is the only prediction <SEQ=seq><ACK=ack><CTL=flags>? 0 if so, else 1 naming the field. */
static int one_seg_differs(uint8_t flags, uint32_t seq, uint32_t ack)
{
	if (out.nseg != 1) {
		print_message("nseg: expected 1, got %d (rule %s)\n", out.nseg, out.rule);
		return 1;
	}
	const struct tc_mseg *g = &out.seg[0];
	if (g->flags != flags || g->seq != seq || ((flags & TC_F_ACK) && g->ack != ack)) {
		print_message("segment: expected flags %#x seq %u ack %u, got flags %#x seq %u ack %u (%s)\n",
			      flags, seq, ack, g->flags, g->seq, g->ack, g->rule);
		return 1;
	}
	return 0;
}

/*
 * Class 9. RFC 9293 Table 6 / RFC 5961 3.2 (1): a RST at RCV.NXT+RCV.WND is outside the window
 * and dropped silently. Knob rst_right_edge_inclusive (lwIP's TCP_SEQ_BETWEEN): it is in the
 * window, not at RCV.NXT, so it draws the challenge ACK; one further right is still dropped, and
 * in TIME-WAIT (lwIP's tcp_timewait_input, no such test) the knob does not apply.
 */
static void test_rst_right_edge(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k = knobs();
	est(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 1 + TWND, 0, 0));
	assert_int_equal(out.nseg, 0);
	assert_non_null(strstr(out.rule, "RST outside the window"));
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);

	k.rst_right_edge_inclusive = 1;
	est(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 1 + TWND, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 1, PISN + 1), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_SHOULD, "RFC5961-3.2"), 0);
	assert_string_equal(out.rule, "RFC 5961 3.2 (3) in ESTABLISHED: RST at RCV.NXT+RCV.WND, in the "
			    "window by knob rst_right_edge_inclusive (lwIP), send a challenge ACK");
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	seg(&m, mk(TC_F_RST | TC_F_ACK, PISN + 2 + TWND, TISN + 1, 0));
	assert_int_equal(out.nseg, 0);
	/* Without RFC 5961 the edge RST resets, as any in-window RST did under RFC 793. */
	k.rfc5961_rst = 0;
	est(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 1 + TWND, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);

	/* TIME-WAIT under rfc1337 (lwIP's tcp_timewait_input ignores every RST): the knob does not
	 * apply. Changed with the NetBSD triage (docs/deviations/netbsd.md): without rfc1337 it
	 * does, as in NetBSD's tcp_input, whose one window test serves every state. */
	k = knobs();
	k.rst_right_edge_inclusive = 1;
	k.rfc1337 = 1;
	into(&m, &k, TC_ST_TIME_WAIT);
	seg(&m, mk(TC_F_RST, PISN + 2 + TWND, 0, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	/* A wrong expectation is caught: the dropped RST has no prediction. */
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 1);
	k.rfc1337 = 0;
	into(&m, &k, TC_ST_TIME_WAIT);
	seg(&m, mk(TC_F_RST, PISN + 2 + TWND, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_SHOULD, "RFC5961-3.2"), 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	/* Without the knob the same RST is dropped (RFC 5961 3.2 (1)). */
	k.rst_right_edge_inclusive = 0;
	into(&m, &k, TC_ST_TIME_WAIT);
	seg(&m, mk(TC_F_RST, PISN + 2 + TWND, 0, 0));
	assert_int_equal(out.nseg, 0);
}

/*
 * Class 10. RFC 9293 3.10.7.4 fifth check: "If the ACK acks something not yet sent (SEG.ACK >
 * SND.NXT), then send an ACK, drop the segment, and return" is ESTABLISHED processing; FIN-WAIT-1,
 * FIN-WAIT-2, CLOSE-WAIT and CLOSING include it, LAST-ACK and TIME-WAIT do not, and there 3.5.2's
 * lower-case "must be responded to with an empty acknowledgment segment" is SHOULD. Without RFC
 * 5961 5.2 (lwIP: rfc5961_ack off), which would answer first.
 */
static void test_ack_unsent_levels(void **u)
{
	(void)u;
	static const struct {
		int st;
		int lvl;
		const char *req;
	} t[] = {
		{TC_ST_ESTABLISHED, TC_LVL_MUST, "RFC9293-3.10.7.4#5"},
		{TC_ST_FIN_WAIT_1, TC_LVL_MUST, "RFC9293-3.10.7.4#5"},
		{TC_ST_FIN_WAIT_2, TC_LVL_MUST, "RFC9293-3.10.7.4#5"},
		{TC_ST_CLOSE_WAIT, TC_LVL_MUST, "RFC9293-3.10.7.4#5"},
		{TC_ST_CLOSING, TC_LVL_MUST, "RFC9293-3.10.7.4#5"},
		{TC_ST_LAST_ACK, TC_LVL_SHOULD, "RFC9293-3.5.2"},
		{TC_ST_TIME_WAIT, TC_LVL_SHOULD, "RFC9293-3.5.2"},
	};
	struct tc_knobs k = knobs();
	k.rfc5961_ack = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tc_model m;
		into(&m, &k, t[i].st);
		uint32_t rn = m.rcv_nxt, sn = m.snd_nxt;
		seg(&m, mk(TC_F_ACK, rn, sn + 100, 0));
		assert_int_equal(one_seg_differs(TC_F_ACK, sn, rn), 0);
		if (level_differs(&out.seg[0], t[i].lvl, t[i].req))
			fail_msg("in %s", tc_state_name(t[i].st));
		assert_int_equal(out.level, t[i].lvl);
		assert_string_equal(out.req, t[i].req);
		assert_int_equal(tc_model_state(&m), t[i].st);
	}
	/* The check catches a wrong level: the TIME-WAIT ACK is not MUST. */
	struct tc_model m;
	into(&m, &k, TC_ST_TIME_WAIT);
	seg(&m, mk(TC_F_ACK, m.rcv_nxt, m.snd_nxt + 100, 0));
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.7.4#5"), 1);
	/* In TIME-WAIT a segment with sequence space in the window is acknowledged by the state's
	 * own rule ("Acknowledge it, and restart the 2 MSL timeout", MUST), whatever its ACK field
	 * (a retransmitted FIN itself, at RCV.NXT-1, is unacceptable: the first check's ACK). */
	int64_t tw = m.t_tw;
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 2, TISN + 102, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.7.4#5"), 0);
	assert_true(m.t_tw > tw);
}

/* TIME-WAIT with RCV.NXT = PISN + 2, SND.NXT = TISN + 2, under k. */
static void time_wait(struct tc_model *m, const struct tc_knobs *k)
{
	into(m, k, TC_ST_TIME_WAIT);
}

/*
 * Class 13. Knob time_wait_syn_rst (lwIP tcp_timewait_input: tcp_rst(pcb, ackno, seqno + tcplen)):
 * a SYN in the window in TIME-WAIT draws <SEQ=SEG.ACK><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.ACK
 * being the field as sent even without the ACK bit, and TIME-WAIT stays. At RCV.NXT+RCV.WND the
 * first check finds the SYN unacceptable (ACK) unless time_wait_syn_right_edge; left of RCV.NXT
 * it is always unacceptable. Knob off: RFC 5961 4.2's challenge ACK.
 */
static void test_time_wait_syn_rst(void **u)
{
	(void)u;
	char f[32], why[256];
	struct tc_model m;
	struct tc_knobs k = knobs();
	time_wait(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN + 2, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_SHOULD, "RFC5961-4.2"), 0);

	k.time_wait_syn_rst = 1;
	time_wait(&m, &k);
	int64_t tw = m.t_tw;
	seg(&m, mk(TC_F_SYN, PISN + 2, 77, 0));
	assert_int_equal(one_seg_differs(TC_F_RST | TC_F_ACK, 77, PISN + 3), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_MAY, "RFC9293-3.10.7.4#4"), 0);
	assert_int_equal(out.seg[0].opt_must | out.seg[0].opt_maybe, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	assert_int_equal(m.t_tw, tw);
	assert_int_equal(out.ntrans, 0);
	/* The RST the target sent matches; one with another sequence number, or without its ACK
	 * bit, does not, and the check says which field. */
	struct tc_seg r = mkseg(1, TC_F_RST | TC_F_ACK, 77, PISN + 3, 0, now);
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 0);
	r.seq = 78;
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "seq");
	assert_non_null(strstr(why, "seq 78, the model predicts 77"));
	r = mkseg(1, TC_F_RST, 77, 0, 0, now);
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "flags");
	/* A SYN-ACK: the RST takes its (real) acknowledgment number. */
	seg(&m, mk(TC_F_SYN | TC_F_ACK, PISN + 2 + 500, TISN + 2, 0));
	assert_int_equal(one_seg_differs(TC_F_RST | TC_F_ACK, TISN + 2, PISN + 503), 0);
	/* The last octet of the window; then RCV.NXT+RCV.WND, then left of the window. */
	seg(&m, mk(TC_F_SYN, PISN + 1 + TWND, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_RST | TC_F_ACK, 0, PISN + 2 + TWND), 0);
	seg(&m, mk(TC_F_SYN, PISN + 2 + TWND, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_SHOULD, "RFC9293-3.10.7.4#1"), 0);
	seg(&m, mk(TC_F_SYN, PISN + 1, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);

	k.time_wait_syn_right_edge = 1;
	time_wait(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN + 2 + TWND, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_RST | TC_F_ACK, 0, PISN + 3 + TWND), 0);
	assert_non_null(strstr(out.seg[0].rule, "time_wait_syn_right_edge"));
	seg(&m, mk(TC_F_SYN, PISN + 3 + TWND, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	/* Only TIME-WAIT: in ESTABLISHED the SYN still draws RFC 5961 4.2's challenge ACK. */
	est(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN + 1, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 1, PISN + 1), 0);
}

/*
 * Class 14. Knob ack_ignored_segment: a bare <SEQ=SND.NXT><ACK=RCV.NXT> after text the seventh
 * check ignores, when the text begins before RCV.NXT (lwIP tcp_receive), in CLOSE-WAIT and in a
 * CLOSING whose FIN that segment acknowledges; after a FIN without ACK in TIME-WAIT (lwIP
 * tcp_timewait_input, which restarts the 2 MSL timer for it). Without the knob, no ACK (RFC 9293
 * asks for none). The knob changes nothing in ESTABLISHED: text with SEG.ACK > SND.NXT draws
 * the one ACK of the fifth check and is not delivered (triage note D2).
 */
static void test_ack_ignored_segment(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k = knobs();
	for (int on = 0; on < 2; on++) {
		k.ack_ignored_segment = on;
		into(&m, &k, TC_ST_CLOSE_WAIT);
		seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
		if (!on) {
			assert_int_equal(out.nseg, 0);
		} else {
			assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 1, PISN + 2), 0);
			assert_int_equal(level_differs(&out.seg[0], TC_LVL_MAY, "knob:ack_ignored_segment"), 0);
			assert_true(out.seg[0].pure_ack);
		}
		assert_int_equal(m.rbuf_len, 0);
		assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
		/* Text at RCV.NXT: ignored without an ACK either way. */
		seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 1, 10));
		assert_int_equal(out.nseg, 0);

		into(&m, &k, TC_ST_CLOSING);
		seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 2, 10));
		assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
		if (on)
			assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
		else
			assert_int_equal(out.nseg, 0);

		into(&m, &k, TC_ST_TIME_WAIT);
		int64_t tw = m.t_tw;
		seg(&m, mk(TC_F_FIN, PISN + 2, 0, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
		if (on) {
			assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
			assert_true(m.t_tw > tw);
		} else {
			assert_int_equal(out.nseg, 0);
			assert_int_equal(m.t_tw, tw);
		}
		/* A bare segment without ACK (no sequence space) draws nothing. */
		seg(&m, mk(0, PISN + 2, 0, 0));
		assert_int_equal(out.nseg, 0);

		struct tc_knobs k2 = k;
		k2.rfc5961_ack = 0;
		into(&m, &k2, TC_ST_ESTABLISHED);
		seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1 + 999, 10));
		assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 1, PISN + 1), 0);
		assert_int_equal(level_differs(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.7.4#5"), 0);
		assert_int_equal(m.rbuf_len, 0);
	}
}

/* RFC 1337 section 3: "Ignore RST segments in TIME-WAIT state": an in-window RST not at RCV.NXT
 * draws no challenge ACK either (lwIP, FreeBSD). Without RFC 1337, RFC 5961 3.2's challenge. */
static void test_rfc1337_ignores_every_rst(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k = knobs();
	time_wait(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 12, 0, 0));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	k.rfc1337 = 1;
	time_wait(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 12, 0, 0));
	assert_int_equal(out.nseg, 0);
	assert_non_null(strstr(out.rule, "RFC 1337"));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	seg(&m, mk(TC_F_RST, PISN + 2, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
}

/* ---- the NetBSD triage (docs/deviations/netbsd.md) ---- */

/*
 * Knob data_after_close_rst (NetBSD tcp_input: "If new data are received on a connection after
 * the user processes are gone, then RST the other end"; RFC 9293 3.6 SHLD-3). Off: TIME-WAIT's
 * fifth check, an ACK, TIME-WAIT stays. On, after close(): <SEQ=SEG.ACK><CTL=RST> and CLOSED,
 * MAY knob:data_after_close_rst, for text at RCV.NXT and beyond the window alike; an entirely
 * old segment is still only ACKed, and a half-closed connection (shutdown, no close) takes its
 * data as before.
 */
static void test_data_after_close_rst(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k = knobs();
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 2, 10));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);

	k.data_after_close_rst = 1;
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 2, 10));
	assert_int_equal(one_seg_differs(TC_F_RST, TISN + 2, 0), 0);
	assert_int_equal(level_differs(&out.seg[0], TC_LVL_MAY, "knob:data_after_close_rst"), 0);
	assert_int_equal(out.seg[0].flags_maybe, 0);
	assert_non_null(strstr(out.rule, "data_after_close_rst"));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	/* A wrong expectation is caught: the ACK of the knob-off model is not what comes. */
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 1);
	/* SEQ = SEG.ACK as sent, far beyond the window too (NetBSD trims the right edge later). */
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 2 + (1u << 30), TISN + 1, 10));
	assert_int_equal(one_seg_differs(TC_F_RST, TISN + 1, 0), 0);
	/* Entirely old text: the first check's ACK, TIME-WAIT stays. */
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN - 20, TISN + 2, 10));
	assert_int_equal(one_seg_differs(TC_F_ACK, TISN + 2, PISN + 2), 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	/* LAST-ACK after close(): the RST too. */
	into(&m, &k, TC_ST_LAST_ACK);
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 1, 5));
	assert_int_equal(one_seg_differs(TC_F_RST, TISN + 1, 0), 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	/* FIN-WAIT-2 after shutdown(SHUT_WR), the socket still open: the text is delivered. */
	est(&m, &k);
	struct tc_mcall_in in;
	memset(&in, 0, sizeof(in));
	in.call = TC_MC_SHUTDOWN;
	in.how = 1;
	tc_model_call(&m, &in, now, &out);
	learn_out(&m);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 2, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	for (int i = 0; i < out.nseg; i++)
		assert_false(out.seg[i].flags & TC_F_RST);
	assert_int_equal(m.rcv_nxt, PISN + 11);

	/* The profile file takes the knob by name. */
	static const char text[] = "data_after_close_rst: true\n";
	char err[256] = "";
	struct tc_knobs p;
	assert_int_equal(tc_profile_load_buf("p.yaml", text, strlen(text), &p, err, sizeof(err)), 0);
	assert_int_equal(p.data_after_close_rst, 1);
	assert_int_equal(knobs().data_after_close_rst, 0);
}

/* A passive open's SYN-ACK: options[] of the target's segment with the given kinds. */
static struct tc_seg synack_with(const int *kinds, int n)
{
	struct tc_seg s = mkseg(1, TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0, now);
	s.nopts = 0;
	for (int i = 0; i < n; i++) {
		struct tc_opt *o = &s.opts[s.nopts++];
		memset(o, 0, sizeof(*o));
		o->kind = (uint8_t)kinds[i];
		o->len = kinds[i] == TC_OPT_MSS ? 4 : kinds[i] == TC_OPT_SACK_OK ? 2 :
			 kinds[i] == TC_OPT_WSCALE ? 3 : 10;
		o->mss = 1460;
	}
	return s;
}

/*
 * RFC 2018 2 puts no condition on SACK-permitted in a SYN-ACK ("may be sent in a SYN"), unlike
 * RFC 7323 2.2 / 3.2 for WS and TS: a stack that offers SACK may send it to a SYN without it
 * (NetBSD's SYN-ACK from SYN-RECEIVED), a stack that does not offer it may not, and WS / TS
 * stay forbidden.
 */
static void test_synack_sack_permitted(void **u)
{
	(void)u;
	char fld[32], why[256];
	struct tc_model m;
	struct tc_knobs k = knobs();
	k.syn_opts = TC_OBIT(TC_OPT_MSS) | TC_OBIT(TC_OPT_SACK_OK) | TC_OBIT(TC_OPT_TS) |
		     TC_OBIT(TC_OPT_WSCALE);
	k.syn_opts_maybe = 0;
	now = 1000000;
	tc_model_init(&m, &k);
	m.port = 8080;
	m.peer_port = 40000;
	call(&m, TC_MC_LISTEN);
	now += 1000;
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	tc_model_segment(&m, &syn, now, &out);
	assert_int_equal(out.nseg, 1);
	const struct tc_mseg *g = &out.seg[0];
	assert_int_equal(g->opt_must, TC_OBIT(TC_OPT_MSS));
	assert_int_equal(g->opt_maybe, TC_OBIT(TC_OPT_SACK_OK));
	static const int ms[] = {TC_OPT_MSS, TC_OPT_SACK_OK}, mw[] = {TC_OPT_MSS, TC_OPT_WSCALE},
			 m1[] = {TC_OPT_MSS};
	struct tc_seg a = synack_with(ms, 2), b = synack_with(mw, 2), c = synack_with(m1, 1);
	assert_int_equal(tc_mseg_check(g, &a, fld, sizeof(fld), why, sizeof(why)), 0);
	assert_int_equal(tc_mseg_check(g, &c, fld, sizeof(fld), why, sizeof(why)), 0);
	assert_int_equal(tc_mseg_check(g, &b, fld, sizeof(fld), why, sizeof(why)), 1);
	assert_string_equal(fld, "options");
	assert_non_null(strstr(why, "wscale"));
	/* A stack whose SYN does not offer SACK: SACK-permitted on its SYN-ACK is an error. */
	k.syn_opts = TC_OBIT(TC_OPT_MSS);
	tc_model_init(&m, &k);
	m.port = 8080;
	m.peer_port = 40000;
	call(&m, TC_MC_LISTEN);
	tc_model_segment(&m, &syn, now, &out);
	assert_int_equal(out.seg[0].opt_maybe, 0);
	assert_int_equal(tc_mseg_check(&out.seg[0], &a, fld, sizeof(fld), why, sizeof(why)), 1);
	assert_string_equal(fld, "options");
	assert_non_null(strstr(why, "sack_ok"));
}

/* The profile file takes the four knobs by name. */
static void test_profile_knobs(void **u)
{
	(void)u;
	static const char text[] = "rst_right_edge_inclusive: true\ntime_wait_syn_rst: true\n"
				   "time_wait_syn_right_edge: true\nack_ignored_segment: true\n";
	struct tc_knobs k;
	char err[256];
	assert_int_equal(tc_profile_load_buf("p.yaml", text, strlen(text), &k, err, sizeof(err)), 0);
	assert_int_equal(k.rst_right_edge_inclusive, 1);
	assert_int_equal(k.time_wait_syn_rst, 1);
	assert_int_equal(k.time_wait_syn_right_edge, 1);
	assert_int_equal(k.ack_ignored_segment, 1);
	tc_knobs_rfc9293(&k);
	assert_int_equal(k.rst_right_edge_inclusive | k.time_wait_syn_rst | k.time_wait_syn_right_edge |
			 k.ack_ignored_segment, 0);
	/* The lwIP profile sets them (the lwIP run's traces, suites/profiles/lwip.yaml). */
	assert_int_equal(tc_profile_load_file("suites/profiles/lwip.yaml", &k, err, sizeof(err)), 0);
	assert_int_equal(k.rst_right_edge_inclusive & k.time_wait_syn_rst & k.time_wait_syn_right_edge &
			 k.ack_ignored_segment & k.rfc1337, 1);
	assert_int_equal(k.rfc5961_ack, 0);
}

/* ---- through the judge: the alternatives of kalts[] ---- */

/* The fixture's case, result and judge (judge_fixture.h); calls are case line 1, step 1. */
static void japp(int call, int64_t ts) { jf_call(call, 0, 1, ts, 1); }

static void not_bad(struct tc_jverdict v)
{
	if (v.bad)
		fail_msg("the model objects: field %s, expected %s: %s", v.field, v.expected, v.message);
	assert_true(v.judged);
}

/* Listen, SYN, SYN-ACK, ACK, accept under knobs k: ESTABLISHED at T0 + 2 ms. */
static void j_established(const struct tc_knobs *k)
{
	tc_judge_free(&J);
	tc_result_free(&res);
	memset(&res, 0, sizeof(res));
	tc_judge_init(&J, k, &kase, TC_FAMILY_V4, 40000, PISN, &res, T0);
	japp(TC_APP_LISTEN, T0);
	sent(TC_F_SYN, PISN, 0, 0, T0 + 1 * MS);
	not_bad(got(TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0, T0 + 1100));
	sent(TC_F_ACK, PISN + 1, TISN + 1, 0, T0 + 2 * MS);
	japp(TC_APP_ACCEPT, T0 + 2 * MS);
	assert_int_equal(tc_judge_state(&J, T0 + 2 * MS), TC_ST_ESTABLISHED);
}

/* Then close, the peer's ACK and FIN: TIME-WAIT at T0 + 6 ms (RCV.NXT PISN + 2, SND.NXT TISN + 2). */
static void j_time_wait(const struct tc_knobs *k)
{
	j_established(k);
	japp(TC_APP_CLOSE, T0 + 3 * MS);
	not_bad(got(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3 * MS + 100));
	sent(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0, T0 + 5 * MS);
	not_bad(got(TC_F_ACK, TISN + 2, PISN + 2, 0, T0 + 5 * MS + 100));
	assert_int_equal(tc_judge_state(&J, T0 + 6 * MS), TC_ST_TIME_WAIT);
}

/*
 * Class 9 through the judge. rfc9293 profile (no rst_right_edge_inclusive): a RST at exactly
 * RCV.NXT+RCV.WND answered by a challenge ACK is one SHOULD failure, req RFC5961-3.2 (the model
 * adopts the knob; verdict warn). A challenge ACK with a wrong acknowledgment number is
 * explained by nothing: a MUST failure naming the field.
 */
static void test_judge_rst_right_edge_should(void **st)
{
	(void)st;
	struct tc_knobs k = knobs();
	j_established(&k);
	sent(TC_F_RST, PISN + 1 + TWND, 0, 0, T0 + 3 * MS);
	assert_int_equal(J.npred, 0);
	struct tc_jverdict v = got(TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3 * MS + 100);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_SHOULD);
	assert_string_equal(v.req, "RFC5961-3.2");
	assert_non_null(strstr(v.message, "adopts rst_right_edge_inclusive on"));
	assert_int_equal(J.m.k.rst_right_edge_inclusive, 1);
	assert_false(J.stopped);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 0); /* the judge's verdict goes to the executor: none here */

	/* The wrong answer. */
	j_established(&k);
	sent(TC_F_RST, PISN + 1 + TWND, 0, 0, T0 + 3 * MS);
	v = got(TC_F_ACK, TISN + 1, PISN + 2, 0, T0 + 3 * MS + 100);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_string_equal(v.field, "segment");
	assert_string_equal(v.expected, "none");
	assert_non_null(strstr(v.message, "ack 2"));
	assert_true(J.stopped);

	/* Under a profile that sets the knob, the challenge ACK is simply right. */
	k.rst_right_edge_inclusive = 1;
	j_established(&k);
	sent(TC_F_RST, PISN + 1 + TWND, 0, 0, T0 + 3 * MS);
	not_bad(got(TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3 * MS + 100));
	assert_int_equal(J.nadopt, 0);
}

/*
 * Class 13 through the judge. rfc9293 profile: lwIP's reset for a SYN at RCV.NXT in TIME-WAIT is
 * a choice RFC 9293 3.10.7.4 permits: no failure, time_wait_syn_rst adopted (MAY), TIME-WAIT
 * kept. For the SYN at RCV.NXT+RCV.WND the same reset departs from the first check's should:
 * one SHOULD failure (time_wait_syn_right_edge, RFC9293-3.10.7.4#1). With the knobs on, a RST
 * for a SYN left of the window (where the model says ACK) is a MUST failure naming the field,
 * what the model expected and what came.
 */
static void test_judge_time_wait_syn_rst(void **st)
{
	(void)st;
	struct tc_knobs k = knobs();
	j_time_wait(&k);
	sent(TC_F_SYN, PISN + 2, 0, 0, T0 + 10 * MS);
	struct tc_jverdict v = got(TC_F_RST | TC_F_ACK, 0, PISN + 3, 0, T0 + 10 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_non_null(strstr(v.message, "adopts time_wait_syn_rst on"));
	assert_int_equal(tc_judge_state(&J, T0 + 11 * MS), TC_ST_TIME_WAIT);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 0);
	char buf[512];
	tc_judge_summary(&J, buf, sizeof(buf));
	assert_non_null(strstr(buf, "adopted: time_wait_syn_rst (MAY RFC9293-3.10.7.4#4)"));

	j_time_wait(&k);
	sent(TC_F_SYN, PISN + 2 + TWND, 0, 0, T0 + 10 * MS);
	v = got(TC_F_RST | TC_F_ACK, 0, PISN + 3 + TWND, 0, T0 + 10 * MS + 100);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_SHOULD);
	assert_string_equal(v.req, "RFC9293-3.10.7.4#1");
	assert_non_null(strstr(v.message, "adopts time_wait_syn_right_edge on"));
	assert_int_equal(J.m.k.time_wait_syn_rst, 1);
	assert_false(J.stopped);

	k.time_wait_syn_rst = k.time_wait_syn_right_edge = 1;
	j_time_wait(&k);
	sent(TC_F_SYN, PISN + 1, 0, 0, T0 + 10 * MS);
	v = got(TC_F_RST | TC_F_ACK, 0, PISN + 2, 0, T0 + 10 * MS + 100);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_string_equal(v.field, "flags");
	assert_string_equal(v.expected, "A seq 2 ack 2 len 0");
	assert_non_null(strstr(v.message, "Flags [R.]"));
	assert_non_null(strstr(v.message, "flags AR, the model predicts A"));
	assert_true(J.stopped);
}

/*
 * Class 14 through the judge. rfc9293 profile: the redundant ACK of text ignored in CLOSE-WAIT
 * (beginning before RCV.NXT) is permitted: no failure, ack_ignored_segment adopted (MAY). A
 * profile with the knob whose target sends no such ACK: also no failure (the knob is turned
 * off, MAY). The same bare ACK after in-order text in ESTABLISHED that acks unsent data (lwIP's
 * bug, triage class 2) is still a MUST failure.
 */
static void test_judge_ack_ignored_segment(void **st)
{
	(void)st;
	struct tc_knobs k = knobs();
	j_established(&k);
	sent(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0, T0 + 3 * MS);
	not_bad(got(TC_F_ACK, TISN + 1, PISN + 2, 0, T0 + 3 * MS + 100));
	sent(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10, T0 + 5 * MS);
	struct tc_jverdict v = got(TC_F_ACK, TISN + 1, PISN + 2, 0, T0 + 5 * MS + 100);
	assert_true(v.judged);
	assert_false(v.bad);
	assert_non_null(strstr(v.message, "adopts ack_ignored_segment on"));
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 0);
	assert_false(J.stopped);

	k.ack_ignored_segment = 1;
	j_established(&k);
	sent(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0, T0 + 3 * MS);
	not_bad(got(TC_F_ACK, TISN + 1, PISN + 2, 0, T0 + 3 * MS + 100));
	sent(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10, T0 + 5 * MS);
	assert_int_equal(J.npred, 1);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 0);
	assert_int_equal(J.m.k.ack_ignored_segment, 0);
	assert_false(J.stopped);

	/* Class 2 stays a failure: text with SEG.ACK > SND.NXT, acknowledged at once (right), then
	 * accepted (wrong: its ACK shows RCV.NXT moved). */
	k = knobs();
	k.rfc5961_ack = 0;
	j_established(&k);
	sent(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1 + 999, 10, T0 + 3 * MS);
	not_bad(got(TC_F_ACK, TISN + 1, PISN + 1, 0, T0 + 3 * MS + 100));
	v = got(TC_F_ACK, TISN + 1, PISN + 11, 0, T0 + 3 * MS + 200);
	assert_true(v.bad);
	assert_int_equal(v.level, TC_LVL_MUST);
	assert_null(strstr(v.message, "adopts"));
}

/*
 * Class 10 through the judge, with lwIP's rfc5961_ack off: no ACK for SEG.ACK > SND.NXT in
 * TIME-WAIT is one SHOULD failure, RFC9293-3.5.2 (verdict warn); in ESTABLISHED it is MUST
 * RFC9293-3.10.7.4#5 and the judge stops (verdict fail).
 */
static void test_judge_ack_unsent(void **st)
{
	(void)st;
	struct tc_knobs k = knobs();
	k.rfc5961_ack = 0;
	j_time_wait(&k);
	sent(TC_F_ACK, PISN + 2, TISN + 102, 0, T0 + 10 * MS);
	assert_int_equal(J.npred, 1);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_int_equal(res.failures[0].level, TC_LVL_SHOULD);
	assert_string_equal(res.failures[0].req, "RFC9293-3.5.2");
	assert_string_equal(res.failures[0].field, "segment");
	assert_string_equal(res.failures[0].actual, "none");
	assert_int_equal(tc_result_failure_verdict(&res), TC_V_WARN);
	assert_false(J.stopped);

	j_established(&k);
	sent(TC_F_ACK, PISN + 1, TISN + 101, 0, T0 + 10 * MS);
	tc_judge_tick(&J, T0 + 3000 * MS);
	assert_int_equal(res.nfailures, 1);
	assert_int_equal(res.failures[0].level, TC_LVL_MUST);
	assert_string_equal(res.failures[0].req, "RFC9293-3.10.7.4#5");
	assert_int_equal(tc_result_failure_verdict(&res), TC_V_FAIL);
	assert_true(J.stopped);
}

/* The alternatives offered: both directions, their levels, and that turning the right-edge SYN
 * reset on turns the reset itself on (one candidate is replayed at a time). */
static void test_candidates(void **st)
{
	(void)st;
	struct tc_kalt c[24];
	struct tc_knobs k = knobs();
	int n = tc_kalt_candidates(&k, NULL, c, 24);
	static const struct {
		const char *knob;
		int lvl_on, lvl_off;
		const char *req;
	} want[] = {
		{"rst_right_edge_inclusive", TC_LVL_SHOULD, TC_LVL_MAY, "RFC5961-3.2"},
		{"time_wait_syn_rst", TC_LVL_MAY, TC_LVL_MAY, "RFC9293-3.10.7.4#4"},
		{"time_wait_syn_right_edge", TC_LVL_SHOULD, TC_LVL_MAY, "RFC9293-3.10.7.4#1"},
		{"ack_ignored_segment", TC_LVL_MAY, TC_LVL_MAY, "RFC9293-3.10.7.4#7"},
	};
	struct tc_knobs all = k;
	all.rst_right_edge_inclusive = all.time_wait_syn_rst = all.time_wait_syn_right_edge =
		all.ack_ignored_segment = 1;
	struct tc_kalt c2[24];
	int n2 = tc_kalt_candidates(&all, NULL, c2, 24);
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		int found = 0;
		for (int i = 0; i < n; i++)
			if (!strcmp(c[i].knob, want[w].knob)) {
				found = 1;
				assert_int_equal(c[i].value, 1);
				if (c[i].level != want[w].lvl_on || strcmp(c[i].req, want[w].req))
					fail_msg("%s on: level/req: expected %s %s, got %s %s", want[w].knob,
						 tc_level_name(want[w].lvl_on), want[w].req,
						 tc_level_name(c[i].level), c[i].req);
			}
		for (int i = 0; i < n2; i++)
			if (!strcmp(c2[i].knob, want[w].knob)) {
				found++;
				assert_int_equal(c2[i].value, 0);
				assert_int_equal(c2[i].level, want[w].lvl_off);
			}
		if (found != 2)
			fail_msg("%s: expected an alternative each way, found %d", want[w].knob, found);
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(c[i].knob, "time_wait_syn_right_edge")) {
			struct tc_knobs t = k;
			tc_kalt_apply(&t, &c[i]);
			assert_int_equal(t.time_wait_syn_right_edge, 1);
			assert_int_equal(t.time_wait_syn_rst, 1);
		}
	for (int i = 0; i < n2; i++)
		if (!strcmp(c2[i].knob, "time_wait_syn_right_edge")) {
			struct tc_knobs t = all;
			tc_kalt_apply(&t, &c2[i]);
			assert_int_equal(t.time_wait_syn_right_edge, 0);
			assert_int_equal(t.time_wait_syn_rst, 1);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_right_edge),
		cmocka_unit_test(test_ack_unsent_levels),
		cmocka_unit_test(test_time_wait_syn_rst),
		cmocka_unit_test(test_ack_ignored_segment),
		cmocka_unit_test(test_rfc1337_ignores_every_rst),
		cmocka_unit_test(test_data_after_close_rst),
		cmocka_unit_test(test_synack_sack_permitted),
		cmocka_unit_test(test_profile_knobs),
		cmocka_unit_test_setup_teardown(test_judge_rst_right_edge_should, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_time_wait_syn_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_ack_ignored_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_ack_unsent, setup, teardown),
		cmocka_unit_test(test_candidates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
