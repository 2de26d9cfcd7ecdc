/*
 * test_model_levels.c - the requirement each model rule enforces and its level (issue 9), the
 * transitions an event records (issue 14), the connection's own state beside the listener's
 * (issue 9), and SHLD-31's hold of a segment beginning after RCV.NXT with its ACK.
 *
 * A level is what makes a departure a fail (MUST) or a warn (SHOULD, MAY): each test below names
 * the RFC sentence that fixes the level, and fails when the model gives another.
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

#define MF_DRIVERS
#include "model_fixture.h"

/* A segment from the peer (port 40000) to the target (8080); no options. */
static struct tc_seg mk(uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	return mf_seg(flags, seq, ack, len);
}

/*
 * Every prediction and decision whose requirement is an RFC 9293 numbered one carries that
 * requirement's own level (MUST-n is MUST...), and a req is never missing on a prediction.
 */
static int numbered(const char *req)
{
	return !strncmp(req, "MUST-", 5) || !strncmp(req, "SHLD-", 5) || !strncmp(req, "MAY-", 4);
}

/* Returns the number of mismatches in out, printing each (field, expected, actual). */
static int levels_inconsistent(void)
{
	int bad = 0;
	for (int i = 0; i < out.nseg; i++) {
		const struct tc_mseg *g = &out.seg[i];
		if (!g->req[0]) {
			print_message("seg[%d].req: expected a requirement, got \"\" (%s)\n", i, g->rule);
			bad++;
		} else if (numbered(g->req) && g->level != tc_level_of_req(g->req)) {
			print_message("seg[%d].level: expected %s (%s), got %s\n", i,
				      tc_level_name(tc_level_of_req(g->req)), g->req, tc_level_name(g->level));
			bad++;
		}
	}
	if (numbered(out.req) && out.level != tc_level_of_req(out.req)) {
		print_message("level: expected %s (%s), got %s\n", tc_level_name(tc_level_of_req(out.req)),
			      out.req, tc_level_name(out.level));
		bad++;
	}
	return bad;
}

/* The target sends what the model predicted: it learns the ISN and the window (SYNs without
 * options), once every prediction has passed the level check. */
static void learn_out(struct tc_model *m)
{
	assert_int_equal(levels_inconsistent(), 0);
	mf_learn(m, &out, 1000, 0);
}

static void call(struct tc_model *m, int c, long len) { mcall(m, c, len, 7, 1); }

static void start(struct tc_model *m, const struct tc_knobs *k)
{
	struct tc_knobs d;
	if (!k) {
		tc_knobs_rfc9293(&d);
		k = &d;
	}
	mf_start(m, k);
}

/* An established passive connection (the peer's SYN without options). */
static void est(struct tc_model *m, const struct tc_knobs *k)
{
	start(m, k);
	call(m, TC_MC_LISTEN, 0);
	seg(m, mk(TC_F_SYN, PISN, 0, 0));
	seg(m, mk(TC_F_ACK, PISN + 1, TISN + 1, 0));
	call(m, TC_MC_ACCEPT, 0);
	assert_int_equal(tc_model_state(m), TC_ST_ESTABLISHED);
}

static void has_level(const struct tc_mseg *g, int lvl, const char *req)
{
	assert_int_equal(level_differs(g, lvl, req), 0);
}

/* RFC 9293 3.10.7.4 second check: RFC 5961 is "an optional mitigation", so its challenge ACK
 * (3.2), the SYN's (4.2) and the ACK check's (5.2) are SHOULD. */
static void test_challenge_acks_are_should(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	seg(&m, mk(TC_F_RST, PISN + 11, 0, 0));
	assert_int_equal(out.nseg, 1);
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC5961-3.2");
	assert_int_equal(out.level, TC_LVL_SHOULD);
	assert_string_equal(out.req, "RFC5961-3.2");
	seg(&m, mk(TC_F_SYN, PISN + 1, 0, 0));
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC5961-4.2");
	seg(&m, mk(TC_F_ACK, PISN + 1, TISN + 1 + 0x40000000u, 0));
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC5961-5.2");
	/* The RST at RCV.NXT resets: "TCP endpoints MUST reset the connection". */
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	assert_int_equal(out.level, TC_LVL_MUST);
	assert_string_equal(out.req, "RFC9293-3.10.7.4#2");
}

/* RFC 9293 3.10.7.1: "An incoming segment not containing a RST causes a RST to be sent in
 * response" (MUST); 3.10.7.4 first check: an unacceptable segment's ACK "should be sent". */
static void test_closed_rst_is_must_unacceptable_ack_should(void **u)
{
	(void)u;
	struct tc_model m;
	start(&m, NULL);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_RST | TC_F_ACK);
	has_level(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.7.1");
	est(&m, NULL);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1 + 0x40000000u, TISN + 1, 10));
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC9293-3.10.7.4#1");
	/* The ACK of a FIN: the eighth check, as TCP does it (MUST). */
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
	has_level(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.7.4#8");
}

/* RFC 9293 3.5.2: a reset answering a segment with an ACK is <SEQ=SEG.ACK><CTL=RST>; an ACK bit
 * beside it (lwIP) is allowed and its ACK field not compared, but the sequence number is, and a
 * reset that must carry ACK (the answer to a bare SYN) still needs it with the right value. */
static void test_rst_may_carry_ack_bit(void **u)
{
	(void)u;
	char f[32], why[256];
	struct tc_model m;
	start(&m, NULL);
	seg(&m, mk(TC_F_ACK, PISN, 777, 0));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].flags, TC_F_RST);
	struct tc_seg r = mk(TC_F_RST | TC_F_ACK, 777, 0, 0);
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 0);
	r = mk(TC_F_RST | TC_F_ACK, 778, 0, 0);
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "seq");
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	assert_int_equal(out.seg[0].flags, TC_F_RST | TC_F_ACK);
	r = mk(TC_F_RST | TC_F_ACK, 0, PISN + 2, 0);
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "ack");
	r = mk(TC_F_RST, 0, 0, 0);
	assert_int_equal(tc_mseg_check(&out.seg[0], &r, f, sizeof(f), why, sizeof(why)), 1);
	assert_string_equal(f, "flags");
}

/* RFC 6298 2.4 ("RTO SHOULD be rounded up to 1 second") times a data retransmission; 2.1's
 * initial RTO (SHOULD be 1 second, 3 s allowed) a SYN's. */
static void test_rto_timing_is_should(void **u)
{
	(void)u;
	struct tc_model m;
	est(&m, NULL);
	call(&m, TC_MC_SEND, 10);
	has_level(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.2");
	timer_to(&m, tc_model_next_deadline(&m));
	assert_int_equal(out.nseg, 1);
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC6298-2.4");
	start(&m, NULL);
	call(&m, TC_MC_CONNECT, 0);
	has_level(&out.seg[0], TC_LVL_MUST, "RFC9293-3.10.1");
	timer_to(&m, tc_model_next_deadline(&m));
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC6298-2.1");
}

/* SHLD-7 (Nagle), SHLD-18 / MUST-40 (the delayed ACK's 500 ms bound is the MUST), SHLD-3
 * (CLOSE with unread data sends a RST), MAY-5 (keep-alive probes), MUST-13 (TIME-WAIT). */
static void test_should_and_may_rules(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	k.ack_quick = 0;
	est(&m, &k);
	call(&m, TC_MC_SEND, 10);
	call(&m, TC_MC_SEND, 10);
	assert_int_equal(out.nseg, 0);
	assert_int_equal(out.level, TC_LVL_SHOULD);
	assert_string_equal(out.req, "SHLD-7");
	/* The held 10 bytes go out with the ACK of the peer's data on them. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 11, 5));
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].len, 10);
	/* Nothing to carry the next ACK: it is delayed (SHLD-18), by at most 500 ms (MUST-40). */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 6, TISN + 21, 5));
	assert_int_equal(out.nseg, 0);
	timer_to(&m, tc_model_next_deadline(&m));
	assert_int_equal(out.nseg, 1);
	has_level(&out.seg[0], TC_LVL_MUST, "MUST-40");
	call(&m, TC_MC_CLOSE, 0);
	has_level(&out.seg[0], TC_LVL_SHOULD, "SHLD-3");

	struct tc_mcall_in in;
	est(&m, NULL);
	memset(&in, 0, sizeof(in));
	in.call = TC_MC_SETOPT;
	in.opt = TC_MO_KEEPALIVE;
	in.value[0] = 1;
	in.nvalue = 1;
	tc_model_call(&m, &in, now, &out);
	timer_to(&m, tc_model_next_deadline(&m));
	assert_int_equal(out.nseg, 1);
	has_level(&out.seg[0], TC_LVL_MAY, "MAY-5");
}

/* A level that does not fit its requirement is caught: levels_consistent() on a wrong one. */
static void test_level_check_catches_a_wrong_level(void **u)
{
	(void)u;
	memset(&out, 0, sizeof(out));
	out.nseg = 1;
	snprintf(out.seg[0].req, sizeof(out.seg[0].req), "SHLD-18");
	out.seg[0].level = TC_LVL_MUST; /* wrong: SHLD-18 is a SHOULD */
	assert_int_equal(levels_inconsistent(), 1);
	out.seg[0].level = TC_LVL_SHOULD;
	assert_int_equal(levels_inconsistent(), 0);
	out.seg[0].req[0] = '\0'; /* a prediction without its requirement */
	assert_int_equal(levels_inconsistent(), 1);
	struct tc_mseg g;
	memset(&g, 0, sizeof(g));
	snprintf(g.req, sizeof(g.req), "RFC5961-3.2");
	g.level = TC_LVL_MUST; /* a challenge ACK taken as MUST: the case issue 9 names */
	assert_int_equal(level_differs(&g, TC_LVL_SHOULD, "RFC5961-3.2"), 1);
	g.level = TC_LVL_SHOULD;
	assert_int_equal(level_differs(&g, TC_LVL_SHOULD, "RFC5961-3.2"), 0);
	assert_int_equal(level_differs(&g, TC_LVL_SHOULD, "RFC5961-4.2"), 1);
	memset(&out, 0, sizeof(out));
}

/* issue 14: one segment can take SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT; both steps stay. */
static void test_transitions_keep_the_middle_step(void **u)
{
	(void)u;
	struct tc_model m;
	start(&m, NULL);
	call(&m, TC_MC_LISTEN, 0);
	assert_int_equal(out.ntrans, 1);
	assert_int_equal(out.trans[0].from, TC_ST_CLOSED);
	assert_int_equal(out.trans[0].to, TC_ST_LISTEN);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	assert_int_equal(out.ntrans, 1);
	assert_string_equal(out.trans[0].rule, "listen-syn");
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 1, TISN + 1, 0));
	assert_int_equal(out.old_state, TC_ST_SYN_RECEIVED);
	assert_int_equal(out.new_state, TC_ST_CLOSE_WAIT);
	assert_int_equal(out.ntrans, 2);
	assert_int_equal(out.trans[0].from, TC_ST_SYN_RECEIVED);
	assert_int_equal(out.trans[0].to, TC_ST_ESTABLISHED);
	assert_string_equal(out.trans[0].rule, "ack-syn-received");
	assert_string_equal(out.trans[0].req, "RFC9293-3.10.7.4#5");
	assert_int_equal(out.trans[1].from, TC_ST_ESTABLISHED);
	assert_int_equal(out.trans[1].to, TC_ST_CLOSE_WAIT);
	assert_string_equal(out.trans[1].rule, "fin");
	assert_int_equal(out.trans[1].level, TC_LVL_MUST);
	assert_true(out.trans[0].line > 0 && out.trans[1].line > 0 &&
		    out.trans[0].line != out.trans[1].line);
	/* An event without a transition records none. */
	seg(&m, mk(TC_F_ACK, PISN + 2, TISN + 1, 0));
	assert_int_equal(out.ntrans, 0);
}

/*
 * issue 9: the connection's own state. LISTEN before the SYN and where RFC 9293 returns the
 * TCB to LISTEN (RST in SYN-RECEIVED of a passive open; SYN-ACK retransmissions exhausted);
 * CLOSED once the connection is gone, while tc_model_listener_state() still says LISTEN.
 */
static void test_connection_state_beside_listener(void **u)
{
	(void)u;
	struct tc_model m;
	start(&m, NULL);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_CLOSED);
	call(&m, TC_MC_LISTEN, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN);
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_SYN_RECEIVED);
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
	assert_int_equal(out.trans[0].to, TC_ST_LISTEN);
	/* SYN-ACK retransmissions exhausted: back to LISTEN as well. */
	seg(&m, mk(TC_F_SYN, PISN, 0, 0));
	for (int i = 0; i < 10 && tc_model_state(&m) == TC_ST_SYN_RECEIVED; i++)
		timer_to(&m, tc_model_next_deadline(&m));
	assert_int_equal(tc_model_state(&m), TC_ST_LISTEN);
	/* A connection that is gone is CLOSED, the listener beside it still LISTEN. */
	est(&m, NULL);
	seg(&m, mk(TC_F_RST, PISN + 1, 0, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(out.new_state, TC_ST_CLOSED);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_LISTEN);
	/* Closing the listener then. */
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(tc_model_listener_state(&m), TC_ST_CLOSED);
	assert_string_equal(out.rule, "RFC 9293 3.10.4 CLOSE in LISTEN: delete the TCB");
	/* CLOSE in LISTEN: "Delete TCB, enter CLOSED state". */
	start(&m, NULL);
	call(&m, TC_MC_LISTEN, 0);
	call(&m, TC_MC_CLOSE, 0);
	assert_int_equal(tc_model_state(&m), TC_ST_CLOSED);
	assert_int_equal(out.trans[0].from, TC_ST_LISTEN);
}

/* FIN-WAIT-1 with our FIN out (SND.NXT = TISN + 2). */
static void fin_wait_1(struct tc_model *m, const struct tc_knobs *k)
{
	est(m, k);
	call(m, TC_MC_SHUTDOWN, 0);
	assert_int_equal(tc_model_state(m), TC_ST_FIN_WAIT_1);
}

/*
 * RFC 9293 3.10.7.4 first check: "Segments with higher beginning sequence numbers SHOULD be held
 * for later processing (SHLD-31)". Text after a hole that acknowledges our FIN does not move
 * FIN-WAIT-1 to FIN-WAIT-2 until the hole is filled; then its ACK is processed.
 */
static void test_out_of_order_ack_is_held(void **u)
{
	(void)u;
	struct tc_model m;
	fin_wait_1(&m, NULL);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 11, TISN + 2, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
	assert_int_equal(m.snd_una, TISN + 1);
	assert_true(m.t_rtx != 0); /* our FIN is still unacknowledged */
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 1); /* the duplicate ACK */
	has_level(&out.seg[0], TC_LVL_SHOULD, "RFC5681-4.2");
	assert_string_equal(out.req, "SHLD-31");
	assert_int_equal(out.ntrans, 0);
	/* The hole is filled by a segment with the old ACK: the held segment follows, its ACK
	 * of our FIN with it. */
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(m.rcv_nxt, PISN + 21);
	assert_int_equal(m.snd_una, TISN + 2);
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	assert_int_equal(out.ntrans, 1);
	assert_string_equal(out.trans[0].rule, "ack-fin-wait-1");
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 21); /* RFC 5681 4.2: at once, the hole is filled */

	/* A held FIN with its ACK: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT once in order. */
	fin_wait_1(&m, NULL);
	seg(&m, mk(TC_F_FIN | TC_F_ACK, PISN + 11, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 1, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_TIME_WAIT);
	assert_int_equal(out.ntrans, 2);
	assert_int_equal(out.trans[0].to, TC_ST_FIN_WAIT_2);
	assert_int_equal(out.trans[1].to, TC_ST_TIME_WAIT);

	/* A bare ACK beyond RCV.NXT has nothing to wait for: it is processed. */
	fin_wait_1(&m, NULL);
	seg(&m, mk(TC_F_ACK, PISN + 11, TISN + 2, 0));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
}

/* Knob ooo_ack_at_once (Linux tcp_ack() before tcp_data_queue()): the ACK is processed at once,
 * the text still held. */
static void test_out_of_order_ack_at_once_knob(void **u)
{
	(void)u;
	struct tc_model m;
	struct tc_knobs k;
	tc_knobs_rfc9293(&k);
	k.ooo_ack_at_once = 1;
	fin_wait_1(&m, &k);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 11, TISN + 2, 10));
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
	assert_int_equal(out.nseg, 1);
	assert_int_equal(out.seg[0].ack, PISN + 1);
	seg(&m, mk(TC_F_ACK | TC_F_PSH, PISN + 1, TISN + 2, 10));
	assert_int_equal(m.rcv_nxt, PISN + 21);
	assert_int_equal(tc_model_state(&m), TC_ST_FIN_WAIT_2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_acks_are_should),
		cmocka_unit_test(test_closed_rst_is_must_unacceptable_ack_should),
		cmocka_unit_test(test_rto_timing_is_should),
		cmocka_unit_test(test_rst_may_carry_ack_bit),
		cmocka_unit_test(test_should_and_may_rules),
		cmocka_unit_test(test_level_check_catches_a_wrong_level),
		cmocka_unit_test(test_transitions_keep_the_middle_step),
		cmocka_unit_test(test_connection_state_beside_listener),
		cmocka_unit_test(test_out_of_order_ack_is_held),
		cmocka_unit_test(test_out_of_order_ack_at_once_knob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
