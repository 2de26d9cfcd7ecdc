/*
 * profile.c - load a model profile (profile.h) with libyaml's event parser. The file is one flat
 * mapping of knob: value; durations take the case format's units ("200ms", "60s").
 */
#include "profile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "../../common/names.h"
#include "../../common/duration.h"

enum ktype { K_BOOL, K_INT, K_DUR, K_OPTS };

static const struct knob {
	const char *name;
	enum ktype type;
	size_t off;
} knobs[] = {
#define KN(n, t) {#n, t, offsetof(struct tc_knobs, n)}
	KN(rfc5961_rst, K_BOOL), KN(rfc5961_syn, K_BOOL), KN(rfc5961_ack, K_BOOL),
	KN(challenge_ack_interval_us, K_DUR), KN(rst_rcv_nxt_minus_one, K_BOOL),
	KN(seq_right_edge_inclusive, K_BOOL), KN(no_ack_dropped_first, K_BOOL),
	KN(rfc1337, K_BOOL), KN(syn_opts, K_OPTS), KN(syn_opts_maybe, K_OPTS),
	KN(simopen_synack_all_opts, K_BOOL), KN(paws, K_BOOL), KN(rto_initial_us, K_DUR),
	KN(rto_min_us, K_DUR), KN(rto_max_us, K_DUR), KN(rto_linux, K_BOOL),
	KN(syn_retries, K_INT), KN(synack_retries, K_INT), KN(data_retries, K_INT),
	KN(time_wait_us, K_DUR), KN(fin_wait_2_us, K_DUR), KN(close_unread_rst, K_BOOL),
	KN(ack_delay_max_us, K_DUR), KN(delack_us, K_DUR), KN(ack_quick, K_BOOL),
	KN(keepalive_probe_len, K_INT), KN(keepalive_rst, K_BOOL), KN(keepalive_idle_us, K_DUR),
	KN(keepalive_intvl_us, K_DUR), KN(keepalive_cnt, K_INT), KN(default_mss, K_INT),
	KN(rcv_wnd, K_INT), KN(nagle, K_BOOL), KN(nagle_minshall, K_BOOL),
	KN(nagle_fin_push, K_BOOL), KN(abort_on_overflow, K_BOOL),
	KN(time_wait_reopen, K_BOOL), KN(syn_sent_bad_ack_resend, K_BOOL), KN(simopen_synack_table6, K_BOOL), KN(retries_time, K_BOOL),
	KN(time_wait_exact_only, K_BOOL), KN(syn_recv_request_sock, K_BOOL),
	KN(seq_end_at_rcv_nxt, K_BOOL), KN(rcv_queue_end_check, K_BOOL),
	KN(data_after_fin_rst, K_BOOL), KN(data_after_close_rst, K_BOOL),
	KN(ooo_ack_at_once, K_BOOL),
	KN(rst_right_edge_inclusive, K_BOOL), KN(time_wait_syn_rst, K_BOOL),
	KN(time_wait_syn_right_edge, K_BOOL), KN(ack_ignored_segment, K_BOOL),
	KN(hold_beyond_rcv_nxt, K_BOOL), KN(data_after_close_rst_ack, K_BOOL),
	KN(fin_after_fin_acked, K_BOOL),
#undef KN
};

/* Knob names in the file drop the _us suffix of durations: "time_wait: 60s". */
static const struct knob *find_knob(const char *name)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		size_t l = strlen(knobs[i].name);
		if (knobs[i].type == K_DUR && l > 3)
			l -= 3;
		if (strlen(name) == l && strncmp(knobs[i].name, name, l) == 0)
			return &knobs[i];
	}
	return NULL;
}

static int set_scalar(const struct knob *kn, struct tc_knobs *k, const char *v, char *why, size_t cap)
{
	char *end;
	void *p = (char *)k + kn->off;
	switch (kn->type) {
	case K_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
			*(int *)p = 1;
		else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
			*(int *)p = 0;
		else {
			snprintf(why, cap, "expected true or false");
			return -1;
		}
		return 0;
	case K_INT: {
		long x = strtol(v, &end, 10);
		if (!*v || *end || x < 0 || x > INT_MAX) {
			snprintf(why, cap, "expected a non-negative integer");
			return -1;
		}
		if (kn->off == offsetof(struct tc_knobs, rcv_wnd))
			*(uint32_t *)p = (uint32_t)x;
		else
			*(int *)p = (int)x;
		return 0;
	}
	case K_DUR: {
		int64_t d = strcmp(v, "0") == 0 ? 0 : tc_parse_duration(v);
		if (d < 0) {
			snprintf(why, cap, "expected a duration such as 200ms or 60s");
			return -1;
		}
		*(int64_t *)p = d;
		return 0;
	}
	default:
		snprintf(why, cap, "expected a list of option names");
		return -1;
	}
}

int tc_profile_load_buf(const char *name, const char *buf, size_t len, struct tc_knobs *k,
			char *err, size_t cap)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = -1, depth = 0, in_list = 0, have_ev = 0;
	const struct knob *cur = NULL;
	char key[64] = "", why[128];
	unsigned opts = 0;

	tc_knobs_rfc9293(k);
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	snprintf(k->name, sizeof(k->name), "%.*s", (int)strcspn(base, "."), base);
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, cap, "%s: cannot initialise the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			snprintf(err, cap, "%s:%zu:%zu: YAML error: %s", name, p.problem_mark.line + 1,
				 p.problem_mark.column + 1, p.problem ? p.problem : "?");
			goto out;
		}
		have_ev = 1;
		int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			rc = 0;
			goto out;
		case YAML_MAPPING_START_EVENT:
			if (depth != 0) {
				snprintf(err, cap, "%s:%d:%d: knob values are scalars or lists, not mappings",
					 name, line, col);
				goto out;
			}
			depth = 1;
			break;
		case YAML_MAPPING_END_EVENT:
			depth = 0;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (!cur || cur->type != K_OPTS || in_list) {
				snprintf(err, cap, "%s:%d:%d: a list is not allowed here (knob '%s')", name,
					 line, col, key);
				goto out;
			}
			in_list = 1;
			opts = 0;
			break;
		case YAML_SEQUENCE_END_EVENT:
			*(unsigned *)((char *)k + cur->off) = opts;
			in_list = 0;
			cur = NULL;
			key[0] = '\0';
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			if (depth != 1) {
				snprintf(err, cap, "%s:%d:%d: a profile is a mapping of knob: value: '%s'",
					 name, line, col, v);
				goto out;
			}
			if (in_list) {
				int kind = tc_opt_parse(v);
				if (kind < 0 || kind >= 32) {
					snprintf(err, cap, "%s:%d:%d: unknown option name: '%s'", name, line, col, v);
					goto out;
				}
				opts |= TC_OBIT(kind);
			} else if (!cur) {
				cur = find_knob(v);
				snprintf(key, sizeof(key), "%s", v);
				if (!cur) {
					snprintf(err, cap, "%s:%d:%d: unknown knob: '%s'", name, line, col, v);
					goto out;
				}
			} else {
				if (cur->type == K_OPTS && v[0] == '\0') {
					*(unsigned *)((char *)k + cur->off) = 0;
				} else if (set_scalar(cur, k, v, why, sizeof(why)) < 0) {
					snprintf(err, cap, "%s:%d:%d: %s: %s: '%s'", name, line, col, key, why, v);
					goto out;
				}
				cur = NULL;
			}
			break;
		}
		case YAML_ALIAS_EVENT:
			snprintf(err, cap, "%s:%d:%d: aliases are not allowed in a profile", name, line, col);
			goto out;
		default:
			break;
		}
		yaml_event_delete(&ev);
		have_ev = 0;
	}
out:
	if (have_ev)
		yaml_event_delete(&ev);
	yaml_parser_delete(&p);
	return rc;
}

int tc_profile_load_file(const char *path, struct tc_knobs *k, char *err, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, cap, "%s: cannot open the profile", path);
		return -1;
	}
	char *buf = malloc(65536);
	if (!buf) {
		fclose(f);
		snprintf(err, cap, "out of memory");
		return -1;
	}
	size_t n = fread(buf, 1, 65535, f);
	int big = !feof(f);
	fclose(f);
	int rc;
	if (big) {
		snprintf(err, cap, "%s: a profile is at most 64 KiB", path);
		rc = -1;
	} else {
		rc = tc_profile_load_buf(path, buf, n, k, err, cap);
	}
	free(buf);
	return rc;
}

static int exe_dir(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(out, cap, "%s", self);
	return 0;
}

int tc_profile_load(const char *name, struct tc_knobs *k, char *err, size_t cap)
{
	char path[PATH_MAX + 64], dir[PATH_MAX];
	size_t l = strlen(name);
	if (l > 5 && strcmp(name + l - 5, ".yaml") == 0)
		return tc_profile_load_file(name, k, err, cap);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
			snprintf(err, cap, "profile name '%s': use lower-case letters, digits, - and _", name);
			return -1;
		}
	const char *env = getenv("TCPCONFORM_PROFILES");
	const char *tries[4] = {env, "suites/profiles", NULL, NULL};
	char d1[PATH_MAX + 32], d2[PATH_MAX + 64];
	if (exe_dir(dir, sizeof(dir)) == 0) {
		snprintf(d1, sizeof(d1), "%s/../suites/profiles", dir);
		snprintf(d2, sizeof(d2), "%s/../share/tcpconform/suites/profiles", dir);
		tries[2] = d1;
		tries[3] = d2;
	}
	for (int i = 0; i < 4; i++) {
		if (!tries[i] || !*tries[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s.yaml", tries[i], name);
		if (access(path, R_OK) == 0)
			return tc_profile_load_file(path, k, err, cap);
	}
	if (strcmp(name, "rfc9293") == 0) {
		tc_knobs_rfc9293(k);
		return 0;
	}
	snprintf(err, cap, "unknown profile '%s' (no %s.yaml in $TCPCONFORM_PROFILES or suites/profiles)",
		 name, name);
	return -1;
}

/* ---- alternatives (profile.h) ---- */

enum akind { ALT_RTO_MIN, ALT_RTO_INITIAL, ALT_TOGGLE };

/*
 * The knobs with alternatives. For a toggle, `off` is the level and requirement of a target that
 * does without the behaviour the knob turns on, `on` of one that has it although its profile
 * says not. Timer values are learned from the observed retransmission (tc_kalt_candidates).
 */
static const struct kalt_def {
	const char *name;
	enum akind kind;
	size_t off;
	int lvl_off;
	const char *req_off, *why_off;
	int lvl_on;
	const char *req_on, *why_on;
	uint8_t abstain_flags;  /* tc_kalt.abstain_flags */
	/* Another boolean knob that turning this one on needs (0: none): a behaviour that only
	 * exists on top of another is offered as one alternative, since a replay tries one
	 * candidate at a time. */
	size_t also;
} kalts[] = {
	{"rto_min", ALT_RTO_MIN, offsetof(struct tc_knobs, rto_min_us), TC_LVL_SHOULD, "RFC6298-2.4",
	 "RFC 6298 2.4: an RTO below 1 s SHOULD be rounded up to 1 s", 0, NULL, NULL, 0, 0},
	{"rto_initial", ALT_RTO_INITIAL, offsetof(struct tc_knobs, rto_initial_us), TC_LVL_SHOULD,
	 "RFC6298-2.1", "RFC 6298 2.1: the RTO SHOULD be 1 s until an RTT is measured", 0, NULL, NULL, 0, 0},
	/* RFC 5961 3.2 / 4.2: the challenge ACK for a RST or SYN in the window; without it a
	 * target answers as RFC 793 did (RFC 9293 3.10.7.4 "otherwise"). */
	{"rfc5961_rst", ALT_TOGGLE, offsetof(struct tc_knobs, rfc5961_rst), TC_LVL_SHOULD,
	 "RFC5961-3.2", "RFC 5961 3.2: an in-window RST not at RCV.NXT SHOULD draw a challenge ACK "
	 "(the target resets as RFC 793 did)", TC_LVL_MAY, "RFC5961-3.2",
	 "RFC 5961 3.2: the target answers an in-window RST with a challenge ACK", 0, 0},
	{"rfc5961_syn", ALT_TOGGLE, offsetof(struct tc_knobs, rfc5961_syn), TC_LVL_SHOULD,
	 "RFC5961-4.2", "RFC 5961 4.2: a SYN in a synchronized state SHOULD draw a challenge ACK "
	 "(the target resets as RFC 793 did)", TC_LVL_MAY, "RFC5961-4.2",
	 "RFC 5961 4.2: the target answers a SYN with a challenge ACK", 0, 0},
	/* RFC 9293 MAY-12: the ACK check of RFC 5961 5.2 is optional both ways. */
	{"rfc5961_ack", ALT_TOGGLE, offsetof(struct tc_knobs, rfc5961_ack), TC_LVL_MAY, "MAY-12",
	 "RFC 9293 MAY-12: the target does without RFC 5961 5.2's ACK check", TC_LVL_MAY, "MAY-12",
	 "RFC 9293 MAY-12: the target applies RFC 5961 5.2's ACK check", 0, 0},
	/* RFC 9293 3.7.4 names classic Nagle and says there are "minor variations (see Appendix
	 * A.3)": Minshall's variant is one. Either conforms. */
	{"nagle_minshall", ALT_TOGGLE, offsetof(struct tc_knobs, nagle_minshall), TC_LVL_MAY,
	 "SHLD-7", "RFC 9293 3.7.4: the target uses classic Nagle", TC_LVL_MAY, "SHLD-7",
	 "RFC 9293 Appendix A.3: the target uses Minshall's variant of Nagle", 0, 0},
	/* RFC 9293 3.10.7.4 first check (SHLD-31): a segment beginning beyond RCV.NXT SHOULD be held
	 * for later processing, its ACK with it; Linux, lwIP and FreeBSD process the ACK at once. */
	{"ooo_ack_at_once", ALT_TOGGLE, offsetof(struct tc_knobs, ooo_ack_at_once), TC_LVL_MAY,
	 "SHLD-31", "RFC 9293 3.10.7.4 (SHLD-31): the target holds an out-of-order segment, its ACK "
	 "with it", TC_LVL_SHOULD, "SHLD-31", "RFC 9293 3.10.7.4 (SHLD-31): a segment beginning "
	 "beyond RCV.NXT SHOULD be held; the target processes its ACK at once", 0, 0},
	/* RFC 9293 3.10.7.3 says only to drop (or reset) an unacceptable ACK in SYN-SENT; sending
	 * the SYN again at once (Linux) is a retransmission no rule forbids. */
	{"syn_sent_bad_ack_resend", ALT_TOGGLE, offsetof(struct tc_knobs, syn_sent_bad_ack_resend),
	 TC_LVL_MAY, "RFC9293-3.10.7.3", "RFC 9293 3.10.7.3: the target waits for its timer to "
	 "retransmit the SYN", TC_LVL_MAY, "RFC9293-3.10.7.3", "RFC 9293 3.10.7.3: the target "
	 "retransmits its SYN at once after an unacceptable ACK", 0, 0},
	/* RFC 9293 Figure 7 shows the peer's SYN-ACK completing a simultaneous open; Table 6 (the
	 * first check) finds it unacceptable. Either reading conforms. */
	{"simopen_synack_table6", ALT_TOGGLE, offsetof(struct tc_knobs, simopen_synack_table6),
	 TC_LVL_MAY, "RFC9293-3.5", "RFC 9293 3.5 Figure 7: the peer's SYN-ACK completes the "
	 "simultaneous open", TC_LVL_MAY, "RFC9293-3.10.7.4", "RFC 9293 3.10.7.4 first check: the "
	 "target finds the peer's SYN-ACK at IRS unacceptable, ACKs it and completes on the next ACK",
	 0, 0},
	/* RFC 1122 4.2.3.6 / RFC 9293 3.8.4: after unanswered keep-alives the connection is
	 * closed; a RST as it goes (an abort, RFC 9293 3.10.5) is not forbidden. */
	{"keepalive_rst", ALT_TOGGLE, offsetof(struct tc_knobs, keepalive_rst), TC_LVL_MAY, "MAY-5",
	 "RFC 1122 4.2.3.6: the target closes silently after unanswered keep-alives", TC_LVL_MAY,
	 "MAY-5", "RFC 9293 3.10.5: the target aborts with a RST after unanswered keep-alives", 0, 0},
	/* RFC 9293 3.8.3: R2 may be "measured in time units or as a count of retransmission
	 * attempts"; Linux's tcp_retries2 is turned into a time budget. */
	{"retries_time", ALT_TOGGLE, offsetof(struct tc_knobs, retries_time), TC_LVL_MAY,
	 "RFC9293-3.8.3", "RFC 9293 3.8.3: the target counts R2 in retransmissions", TC_LVL_MAY,
	 "RFC9293-3.8.3", "RFC 9293 3.8.3: the target measures R2 in time units", 0, 0},
	/* RFC 1122 4.2.2.13 (RFC 9293 MAY-2): a new SYN in TIME-WAIT MAY reopen the connection;
	 * the model does not follow a second incarnation, so adopting this ends its judging. */
	{"time_wait_reopen", ALT_TOGGLE, offsetof(struct tc_knobs, time_wait_reopen), TC_LVL_MAY,
	 "MAY-2", "RFC 9293 3.10.7.4: the target answers a SYN in TIME-WAIT as the RFC's checks say",
	 TC_LVL_MAY, "MAY-2", "RFC 1122 4.2.2.13 (MAY-2): the target reopens the connection from "
	 "TIME-WAIT on a new SYN", TC_F_SYN | TC_F_ACK, 0},
	{"nagle", ALT_TOGGLE, offsetof(struct tc_knobs, nagle), TC_LVL_SHOULD, "SHLD-7",
	 "RFC 9293 3.7.4 (SHLD-7): a TCP SHOULD implement the Nagle algorithm", TC_LVL_MAY, "SHLD-7",
	 "RFC 9293 3.7.4 (SHLD-7): the target implements Nagle", 0, 0},
	/* RFC 9293 Table 6 puts RCV.NXT+RCV.WND outside the window, where RFC 5961 3.2 (1) says a
	 * RST is dropped silently; lwIP's test includes it and challenges the RST. No keyword
	 * governs the silence, so taking the edge in is at most a SHOULD departure. */
	{"rst_right_edge_inclusive", ALT_TOGGLE, offsetof(struct tc_knobs, rst_right_edge_inclusive),
	 TC_LVL_MAY, "RFC5961-3.2", "RFC 5961 3.2 (1): the target drops a RST at RCV.NXT+RCV.WND "
	 "silently", TC_LVL_SHOULD, "RFC5961-3.2", "RFC 5961 3.2 (1): a RST outside the window SHOULD "
	 "be dropped silently; the target takes RCV.NXT+RCV.WND as inside the window", 0, 0},
	/* RFC 9293 3.10.7.4 fourth check: without RFC 5961 (optional), "If the SYN is in the window
	 * it is an error: send a reset"; with it, a challenge ACK. Either conforms. */
	{"time_wait_syn_rst", ALT_TOGGLE, offsetof(struct tc_knobs, time_wait_syn_rst), TC_LVL_MAY,
	 "RFC9293-3.10.7.4#4", "RFC 9293 3.10.7.4 fourth check: the target does not reset on a SYN "
	 "in TIME-WAIT", TC_LVL_MAY, "RFC9293-3.10.7.4#4", "RFC 9293 3.10.7.4 fourth check (RFC 793 "
	 "behaviour): the target resets on a SYN in the window in TIME-WAIT", 0, 0},
	/* The same reset for a SYN at RCV.NXT+RCV.WND, which the first check finds unacceptable
	 * ("an acknowledgment should be sent in reply"): a SHOULD departure. */
	{"time_wait_syn_right_edge", ALT_TOGGLE, offsetof(struct tc_knobs, time_wait_syn_right_edge),
	 TC_LVL_MAY, "RFC9293-3.10.7.4#1", "RFC 9293 3.10.7.4 first check: the target acknowledges a "
	 "SYN at RCV.NXT+RCV.WND in TIME-WAIT", TC_LVL_SHOULD, "RFC9293-3.10.7.4#1", "RFC 9293 "
	 "3.10.7.4 first check: a SYN at RCV.NXT+RCV.WND should be acknowledged; the target resets it "
	 "in TIME-WAIT", 0, offsetof(struct tc_knobs, time_wait_syn_rst)},
	/* RFC 9293 3.10.7.4 seventh check, "Ignore the segment text", and the fifth check's "if the
	 * ACK bit is off, drop the segment" neither ask for nor forbid a bare ACK of RCV.NXT. */
	{"ack_ignored_segment", ALT_TOGGLE, offsetof(struct tc_knobs, ack_ignored_segment), TC_LVL_MAY,
	 "RFC9293-3.10.7.4#7", "RFC 9293 3.10.7.4: the target sends no ACK for a segment it ignores",
	 TC_LVL_MAY, "RFC9293-3.10.7.4#7", "RFC 9293 3.10.7.4 seventh check: the target acknowledges "
	 "text it ignores after the peer's FIN (or a segment without ACK in TIME-WAIT)", 0, 0},
};

static void fmt_dur(int64_t us, char *buf, size_t cap)
{
	if (us % 1000000 == 0)
		snprintf(buf, cap, "%llds", (long long)(us / 1000000));
	else if (us % 1000 == 0)
		snprintf(buf, cap, "%lldms", (long long)(us / 1000));
	else
		snprintf(buf, cap, "%.3fms", (double)us / 1000.0);
}

/* A learned timer value that is RFC 6298's 1 s within the judge's timer tolerance (a fifth). */
static int near_one_second(int64_t v)
{
	return v >= 800000 && v <= 1200000;
}

int tc_kalt_candidates(const struct tc_knobs *k, const struct tc_rtxobs *o, struct tc_kalt *out,
		       int cap)
{
	int n = 0;
	char d[32];
	for (size_t i = 0; i < sizeof(kalts) / sizeof(kalts[0]) && n < cap; i++) {
		const struct kalt_def *a = &kalts[i];
		struct tc_kalt *c = &out[n];
		memset(c, 0, sizeof(*c));
		c->id = (int)i;
		snprintf(c->knob, sizeof(c->knob), "%s", a->name);
		if (a->kind == ALT_TOGGLE) {
			int cur = *(const int *)((const char *)k + a->off);
			c->value = !cur;
			c->level = cur ? a->lvl_off : a->lvl_on;
			snprintf(c->req, sizeof(c->req), "%s", cur ? a->req_off : a->req_on);
			snprintf(c->text, sizeof(c->text), "%s %s (%s)", a->name, cur ? "off" : "on",
				 cur ? a->why_off : a->why_on);
			c->abstain_flags = cur ? 0 : a->abstain_flags;
			n++;
			continue;
		}
		/* A timer: the base value that, backed off as RFC 6298 5.5 says, puts the expiry at
		 * the observed retransmission. The RTO from an RTT sample is governed by rto_min
		 * (2.4), before any sample by rto_initial (2.1). */
		if (!o || !o->valid || o->span <= 0 || (a->kind == ALT_RTO_MIN) != !!o->rtt_valid)
			continue;
		int64_t base = o->span >> (o->backoff > 30 ? 30 : o->backoff);
		if (base < TC_ALT_RTO_FLOOR_US || base > TC_ALT_RTO_CEIL_US)
			continue;
		int64_t v = base;
		/* Linux's RTO = SRTT + max(4 RTTVAR, rto_min) (knob rto_linux). */
		if (a->kind == ALT_RTO_MIN && k->rto_linux && v > o->srtt)
			v -= o->srtt;
		int64_t cur = *(const int64_t *)((const char *)k + a->off);
		if (v == cur)
			continue;
		c->value = v;
		fmt_dur(base, d, sizeof(d));
		if (near_one_second(base) || (a->kind == ALT_RTO_INITIAL && base > 1000000)) {
			/* RFC 6298 2.1: "A TCP implementation MAY still use this value (or any other
			 * value > 1 second)"; 1 s itself is what 2.1 and 2.4 ask for. */
			c->level = TC_LVL_MAY;
			snprintf(c->req, sizeof(c->req), "%s", a->req_off);
			snprintf(c->text, sizeof(c->text), "%s %s learned from the retransmission "
				 "(RFC 6298 2.1 permits it)", a->name, d);
		} else {
			c->level = a->lvl_off;
			snprintf(c->req, sizeof(c->req), "%s", a->req_off);
			snprintf(c->text, sizeof(c->text), "%s %s learned from the retransmission (%s)",
				 a->name, d, a->why_off);
		}
		n++;
	}
	return n;
}

void tc_kalt_apply(struct tc_knobs *k, const struct tc_kalt *a)
{
	if (a->id < 0 || (size_t)a->id >= sizeof(kalts) / sizeof(kalts[0]))
		return;
	const struct kalt_def *d = &kalts[a->id];
	if (d->kind == ALT_TOGGLE) {
		*(int *)((char *)k + d->off) = (int)a->value;
		if (d->also && a->value)
			*(int *)((char *)k + d->also) = 1;
	} else
		*(int64_t *)((char *)k + d->off) = a->value;
}
