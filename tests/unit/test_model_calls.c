/*
 * test_model_calls.c - the reference model's user calls (RFC 9293 3.10.1 - 3.10.6), timers
 * (3.10.8, RFC 6298, keep-alive, TIME_WAIT, FIN_WAIT_2, delayed ACK), knobs, the profile loader
 * (with its error messages) and the prediction checker.
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
#include "../../runner/targets/sim.h"

#define MF_DRIVERS
#include "model_fixture.h"

/* A segment from the peer. Kept apart from mf_seg for what it does differently: its payload is
 * "xxx..." (test_receive_everything_buffered reads it back), a SYN carries MSS 1460 (the peer's
 * MSS sizes the sends here), and no family is set. */
static struct tc_seg mk(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	struct tc_seg s = mf_seg(flags, seq, ack, len);
	s.family = 0;
	memset(s.payload, 'x', len);
	if (flags & TC_F_SYN)
		opt_mss(&s, 1460);
	return s;
}

/* The target sends what the model predicted, with window 1000 and MSS 1460 on its SYN. */
static void learn_out(struct tc_model *m) { mf_learn(m, &out, 1000, 1); }

static void callx(struct tc_model *m, int c, long len, int opt, long v0, long v1, int nv)
{
	struct tc_mcall_in in = mf_call_in(c, len, 7, 1);
	in.opt = opt;
	in.value[0] = v0;
	in.value[1] = v1;
	in.nvalue = nv;
	mf_call(m, &in);
}

static void call(struct tc_model *m, int c, long len) { callx(m, c, len, 0, 0, 0, 0); }

/* An established passive connection under the named built-in or file profile. */
static void est(struct tc_model *m, const char *profile)
{
	struct tc_knobs k;
	mf_knobs(profile, &k);
	mf_start(m, &k);
	call(m, TC_MC_LISTEN, 0);
	seg(m, mk(TC_F_SYN, PISN, 0, 0));
	seg(m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	call(m, TC_MC_ACCEPT, 0);
	assert_int_equal(out.ndone, 1);
	assert_int_equal(tc_model_state(m), TC_ST_ESTABLISHED);
}

/* RFC 9293 3.10.1: an active OPEN sends <SEQ=ISS><CTL=SYN> and blocks until ESTABLISHED. */
static void test_connect_then_synack(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	tc_model_init(&m, &k);
	call(&m, TC_MC_CONNECT, 0);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_SYN);
	assert_true(out.seg[0].seq_any);
	assert_true(out.pending);
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_SENT);
	seg(&m, mk(TC_F_SYN | TC_F_ACK, PISN, TISN + 1, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "0");
	assert_int_equal(out.seg[0].flags, TC_F_ACK);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	call(&m, TC_MC_CONNECT, 0);
	assert_string_equal(out.done[0].err, "EISCONN");
}

/* RFC 9293 3.10.7.3: RST with an acceptable ACK in SYN-SENT: "connection refused". */
static void test_connect_refused(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	tc_model_init(&m, &k);
	call(&m, TC_MC_CONNECT, 0);
	seg(&m, mk(TC_F_RST | TC_F_ACK, 0, TISN + 1, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "ECONNREFUSED");
}

/* RFC 6298 2.1 / 5.5: SYN retransmitted after 1 s, then 2 s; MUST-20 gives up. */
static void test_syn_retransmit_backoff(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	k.syn_retries = 2;
	tc_model_init(&m, &k);
	now = 1000000;
	call(&m, TC_MC_CONNECT, 0);
	assert_int_equal(tc_model_next_deadline(&m), 2000000);
	timer_to(&m, 2000000);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_SYN);
	assert_int_equal(out.seg[0].seq, TISN);
	assert_int_equal(tc_model_next_deadline(&m), 4000000);
	timer_to(&m, 4000000);
	assert_int_equal(out.nseg, 1);
	timer_to(&m, 8000000);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_string_equal(out.done[0].err, "ETIMEDOUT");
}

/* Linux: SYN-ACK at 1 s and 2 s; after tcp_synack_retries the embryo is dropped silently. */
static void test_synack_retries_then_listen(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	assert_int_equal(tc_knobs_sysctl(&k, "net.ipv4.tcp_synack_retries", "1"), 1);
	tc_model_init(&m, &k);
	now = 1000000;
	call(&m, TC_MC_LISTEN, 0);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	timer_to(&m, 2000000);
	assert_int_equal(out.seg[0].flags, TC_F_SYN | TC_F_ACK);
	timer_to(&m, 4000000);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
}

/* RFC 9293 3.10.2 SEND and RFC 6298: data goes out, is retransmitted at the RTO, and an ACK
 * stops the timer; the RTT sample sets the next RTO (at least rto_min). */
static void test_send_retransmit_ack(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_SEND, 100);
	assert_int_equal(out.ndone, 1);
	assert_int_equal(out.done[0].ret, 100);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_ACK | TC_F_PSH);
	assert_int_equal(out.seg[0].len, 100);
	assert_int_equal(out.seg[0].data[0], '0');
	int64_t d = tc_model_next_deadline(&m);
	assert_true(d >= now + 1000000);
	timer_to(&m, d);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].seq, TISN + 1);
	assert_int_equal(out.seg[0].len, 100);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 101, 0));
	assert_int_equal(m.snd_una, TISN + 101);
	assert_int_equal(tc_model_next_deadline(&m), 0);
}

/* RFC 9293 3.7.4 (Nagle): a short write waits while a short segment is unacknowledged. */
static void test_nagle_and_nodelay(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 1);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 0);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 11, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].seq, TISN + 11);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_NODELAY, 1, 0, 1);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 1);
}

/* RFC 9293 3.10.4 CLOSE in ESTABLISHED: FIN, FIN-WAIT-1; the ACK gives FIN-WAIT-2; a FIN gives
 * TIME-WAIT, which ends after 2 MSL (3.10.8). */
static void test_active_close_time_wait(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.seg[0].flags, TC_F_FIN | TC_F_ACK);
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	assert_int_equal(out.seg[0].ack, PISN + 2);
	/* A retransmitted FIN is re-acknowledged (first check: unacceptable, send ACK). */
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 2);
	timer_to(&m, now + 240000000);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
}

/* RFC 1337 knob: a RST at RCV.NXT in TIME-WAIT is ignored (1) or closes (0). */
static void test_rfc1337_knob(void **u)
{
	(void)u;
	for (int on = 0; on < 2; on++) {
		struct tc_model m;
		est(&m, NULL);
		m.k.rfc1337 = on;
		call(&m, TC_MC_CLOSE, 0);
		seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 2, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
		seg(&m, mk(TC_F_RST, PISN + 2, 0, 0));
		assert_int_equal(tc_model_state(&m), on ? TC_ST_TIME_WAIT : TC_ST_CLOSED);
		assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	}
}

/* Linux fin_timeout: an orphaned FIN-WAIT-2 ends; then data draws <SEQ=SEG.ACK><CTL=RST>. */
static void test_fin_wait_2_timeout(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, "linux");
	assert_int_equal(tc_knobs_sysctl(&m.k, "net.ipv4.tcp_fin_timeout", "2"), 1);
	m.listening = 0;
	call(&m, TC_MC_CLOSE, 0);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	timer_to(&m, now + 2000000);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 2, 5));
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	assert_int_equal(out.seg[0].seq, TISN + 2);
}

/* RFC 1122 4.2.2.13: CLOSE with unread data sends RST; ABORT (SO_LINGER {1,0}) too. */
static void test_close_unread_and_linger(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(out.seg[0].ack, PISN + 11);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	assert_int_equal(out.seg[0].flags_maybe, TC_F_ACK);
	assert_int_equal(out.seg[0].seq, TISN + 1);
	est(&m, NULL);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_LINGER, 1, 0, 2);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
}

/* After the peer's RST: read and write report ECONNRESET once, then EOF / EPIPE. */
static void test_errors_after_reset(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_RECEIVE, 100);
	assert_true(out.pending);
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	assert_int_equal(out.ndone, 1);
	assert_string_equal(out.done[0].err, "ECONNRESET");
	call(&m, TC_MC_SEND, 10);
	assert_string_equal(out.done[0].err, "EPIPE");
	est(&m, NULL);
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	call(&m, TC_MC_SEND, 10);
	assert_string_equal(out.done[0].err, "ECONNRESET");
	call(&m, TC_MC_SEND, 10);
	assert_string_equal(out.done[0].err, "EPIPE");
}

/* Data then FIN: RECEIVE returns the bytes, then 0 (end of file). */
static void test_receive_data_then_eof(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 11, TISN + 1, 10)); /* out of order: held */
	assert_int_equal(out.seg[0].ack, PISN + 1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(out.seg[0].ack, PISN + 21);
	call(&m, TC_MC_RECEIVE, 100);
	assert_int_equal(out.done[0].ret, 20);
	assert_int_equal(out.done[0].ndata, 20);
	seg(&m, mk(TC_F_ACK | TC_F_FIN, PISN + 21, TISN + 1, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSE_WAIT);
	call(&m, TC_MC_RECEIVE, 100);
	assert_int_equal(out.done[0].ret, 0);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_LAST_ACK);
	/* The FIN is retransmitted at the RTO (RFC 9293 3.8.1). */
	timer_to(&m, tc_model_next_deadline(&m));
	assert_int_equal(out.seg[0].flags, TC_F_FIN | TC_F_ACK);
	seg(&m, mk(TC_F_ACK, PISN + 22, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
}

/* RFC 1122 4.2.3.6 keep-alive (Linux values): probes at SND.NXT-1, then RST, ETIMEDOUT. */
static void test_keepalive(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, "linux");
	callx(&m, TC_MC_SETOPT, 0, TC_MO_KEEPIDLE, 1, 0, 1);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_KEEPINTVL, 1, 0, 1);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_KEEPCNT, 2, 0, 1);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_KEEPALIVE, 1, 0, 1);
	int64_t t0 = now;
	timer_to(&m, t0 + 1000000);
	assert_int_equal(out.seg[0].seq, TISN);
	assert_int_equal(out.seg[0].len, 0);
	timer_to(&m, t0 + 2000000);
	assert_int_equal(out.nseg, 1);
	call(&m, TC_MC_RECEIVE, 10);
	timer_to(&m, t0 + 3000000);
	assert_int_equal(out.seg[0].flags, TC_F_RST | TC_F_ACK);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN); /* the listener stays */
	assert_string_equal(out.done[0].err, "ETIMEDOUT");
}

/* RFC 5961 7 throttle (Linux tcp_invalid_ratelimit): a second challenge ACK within the
 * interval is suppressed; out-of-window data is not throttled. */
static void test_challenge_ack_throttle(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, "linux");
	seg(&m, mk(TC_F_RST, PISN + 101, 0, 0));
	assert_int_equal(out.nseg, 1);
	now += 100000;
	seg(&m, mk(TC_F_RST, PISN + 201, 0, 0));
	assert_int_equal(out.nseg, 0);
	assert_non_null(strstr(out.rule, "throttle"));
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 200001, TISN + 1, 10));
	assert_int_equal(out.nseg, 1);
	now += 500000;
	seg(&m, mk(TC_F_SYN, PISN + 5, 0, 0));
	assert_int_equal(out.nseg, 1);
	assert_non_null(strstr(out.rule, "RFC 5961 4.2"));
}

/* Delayed ACK and TCP_QUICKACK: with quick ACKs off the ACK waits for the delack timer. */
static void test_delayed_ack(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, "linux");
	callx(&m, TC_MC_SETOPT, 0, TC_MO_QUICKACK, 0, 0, 1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(out.nseg, 0);
	assert_int_equal(tc_model_next_deadline(&m), now + 40000);
	timer_to(&m, now + 40000);
	assert_int_equal(out.seg[0].ack, PISN + 11);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_QUICKACK, 0, 0, 1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 11, TISN + 1, 10));
	callx(&m, TC_MC_SETOPT, 0, TC_MO_QUICKACK, 1, 0, 1);
	assert_int_equal(out.nseg, 1);
}

/* Shutdown(SHUT_WR) sends FIN and keeps receiving in FIN-WAIT-2. */
static void test_shutdown_wr(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	callx(&m, TC_MC_SHUTDOWN, 0, 0, 0, 0, 0);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_FIN | TC_F_ACK);
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 2, 0));
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 2, 5));
	assert_int_equal(out.seg[0].ack, PISN + 6);
	call(&m, TC_MC_SEND, 5);
	assert_string_equal(out.done[0].err, "EPIPE");
}

/* Cases outside the model make it abstain, with a reason, instead of guessing. */
static void test_lost(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	callx(&m, TC_MC_SETOPT, 0, TC_MO_OTHER, 1, 0, 1);
	assert_true(m.lost);
	assert_non_null(strstr(out.rule, "abstains"));
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	assert_int_equal(out.nseg, 0);
	est(&m, NULL);
	struct tc_seg s = mk(TC_F_ACK | TC_F_URG, PISN + 1, TISN + 1, 1);
	seg(&m, s);
	assert_true(m.lost);
}

/* MUST-3 / MUST-7: bad checksum and impossible data offsets are discarded. */
static void test_malformed_dropped(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	struct tc_seg s = mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 5);
	s.bad_checksum = 1;
	seg(&m, s);
	assert_int_equal(out.nseg, 0);
	s.bad_checksum = 0;
	s.doff = 4;
	seg(&m, s);
	assert_int_equal(out.nseg, 0);
	s.doff = 15;
	seg(&m, s);
	assert_int_equal(out.nseg, 0);
	assert_non_null(strstr(out.rule, "MUST-7"));
}

/* Names for case expressions, in the case's relative numbering. */
static void test_names(void **u)
{
	(void)u;
	struct tc_model m;
	int64_t n[4];
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	tc_model_init(&m, &k);
	assert_int_equal(tc_model_names(&m, PISN, n), -1);
	est(&m, NULL);
	assert_int_equal(tc_model_names(&m, PISN, n), 0);
	assert_int_equal(n[0], 1);
	assert_int_equal(n[1], 1000);
	assert_int_equal(n[2], 1);
	assert_int_equal(n[3], 1);
}

/* The prediction checker names the first differing field. */
static void test_mseg_check(void **u)
{
	(void)u;
	struct tc_mseg p;
	char f[32], why[160], buf[160];
	memset(&p, 0, sizeof(p));
	p.flags = TC_F_ACK;
	p.seq = 10;
	p.ack = 20;
	p.opt_must = TC_OBIT(TC_OPT_TS);
	struct tc_seg s = mk(TC_F_ACK, 10, 20, 0);
	s.opts[0].kind = TC_OPT_TS;
	s.nopts = 1;
	assert_int_equal(tc_mseg_check(&p, &s, f, sizeof(f), why, sizeof(why)), 0);
	s.flags = TC_F_ACK | TC_F_RST;
	assert_int_equal(tc_mseg_check(&p, &s, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "flags");
	s.flags = TC_F_ACK;
	s.seq = 11;
	assert_int_equal(tc_mseg_check(&p, &s, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "seq");
	assert_non_null(strstr(why, "off by 1"));
	s.seq = 10;
	s.ack = 21;
	assert_int_equal(tc_mseg_check(&p, &s, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "ack");
	s.ack = 20;
	s.payload_len = 3;
	assert_int_equal(tc_mseg_check(&p, &s, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "len");
	s.payload_len = 0;
	s.nopts = 0;
	assert_int_equal(tc_mseg_check(&p, &s, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "options");
	assert_non_null(strstr(why, "ts missing"));
	tc_mseg_fmt(&p, 0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "A seq 10 ack 20 len 0 opts [ts]");
}

/* Profiles: the four files load; wrong input is rejected with file:line:column. */
static void test_profiles(void **u)
{
	(void)u;
	struct tc_knobs k;
	char err[256];
	const char *names[] = {"rfc9293", "linux", "freebsd", "lwip"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(tc_profile_load(names[i], &k, err, sizeof(err)), 0);
		assert_string_equal(k.name, names[i]);
	}
	assert_int_equal(tc_profile_load("linux", &k, err, sizeof(err)), 0);
	assert_int_equal(k.rto_min_us, 200000);
	assert_int_equal(k.time_wait_us, 60000000);
	assert_int_equal(k.challenge_ack_interval_us, 500000);
	assert_true(k.syn_opts & TC_OBIT(TC_OPT_WSCALE));
	assert_int_equal(tc_profile_load("nosuch", &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown profile 'nosuch'"));
	assert_int_equal(tc_profile_load("../x", &k, err, sizeof(err)), -1);
	const char *bad[][2] = {
		{"rfc1337: maybe\n", "t.yaml:1:10: rfc1337: expected true or false: 'maybe'"},
		{"nosuch: 1\n", "t.yaml:1:1: unknown knob: 'nosuch'"},
		{"rto_min: fast\n", "t.yaml:1:10: rto_min: expected a duration"},
		{"syn_opts: [mss, bogus]\n", "t.yaml:1:17: unknown option name: 'bogus'"},
		{"syn_retries: -1\n", "t.yaml:1:14: syn_retries: expected a non-negative integer"},
		{"rfc1337: [1]\n", "t.yaml:1:10: a list is not allowed here"},
		{"- a\n", "t.yaml:1:1: a list is not allowed here"},
		{"a\n", "t.yaml:1:1: a profile is a mapping"},
		{"rfc1337: {b: 1}\n", "t.yaml:1:10: knob values are scalars"},
		{"syn_opts: [\n", "YAML error"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tc_profile_load_buf("t.yaml", bad[i][0], strlen(bad[i][0]), &k, err,
						     sizeof(err)), -1);
		if (!strstr(err, bad[i][1]))
			print_message("got: %s\n", err);
		assert_non_null(strstr(err, bad[i][1]));
	}
	assert_int_equal(tc_profile_load_buf("t.yaml", "syn_opts: []\nrcv_wnd: 5\n", 23, &k, err,
					     sizeof(err)), 0);
	assert_int_equal(k.syn_opts, 0);
	assert_int_equal(k.rcv_wnd, 5);
	assert_int_equal(tc_profile_load_file("/nonexistent.yaml", &k, err, sizeof(err)), -1);
	assert_int_equal(tc_knobs_sysctl(&k, "net.ipv4.tcp_bogus", "1"), 0);
	assert_int_equal(tc_knobs_sysctl(&k, "net.ipv4.tcp_rfc1337", "x"), 0);
	const char *sys[] = {"net.ipv4.tcp_invalid_ratelimit", "net.ipv4.tcp_syn_retries",
			     "net.ipv4.tcp_retries2", "net.ipv4.tcp_abort_on_overflow",
			     "net.ipv4.tcp_sack", "net.ipv4.tcp_timestamps", "net.ipv4.tcp_window_scaling"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		assert_int_equal(tc_knobs_sysctl(&k, sys[i], "0"), 1);
		assert_int_equal(tc_knobs_sysctl(&k, sys[i], "1"), 1);
	}
	assert_int_equal(tc_model_opt_parse("TCP_NODELAY"), TC_MO_NODELAY);
	assert_int_equal(tc_model_opt_parse("TCP_CORK"), -1);
}

/* A segment to the target, whose answers advertise a 65535-byte window (learn_out's 1000 would
 * hold the peer to 1000 bytes). */
static void seg_wide(struct tc_model *m, struct tc_seg s)
{
	tc_model_segment(m, &s, now, &out);
	for (int i = 0; i < out.nseg; i++) {
		struct tc_seg a = mk(out.seg[i].flags, out.seg[i].seq, out.seg[i].ack, out.seg[i].len);
		tc_model_learn(m, &a);
	}
}

/* RFC 9293 3.10.3: RECEIVE hands over what is buffered, up to the length asked for: four
 * in-order segments of 1200 bytes and a read of 10000 return all 4800 bytes in one call (the
 * model once capped a read at 2048 bytes, which made lint contradict
 * data.delayed-ack.full-segments.acked). */
static void test_receive_everything_buffered(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	struct tc_seg upd = mk(TC_F_ACK, TISN + 1, PISN + 1, 0); /* a window update from the target */
	tc_model_learn(&m, &upd);
	for (uint32_t i = 0; i < 4; i++)
		seg_wide(&m, mk(TC_F_ACK, PISN + 1 + 1200 * i, TISN + 1, 1200));
	call(&m, TC_MC_RECEIVE, 10000);
	assert_int_equal(out.ndone, 1);
	assert_int_equal(out.done[0].ret, 4800);
	assert_int_equal(out.done[0].ndata, 4800);
	assert_int_equal(out.done[0].data[out.done[0].ndata - 1], 'x');
	/* A shorter read takes only what it asks for, and the rest stays for the next one. */
	for (uint32_t i = 0; i < 2; i++)
		seg_wide(&m, mk(TC_F_ACK, PISN + 4801 + 1200 * i, TISN + 1, 1200));
	call(&m, TC_MC_RECEIVE, 1000);
	assert_int_equal(out.done[0].ret, 1000);
	call(&m, TC_MC_RECEIVE, 10000);
	assert_int_equal(out.done[0].ret, 1400);
}

/* RFC 9293 3.10.7.3: crossing SYNs; Linux's SYN-ACK repeats its SYN's options (knob). */
static void test_simultaneous_open(void **u)
{
	(void)u;
	for (int linux_ = 0; linux_ < 2; linux_++) {
		struct tc_model m;
		struct tc_knobs k;
		char err[128];
		assert_int_equal(tc_profile_load(linux_ ? "linux" : "rfc9293", &k, err, sizeof(err)), 0);
		tc_model_init(&m, &k);
		call(&m, TC_MC_CONNECT, 0);
		struct tc_seg syn = mk(TC_F_SYN, PISN, 0, 0);
		seg(&m, syn);
		assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
		assert_int_equal(out.seg[0].flags, TC_F_SYN | TC_F_ACK);
		assert_int_equal(out.seg[0].seq, TISN);
		assert_int_equal((out.seg[0].opt_must & TC_OBIT(TC_OPT_WSCALE)) != 0, 0);
		seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
		assert_int_equal(tc_model_state(&m), TC_ST_ESTABLISHED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_then_synack),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_syn_retransmit_backoff),
		cmocka_unit_test(test_synack_retries_then_listen),
		cmocka_unit_test(test_send_retransmit_ack),
		cmocka_unit_test(test_nagle_and_nodelay),
		cmocka_unit_test(test_active_close_time_wait),
		cmocka_unit_test(test_rfc1337_knob),
		cmocka_unit_test(test_fin_wait_2_timeout),
		cmocka_unit_test(test_close_unread_and_linger),
		cmocka_unit_test(test_errors_after_reset),
		cmocka_unit_test(test_receive_data_then_eof),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_challenge_ack_throttle),
		cmocka_unit_test(test_delayed_ack),
		cmocka_unit_test(test_shutdown_wr),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_malformed_dropped),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mseg_check),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_simultaneous_open),
		cmocka_unit_test(test_receive_everything_buffered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
