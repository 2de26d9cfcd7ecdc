/*
 * test_model_paths.c - the reference model's rarer rules, one RFC sentence (or documented
 * profile behaviour) per test: options (RFC 7323 timestamps, window scale, PAWS; RFC 2018 SACK;
 * MSS), the send window, retransmission give-up (RFC 9293 3.8.3 R2, Linux's time budget), the
 * RTO ceiling (RFC 6298 2.5), keep-alive (RFC 1122 4.2.3.6), the LISTEN and SYN-SENT corner
 * cases, the zero receive window (Table 6), out-of-order FINs (SHLD-31), the simultaneous open
 * completed by a SYN-ACK (Figure 7), RFC 793 behaviour with RFC 5961 off, CLOSE and ABORT in
 * every state that has a rule, and the calls that are errors.
 *
 * The target in these tests answers exactly what the model predicts (learn_out), with its own
 * ISN TISN, its window `twin` and, once negotiated, its options.
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

#define MF_DRIVERS
#include "model_fixture.h"

#define TWS 7          /* the target's window scale shift, when it sends one */

static uint16_t twin = 1000;   /* the window field of the target's segments */
static uint32_t ttsval = 7000; /* the target's TSval */

/* A segment from the peer (port 40000) to the target (8080); no options. */
static struct tc_seg mk(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	return mf_seg(flags, seq, ack, len);
}

/* The target sends what the model predicted: it learns the ISN, the window and the options. */
static void learn_out(struct tc_model *m)
{
	for (int i = 0; i < out.nseg; i++) {
		const struct tc_mseg *p = &out.seg[i];
		struct tc_seg s = mf_target_seg(p, twin);
		if (p->flags & TC_F_SYN) {
			opt_mss(&s, 1460);
			if (p->opt_must & TC_OBIT(TC_OPT_WSCALE))
				opt_ws(&s, TWS);
			if (p->opt_must & TC_OBIT(TC_OPT_SACK_OK))
				opt_sackok(&s);
		}
		if (p->opt_must & TC_OBIT(TC_OPT_TS))
			opt_ts(&s, ttsval++, m->ts_recent);
		tc_model_learn(m, &s);
	}
}

static void callh(struct tc_model *m, int c, long len, int how) { mcall(m, c, len, 7, how); }

static void call(struct tc_model *m, int c, long len) { callh(m, c, len, 1); }

static void setopt(struct tc_model *m, int opt, long v)
{
	struct tc_mcall_in in = mf_call_in(TC_MC_SETOPT, 0, 8, 0);
	in.opt = opt;
	in.value[0] = v;
	in.nvalue = 1;
	mf_call(m, &in);
}

static void knobs(const char *profile, struct tc_knobs *k) { mf_knobs(profile, k); }

/* Peer SYN options for est_k(): bits TC_OBIT(kind). */
#define P_TS TC_OBIT(TC_OPT_TS)
#define P_WS TC_OBIT(TC_OPT_WSCALE)
#define P_SACK TC_OBIT(TC_OPT_SACK_OK)

/*
 * An established passive connection with knobs k. The peer's SYN carries MSS `mss` (0: no MSS
 * option), the options in popts (WS with shift 16, TS with TSval 100) and window `pwin`; its
 * final ACK carries the same window (and TSval 101 with timestamps).
 */
static void est_k(struct tc_model *m, const struct tc_knobs *k, uint16_t mss, unsigned popts, uint16_t pwin)
{
	mf_start(m, k);
	twin = 1000;
	call(m, TC_MC_LISTEN, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	syn.win = pwin;
	if (mss)
		opt_mss(&syn, mss);
	if (popts & P_WS)
		opt_ws(&syn, 16);
	if (popts & P_SACK)
		opt_sackok(&syn);
	if (popts & P_TS)
		opt_ts(&syn, 100, 0);
	seg(m, syn);
	assert_int_equal(tc_model_state(m), TC_ST_SYN_RECEIVED);
	struct tc_seg ack = mk(TC_F_ACK, PISN + 1, TISN + 1, 0);
	ack.win = pwin;
	if (popts & P_TS)
		opt_ts(&ack, 101, ttsval - 1);
	seg(m, ack);
	call(m, TC_MC_ACCEPT, 0);
	assert_int_equal(out.ndone, 1);
	assert_int_equal(tc_model_state(m), TC_ST_ESTABLISHED);
}

static void est(struct tc_model *m, const char *profile)
{
	struct tc_knobs k;
	knobs(profile, &k);
	est_k(m, &k, 1460, 0, 65535);
}

/* ---- options ---- */

/* RFC 7323 2.3: "If a Window Scale option is received with a shift.cnt value larger than 14,
 * the TCP SHOULD log the error but MUST use 14 instead"; 2.2: the window of a segment without
 * SYN is scaled. 3.2: once negotiated, timestamps go on every segment; 4.3: TS.Recent takes a
 * TSval at or after Last.ACK.sent; 5.3 R1: a segment with an older TSval (RST excepted) is
 * unacceptable: "Send an acknowledgment in reply ... and drop the segment". RFC 2018 2/4: SACK
 * blocks may appear once SACK-permitted was exchanged. */
static void test_timestamps_window_scale_sack(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs("linux", &k);
	est_k(&m, &k, 1460, P_TS | P_WS | P_SACK, 65535);
	assert_true(m.ts_ok);
	assert_true(m.ws_ok);
	assert_true(m.sack_ok);
	assert_int_equal(m.snd_wscale, 14);
	assert_int_equal(m.rcv_wscale, TWS);
	/* RFC 7323 2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be
	 * scaled": the target's SYN-ACK window is taken as it is. */
	assert_int_equal(m.rcv_wnd, 1000);
	assert_int_equal(m.ts_recent, 101);

	struct tc_seg d = mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10);
	d.win = 2;
	opt_ts(&d, 102, ttsval - 1);
	seg(&m, d);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 11);
	assert_true(out.seg[0].opt_must & TC_OBIT(TC_OPT_TS));
	assert_true(out.seg[0].opt_maybe & TC_OBIT(TC_OPT_SACK));
	assert_int_equal(m.ts_recent, 102);
	assert_int_equal(m.snd_wnd, 2u << 14);
	/* The target's ACK (learnt) has its window scaled by its own shift. */
	assert_int_equal(m.rcv_wnd, 1000u << TWS);

	/* PAWS: TSval 50 < TS.Recent 102. */
	d = mk(TC_F_ACK | TC_F_PSH, PISN + 11, TISN + 1, 10);
	opt_ts(&d, 50, ttsval - 1);
	seg(&m, d);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_ACK);
	assert_int_equal(out.seg[0].ack, PISN + 11);
	assert_non_null(strstr(out.rule, "RFC 7323 5.3 R1 (PAWS)"));
	assert_int_equal(m.rcv_nxt, PISN + 11);
	assert_int_equal(m.ts_recent, 102);

	/* R1 exempts RSTs: an old TSval on a RST at RCV.NXT still resets. */
	d = mk(TC_F_RST, PISN + 11, 0, 0);
	opt_ts(&d, 50, 0);
	seg(&m, d);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_non_null(strstr(out.rule, "RFC 5961 3.2 (2)"));
}

/* RFC 7323 2.2 / 3.2: a SYN-ACK carries WS or TS only when the SYN had them. An option the
 * parser marked malformed was not offered; and the model counts only the target's well-formed
 * options, so without the target's TS nothing is negotiated. */
static void test_malformed_options_not_offered(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs("linux", &k);
	tc_model_init(&m, &k);
	m.port = 8080;
	call(&m, TC_MC_LISTEN, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	opt_mss(&syn, 1460);
	opt_ws(&syn, 2);
	syn.opts[1].malformed = 1;
	opt_ts(&syn, 100, 0);
	tc_model_segment(&m, &syn, now, &out);
	assert_int_equal(out.nseg, 1);
	assert_true(out.seg[0].opt_must & TC_OBIT(TC_OPT_TS));
	assert_false(out.seg[0].opt_must & TC_OBIT(TC_OPT_WSCALE));
	assert_false(out.seg[0].opt_maybe & TC_OBIT(TC_OPT_WSCALE));
	/* The target's SYN-ACK: its TS option is malformed. */
	struct tc_seg sa = mk(TC_F_SYN | TC_F_ACK, TISN, PISN + 1, 0);
	sa.sport = 8080;
	opt_mss(&sa, 1460);
	opt_ts(&sa, 1, 100);
	sa.opts[1].malformed = 1;
	tc_model_learn(&m, &sa);
	assert_false(m.ts_ok);
	assert_int_equal(m.iss, TISN);
}

/* RFC 9293 3.7.1: the effective send MSS is min(SendMSS + 20, MMS_S) - 20 (a 9000-byte MSS on
 * a 1500-byte link gives 1460); without an MSS option the default is 536 for IPv4 (MUST-15)
 * and 1220 for IPv6 (RFC 8200: 1280 minimum MTU). SEND segmentizes at that size; only the last
 * segment of the write carries PSH. */
static void test_mss_effective(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	tc_model_init(&m, &k);
	m.mtu = 1500;
	m.port = 8080;
	m.peer_port = 40000;
	call(&m, TC_MC_LISTEN, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	opt_mss(&syn, 9000);
	seg(&m, syn);
	assert_int_equal(m.snd_mss, 1460);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	setopt(&m, TC_MO_NODELAY, 1);
	call(&m, TC_MC_SEND, 3000);
	assert_int_equal(out.nseg, 3);
	assert_int_equal(out.seg[0].len, 1460);
	assert_int_equal(out.seg[0].flags, TC_F_ACK);
	assert_int_equal(out.seg[1].seq, TISN + 1461);
	assert_int_equal(out.seg[2].len, 80);
	assert_int_equal(out.seg[2].flags, TC_F_ACK | TC_F_PSH);

	est_k(&m, &k, 0, 0, 65535);
	assert_int_equal(m.snd_mss, 536);
	tc_model_init(&m, &k);
	m.ipv6 = 1;
	call(&m, TC_MC_LISTEN, 0);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	assert_int_equal(m.snd_mss, 1220);
}

/* ---- the send side ---- */

/* RFC 9293 3.8.6.2.1: the usable window is SND.UNA + SND.WND - SND.NXT; nothing is sent beyond
 * it. When the peer shrinks the window below what is in flight, or closes it, the target would
 * probe (3.8.6.1), which the model does not model: it abstains. */
static void test_send_window_limit(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	est_k(&m, &k, 1460, 0, 100);
	assert_int_equal(m.snd_wnd, 100);
	setopt(&m, TC_MO_NODELAY, 1);
	call(&m, TC_MC_SEND, 300);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].len, 100);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "the usable window is 0"));

	est_k(&m, &k, 1460, 0, 200);
	setopt(&m, TC_MO_NODELAY, 1);
	call(&m, TC_MC_SEND, 100);
	assert_int_equal(out.nseg, 1);
	/* A window update (same SEG.SEQ, same SEG.ACK: SND.WL2 =< SEG.ACK) shrinks it to 50,
	 * below the 100 bytes in flight (RFC 9293 3.8.6.2.1 "shrinking the window"). */
	struct tc_seg a = mk(TC_F_ACK, PISN + 1, TISN + 1, 0);
	a.win = 50;
	seg(&m, a);
	assert_int_equal(m.snd_wnd, 50);
	assert_false(m.lost);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 0);
	assert_true(m.lost);
}

/* RFC 9293 3.10.7.4 SYN-RECEIVED / fifth check: SND.WND <- SEG.WND on the final ACK and on
 * window updates (SND.WL1 < SEG.SEQ, or equal and SND.WL2 =< SEG.ACK); MAX.SND.WND (RFC 5961
 * 5.2) follows the largest. A segment older than SND.WL1 does not update the window. */
static void test_window_updates(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	tc_model_init(&m, &k);
	m.port = 8080;
	call(&m, TC_MC_LISTEN, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	syn.win = 100;
	seg(&m, syn);
	assert_int_equal(m.max_snd_wnd, 100);
	struct tc_seg a = mk(TC_F_ACK, PISN + 1, TISN + 1, 0);
	a.win = 5000;
	seg(&m, a);
	assert_int_equal(m.snd_wnd, 5000);
	assert_int_equal(m.max_snd_wnd, 5000);
	a.win = 8000;
	seg(&m, a);
	assert_int_equal(m.snd_wnd, 8000);
	assert_int_equal(m.max_snd_wnd, 8000);
	struct tc_seg d = mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10);
	d.win = 8000;
	seg(&m, d);
	assert_int_equal(m.snd_wl1, PISN + 1);
	a = mk(TC_F_ACK, PISN + 11, TISN + 1, 0);
	a.win = 300;
	seg(&m, a);
	assert_int_equal(m.snd_wnd, 300);
	assert_int_equal(m.max_snd_wnd, 8000);
	a = mk(TC_F_ACK, PISN + 1, TISN + 1, 0); /* older than SND.WL1 */
	a.win = 9000;
	seg(&m, a);
	assert_int_equal(m.snd_wnd, 300);
}

/* The model predicts at most TC_MODEL_MAXOUT segments per event; a real stack is held back by
 * its congestion window (RFC 5681 3.1), which the model does not model, so it abstains rather
 * than predict a burst that would be wrong. */
static void test_burst_abstains(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	est_k(&m, &k, 536, 0, 65535);
	setopt(&m, TC_MO_NODELAY, 1);
	call(&m, TC_MC_SEND, 6000);
	assert_int_equal(out.nseg, TC_MODEL_MAXOUT);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "congestion window"));
}

/* RFC 1122 4.2.3.4 (Nagle) read strictly (rfc9293): the sender "buffers all user data ...
 * until the outstanding data has been acknowledged", so the FIN queued by CLOSE waits behind the
 * held data, and both leave together on the ACK. Linux (tcp_nagle_test: "or for the final FIN")
 * sends the held data with the FIN at once: knob nagle_fin_push. */
static void test_nagle_and_close(void **u)
{
	(void)u;
	for (int linux_ = 0; linux_ < 2; linux_++) {
		struct tc_model m;
		est(&m, linux_ ? "linux" : NULL);
		call(&m, TC_MC_SEND, 10);
		assert_int_equal(out.nseg, 1);
		call(&m, TC_MC_SEND, 10);
		assert_int_equal(out.nseg, 0);
		call(&m, TC_MC_CLOSE, 0);
		assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
		if (linux_) {
			assert_int_equal(out.nseg, 1);
		} else {
			assert_int_equal(out.nseg, 0);
			seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 11, 0));
			assert_int_equal(out.nseg, 1);
		}
		assert_int_equal(out.seg[0].flags, TC_F_ACK | TC_F_PSH | TC_F_FIN);
		assert_int_equal(out.seg[0].seq, TISN + 11);
		assert_int_equal(out.seg[0].len, 10);
		assert_int_equal(m.snd_nxt, TISN + 22);
	}
}

/* RFC 9293 3.10.7.4 seventh: "This acknowledgment should be piggybacked on a segment being
 * transmitted if possible": data released by the peer's ACK carries the ACK of the peer's data,
 * and no separate bare ACK is predicted. */
static void test_ack_piggybacked_on_data(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_SEND, 10);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 0);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 11, 5));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].len, 10);
	assert_int_equal(out.seg[0].ack, PISN + 6);
	assert_false(out.seg[0].pure_ack);
}

/* RFC 9293 3.10.7.4 fifth check, LAST-ACK: "The only thing that can arrive in this state is an
 * acknowledgment of our FIN. If our FIN is now acknowledged, delete the TCB"; an ACK of the data
 * before it leaves LAST-ACK. FIN-WAIT-1 likewise waits for the ACK of the FIN. */
static void test_closing_states_wait_for_fin_ack(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 1);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_FIN | TC_F_ACK);
	assert_int_equal(out.seg[0].seq, TISN + 11);
	assert_int_equal(tc_model_state(&m), TC_ST_LAST_ACK);
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 11, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_LAST_ACK);
	assert_non_null(strstr(out.rule, "waiting for the ACK of our FIN"));
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 12, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */

	est(&m, NULL);
	call(&m, TC_MC_SEND, 10);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.seg[0].seq, TISN + 11);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 11, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 12, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
}

/* ---- timers ---- */

/* RFC 9293 3.8.3 (R2) counted in retransmissions (rfc9293, data_retries 2): two
 * retransmissions with the backed-off RTO (RFC 6298 5.5), then the connection is closed and a
 * blocked RECEIVE fails with "timed out"; a later SEND says so once, then EPIPE. */
static void test_data_retries_exhausted(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	k.data_retries = 2;
	est_k(&m, &k, 1460, 0, 65535);
	call(&m, TC_MC_RECEIVE, 100);
	assert_true(out.pending);
	call(&m, TC_MC_SEND, 10);
	int64_t t0 = now;
	assert_int_equal(tc_model_next_deadline(&m), t0 + 1000000);
	timer_to(&m, t0 + 1000000);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].seq, TISN + 1);
	assert_int_equal(out.seg[0].len, 10);
	assert_int_equal(tc_model_next_deadline(&m), t0 + 3000000);
	timer_to(&m, t0 + 3000000);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(tc_model_next_deadline(&m), t0 + 7000000);
	timer_to(&m, t0 + 7000000);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_non_null(strstr(out.rule, "RFC 9293 3.8.3 (R2)"));
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "ETIMEDOUT");
	call(&m, TC_MC_SEND, 1);
	assert_string_equal(out.done[0].err, "EPIPE");
}

/* Linux (ip-sysctl tcp_retries2): R2 is a time budget, rto_min * (2^(R2+1) - 1) while the RTO
 * doubles, linear at TCP_RTO_MAX past that: "The default value of 15 yields a hypothetical
 * timeout of 924.6 seconds". With R2 = 1 the budget is 600 ms: retransmissions at 200 ms and
 * 600 ms, and the connection gives up at the next expiry (1.4 s). */
static void test_linux_retries_time_budget(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs("linux", &k);
	assert_int_equal(tc_knobs_sysctl(&k, "net.ipv4.tcp_retries2", "1"), 1);
	est_k(&m, &k, 1460, 0, 65535);
	call(&m, TC_MC_SEND, 10);
	int64_t t0 = now;
	timer_to(&m, t0 + 200000);
	assert_int_equal(out.nseg, 1);
	timer_to(&m, t0 + 600000);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(tc_model_next_deadline(&m), t0 + 1400000);
	timer_to(&m, t0 + 1400000);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */

	knobs("linux", &k);
	est_k(&m, &k, 1460, 0, 65535);
	call(&m, TC_MC_SEND, 10);
	int64_t first = 0, last = 0, prev = 0;
	int n = 0;
	while (tc_model_state(&m) == TC_ST_ESTABLISHED && n < 40) {
		timer_to(&m, tc_model_next_deadline(&m));
		if (out.nseg) {
			n++;
			if (!first)
				first = now;
			prev = now;
		}
		last = now;
	}
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_true(last - first >= 924600000);
	assert_true(prev - first < 924600000);
	assert_int_equal(n, 16);
}

/* RFC 6298 2.5: "A maximum value MAY be placed on RTO provided it is at least 60 seconds" (the
 * rfc9293 profile's rto_max). A 100 s RTT sample gives SRTT + 4 RTTVAR far above it. */
static void test_rto_ceiling(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_SEND, 10);
	now += 100000000;
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 11, 0));
	assert_int_equal(m.rto, 60000000);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(tc_model_next_deadline(&m), now + 60000000);
}

/* RFC 1122 4.2.3.6: keep-alive "MUST default to no less than two hours"; probes are sent when
 * "no data or acknowledgement packets have been received for the connection within an
 * interval"; the rfc9293 profile closes the connection silently after the last unanswered probe
 * (a RST is Linux's choice), and the application is told it timed out. */
static void test_keepalive_rfc9293(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	setopt(&m, TC_MO_KEEPALIVE, 1);
	assert_int_equal(tc_model_next_deadline(&m), now + 7200000000LL);
	setopt(&m, TC_MO_KEEPIDLE, 10);
	assert_int_equal(tc_model_next_deadline(&m), now + 10000000);
	setopt(&m, TC_MO_KEEPINTVL, 1);
	setopt(&m, TC_MO_KEEPCNT, 1);
	now += 5000000;
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	assert_int_equal(tc_model_next_deadline(&m), now + 10000000);
	timer_to(&m, now + 10000000);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].seq, TISN);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	timer_to(&m, now + 1000000);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_non_null(strstr(out.rule, "keep-alive probes unanswered, the connection is closed"));
	call(&m, TC_MC_SEND, 1);
	assert_string_equal(out.done[0].err, "ETIMEDOUT");
}

/* ---- receiving ---- */

/* RFC 9293 3.10.7.4 (Table 6): with RCV.WND = 0 only a zero-length segment at RCV.NXT is
 * acceptable; text is not ("If the RCV.WND is zero, no segments will be acceptable, but special
 * allowance should be made to accept valid ACKs"), and draws an ACK. */
static void test_zero_receive_window(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	struct tc_seg t = mk(TC_F_ACK, TISN + 1, PISN + 1, 0);
	t.sport = 8080;
	t.win = 0;
	tc_model_learn(&m, &t);
	twin = 0; /* and the target's ACKs below keep it closed */
	assert_int_equal(m.rcv_wnd, 0);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	assert_int_equal(out.nseg, 0);
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 1, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 5));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	assert_int_equal(m.rbuf_len, 0);
}

/* RFC 9293 3.10.7.4: "One could tailor actual segments to fit this assumption by trimming off
 * any portions that lie outside the window": of 20 bytes at RCV.NXT with a 10-byte window, the
 * first 10 are taken and acknowledged. */
static void test_text_trimmed_to_window(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	struct tc_seg t = mk(TC_F_ACK, TISN + 1, PISN + 1, 0);
	t.sport = 8080;
	t.win = 10;
	tc_model_learn(&m, &t);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 20));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 11);
	call(&m, TC_MC_RECEIVE, 100);
	assert_int_equal(out.done[0].ret, 10);
	assert_memory_equal(out.done[0].data, "abcdefghij", 10);
}

/* RFC 9293 3.10.7.4 (SHLD-31): out-of-order text with a FIN is held (with an immediate
 * duplicate ACK, RFC 5681 4.2); when the hole is filled, the text and then the FIN are processed
 * in order: ESTABLISHED goes to CLOSE-WAIT, and FIN-WAIT-1 with our FIN unacknowledged goes to
 * CLOSING ("otherwise, enter the CLOSING state"). */
static void test_held_fin_processed_in_order(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	seg(&m, mk(TC_F_ACK | TC_F_PSH | TC_F_FIN, PISN + 11, TISN + 1, 5));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 17);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	call(&m, TC_MC_RECEIVE, 100);
	assert_int_equal(out.done[0].ret, 15);
	call(&m, TC_MC_RECEIVE, 100);
	assert_int_equal(out.done[0].ret, 0);

	est(&m, NULL);
	callh(&m, TC_MC_SHUTDOWN, 0, 1);
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
	seg(&m, mk(TC_F_ACK | TC_F_FIN, PISN + 11, TISN + 1, 0));
	assert_int_equal(out.seg[0].ack, PISN + 1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(out.seg[0].ack, PISN + 12);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSING);
}

/* Socket API after a reset: the first read reports ECONNRESET, later reads return 0 (end of
 * file), as RFC 9293 3.10.3 CLOSED "connection does not exist" is mapped by read(2). */
static void test_receive_after_reset(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	call(&m, TC_MC_RECEIVE, 10);
	assert_int_equal(out.done[0].ret, -1);
	assert_string_equal(out.done[0].err, "ECONNRESET");
	call(&m, TC_MC_RECEIVE, 10);
	assert_int_equal(out.done[0].ret, 0);
	assert_string_equal(out.done[0].err, "0");
}

/* ---- LISTEN, SYN-SENT, SYN-RECEIVED ---- */

/* RFC 9293 3.10.7.2 third: "Set RCV.NXT to SEG.SEQ+1 ... any other control or text should be
 * queued for processing later": a SYN with data is answered by a SYN-ACK acknowledging the SYN
 * only. A segment for another port finds no TCB (3.10.7.1: <SEQ=SEG.ACK><CTL=RST>). The first
 * SYN sets the connection's peer port; a SYN from another port once a connection existed is a
 * second connection, which the model does not model. */
static void test_listen_corners(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	tc_model_init(&m, &k);
	m.port = 8080;
	m.peer_port = 40001;
	call(&m, TC_MC_LISTEN, 0);
	struct tc_seg s = mk(TC_F_ACK, PISN, 777, 0);
	s.dport = 9999;
	seg(&m, s);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	assert_int_equal(out.seg[0].seq, 777);
	assert_int_equal(out.seg[0].sport, 9999);
	assert_non_null(strstr(out.rule, "no socket on that port"));
	seg(&m, mk(TC_F_SYN, PISN, 0, 20));
	assert_int_equal(m.peer_port, 40000);
	assert_int_equal(out.seg[0].flags, TC_F_SYN | TC_F_ACK);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	assert_int_equal(out.seg[0].dport, 40000);
	assert_non_null(strstr(out.rule, "20 data bytes are not acknowledged"));
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
	s = mk(TC_F_SYN, 9000, 0, 0);
	s.sport = 40002;
	seg(&m, s);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "second connection"));
}

/* Linux tcp_rcv_synsent_state_process (profile knob syn_sent_bad_ack_resend): after an
 * unacceptable ACK in SYN-SENT the SYN is retransmitted at once; RFC 9293 3.10.7.3 only says
 * "send a reset (unless the RST bit is set, if so drop the segment and return)". */
static void test_syn_sent_bad_ack(void **u)
{
	(void)u;
	for (int linux_ = 0; linux_ < 2; linux_++) {
		struct tc_model m;
		struct tc_knobs k;
		knobs(linux_ ? "linux" : NULL, &k);
		tc_model_init(&m, &k);
		call(&m, TC_MC_CONNECT, 0);
		int64_t rto = tc_model_next_deadline(&m);
		assert_int_equal(rto, now + 1000000);
		seg(&m, mk(TC_F_RST | TC_F_ACK, PISN, TISN + 77, 0));
		assert_int_equal(out.nseg, 0);
		assert_non_null(strstr(out.rule, "unacceptable ACK on a RST"));
		assert_int_equal(tc_model_next_deadline(&m), linux_ ? now + 1000 : rto);
		seg(&m, mk(TC_F_ACK, PISN, TISN + 77, 0));
		assert_int_equal(out.nseg, 1);
		assert_int_equal(out.seg[0].flags, TC_F_RST);
		assert_int_equal(out.seg[0].seq, TISN + 77);
		assert_int_equal(tc_model_state(&m), TC_ST_SYN_SENT);
	}
}

/* RFC 9293 Figure 7 (simultaneous open): in SYN-RECEIVED the peer's SYN-ACK acknowledges our
 * SYN: enter ESTABLISHED, send an ACK, and the connect completes. 3.10.7.4 second check,
 * SYN-RECEIVED: "If this connection was initiated with an active OPEN (i.e., came from SYN-SENT
 * state), then the connection was refused; signal the user 'connection refused'". */
static void test_simultaneous_open_paths(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	tc_model_init(&m, &k);
	call(&m, TC_MC_CONNECT, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	opt_mss(&syn, 1460);
	seg(&m, syn);
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
	struct tc_seg sa = mk(TC_F_SYN | TC_F_ACK, PISN, TISN + 1, 0);
	sa.win = 4000;
	opt_mss(&sa, 1460);
	seg(&m, sa);
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_ACK);
	assert_int_equal(out.seg[0].seq, TISN + 1);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	assert_non_null(strstr(out.rule, "Figure 7"));
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "0");
	assert_int_equal(m.snd_wnd, 4000);

	tc_model_init(&m, &k);
	call(&m, TC_MC_CONNECT, 0);
	seg(&m, syn);
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "ECONNREFUSED");
}

/* Linux TCP_DEFER_ACCEPT (tcp(7): "Allow a listener to be awakened only when data arrives on
 * the socket"): a bare final ACK leaves the connection in SYN-RECEIVED and stops the SYN-ACK
 * timer; the first data completes the handshake and is acknowledged. */
static void test_defer_accept(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs("linux", &k);
	tc_model_init(&m, &k);
	m.port = 8080;
	call(&m, TC_MC_LISTEN, 0);
	setopt(&m, TC_MO_DEFER_ACCEPT, 5);
	assert_true(m.defer_accept);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
	assert_int_equal(tc_model_next_deadline(&m), 0);
	assert_non_null(strstr(out.rule, "TCP_DEFER_ACCEPT"));
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	assert_int_equal(out.seg[0].ack, PISN + 11);
}

/* ---- knobs that relax or restore RFC text ---- */

/* Linux tcp_validate_incoming() / tcp_reset_check(): in CLOSE-WAIT (and LAST-ACK, CLOSING) a
 * RST at RCV.NXT-1 fails the sequence check yet resets. Under rfc9293 it is left of the window:
 * RFC 5961 3.2 (1) "If the RST bit is set and the sequence number is outside the current
 * receive window, silently drop the segment". */
static void test_rst_rcv_nxt_minus_one(void **u)
{
	(void)u;
	for (int linux_ = 0; linux_ < 2; linux_++) {
		struct tc_model m;
		est(&m, linux_ ? "linux" : NULL);
		seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
		now += 1000000;
		seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
		if (linux_) {
			assert_int_equal(out.nseg, 0);
			assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
			assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
		} else {
			assert_int_equal(out.nseg, 0);
			assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
			assert_non_null(strstr(out.rule, "RFC 5961 3.2 (1)"));
		}
		assert_non_null(strstr(out.rule, linux_ ? "RST at RCV.NXT-1 (profile knob rst_rcv_nxt_minus_one" : "outside the window"));
	}
}

/* RFC 1337 section 3 through the Linux sysctl net.ipv4.tcp_rfc1337 = 1: a RST in TIME-WAIT is
 * ignored. Linux tcp_timewait_state_process (knob time_wait_reopen, RFC 1122 4.2.2.13 MAY): a
 * new SYN above RCV.NXT reopens, which the model does not model (abstains); the rfc9293
 * profile applies RFC 5961 4.2 instead (a challenge ACK). */
static void test_time_wait_linux(void **u)
{
	(void)u;
	for (int linux_ = 0; linux_ < 2; linux_++) {
		struct tc_model m;
		struct tc_knobs k;
		knobs(linux_ ? "linux" : NULL, &k);
		assert_int_equal(tc_knobs_sysctl(&k, "net.ipv4.tcp_rfc1337", "1"), 1);
		assert_int_equal(k.rfc1337, 1);
		est_k(&m, &k, 1460, 0, 65535);
		call(&m, TC_MC_CLOSE, 0);
		seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
		seg(&m, mk(TC_F_RST, PISN + 2, 0, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
		assert_non_null(strstr(out.rule, "RFC 1337"));
		seg(&m, mk(TC_F_SYN, PISN + 100, 0, 0));
		if (linux_) {
			assert_true(m.lost);
			assert_non_null(strstr(m.lost_why, "TIME-WAIT"));
		} else {
			assert_false(m.lost);
			assert_int_equal(out.nseg, 1);
			assert_non_null(strstr(out.rule, "RFC 5961 4.2"));
		}
	}
}

/* With RFC 5961 off, RFC 9293 3.10.7.4's text applies as written. Fourth check: "If the SYN bit
 * is set, irrespective of the sequence number, TCP endpoints MUST send a 'challenge ACK'" is
 * RFC 5961's; RFC 793's was "If the SYN is in the window it is an error, send a reset, any
 * outstanding RECEIVEs and SEND should receive 'reset' responses ... enter the CLOSED state".
 * Fifth check: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK,
 * drop the segment, and return"; "If the ACK is a duplicate (SEG.ACK < SND.UNA), it can be
 * ignored" (RFC 5961 5.2 would send an ACK for one below SND.UNA - MAX.SND.WND). */
static void test_rfc793_behaviour(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	char err[256];
	assert_int_equal(tc_profile_load_buf("t.yaml", "rfc5961_syn: false\nrfc5961_ack: off\n", 35,
					     &k, err, sizeof(err)), 0);
	est_k(&m, &k, 1460, 0, 65535);
	call(&m, TC_MC_RECEIVE, 10);
	seg(&m, mk(TC_F_SYN, PISN + 5, 0, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	assert_int_equal(out.seg[0].seq, TISN + 1);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "ECONNRESET");
	assert_non_null(strstr(out.rule, "RFC 793 behaviour"));

	est_k(&m, &k, 1460, 0, 65535);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 100, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	assert_non_null(strstr(out.rule, "SEG.ACK > SND.NXT"));
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN - 200000, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(m.snd_una, TISN + 1);

	est(&m, NULL); /* RFC 5961 5.2 on: the same old ACK draws an ACK */
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN - 200000, 0));
	assert_int_equal(out.nseg, 1);
	assert_non_null(strstr(out.rule, "RFC 5961 5.2"));
}

/* ---- CLOSE, ABORT and the calls that are errors ---- */

/* RFC 9293 3.10.4 CLOSE: LISTEN "Delete TCB, enter CLOSED state"; SYN-SENT "Delete the TCB";
 * FIN-WAIT-1/2 "Strictly speaking, this is an error ... An 'ok' response would be acceptable,
 * too, as long as a second FIN is not emitted" (Linux starts the orphan FIN-WAIT-2 timer,
 * tcp_fin_timeout); TIME-WAIT "Respond with 'error: connection closing'": nothing is sent. */
static void test_close_in_each_state(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	tc_model_init(&m, &k);
	call(&m, TC_MC_LISTEN, 0);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_string_equal(out.rule, "RFC 9293 3.10.4 CLOSE in LISTEN: delete the TCB");
	assert_int_equal(out.nseg, 0);

	tc_model_init(&m, &k);
	call(&m, TC_MC_CONNECT, 0);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_next_deadline(&m), 0);
	assert_non_null(strstr(out.rule, "CLOSE in SYN-SENT"));

	tc_model_init(&m, &k);
	m.port = 8080;
	call(&m, TC_MC_LISTEN, 0);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	call(&m, TC_MC_CLOSE, 0);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "not accepted yet"));

	est(&m, "linux");
	callh(&m, TC_MC_SHUTDOWN, 0, 1);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	assert_int_equal(tc_model_next_deadline(&m), 0);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_next_deadline(&m), now + 60000000);
	assert_non_null(strstr(out.rule, "already closing"));

	est(&m, NULL);
	callh(&m, TC_MC_SHUTDOWN, 0, 1);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	assert_non_null(strstr(out.rule, "CLOSE in TIME_WAIT: already closing"));
}

/* RFC 9293 3.10.5 ABORT, ESTABLISHED: "Send a reset segment: <SEQ=SND.NXT><CTL=RST> ... enter
 * CLOSED state" (an ACK bit on the RST is allowed). */
static void test_abort(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_SEND, 10);
	call(&m, TC_MC_ABORT, 0);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	assert_int_equal(out.seg[0].flags_maybe, TC_F_ACK);
	assert_int_equal(out.seg[0].seq, TISN + 11);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_non_null(strstr(out.rule, "RFC 9293 3.10.5 ABORT"));
}

/* RFC 9293 3.10.3 RECEIVE and 3.10.2 SEND in CLOSED: "error: connection does not exist"
 * (ENOTCONN; shutdown(2) likewise); shutdown(SHUT_RD) has no wire effect. Beyond the model:
 * more unacknowledged data than it buffers, too many blocked calls, an unknown call; once it
 * abstains every event says so. */
static void test_call_errors_and_limits(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	knobs(NULL, &k);
	tc_model_init(&m, &k);
	call(&m, TC_MC_RECEIVE, 10);
	assert_false(out.pending);
	assert_int_equal(out.done[0].ret, -1);
	assert_string_equal(out.done[0].err, "ENOTCONN");
	assert_int_equal(m.nblk, 0);
	callh(&m, TC_MC_SHUTDOWN, 0, 1);
	assert_string_equal(out.done[0].err, "ENOTCONN");
	call(&m, TC_MC_SEND, 1);
	assert_string_equal(out.done[0].err, "ENOTCONN");

	est(&m, NULL);
	callh(&m, TC_MC_SHUTDOWN, 0, 0);
	assert_int_equal(out.nseg, 0);
	assert_true(m.rd_shut);
	assert_string_equal(out.done[0].err, "0");
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);

	est(&m, NULL);
	call(&m, TC_MC_SEND, TC_MODEL_BUF + 1);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "more unacknowledged data"));
	call(&m, TC_MC_SEND, 1);
	assert_int_equal(out.ndone, 0);
	assert_non_null(strstr(out.rule, "model abstains"));

	est(&m, NULL);
	call(&m, 99, 0);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "a call the model does not know"));

	est(&m, NULL);
	for (int i = 0; i < 8; i++) {
		call(&m, TC_MC_RECEIVE, 10);
		assert_true(out.pending);
	}
	assert_false(m.lost);
	call(&m, TC_MC_RECEIVE, 10);
	assert_true(m.lost);
	assert_non_null(strstr(m.lost_why, "too many blocked calls"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamps_window_scale_sack),
		cmocka_unit_test(test_malformed_options_not_offered),
		cmocka_unit_test(test_mss_effective),
		cmocka_unit_test(test_send_window_limit),
		cmocka_unit_test(test_window_updates),
		cmocka_unit_test(test_burst_abstains),
		cmocka_unit_test(test_nagle_and_close),
		cmocka_unit_test(test_ack_piggybacked_on_data),
		cmocka_unit_test(test_closing_states_wait_for_fin_ack),
		cmocka_unit_test(test_data_retries_exhausted),
		cmocka_unit_test(test_linux_retries_time_budget),
		cmocka_unit_test(test_rto_ceiling),
		cmocka_unit_test(test_keepalive_rfc9293),
		cmocka_unit_test(test_zero_receive_window),
		cmocka_unit_test(test_text_trimmed_to_window),
		cmocka_unit_test(test_held_fin_processed_in_order),
		cmocka_unit_test(test_receive_after_reset),
		cmocka_unit_test(test_listen_corners),
		cmocka_unit_test(test_syn_sent_bad_ack),
		cmocka_unit_test(test_simultaneous_open_paths),
		cmocka_unit_test(test_defer_accept),
		cmocka_unit_test(test_rst_rcv_nxt_minus_one),
		cmocka_unit_test(test_time_wait_linux),
		cmocka_unit_test(test_rfc793_behaviour),
		cmocka_unit_test(test_close_in_each_state),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_call_errors_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
