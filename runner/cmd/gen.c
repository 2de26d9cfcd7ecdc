/*
 * cmd/gen.c - `tcpconform gen state-event [--out DIR]`: writes the state-event matrix, one case
 * per (state, segment kind, sequence position, ACK) cell, under DIR (default
 * suites/state-event/), one folder per state.
 *
 * Every case reaches its state through the target's own API (listen/accept, connect, shutdown,
 * close) and a handshake we play, injects one segment, and then leaves the verdict to the
 * reference model: `expect: auto` (the segment the model predicts, or silence when it predicts
 * none) and `state: auto` (the state the model is in). The generator therefore encodes no
 * answer of its own, so the same files judge any target under any profile.
 *
 * Which cells exist. RFC 9293 3.10.7 decides on a segment in this order: (3.10.7.1) CLOSED and
 * (3.10.7.2) LISTEN look only at the RST, ACK and SYN bits, and 3.10.7.3 SYN-SENT only at the
 * bits and at whether the ACK acknowledges our SYN; there is no receive window yet, so these
 * states get one sequence number per kind, and ACK-bearing kinds an acceptable and an
 * unacceptable ACK where the state looks at it (SYN-SENT; in CLOSED and LISTEN any ACK is
 * treated alike, so one). The other eight states run the 3.10.7.4 checks in order:
 *   first, the acceptability test of Table 6, which depends on SEG.SEQ, SEG.LEN and RCV.WND:
 *     the six positions RCV.NXT, RCV.NXT-1 (left edge minus one), inside the window, the right
 *     edge RCV.NXT+RCV.WND-1, RCV.NXT+RCV.WND (just past) and 2^30 beyond (far outside);
 *   second, RST (with RFC 5961 3.2: exactly RCV.NXT resets, elsewhere in the window draws a
 *     challenge ACK, outside is dropped): a RST gets all six positions. The ACK field is never
 *     looked at for a RST, so RST+ACK gets one acceptable ACK and the three classes RCV.NXT,
 *     inside and just past (the boundaries are the RST's own cells);
 *   fourth, SYN (with RFC 5961 4.2: a challenge ACK wherever it lands, once it passed the
 *     first check): SYN at RCV.NXT, left edge minus one (in SYN-RECEIVED that is the peer's
 *     original SYN again), the right edge and just past; SYN+ACK, whose ACK is not reached
 *     either, at RCV.NXT, left edge minus one and just past;
 *   fifth, ACK: "if the ACK bit is off drop the segment", so FIN without ACK needs only an
 *     acceptable position and the two unacceptable sides (RCV.NXT, left edge minus one, just
 *     past); ACK, FIN+ACK and data get all six positions with an acceptable ACK (SND.NXT,
 *     everything sent, which is what moves FIN-WAIT-1, CLOSING, LAST-ACK and SYN-RECEIVED on)
 *     and an unacceptable one (SND.NXT+100: acknowledges data never sent, RFC 9293 3.10.7.4
 *     fifth / RFC 5961 5.2) where the ACK is reached at all: at RCV.NXT for all three, and
 *     inside the window for ACK and data (out-of-order text is queued only after the ACK
 *     check). Elsewhere the first check has already answered and the ACK field is never read;
 *   seventh and eighth, text and FIN: covered by data and FIN+ACK at the positions above
 *     (data of 10 bytes at the left edge minus one overlaps RCV.NXT and is trimmed, at the
 *     right edge it is trimmed to the window).
 *
 * Linux's challenge-ACK rate limit (net.ipv4.tcp_invalid_ratelimit, 500 ms) is not an issue:
 * each case injects a single segment after a clean handshake, so it draws at most one
 * challenge or duplicate ACK on a socket that has sent none, which is never throttled. The
 * sysctl is therefore not set.
 *
 * Output is deterministic (sorted, no dates): make test regenerates into a temporary folder and
 * diffs it against the committed files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum st { S_CLOSED, S_LISTEN, S_SYN_SENT, S_SYN_RECEIVED, S_ESTABLISHED, S_FIN_WAIT_1,
	  S_FIN_WAIT_2, S_CLOSE_WAIT, S_CLOSING, S_LAST_ACK, S_TIME_WAIT, S_N };
static const char *const st_name[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
				      "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
				      "CLOSING", "LAST_ACK", "TIME_WAIT"};
static const char *const st_slug[] = {"closed", "listen", "syn-sent", "syn-received",
				      "established", "fin-wait-1", "fin-wait-2", "close-wait",
				      "closing", "last-ack", "time-wait"};

enum kind { K_SYN, K_SYNACK, K_ACK, K_FIN, K_FINACK, K_RST, K_RSTACK, K_DATA, K_N };
static const char *const k_flags[] = {"S", "SA", "A", "F", "FA", "R", "RA", "PA"};
static const char *const k_slug[] = {"syn", "syn-ack", "ack", "fin", "fin-ack", "rst", "rst-ack",
				     "data"};
static const char *const k_title[] = {"SYN", "SYN+ACK", "ACK", "FIN", "FIN+ACK", "RST",
				      "RST+ACK", "data (10 bytes, PSH+ACK)"};

enum pos { P_NXT, P_LEFT, P_IN, P_RIGHT, P_PAST, P_FAR, P_N, P_NONE = P_N };
static const char *const p_slug[] = {"rcv-nxt", "left-edge-minus-1", "in-window", "right-edge",
				     "just-past", "far-outside"};
static const char *const p_expr[] = {"rcv_nxt", "rcv_nxt - 1", "rcv_nxt + rcv_wnd / 2",
				     "rcv_nxt + rcv_wnd - 1", "rcv_nxt + rcv_wnd",
				     "rcv_nxt + 1073741824"};
static const char *const p_title[] = {"RCV.NXT (exactly)", "RCV.NXT-1 (left edge minus one)",
				      "RCV.NXT+RCV.WND/2 (inside the window)",
				      "RCV.NXT+RCV.WND-1 (right edge)",
				      "RCV.NXT+RCV.WND (just past the window)",
				      "2^30 beyond RCV.NXT (far outside)"};

#define BIT(p) (1u << (p))
#define ALLPOS (BIT(P_NXT) | BIT(P_LEFT) | BIT(P_IN) | BIT(P_RIGHT) | BIT(P_PAST) | BIT(P_FAR))

static int has_ack(int k)
{
	return k == K_SYNACK || k == K_ACK || k == K_FINACK || k == K_RSTACK || k == K_DATA;
}

/* Positions per kind in the eight states with a receive window, with an acceptable ACK
 * (`good`) and with an unacceptable one (`bad`); see the head comment for why. */
static void positions(int k, unsigned *good, unsigned *bad)
{
	*bad = 0;
	switch (k) {
	case K_RST: *good = ALLPOS; break;
	case K_RSTACK: *good = BIT(P_NXT) | BIT(P_IN) | BIT(P_PAST); break;
	case K_SYN: *good = BIT(P_NXT) | BIT(P_LEFT) | BIT(P_RIGHT) | BIT(P_PAST); break;
	case K_SYNACK: *good = BIT(P_NXT) | BIT(P_LEFT) | BIT(P_PAST); break;
	case K_FIN: *good = BIT(P_NXT) | BIT(P_LEFT) | BIT(P_PAST); break;
	case K_FINACK: *good = ALLPOS; *bad = BIT(P_NXT); break;
	default: /* ACK, data */
		*good = ALLPOS;
		*bad = BIT(P_NXT) | BIT(P_IN);
		break;
	}
}

struct cell {
	int st, kind, pos;   /* pos P_NONE: the state has no window yet */
	int ack;             /* -1 no ACK bit; 1 acceptable; 0 unacceptable */
};

static int mkdirs(const char *path, char *err, size_t cap)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(err, cap, "path too long: %s", path);
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
				snprintf(err, cap, "cannot create %s: %s", buf, strerror(errno));
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static void cell_name(const struct cell *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s", k_slug[c->kind], c->pos == P_NONE ? "" : ".",
		 c->pos == P_NONE ? "" : p_slug[c->pos],
		 c->ack < 0 ? "" : c->ack ? ".ack-ok" : ".ack-bad");
}

/* The steps that bring the target into c->st, as YAML lines. */
static void reach(FILE *f, int st)
{
	if (st == S_CLOSED) {
		fprintf(f, "  # No socket at all: the port is CLOSED (RFC 9293 3.10.7.1).\n");
		fprintf(f, "  - state: CLOSED\n");
		return;
	}
	if (st == S_TIME_WAIT) {
		/* The active close of RFC 9293 Figure 6, as a client: without a listener no new
		 * SYN can be taken as a reopened connection (RFC 1122 4.2.2.13 MAY), which the
		 * model does not follow into a second incarnation. */
		fprintf(f, "  - app: {call: connect, expect: {ret: 0}}\n");
		fprintf(f, "  - expect: {flags: S, seq: 0}\n");
		fprintf(f, "  - send: {flags: SA, seq: 0, ack: 1, options: [{mss: 1460}]}\n");
		fprintf(f, "  - expect: {flags: A, seq: 1, ack: 1}\n");
		fprintf(f, "  - state: ESTABLISHED\n");
		fprintf(f, "  - app: close\n");
		fprintf(f, "  - expect: {flags: FA, seq: 1, ack: 1}\n");
		fprintf(f, "  - send: {flags: FA, seq: 1, ack: 2}\n");
		fprintf(f, "  - expect: {flags: A, seq: 2, ack: 2}\n");
		fprintf(f, "  - state: TIME_WAIT\n");
		return;
	}
	fprintf(f, "  - app: listen\n");
	if (st == S_LISTEN) {
		fprintf(f, "  - state: LISTEN\n");
		return;
	}
	fprintf(f, "  - send: {flags: S, seq: 0, options: [{mss: 1460}]}\n");
	fprintf(f, "  - expect: {flags: SA, seq: 0, ack: 1}\n");
	if (st == S_SYN_RECEIVED) {
		fprintf(f, "  - state: SYN_RECEIVED\n");
		return;
	}
	fprintf(f, "  - send: {flags: A, seq: 1, ack: 1}\n");
	fprintf(f, "  - app: accept\n");
	fprintf(f, "  - state: ESTABLISHED\n");
	switch (st) {
	case S_CLOSE_WAIT:
	case S_LAST_ACK:
		fprintf(f, "  - send: {flags: FA, seq: 1, ack: 1}\n");
		fprintf(f, "  - expect: {flags: A, seq: 1, ack: 2}\n");
		fprintf(f, "  - state: CLOSE_WAIT\n");
		if (st == S_LAST_ACK) {
			fprintf(f, "  - app: close\n");
			fprintf(f, "  - expect: {flags: FA, seq: 1, ack: 2}\n");
			fprintf(f, "  - state: LAST_ACK\n");
		}
		break;
	case S_FIN_WAIT_1:
	case S_FIN_WAIT_2:
	case S_CLOSING:
		/* SHUT_WR sends the FIN and keeps the socket the application's, so FIN-WAIT-2 is
		 * RFC 9293's, not Linux's orphan variant with its own timeout. */
		fprintf(f, "  - app: {call: shutdown, how: wr}\n");
		fprintf(f, "  - expect: {flags: FA, seq: 1, ack: 1}\n");
		fprintf(f, "  - state: FIN_WAIT_1\n");
		if (st == S_FIN_WAIT_2) {
			fprintf(f, "  - send: {flags: A, seq: 1, ack: 2}\n");
			fprintf(f, "  - state: FIN_WAIT_2\n");
		} else if (st == S_CLOSING) {
			fprintf(f, "  - send: {flags: FA, seq: 1, ack: 1}\n");
			fprintf(f, "  - expect: {flags: A, seq: 2, ack: 2}\n");
			fprintf(f, "  - state: CLOSING\n");
		}
		break;
	default:
		break;
	}
}

static const char *refs(const struct cell *c, char *buf, size_t cap)
{
	const char *sec = c->st == S_CLOSED ? "RFC9293-3.10.7.1"
			  : c->st == S_LISTEN ? "RFC9293-3.10.7.2"
			  : c->st == S_SYN_SENT ? "RFC9293-3.10.7.3" : "RFC9293-3.10.7.4";
	const char *extra = "";
	int sync = c->st >= S_SYN_RECEIVED;
	if (sync && (c->kind == K_RST || c->kind == K_RSTACK))
		extra = ", RFC5961-3.2";
	else if (sync && (c->kind == K_SYN || c->kind == K_SYNACK))
		extra = ", RFC5961-4.2";
	else if (sync && c->ack == 0)
		extra = ", RFC5961-5.2";
	snprintf(buf, cap, "[%s%s]", sec, extra);
	return buf;
}

static int write_cell(const char *out, const struct cell *c, int *count, char *err, size_t cap)
{
	char dir[4096], path[4200], name[128], rb[96];
	snprintf(dir, sizeof(dir), "%s/%s", out, st_slug[c->st]);
	if (mkdirs(dir, err, cap) < 0)
		return -1;
	cell_name(c, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	int k = c->kind, st = c->st;
	fprintf(f, "# Generated by `tcpconform gen state-event` (runner/cmd/gen.c): do not edit.\n");
	fprintf(f, "id: state-event.%s.%s\n", st_slug[st], name);
	fprintf(f, "title: \"%s: %s%s%s%s\"\n", st_name[st], k_title[k],
		c->pos == P_NONE ? "" : " at ", c->pos == P_NONE ? "" : p_title[c->pos],
		c->ack < 0 ? "" : c->ack ? ", acceptable ACK" : ", unacceptable ACK");
	fprintf(f, "refs: %s\n", refs(c, rb, sizeof(rb)));
	fprintf(f, "tags: [state-event, generated]\n");
	if (st == S_SYN_SENT || st == S_TIME_WAIT)
		fprintf(f, "role: client\n");
	/* Retransmissions the state has running: our FIN (FIN-WAIT-1, CLOSING, LAST-ACK), the
	 * SYN-ACK (SYN-RECEIVED) and the SYN (SYN-SENT; Linux also resends it at once after an
	 * unacceptable ACK). Forgiven for the case; the model still judges each. */
	if (st == S_FIN_WAIT_1 || st == S_CLOSING || st == S_LAST_ACK)
		fprintf(f, "ignore: [FA]\n");
	else if (st == S_SYN_RECEIVED)
		fprintf(f, "ignore: [SA]\n");
	else if (st == S_SYN_SENT)
		fprintf(f, "ignore: [S]\n");
	fprintf(f, "steps:\n");

	/* SYN-SENT: the connect's outcome is RFC 9293 3.10.7.3's (the model does not judge app
	 * results): refused by an acceptable RST+ACK, completed by an acceptable SYN+ACK, and
	 * otherwise completed by the SYN-ACK the case sends after the cell. */
	int refused = st == S_SYN_SENT && k == K_RSTACK && c->ack == 1;
	int self_done = st == S_SYN_SENT && k == K_SYNACK && c->ack == 1;
	if (st == S_SYN_SENT) {
		if (refused)
			fprintf(f, "  - app: {call: connect, within: 3s, expect: {ret: -1, errno: "
				"ECONNREFUSED}}\n");
		else
			fprintf(f, "  - app: {call: connect, within: 3s, expect: {ret: 0}}\n");
		fprintf(f, "  - expect: {flags: S, seq: 0}\n");
		fprintf(f, "  - state: SYN_SENT\n");
	} else {
		reach(f, st);
	}

	/* The cell's segment. Before a window exists our numbers are plain: seq 0 is our ISN (the
	 * SYN we would send), and before the target's SYN an ACK is an absolute 1000. */
	fprintf(f, "  # The cell: %s in %s.\n", k_title[k], st_name[st]);
	fprintf(f, "  - send: {flags: %s", k_flags[k]);
	if (c->pos == P_NONE)
		fprintf(f, ", seq: 0");
	else
		fprintf(f, ", seq: %s", p_expr[c->pos]);
	if (has_ack(k)) {
		if (st == S_CLOSED || st == S_LISTEN)
			fprintf(f, ", ack_abs: 1000");
		else if (st == S_SYN_SENT) /* the names need both SYNs; the target's ISN is known */
			fprintf(f, ", ack: %s", c->ack ? "1" : "101");
		else
			fprintf(f, ", ack: %s", c->ack ? "snd_nxt" : "snd_nxt + 100");
	}
	if (k == K_DATA)
		fprintf(f, ", len: 10");
	if (k == K_SYN || k == K_SYNACK)
		fprintf(f, ", options: [{mss: 1460}]");
	fprintf(f, "}\n");
	/* The model's answer, or silence; 300 ms is ample for an immediate answer. */
	fprintf(f, "  - expect: auto\n    within: 300ms\n");
	fprintf(f, "  - state: auto\n");
	if (st == S_SYN_SENT && !refused && !self_done) {
		/* Let the blocked connect finish: our SYN-ACK (in SYN-RECEIVED after a crossing SYN,
		 * the one that completes a simultaneous open, RFC 9293 Figure 7). */
		/* After an unacceptable ACK Linux resends its SYN two jiffies later
		 * (tcp_rcv_synsent_state_process, TCP_TIMEOUT_MIN) unless our SYN-ACK gets there
		 * first: a race. Waiting first lets any such resend come, so the run does not
		 * depend on how fast the state step returned. */
		fprintf(f, "  # Complete the open, so the connect returns.\n");
		fprintf(f, "  - wait: 100ms\n");
		fprintf(f, "  - send: {flags: SA, seq: 0, ack: 1, options: [{mss: 1460}]}\n");
		fprintf(f, "  - expect: auto\n    within: 300ms\n");
		fprintf(f, "  - state: auto\n");
	}
	if (fclose(f) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	(*count)++;
	return 0;
}

static int gen_state_event(const char *out, int *count, char *err, size_t cap)
{
	*count = 0;
	for (int st = 0; st < S_N; st++)
		for (int k = 0; k < K_N; k++) {
			struct cell c = {st, k, P_NONE, has_ack(k) ? 1 : -1};
			if (st <= S_LISTEN) {
				if (write_cell(out, &c, count, err, cap) < 0)
					return -1;
				continue;
			}
			if (st == S_SYN_SENT) {
				if (write_cell(out, &c, count, err, cap) < 0)
					return -1;
				c.ack = 0;
				if (has_ack(k) && write_cell(out, &c, count, err, cap) < 0)
					return -1;
				continue;
			}
			unsigned good, bad;
			positions(k, &good, &bad);
			for (int p = 0; p < P_N; p++) {
				c.pos = p;
				c.ack = has_ack(k) ? 1 : -1;
				if ((good & BIT(p)) && write_cell(out, &c, count, err, cap) < 0)
					return -1;
				c.ack = 0;
				if ((bad & BIT(p)) && write_cell(out, &c, count, err, cap) < 0)
					return -1;
			}
		}
	return 0;
}

int tc_cmd_gen(int argc, char **argv); /* dispatched from main.c */

int tc_cmd_gen(int argc, char **argv)
{
	const char *out = "suites/state-event";
	const char *what = NULL;
	char err[4352];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strncmp(argv[i], "--out=", 6) == 0) {
			out = argv[i] + 6;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: tcpconform gen state-event [--out DIR]\n"
			       "  writes the state-event matrix (default DIR: suites/state-event)\n");
			return 0;
		} else if (!what && argv[i][0] != '-') {
			what = argv[i];
		} else {
			fprintf(stderr, "tcpconform gen: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!what || strcmp(what, "state-event") != 0) {
		fprintf(stderr, "usage: tcpconform gen state-event [--out DIR]\n");
		return 2;
	}
	int n;
	if (gen_state_event(out, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpconform gen: %s\n", err);
		return 1;
	}
	printf("wrote %d cases under %s\n", n, out);
	return 0;
}
