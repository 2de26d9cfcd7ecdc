/*
 * model.c - the reference TCP state machine (model.h), following RFC 9293 3.10 "Event
 * Processing" step by step: 3.10.1 - 3.10.6 user calls, 3.10.7 SEGMENT ARRIVES, 3.10.8 timeouts,
 * with RFC 5961, RFC 7323, RFC 1337, RFC 6298 and RFC 1122 / 2525 behaviour behind knobs.
 *
 * Every prediction carries the rule that made it, the requirement it enforces and its level,
 * so a report can say why a segment was due and whether a departure is a failure (MUST) or a
 * warning (SHOULD, MAY). TC_MODEL_MUTATE=R_NAME (only in tests/model-mutate.sh) switches rule
 * R_NAME off to prove that the unit tests notice; it is never set in a normal build.
 */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/names.h"

/* ---- sequence arithmetic (RFC 9293 3.4: modulo 2^32) ---- */

static int lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static int le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

void tc_knobs_rfc9293(struct tc_knobs *k)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "rfc9293");
	k->rfc5961_rst = k->rfc5961_syn = k->rfc5961_ack = 1;
	k->challenge_ack_interval_us = 0;
	k->rst_rcv_nxt_minus_one = 0;
	k->seq_right_edge_inclusive = 0;
	k->no_ack_dropped_first = 0;
	k->rfc1337 = 0;
	k->syn_opts = TC_OBIT(TC_OPT_MSS);
	k->syn_opts_maybe = TC_OBIT(TC_OPT_SACK_OK) | TC_OBIT(TC_OPT_TS) | TC_OBIT(TC_OPT_WSCALE);
	k->paws = 1;
	k->rto_initial_us = 1000000;
	k->rto_min_us = 1000000;
	k->rto_max_us = 60000000;
	k->syn_retries = 5;
	k->synack_retries = 5;
	k->data_retries = 15;
	k->time_wait_us = 240000000;
	k->fin_wait_2_us = 0;
	k->close_unread_rst = 1;
	k->ack_delay_max_us = 500000;
	k->delack_us = 200000;
	k->ack_quick = 1;
	k->keepalive_probe_len = 0;
	k->keepalive_rst = 0;
	k->keepalive_idle_us = 7200000000LL;
	k->keepalive_intvl_us = 75000000;
	k->keepalive_cnt = 9;
	k->default_mss = 536;
	k->rcv_wnd = 65535;
	k->nagle = 1;
	k->nagle_minshall = 1;
	k->abort_on_overflow = 0;
}

int tc_knobs_sysctl(struct tc_knobs *k, const char *key, const char *value)
{
	char *end;
	long v = strtol(value, &end, 10);
	if (*end)
		return 0;
	if (strcmp(key, "net.ipv4.tcp_rfc1337") == 0)
		k->rfc1337 = v != 0;
	else if (strcmp(key, "net.ipv4.tcp_invalid_ratelimit") == 0)
		k->challenge_ack_interval_us = v * 1000;
	else if (strcmp(key, "net.ipv4.tcp_synack_retries") == 0)
		k->synack_retries = (int)v;
	else if (strcmp(key, "net.ipv4.tcp_syn_retries") == 0)
		k->syn_retries = (int)v;
	else if (strcmp(key, "net.ipv4.tcp_retries2") == 0)
		k->data_retries = (int)v;
	else if (strcmp(key, "net.ipv4.tcp_fin_timeout") == 0)
		k->fin_wait_2_us = v * 1000000;
	else if (strcmp(key, "net.ipv4.tcp_abort_on_overflow") == 0)
		k->abort_on_overflow = v != 0;
	else if (strcmp(key, "net.ipv4.tcp_sack") == 0)
		k->syn_opts = v ? k->syn_opts | TC_OBIT(TC_OPT_SACK_OK) : k->syn_opts & ~TC_OBIT(TC_OPT_SACK_OK);
	else if (strcmp(key, "net.ipv4.tcp_timestamps") == 0)
		k->syn_opts = v ? k->syn_opts | TC_OBIT(TC_OPT_TS) : k->syn_opts & ~TC_OBIT(TC_OPT_TS);
	else if (strcmp(key, "net.ipv4.tcp_window_scaling") == 0)
		k->syn_opts = v ? k->syn_opts | TC_OBIT(TC_OPT_WSCALE) : k->syn_opts & ~TC_OBIT(TC_OPT_WSCALE);
	else
		return 0;
	return 1;
}

void tc_model_init(struct tc_model *m, const struct tc_knobs *k)
{
	memset(m, 0, sizeof(*m));
	m->k = *k;
	m->state = TC_ST_CLOSED;
	m->rto = k->rto_initial_us;
	m->last_challenge = -1;
}

/* ---- the rules: every decision names one, with the requirement it enforces and its level ----
 *
 * Requirement ids are RFC 9293's numbered ones (rfc9293-requirements.tsv) where one exists, else
 * "RFCnnnn-section"; "RFC9293-3.10.7.4#N" is the Nth check of SEGMENT ARRIVES in a synchronized
 * state. Levels: a 3.10 event-processing rule stated as what TCP does is MUST unless the RFC
 * words it with should or may; RFC 5961's mitigations are optional in RFC 9293 (3.10.7.4
 * second, fourth and fifth checks), so they are SHOULD; a profile knob's own behaviour (what one
 * stack chose) is MAY, with req "knob:NAME". A rule with req "" decides nothing (the model
 * abstains or takes note).
 */
enum rid {
	R_NONE,
	/* RFC 9293 3.1 header checks, abstaining. */
	R_CKSUM, R_DOFF, R_ABSTAIN,
	/* 3.10.1 - 3.10.6 user calls, the socket API around them. */
	R_OPEN_PASSIVE, R_OPEN_ACTIVE, R_OPEN_EXISTS, R_ACCEPT, R_SEND_QUEUE, R_SEND_CLOSED,
	R_SEND_CLOSING, R_RECEIVE, R_CLOSE_DELETE, R_CLOSE_FIN, R_CLOSE_LAST_ACK, R_CLOSE_ALREADY,
	R_ABORT, R_CLOSE_UNREAD_RST, R_SHUT_RD, R_SETOPT, R_QUICKACK,
	/* 3.7 / 3.10.2 / 3.10.4 output. */
	R_OUT_DATA, R_OUT_DATA_FIN, R_OUT_FIN, R_NAGLE,
	/* 3.8 / 3.10.8 timers. */
	R_RTX_DATA, R_RTX_SYN, R_RTX_SYNACK, R_SYN_GIVE_UP, R_SYNACK_GIVE_UP, R_DATA_GIVE_UP,
	R_DELACK, R_TW_TIMEOUT, R_FW2_TIMEOUT, R_KA_PROBE, R_KA_GIVE_UP, R_KA_RST,
	/* 3.10.7.1 CLOSED. */
	R_CLOSED_RST, R_CLOSED_ACK, R_CLOSED_NO_ACK,
	/* 3.10.7.2 LISTEN. */
	R_LISTEN_RST, R_LISTEN_ACK, R_LISTEN_SYN, R_LISTEN_OTHER,
	/* 3.10.7.3 SYN-SENT. */
	R_SS_BAD_ACK, R_SS_BAD_ACK_RST, R_SS_RST, R_SS_RST_NEEDS_ACK, R_SS_SYNACK, R_SS_SIMOPEN,
	R_SS_OTHER,
	/* 3.10.7.4 first check (sequence number) and what profiles change there. */
	R_TW_REOPEN, R_SIMOPEN_SYNACK, R_SIMOPEN_SYNACK_T6, R_PAWS, R_TW_EXACT, R_REQSK_SYN, R_REQSK_ACK, R_NO_ACK_FIRST,
	R_TABLE6_RIGHT_EDGE, R_SEQ_RST_DROP, R_SEQ_ACK, R_HOLD_OOO,
	/* Second check (RST). */
	R_RST_CHALLENGE, R_RST_SYNRCVD_LISTEN, R_RST_REFUSED, R_RST_RFC1337, R_RST_CLOSE,
	/* Fourth check (SYN). */
	R_SYN_SYNRCVD_LISTEN, R_SYN_CHALLENGE, R_SYN_RESET, R_TW_SYN_RST,
	/* Fifth check (ACK). */
	R_ACK_OFF, R_ACK_SYNRCVD, R_DEFER_ACCEPT, R_ACK_SYNRCVD_BAD, R_ACK_5961, R_ACK_UNSENT,
	R_ACK_UNSENT_3_5_2, R_ACK_TW, R_ACK_FW1, R_ACK_CLOSING, R_ACK_LAST_ACK, R_ACK_WAIT_FIN, R_ACK_OK, R_END_AT_NXT,
	/* Seventh (text) and eighth (FIN). */
	R_TEXT, R_DUP_ACK, R_TEXT_IGNORED, R_ACK_IGNORED, R_DATA_AFTER_FIN_RST, R_HOLD_BEYOND, R_DATA_AFTER_CLOSE_RST, R_DATA_AFTER_CLOSE_RSTACK, R_FIN_AFTER_FIN, R_FIN, R_FIN_FW2, R_FIN_HOLD, R_FIN_REMAIN,
	/* RFC 5961 7 ACK throttling. */
	R_THROTTLE,
	R_COUNT
};

static const struct rule {
	const char *name;      /* the id transitions and messages use */
	int level;             /* enum tc_level */
	const char *req;
} rules[R_COUNT] = {
#define M TC_LVL_MUST
#define S TC_LVL_SHOULD
#define Y TC_LVL_MAY
	[R_NONE] = {"none", M, ""},
	[R_CKSUM] = {"checksum", M, "MUST-3"},
	[R_DOFF] = {"data-offset", M, "MUST-7"},
	[R_ABSTAIN] = {"abstain", M, ""},
	[R_OPEN_PASSIVE] = {"open-passive", M, "RFC9293-3.10.1"},
	[R_OPEN_ACTIVE] = {"open-active", M, "RFC9293-3.10.1"},
	[R_OPEN_EXISTS] = {"open-exists", M, "RFC9293-3.10.1"},
	[R_ACCEPT] = {"accept", M, ""},
	[R_SEND_QUEUE] = {"send-queue", M, "RFC9293-3.10.2"},
	[R_SEND_CLOSED] = {"send-closed", M, "RFC9293-3.10.2"},
	[R_SEND_CLOSING] = {"send-closing", M, "RFC9293-3.10.2"},
	[R_RECEIVE] = {"receive", M, "RFC9293-3.10.3"},
	[R_CLOSE_DELETE] = {"close-delete", M, "RFC9293-3.10.4"},
	[R_CLOSE_FIN] = {"close-fin", M, "RFC9293-3.10.4"},
	[R_CLOSE_LAST_ACK] = {"close-last-ack", M, "RFC9293-3.10.4"},
	[R_CLOSE_ALREADY] = {"close-already", M, "RFC9293-3.10.4"},
	[R_ABORT] = {"abort", M, "RFC9293-3.10.5"},
	[R_CLOSE_UNREAD_RST] = {"close-unread-rst", S, "SHLD-3"},
	[R_SHUT_RD] = {"shutdown-read", M, ""},
	[R_SETOPT] = {"setsockopt", M, ""},
	[R_QUICKACK] = {"quickack", Y, "knob:ack_quick"},
	[R_OUT_DATA] = {"send-data", M, "RFC9293-3.10.2"},
	[R_OUT_DATA_FIN] = {"send-data-fin", M, "RFC9293-3.10.4"},
	[R_OUT_FIN] = {"send-fin", M, "RFC9293-3.10.4"},
	[R_NAGLE] = {"nagle", S, "SHLD-7"},
	/* The timing of a retransmission is RFC 6298's: 2.4's 1 s minimum for data, 2.1's initial
	 * RTO for a SYN or SYN-ACK (both SHOULD). That it is retransmitted at all is MUST-18/19. */
	[R_RTX_DATA] = {"rtx-data", S, "RFC6298-2.4"},
	[R_RTX_SYN] = {"rtx-syn", S, "RFC6298-2.1"},
	[R_RTX_SYNACK] = {"rtx-synack", S, "RFC6298-2.1"},
	/* When to give up is the implementation's (R2, 3.8.3), above SHLD-11's 100 s. */
	[R_SYN_GIVE_UP] = {"syn-give-up", Y, "RFC9293-3.8.3"},
	[R_SYNACK_GIVE_UP] = {"synack-give-up", Y, "RFC9293-3.8.3"},
	[R_DATA_GIVE_UP] = {"data-give-up", Y, "RFC9293-3.8.3"},
	/* The delayed ACK's delay is SHLD-18; its 500 ms bound is MUST-40. */
	[R_DELACK] = {"delayed-ack", M, "MUST-40"},
	[R_TW_TIMEOUT] = {"time-wait-timeout", M, "MUST-13"},
	[R_FW2_TIMEOUT] = {"fin-wait-2-timeout", Y, "knob:fin_wait_2"},
	/* RFC 9293 3.8.4: keep-alives MAY be included (MAY-5); a probe SHOULD carry no data
	 * (SHLD-12) and MAY carry one garbage octet (MAY-6). */
	[R_KA_PROBE] = {"keepalive-probe", Y, "MAY-5"},
	[R_KA_GIVE_UP] = {"keepalive-give-up", Y, "MAY-5"},
	[R_KA_RST] = {"keepalive-rst", Y, "knob:keepalive_rst"},
	[R_CLOSED_RST] = {"closed-rst", M, "RFC9293-3.10.7.1"},
	[R_CLOSED_ACK] = {"closed-ack", M, "RFC9293-3.10.7.1"},
	[R_CLOSED_NO_ACK] = {"closed-no-ack", M, "RFC9293-3.10.7.1"},
	[R_LISTEN_RST] = {"listen-rst", M, "RFC9293-3.10.7.2"},
	[R_LISTEN_ACK] = {"listen-ack", M, "RFC9293-3.10.7.2"},
	[R_LISTEN_SYN] = {"listen-syn", M, "RFC9293-3.10.7.2"},
	[R_LISTEN_OTHER] = {"listen-other", M, "RFC9293-3.10.7.2"},
	[R_SS_BAD_ACK] = {"syn-sent-bad-ack", M, "RFC9293-3.10.7.3"},
	[R_SS_BAD_ACK_RST] = {"syn-sent-bad-ack-rst", M, "RFC9293-3.10.7.3"},
	[R_SS_RST] = {"syn-sent-rst", M, "RFC9293-3.10.7.3"},
	[R_SS_RST_NEEDS_ACK] = {"syn-sent-rst-no-ack", M, "RFC9293-3.10.7.3"},
	[R_SS_SYNACK] = {"syn-sent-synack", M, "RFC9293-3.10.7.3"},
	[R_SS_SIMOPEN] = {"syn-sent-simopen", M, "MUST-10"},
	[R_SS_OTHER] = {"syn-sent-other", M, "RFC9293-3.10.7.3"},
	[R_TW_REOPEN] = {"time-wait-reopen", Y, "MAY-2"},
	[R_SIMOPEN_SYNACK] = {"simopen-synack", M, "MUST-10"},
	[R_SIMOPEN_SYNACK_T6] = {"simopen-synack-table6", Y, "knob:simopen_synack_table6"},
	/* RFC 7323 5.3 R1: "treat the arriving segment as not acceptable". */
	[R_PAWS] = {"paws", M, "RFC7323-5.3"},
	[R_TW_EXACT] = {"time-wait-exact", Y, "knob:time_wait_exact_only"},
	[R_REQSK_SYN] = {"reqsk-syn", Y, "knob:syn_recv_request_sock"},
	[R_REQSK_ACK] = {"reqsk-ack", Y, "knob:syn_recv_request_sock"},
	[R_NO_ACK_FIRST] = {"no-ack-first", Y, "knob:no_ack_dropped_first"},
	[R_TABLE6_RIGHT_EDGE] = {"table6-right-edge", M, "RFC9293-3.10.7.4#1"},
	[R_SEQ_RST_DROP] = {"seq-rst-drop", M, "RFC9293-3.10.7.4#1"},
	/* "an acknowledgment should be sent in reply": lower-case should. */
	[R_SEQ_ACK] = {"seq-unacceptable-ack", S, "RFC9293-3.10.7.4#1"},
	[R_HOLD_OOO] = {"hold-out-of-order", S, "SHLD-31"},
	[R_RST_CHALLENGE] = {"rst-challenge-ack", S, "RFC5961-3.2"},
	[R_RST_SYNRCVD_LISTEN] = {"rst-syn-received-listen", M, "RFC9293-3.10.7.4#2"},
	[R_RST_REFUSED] = {"rst-refused", M, "RFC9293-3.10.7.4#2"},
	[R_RST_RFC1337] = {"rst-time-wait-rfc1337", Y, "knob:rfc1337"},
	[R_RST_CLOSE] = {"rst-close", M, "RFC9293-3.10.7.4#2"},
	[R_SYN_SYNRCVD_LISTEN] = {"syn-syn-received-listen", M, "RFC9293-3.10.7.4#4"},
	[R_SYN_CHALLENGE] = {"syn-challenge-ack", S, "RFC5961-4.2"},
	[R_SYN_RESET] = {"syn-reset", M, "RFC9293-3.10.7.4#4"},
	/* Knob time_wait_syn_rst: RFC 9293's own text for a stack without RFC 5961, one of two
	 * permitted answers (the other is RFC 5961 4.2's challenge ACK). */
	[R_TW_SYN_RST] = {"time-wait-syn-rst", Y, "RFC9293-3.10.7.4#4"},
	[R_ACK_OFF] = {"ack-off", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_SYNRCVD] = {"ack-syn-received", M, "RFC9293-3.10.7.4#5"},
	[R_DEFER_ACCEPT] = {"defer-accept", Y, "TCP_DEFER_ACCEPT"},
	[R_ACK_SYNRCVD_BAD] = {"ack-syn-received-bad", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_5961] = {"ack-rfc5961", S, "RFC5961-5.2"},
	/* "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the
	 * segment, and return" is ESTABLISHED processing, which FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT
	 * and CLOSING include; LAST-ACK's and TIME-WAIT's fifth check do not ("The only thing that
	 * can arrive in this state is ..."), so there only 3.5.2's lower-case "must be responded to
	 * with an empty acknowledgment segment" asks for the ACK: SHOULD. */
	[R_ACK_UNSENT] = {"ack-unsent", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_UNSENT_3_5_2] = {"ack-unsent-3.5.2", S, "RFC9293-3.5.2"},
	[R_ACK_TW] = {"ack-time-wait", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_FW1] = {"ack-fin-wait-1", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_CLOSING] = {"ack-closing", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_LAST_ACK] = {"ack-last-ack", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_WAIT_FIN] = {"ack-wait-fin", M, "RFC9293-3.10.7.4#5"},
	[R_ACK_OK] = {"ack", M, "RFC9293-3.10.7.4#5"},
	[R_END_AT_NXT] = {"end-at-rcv-nxt", Y, "knob:seq_end_at_rcv_nxt"},
	[R_TEXT] = {"text", M, "RFC9293-3.10.7.4#7"},
	[R_DUP_ACK] = {"dup-ack", S, "RFC5681-4.2"},
	[R_TEXT_IGNORED] = {"text-ignored", M, "RFC9293-3.10.7.4#7"},
	[R_ACK_IGNORED] = {"ack-ignored-segment", Y, "knob:ack_ignored_segment"},
	[R_DATA_AFTER_FIN_RST] = {"data-after-fin-rst", Y, "knob:data_after_fin_rst"},
	[R_HOLD_BEYOND] = {"hold-beyond-rcv-nxt", Y, "knob:hold_beyond_rcv_nxt"},
	[R_DATA_AFTER_CLOSE_RST] = {"data-after-close-rst", Y, "knob:data_after_close_rst"},
	[R_DATA_AFTER_CLOSE_RSTACK] = {"data-after-close-rst-ack", Y, "knob:data_after_close_rst_ack"},
	[R_FIN_AFTER_FIN] = {"fin-after-fin", Y, "knob:fin_after_fin_acked"},
	[R_FIN] = {"fin", M, "RFC9293-3.10.7.4#8"},
	[R_FIN_FW2] = {"fin-fin-wait-2", M, "RFC9293-3.10.7.4#8"},
	[R_FIN_HOLD] = {"fin-hold", S, "SHLD-31"},
	[R_FIN_REMAIN] = {"fin-remain", M, "RFC9293-3.10.7.4#8"},
	[R_THROTTLE] = {"ack-throttle", S, "RFC5961-7"},
#undef M
#undef S
#undef Y
};

/*
 * Rule switches for the mutation test (tests/model-mutate.sh): built with
 * -DTC_MODEL_MUTATE=R_NAME, the model leaves that one rule out, to prove a unit test notices.
 * The logic asks rule_on() only where leaving the rule out has a meaning of its own.
 */
static const unsigned char rule_off[R_COUNT] = {
#ifdef TC_MODEL_MUTATE
	[TC_MODEL_MUTATE] = 1,
#endif
	[R_NONE] = 0,
};

static int rule_on(enum rid r) { return !rule_off[r]; }

/* ---- output helpers ---- */

static void rule_to(struct tc_mout *o, enum rid r, const char *text)
{
	snprintf(o->rule, sizeof(o->rule), "%s", text);
	o->level = rules[r].level;
	snprintf(o->req, sizeof(o->req), "%s", rules[r].req);
}

/* Names the rule that decided the event: its text (with the requirement's level) and id. */
static void rulef(struct tc_mout *o, enum rid r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void rulef(struct tc_mout *o, enum rid r, const char *fmt, ...)
{
	char text[TC_MODEL_RULE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rule_to(o, r, text);
}

/*
 * Every state change goes through here (RFC 9293's transitions, curl's mstate): it appends
 * {old, new, rule, line} to o->trans. CLOSED deletes the TCB; LISTEN (a passive open's TCB
 * returning to it, 3.10.7.4 second and fourth checks) keeps only the listening half.
 */
#define set_state(m, st, o, r) set_state_at((m), (st), (o), (r), __LINE__)
static void set_state_at(struct tc_model *m, int st, struct tc_mout *o, enum rid r, int line)
{
	int from = tc_model_state(m);
	m->state = st;
	if (st == TC_ST_CLOSED || st == TC_ST_LISTEN) {
		/* RFC 9293 3.10.7.4: "delete the TCB": timers and queues go with it. */
		m->t_rtx = m->t_tw = m->t_fw2 = m->t_ka = m->t_delack = 0;
		m->sbuf_len = 0;
		m->nooo = 0;
		if (st == TC_ST_LISTEN)
			m->iss_known = m->irs_known = 0;
	}
	o->new_state = tc_model_state(m);
	if (o->ntrans < TC_MODEL_MAXTRANS) {
		struct tc_mtrans *t = &o->trans[o->ntrans++];
		t->from = from;
		t->to = o->new_state;
		t->rule = rules[r].name;
		t->level = rules[r].level;
		t->req = rules[r].req;
		t->line = line;
	}
}

static void lose(struct tc_model *m, struct tc_mout *o, const char *why)
{
	if (!m->lost) {
		m->lost = 1;
		snprintf(m->lost_why, sizeof(m->lost_why), "%s", why);
	}
	rulef(o, R_ABSTAIN, "model abstains: %s", why);
}

static void done(struct tc_mout *o, int tag, int call, long ret, const char *err)
{
	if (o->ndone >= (int)(sizeof(o->done) / sizeof(o->done[0])))
		return;
	struct tc_mdone *d = &o->done[o->ndone++];
	memset(d, 0, sizeof(*d));
	d->tag = tag;
	d->call = call;
	d->ret = ret;
	snprintf(d->err, sizeof(d->err), "%s", err);
}

/* Options on a non-SYN segment: timestamps on every one once negotiated (RFC 7323 3.2); SACK
 * blocks may appear when SACK was negotiated (RFC 2018 4). */
static void std_opts(const struct tc_model *m, struct tc_mseg *g)
{
	if (m->ts_ok)
		g->opt_must |= TC_OBIT(TC_OPT_TS);
	if (m->sack_ok)
		g->opt_maybe |= TC_OBIT(TC_OPT_SACK);
}

/* Predicts a segment the target sends, due at now, made by rule r (text: the sentence). */
static struct tc_mseg *emit(struct tc_model *m, struct tc_mout *o, uint8_t flags, uint32_t seq,
			    uint32_t ack, int64_t now, enum rid r, const char *rule)
{
	if (o->nseg >= TC_MODEL_MAXOUT)
		return NULL;
	struct tc_mseg *g = &o->seg[o->nseg++];
	memset(g, 0, sizeof(*g));
	g->flags = flags;
	g->seq = seq;
	g->ack = ack; /* compared only when the ACK bit is (or may be) set */
	g->seq_any = !m->iss_known && !(flags & TC_F_RST);
	g->sport = m->port;
	g->dport = m->peer_port;
	g->earliest = g->latest = now;
	if (!(flags & TC_F_SYN))
		std_opts(m, g);
	if (flags & TC_F_ACK)
		m->last_ack_sent = ack;
	snprintf(g->rule, sizeof(g->rule), "%s", rule);
	g->level = rules[r].level;
	snprintf(g->req, sizeof(g->req), "%s", rules[r].req);
	rule_to(o, r, rule);
	return g;
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the answer of so many rules. */
static struct tc_mseg *emit_ack(struct tc_model *m, struct tc_mout *o, int64_t now, enum rid r,
				const char *rule)
{
	struct tc_mseg *g = emit(m, o, TC_F_ACK, m->snd_nxt, m->rcv_nxt, now, r, rule);
	if (g)
		g->pure_ack = 1;
	m->t_delack = 0;
	return g;
}

/* A challenge ACK (RFC 5961 3.2, 4.2, 5.2) or an ACK for a data-less unacceptable segment,
 * subject to the throttle of RFC 5961 7 where the profile has one. */
static void emit_limited_ack(struct tc_model *m, struct tc_mout *o, int64_t now, enum rid r,
			     const char *rule)
{
	int64_t iv = m->k.challenge_ack_interval_us;
	if (iv > 0 && m->last_challenge >= 0 && now - m->last_challenge < iv) {
		rulef(o, R_THROTTLE, "%s, suppressed by the ACK throttle (RFC 5961 7: one per %lld ms)",
		      rule, (long long)(iv / 1000));
		return;
	}
	m->last_challenge = now;
	emit_ack(m, o, now, r, rule);
}

static uint32_t seg_len(const struct tc_seg *s)
{
	return (uint32_t)s->payload_len + !!(s->flags & TC_F_SYN) + !!(s->flags & TC_F_FIN);
}

/* RFC 9293 3.10.7.1: the reset answering a segment for no connection. */
static void closed_rst(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o,
		       const char *where)
{
	char r[TC_MODEL_RULE];
	if (s->flags & TC_F_RST) {
		rulef(o, R_CLOSED_RST, "RFC 9293 3.10.7.1 (%s): an incoming RST is discarded", where);
		return;
	}
	struct tc_mseg *g;
	if (s->flags & TC_F_ACK) {
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.1 (%s): ACK set, send <SEQ=SEG.ACK><CTL=RST>", where);
		g = emit(m, o, TC_F_RST, s->ack, 0, now, R_CLOSED_ACK, r);
	} else {
		/* "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>": SEG.LEN counts SYN and FIN. */
		uint32_t ack = s->seq + (rule_on(R_CLOSED_NO_ACK) ? seg_len(s) : 0);
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.1 (%s): ACK off, send "
			 "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", where);
		g = emit(m, o, TC_F_RST | TC_F_ACK, 0, ack, now, R_CLOSED_NO_ACK, r);
	}
	if (g) {
		g->sport = s->dport;
		g->dport = s->sport;
		g->opt_must = g->opt_maybe = 0;
	}
}

/* ---- timers ---- */

static void rto_sample(struct tc_model *m, int64_t r)
{
	/* RFC 6298 2.2 and 2.3 (alpha 1/8, beta 1/4). */
	if (!m->rtt_valid) {
		m->srtt = r;
		m->rttvar = r / 2;
		m->rtt_valid = 1;
	} else {
		int64_t d = m->srtt > r ? m->srtt - r : r - m->srtt;
		m->rttvar = (3 * m->rttvar + d) / 4;
		m->srtt = (7 * m->srtt + r) / 8;
	}
	int64_t rto;
	if (m->k.rto_linux) {
		int64_t v = 4 * m->rttvar > m->k.rto_min_us ? 4 * m->rttvar : m->k.rto_min_us;
		rto = m->srtt + v;
	} else {
		int64_t v = 4 * m->rttvar > 1000 ? 4 * m->rttvar : 1000; /* G = 1 ms */
		rto = m->srtt + v;
		if (rto < m->k.rto_min_us)
			rto = m->k.rto_min_us; /* RFC 6298 2.4 */
	}
	if (rto > m->k.rto_max_us)
		rto = m->k.rto_max_us; /* RFC 6298 2.5 */
	m->rto = rto;
}

static void arm_rtx(struct tc_model *m, int64_t now)
{
	if (!m->t_rtx)
		m->t_rtx = now + m->rto;
}

static void ka_rearm(struct tc_model *m, int64_t now)
{
	m->ka_probes = 0;
	if (m->keepalive && (m->state == TC_ST_ESTABLISHED || m->state == TC_ST_CLOSE_WAIT))
		m->t_ka = now + m->k.keepalive_idle_us;
	else
		m->t_ka = 0;
}

int64_t tc_model_next_deadline(const struct tc_model *m)
{
	int64_t t[5] = {m->t_rtx, m->t_tw, m->t_fw2, m->t_ka, m->t_delack}, best = 0;
	for (int i = 0; i < 5; i++)
		if (t[i] && (!best || t[i] < best))
			best = t[i];
	return best;
}

int tc_model_state(const struct tc_model *m)
{
	return m->state;
}

int tc_model_listener_state(const struct tc_model *m)
{
	return m->listening ? TC_ST_LISTEN : TC_ST_CLOSED;
}

/* ---- app-call completion ---- */

static void unblock(struct tc_model *m, struct tc_mout *o);

/* The SYN or SYN-ACK the target sends (RFC 9293 3.10.1 OPEN, 3.10.7.2 / 3.10.7.3). */
static void emit_syn(struct tc_model *m, struct tc_mout *o, int64_t now, int synack, enum rid r,
		     const char *rule)
{
	struct tc_mseg *g = emit(m, o, synack ? TC_F_SYN | TC_F_ACK : TC_F_SYN, m->iss, m->rcv_nxt,
				 now, r, rule);
	if (!g)
		return;
	unsigned mine = m->k.syn_opts, maybe = m->k.syn_opts_maybe;
	if (synack && !(m->simopen && m->k.simopen_synack_all_opts)) {
		/* RFC 7323 2.2 / 3.2: WS and TS in a SYN-ACK only if the SYN had them. RFC 2018 2 sets
		 * no such condition for SACK-permitted ("may be sent in a SYN"; it "MUST NOT be sent
		 * on non-SYN segments"), so a stack that offers SACK may put it on any SYN-ACK
		 * (NetBSD's tcp_output does on a SYN-ACK it sends from SYN-RECEIVED): may, not must. */
		unsigned offered = (unsigned)m->peer_syn_opts | TC_OBIT(TC_OPT_MSS);
		unsigned sack = (mine | maybe) & TC_OBIT(TC_OPT_SACK_OK);
		mine &= offered;
		maybe = (maybe & offered) | (sack & ~offered);
	}
	if (synack && m->simopen && m->target_syn_opts) {
		/* After a simultaneous open, the options are those of the target's own SYN. */
		if (m->k.simopen_synack_all_opts) {
			mine = (unsigned)m->target_syn_opts;
			maybe = 0;
		}
	}
	g->opt_must = mine | TC_OBIT(TC_OPT_MSS);
	g->opt_maybe = maybe & ~g->opt_must;
}

/* Sends what the send queue and the window allow (RFC 9293 3.7, Nagle 3.7.4), then a queued FIN. */
static void output(struct tc_model *m, struct tc_mout *o, int64_t now)
{
	if (m->state != TC_ST_ESTABLISHED && m->state != TC_ST_CLOSE_WAIT &&
	    m->state != TC_ST_FIN_WAIT_1 && m->state != TC_ST_LAST_ACK)
		return;
	uint32_t mss = m->snd_mss ? m->snd_mss : (uint32_t)m->k.default_mss;
	for (;;) {
		uint32_t sent = m->snd_nxt - m->snd_una - (m->fin_sent ? 1 : 0);
		if (m->fin_sent)
			return;
		uint32_t unsent = m->sbuf_len - sent;
		if (unsent == 0)
			break;
		uint32_t wnd_left = m->snd_una + m->snd_wnd - m->snd_nxt;
		if (lt(m->snd_una + m->snd_wnd, m->snd_nxt))
			wnd_left = 0;
		uint32_t n = unsent < mss ? unsent : mss;
		if (n > wnd_left)
			n = wnd_left;
		if (n == 0) {
			lose(m, o, "the usable window is 0 (zero-window probing is not modelled)");
			return;
		}
		int hold = m->k.nagle_minshall ? lt(m->snd_una, m->small_end) : m->snd_nxt != m->snd_una;
		int last = n == unsent;
		/* nagle_fin_push: the segment that can carry the queued FIN is not held. */
		if (m->k.nagle_fin_push && last && m->fin_queued)
			hold = 0;
		if (n < mss && m->k.nagle && !m->nodelay && hold) {
			/* RFC 9293 3.7.4 / RFC 1122 4.2.3.4: hold a small segment while data is
			 * unacknowledged. */
			rulef(o, R_NAGLE, "RFC 9293 3.7.4 (Nagle, SHLD-7): %u bytes held while data is "
			      "unacknowledged", n);
			return;
		}
		uint8_t fl = TC_F_ACK | (last ? TC_F_PSH : 0);
		int with_fin = last && m->fin_queued;
		if (with_fin)
			fl |= TC_F_FIN;
		struct tc_mseg *g = emit(m, o, fl, m->snd_nxt, m->rcv_nxt, now,
					 with_fin ? R_OUT_DATA_FIN : R_OUT_DATA,
					 with_fin ? "RFC 9293 3.10.4 CLOSE: queued data then FIN"
						  : "RFC 9293 3.10.2 SEND: segmentize the buffer and send it");
		if (!g) {
			/* More segments at once than a prediction holds: a real stack would be held
			 * back by its congestion window (RFC 5681 3.1), which is not modelled. */
			lose(m, o, "more segments in one burst than the model predicts (the congestion "
				   "window is not modelled)");
			return;
		}
		g->len = n;
		memcpy(g->data, m->sbuf + sent, n > TC_MAX_PAYLOAD ? TC_MAX_PAYLOAD : n);
		if (n < mss)
			m->small_end = m->snd_nxt + n;
		if (!m->rtt_start) {
			m->rtt_start = now;
			m->rtt_seq = m->snd_nxt + n;
		}
		m->snd_nxt += n;
		if (with_fin) {
			m->snd_nxt++;
			m->fin_sent = 1;
		}
		m->t_delack = 0;
		arm_rtx(m, now);
	}
	if (m->fin_queued && !m->fin_sent) {
		if (!emit(m, o, TC_F_FIN | TC_F_ACK, m->snd_nxt, m->rcv_nxt, now, R_OUT_FIN,
			  "RFC 9293 3.10.4 CLOSE: form a FIN segment and send it")) {
			lose(m, o, "more segments in one burst than the model predicts (the congestion "
				   "window is not modelled)");
			return;
		}
		m->snd_nxt++;
		m->fin_sent = 1;
		m->t_delack = 0;
		arm_rtx(m, now);
	}
}

/* Retransmits the oldest unacknowledged segment (RFC 9293 3.8.1, RFC 6298 5.4). */
static void retransmit(struct tc_model *m, struct tc_mout *o, int64_t now)
{
	uint32_t mss = m->snd_mss ? m->snd_mss : (uint32_t)m->k.default_mss;
	uint32_t sent = m->snd_nxt - m->snd_una - (m->fin_sent ? 1 : 0);
	uint32_t n = sent < mss ? sent : mss;
	uint8_t fl = TC_F_ACK;
	if (n)
		fl |= TC_F_PSH;
	if (m->fin_sent && n == sent)
		fl |= TC_F_FIN;
	struct tc_mseg *g = emit(m, o, fl, m->snd_una, m->rcv_nxt, now, R_RTX_DATA,
				 "RFC 9293 3.8.1 / RFC 6298 5.4: retransmission timeout, retransmit "
				 "the earliest unacknowledged segment");
	if (g) {
		g->len = n;
		memcpy(g->data, m->sbuf, n > TC_MAX_PAYLOAD ? TC_MAX_PAYLOAD : n);
	}
}

/* Linux tcp_model_timeout(): R2 as the time the retransmissions would take with the minimum
 * RTO doubling each time (linear once it reaches the maximum), counted from the first
 * retransmission. */
static int64_t retries_budget(const struct tc_model *m)
{
	int64_t base = m->k.rto_min_us > 0 ? m->k.rto_min_us : 1;
	int thresh = 0, r = m->k.data_retries;
	while (thresh < 30 && (base << (thresh + 1)) <= m->k.rto_max_us)
		thresh++;
	if (r <= thresh)
		return ((2LL << r) - 1) * base;
	return ((2LL << thresh) - 1) * base + (int64_t)(r - thresh) * m->k.rto_max_us;
}

static void fire_rtx(struct tc_model *m, struct tc_mout *o, int64_t now)
{
	m->t_rtx = 0;
	m->rtt_start = 0; /* Karn's algorithm (RFC 6298 3): no sample from a retransmission. */
	m->nrtx++;
	/* RFC 6298 5.5: back off the timer. */
	m->rto = m->rto * 2 > m->k.rto_max_us ? m->k.rto_max_us : m->rto * 2;
	switch (m->state) {
	case TC_ST_SYN_SENT:
		if (m->nrtx > m->k.syn_retries) {
			m->timed_out = 1;
			set_state(m, TC_ST_CLOSED, o, R_SYN_GIVE_UP);
			rulef(o, R_SYN_GIVE_UP, "RFC 9293 3.8.3 (MUST-20): SYN retransmissions exhausted, "
			      "the open fails");
			unblock(m, o);
			return;
		}
		emit_syn(m, o, now, 0, R_RTX_SYN, "RFC 9293 3.8.1 / RFC 6298 5.4: SYN retransmission "
			 "(backed-off RTO)");
		break;
	case TC_ST_SYN_RECEIVED:
		if (m->nrtx > m->k.synack_retries) {
			/* A passive open's TCB goes back to LISTEN (as on a RST, 3.10.7.4 second). */
			set_state(m, m->passive ? TC_ST_LISTEN : TC_ST_CLOSED, o, R_SYNACK_GIVE_UP);
			rulef(o, R_SYNACK_GIVE_UP, "RFC 9293 3.8.3 (MUST-20): SYN-ACK retransmissions "
			      "exhausted, the embryonic connection is dropped silently");
			return;
		}
		emit_syn(m, o, now, 1, R_RTX_SYNACK, "RFC 9293 3.8.1 / RFC 6298 5.4: SYN-ACK "
			 "retransmission (backed-off RTO)");
		break;
	default:
		if (m->nrtx == 1)
			m->first_rtx = now;
		if (m->k.retries_time ? m->nrtx > 1 && now - m->first_rtx >= retries_budget(m)
				      : m->nrtx > m->k.data_retries) {
			m->timed_out = 1;
			set_state(m, TC_ST_CLOSED, o, R_DATA_GIVE_UP);
			rulef(o, R_DATA_GIVE_UP, "RFC 9293 3.8.3 (R2): retransmissions exhausted, the "
			      "connection is closed");
			unblock(m, o);
			return;
		}
		retransmit(m, o, now);
		break;
	}
	m->t_rtx = now + m->rto;
}

void tc_model_timer(struct tc_model *m, int64_t now, struct tc_mout *o)
{
	memset(o, 0, sizeof(*o));
	o->old_state = o->new_state = tc_model_state(m);
	for (int guard = 0; guard < 64; guard++) {
		int64_t d = tc_model_next_deadline(m);
		if (!d || d > now || m->lost)
			break;
		if (d == m->t_delack) {
			m->t_delack = 0;
			emit_ack(m, o, d, R_DELACK, "RFC 9293 3.8.6.3 (SHLD-18, MUST-40): delayed ACK timer, "
				 "send the ACK");
		} else if (d == m->t_tw) {
			m->t_tw = 0;
			set_state(m, TC_ST_CLOSED, o, R_TW_TIMEOUT);
			rulef(o, R_TW_TIMEOUT, "RFC 9293 3.10.8: time-wait timeout, delete the TCB and "
			      "enter CLOSED");
		} else if (d == m->t_fw2) {
			m->t_fw2 = 0;
			set_state(m, TC_ST_CLOSED, o, R_FW2_TIMEOUT);
			rulef(o, R_FW2_TIMEOUT, "profile %s: orphaned FIN_WAIT_2 timeout (RFC 9293 leaves it open, "
				 "RFC 1122 4.2.2.20 allows it)", m->k.name);
		} else if (d == m->t_ka) {
			if (m->ka_probes >= m->k.keepalive_cnt) {
				if (m->k.keepalive_rst)
					emit(m, o, TC_F_RST | TC_F_ACK, m->snd_nxt, m->rcv_nxt, d, R_KA_RST,
					     "RFC 1122 4.2.3.6 / profile: keep-alive probes unanswered, reset");
				m->timed_out = 1;
				set_state(m, TC_ST_CLOSED, o, m->k.keepalive_rst ? R_KA_RST : R_KA_GIVE_UP);
				if (!m->k.keepalive_rst)
					rulef(o, R_KA_GIVE_UP, "RFC 1122 4.2.3.6: keep-alive probes unanswered, the "
						 "connection is closed");
				unblock(m, o);
			} else {
				struct tc_mseg *g = emit(m, o, TC_F_ACK, m->snd_nxt - 1, m->rcv_nxt, d,
							 R_KA_PROBE, "RFC 9293 3.8.4 / RFC 1122 4.2.3.6: keep-alive "
							 "probe <SEQ=SND.NXT-1>");
				if (g)
					g->len = (uint32_t)m->k.keepalive_probe_len;
				m->ka_probes++;
				m->t_ka = d + m->k.keepalive_intvl_us;
			}
		} else if (d == m->t_rtx) {
			fire_rtx(m, o, d);
		}
	}
	o->new_state = tc_model_state(m);
}

/* Completes blocked calls that can complete now. */
static void unblock(struct tc_model *m, struct tc_mout *o)
{
	for (int i = 0; i < m->nblk;) {
		int call = m->blk[i].call, tag = m->blk[i].tag, fin = 0;
		const char *err = NULL;
		long ret = 0;
		int st = m->state;
		if (call == TC_MC_CONNECT) {
			if (st == TC_ST_ESTABLISHED || st == TC_ST_CLOSE_WAIT || st == TC_ST_FIN_WAIT_1 ||
			    st == TC_ST_FIN_WAIT_2)
				fin = 1, err = "0";
			else if (st == TC_ST_CLOSED)
				fin = 1, ret = -1,
				err = m->refused ? "ECONNREFUSED" : m->timed_out ? "ETIMEDOUT" : "ECONNRESET";
			if (fin && ret == -1)
				m->reset_reported = 1;
		} else if (call == TC_MC_ACCEPT) {
			if (st != TC_ST_CLOSED && st != TC_ST_LISTEN && st != TC_ST_SYN_RECEIVED &&
			    st != TC_ST_SYN_SENT && !m->accepted) {
				fin = 1, err = "0";
				m->accepted = 1;
			}
		} else if (call == TC_MC_RECEIVE) {
			if (m->rbuf_len > 0) {
				fin = 1;
				err = "0";
				size_t n = m->rbuf_len < (uint32_t)m->blk[i].len ? m->rbuf_len : (size_t)m->blk[i].len;
				if (n > sizeof(o->done[0].data))
					n = sizeof(o->done[0].data);
				ret = (long)n;
				done(o, tag, call, ret, err);
				if (o->ndone > 0 && o->done[o->ndone - 1].tag == tag) {
					memcpy(o->done[o->ndone - 1].data, m->rbuf, n);
					o->done[o->ndone - 1].ndata = n;
				}
				memmove(m->rbuf, m->rbuf + n, m->rbuf_len - n);
				m->rbuf_len -= (uint32_t)n;
				memmove(&m->blk[i], &m->blk[i + 1], (size_t)(m->nblk - i - 1) * sizeof(m->blk[0]));
				m->nblk--;
				continue;
			} else if (m->fin_rcvd) {
				fin = 1, err = "0";
				m->fin_read = 1;
			} else if (m->reset || m->timed_out) {
				/* The socket's error is reported once (Linux sock_error() clears sk_err),
				 * then read returns end of file, for a reset and a time-out alike. */
				fin = 1, ret = -1;
				if (!m->reset_reported)
					err = m->timed_out ? "ETIMEDOUT" : "ECONNRESET", m->reset_reported = 1;
				else
					err = "0", ret = 0;
			}
		}
		if (fin) {
			done(o, tag, call, ret, err);
			memmove(&m->blk[i], &m->blk[i + 1], (size_t)(m->nblk - i - 1) * sizeof(m->blk[0]));
			m->nblk--;
		} else {
			i++;
		}
	}
}

/* Connection reset by the peer (RFC 9293 3.10.7.4 second check): users get "reset". */
static void reset_conn(struct tc_model *m, struct tc_mout *o, enum rid r, const char *rule)
{
	m->reset = 1;
	set_state(m, TC_ST_CLOSED, o, r);
	rule_to(o, r, rule);
	unblock(m, o);
}

/* The SYN-RECEIVED -> ESTABLISHED step, for the three ways into it: our SYN acknowledged in
 * SYN-SENT (3.10.7.3 fourth), the peer's SYN-ACK in a simultaneous open (Figure 7), the final
 * ACK in SYN-RECEIVED (3.10.7.4 fifth). "SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <-
 * SEG.ACK"; wscale is the shift of SEG.WND (0 on a SYN, RFC 7323 2.2). */
static void enter_established(struct tc_model *m, const struct tc_seg *s, int wscale, int64_t now,
			      struct tc_mout *o, enum rid r)
{
	if (m->rtt_start && m->nrtx == 0)
		rto_sample(m, now - m->rtt_start);
	m->rtt_start = 0;
	m->snd_una = s->ack;
	m->t_rtx = 0;
	m->nrtx = 0;
	m->snd_wnd = (uint32_t)s->win << wscale;
	if (m->snd_wnd > m->max_snd_wnd)
		m->max_snd_wnd = m->snd_wnd;
	m->snd_wl1 = s->seq;
	m->snd_wl2 = s->ack;
	set_state(m, TC_ST_ESTABLISHED, o, r);
	ka_rearm(m, now);
	unblock(m, o);
}

/* ---- SEGMENT ARRIVES ---- */

/* The MSS the target may send with (RFC 9293 3.7.1, MUST-15 / MUST-16): the peer's option, or
 * the default without one (536 for IPv4, 1220 for IPv6), never more than its own link allows. */
static uint16_t eff_mss(const struct tc_model *m, int peer_mss)
{
	int mss = peer_mss > 0 ? peer_mss : m->ipv6 ? 1220 : m->k.default_mss;
	if (m->mtu > 0) {
		int cap = m->mtu - (m->ipv6 ? 60 : 40);
		if (mss > cap)
			mss = cap;
	}
	return (uint16_t)mss;
}

static void learn_peer_syn(struct tc_model *m, const struct tc_seg *s)
{
	int peer_mss = 0;
	m->peer_syn_opts = 0;
	for (int i = 0; i < s->nopts; i++) {
		const struct tc_opt *p = &s->opts[i];
		if (p->malformed)
			continue;
		switch (p->kind) {
		case TC_OPT_MSS: peer_mss = p->mss; m->peer_syn_opts |= TC_OBIT(TC_OPT_MSS); break;
		case TC_OPT_WSCALE:
			/* RFC 7323 2.3: a shift above 14 MUST be taken as 14. */
			m->snd_wscale = p->wscale > 14 ? 14 : p->wscale;
			m->peer_syn_opts |= TC_OBIT(TC_OPT_WSCALE);
			break;
		case TC_OPT_SACK_OK: m->peer_syn_opts |= TC_OBIT(TC_OPT_SACK_OK); break;
		case TC_OPT_TS:
			m->ts_recent = p->ts_val;
			m->peer_syn_opts |= TC_OBIT(TC_OPT_TS);
			break;
		default: break;
		}
	}
	m->snd_mss = eff_mss(m, peer_mss);
}

/* Which options both sides sent in their SYNs (RFC 7323 1.3 / 2.2, RFC 2018 2). */
static void negotiate(struct tc_model *m)
{
	unsigned t = (unsigned)m->target_syn_opts, p = (unsigned)m->peer_syn_opts;
	m->ws_ok = (t & p & TC_OBIT(TC_OPT_WSCALE)) != 0;
	m->ts_ok = (t & p & TC_OBIT(TC_OPT_TS)) != 0;
	m->sack_ok = (t & p & TC_OBIT(TC_OPT_SACK_OK)) != 0;
	if (!m->ws_ok)
		m->snd_wscale = m->rcv_wscale = 0;
}

static int seg_ts(const struct tc_seg *s, uint32_t *val)
{
	for (int i = 0; i < s->nopts; i++)
		if (s->opts[i].kind == TC_OPT_TS && !s->opts[i].malformed) {
			*val = s->opts[i].ts_val;
			return 1;
		}
	return 0;
}

/*
 * RFC 9293 3.10.7.2, LISTEN STATE: "First, check for a RST: An incoming RST segment could not
 * be valid ... it should be ignored. Second, check for an ACK: ... an acceptable reset segment
 * should be formed for any arriving ACK-bearing segment. The RST should be formatted as
 * <SEQ=SEG.ACK><CTL=RST>. Third, check for a SYN: ... enter the SYN-RECEIVED state." The
 * connection's TCB is the listener's until the SYN; a listener beside a connection that is gone
 * (m->state CLOSED) makes a new TCB here for the same peer.
 */
static void on_listen(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	if (s->flags & TC_F_RST) {
		rulef(o, R_LISTEN_RST, "RFC 9293 3.10.7.2 first: an incoming RST in LISTEN is ignored");
		return;
	}
	if ((s->flags & TC_F_ACK) && rule_on(R_LISTEN_ACK)) {
		struct tc_mseg *g = emit(m, o, TC_F_RST, s->ack, 0, now, R_LISTEN_ACK,
					 "RFC 9293 3.10.7.2 second: an ACK in LISTEN draws <SEQ=SEG.ACK><CTL=RST>");
		if (g) {
			g->sport = s->dport;
			g->dport = s->sport;
			g->opt_must = g->opt_maybe = 0;
		}
		return;
	}
	if (!(s->flags & TC_F_SYN)) {
		rulef(o, R_LISTEN_OTHER, "RFC 9293 3.10.7.2 fourth: other text or control in LISTEN is dropped");
		return;
	}
	if (m->ever_conn && m->peer_port && s->sport != m->peer_port) {
		lose(m, o, "a second connection to the listener (one connection is modelled)");
		return;
	}
	/* Third: SYN. */
	if (m->peer_port && s->sport != m->peer_port)
		m->peer_port = s->sport;
	m->ever_conn = 1;
	m->passive = 1;
	m->accepted = m->orphan = m->reset = m->reset_reported = m->refused = m->timed_out = 0;
	m->fin_rcvd = m->fin_queued = m->fin_sent = m->fin_read = 0;
	m->rbuf_len = m->sbuf_len = 0;
	m->irs = s->seq;
	m->irs_known = 1;
	m->rcv_nxt = s->seq + 1;
	if (!m->rcv_wnd_known)
		m->rcv_wnd = m->k.rcv_wnd;
	learn_peer_syn(m, s);
	m->snd_wnd = s->win;   /* RFC 7323 2.2: the window of a SYN is never scaled. */
	m->max_snd_wnd = m->snd_wnd;
	m->snd_wl1 = s->seq;
	m->target_syn_opts = (int)(((m->k.syn_opts | m->k.syn_opts_maybe) &
				    ((unsigned)m->peer_syn_opts | TC_OBIT(TC_OPT_MSS))) | TC_OBIT(TC_OPT_MSS));
	negotiate(m);
	m->iss_known = 0;
	m->nrtx = 0;
	m->rto = m->k.rto_initial_us;
	m->rtt_start = now;
	set_state(m, TC_ST_SYN_RECEIVED, o, R_LISTEN_SYN);
	emit_syn(m, o, now, 1, R_LISTEN_SYN, "RFC 9293 3.10.7.2 third: SYN in LISTEN, send "
		 "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, enter SYN-RECEIVED");
	m->t_rtx = now + m->rto;
	if (s->payload_len)
		rulef(o, R_LISTEN_SYN, "RFC 9293 3.10.7.2 third: SYN in LISTEN, SYN-ACK acknowledges the "
		      "SYN only (its %zu data bytes are not acknowledged)", s->payload_len);
}

/* RFC 9293 3.10.7.3, SYN-SENT STATE: the ACK bit, the RST bit, (security), the SYN bit. */
static void on_syn_sent(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	/* "First, check the ACK bit: If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless
	 * the RST bit is set, if so drop the segment and return)". */
	int ack_ok = 0;
	if (s->flags & TC_F_ACK) {
		if (le(s->ack, m->iss) || lt(m->snd_nxt, s->ack)) {
			/* Knob syn_sent_bad_ack_resend: Linux retransmits the SYN at once. */
			if (m->k.syn_sent_bad_ack_resend && m->nrtx == 0)
				m->t_rtx = now + 1000;
			if (s->flags & TC_F_RST) {
				rulef(o, R_SS_BAD_ACK_RST, "RFC 9293 3.10.7.3 first: unacceptable ACK on a "
				      "RST, drop it");
				return;
			}
			struct tc_mseg *g = emit(m, o, TC_F_RST, s->ack, 0, now, R_SS_BAD_ACK,
						 "RFC 9293 3.10.7.3 first: unacceptable ACK in SYN-SENT, send "
						 "<SEQ=SEG.ACK><CTL=RST>");
			if (g)
				g->opt_must = g->opt_maybe = 0;
			return;
		}
		ack_ok = 1;
	}
	/* "Second, check the RST bit: ... If the ACK was acceptable, then signal to the user
	 * "error: connection reset", drop the segment, enter CLOSED state ... Otherwise (no ACK),
	 * drop the segment and return." (RFC 5961 3.2 for SYN-SENT.) */
	if (s->flags & TC_F_RST) {
		if (ack_ok || !rule_on(R_SS_RST_NEEDS_ACK)) {
			m->refused = 1;
			set_state(m, TC_ST_CLOSED, o, R_SS_RST);
			rulef(o, R_SS_RST, "RFC 9293 3.10.7.3 second: RST with an acceptable ACK, \"connection "
			      "reset\", enter CLOSED");
			unblock(m, o);
		} else {
			rulef(o, R_SS_RST_NEEDS_ACK, "RFC 9293 3.10.7.3 second: RST without an ACK in "
			      "SYN-SENT, drop it");
		}
		return;
	}
	/* "Fourth, check the SYN bit" ("Third, check the security" does not apply). */
	if (!(s->flags & TC_F_SYN)) {
		rulef(o, R_SS_OTHER, "RFC 9293 3.10.7.3 fifth: neither SYN nor RST, drop the segment");
		return;
	}
	m->irs = s->seq;
	m->irs_known = 1;
	m->rcv_nxt = s->seq + 1;
	learn_peer_syn(m, s);
	negotiate(m);
	m->snd_wnd = s->win;
	m->max_snd_wnd = m->snd_wnd;
	m->snd_wl1 = s->seq;
	m->snd_wl2 = s->ack;
	if (ack_ok) {
		/* "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to
		 * ESTABLISHED, form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it." */
		enter_established(m, s, 0, now, o, R_SS_SYNACK);
		emit_ack(m, o, now, R_SS_SYNACK, "RFC 9293 3.10.7.3 fourth: SYN,ACK acknowledging our "
			 "SYN, enter ESTABLISHED and send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
		output(m, o, now);
		return;
	}
	/* "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment" (simultaneous open, MUST-10). */
	m->simopen = 1;
	m->t_rtx = 0;
	m->nrtx = 0;
	set_state(m, TC_ST_SYN_RECEIVED, o, R_SS_SIMOPEN);
	emit_syn(m, o, now, 1, R_SS_SIMOPEN, "RFC 9293 3.10.7.3 fourth: SYN without ACK (simultaneous "
		 "open), send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, enter SYN-RECEIVED");
	m->t_rtx = now + m->rto;
}

static const char *stname(int st) { return tc_state_name(st); }

/* The states Linux handles with a full socket and tcp_sequence(): not SYN-RECEIVED of a passive
 * open (a request socket, tcp_check_req()) and not TIME-WAIT (a timewait socket). */
static int full_socket(int st)
{
	return st == TC_ST_ESTABLISHED || st == TC_ST_FIN_WAIT_1 || st == TC_ST_FIN_WAIT_2 ||
	       st == TC_ST_CLOSE_WAIT || st == TC_ST_CLOSING || st == TC_ST_LAST_ACK;
}

/* The eighth check's transitions: "SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT
 * state. FIN-WAIT-1 STATE: If our FIN has been ACKed (perhaps in this segment), then enter
 * TIME-WAIT ...; otherwise, enter the CLOSING state. FIN-WAIT-2 STATE: Enter the TIME-WAIT
 * state. Start the time-wait timer, turn off the other timers." */
static void fin_state(struct tc_model *m, struct tc_mout *o, int64_t now)
{
	switch (m->state) {
	case TC_ST_SYN_RECEIVED:
	case TC_ST_ESTABLISHED:
		set_state(m, TC_ST_CLOSE_WAIT, o, R_FIN);
		break;
	case TC_ST_FIN_WAIT_1:
		/* The fifth check runs first and has already moved a FIN-WAIT-1 whose FIN is
		 * acknowledged to FIN-WAIT-2 (handled below), so here the FIN is not acknowledged. */
		set_state(m, TC_ST_CLOSING, o, R_FIN);
		break;
	case TC_ST_FIN_WAIT_2:
		if (!rule_on(R_FIN_FW2))
			break;
		set_state(m, TC_ST_TIME_WAIT, o, R_FIN_FW2);
		m->t_rtx = m->t_fw2 = m->t_ka = 0;
		m->t_tw = now + m->k.time_wait_us;
		break;
	}
	/* CLOSE-WAIT, CLOSING and LAST-ACK remain (the caller does not come here for them);
	 * TIME-WAIT never gets here: its fifth check acknowledges the FIN and returns. */
}

/* Profile knob time_wait_exact_only: TIME-WAIT as Linux's tcp_timewait_state_process() runs
 * it (model.h). A SYN that may reopen the connection was dealt with before (time_wait_reopen). */
static void time_wait_exact(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	uint32_t len = seg_len(s);
	if (s->seq == m->rcv_nxt && (len == 0 || (s->flags & TC_F_RST))) {
		if (!(s->flags & TC_F_RST)) {
			m->t_tw = now + m->k.time_wait_us;
			rulef(o, R_TW_EXACT, "knob time_wait_exact_only (Linux tcp_timewait_state_process): "
			      "a bare segment at RCV.NXT in TIME-WAIT is taken silently, the timer restarts");
		} else if (m->k.rfc1337) {
			rulef(o, R_RST_RFC1337, "RFC 1337 section 3 (profile rfc1337): RST in TIME-WAIT ignored");
		} else {
			set_state(m, TC_ST_CLOSED, o, R_RST_CLOSE);
			rulef(o, R_RST_CLOSE, "RFC 9293 3.10.7.4 second check in TIME_WAIT: RST at RCV.NXT (RFC 5961 "
				 "3.2 (2)), enter CLOSED");
		}
		return;
	}
	if (s->flags & TC_F_RST) {
		rulef(o, R_TW_EXACT, "knob time_wait_exact_only (Linux tcp_timewait_state_process): a "
		      "RST not at RCV.NXT in TIME-WAIT is ignored");
		return;
	}
	if (s->flags & TC_F_ACK)
		m->t_tw = now + m->k.time_wait_us;
	/* tcp_timewait_check_oow_rate_limit(): the throttle spares segments with data or a FIN. */
	const char *r = "Linux tcp_timewait_state_process (knob time_wait_exact_only): ACK any "
			"other segment in TIME-WAIT";
	if (len == 0 || (s->flags & TC_F_SYN))
		emit_limited_ack(m, o, now, R_TW_EXACT, r);
	else
		emit_ack(m, o, now, R_TW_EXACT, r);
}

/* Profile knob syn_recv_request_sock: what Linux's tcp_check_req() decides before the checks
 * of RFC 9293 3.10.7.4 (model.h). Returns 1 when it decided the segment. */
static int syn_recv_reqsk(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	if ((s->flags & (TC_F_SYN | TC_F_ACK | TC_F_RST)) == TC_F_SYN && s->seq == m->irs) {
		/* "Check for pure retransmitted SYN": the SYN-ACK again, throttled like an
		 * out-of-window ACK (tcp_oow_rate_limited), and its timer restarts. */
		int64_t iv = m->k.challenge_ack_interval_us;
		if (iv > 0 && m->last_challenge >= 0 && now - m->last_challenge < iv) {
			rulef(o, R_REQSK_SYN, "knob syn_recv_request_sock (Linux tcp_check_req): the "
			      "peer's SYN again, the SYN-ACK is suppressed by the throttle");
			return 1;
		}
		m->last_challenge = now;
		emit_syn(m, o, now, 1, R_REQSK_SYN, "knob syn_recv_request_sock (Linux tcp_check_req): the peer's "
				       "SYN again in SYN-RECEIVED, send the SYN-ACK again");
		m->t_rtx = now + m->rto;
		return 1;
	}
	if ((s->flags & TC_F_ACK) && m->iss_known && s->ack != m->iss + 1) {
		/* The request socket hands the segment to the listener, which resets an ACK
		 * (never a RST) with <SEQ=SEG.ACK><CTL=RST>; the request stays. */
		if (s->flags & TC_F_RST) {
			rulef(o, R_REQSK_ACK, "knob syn_recv_request_sock (Linux tcp_check_req): RST with "
			      "an ACK other than ISS+1, dropped");
			return 1;
		}
		struct tc_mseg *g = emit(m, o, TC_F_RST, s->ack, 0, now, R_REQSK_ACK,
					 "knob syn_recv_request_sock (Linux tcp_check_req): SEG.ACK is not "
					 "ISS+1, the listener sends <SEQ=SEG.ACK><CTL=RST>");
		if (g)
			g->opt_must = g->opt_maybe = 0;
		return 1;
	}
	return 0;
}

/* RFC 9293 Table 6, the acceptability test. right_incl: the profile lets a segment start at
 * RCV.NXT+RCV.WND (seq_right_edge_inclusive, where it applies). */
static int acceptable(const struct tc_model *m, uint32_t seq, uint32_t len, int right_incl)
{
	uint32_t wnd = m->rcv_wnd;
	uint32_t right = m->rcv_nxt + wnd;
	/* "RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND": the right edge is outside. Profile knob
	 * seq_right_edge_inclusive: the first sequence number past the window passes (Linux). */
	if (right_incl || !rule_on(R_TABLE6_RIGHT_EDGE))
		right++;
	if (len == 0) {
		if (wnd == 0)
			return seq == m->rcv_nxt;
		return le(m->rcv_nxt, seq) && lt(seq, right);
	}
	if (wnd == 0)
		return 0;
	return (le(m->rcv_nxt, seq) && lt(seq, right)) ||
	       (le(m->rcv_nxt, seq + len - 1) && lt(seq + len - 1, right));
}

/* What the checks of one segment share (no hidden globals for the current segment). */
struct segin {
	const struct tc_seg *s;
	int64_t now;
	uint32_t len;          /* SEG.LEN: text, SYN and FIN */
	uint32_t tsval;
	int has_ts;
	int reqsk;             /* knob syn_recv_request_sock applies: a passive SYN-RECEIVED */
	int rst_minus_one;     /* knob rst_rcv_nxt_minus_one takes this RST as if at RCV.NXT */
	int end_ok;            /* knob seq_end_at_rcv_nxt let it pass, ending at RCV.NXT */
	int need_ack, immediate; /* the seventh and eighth checks owe an ACK (at once) */
	int state_held;        /* knob hold_beyond_rcv_nxt: the ACK changes no state */
};

/* Knob time_wait_syn_rst applies: a SYN (not a RST) in TIME-WAIT. */
static int tw_syn_rst(const struct tc_model *m, const struct tc_seg *s)
{
	return m->k.time_wait_syn_rst && m->state == TC_ST_TIME_WAIT &&
	       (s->flags & (TC_F_SYN | TC_F_RST)) == TC_F_SYN;
}

/* Knob ack_ignored_segment (model.h): the redundant bare ACK lwIP sends for a segment the
 * model ignores. RFC 9293 asks for none and forbids none, so it is predicted only under the
 * knob, and its rule is MAY. */
static void ack_ignored(struct tc_model *m, int64_t now, struct tc_mout *o, const char *what)
{
	char r[TC_MODEL_RULE];
	if (!m->k.ack_ignored_segment)
		return;
	snprintf(r, sizeof(r), "knob ack_ignored_segment (lwIP) in %s: %s, send "
		 "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> all the same", stname(m->state), what);
	emit_ack(m, o, now, R_ACK_IGNORED, r);
}

/* Holds a segment that begins after RCV.NXT (SHLD-31) with its ACK fields when ack_held. */
static void hold(struct tc_model *m, const struct tc_seg *s, int ack_held)
{
	if (m->nooo >= TC_MODEL_OOO || s->payload_len > TC_MAX_PAYLOAD)
		return;
	struct tc_mooo *q = &m->ooo[m->nooo++];
	q->seq = s->seq;
	q->len = (uint32_t)s->payload_len;
	q->fin = !!(s->flags & TC_F_FIN);
	q->ack_held = ack_held;
	q->ack = s->ack;
	q->win = s->win;
	memcpy(q->data, s->payload, s->payload_len);
}

/* The immediate duplicate ACK for a held segment (RFC 5681 4.2 SHOULD, RFC 9293 MAY-13); the
 * decision itself is SHLD-31's. */
static void hold_ack(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	const char *t = s->payload_len
		? "RFC 9293 3.10.7.4 first check (SHLD-31) / RFC 5681 4.2: out-of-order text held, "
		  "send an immediate duplicate ACK"
		: "RFC 9293 3.10.7.4 (SHLD-31) / RFC 5681 4.2: a FIN beyond RCV.NXT is held until the "
		  "data before it arrives, send an immediate duplicate ACK";
	emit_ack(m, o, now, R_DUP_ACK, t);
	rule_to(o, s->payload_len ? R_HOLD_OOO : R_FIN_HOLD, t);
}

/*
 * RFC 9293 3.10.7.4 first check, what comes before Table 6: the TIME-WAIT SYN ("for the
 * TIME-WAIT state, there is an improved algorithm described in [40] for handling incoming SYN
 * segments"), the simultaneous open's SYN-ACK (Figure 7), PAWS (RFC 7323 5.3 R1, "before the
 * sequence check"), and the profile knobs that replace this check: time_wait_exact_only,
 * syn_recv_request_sock and no_ack_dropped_first. Returns 1 when the segment is decided.
 */
static int seq_before_table6(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (m->k.time_wait_reopen && m->listening && st == TC_ST_TIME_WAIT &&
	    (s->flags & TC_F_SYN) && !(s->flags & (TC_F_ACK | TC_F_RST)) && lt(m->rcv_nxt, s->seq)) {
		/* RFC 1122 4.2.2.13 (RFC 6191): a TCP MAY accept a new SYN with a higher sequence
		 * number in TIME-WAIT and reopen the connection (Linux tcp_timewait_state_process
		 * does, before any window check). A second incarnation is beyond the model. Only a
		 * listener can take the new connection: without one there is nothing to reopen,
		 * and the SYN is an ordinary TIME-WAIT segment (Linux answers it with an ACK). */
		lose(m, o, "a new SYN in TIME-WAIT (RFC 1122 4.2.2.13 MAY reopen) is not modelled");
		return 1;
	}
	/* RFC 9293 Figure 7 (simultaneous open): in SYN-RECEIVED the peer's SYN-ACK repeats its
	 * SYN (SEG.SEQ = IRS) and acknowledges ours; it completes the connection, although the
	 * Table 6 test alone would find a segment ending at RCV.NXT-1 unacceptable. */
	if (st == TC_ST_SYN_RECEIVED && m->simopen && (s->flags & (TC_F_SYN | TC_F_ACK | TC_F_RST)) ==
	    (TC_F_SYN | TC_F_ACK) && s->seq == m->irs && lt(m->snd_una, s->ack) && le(s->ack, m->snd_nxt)) {
		if (m->k.simopen_synack_table6) {
			emit_ack(m, o, c->now, R_SIMOPEN_SYNACK_T6, "knob simopen_synack_table6 (netstack "
				 "synRcvdState): the peer's SYN-ACK at IRS fails Table 6 (RFC 9293 3.10.7.4 "
				 "first check): send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop it, stay in "
				 "SYN-RECEIVED");
			return 1;
		}
		enter_established(m, s, 0, c->now, o, R_SIMOPEN_SYNACK);
		emit_ack(m, o, c->now, R_SIMOPEN_SYNACK, "RFC 9293 3.5 Figure 7 (simultaneous open): the "
			 "peer's SYN-ACK in SYN-RECEIVED acknowledges our SYN, enter ESTABLISHED and send an ACK");
		output(m, o, c->now);
		return 1;
	}
	/* RFC 7323 5.3 (PAWS), before the sequence check: an older TSval is dropped and ACKed. */
	if (m->k.paws && m->ts_ok && c->has_ts && !(s->flags & TC_F_RST) && lt(c->tsval, m->ts_recent)) {
		snprintf(r, sizeof(r), "RFC 7323 5.3 R1 (PAWS) in %s: TSval older than TS.Recent, send "
			 "an ACK and drop the segment", stname(st));
		emit_ack(m, o, c->now, R_PAWS, r);
		return 1;
	}
	if (m->k.time_wait_exact_only && st == TC_ST_TIME_WAIT) {
		time_wait_exact(m, s, c->now, o);
		return 1;
	}
	if (c->reqsk && syn_recv_reqsk(m, s, c->now, o))
		return 1;
	/* Profile knob (Linux): without ACK, RST or SYN the segment is dropped before the first
	 * check, in the states a full socket handles (the fifth check's "if the ACK bit is off
	 * drop the segment", moved ahead of this one). */
	if (m->k.no_ack_dropped_first && !(s->flags & (TC_F_ACK | TC_F_RST | TC_F_SYN)) &&
	    st != TC_ST_SYN_RECEIVED && st != TC_ST_TIME_WAIT) {
		rulef(o, R_NO_ACK_FIRST, "RFC 9293 3.10.7.4 fifth check in %s: ACK bit off, drop the "
		      "segment (before the sequence check: profile knob no_ack_dropped_first)", stname(st));
		return 1;
	}
	return 0;
}

/*
 * Knob data_after_close_rst (NetBSD tcp_input(), model.h): after CLOSE, text reaching past
 * RCV.NXT in FIN-WAIT-1/2, CLOSING, LAST-ACK or TIME-WAIT draws <SEQ=SEG.ACK><CTL=RST> and
 * the connection is closed, as RFC 9293 3.6 recommends (SHLD-3: "if new data is received after
 * CLOSE is called, its TCP implementation SHOULD send a RST"). NetBSD looks only at the left
 * edge here, so text beyond the window resets too. Returns 1 when the segment is decided.
 */
static int data_after_close(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (!m->k.data_after_close_rst || !m->orphan || s->payload_len == 0 ||
	    (s->flags & (TC_F_ACK | TC_F_RST | TC_F_SYN)) != TC_F_ACK ||
	    !lt(m->rcv_nxt, s->seq + (uint32_t)s->payload_len))
		return 0;
	if (st != TC_ST_FIN_WAIT_1 && st != TC_ST_FIN_WAIT_2 && st != TC_ST_CLOSING &&
	    st != TC_ST_LAST_ACK && st != TC_ST_TIME_WAIT)
		return 0;
	snprintf(r, sizeof(r), "knob data_after_close_rst (NetBSD tcp_input, RFC 9293 3.6 SHLD-3) "
		 "in %s: text after CLOSE, send <SEQ=SEG.ACK><CTL=RST>, enter CLOSED", stname(st));
	struct tc_mseg *g = emit(m, o, TC_F_RST, s->ack, 0, c->now, R_DATA_AFTER_CLOSE_RST, r);
	if (g)
		g->opt_must = g->opt_maybe = 0;
	reset_conn(m, o, R_DATA_AFTER_CLOSE_RST, r);
	return 1;
}

/*
 * The profile knobs hold_beyond_rcv_nxt and data_after_close_rst_ack (model.h): what netstack's
 * receiver decides about an acceptable segment before its ACK is processed. Returns 1 when
 * the segment is decided.
 */
static int netstack_seq(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if ((s->flags & (TC_F_ACK | TC_F_RST | TC_F_SYN)) != TC_F_ACK)
		return 0;
	int after_fin = st == TC_ST_CLOSE_WAIT || st == TC_ST_CLOSING || st == TC_ST_LAST_ACK;
	if (m->k.hold_beyond_rcv_nxt && lt(m->rcv_nxt, s->seq)) {
		if (after_fin) {
			rulef(o, R_HOLD_BEYOND, "knob hold_beyond_rcv_nxt (netstack) in %s: a segment "
			      "beginning after RCV.NXT (past the peer's FIN) is held (SHLD-31), drop it "
			      "silently", stname(st));
			return 1;
		}
		/* In FIN-WAIT-1/2 netstack's SEG.ACK > SND.NXT test (the fifth check's ACK) runs
		 * first, in ESTABLISHED not at all. */
		if (st == TC_ST_ESTABLISHED && s->payload_len == 0 && !(s->flags & TC_F_FIN) &&
		    lt(m->snd_nxt, s->ack)) {
			rulef(o, R_HOLD_BEYOND, "knob hold_beyond_rcv_nxt (netstack) in ESTABLISHED: a "
			      "bare ACK beginning after RCV.NXT acknowledging unsent data is dropped "
			      "silently");
			return 1;
		}
		if (s->payload_len == 0 && !(s->flags & TC_F_FIN))
			c->state_held = 1;
		return 0;
	}
	if (m->k.data_after_close_rst_ack && (st == TC_ST_CLOSING || st == TC_ST_LAST_ACK) &&
	    le(s->seq, m->rcv_nxt) && lt(m->rcv_nxt, s->seq + (uint32_t)s->payload_len) &&
	    le(s->ack, m->snd_nxt)) {
		snprintf(r, sizeof(r), "knob data_after_close_rst_ack (netstack) in %s: data past RCV.NXT "
			 "after CLOSE, send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, enter CLOSED "
			 "(RFC 9293 3.6.1)", stname(st));
		struct tc_mseg *g = emit(m, o, TC_F_RST | TC_F_ACK, m->snd_nxt, m->rcv_nxt, c->now,
					 R_DATA_AFTER_CLOSE_RSTACK, r);
		if (g)
			g->opt_must = g->opt_maybe = 0;
		reset_conn(m, o, R_DATA_AFTER_CLOSE_RSTACK, r);
		return 1;
	}
	return 0;
}

/*
 * First, check sequence number: "If an incoming segment is not acceptable, an acknowledgment
 * should be sent in reply (unless the RST bit is set, if so drop the segment and return)" ...
 * "Segments with higher beginning sequence numbers SHOULD be held for later processing
 * (SHLD-31)." Returns 1 when the segment is decided.
 */
static int check_seq(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (seq_before_table6(m, c, o))
		return 1;
	if (data_after_close(m, c, o))
		return 1;
	/* Linux tcp_validate_incoming() / tcp_reset_check(): a RST at RCV.NXT-1 in CLOSE-WAIT,
	 * LAST-ACK or CLOSING (where the peer's FIN advanced RCV.NXT) fails the sequence check but
	 * is accepted all the same, as if it were at RCV.NXT. */
	c->rst_minus_one = (s->flags & TC_F_RST) && m->k.rst_rcv_nxt_minus_one &&
			   s->seq == m->rcv_nxt - 1 &&
			   (st == TC_ST_CLOSE_WAIT || st == TC_ST_LAST_ACK || st == TC_ST_CLOSING);
	/* Knob seq_end_at_rcv_nxt: a segment ending exactly at RCV.NXT passes (Linux counts its
	 * FIN or SYN in the end); knob rcv_queue_end_check: one whose data sticks out of the
	 * window fails while the receive queue holds something (model.h). */
	c->end_ok = m->k.seq_end_at_rcv_nxt && full_socket(st) && c->len > 0 &&
		    !(s->flags & TC_F_RST) && s->seq + c->len == m->rcv_nxt;
	/* The receive queue: unread data or an unread FIN, until CLOSE purges it (tcp_close). */
	int queue_full = !m->orphan && (m->rbuf_len > 0 || (m->fin_rcvd && !m->fin_read));
	int sticks_out = m->k.rcv_queue_end_check && full_socket(st) && queue_full &&
			 lt(m->rcv_nxt + m->rcv_wnd, s->seq + (uint32_t)s->payload_len +
			    !!(s->flags & TC_F_SYN));
	/* tcp_in_window() of a request socket takes the right edge only without sequence space. */
	int right_incl = m->k.seq_right_edge_inclusive && !(c->reqsk && c->len > 0);
	/* Knob rst_right_edge_inclusive (lwIP tcp_process, TCP_SEQ_BETWEEN; NetBSD tcp_input,
	 * whose right-edge trim drops only what lies beyond RCV.NXT+RCV.WND): a RST's window ends
	 * at RCV.NXT+RCV.WND inclusive; in TIME-WAIT too, unless rfc1337 ignores every RST there
	 * (lwIP). Knob time_wait_syn_right_edge: the same test for the SYN that time_wait_syn_rst
	 * resets. */
	if ((s->flags & TC_F_RST) && m->k.rst_right_edge_inclusive &&
	    !(st == TC_ST_TIME_WAIT && m->k.rfc1337))
		right_incl = 1;
	if (tw_syn_rst(m, s) && m->k.time_wait_syn_right_edge)
		right_incl = 1;
	if (!c->rst_minus_one &&
	    (sticks_out || !(c->end_ok || acceptable(m, s->seq, c->len, right_incl)))) {
		if (s->flags & TC_F_RST) {
			rulef(o, R_SEQ_RST_DROP, "RFC 9293 3.10.7.4 first check / RFC 5961 3.2 (1) in %s: "
			      "RST outside the window, drop it silently", stname(st));
			return 1;
		}
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 first check in %s: unacceptable segment, "
			 "send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drop it", stname(st));
		if (st == TC_ST_TIME_WAIT && (s->flags & TC_F_FIN))
			m->t_tw = c->now + m->k.time_wait_us;
		if (s->payload_len == 0 && !(s->flags & TC_F_FIN))
			emit_limited_ack(m, o, c->now, R_SEQ_ACK, r);
		else
			emit_ack(m, o, c->now, R_SEQ_ACK, r);
		return 1;
	}
	if (c->has_ts && m->ts_ok && le(s->seq, m->last_ack_sent))
		m->ts_recent = c->tsval; /* RFC 7323 4.3 */
	if (netstack_seq(m, c, o))
		return 1;
	/* SHLD-31: text or a FIN that begins after RCV.NXT waits, its ACK with it, where text is
	 * processed. A RST or SYN goes on to its own check (RFC 5961 3.2 and 4.2 answer them at any
	 * position in the window); a segment without ACK is dropped by the fifth check; a bare ACK
	 * has nothing to wait for. Knob ooo_ack_at_once: the ACK is processed now, the text is
	 * held by the seventh check. */
	if (!m->k.ooo_ack_at_once && rule_on(R_HOLD_OOO) && lt(m->rcv_nxt, s->seq) &&
	    (s->flags & (TC_F_ACK | TC_F_RST | TC_F_SYN)) == TC_F_ACK &&
	    (s->payload_len > 0 || (s->flags & TC_F_FIN)) &&
	    (st == TC_ST_ESTABLISHED || st == TC_ST_FIN_WAIT_1 || st == TC_ST_FIN_WAIT_2)) {
		hold(m, s, 1);
		if (m->keepalive)
			ka_rearm(m, c->now);
		hold_ack(m, s, c->now, o);
		return 1;
	}
	return 0;
}

/*
 * Second, check the RST bit: "If the RST bit is set and the sequence number exactly matches the
 * next expected sequence number (RCV.NXT), then TCP endpoints MUST reset the connection ...
 * If the RST bit is set and the sequence number does not exactly match the next expected
 * sequence value, yet is within the current receive window, TCP endpoints MUST send an
 * acknowledgment (challenge ACK)" (RFC 5961 3.2, an optional mitigation: SHOULD).
 */
static int check_rst(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (!(s->flags & TC_F_RST))
		return 0;
	int exact = s->seq == m->rcv_nxt || c->rst_minus_one;
	/* RFC 1337 section 3: "Ignore RST segments in TIME-WAIT state", every one, so no challenge
	 * ACK either (lwIP tcp_timewait_input and FreeBSD tcp_twcheck return on any RST). */
	if (st == TC_ST_TIME_WAIT && m->k.rfc1337) {
		rulef(o, R_RST_RFC1337, "RFC 1337 section 3 (profile rfc1337): RST in TIME-WAIT ignored");
		return 1;
	}
	if (m->k.rfc5961_rst && !exact && rule_on(R_RST_CHALLENGE)) {
		if (s->seq == m->rcv_nxt + m->rcv_wnd)
			snprintf(r, sizeof(r), "RFC 5961 3.2 (3) in %s: RST at RCV.NXT+RCV.WND, in the "
				 "window by knob rst_right_edge_inclusive (lwIP), send a challenge ACK",
				 stname(st));
		else
			snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 second check / RFC 5961 3.2 (3) in %s: "
				 "RST in the window but not at RCV.NXT, send a challenge ACK", stname(st));
		emit_limited_ack(m, o, c->now, R_RST_CHALLENGE, r);
		return 1;
	}
	if (st == TC_ST_SYN_RECEIVED) {
		if (m->passive) {
			set_state(m, TC_ST_LISTEN, o, R_RST_SYNRCVD_LISTEN);
			rulef(o, R_RST_SYNRCVD_LISTEN, "RFC 9293 3.10.7.4 second check, SYN-RECEIVED: RST "
			      "on a passive open, return to LISTEN");
		} else {
			m->refused = 1;
			reset_conn(m, o, R_RST_REFUSED, "RFC 9293 3.10.7.4 second check, SYN-RECEIVED: "
				   "RST on an active open, \"connection refused\", enter CLOSED");
		}
		return 1;
	}
	snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 second check in %s: RST%s, enter CLOSED",
		 stname(st), c->rst_minus_one ? " at RCV.NXT-1 (profile knob rst_rcv_nxt_minus_one, "
		 "Linux tcp_reset_check)" : m->k.rfc5961_rst ? " at RCV.NXT (RFC 5961 3.2 (2))" :
		 " in the window");
	if (st == TC_ST_CLOSING || st == TC_ST_LAST_ACK || st == TC_ST_TIME_WAIT) {
		/* "If the RST bit is set, then enter the CLOSED state, delete the TCB, and return." */
		set_state(m, TC_ST_CLOSED, o, R_RST_CLOSE);
		rule_to(o, R_RST_CLOSE, r);
		unblock(m, o);
	} else {
		reset_conn(m, o, R_RST_CLOSE, r);
	}
	return 1;
}

/*
 * Third, check security: "If the security/compartment in the segment does not exactly match
 * the security/compartment in the TCB, then send a reset". The model carries no IP security
 * option (struct tc_seg has none), so every segment passes.
 */
static int check_security(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	(void)m, (void)c, (void)o;
	return 0;
}

/*
 * Fourth, check the SYN bit: "SYN-RECEIVED STATE: If the connection was initiated with a passive
 * OPEN, then return this connection to the LISTEN state and return." In the synchronized
 * states "RFC 5961 recommends that ... if the SYN bit is set, irrespective of the sequence
 * number, TCP endpoints MUST send a "challenge ACK"" (RFC 5961 4.2: SHOULD); without RFC 5961,
 * "If the SYN is in the window it is an error: send a reset".
 */
static int check_syn(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (!(s->flags & TC_F_SYN))
		return 0;
	if (st == TC_ST_SYN_RECEIVED && m->passive) {
		struct tc_mseg *g = NULL;
		if (c->reqsk) {
			/* tcp_check_req() "embryonic_reset": the request is dropped with a reset
			 * (tcp_v4_send_reset: <SEQ=SEG.ACK> with an ACK, else RST,ACK). */
			g = (s->flags & TC_F_ACK)
				? emit(m, o, TC_F_RST, s->ack, 0, c->now, R_REQSK_SYN, "")
				: emit(m, o, TC_F_RST | TC_F_ACK, 0, s->seq + c->len, c->now, R_REQSK_SYN, "");
			if (g)
				g->opt_must = g->opt_maybe = 0;
		}
		set_state(m, TC_ST_LISTEN, o, R_SYN_SYNRCVD_LISTEN);
		rulef(o, R_SYN_SYNRCVD_LISTEN, "RFC 9293 3.10.7.4 fourth check, SYN-RECEIVED: SYN on a "
		      "passive open, return to LISTEN%s", c->reqsk ? " (knob syn_recv_request_sock, "
		      "Linux tcp_check_req: with a reset)" : "");
		if (g)
			snprintf(g->rule, sizeof(g->rule), "%s", o->rule);
		return 1;
	}
	if (tw_syn_rst(m, s)) {
		/* lwIP tcp_timewait_input(): tcp_rst(pcb, ackno, seqno + tcplen, ...), then return:
		 * the RST answers from the segment's own fields and TIME-WAIT stays. */
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 fourth check (knob %s): SYN in TIME-WAIT's "
			 "window, send <SEQ=SEG.ACK><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, stay in TIME-WAIT",
			 s->seq == m->rcv_nxt + m->rcv_wnd ? "time_wait_syn_right_edge" : "time_wait_syn_rst");
		uint32_t last_ack = m->last_ack_sent;
		struct tc_mseg *g = emit(m, o, TC_F_RST | TC_F_ACK, s->ack, s->seq + c->len, c->now,
					 R_TW_SYN_RST, r);
		m->last_ack_sent = last_ack; /* a reset is not the connection's acknowledgment */
		if (g)
			g->opt_must = g->opt_maybe = 0;
		return 1;
	}
	if (m->k.rfc5961_syn) {
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 fourth check / RFC 5961 4.2 in %s: SYN, "
			 "send a challenge ACK and drop it", stname(st));
		emit_limited_ack(m, o, c->now, R_SYN_CHALLENGE, r);
		return 1;
	}
	snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 fourth check (RFC 793 behaviour) in %s: SYN in "
		 "the window, send a reset and enter CLOSED", stname(st));
	emit(m, o, TC_F_RST, m->snd_nxt, 0, c->now, R_SYN_RESET, r);
	reset_conn(m, o, R_SYN_RESET, r);
	return 1;
}

/*
 * Fifth check, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and
 * continue processing ... If the segment acknowledgment is not acceptable, form a reset segment
 * <SEQ=SEG.ACK><CTL=RST> and send it." Returns 1 when the segment is decided.
 */
static int ack_syn_received(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	if (!(lt(m->snd_una, s->ack) && le(s->ack, m->snd_nxt))) {
		struct tc_mseg *g = emit(m, o, TC_F_RST, s->ack, 0, c->now, R_ACK_SYNRCVD_BAD,
					 "RFC 9293 3.10.7.4 fifth check, SYN-RECEIVED: unacceptable "
					 "ACK, send <SEQ=SEG.ACK><CTL=RST>");
		if (g)
			g->opt_must = g->opt_maybe = 0;
		return 1;
	}
	if (m->defer_accept && s->payload_len == 0 && !(s->flags & TC_F_FIN)) {
		/* Linux TCP_DEFER_ACCEPT: a bare final ACK is dropped, and the SYN-ACK is not
		 * retransmitted while the connection waits for data. */
		m->t_rtx = 0;
		rulef(o, R_DEFER_ACCEPT, "Linux TCP_DEFER_ACCEPT: a bare final ACK is dropped in "
		      "SYN-RECEIVED");
		return 1;
	}
	enter_established(m, s, m->snd_wscale, c->now, o, R_ACK_SYNRCVD);
	rulef(o, R_ACK_SYNRCVD, "RFC 9293 3.10.7.4 fifth check, SYN-RECEIVED: SND.UNA < SEG.ACK =< "
	      "SND.NXT, enter ESTABLISHED");
	return 0;
}

/* Fifth check, ESTABLISHED: "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any
 * segments on the retransmission queue that are thereby entirely acknowledged are removed." and
 * "If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND".
 * The ACK is acceptable (the caller checked). */
static void ack_advance(struct tc_model *m, uint32_t seq, uint32_t ack, uint16_t win, int64_t now)
{
	if (lt(m->snd_una, ack)) {
		uint32_t data_acked = ack - m->snd_una;
		if (m->fin_sent && ack == m->snd_nxt)
			data_acked--;
		if (data_acked > m->sbuf_len)
			data_acked = m->sbuf_len;
		memmove(m->sbuf, m->sbuf + data_acked, m->sbuf_len - data_acked);
		m->sbuf_len -= data_acked;
		if (m->rtt_start && le(m->rtt_seq, ack)) {
			rto_sample(m, now - m->rtt_start);
			m->rtt_start = 0;
		}
		m->snd_una = ack;
		m->nrtx = 0;
		/* RFC 6298 5.2 / 5.3: stop the timer when all is acknowledged, else restart it. */
		m->t_rtx = m->snd_una == m->snd_nxt ? 0 : now + m->rto;
	}
	if (lt(m->snd_wl1, seq) || (m->snd_wl1 == seq && le(m->snd_wl2, ack))) {
		m->snd_wnd = (uint32_t)win << m->snd_wscale;
		if (m->snd_wnd > m->max_snd_wnd)
			m->max_snd_wnd = m->snd_wnd;
		m->snd_wl1 = seq;
		m->snd_wl2 = ack;
	}
}

/* Fifth check, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2 and
 * continue processing in that state". */
static void ack_fin_wait_1(struct tc_model *m, int64_t now, struct tc_mout *o)
{
	set_state(m, TC_ST_FIN_WAIT_2, o, R_ACK_FW1);
	rulef(o, R_ACK_FW1, "RFC 9293 3.10.7.4 fifth check, FIN-WAIT-1: our FIN is acknowledged, enter "
	      "FIN-WAIT-2");
	if (m->orphan && m->k.fin_wait_2_us)
		m->t_fw2 = now + m->k.fin_wait_2_us;
}

/*
 * Fifth check in the synchronized states: RFC 5961 5.2 ("the ACK value is acceptable only if it
 * is in the range of ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT)", MAY-12: SHOULD), "If the
 * ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the segment, and
 * return", then the per-state rules. Returns 1 when the segment is decided.
 */
static int ack_synchronized(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (m->k.rfc5961_ack && !(le(m->snd_una - m->max_snd_wnd, s->ack) && le(s->ack, m->snd_nxt))) {
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 fifth check / RFC 5961 5.2 in %s: SEG.ACK "
			 "outside [SND.UNA-MAX.SND.WND, SND.NXT], drop it and send an ACK", stname(st));
		emit_limited_ack(m, o, c->now, R_ACK_5961, r);
		return 1;
	}
	/* In TIME-WAIT a segment with sequence space goes on to that state's own rule below
	 * ("Acknowledge it, and restart the 2 MSL timeout"), whatever its ACK field. */
	if (lt(m->snd_nxt, s->ack) && !(st == TC_ST_TIME_WAIT && c->len > 0)) {
		if (st == TC_ST_LAST_ACK || st == TC_ST_TIME_WAIT) {
			snprintf(r, sizeof(r), "RFC 9293 3.5.2 in %s (its fifth check has no ESTABLISHED "
				 "processing): SEG.ACK > SND.NXT, send an empty ACK, drop the segment",
				 stname(st));
			emit_ack(m, o, c->now, R_ACK_UNSENT_3_5_2, r);
			return 1;
		}
		snprintf(r, sizeof(r), "RFC 9293 3.10.7.4 fifth check in %s: SEG.ACK > SND.NXT (acks "
			 "unsent data), send an ACK and drop the segment", stname(st));
		emit_ack(m, o, c->now, R_ACK_UNSENT, r);
		return 1;
	}
	if (st == TC_ST_TIME_WAIT) {
		/* "The only thing that can arrive in this state is a retransmission of the remote FIN.
		 * Acknowledge it, and restart the 2 MSL timeout." Whatever occupies sequence space
		 * is acknowledged; a bare ACK needs none. */
		if (c->len > 0) {
			m->t_tw = c->now + m->k.time_wait_us;
			emit_limited_ack(m, o, c->now, R_ACK_TW, "RFC 9293 3.10.7.4 fifth check, TIME-WAIT: "
					 "acknowledge it and restart the 2 MSL timeout");
		} else {
			rulef(o, R_ACK_TW, "RFC 9293 3.10.7.4 fifth check, TIME-WAIT: a bare ACK, nothing to do");
		}
		return 1;
	}
	ack_advance(m, s->seq, s->ack, s->win, c->now);
	int fin_acked = m->fin_sent && m->snd_una == m->snd_nxt;
	if (st == TC_ST_FIN_WAIT_1 && fin_acked && c->state_held) {
		rulef(o, R_HOLD_BEYOND, "knob hold_beyond_rcv_nxt (netstack) in FIN-WAIT-1: our FIN "
		      "is acknowledged by a bare ACK beyond RCV.NXT, SND.UNA advances, the state waits");
	} else if (st == TC_ST_FIN_WAIT_1 && fin_acked) {
		ack_fin_wait_1(m, c->now, o);
	} else if (st == TC_ST_CLOSING && fin_acked) {
		/* "if the ACK acknowledges our FIN, then enter the TIME-WAIT state" */
		set_state(m, TC_ST_TIME_WAIT, o, R_ACK_CLOSING);
		m->t_tw = c->now + m->k.time_wait_us;
		rulef(o, R_ACK_CLOSING, "RFC 9293 3.10.7.4 fifth check, CLOSING: our FIN is acknowledged, "
		      "enter TIME-WAIT");
		/* The seventh check in TIME-WAIT ignores the segment's text. */
		if (s->payload_len && lt(s->seq, m->rcv_nxt))
			ack_ignored(m, c->now, o, "the text of the segment that acknowledged our FIN in "
				    "CLOSING is ignored");
		return 1;
	} else if (st == TC_ST_LAST_ACK && fin_acked) {
		/* "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and return." */
		set_state(m, TC_ST_CLOSED, o, R_ACK_LAST_ACK);
		rulef(o, R_ACK_LAST_ACK, "RFC 9293 3.10.7.4 fifth check, LAST-ACK: our FIN is "
		      "acknowledged, delete the TCB, enter CLOSED");
		return 1;
	} else if (st == TC_ST_LAST_ACK || st == TC_ST_CLOSING) {
		rulef(o, R_ACK_WAIT_FIN, "RFC 9293 3.10.7.4 fifth check, %s: waiting for the ACK of our FIN",
		      stname(st));
	} else if (!o->rule[0]) {
		rulef(o, R_ACK_OK, "RFC 9293 3.10.7.4 fifth check in %s: acceptable ACK processed", stname(st));
	}
	return 0;
}

/* Fifth, check the ACK field: "if the ACK bit is off, drop the segment and return". */
static int check_ack(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	if (!(c->s->flags & TC_F_ACK)) {
		rulef(o, R_ACK_OFF, "RFC 9293 3.10.7.4 fifth check in %s: ACK bit off, drop the segment",
		      stname(m->state));
		/* lwIP tcp_timewait_input() acknowledges whatever has sequence space, and a FIN
		 * restarts its 2 MSL timer. */
		if (m->state == TC_ST_TIME_WAIT && c->len > 0 && m->k.ack_ignored_segment) {
			if (c->s->flags & TC_F_FIN)
				m->t_tw = c->now + m->k.time_wait_us;
			ack_ignored(m, c->now, o, "a segment without ACK is dropped");
		}
		return 1;
	}
	if (m->state == TC_ST_SYN_RECEIVED ? ack_syn_received(m, c, o) : ack_synchronized(m, c, o))
		return 1;
	if (m->keepalive)
		ka_rearm(m, c->now);
	if (c->end_ok) {
		/* Knob seq_end_at_rcv_nxt, its second half: the ACK is processed; nothing else in
		 * the segment is new (tcp_data_queue(): "A retransmit"), so it is acknowledged at
		 * once. */
		char r[TC_MODEL_RULE];
		snprintf(r, sizeof(r), "knob seq_end_at_rcv_nxt (Linux tcp_sequence) in %s: a segment "
			 "ending at RCV.NXT, its ACK processed, send an ACK", stname(m->state));
		emit_ack(m, o, c->now, R_END_AT_NXT, r);
		output(m, o, c->now);
		return 1;
	}
	return 0;
}

/*
 * Sixth, check the URG bit: "If the URG bit is set, RCV.UP <- max(RCV.UP,SEG.UP), and signal the
 * user". Urgent data is not modelled: tc_model_segment() abstains on URG before any check.
 */
static int check_urg(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	(void)m, (void)c, (void)o;
	return 0;
}

/* The ACK of a held segment, processed now that it is in order (SHLD-31): the fifth check as
 * far as it applies in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2. */
static void held_ack(struct tc_model *m, const struct tc_mooo *q, int64_t now, struct tc_mout *o)
{
	if (!(le(m->snd_una - m->max_snd_wnd, q->ack) && le(q->ack, m->snd_nxt)))
		return; /* RFC 5961 5.2 / SEG.ACK > SND.NXT: its ACK is not acceptable */
	ack_advance(m, q->seq, q->ack, (uint16_t)q->win, now);
	if (m->state == TC_ST_FIN_WAIT_1 && m->fin_sent && m->snd_una == m->snd_nxt)
		ack_fin_wait_1(m, now, o);
}

/* Moves the held segments that RCV.NXT has reached into the receive buffer, in order. */
static void deliver_ooo(struct tc_model *m, int64_t now, struct tc_mout *o)
{
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; i < m->nooo; i++) {
			struct tc_mooo *q = &m->ooo[i];
			if (le(q->seq, m->rcv_nxt) && lt(m->rcv_nxt, q->seq + q->len + (uint32_t)q->fin)) {
				uint32_t skip = m->rcv_nxt - q->seq, n = q->len - skip;
				if (m->rbuf_len + n <= TC_MODEL_BUF) {
					memcpy(m->rbuf + m->rbuf_len, q->data + skip, n);
					m->rbuf_len += n;
				}
				m->rcv_nxt += n;
				if (q->ack_held)
					held_ack(m, q, now, o);
				if (q->fin) {
					m->rcv_nxt++;
					m->fin_rcvd = 1;
				}
				again = 1;
			}
			if (again || le(q->seq + q->len + (uint32_t)q->fin, m->rcv_nxt)) {
				*q = m->ooo[--m->nooo];
				break;
			}
		}
	}
}

/*
 * Seventh, process the segment text: "Once the TCP endpoint takes responsibility for the data,
 * it advances RCV.NXT over the data accepted ... Send an acknowledgment of the form:
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"; in CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT "This
 * should not occur since a FIN has been received from the remote side. Ignore the segment
 * text." Returns 1 when the segment is decided.
 */
static int check_text(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (s->payload_len == 0)
		return 0;
	if (st == TC_ST_ESTABLISHED || st == TC_ST_FIN_WAIT_1 || st == TC_ST_FIN_WAIT_2 ||
	    st == TC_ST_SYN_RECEIVED) {
		if (lt(m->rcv_nxt, s->seq)) {
			/* SHLD-31 (its ACK already processed: ooo_ack_at_once, or a segment that
			 * completed the handshake); RFC 5681 4.2: an immediate duplicate ACK. */
			hold(m, s, 0);
			hold_ack(m, s, c->now, o);
			return 1;
		}
		/* "If a segment's contents straddle the boundary between old and new, only the new
		 * parts are processed." */
		uint32_t skip = m->rcv_nxt - s->seq;
		uint32_t n = (uint32_t)s->payload_len - skip;
		if (n > m->rcv_wnd)
			n = m->rcv_wnd; /* only the part inside the window */
		if (m->rbuf_len + n <= TC_MODEL_BUF) {
			memcpy(m->rbuf + m->rbuf_len, s->payload + skip, n);
			m->rbuf_len += n;
		}
		m->rcv_nxt += n;
		int had_ooo = m->nooo > 0, had_fin = m->fin_rcvd;
		deliver_ooo(m, c->now, o);
		if (!had_fin && m->fin_rcvd)
			fin_state(m, o, c->now); /* a FIN held out of order (SHLD-31): eighth step */
		c->need_ack = 1;
		/* RFC 5681 4.2: ACK at once when a segment fills a hole. */
		c->immediate = had_ooo || (m->k.ack_quick && !m->quickack_off);
		rulef(o, R_TEXT, "RFC 9293 3.10.7.4 seventh: text in %s, deliver it and send "
		      "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", stname(m->state));
		unblock(m, o);
		return 0;
	}
	if (m->k.data_after_fin_rst && lt(s->seq, m->rcv_nxt) &&
	    lt(m->rcv_nxt, s->seq + (uint32_t)s->payload_len) &&
	    (st == TC_ST_CLOSE_WAIT || st == TC_ST_CLOSING || st == TC_ST_LAST_ACK)) {
		snprintf(r, sizeof(r), "knob data_after_fin_rst (Linux tcp_rcv_state_process) in "
			 "%s: data beyond the peer's FIN, send <SEQ=SEG.ACK><CTL=RST>, enter CLOSED",
			 stname(st));
		struct tc_mseg *g = emit(m, o, TC_F_RST, s->ack, 0, c->now, R_DATA_AFTER_FIN_RST, r);
		if (g)
			g->opt_must = g->opt_maybe = 0;
		reset_conn(m, o, R_DATA_AFTER_FIN_RST, r);
		return 1;
	}
	rulef(o, R_TEXT_IGNORED, "RFC 9293 3.10.7.4 seventh: text in %s (after the peer's FIN) is "
	      "ignored", stname(st));
	/* lwIP tcp_receive(): a segment that does not begin in [RCV.NXT, RCV.NXT+RCV.WND-1] is
	 * acknowledged; one beginning further right was unacceptable already (first check). */
	if (lt(s->seq, m->rcv_nxt))
		ack_ignored(m, c->now, o, "text beginning before RCV.NXT is ignored");
	return 0;
}

/*
 * Eighth, check the FIN bit: "If the FIN bit is set, signal the user "connection closing" and
 * return any pending RECEIVEs with same message, advance RCV.NXT over the FIN, and send an
 * acknowledgment for the FIN." TIME-WAIT does not get here: its fifth check ("Acknowledge it,
 * and restart the 2 MSL timeout") has answered a retransmitted FIN and returned. Returns 1
 * when the segment is decided.
 */
static int check_fin(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	const struct tc_seg *s = c->s;
	int st = m->state;
	if (!(s->flags & TC_F_FIN))
		return 0;
	if (s->seq + (uint32_t)s->payload_len == m->rcv_nxt &&
	    !(st == TC_ST_CLOSE_WAIT || st == TC_ST_CLOSING || st == TC_ST_LAST_ACK ||
	      st == TC_ST_TIME_WAIT)) {
		m->rcv_nxt++;
		m->fin_rcvd = 1;
		c->need_ack = 1;
		c->immediate = 1;
		fin_state(m, o, c->now);
		rulef(o, m->state == TC_ST_TIME_WAIT ? R_FIN_FW2 : R_FIN, "RFC 9293 3.10.7.4 eighth: FIN "
		      "in %s, advance RCV.NXT over it, send an ACK, enter %s", stname(st), stname(m->state));
		unblock(m, o);
	} else if (s->payload_len == 0 && lt(m->rcv_nxt, s->seq) &&
		   (st == TC_ST_ESTABLISHED || st == TC_ST_FIN_WAIT_1 || st == TC_ST_FIN_WAIT_2)) {
		/* A FIN beyond RCV.NXT: segments are processed in sequence (SHLD-31 holds it like
		 * out-of-order text), with an immediate duplicate ACK (RFC 5681 4.2). */
		hold(m, s, 0);
		hold_ack(m, s, c->now, o);
		return 1;
	} else if (m->k.fin_after_fin_acked && st == TC_ST_CLOSE_WAIT &&
		   s->seq + (uint32_t)s->payload_len == m->rcv_nxt) {
		/* The eighth check's common text, "advance RCV.NXT over the FIN, and send an
		 * acknowledgment for the FIN", for a second FIN at RCV.NXT; then "CLOSE-WAIT STATE:
		 * Remain in the CLOSE-WAIT state". */
		m->rcv_nxt++;
		c->need_ack = 1;
		c->immediate = 1;
		rulef(o, R_FIN_AFTER_FIN, "knob fin_after_fin_acked (netstack) in CLOSE_WAIT: a FIN at "
		      "RCV.NXT, advance RCV.NXT over it, send an ACK, remain");
	} else {
		rulef(o, R_FIN_REMAIN, "RFC 9293 3.10.7.4 eighth: FIN in %s, remain", stname(st));
	}
	return 0;
}

/* The ACK that the seventh and eighth checks owe: piggybacked on data or a FIN that goes out
 * now ("This acknowledgment should be piggybacked on a segment being transmitted if possible"),
 * else at once, else delayed (SHLD-18, at most 500 ms: MUST-40). */
static void send_owed_ack(struct tc_model *m, struct segin *c, struct tc_mout *o)
{
	if (!c->need_ack) {
		output(m, o, c->now);
		return;
	}
	char rr[TC_MODEL_RULE];
	int lvl = o->level;
	char req[sizeof(o->req)];
	snprintf(rr, sizeof(rr), "%s", o->rule);
	snprintf(req, sizeof(req), "%s", o->req);
	output(m, o, c->now); /* data and FIN may carry the ACK */
	for (int i = 0; i < o->nseg; i++)
		if ((o->seg[i].flags & TC_F_ACK) && o->seg[i].ack == m->rcv_nxt)
			return;
	if (c->immediate) {
		struct tc_mseg *g = emit_ack(m, o, c->now, R_TEXT, rr);
		if (g) {
			g->level = o->level = lvl;
			snprintf(g->req, sizeof(g->req), "%s", req);
			snprintf(o->req, sizeof(o->req), "%s", req);
		}
	} else {
		m->t_delack = c->now + (m->quickack_off ? m->k.delack_us : m->k.ack_delay_max_us);
		m->quickack_off = 0; /* Linux: TCP_QUICKACK 0 lasts for one ACK */
		snprintf(o->rule, sizeof(o->rule), "%s (delayed ACK)", rr);
		o->level = lvl;
		snprintf(o->req, sizeof(o->req), "%s", req);
	}
}

/*
 * RFC 9293 3.10.7.4, SEGMENT ARRIVES in SYN-RECEIVED and the synchronized states: the eight
 * checks in the RFC's order. Each returns 1 when it decided the segment ("drop the segment and
 * return"), 0 to go on to the next.
 */
static void on_other(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	struct segin c;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.now = now;
	c.len = seg_len(s);
	c.has_ts = seg_ts(s, &c.tsval);
	c.reqsk = m->k.syn_recv_request_sock && m->state == TC_ST_SYN_RECEIVED && m->passive &&
		  !m->simopen;
	if (check_seq(m, &c, o) || check_rst(m, &c, o) || check_security(m, &c, o) ||
	    check_syn(m, &c, o) || check_ack(m, &c, o) || check_urg(m, &c, o) ||
	    check_text(m, &c, o) || check_fin(m, &c, o))
		return;
	send_owed_ack(m, &c, o);
}

void tc_model_segment(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *o)
{
	memset(o, 0, sizeof(*o));
	o->old_state = o->new_state = tc_model_state(m);
	if (m->lost) {
		rulef(o, R_ABSTAIN, "model abstains: %s", m->lost_why);
		return;
	}
	/* RFC 9293 3.1 (MUST-3): a wrong checksum drops the segment. */
	if (s->bad_checksum) {
		rulef(o, R_CKSUM, "RFC 9293 3.1 (MUST-2, MUST-3): wrong checksum, the segment is discarded");
		return;
	}
	/* MUST-7: a data offset below 5 words or past the segment's end is not a valid segment. */
	if (s->doff && (s->doff < 5 || (size_t)s->doff * 4 > 20 + s->opt_len + s->payload_len)) {
		rulef(o, R_DOFF, "RFC 9293 3.1 (MUST-7): data offset %u is impossible, the segment is discarded",
		      s->doff);
		return;
	}
	if (s->flags & TC_F_URG) {
		lose(m, o, "urgent data is not modelled");
		return;
	}
	int for_conn = (!m->port || s->dport == m->port) && (!m->peer_port || s->sport == m->peer_port);
	if (m->port && s->dport != m->port) {
		closed_rst(m, s, now, o, "no socket on that port");
		return;
	}
	if (!for_conn || m->state == TC_ST_CLOSED || m->state == TC_ST_LISTEN) {
		if (m->listening) {
			on_listen(m, s, now, o);
		} else {
			closed_rst(m, s, now, o, "CLOSED");
		}
		o->new_state = tc_model_state(m);
		return;
	}
	if (m->state == TC_ST_SYN_SENT)
		on_syn_sent(m, s, now, o);
	else
		on_other(m, s, now, o);
	o->new_state = tc_model_state(m);
}

/* ---- user calls (RFC 9293 3.10.1 - 3.10.6) ---- */

static void block(struct tc_model *m, const struct tc_mcall_in *c, struct tc_mout *o)
{
	if (m->nblk >= (int)(sizeof(m->blk) / sizeof(m->blk[0]))) {
		lose(m, o, "too many blocked calls");
		return;
	}
	m->blk[m->nblk].tag = c->tag;
	m->blk[m->nblk].call = c->call;
	m->blk[m->nblk].len = c->len;
	m->nblk++;
	o->pending = 1;
}

static void call_close(struct tc_model *m, const struct tc_mcall_in *c, int64_t now, struct tc_mout *o,
		       int shut_wr)
{
	int st = m->state;
	char r[TC_MODEL_RULE];
	if (!shut_wr && (st == TC_ST_CLOSED || st == TC_ST_LISTEN || (!m->accepted && m->listening))) {
		if (m->listening && st != TC_ST_CLOSED && st != TC_ST_LISTEN && !m->accepted) {
			lose(m, o, "closing a listener with a connection not accepted yet");
			done(o, c->tag, c->call, 0, "0");
			return;
		}
		/* RFC 9293 3.10.4 CLOSE, LISTEN STATE: "Any outstanding RECEIVEs are returned with
		 * "error: closing" responses. Delete TCB, enter CLOSED state, and return." */
		int was = st != TC_ST_CLOSED ? st : tc_model_listener_state(m);
		m->listening = 0;
		if (st == TC_ST_LISTEN)
			set_state(m, TC_ST_CLOSED, o, R_CLOSE_DELETE);
		o->new_state = tc_model_state(m);
		rulef(o, R_CLOSE_DELETE, "RFC 9293 3.10.4 CLOSE in %s: delete the TCB", stname(was));
		done(o, c->tag, c->call, 0, "0");
		return;
	}
	if (!shut_wr && (m->linger0 || (m->k.close_unread_rst && m->rbuf_len > 0))) {
		/* RFC 9293 3.10.5 ABORT (SO_LINGER {1,0}), or RFC 1122 4.2.2.13 / RFC 2525 2.17:
		 * CLOSE with unread data SHOULD send a RST. */
		snprintf(r, sizeof(r), m->linger0 ? "RFC 9293 3.10.5 ABORT (SO_LINGER {1,0}) in %s: send "
			 "<SEQ=SND.NXT><CTL=RST>, enter CLOSED" : "RFC 1122 4.2.2.13 / RFC 2525 2.17: "
			 "CLOSE in %s with unread data, send <SEQ=SND.NXT><CTL=RST>", stname(st));
		if (st == TC_ST_ESTABLISHED || st == TC_ST_FIN_WAIT_1 || st == TC_ST_FIN_WAIT_2 ||
		    st == TC_ST_CLOSE_WAIT || st == TC_ST_SYN_RECEIVED) {
			struct tc_mseg *g = emit(m, o, TC_F_RST, m->snd_nxt, m->rcv_nxt, now,
						 m->linger0 ? R_ABORT : R_CLOSE_UNREAD_RST, r);
			if (g) {
				/* An ACK on the RST is allowed and common (Linux sets it). */
				g->flags_maybe = TC_F_ACK;
				g->opt_must = 0;
			}
		}
		m->orphan = 1;
		m->rbuf_len = 0;
		set_state(m, TC_ST_CLOSED, o, m->linger0 ? R_ABORT : R_CLOSE_UNREAD_RST);
		rule_to(o, m->linger0 ? R_ABORT : R_CLOSE_UNREAD_RST, r);
		done(o, c->tag, c->call, 0, "0");
		return;
	}
	if (!shut_wr)
		m->orphan = 1;
	switch (st) {
	case TC_ST_SYN_SENT:
		set_state(m, TC_ST_CLOSED, o, R_CLOSE_DELETE);
		rulef(o, R_CLOSE_DELETE, "RFC 9293 3.10.4 CLOSE in SYN-SENT: delete the TCB");
		break;
	case TC_ST_SYN_RECEIVED:
	case TC_ST_ESTABLISHED:
		m->fin_queued = 1;
		set_state(m, TC_ST_FIN_WAIT_1, o, R_CLOSE_FIN);
		output(m, o, now);
		rulef(o, R_CLOSE_FIN, "RFC 9293 3.10.4 CLOSE in %s: queue a FIN after the data, enter FIN-WAIT-1",
		      stname(st));
		break;
	case TC_ST_CLOSE_WAIT:
		m->fin_queued = 1;
		set_state(m, TC_ST_LAST_ACK, o, R_CLOSE_LAST_ACK);
		output(m, o, now);
		rulef(o, R_CLOSE_LAST_ACK, "RFC 9293 3.10.4 CLOSE in CLOSE-WAIT: send a FIN, enter LAST-ACK");
		break;
	case TC_ST_FIN_WAIT_2:
		if (!shut_wr && m->k.fin_wait_2_us)
			m->t_fw2 = now + m->k.fin_wait_2_us;
		rulef(o, R_CLOSE_ALREADY, "RFC 9293 3.10.4 CLOSE in %s: already closing", stname(st));
		break;
	default:
		rulef(o, R_CLOSE_ALREADY, "RFC 9293 3.10.4 CLOSE in %s: already closing", stname(st));
		break;
	}
	done(o, c->tag, c->call, 0, "0");
}

/* RFC 9293 3.10.2 SEND: "If the connection does not exist, then return "error: connection does
 * not exist"" ... in ESTABLISHED and CLOSE-WAIT "Segmentize the buffer and send it". */
static void call_send(struct tc_model *m, const struct tc_mcall_in *c, int64_t now, struct tc_mout *o)
{
	int st = m->state;
	if (st == TC_ST_CLOSED || st == TC_ST_LISTEN) {
		/* RFC 9293 3.10.2 SEND, CLOSED: "connection does not exist"; after a reset
		 * the socket API says ECONNRESET once, then EPIPE. */
		if ((m->reset || m->timed_out) && !m->reset_reported) {
			m->reset_reported = 1;
			done(o, c->tag, c->call, -1, m->timed_out ? "ETIMEDOUT" : "ECONNRESET");
		} else {
			done(o, c->tag, c->call, -1, m->ever_conn ? "EPIPE" : "ENOTCONN");
		}
		rulef(o, R_SEND_CLOSED, "RFC 9293 3.10.2 SEND in CLOSED: \"connection does not exist\" "
		      "(after a reset: \"connection reset\")");
		return;
	}
	if (m->fin_queued) {
		done(o, c->tag, c->call, -1, "EPIPE");
		rulef(o, R_SEND_CLOSING, "RFC 9293 3.10.2 SEND in %s: \"connection closing\"",
		      stname(st));
		return;
	}
	long n = c->len < 0 ? 0 : c->len;
	if (m->sbuf_len + (uint32_t)n > TC_MODEL_BUF) {
		lose(m, o, "more unacknowledged data than the model buffers");
		done(o, c->tag, c->call, n, "0");
		return;
	}
	for (long i = 0; i < n; i++)
		m->sbuf[m->sbuf_len + (uint32_t)i] = c->data ? c->data[i] : (uint8_t)('0' + i % 10);
	m->sbuf_len += (uint32_t)n;
	rulef(o, R_SEND_QUEUE, "RFC 9293 3.10.2 SEND in %s: queue the data and send it when "
	      "allowed", stname(st));
	done(o, c->tag, c->call, n, "0");
	output(m, o, now);
}

/* The socket options that change the protocol (model.h enum tc_mopt). */
static void call_setopt(struct tc_model *m, const struct tc_mcall_in *c, int64_t now, struct tc_mout *o)
{
	long v = c->value[0];
	switch (c->opt) {
	case TC_MO_LINGER:
		m->linger0 = c->nvalue == 2 && c->value[0] && c->value[1] == 0;
		break;
	case TC_MO_KEEPALIVE:
		m->keepalive = v != 0;
		ka_rearm(m, now);
		break;
	case TC_MO_KEEPIDLE:
		m->k.keepalive_idle_us = v * 1000000;
		if (m->keepalive)
			ka_rearm(m, now);
		break;
	case TC_MO_KEEPINTVL: m->k.keepalive_intvl_us = v * 1000000; break;
	case TC_MO_KEEPCNT: m->k.keepalive_cnt = (int)v; break;
	case TC_MO_NODELAY:
		m->nodelay = v != 0;
		output(m, o, now);
		break;
	case TC_MO_QUICKACK:
		m->quickack_off = v == 0;
		if (v && m->t_delack) {
			m->t_delack = 0;
			emit_ack(m, o, now, R_QUICKACK, "Linux TCP_QUICKACK 1: a pending delayed ACK is "
				 "sent at once");
		}
		break;
	case TC_MO_DEFER_ACCEPT: m->defer_accept = v != 0; break;
	default:
		lose(m, o, "a socket option whose protocol effect is not modelled");
		break;
	}
	if (!m->lost)
		rulef(o, R_SETOPT, "socket option set");
	done(o, c->tag, c->call, 0, "0");
}

void tc_model_call(struct tc_model *m, const struct tc_mcall_in *c, int64_t now, struct tc_mout *o)
{
	memset(o, 0, sizeof(*o));
	o->old_state = o->new_state = tc_model_state(m);
	if (m->lost) {
		rulef(o, R_ABSTAIN, "model abstains: %s", m->lost_why);
		return;
	}
	int st = m->state;
	switch (c->call) {
	case TC_MC_LISTEN:
		/* "Create a new transmission control block (TCB) ... enter LISTEN"; the socket API
		 * keeps the listener beside a connection it accepted, so only a connection that is
		 * gone (or never was) becomes the new LISTEN TCB. */
		m->listening = 1;
		if (st == TC_ST_CLOSED)
			set_state(m, TC_ST_LISTEN, o, R_OPEN_PASSIVE);
		rulef(o, R_OPEN_PASSIVE, "RFC 9293 3.10.1 OPEN (passive): enter LISTEN");
		done(o, c->tag, c->call, 0, "0");
		break;
	case TC_MC_CONNECT:
		/* OPEN in LISTEN with a foreign socket: "change the connection from passive to
		 * active, select an ISS. Send a SYN segment" (3.10.1). */
		if (st != TC_ST_CLOSED && st != TC_ST_LISTEN) {
			done(o, c->tag, c->call, -1, "EISCONN");
			rulef(o, R_OPEN_EXISTS, "RFC 9293 3.10.1 OPEN: \"connection already exists\"");
			break;
		}
		m->ever_conn = 1;
		m->passive = 0;
		m->accepted = 1;
		m->iss_known = 0;
		m->nrtx = 0;
		m->rto = m->k.rto_initial_us;
		m->rtt_start = now;
		m->target_syn_opts = (int)(m->k.syn_opts | m->k.syn_opts_maybe | TC_OBIT(TC_OPT_MSS));
		if (!m->rcv_wnd_known)
			m->rcv_wnd = m->k.rcv_wnd;
		set_state(m, TC_ST_SYN_SENT, o, R_OPEN_ACTIVE);
		emit_syn(m, o, now, 0, R_OPEN_ACTIVE, "RFC 9293 3.10.1 OPEN (active): send "
			 "<SEQ=ISS><CTL=SYN>, enter SYN-SENT");
		m->t_rtx = now + m->rto;
		block(m, c, o);
		break;
	case TC_MC_ACCEPT:
		rulef(o, R_ACCEPT, "socket API accept: returns once a connection is ESTABLISHED");
		block(m, c, o);
		unblock(m, o);
		if (o->ndone)
			o->pending = 0;
		break;
	case TC_MC_SEND:
		call_send(m, c, now, o);
		break;
	case TC_MC_RECEIVE:
		rulef(o, R_RECEIVE, "RFC 9293 3.10.3 RECEIVE in %s", stname(tc_model_state(m)));
		block(m, c, o);
		unblock(m, o);
		if (o->ndone)
			o->pending = 0;
		else if ((st == TC_ST_CLOSED || st == TC_ST_LISTEN) && !m->ever_conn) {
			m->nblk--;
			o->pending = 0;
			done(o, c->tag, c->call, -1, "ENOTCONN");
		}
		break;
	case TC_MC_CLOSE:
		call_close(m, c, now, o, 0);
		break;
	case TC_MC_SHUTDOWN:
		if (c->how == 0 || c->how == 2)
			m->rd_shut = 1;
		if (c->how == 1 || c->how == 2) {
			if (st == TC_ST_CLOSED || st == TC_ST_LISTEN) {
				done(o, c->tag, c->call, -1, "ENOTCONN");
				break;
			}
			call_close(m, c, now, o, 1);
		} else {
			rulef(o, R_SHUT_RD, "shutdown(SHUT_RD) has no effect on the wire (RFC 9293 has no such call)");
			done(o, c->tag, c->call, 0, "0");
		}
		break;
	case TC_MC_ABORT:
		m->linger0 = 1;
		call_close(m, c, now, o, 0);
		break;
	case TC_MC_SETOPT:
		call_setopt(m, c, now, o);
		break;
	default:
		lose(m, o, "a call the model does not know");
		break;
	}
	o->new_state = tc_model_state(m);
}

/* ---- learning from the target ---- */

void tc_model_learn(struct tc_model *m, const struct tc_seg *s)
{
	if (s->flags & TC_F_RST)
		return;
	if (s->flags & TC_F_SYN) {
		if (!m->iss_known && (m->state == TC_ST_SYN_SENT || m->state == TC_ST_SYN_RECEIVED)) {
			m->iss = s->seq;
			m->iss_known = 1;
			m->snd_una = s->seq;
			m->snd_nxt = s->seq + 1;
			m->snd_wl2 = s->seq;
			/* No short segment sent yet (Nagle, Minshall variant): nothing to wait for. */
			m->small_end = s->seq;
		}
		unsigned t = 0;
		for (int i = 0; i < s->nopts; i++) {
			const struct tc_opt *p = &s->opts[i];
			if (p->malformed || p->kind >= 32)
				continue;
			t |= TC_OBIT(p->kind);
			if (p->kind == TC_OPT_WSCALE)
				m->rcv_wscale = p->wscale > 14 ? 14 : p->wscale;
		}
		m->target_syn_opts = (int)(t & TC_OBITS_SYN);
		if (m->irs_known)
			negotiate(m);
		m->rcv_wnd = s->win;
	} else {
		m->rcv_wnd = (uint32_t)s->win << (m->ws_ok ? m->rcv_wscale : 0);
	}
	m->rcv_wnd_known = 1;
}

int tc_model_names(const struct tc_model *m, uint32_t our_isn, int64_t names[4])
{
	if (!m->irs_known)
		return -1;
	names[0] = (int64_t)(uint32_t)(m->rcv_nxt - our_isn);
	names[1] = (int64_t)m->rcv_wnd;
	names[2] = m->iss_known ? (int64_t)(uint32_t)(m->snd_nxt - m->iss) : 0;
	names[3] = m->iss_known ? (int64_t)(uint32_t)(m->snd_una - m->iss) : 0;
	return 0;
}

/* ---- comparing a prediction with what the target sent ---- */

int tc_mseg_check(const struct tc_mseg *p, const struct tc_seg *s, char *field, size_t fcap,
		  char *why, size_t cap)
{
	char a[16], b[16];
	uint8_t extra = (uint8_t)(s->flags & ~p->flags);
	/* RFC 9293 3.5.2 gives a reset's sequence number (SEG.ACK, or 0 with ACK=SEG.SEQ+SEG.LEN
	 * for a segment without ACK); an ACK bit beside <SEQ=SEG.ACK><CTL=RST> is nowhere
	 * forbidden and changes nothing for the receiver, whose RST checks (3.10.7.3, 3.10.7.4
	 * second check) look at the sequence number alone, so a conforming stack may set it
	 * (lwIP, Windows). The prediction itself stays the bare reset the RFC writes. */
	int rst_ack_extra = p->flags == TC_F_RST && !(p->flags_maybe & TC_F_ACK) &&
			    (extra & TC_F_ACK); /* an abort's optional ACK has a value: compared */
	if (rst_ack_extra)
		extra = (uint8_t)(extra & ~TC_F_ACK);
	if ((s->flags & p->flags) != p->flags || (extra & ~p->flags_maybe)) {
		snprintf(field, fcap, "flags");
		snprintf(why, cap, "flags %s, the model predicts %s", tc_flags_str(s->flags, a, sizeof(a)),
			 tc_flags_str(p->flags, b, sizeof(b)));
		return 1;
	}
	if (!p->seq_any && s->seq != p->seq) {
		snprintf(field, fcap, "seq");
		snprintf(why, cap, "seq %u, the model predicts %u (off by %d)", s->seq, p->seq,
			 (int)(s->seq - p->seq));
		return 1;
	}
	/* The ACK field of a reset whose ACK bit the RFC does not ask for means nothing. */
	if ((s->flags & TC_F_ACK) && !rst_ack_extra && s->ack != p->ack) {
		snprintf(field, fcap, "ack");
		snprintf(why, cap, "ack %u, the model predicts %u (off by %d)", s->ack, p->ack,
			 (int)(s->ack - p->ack));
		return 1;
	}
	if (s->payload_len != p->len) {
		snprintf(field, fcap, "len");
		snprintf(why, cap, "payload of %zu bytes, the model predicts %u", s->payload_len, p->len);
		return 1;
	}
	unsigned have = 0;
	for (int i = 0; i < s->nopts; i++)
		if (s->opts[i].kind < 32 && s->opts[i].kind != TC_OPT_NOP && s->opts[i].kind != TC_OPT_EOL)
			have |= TC_OBIT(s->opts[i].kind);
	unsigned missing = p->opt_must & ~have, extra_o = have & ~(p->opt_must | p->opt_maybe);
	if (missing || extra_o) {
		int k = 0;
		unsigned bits = missing ? missing : extra_o;
		while (!(bits & 1u)) {
			bits >>= 1;
			k++;
		}
		const char *nm = tc_opt_name(k);
		snprintf(field, fcap, "options");
		snprintf(why, cap, "option %s %s, the model says it %s", nm ? nm : "?",
			 missing ? "missing" : "present", missing ? "must appear" : "must not appear");
		return 1;
	}
	return 0;
}

void tc_mseg_fmt(const struct tc_mseg *p, uint32_t tisn, uint32_t oisn, char *buf, size_t cap)
{
	char f[16];
	size_t n = 0;
	tc_flags_str(p->flags, f, sizeof(f));
	if (p->seq_any)
		n += (size_t)snprintf(buf + n, cap - n, "%s seq ISN", f[0] ? f : "\"\"");
	else
		n += (size_t)snprintf(buf + n, cap - n, "%s seq %u", f[0] ? f : "\"\"", p->seq - tisn);
	if (n < cap && (p->flags & TC_F_ACK))
		n += (size_t)snprintf(buf + n, cap - n, " ack %u", p->ack - oisn);
	if (n < cap)
		n += (size_t)snprintf(buf + n, cap - n, " len %u", p->len);
	if (n < cap && p->opt_must) {
		n += (size_t)snprintf(buf + n, cap - n, " opts [");
		for (int k = 0; k < 32 && n < cap; k++)
			if (p->opt_must & TC_OBIT(k)) {
				const char *nm = tc_opt_name(k);
				n += (size_t)snprintf(buf + n, cap - n, "%s%s", nm ? nm : "?",
						      (p->opt_must >> (k + 1)) ? " " : "");
			}
		if (n < cap)
			snprintf(buf + n, cap - n, "]");
	}
}
