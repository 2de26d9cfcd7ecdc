/*
 * model.h - the reference TCP state machine: what a conforming stack (the target) does.
 *
 * A pure library: no I/O and no clock of its own. Every event takes the current time `now`
 * (microseconds on the caller's clock) and returns, in a struct tc_mout, the segments the target
 * sends (with the time window they are due in), the state it ends in, the app calls that
 * complete, and the rule that decided it, e.g. "RFC 9293 3.10.7.4 first check: unacceptable
 * segment, send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>".
 *
 * The model is the TARGET's TCB as seen from outside: SND.* are the target's send variables
 * (what it sends to us), RCV.* what it receives. It follows RFC 9293 3.10 event processing for
 * the 11 states; behaviour the RFCs leave open, and known deviations of real stacks, are knobs
 * (struct tc_knobs), loaded from suites/profiles/NAME.yaml (profile.c).
 *
 * Things it cannot know (the target's ISN, its receive window, its timestamps) it learns from
 * what the target actually sent (tc_model_learn). Things it does not model (a second
 * connection, TCP Fast Open, urgent data...) make it `lost`: it then abstains instead of guessing.
 */
#ifndef TC_MODEL_H
#define TC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/seg.h"

#define TC_MODEL_RULE 160
#define TC_MODEL_MAXOUT 8
#define TC_MODEL_BUF 8192     /* bytes kept in each direction (send queue, receive buffer) */
#define TC_MODEL_OOO 8        /* out-of-order segments held (RFC 9293 SHLD-31) */

/* Option kind bits for the masks below: 1u << TC_OPT_* (seg.h). */
#define TC_OBIT(kind) (1u << (kind))
#define TC_OBITS_SYN (TC_OBIT(TC_OPT_MSS) | TC_OBIT(TC_OPT_SACK_OK) | TC_OBIT(TC_OPT_TS) | \
		      TC_OBIT(TC_OPT_WSCALE))

/*
 * The knobs of a profile. Each field's comment names the RFC sentence it relaxes or the
 * documented behaviour it models; the files in suites/profiles/ set them by the same names.
 */
struct tc_knobs {
	char name[32];
	/* RFC 5961 3.2: an in-window RST not at RCV.NXT draws a challenge ACK (0: RFC 9293's
	 * pre-5961 text, any in-window RST resets). */
	int rfc5961_rst;
	/* RFC 5961 4.2: a SYN in a synchronized state draws a challenge ACK (0: reset if in window). */
	int rfc5961_syn;
	/* RFC 5961 5.2: ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is dropped with an ACK. */
	int rfc5961_ack;
	/* RFC 5961 7 (ACK throttling, SHOULD, no value given): at most one challenge ACK, and one
	 * ACK for a data-less out-of-window segment, per interval per connection; 0 = no limit.
	 * Linux: net.ipv4.tcp_invalid_ratelimit (500 ms). */
	int64_t challenge_ack_interval_us;
	/* Linux tcp_reset_check(): a RST at RCV.NXT-1 resets in CLOSE_WAIT, LAST_ACK and CLOSING
	 * (where the peer's FIN made RCV.NXT one larger). Relaxes RFC 5961 3.2 "exactly matches". */
	int rst_rcv_nxt_minus_one;
	/* Linux tcp_sequence(): "!after(seq, rcv_nxt + tcp_receive_window())", so a segment
	 * starting exactly at RCV.NXT+RCV.WND passes the first check. Relaxes RFC 9293 Table 6
	 * "RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND". */
	int seq_right_edge_inclusive;
	/* Linux tcp_rcv_established() / tcp_rcv_state_process(): a segment with none of ACK, RST
	 * and SYN is discarded before the sequence check, so an unacceptable one draws no ACK.
	 * RFC 9293 3.10.7.4 runs the first check (ACK if unacceptable) before the fifth ("if the
	 * ACK bit is off drop the segment"). Full sockets only: not SYN-RECEIVED, not TIME-WAIT. */
	int no_ack_dropped_first;
	/* RFC 1337 section 3 (TIME-WAIT assassination): 1 = ignore RST in TIME_WAIT; 0 = RFC 9293
	 * 3.10.7.4 second check, "enter the CLOSED state". Linux: net.ipv4.tcp_rfc1337. */
	int rfc1337;
	/* Options the target puts in its own SYN (always), and may put (the RFCs leave it open). */
	unsigned syn_opts, syn_opts_maybe;
	/* Linux deviation: after a simultaneous open its SYN-ACK repeats its SYN's options even
	 * when our SYN did not offer them (RFC 7323 2.2 / 3.2 say a SYN-ACK carries WS/TS only if
	 * the SYN did). */
	int simopen_synack_all_opts;
	/* RFC 7323 3.2 / 5: timestamps on every segment once negotiated; PAWS drops a segment with
	 * an older TSval (and ACKs it). */
	int paws;
	/* RFC 6298 2.1 initial RTO (1 s), 2.4 minimum (SHOULD 1 s), 2.5 maximum (MAY, >= 60 s). */
	int64_t rto_initial_us, rto_min_us, rto_max_us;
	/* Linux computes RTO = SRTT + max(4 * RTTVAR, rto_min) instead of max(rto_min, SRTT +
	 * max(G, 4 * RTTVAR)) (RFC 6298 2.3 / 2.4). */
	int rto_linux;
	/* Retransmissions before giving up: SYN (Linux tcp_syn_retries), SYN-ACK (Linux
	 * tcp_synack_retries), data (RFC 9293 3.8.3 R2; Linux tcp_retries2). After the last SYN-ACK
	 * retransmission the embryonic connection is dropped silently once its timer expires. */
	int syn_retries, synack_retries, data_retries;
	/* RFC 9293 3.3.2 / 3.6: TIME_WAIT lasts 2 MSL (MSL 2 min = 240 s). Linux: 60 s fixed. */
	int64_t time_wait_us;
	/* RFC 9293 leaves FIN_WAIT_2 open forever; Linux ends an orphaned one (closed by the
	 * application) after net.ipv4.tcp_fin_timeout (60 s). 0 = no timeout. */
	int64_t fin_wait_2_us;
	/* RFC 1122 4.2.2.13 / RFC 2525 2.17: CLOSE with unread received data SHOULD send RST. */
	int close_unread_rst;
	/* RFC 9293 3.8.6.3 (SHLD-18, MUST-40): ACK delay; max delay 500 ms. delack_us is the
	 * delay when delaying; ack_quick 1 = ACK data at once (Linux quick-ack mode, which a new
	 * connection starts in, TCP_QUICKACK 1). */
	int64_t ack_delay_max_us, delack_us;
	int ack_quick;
	/* RFC 9293 3.8.4 / RFC 1122 4.2.3.6: keep-alive probe carries SND.NXT-1 and 0 or 1
	 * garbage byte; after the last unanswered probe Linux sends RST (tcp_keepalive_timer). */
	int keepalive_probe_len;
	int keepalive_rst;
	int64_t keepalive_idle_us, keepalive_intvl_us;
	int keepalive_cnt;
	/* RFC 9293 3.9.1.1 / 3.10.7.1: the RST answering a segment for no connection. */
	/* RFC 9293 3.7.1: send MSS when the peer sends none (536 for IPv4). */
	int default_mss;
	/* The window the target advertises when the model has not seen it (lint). */
	uint32_t rcv_wnd;
	/* Nagle's algorithm (RFC 9293 3.7.4, SHLD-7) on by default; nagle_minshall: the variant of
	 * RFC 9293 Appendix A.3 (hold a short segment only while a short one is unacknowledged). */
	int nagle, nagle_minshall;
	/* Nagle does not hold the last piece of data once CLOSE queued the FIN: it goes out at
	 * once with the FIN (Linux tcp_nagle_test "or for the final FIN", FreeBSD tcp_output,
	 * lwIP TF_FIN). 0: RFC 1122 4.2.3.4 read strictly, "buffers all user data ... until the
	 * outstanding data has been acknowledged", the FIN waiting behind it. */
	int nagle_fin_push;
	/* Linux net.ipv4.tcp_abort_on_overflow: a final ACK finding the accept queue full draws a
	 * RST (1) or is dropped (0). The model does not model the accept queue, see docs. */
	int abort_on_overflow;
	/* RFC 1122 4.2.2.13 (MAY): a new SYN with a higher sequence number in TIME-WAIT reopens
	 * the connection (Linux tcp_timewait_state_process). 1: the model abstains there (a second
	 * incarnation is not modelled); 0: RFC 9293 3.10.7.4 as written (ACK / challenge ACK). */
	int time_wait_reopen;
	/* Linux tcp_rcv_synsent_state_process: after an unacceptable ACK in SYN-SENT the SYN is
	 * retransmitted at once (TCP_TIMEOUT_MIN) if it was not retransmitted yet. RFC 9293
	 * 3.10.7.3 only says to drop (or reset) and return. */
	int syn_sent_bad_ack_resend;
	/* gVisor netstack (connect.go synRcvdState): after a simultaneous open, the peer's SYN-ACK
	 * at IRS in SYN-RECEIVED is judged by Table 6 alone (it ends at RCV.NXT-1: unacceptable),
	 * answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped; the connection completes
	 * on the next acceptable ACK. RFC 9293 Figure 7 shows that SYN-ACK completing it, while the
	 * event processing text (3.10.7.4 first check) does not: either reading conforms. 0: the
	 * SYN-ACK completes the connection (Figure 7, Linux). */
	int simopen_synack_table6;
	/* Linux tcp_write_timeout(): data_retries (tcp_retries2) is turned into a time budget,
	 * rto_min * (2^(R2+1) - 1) from the first retransmission, and the connection gives up at
	 * the first expiry past it. 0: RFC 9293 3.8.3 R2 counted in retransmissions. */
	int retries_time;
	/* Linux tcp_timewait_state_process(): in TIME-WAIT only a segment exactly at RCV.NXT with
	 * no sequence space (a bare ACK, whatever its ACK field) or a RST there is accepted (the
	 * RST closes unless rfc1337); every other RST is ignored, and every other segment draws
	 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. Relaxes RFC 9293 3.10.7.4 for TIME-WAIT (Table 6,
	 * the RFC 5961 3.2 challenge ACK, the fifth check's "The only thing that can arrive in
	 * this state is a retransmission of the remote FIN"). */
	int time_wait_exact_only;
	/* Linux tcp_check_req() (SYN-RECEIVED of a passive open is a request socket): a bare SYN
	 * at IRS (the peer's SYN again) draws the SYN-ACK again; an ACK other than ISS+1 draws
	 * <SEQ=SEG.ACK><CTL=RST> before any sequence check; the window test is tcp_in_window()
	 * (the right edge only for a segment without sequence space); an acceptable SYN draws a
	 * reset and drops the request. RFC 9293 3.10.7.4 fourth check: "If the connection was
	 * initiated with a passive OPEN, then return this connection to the LISTEN state and
	 * return" (no reset), and Table 6 for the rest. */
	int syn_recv_request_sock;
	/* Linux tcp_sequence(): "before(end_seq, rcv_wup)" counts SYN and FIN in the segment's
	 * end, so a segment ending exactly at RCV.NXT (a FIN at RCV.NXT-1) passes the first
	 * check: its ACK is processed, then tcp_data_queue() finds nothing new and ACKs it.
	 * Relaxes RFC 9293 Table 6 (the last octet RCV.NXT-1 is outside the window). Full
	 * sockets only: ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING, LAST-ACK. */
	int seq_end_at_rcv_nxt;
	/* Linux tcp_sequence() (6.17 on): a segment whose data ends past RCV.NXT+RCV.WND is
	 * accepted only while the receive queue is empty (a FIN may stick out by its own octet);
	 * otherwise it is dropped with a duplicate ACK. RFC 9293 Table 6 accepts a segment whose
	 * first octet is in the window. The queue: unread data, or a FIN not read yet. */
	int rcv_queue_end_check;
	/* Linux tcp_rcv_state_process() seventh step ("RFC 1122 says we MUST send a reset"): in
	 * CLOSE-WAIT, CLOSING and LAST-ACK a segment starting before RCV.NXT whose data goes past
	 * the peer's FIN resets the connection with <SEQ=SEG.ACK><CTL=RST>; one starting at or
	 * after RCV.NXT is ignored. RFC 9293 3.10.7.4 seventh: "This should not occur since a FIN
	 * has been received from the remote side. Ignore the segment text." */
	int data_after_fin_rst;
	/* NetBSD tcp_input() (4.4BSD's "If new data are received on a connection after the user
	 * processes are gone, then RST the other end"): once the application has closed the
	 * connection, a segment with ACK whose text reaches past RCV.NXT (after PAWS, before the
	 * window's right edge is looked at) in FIN-WAIT-1, FIN-WAIT-2, CLOSING, LAST-ACK or
	 * TIME-WAIT closes it with <SEQ=SEG.ACK><CTL=RST>. RFC 9293 3.6 (SHLD-3): "if new data is
	 * received after CLOSE is called, its TCP implementation SHOULD send a RST to show that
	 * data was lost"; 0: the 3.10.7.4 checks as written (an ACK, the text ignored). */
	int data_after_close_rst;
	/* Linux tcp_ack() runs before tcp_data_queue(), lwIP tcp_receive() likewise: the ACK of
	 * a segment that begins after RCV.NXT (out-of-order text or FIN) is processed at once.
	 * 0: RFC 9293 3.10.7.4 first check, "Segments with higher beginning sequence numbers
	 * SHOULD be held for later processing" (SHLD-31): the whole segment, its ACK included,
	 * waits until the data before it arrives. */
	int ooo_ack_at_once;
	/* lwIP tcp_process(): the RST window test is TCP_SEQ_BETWEEN(seqno, rcv_nxt, rcv_nxt +
	 * rcv_wnd), both ends included, so a RST at exactly RCV.NXT+RCV.WND counts as in the
	 * window (a challenge ACK under rfc5961_rst) instead of being dropped silently (RFC 5961
	 * 3.2 (1), RFC 9293 3.10.7.4 second check). SYN-RECEIVED and the synchronized states but
	 * TIME-WAIT, which lwIP handles apart (tcp_timewait_input ignores every RST). */
	int rst_right_edge_inclusive;
	/* lwIP tcp_timewait_input(): a SYN in the window in TIME-WAIT draws
	 * <SEQ=SEG.ACK><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SEG.ACK is the field as sent, with or
	 * without the ACK bit) and TIME-WAIT is kept. RFC 9293 3.10.7.4 fourth check, "for
	 * implementations that do not follow RFC 5961": "If the SYN is in the window it is an
	 * error: send a reset"; RFC 5961 4.2 (rfc5961_syn) is optional. Takes precedence over
	 * rfc5961_syn in TIME-WAIT. */
	int time_wait_syn_rst;
	/* With time_wait_syn_rst: lwIP's window test for that SYN includes the right edge
	 * (TCP_SEQ_BETWEEN), so a SYN at exactly RCV.NXT+RCV.WND is reset too, where RFC 9293
	 * 3.10.7.4 first check says "an acknowledgment should be sent in reply". */
	int time_wait_syn_right_edge;
	/* lwIP tcp_receive() / tcp_timewait_input(): a redundant bare ACK
	 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> after (1) text that the seventh check ignores
	 * (CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "Ignore the segment text") when it begins
	 * before RCV.NXT, and (2) a segment with sequence space but without the ACK bit in
	 * TIME-WAIT (which the fifth check drops). RFC 9293 neither asks for nor forbids that ACK. */
	int ack_ignored_segment;
	/* gVisor netstack (transport/tcp/rcv.go handleRcvdSegment, handleRcvdSegmentClosing,
	 * consumeSegment): SHLD-31 ("Segments with higher beginning sequence numbers SHOULD be held
	 * for later processing") applied to every segment with ACK (no SYN, no RST) that begins
	 * after RCV.NXT. In CLOSE-WAIT, CLOSING and LAST-ACK such a segment is dropped silently
	 * (it lies beyond the peer's FIN). In ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 a bare ACK
	 * there is not consumed: its ACK field still updates SND.UNA and the window (snd.go), but
	 * the state change it would cause (FIN-WAIT-1 -> FIN-WAIT-2) waits for a segment at
	 * RCV.NXT, and one acknowledging unsent data is dropped without the fifth check's ACK. */
	int hold_beyond_rcv_nxt;
	/* gVisor netstack (rcv.go handleRcvdSegmentClosing, "any data past the RcvNxt should
	 * trigger a RST"): in CLOSING and LAST-ACK (both sides' FINs sent, the application has
	 * closed) a segment beginning at or before RCV.NXT whose data goes past RCV.NXT aborts the
	 * connection with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, before its ACK is processed.
	 * RFC 9293 3.6.1: "if new data is received after CLOSE is called, its TCP implementation
	 * SHOULD send a RST to show that data was lost" (SHLD-3); 0: the seventh check's "Ignore
	 * the segment text". */
	int data_after_close_rst_ack;
	/* gVisor netstack (rcv.go consumeSegment): in CLOSE-WAIT a FIN at RCV.NXT (one past the
	 * peer's first FIN) is taken as RFC 9293 3.10.7.4's eighth check reads for any state:
	 * "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN", then "Remain in
	 * the CLOSE-WAIT state". 0: the model ignores it (Linux, lwIP). */
	int fin_after_fin_acked;
};

/* User calls (RFC 9293 3.10.1 - 3.10.6) and the socket options that change the protocol. */
enum tc_mcall {
	TC_MC_LISTEN = 1, TC_MC_CONNECT, TC_MC_ACCEPT, TC_MC_SEND, TC_MC_RECEIVE, TC_MC_CLOSE,
	TC_MC_SHUTDOWN, TC_MC_ABORT, TC_MC_SETOPT, TC_MC_GETOPT,
};
enum tc_mopt {
	TC_MO_OTHER = 0, TC_MO_LINGER, TC_MO_KEEPALIVE, TC_MO_KEEPIDLE, TC_MO_KEEPINTVL,
	TC_MO_KEEPCNT, TC_MO_NODELAY, TC_MO_QUICKACK, TC_MO_DEFER_ACCEPT,
};

struct tc_mcall_in {
	int call;             /* enum tc_mcall */
	int tag;              /* the caller's id for the call, echoed in completions */
	long len;             /* SEND / RECEIVE length */
	const uint8_t *data;  /* SEND data (NULL: the filler "0123456789...") */
	int how;              /* SHUTDOWN: 0 rd, 1 wr, 2 rdwr */
	int opt;              /* SETOPT: enum tc_mopt */
	long value[2];
	int nvalue;
};

/* One segment the model says the target sends. */
struct tc_mseg {
	uint8_t flags;
	uint8_t flags_maybe;   /* flags a conforming stack may add (an ACK bit on an abort's RST) */
	uint16_t sport, dport;
	uint32_t seq, ack;     /* absolute; seq meaningless while iss_known was 0 (seq_any) */
	int seq_any;           /* the target's ISN was not known yet */
	uint32_t len;          /* payload length */
	uint8_t data[TC_MAX_PAYLOAD];
	unsigned opt_must, opt_maybe; /* option kinds that must / may appear; others must not */
	int64_t earliest, latest;     /* due between these times (inclusive) */
	int pure_ack;          /* a bare ACK that a later segment carrying this ack replaces */
	char rule[TC_MODEL_RULE];
	int level;             /* enum tc_level of the rule that makes it due (0: MUST) */
	char req[32];          /* the requirement it enforces ("SHLD-18", "RFC5961-3.2"), or "" */
};

/*
 * One state transition inside an event (set_state() in model.c records each): a segment can
 * take SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT, and each step keeps its rule. from/to are
 * the connection's states (tc_model_state()); rule is the model's rule id (static storage),
 * req/level the requirement it enforces; line the model.c source line that made it.
 */
struct tc_mtrans {
	int from, to;
	const char *rule;
	int level;             /* enum tc_level */
	const char *req;       /* "MUST-13", "RFC9293-3.10.7.4#2", or "" (static storage) */
	int line;
};
#define TC_MODEL_MAXTRANS 6

/* An app call that completed (now or later). */
struct tc_mdone {
	int tag, call;
	long ret;
	char err[16];          /* "0" or an errno name */
	/* RECEIVE: as much as the receive buffer can hold, so one read returns everything that
	 * is buffered, as a socket read of that length does. */
	uint8_t data[TC_MODEL_BUF];
	size_t ndata;
};

struct tc_mout {
	struct tc_mseg seg[TC_MODEL_MAXOUT];
	int nseg;
	struct tc_mdone done[4];
	int ndone;
	int pending;           /* the call (tc_model_call) blocks: its completion comes later */
	int old_state, new_state; /* first and last of trans[] (or the state, without any) */
	struct tc_mtrans trans[TC_MODEL_MAXTRANS]; /* every transition, in order */
	int ntrans;
	char rule[TC_MODEL_RULE];
	int level;             /* enum tc_level of rule (0: MUST) */
	char req[32];          /* the requirement rule enforces, or "" */
};

/* A segment held for later processing (SHLD-31): its text, its FIN, and its ACK fields, which
 * are processed when it becomes in order (unless ooo_ack_at_once processed them already). */
struct tc_mooo {
	uint32_t seq, len;
	int fin;
	int ack_held;          /* its ACK waits with it */
	uint32_t ack, win;
	uint8_t data[TC_MAX_PAYLOAD];
};

struct tc_model {
	struct tc_knobs k;
	int state;             /* enum tc_state of the connection's TCB: TC_ST_LISTEN after a passive
				* OPEN until a SYN arrives (or when RFC 9293 returns it to LISTEN),
				* TC_ST_CLOSED when there is none */
	int listening;         /* a listener is open (the socket API keeps it beside the conn) */
	int passive;           /* the connection came from LISTEN */
	int accepted;          /* the application holds the connection (accept or connect) */
	int orphan;            /* the application closed it */
	uint16_t port, peer_port; /* the connection's ports (target, peer); 0 = any */
	int ipv6;              /* the connection runs over IPv6 (default MSS 1220, RFC 8200 8.3) */
	int mtu;               /* the target's link MTU when known (caps the MSS it uses), or 0 */
	int lost;              /* the case left what the model models; see lost_why */
	char lost_why[160];
	int ever_conn;         /* a connection existed at some point */
	int reset;             /* the connection was reset: the first SEND/RECEIVE says so */
	int reset_reported;
	int refused;
	int timed_out;
	int rd_shut, wr_shut;  /* SHUT_RD seen / CLOSE or SHUT_WR queued a FIN */

	/* RFC 9293 3.3.1 send sequence variables of the target. */
	int iss_known;
	uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
	/* Receive sequence variables. */
	int irs_known;
	uint32_t irs, rcv_nxt, rcv_wnd;
	int rcv_wnd_known;
	/* Options. */
	uint16_t snd_mss;      /* the peer's MSS (what the target may send) */
	int peer_syn_opts;     /* TC_OBIT mask offered in the peer's SYN */
	int target_syn_opts;   /* mask the target sent in its SYN/SYN-ACK (learnt or predicted) */
	int ws_ok, ts_ok, sack_ok;
	uint8_t snd_wscale, rcv_wscale;
	uint32_t ts_recent, last_ack_sent;
	int simopen;

	/* Send side: bytes written by the application from SND.UNA on; fin_queued after CLOSE. */
	uint8_t sbuf[TC_MODEL_BUF];
	uint32_t sbuf_len;     /* bytes from SND.UNA (sent and not) */
	int fin_queued, fin_sent;
	int nodelay, quickack_off, linger0, keepalive, defer_accept;
	uint32_t small_end;    /* end of the last short segment sent (Nagle, Minshall variant) */
	/* Receive side: in-order bytes not read yet; FIN received. */
	uint8_t rbuf[TC_MODEL_BUF];
	uint32_t rbuf_len;
	int fin_rcvd;
	struct tc_mooo ooo[TC_MODEL_OOO];
	int nooo;

	/* Timers: absolute deadlines, 0 = not running. */
	int64_t t_rtx, t_tw, t_fw2, t_ka, t_delack;
	int64_t rto;           /* current RTO (with backoff) */
	int64_t first_rtx;     /* when the current segment was first retransmitted */
	int nrtx;              /* retransmissions of the current segment */
	int ka_probes;
	int64_t srtt, rttvar;  /* RFC 6298 2.2 / 2.3 */
	int rtt_valid;
	int64_t rtt_start;     /* when the timed segment was sent; 0 = none (Karn) */
	uint32_t rtt_seq;
	int64_t last_challenge; /* for challenge_ack_interval_us; -1 = never */
	uint32_t delack_ack;

	/* Blocked app calls. */
	struct { int tag, call; long len; } blk[8];
	int nblk;
	int fin_read;          /* a RECEIVE returned the end of file (the FIN left the queue) */
};

/* Defaults of the rfc9293 profile (a strict reading of the RFCs). */
void tc_knobs_rfc9293(struct tc_knobs *k);

/* Starts a model in CLOSED with knobs k. */
void tc_model_init(struct tc_model *m, const struct tc_knobs *k);

/*
 * Applies a Linux sysctl of the case to the knobs (net.ipv4.tcp_rfc1337 ...). Returns 1 when the
 * model knows it, 0 when it does not (the model may then be wrong: the caller decides).
 */
int tc_knobs_sysctl(struct tc_knobs *k, const char *key, const char *value);

/* A segment arrives at the target (from the peer). */
void tc_model_segment(struct tc_model *m, const struct tc_seg *s, int64_t now, struct tc_mout *out);
/* The application makes a call on the target. */
void tc_model_call(struct tc_model *m, const struct tc_mcall_in *c, int64_t now, struct tc_mout *out);
/* Fires every timer due at or before now. */
void tc_model_timer(struct tc_model *m, int64_t now, struct tc_mout *out);
/* The earliest running timer deadline, or 0 when none runs. */
int64_t tc_model_next_deadline(const struct tc_model *m);

/*
 * Learns from a segment the target actually sent: its ISN (first SYN), its options, its
 * window, its timestamp. The model can predict none of these; it learns them.
 */
void tc_model_learn(struct tc_model *m, const struct tc_seg *s);

/*
 * The state of the case's connection: LISTEN after a passive OPEN until a SYN arrives, and
 * where RFC 9293 returns that TCB to LISTEN (a RST or a SYN in SYN-RECEIVED of a passive open,
 * 3.10.7.4 second and fourth checks; SYN-ACK retransmissions exhausted); CLOSED once the
 * connection is gone, whether or not a listener is still open.
 */
int tc_model_state(const struct tc_model *m);

/* The listener's state (`state: {is: LISTEN, sock: listener}`): LISTEN while one is open, else
 * CLOSED. */
int tc_model_listener_state(const struct tc_model *m);

/*
 * tc_model_names - the model's view of the target for case expressions (expr.h names), in the
 * case's relative numbering: rcv_nxt and rcv_wnd count from our ISN (what we send), snd_nxt and
 * snd_una from the target's ISN. Returns 0, or -1 when the connection variables are unknown.
 */
int tc_model_names(const struct tc_model *m, uint32_t our_isn, int64_t names[4]);

/*
 * tc_mseg_check - does the captured segment s match the prediction p? Compares flags, seq (when
 * known), ack, payload length and option kinds. Returns 0 on a match, else 1 with the first
 * mismatching field in field and a sentence in why. Timing is the caller's business.
 */
int tc_mseg_check(const struct tc_mseg *p, const struct tc_seg *s, char *field, size_t fcap,
		  char *why, size_t cap);

/* Short text of a prediction for messages: "A seq 1 ack 11 len 0 opts [ts]". Relative to isns. */
void tc_mseg_fmt(const struct tc_mseg *p, uint32_t tisn, uint32_t oisn, char *buf, size_t cap);

#endif
