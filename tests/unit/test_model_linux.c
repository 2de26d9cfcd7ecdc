/*
 * test_model_linux.c - the linux profile knobs found by the state-event matrix (issue 4), each
 * against the rfc9293 reading it relaxes: time_wait_exact_only (tcp_timewait_state_process),
 * syn_recv_request_sock (tcp_check_req), seq_end_at_rcv_nxt and rcv_queue_end_check
 * (tcp_sequence), data_after_fin_rst (tcp_rcv_state_process, seventh step). Every test runs the
 * same exchange with the knob off (RFC 9293 as written) and on, and checks the answer and the
 * state of both, so a knob that stopped applying, or applied with the knob off, fails.
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

#include "model_fixture.h"

#define TWIN 1000u

/* A segment from the peer (its payload bytes, "abc..." where this file once wrote "012...",
 * are never read back here). */
static struct tc_seg mk(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	return mf_seg(flags, seq, ack, len);
}

/* The target sends what the model predicted; the model learns its ISN, window and SYN MSS. */
static void learn(struct tc_model *m) { mf_learn(m, &out, TWIN, 1); }

/* The drivers of this file advance the clock by 1 ms an event (a connection starts in
 * syn_rcvd(), which sets it to MF_T0), so they are not model_fixture.h's. */
static void seg(struct tc_model *m, struct tc_seg s)
{
	now += 1000;
	tc_model_segment(m, &s, now, &out);
	learn(m);
}

static void call(struct tc_model *m, int c, long len, int how)
{
	struct tc_mcall_in in = mf_call_in(c, len, 3, how);
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

/* rfc9293 knobs, with one knob of the linux profile switched on (NULL: none). */
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
	mf_start(m, k);
	call(m, TC_MC_LISTEN, 0, 0);
	struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
	opt_mss(&syn, 1460);
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

/* Our close, the peer's FIN+ACK and the target's ACK: TIME-WAIT with RCV.NXT = PISN+2 and
 * SND.NXT = TISN+2. */
static void time_wait(struct tc_model *m, const struct tc_knobs *k)
{
	est(m, k);
	call(m, TC_MC_CLOSE, 0, 0);
	one(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 1);
	seg(m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	assert_int_equal(tc_model_state(m), TC_ST_TIME_WAIT);
}

/* ---- time_wait_exact_only ---- */

static void tw_bare_ack_in_window(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 2 + 100, TISN + 2, 0));
	assert_int_equal(out.nseg, 0); /* RFC 9293 fifth check: a bare ACK needs nothing */
	knobs(&k, "time_wait_exact_only");
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 2 + 100, TISN + 2, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	assert_non_null(strstr(out.seg[0].rule, "time_wait_exact_only"));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	/* Right at RCV.NXT, even acknowledging what was never sent: taken silently. */
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 200, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(m.t_tw, now + k.time_wait_us);
	knobs(&k, NULL);
	time_wait(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 200, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2); /* RFC 5961 5.2 */
}

static void tw_rst_and_fin(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	/* A RST in the window but not at RCV.NXT: RFC 5961 3.2 challenge ACK, Linux nothing. */
	knobs(&k, NULL);
	time_wait(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 2 + 50, 0, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	knobs(&k, "time_wait_exact_only");
	time_wait(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 2 + 50, 0, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	/* A FIN without ACK at RCV.NXT: RFC 9293 drops it (fifth check), Linux ACKs it. */
	seg(&m, mk(TC_F_FIN, PISN + 2, 0, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	/* The RST at RCV.NXT still closes; with rfc1337 it is ignored. */
	seg(&m, mk(TC_F_RST, PISN + 2, 0, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	k.rfc1337 = 1;
	time_wait(&m, &k);
	seg(&m, mk(TC_F_RST, PISN + 2, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	assert_non_null(strstr(out.rule, "RFC 1337"));
	knobs(&k, NULL);
	time_wait(&m, &k);
	seg(&m, mk(TC_F_FIN, PISN + 2, 0, 0));
	assert_int_equal(out.nseg, 0);
}

static void tw_throttle(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, "time_wait_exact_only");
	k.challenge_ack_interval_us = 500000;
	time_wait(&m, &k);
	/* Two bare ACKs out of the window: the second is throttled (RFC 5961 7). */
	seg(&m, mk(TC_F_ACK, PISN + 2 + 5000, TISN + 2, 0));
	assert_int_equal(out.nseg, 1);
	seg(&m, mk(TC_F_ACK, PISN + 2 + 5000, TISN + 2, 0));
	assert_int_equal(out.nseg, 0);
	assert_non_null(strstr(out.rule, "throttle"));
	/* Data is never throttled. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 2, 10));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	/* A FIN without ACK does not restart the timer; one with ACK does. */
	int64_t t = m.t_tw;
	seg(&m, mk(TC_F_FIN, PISN + 2 + 10, 0, 0));
	assert_int_equal(m.t_tw, t);
	assert_int_equal(out.nseg, 1);
}

/* ---- syn_recv_request_sock ---- */

static void sr_syn_again(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	one(TC_F_ACK, TISN + 1, PISN + 1); /* Table 6: unacceptable, ACK */
	knobs(&k, "syn_recv_request_sock");
	k.challenge_ack_interval_us = 500000;
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	one(TC_F_SYN | TC_F_ACK, TISN, PISN + 1);
	assert_true(out.seg[0].opt_must & TC_OBIT(TC_OPT_MSS));
	assert_int_equal(m.t_rtx, now + m.rto);
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	assert_int_equal(out.nseg, 0); /* throttled */
	assert_non_null(strstr(out.rule, "throttle"));
}

static void sr_bad_ack(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	/* Out of the window with an ACK other than ISS+1: RFC 9293 ACKs (first check), Linux's
	 * listener resets it. */
	knobs(&k, NULL);
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 50000, TISN + 100, 0));
	one(TC_F_ACK, TISN + 1, PISN + 1);
	knobs(&k, "syn_recv_request_sock");
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN + 1 + 50000, TISN + 100, 0));
	one(TC_F_RST, TISN + 100, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
	/* The same with RST: nothing, the request stays. */
	seg(&m, mk(TC_F_RST | TC_F_ACK, PISN + 1, TISN + 100, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
}

static void sr_syn_in_window(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN + 1, 0, 0));
	assert_int_equal(out.nseg, 0); /* "return this connection to the LISTEN state" */
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
	knobs(&k, "syn_recv_request_sock");
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_SYN, PISN + 1, 0, 0));
	one(TC_F_RST | TC_F_ACK, 0, PISN + 2);
	assert_non_null(strstr(out.seg[0].rule, "syn_recv_request_sock"));
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
	/* With a (good) ACK: <SEQ=SEG.ACK><CTL=RST>. */
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_SYN | TC_F_ACK, PISN + 1, TISN + 1, 0));
	one(TC_F_RST, TISN + 1, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
}

static void sr_right_edge(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	/* With seq_right_edge_inclusive alone a FIN at RCV.NXT+RCV.WND passes the first check and
	 * is dropped for its missing ACK; a request socket's tcp_in_window() ACKs it. */
	knobs(&k, "no_ack_dropped_first");
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_FIN, PISN + 1 + TWIN, 0, 0));
	assert_int_equal(out.nseg, 0);
	knobs(&k, "syn_recv_request_sock");
	syn_rcvd(&m, &k);
	seg(&m, mk(TC_F_FIN, PISN + 1 + TWIN, 0, 0));
	one(TC_F_ACK, TISN + 1, PISN + 1);
	/* Data there too: ACKed, still SYN-RECEIVED. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1 + TWIN, TISN + 1, 10));
	one(TC_F_ACK, TISN + 1, PISN + 1);
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
	/* A bare ACK at the right edge is still taken and completes the open. */
	seg(&m, mk(TC_F_ACK, PISN + 1 + TWIN, TISN + 1, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
}

/* ---- seq_end_at_rcv_nxt ---- */

static void end_at_rcv_nxt_fin_wait_1(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	for (int on = 0; on < 2; on++) {
		knobs(&k, on ? "seq_end_at_rcv_nxt" : NULL);
		est(&m, &k);
		call(&m, TC_MC_SHUTDOWN, 0, 1);
		one(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 1);
		/* A FIN+ACK at RCV.NXT-1 acknowledging our FIN. */
		seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN, TISN + 2, 0));
		one(TC_F_ACK, TISN + 2, PISN + 1);
		assert_int_equal(tc_model_state(&m), on ? TC_ST_FIN_WAIT_2 : TC_ST_FIN_WAIT_1);
		if (on)
			assert_non_null(strstr(out.seg[0].rule, "seq_end_at_rcv_nxt"));
	}
}

static void end_at_rcv_nxt_last_ack(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	close_wait(&m, &k);
	call(&m, TC_MC_CLOSE, 0, 0);
	one(TC_F_FIN | TC_F_ACK, TISN + 1, PISN + 2);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
	one(TC_F_ACK, TISN + 2, PISN + 2);
	assert_int_equal(tc_model_state(&m), TC_ST_LAST_ACK);
	knobs(&k, "seq_end_at_rcv_nxt");
	close_wait(&m, &k);
	call(&m, TC_MC_CLOSE, 0, 0);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	/* A bare ACK at RCV.NXT-1 occupies nothing: still unacceptable. */
	est(&m, &k);
	seg(&m, mk(TC_F_ACK, PISN, TISN + 1, 0));
	one(TC_F_ACK, TISN + 1, PISN + 1);
	assert_non_null(strstr(out.rule, "first check"));
}

/* ---- rcv_queue_end_check ---- */

static void queue_end_close_wait(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	/* Data at the right edge sticking out of the window, the FIN still queued. */
	knobs(&k, NULL);
	close_wait(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2 + TWIN - 1, TISN + 1, 10));
	assert_int_equal(out.nseg, 0); /* acceptable; text after a FIN is ignored */
	knobs(&k, "rcv_queue_end_check");
	close_wait(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2 + TWIN - 1, TISN + 1, 10));
	one(TC_F_ACK, TISN + 1, PISN + 2);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	/* A FIN may stick out by its own octet. */
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 2 + TWIN, TISN + 1, 0));
	assert_int_equal(out.nseg, 0);
	/* Once the application read the end of file the queue is empty. */
	call(&m, TC_MC_RECEIVE, 100, 0);
	assert_int_equal(out.ndone, 1);
	assert_int_equal(out.done[0].ret, 0);
	assert_true(m.fin_read);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2 + TWIN - 1, TISN + 1, 10));
	assert_int_equal(out.nseg, 0);
}

static void queue_end_established(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, "rcv_queue_end_check");
	est(&m, &k);
	/* Empty queue: held out of order, with a duplicate ACK. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1 + TWIN - 5, TISN + 1, 10));
	one(TC_F_ACK, TISN + 1, PISN + 1);
	assert_int_equal(m.nooo, 1);
	/* Unread data in the queue: dropped, with a duplicate ACK, and not held. */
	est(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	one(TC_F_ACK, TISN + 1, PISN + 11);
	assert_int_equal(m.rbuf_len, 10);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 11 + TWIN - 5, TISN + 1, 10));
	one(TC_F_ACK, TISN + 1, PISN + 11);
	assert_int_equal(m.nooo, 0);
	assert_non_null(strstr(out.rule, "first check"));
}

/* ---- data_after_fin_rst ---- */

static void data_after_fin(void **st)
{
	(void)st;
	struct tc_model m;
	struct tc_knobs k;
	knobs(&k, NULL);
	close_wait(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	knobs(&k, "data_after_fin_rst");
	close_wait(&m, &k);
	/* Starting at RCV.NXT: ignored, as RFC 9293 says. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 2, TISN + 1, 10));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	/* Starting before it (overlapping the FIN): reset. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	one(TC_F_RST, TISN + 1, 0);
	assert_int_equal(out.seg[0].opt_must | out.seg[0].opt_maybe, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_true(m.reset);
	assert_non_null(strstr(out.rule, "data_after_fin_rst"));
}

/* The linux profile file sets all five; rfc9293 none (its file equals the built-in values). */
static void profiles(void **st)
{
	(void)st;
	struct tc_knobs k;
	char err[256];
	assert_int_equal(tc_profile_load("suites/profiles/linux.yaml", &k, err, sizeof(err)), 0);
	assert_true(k.time_wait_exact_only && k.syn_recv_request_sock && k.seq_end_at_rcv_nxt &&
		    k.rcv_queue_end_check && k.data_after_fin_rst);
	assert_int_equal(tc_profile_load("suites/profiles/rfc9293.yaml", &k, err, sizeof(err)), 0);
	assert_false(k.time_wait_exact_only || k.syn_recv_request_sock || k.seq_end_at_rcv_nxt ||
		     k.rcv_queue_end_check || k.data_after_fin_rst);
	const char *bad = "data_after_fin_rst: maybe\n";
	assert_int_equal(tc_profile_load_buf("p.yaml", bad, strlen(bad), &k, err, sizeof(err)), -1);
	assert_string_equal(err, "p.yaml:1:21: data_after_fin_rst: expected true or false: 'maybe'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tw_bare_ack_in_window),
		cmocka_unit_test(tw_rst_and_fin),
		cmocka_unit_test(tw_throttle),
		cmocka_unit_test(sr_syn_again),
		cmocka_unit_test(sr_bad_ack),
		cmocka_unit_test(sr_syn_in_window),
		cmocka_unit_test(sr_right_edge),
		cmocka_unit_test(end_at_rcv_nxt_fin_wait_1),
		cmocka_unit_test(end_at_rcv_nxt_last_ack),
		cmocka_unit_test(queue_end_close_wait),
		cmocka_unit_test(queue_end_established),
		cmocka_unit_test(data_after_fin),
		cmocka_unit_test(profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
