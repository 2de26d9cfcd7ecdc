/*
 * exec.c - the executor: steps in order, segments matched in arrival order, app calls checked
 * when they complete (shared/spec/case-format.md; docs/case-format.md for our decisions).
 */
#include "exec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/names.h"
#include "../injector/fmt.h"
#include "agent/proto.h"
#include "check.h"
#include "judge.h"

volatile sig_atomic_t tc_exec_interrupted;

#define MAX_PENDING 64
/* How long a `state` step keeps asking before it fails, when the case gives no `within`. The
 * kernel processes an injected frame asynchronously, so the first answer may predate it. */
#define STATE_WITHIN_US 300000
#define STATE_RETRY_US 20000
#define APP_WITHIN_US 1000000
#define EXPECT_WITHIN_US 1000000
/* After the last step, segments arriving this soon are still judged (docs/running.md). */
#define SETTLE_US 100000
/* How long an agent may take to start a call; past it the harness is broken (an error). */
#define AGENT_ACK_US 5000000

void tc_fill_pattern(uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)('0' + i % 10);
}

uint32_t tc_prng(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

struct pending {
	int tag;
	int step;               /* 1-based */
	const struct tc_step *st;
	int64_t deadline;
	int issued;             /* the agent said PENDING or DONE: the call is in progress */
	int done, late;
};

struct ex {
	const struct tc_case *c;
	const struct tc_exec_cfg *cfg;
	const struct tc_io *io;
	struct tc_result *r;
	struct tc_seqctx cx;
	uint32_t prng;
	uint16_t peer_port;
	uint32_t snd_nxt;           /* ours: highest seq + len we have sent */
	int rcv_known;
	uint32_t rcv_nxt;           /* the target's: highest seq + len it has sent */

	/* The last resets the target sent (seq, ack, flags): a second, identical reset tells the
	 * peer nothing new and is not a failure (duplicate_rst()). */
	struct {
		uint32_t seq, ack;
		uint8_t flags;
		int64_t ts_us;
	} rsts[8];
	int nrsts;

	struct tc_seg *q;           /* target segments not consumed yet, in arrival order */
	int *qev;                   /* for each, the index of its event in r->events (or -1) */
	int qn, qcap;

	struct pending pend[MAX_PENDING];
	int npend;
	int next_tag;
	int state_tag;
	int waiting_tag;            /* the app call whose PENDING/DONE the script waits for */
	int expect_flags_set;       /* the flags the current expect asks for */
	uint8_t expect_flags;
	uint8_t expect_flags_maybe; /* and those it lets be either way */
	char state_reply[64];       /* the last STATE answer, "" while waiting */
	int state_listener;         /* the STATE in flight asks for the listener's own state */

	int64_t t0, case_deadline, prev_end;
	int errored;
	int unsupported;            /* the agent answered ERR UNSUPPORTED, or the target did not
	                             * negotiate what the case `requires:`: the case is skipped */
	int cur_step;

	/* The second judge (judge.h): the reference model, fed what the target is fed. */
	struct tc_judge j;
	struct tc_jverdict *qv;     /* for each queued segment, the model's verdict on it */
	int64_t names[TC_NAME_COUNT]; /* rcv_nxt... from the model, when it can give them */
	char names_why[320];        /* why it cannot, else "" */
};

static int seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static void set_error(struct ex *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct ex *x, const char *fmt, ...)
{
	if (x->errored)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->r->reason, sizeof(x->r->reason), fmt, ap);
	va_end(ap);
	x->errored = 1;
	tc_result_tracef(x->r, "ERROR %s\n", x->r->reason);
}

static void fail(struct ex *x, int step, int line, const char *field, const char *expected,
		 const char *actual, const char *segment, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
static void fail(struct ex *x, int step, int line, const char *field, const char *expected,
		 const char *actual, const char *segment, const char *fmt, ...)
{
	struct tc_failure f;
	memset(&f, 0, sizeof(f));
	f.step = step;
	f.line = line;
	/* The level of what the case checks at that step (case.h); a failure of the case as a
	 * whole (step 0: a segment no step expected) takes the case's. */
	const struct tc_step *st = step >= 1 && step <= x->c->nsteps ? &x->c->steps[step - 1] : NULL;
	f.level = st ? st->level : x->c->level;
	snprintf(f.req, sizeof(f.req), "%s", st ? st->req : x->c->req);
	snprintf(f.judge, sizeof(f.judge), "case");
	snprintf(f.field, sizeof(f.field), "%s", field);
	snprintf(f.expected, sizeof(f.expected), "%s", expected);
	snprintf(f.actual, sizeof(f.actual), "%s", actual);
	snprintf(f.segment, sizeof(f.segment), "%s", segment ? segment : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	tc_result_add_failure(x->r, &f);
	tc_result_tracef(x->r, "%s step %d line %d: %s\n", f.level == TC_LVL_MUST ? "FAIL" : "WARN",
			 step, line, f.message);
}

static int add_event(struct ex *x, int64_t t, int kind, int step, int status, const char *text,
		     const char *detail)
{
	struct tc_tevent e;
	memset(&e, 0, sizeof(e));
	e.t_us = t - x->t0;
	e.kind = kind;
	e.step = step;
	e.status = status;
	snprintf(e.text, sizeof(e.text), "%s", text ? text : "");
	snprintf(e.detail, sizeof(e.detail), "%s", detail ? detail : "");
	/* The model's state after the event, for ladders (callers feed the judge first). */
	tc_judge_label(&x->j, e.model, sizeof(e.model));
	return tc_result_add_event(x->r, &e);
}

static void mark_event(struct ex *x, int ev, int step, int status)
{
	if (ev < 0 || ev >= x->r->nevents)
		return;
	x->r->events[ev].step = step;
	x->r->events[ev].status = status;
}

/* The short label of a segment for ladders: "S. 0:0(0) ack 1 win 64240 <mss 1460>". */
static void short_seg(struct ex *x, const struct tc_seg *s, int from_target, char *buf, size_t cap)
{
	uint32_t tisn = x->cx.target_isn_known ? x->cx.target_isn : 0;
	if (from_target)
		tc_seg_fmt_short(s, 1, tisn, x->cx.our_isn, buf, cap);
	else
		tc_seg_fmt_short(s, 1, x->cx.our_isn, tisn, buf, cap);
}

static double rel_ms(struct ex *x, int64_t t)
{
	return (double)(t - x->t0) / 1000.0;
}

static void fmt_seg(struct ex *x, const struct tc_seg *s, int from_target, char *buf, size_t cap)
{
	/* Relative numbering as in the case: the target's seq from its ISN, ours from ours. */
	uint32_t tisn = x->cx.target_isn_known ? x->cx.target_isn : 0;
	if (from_target)
		tc_seg_fmt(s, 1, tisn, x->cx.our_isn, buf, cap);
	else
		tc_seg_fmt(s, 1, x->cx.our_isn, tisn, buf, cap);
}

static int is_ignored(const struct ex *x, uint8_t flags)
{
	for (int i = 0; i < x->c->nignore; i++)
		if (x->c->ignore_flags[i] == flags)
			return 1;
	return 0;
}

/* ---- events from the backend ---- */

/*
 * A case that `requires:` an option (case.h) means nothing against a target that did not
 * negotiate it: RFC 7323 and RFC 2018 make timestamps, window scaling and SACK optional, and a
 * target that leaves them out of its SYN or SYN-ACK has not offered them. The case is then
 * skipped with the reason, never failed. Returns 1 when it was.
 */
static int lacks_required(struct ex *x, const struct tc_seg *s)
{
	static const struct {
		unsigned cap;
		int kind;
		const char *what;
	} caps[] = {
		{TC_CAP_TS, TC_OPT_TS, "timestamps"},
		{TC_CAP_SACK_OK, TC_OPT_SACK_OK, "SACK (SACK-permitted)"},
		{TC_CAP_WSCALE, TC_OPT_WSCALE, "window scaling"},
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!(x->c->requires & caps[i].cap))
			continue;
		int have = 0;
		for (int k = 0; k < s->nopts; k++)
			if (s->opts[k].kind == caps[i].kind && !s->opts[k].malformed)
				have = 1;
		if (have)
			continue;
		char buf[512];
		fmt_seg(x, s, 1, buf, sizeof(buf));
		tc_result_tracef(x->r, "%9.3f < %s\n", rel_ms(x, s->ts_us), buf);
		snprintf(x->r->reason, sizeof(x->r->reason), "the target did not offer %s in its %s",
			 caps[i].what, (s->flags & TC_F_ACK) ? "SYN-ACK" : "SYN");
		tc_result_tracef(x->r, "SKIP %s (the case requires it)\n", x->r->reason);
		x->unsupported = 1;
		x->errored = 1; /* stops the run; the verdict is skip (tc_exec_case) */
		return 1;
	}
	return 0;
}


/*
 * Whether s repeats a reset the target sent earlier in this run (the same SEQ and flags, no text;
 * the same ACK if it has the ACK bit, which a bare RST after a RST,ACK drops: gVisor). A reset is a one-shot signal: once the first one is out, the peer has dropped the
 * connection (RFC 9293 3.10.7.4, second check) or ignores the reset as in CLOSED (3.10.7.1: "An
 * incoming segment containing a RST is discarded"), so a copy changes nothing, and no
 * requirement limits a close or an abort to one reset. lwIP sends two on close() with unread
 * data (lwIP triage note D3). The copy is not a failure; it is still in the trace.
 */
static int duplicate_rst(const struct ex *x, const struct tc_seg *s)
{
	if (!(s->flags & TC_F_RST) || s->payload_len != 0)
		return 0;
	for (int k = 0; k < x->nrsts; k++)
		if (x->rsts[k].seq == s->seq && x->rsts[k].ts_us < s->ts_us &&
		    (x->rsts[k].flags & ~TC_F_ACK) == (s->flags & ~TC_F_ACK) &&
		    (!(s->flags & TC_F_ACK) || x->rsts[k].ack == s->ack))
			return 1;
	return 0;
}

static void on_segment(struct ex *x, const struct tc_seg *s)
{
	char buf[512];
	/* The target's ISN is the sequence number of its first SYN (case-format.md). That SYN
	 * (or SYN-ACK) is where it offers its options, so `requires:` is checked on it. */
	if ((s->flags & TC_F_SYN) && !x->cx.target_isn_known) {
		x->cx.target_isn_known = 1;
		x->cx.target_isn = s->seq;
		if (x->c->requires && lacks_required(x, s))
			return;
	}
	uint32_t end = s->seq + (uint32_t)s->payload_len + ((s->flags & TC_F_SYN) ? 1 : 0) +
		       ((s->flags & TC_F_FIN) ? 1 : 0);
	if (!(s->flags & TC_F_RST) && (!x->rcv_known || seq_gt(end, x->rcv_nxt))) {
		x->rcv_nxt = end;
		x->rcv_known = 1;
	}
	fmt_seg(x, s, 1, buf, sizeof(buf));
	tc_result_tracef(x->r, "%9.3f < %s\n", rel_ms(x, s->ts_us), buf);
	if (x->qn == x->qcap) {
		int ncap = x->qcap ? x->qcap * 2 : 16;
		struct tc_seg *n = realloc(x->q, (size_t)ncap * sizeof(*n));
		if (!n) {
			set_error(x, "out of memory queueing segments");
			return;
		}
		x->q = n;
		int *ne = realloc(x->qev, (size_t)ncap * sizeof(*ne));
		if (!ne) {
			set_error(x, "out of memory queueing segments");
			return;
		}
		x->qev = ne;
		struct tc_jverdict *nv = realloc(x->qv, (size_t)ncap * sizeof(*nv));
		if (!nv) {
			set_error(x, "out of memory queueing segments");
			return;
		}
		x->qv = nv;
		x->qcap = ncap;
	}
	/* The model learns from the segment and matches it now, in capture order; the verdict
	 * becomes a failure when a step consumes the segment (model_verdict). */
	tc_judge_segment(&x->j, s, &x->qv[x->qn]);
	x->qv[x->qn].step = x->cur_step;
	if ((s->flags & TC_F_RST) && !duplicate_rst(x, s)) {
		if (x->nrsts == 8)
			memmove(&x->rsts[0], &x->rsts[1], 7 * sizeof(x->rsts[0]));
		int k = x->nrsts < 8 ? x->nrsts++ : 7;
		x->rsts[k].seq = s->seq;
		x->rsts[k].ack = s->ack;
		x->rsts[k].flags = s->flags;
		x->rsts[k].ts_us = s->ts_us;
	}
	short_seg(x, s, 1, buf, sizeof(buf));
	x->qev[x->qn] = add_event(x, s->ts_us, TC_TE_RECV, 0, TC_TE_OK, buf, NULL);
	x->q[x->qn++] = *s;
}

static void queue_drop(struct ex *x, int i)
{
	memmove(&x->q[i], &x->q[i + 1], (size_t)(x->qn - i - 1) * sizeof(x->q[0]));
	memmove(&x->qev[i], &x->qev[i + 1], (size_t)(x->qn - i - 1) * sizeof(x->qev[0]));
	memmove(&x->qv[i], &x->qv[i + 1], (size_t)(x->qn - i - 1) * sizeof(x->qv[0]));
	x->qn--;
}

static void fail_judged(struct ex *x, int step, int line, const char *judge, const char *field,
			const char *expected, const char *actual, const char *segment,
			const char *rule, const char *message, int level, const char *req)
{
	struct tc_failure f;
	memset(&f, 0, sizeof(f));
	f.step = step;
	f.line = line;
	snprintf(f.judge, sizeof(f.judge), "%s", judge);
	snprintf(f.field, sizeof(f.field), "%s", field);
	snprintf(f.expected, sizeof(f.expected), "%s", expected);
	snprintf(f.actual, sizeof(f.actual), "%s", actual);
	snprintf(f.segment, sizeof(f.segment), "%s", segment ? segment : "");
	snprintf(f.rule, sizeof(f.rule), "%s", rule ? rule : "");
	snprintf(f.message, sizeof(f.message), "%s", message);
	f.level = level;
	snprintf(f.req, sizeof(f.req), "%s", req ? req : "");
	tc_result_add_failure(x->r, &f);
	tc_result_tracef(x->r, "FAIL step %d line %d (%s, %s%s%s): %s\n", step, line, judge,
			 tc_level_name(level), f.req[0] ? " " : "", f.req, message);
}

/*
 * The model's verdict on queued segment i, once the case's judgment of it is known (the case
 * failures it drew are those from nfail_before on). Both judges disagreeing with the target on
 * the same segment make those failures judge "both", with the model's rule; the model alone
 * disagreeing is a failure of its own, judge "model", with the level and requirement of the
 * model's rule (or of the alternative it adopted). step is the step that consumed the segment;
 * 0 when none did (an ignored segment, or one left at the end), and the failure then names the
 * step during which the segment arrived. docs/model.md "The model in a run".
 */
static void model_verdict(struct ex *x, int i, int step, int line, int nfail_before)
{
	struct tc_jverdict *v = &x->qv[i];
	if (!v->judged)
		return;
	v->judged = 0;
	if (step <= 0 && v->step > 0) {
		step = v->step;
		line = step <= x->c->nsteps ? x->c->steps[step - 1].pos.line : 0;
	}
	if (!v->bad) {
		/* The model agrees with the target: a case failure is the case's alone. */
		for (int k = nfail_before; k < x->r->nfailures; k++) {
			struct tc_failure *f = &x->r->failures[k];
			size_t n = strlen(f->message);
			snprintf(f->message + n, sizeof(f->message) - n, " (the model agrees with the "
				 "target: %s)", v->rule);
		}
		return;
	}
	if (x->r->nfailures > nfail_before) {
		/* The level stays the case's: its own check broke on this segment too. */
		for (int k = nfail_before; k < x->r->nfailures; k++) {
			struct tc_failure *f = &x->r->failures[k];
			size_t n = strlen(f->message);
			snprintf(f->judge, sizeof(f->judge), "both");
			snprintf(f->rule, sizeof(f->rule), "%s", v->rule);
			snprintf(f->message + n, sizeof(f->message) - n, "; the model disagrees too: %s",
				 v->message);
		}
		tc_result_tracef(x->r, "          model: the case and the model both disagree with "
				 "the target at step %d\n", step);
		return;
	}
	char segtext[512];
	fmt_seg(x, &x->q[i], 1, segtext, sizeof(segtext));
	fail_judged(x, step, line, "model", v->field, v->expected, segtext, segtext, v->rule,
		    v->message, v->level, v->req);
	mark_event(x, x->qev[i], step, TC_TE_MISMATCH);
}

/*
 * The level and requirement of f, a segment no step expected (step 0, found when the case ends).
 * No step of the case checked it, so the case's own refs (its first: MUST-2 for a checksum case)
 * say nothing about it. The model knows why it did not expect the segment: when it judged the
 * segment and disagrees, f takes its rule's level and requirement (RFC 9293 3.10's event
 * processing for an unpredicted segment, MUST). Otherwise (the model agrees, abstained, or did
 * not judge) f keeps the case's level, which its author may have set to SHOULD for every check,
 * with the neutral requirement RFC9293-3.10: what a TCP sends in reply to events. lwIP triage
 * note D3.
 */
static void unexpected_level(struct ex *x, const struct tc_jverdict *v, struct tc_failure *f)
{
	if (v->judged && v->bad) {
		f->level = v->level;
		snprintf(f->req, sizeof(f->req), "%s", v->req[0] ? v->req : "RFC9293-3.10");
	} else {
		f->level = x->c->level;
		snprintf(f->req, sizeof(f->req), "%s", "RFC9293-3.10");
	}
}

static const char *call_name(int call)
{
	static const char *const names[] = {"?", "listen", "accept", "connect", "write", "read",
					    "shutdown", "close", "setsockopt", "getsockopt"};
	return (call >= 1 && call <= 9) ? names[call] : "?";
}

static void check_done(struct ex *x, struct pending *p, const struct ag_reply *rp)
{
	const struct tc_appspec *a = &p->st->app;
	int sline = a->exp_pos.line ? a->exp_pos.line : p->st->pos.line;
	char ret[32], e[256], g[256];
	const char *err = rp->errno_name, *val = rp->value_text;
	const char *data = (const char *)rp->data;
	size_t ndata = rp->ndata;
	snprintf(ret, sizeof(ret), "%lld", rp->ret);
	tc_result_tracef(x->r, "%9.3f   app %s -> ret=%s errno=%s%s%s\n", rel_ms(x, x->io->now(x->io->ctx)),
			 call_name(a->call), ret, err, val[0] ? " value=" : "", val);
	int nfail_before = x->r->nfailures;
	long long r = rp->ret;
	int any = a->exp_ret_set || a->exp_errno_set || a->exp_value_set || a->exp_data;
	if (a->exp_ret_set && r != a->exp_ret) {
		snprintf(e, sizeof(e), "%ld", a->exp_ret);
		fail(x, p->step, sline, "ret", e, ret, NULL, "%s returned %s, expected %ld",
		     call_name(a->call), ret, a->exp_ret);
	}
	if (a->exp_errno_set && strcmp(a->exp_errno, err) != 0)
		fail(x, p->step, sline, "errno", a->exp_errno, err, NULL, "%s: errno %s, expected %s",
		     call_name(a->call), err, a->exp_errno);
	/* A call whose case states no expectation must simply succeed. */
	if (!any && strcmp(err, "0") != 0)
		fail(x, p->step, sline, "errno", "0", err, NULL, "%s failed with %s (ret %s)",
		     call_name(a->call), err, ret);
	if (a->exp_value_set) {
		if (a->exp_nvalue == 2)
			snprintf(e, sizeof(e), "%ld,%ld", a->exp_value[0], a->exp_value[1]);
		else
			snprintf(e, sizeof(e), "%ld", a->exp_value[0]);
		/* Compared as numbers: "value=08" is 8; a missing value= is a mismatch. */
		if (rp->nvalue != a->exp_nvalue || rp->value[0] != a->exp_value[0] ||
		    (a->exp_nvalue == 2 && rp->value[1] != a->exp_value[1]))
			fail(x, p->step, sline, "value", e, val, NULL, "%s %s: value %s, expected %s",
			     call_name(a->call), a->opt, val, e);
	}
	if (a->exp_data && (ndata != a->exp_ndata || memcmp(data, a->exp_data, ndata) != 0)) {
		snprintf(e, sizeof(e), "%zu bytes \"%.*s\"", a->exp_ndata,
			 (int)(a->exp_ndata > 80 ? 80 : a->exp_ndata), (const char *)a->exp_data);
		snprintf(g, sizeof(g), "%zu bytes \"%.*s\"", ndata, (int)(ndata > 80 ? 80 : ndata),
			 data);
		for (char *q = e; *q; q++)
			if ((unsigned char)*q < 32 || (unsigned char)*q > 126)
				*q = '.';
		for (char *q = g; *q; q++)
			if ((unsigned char)*q < 32 || (unsigned char)*q > 126)
				*q = '.';
		fail(x, p->step, sline, "data", e, g, NULL, "%s returned other data than expected",
		     call_name(a->call));
	}
	snprintf(e, sizeof(e), "%s", call_name(a->call));
	snprintf(g, sizeof(g), "ret=%s errno=%s%s%s", ret, err, val[0] ? " value=" : "", val);
	add_event(x, x->io->now(x->io->ctx), TC_TE_APP_DONE, p->step,
		  x->r->nfailures > nfail_before ? TC_TE_MISMATCH : TC_TE_OK, e, g);
}

/* One line from the agent, read with the protocol's codec (runner/agent/proto.h). */
static void agent_reply(struct ex *x, const char *line, struct ag_reply *rp)
{
	char perr[160];
	if (ag_reply_parse(line, strlen(line), rp, perr, sizeof(perr)) != 0) {
		set_error(x, "agent sent a malformed reply (%s): '%.200s'", perr, line);
		return;
	}
	char *end;
	long tag = strtol(rp->tag, &end, 10);
	if (*end != '\0') {
		/* "* ERR BADREQ ...": the agent could not even read a request's tag, so the runner
		 * sent a line the protocol does not allow; nothing of the case can be trusted. */
		set_error(x, "agent could not read a request: '%.200s'", line);
		return;
	}
	if (tag == x->state_tag) {
		if (rp->kind == AG_R_OK && ag_reply_get(rp, "state", x->state_reply,
						       sizeof(x->state_reply)))
			return;
		/* `STATE sock=listener` is an addition to protocol version 1: an agent older than
		 * it answers ERR BADREQ (docs/agent-protocol.md "Versioning"), and the case cannot
		 * be judged there, which is a skip, not a failure of the stack. */
		if (x->state_listener && rp->kind == AG_R_ERR && strcmp(rp->code, "BADREQ") == 0 &&
		    !x->errored) {
			x->unsupported = 1;
			set_error(x, "the target's agent does not know 'STATE sock=listener' (an addition "
				  "to protocol version 1): '%.200s'", line);
			return;
		}
		set_error(x, "agent could not report state: '%.200s'", line);
		return;
	}
	for (int i = 0; i < x->npend; i++) {
		struct pending *p = &x->pend[i];
		if (p->tag != tag)
			continue;
		if (rp->kind == AG_R_PENDING) {
			p->issued = 1;
		} else if (rp->kind == AG_R_DONE) {
			p->issued = 1;
			p->done = 1;
			if (!p->late)
				check_done(x, p, rp);
		} else if (rp->kind == AG_R_ERR) {
			/* The agent refused the request itself (unsupported option, bad state): the
			 * case cannot be judged, which is an error, not a failure of the stack. */
			p->issued = p->done = 1;
			/* ERR UNSUPPORTED: the target lacks a feature the case needs (an option a
			 * user-space stack does not have); that is a skip with the reason, as for a
			 * case that is not for the target's profile, not a harness error. */
			if (strcmp(rp->code, "UNSUPPORTED") == 0 && !x->errored)
				x->unsupported = 1;
			set_error(x, "step %d (line %d): %s %s: ERR %s %.300s", p->step, p->st->pos.line,
				  x->unsupported ? "the target does not support" : "agent refused",
				  call_name(p->st->app.call), rp->code, rp->text);
		} else {
			set_error(x, "step %d (line %d): the agent answered %s with OK, not PENDING, DONE "
				  "or ERR: '%.200s'", p->step, p->st->pos.line,
				  call_name(p->st->app.call), line);
		}
		return;
	}
	tc_result_tracef(x->r, "agent: %s\n", line);
}

static void on_agent_line(struct ex *x, const char *line)
{
	/* On the heap: a reply holds a read's data (AG_READ_MAX bytes). */
	struct ag_reply *rp = malloc(sizeof(*rp));
	if (!rp) {
		set_error(x, "out of memory");
		return;
	}
	agent_reply(x, line, rp);
	free(rp);
}

/* Deadlines of app calls: a call that has not completed by then fails the case once. */
static void check_deadlines(struct ex *x, int64_t now)
{
	for (int i = 0; i < x->npend; i++) {
		struct pending *p = &x->pend[i];
		if (!p->done && !p->late && now >= p->deadline) {
			char e[64];
			p->late = 1;
			snprintf(e, sizeof(e), "completion within %.3gs",
				 (double)(p->st->app.within_us) / 1e6);
			fail(x, p->step, p->st->pos.line, "ret", e, "still blocked", NULL,
			     "%s did not complete within %.3gs", call_name(p->st->app.call),
			     (double)p->st->app.within_us / 1e6);
		}
	}
}

/* Processes events until `until`, or until stop() says so. Returns 0, or -1 when the run cannot
 * go on (error set). */
static int pump(struct ex *x, int64_t until, int (*stop)(struct ex *))
{
	for (;;) {
		if (x->errored)
			return -1;
		if (tc_exec_interrupted) {
			set_error(x, "interrupted");
			return -1;
		}
		int64_t now = x->io->now(x->io->ctx);
		check_deadlines(x, now);
		/* The model's timers fire and its prediction windows close as time passes. */
		tc_judge_tick(&x->j, now);
		if (stop && stop(x))
			return 0;
		if (now >= x->case_deadline) {
			set_error(x, "case timeout of %.3gs exceeded at step %d",
				  (double)x->c->timeout_us / 1e6, x->cur_step);
			return -1;
		}
		if (now >= until)
			return 0;
		int64_t dl = until;
		if (dl > x->case_deadline)
			dl = x->case_deadline;
		for (int i = 0; i < x->npend; i++)
			if (!x->pend[i].done && !x->pend[i].late && x->pend[i].deadline < dl)
				dl = x->pend[i].deadline;
		int64_t jd = tc_judge_next(&x->j);
		if (jd > now && jd < dl)
			dl = jd;
		struct tc_ev *ev = malloc(sizeof(*ev));
		char err[256];
		if (!ev) {
			set_error(x, "out of memory");
			return -1;
		}
		int rc = x->io->wait(x->io->ctx, dl, ev, err, sizeof(err));
		if (rc < 0) {
			free(ev);
			set_error(x, "target I/O failed: %s", err);
			return -1;
		}
		if (rc > 0) {
			if (ev->kind == TC_EV_SEG)
				on_segment(x, &ev->seg);
			else if (ev->kind == TC_EV_AGENT)
				on_agent_line(x, ev->line);
			else if (ev->kind == TC_EV_AGENT_EOF)
				set_error(x, "the target's agent exited or crashed at step %d",
					  x->cur_step);
		}
		free(ev);
	}
}

static int call_issued(struct ex *x);

static int agent_req(struct ex *x, const char *line)
{
	char err[256];
	if (x->io->agent_send(x->io->ctx, line, err, sizeof(err)) < 0) {
		set_error(x, "cannot talk to the agent: %s", err);
		return -1;
	}
	return 0;
}

/* ---- steps ---- */

/* The names rcv_nxt, rcv_wnd, snd_nxt, snd_una take the model's values at each step. */
static void refresh_names(struct ex *x)
{
	x->names_why[0] = '\0';
	x->cx.names = NULL;
	if (tc_judge_names(&x->j, x->names, x->names_why, sizeof(x->names_why)) == 0)
		x->cx.names = x->names;
}

static int eval_num(struct ex *x, const struct tc_num *n, int64_t *out)
{
	char why[200];
	if (n->expr.uses_names && !x->cx.names) {
		set_error(x, "%s:%d:%d: %s", x->c->file, n->pos.line, n->pos.col, x->names_why);
		return -1;
	}
	if (tc_expr_eval(&n->expr, x->cx.names, out, why, sizeof(why)) < 0) {
		set_error(x, "%s:%d:%d: %s", x->c->file, n->pos.line, n->pos.col, why);
		return -1;
	}
	return 0;
}

/* Evaluates an optional field into *out (unchanged when absent); checks the range. */
static int field(struct ex *x, const struct tc_num *n, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;
	if (!n->set)
		return 0;
	if (eval_num(x, n, &v) < 0)
		return -1;
	if (v < lo || v > hi) {
		set_error(x, "%s:%d:%d: value %" PRId64 " out of range %" PRId64 "..%" PRId64,
			  x->c->file, n->pos.line, n->pos.col, v, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int build_options(struct ex *x, const struct tc_segspec *sp, struct tc_seg *s)
{
	struct tc_opt o[TC_MAX_OPTS];
	memset(o, 0, sizeof(o));
	for (int i = 0; i < sp->noptions; i++) {
		const struct tc_optspec *os = &sp->options[i];
		o[i].kind = (uint8_t)os->kind;
		if (os->is_raw) {
			memcpy(o[i].raw, os->raw, (size_t)os->raw_len);
			o[i].raw_len = (uint8_t)os->raw_len;
			continue;
		}
		switch (os->kind) {
		case TC_OPT_MSS: o[i].len = 4; o[i].mss = (uint16_t)os->v[0]; break;
		case TC_OPT_WSCALE: o[i].len = 3; o[i].wscale = (uint8_t)os->v[0]; break;
		case TC_OPT_SACK_OK: o[i].len = 2; break;
		case TC_OPT_TS:
			o[i].len = 10;
			o[i].ts_val = os->v[0];
			o[i].ts_ecr = os->v[1];
			break;
		case TC_OPT_SACK:
			/* SACK blocks we send acknowledge the target's data: relative to its ISN. */
			o[i].len = (uint8_t)(2 + 8 * os->nsack);
			o[i].nsack = os->nsack;
			for (int b = 0; b < os->nsack; b++) {
				uint32_t base = x->cx.target_isn_known ? x->cx.target_isn : 0;
				o[i].sack_l[b] = base + os->v[2 * b];
				o[i].sack_r[b] = base + os->v[2 * b + 1];
			}
			break;
		default: /* NOP and EOL carry no length */
			break;
		}
	}
	int n = tc_opts_encode(o, sp->noptions, s->opt_bytes, sizeof(s->opt_bytes));
	if (n < 0) {
		set_error(x, "%s:%d:%d: options do not fit in 40 bytes", x->c->file,
			  sp->options_pos.line, sp->options_pos.col);
		return -1;
	}
	s->opt_len = (size_t)n;
	s->nopts = tc_opts_decode(s->opt_bytes, s->opt_len, s->opts, TC_MAX_OPTS);
	return 0;
}

static int do_send(struct ex *x, const struct tc_step *st)
{
	const struct tc_segspec *sp = &st->seg;
	struct tc_seg *s = calloc(1, sizeof(*s));
	refresh_names(x);
	int rc = -1;
	int64_t v;
	char err[256], buf[512];
	if (!s) {
		set_error(x, "out of memory");
		return -1;
	}
	size_t alen = x->cfg->family == TC_FAMILY_V4 ? 4 : 16;
	s->family = x->cfg->family;
	memcpy(s->src, x->cfg->peer_addr, alen);
	memcpy(s->dst, x->cfg->target_addr, alen);
	s->flags = sp->flags;

	v = x->peer_port;
	if (field(x, &sp->sport, 0, 65535, &v) < 0) goto out;
	s->sport = (uint16_t)v;
	v = x->c->port;
	if (field(x, &sp->dport, 0, 65535, &v) < 0) goto out;
	s->dport = (uint16_t)v;

	/* seq counts from our ISN; absent, it continues where we left off (SND.NXT). */
	if (sp->seq.set) {
		if (eval_num(x, &sp->seq, &v) < 0) goto out;
		s->seq = sp->seq.abs ? (uint32_t)v : x->cx.our_isn + (uint32_t)v;
	} else {
		s->seq = x->snd_nxt;
	}
	/* ack counts from the target's ISN; absent, it acknowledges all we received. */
	if (sp->ack.set) {
		if (eval_num(x, &sp->ack, &v) < 0) goto out;
		uint32_t base = (sp->ack.abs || !x->cx.target_isn_known) ? 0 : x->cx.target_isn;
		s->ack = base + (uint32_t)v;
	} else if ((s->flags & TC_F_ACK) && x->rcv_known) {
		s->ack = x->rcv_nxt;
	}
	v = 65535;
	if (field(x, &sp->win, 0, 65535, &v) < 0) goto out;
	s->win = (uint16_t)v;
	v = 0;
	if (field(x, &sp->urg, 0, 65535, &v) < 0) goto out;
	s->urg = (uint16_t)v;
	v = 64;
	if (field(x, &sp->ttl, 0, 255, &v) < 0) goto out;
	s->ttl = (uint8_t)v;
	v = 0;
	if (field(x, &sp->tos, 0, 255, &v) < 0) goto out;
	s->tos = (uint8_t)v;
	v = x->cfg->family == TC_FAMILY_V4;
	if (field(x, &sp->df, 0, 1, &v) < 0) goto out;
	s->df = (int)v;
	v = tc_prng(&x->prng) & 0xffff;
	if (field(x, &sp->ip_id, 0, 65535, &v) < 0) goto out;
	s->ip_id = (uint16_t)v;
	v = 0;
	if (field(x, &sp->doff, 0, 15, &v) < 0) goto out;
	s->doff = (uint8_t)v;
	s->bad_checksum = sp->checksum_bad;

	if (build_options(x, sp, s) < 0)
		goto out;
	size_t room = TC_MAX_PAYLOAD - 40 - (x->cfg->family == TC_FAMILY_V4 ? 20 : 40);
	if (sp->pl_kind == TC_PL_LEN) {
		if (eval_num(x, &sp->len, &v) < 0) goto out;
		if (v < 0 || (size_t)v > room) {
			set_error(x, "%s:%d:%d: len %" PRId64 " does not fit one frame (at most %zu)",
				  x->c->file, sp->len.pos.line, sp->len.pos.col, v, room);
			goto out;
		}
		s->payload_len = (size_t)v;
		tc_fill_pattern(s->payload, s->payload_len);
	} else if (sp->pl_kind == TC_PL_BYTES) {
		if (sp->nbytes > room) {
			set_error(x, "%s:%d:%d: data of %zu bytes does not fit one frame (at most %zu)",
				  x->c->file, sp->data_pos.line, sp->data_pos.col, sp->nbytes, room);
			goto out;
		}
		memcpy(s->payload, sp->bytes, sp->nbytes);
		s->payload_len = sp->nbytes;
	}

	int64_t ts;
	if (x->io->send(x->io->ctx, s, &ts, err, sizeof(err)) < 0) {
		set_error(x, "step %d (line %d): cannot inject: %s", x->cur_step, st->pos.line, err);
		goto out;
	}
	x->prev_end = ts;
	tc_judge_sent(&x->j, s, ts, x->cur_step);
	fmt_seg(x, s, 0, buf, sizeof(buf));
	tc_result_tracef(x->r, "%9.3f > %s\n", rel_ms(x, ts), buf);
	short_seg(x, s, 0, buf, sizeof(buf));
	add_event(x, ts, TC_TE_SENT, x->cur_step, TC_TE_OK, buf, NULL);
	if (!(s->flags & TC_F_RST)) {
		uint32_t end = s->seq + (uint32_t)s->payload_len + ((s->flags & TC_F_SYN) ? 1 : 0) +
			       ((s->flags & TC_F_FIN) ? 1 : 0);
		if (seq_gt(end, x->snd_nxt))
			x->snd_nxt = end;
	}
	rc = 0;
out:
	free(s);
	return rc;
}

/* True once a segment for the current expect is queued. Segments whose flags the case ignores
 * are dropped on the way, unless they carry exactly the flags the expect asks for: `ignore`
 * forgives segments that would be unexpected, it does not hide the ones a step waits for. */
static int have_candidate(struct ex *x)
{
	while (x->qn > 0 && is_ignored(x, x->q[0].flags) &&
	       !(x->expect_flags_set &&
		 (x->q[0].flags & (uint8_t)~x->expect_flags_maybe) == x->expect_flags)) {
		mark_event(x, x->qev[0], 0, TC_TE_IGNORED);
		/* `ignore` forgives the segment as far as the case goes; the model still judges it. */
		model_verdict(x, 0, 0, 0, x->r->nfailures);
		queue_drop(x, 0);
	}
	return x->qn > 0;
}

static int do_expect(struct ex *x, const struct tc_step *st)
{
	char err[256], e[128], pending[256] = "";
	if (st->expect_auto) {
		/* `expect: auto` is the segment the model predicts: without a model, or once the
		 * model abstained, nothing can be judged and no pass may be claimed. */
		if (!x->j.on) {
			set_error(x, "%s:%d:%d: 'expect: auto' needs the reference model (run with "
				  "--profile NAME)", x->c->file, st->pos.line, st->pos.col);
			return -1;
		}
		if (x->j.stopped && strncmp(x->j.why, "abstained", 9) == 0) {
			set_error(x, "%s:%d:%d: 'expect: auto' cannot be judged: the reference model %s",
				  x->c->file, st->pos.line, st->pos.col, x->j.why);
			return -1;
		}
	}
	refresh_names(x);
	int64_t start = x->io->now(x->io->ctx);
	int64_t within = st->within_us > 0 ? st->within_us : EXPECT_WITHIN_US;
	/* A timing check waits at least until the far end of its tolerance window. */
	if (st->exp_after_us >= 0 && x->prev_end + st->exp_after_us + st->tolerance_us > start + within)
		within = x->prev_end + st->exp_after_us + st->tolerance_us - start + 1;
	if (st->expect_auto && st->within_us <= 0 && !x->j.stopped) {
		/* Without `within`, auto waits as long as the model's window for the segment it
		 * predicts (or the next one its timers will predict) is open. */
		int64_t until = 0;
		if (x->j.npred > 0)
			until = x->j.pred[0].hi;
		else if (tc_model_next_deadline(&x->j.m))
			until = tc_model_next_deadline(&x->j.m) + TC_JUDGE_LATE_US +
				(tc_model_next_deadline(&x->j.m) - start) / 4;
		if (until - start > within)
			within = until - start + 1;
	}
	x->expect_flags_set = st->expect_auto ? 0 : st->seg.flags_set;
	x->expect_flags = st->seg.flags;
	x->expect_flags_maybe = st->seg.flags_maybe;
	if (pump(x, start + within, have_candidate) < 0)
		return -1;
	if (x->qn == 0 && st->expect_auto) {
		int np = tc_judge_pending(&x->j, pending, sizeof(pending));
		char msg[512];
		if (x->j.stopped) {
			tc_result_tracef(x->r, "          expect: auto at step %d not judged: the model %s\n",
					 x->cur_step, x->j.why);
		} else if (np) {
			snprintf(msg, sizeof(msg), "expect: auto: the model predicted %s; nothing came "
				 "within %.3gs", pending, (double)within / 1e6);
			int lvl = x->j.pred[0].p.level;
			fail_judged(x, x->cur_step, st->pos.line, "model", "segment", pending, "none", NULL,
				    x->j.pred[0].p.rule, msg, lvl, x->j.pred[0].p.req);
			tc_judge_drop_first(&x->j);
			/* A SHOULD-level prediction may go unmet; a MUST-level one means the model's
			 * TCB no longer describes the target (judge.h). */
			if (lvl == TC_LVL_MUST)
				tc_judge_diverged(&x->j, x->cur_step, "a segment it predicted did not come");
		} else {
			/* The model's answer is silence, and silence is what came: the step holds. This
			 * is what lets a generated case (suites/state-event/) leave every answer, none
			 * included, to the model. A segment arriving later is still judged by it. */
			tc_result_tracef(x->r, "          expect: auto at step %d: the model predicts no "
					 "segment and none came within %.3gs (%s)\n", x->cur_step,
					 (double)within / 1e6, x->j.last_rule);
			x->prev_end = x->io->now(x->io->ctx);
			return 0;
		}
		add_event(x, x->io->now(x->io->ctx), TC_TE_MISSING, x->cur_step,
			  x->j.stopped ? TC_TE_OK : TC_TE_MISMATCH, np ? pending : "auto",
			  "expected (auto), never arrived");
		x->prev_end = x->io->now(x->io->ctx);
		return 0;
	}
	if (x->qn == 0) {
		char fl[16];
		tc_flags_str(st->seg.flags, fl, sizeof(fl));
		snprintf(e, sizeof(e), "a segment with flags %s", fl[0] ? fl : "\"\"");
		fail(x, x->cur_step, st->pos.line, "segment", e, "none", NULL,
		     "no segment arrived within %.3gs (expected flags %s)", (double)within / 1e6,
		     fl[0] ? fl : "\"\"");
		add_event(x, x->io->now(x->io->ctx), TC_TE_MISSING, x->cur_step, TC_TE_MISMATCH,
			  fl[0] ? fl : "(no flags)", "expected, never arrived");
		x->prev_end = x->io->now(x->io->ctx);
		return 0;
	}
	struct tc_seg *s = &x->q[0];
	int nfail_before = x->r->nfailures;
	x->cx.level = st->level;
	x->cx.req = st->req;
	int rc = st->expect_auto ? 0 : tc_check_seg(&st->seg, s, &x->cx, x->cur_step, st->pos.line,
						      x->r, err, sizeof(err));
	if (rc < 0) {
		set_error(x, "%s: %s%s%s", x->c->file, err, x->names_why[0] ? ": " : "", x->names_why);
		return -1;
	}
	if (st->exp_after_us >= 0) {
		int64_t dt = s->ts_us - x->prev_end;
		if (dt < st->exp_after_us - st->tolerance_us || dt > st->exp_after_us + st->tolerance_us) {
			char a[64], segtext[512];
			snprintf(e, sizeof(e), "%.3fs +- %.3fs", (double)st->exp_after_us / 1e6,
				 (double)st->tolerance_us / 1e6);
			snprintf(a, sizeof(a), "%.3fs", (double)dt / 1e6);
			fmt_seg(x, s, 1, segtext, sizeof(segtext));
			fail(x, x->cur_step, st->pos.line, "after", e, a, segtext,
			     "segment arrived %.3fs after the previous step, expected %.3fs +- %.3fs",
			     (double)dt / 1e6, (double)st->exp_after_us / 1e6,
			     (double)st->tolerance_us / 1e6);
		}
	}
	x->prev_end = s->ts_us;
	mark_event(x, x->qev[0], x->cur_step,
		   x->r->nfailures > nfail_before ? TC_TE_MISMATCH : TC_TE_OK);
	model_verdict(x, 0, x->cur_step, st->pos.line, nfail_before);
	queue_drop(x, 0);
	return 0;
}

static int do_expect_none(struct ex *x, const struct tc_step *st)
{
	int64_t start = x->io->now(x->io->ctx);
	if (pump(x, start + st->none_us, NULL) < 0)
		return -1;
	for (int i = 0; i < x->qn;) {
		struct tc_seg *s = &x->q[i];
		if (is_ignored(x, s->flags) || (st->none_flags_set && s->flags != st->none_flags)) {
			i++;
			continue;
		}
		char segtext[512], fl[16];
		fmt_seg(x, s, 1, segtext, sizeof(segtext));
		tc_flags_str(s->flags, fl, sizeof(fl));
		int nfail_before = x->r->nfailures;
		fail(x, x->cur_step, st->pos.line, "segment", "none", fl[0] ? fl : "\"\"", segtext,
		     "a segment arrived during expect_none: %s", segtext);
		mark_event(x, x->qev[i], x->cur_step, TC_TE_UNEXPECTED);
		model_verdict(x, i, x->cur_step, st->pos.line, nfail_before);
		queue_drop(x, i);
	}
	x->prev_end = x->io->now(x->io->ctx);
	return 0;
}

static int do_app(struct ex *x, const struct tc_step *st)
{
	const struct tc_appspec *a = &st->app;
	char line[256];
	char *req = NULL;
	int rc = -1;
	if (x->npend == MAX_PENDING) {
		set_error(x, "more than %d app calls in one case", MAX_PENDING);
		return -1;
	}
	int tag = ++x->next_tag;
	int n = snprintf(line, sizeof(line), "%d CALL %s", tag, call_name(a->call));
	if (a->sock == TC_SOCK_LISTENER)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " sock=listener");
	else if (a->sock == TC_SOCK_CONN)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " sock=conn");
	switch (a->call) {
	case TC_APP_LISTEN:
		if (a->backlog >= 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " backlog=%d", a->backlog);
		break;
	case TC_APP_READ:
		n += snprintf(line + n, sizeof(line) - (size_t)n, " len=%ld", a->len >= 0 ? a->len : 65536);
		break;
	case TC_APP_WRITE:
		if (!a->data)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " len=%ld", a->len >= 0 ? a->len : 0);
		break;
	case TC_APP_SHUTDOWN:
		n += snprintf(line + n, sizeof(line) - (size_t)n, " how=%s",
			      a->how == 0 ? "rd" : a->how == 1 ? "wr" : "rdwr");
		break;
	case TC_APP_SETSOCKOPT:
		if (a->nvalue == 2)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " opt=%s value=%ld,%ld", a->opt,
				      a->value[0], a->value[1]);
		else
			n += snprintf(line + n, sizeof(line) - (size_t)n, " opt=%s value=%ld", a->opt,
				      a->value[0]);
		break;
	case TC_APP_GETSOCKOPT:
		n += snprintf(line + n, sizeof(line) - (size_t)n, " opt=%s", a->opt);
		break;
	default:
		break;
	}
	if ((size_t)n >= sizeof(line)) {
		set_error(x, "app request too long");
		return -1;
	}
	/* Explicit write data travels as hex after the fixed part of the request. */
	size_t total = (size_t)n + 7 + 2 * a->ndata + 1;
	req = malloc(total);
	if (!req) {
		set_error(x, "out of memory");
		return -1;
	}
	memcpy(req, line, (size_t)n + 1);
	if (a->call == TC_APP_WRITE && a->data) {
		char *p = req + n;
		p += sprintf(p, " data=");
		for (size_t i = 0; i < a->ndata; i++)
			p += sprintf(p, "%02x", a->data[i]);
	}
	int64_t now = x->io->now(x->io->ctx);
	struct pending *p = &x->pend[x->npend++];
	memset(p, 0, sizeof(*p));
	p->tag = tag;
	p->step = x->cur_step;
	p->st = st;
	p->deadline = now + (a->within_us > 0 ? a->within_us : APP_WITHIN_US);
	tc_result_tracef(x->r, "%9.3f   app %s (%s)\n", rel_ms(x, now), call_name(a->call), req);
	tc_judge_call(&x->j, a, tag, now, x->cur_step);
	{
		/* The label is the request without its tag: "CALL read len=100". */
		const char *sp = strchr(req, ' ');
		add_event(x, now, TC_TE_APP_CALL, x->cur_step, TC_TE_OK, call_name(a->call),
			  sp ? sp + 1 : req);
	}
	if (agent_req(x, req) < 0)
		goto out;
	/* The script goes on once the call is under way at the target (the agent answered
	 * PENDING, or DONE if it completed at once), so a `listen` is in place before the next
	 * step's SYN, while a blocking `accept` does not hold the script up. */
	x->waiting_tag = tag;
	if (pump(x, now + AGENT_ACK_US, call_issued) < 0)
		goto out;
	x->waiting_tag = 0;
	if (!p->issued) {
		set_error(x, "step %d (line %d): the agent did not take up %s within %.3gs", x->cur_step,
			  st->pos.line, call_name(a->call), (double)AGENT_ACK_US / 1e6);
		goto out;
	}
	x->prev_end = x->io->now(x->io->ctx);
	rc = 0;
out:
	free(req);
	return rc;
}

static int call_issued(struct ex *x)
{
	for (int i = 0; i < x->npend; i++)
		if (x->pend[i].tag == x->waiting_tag)
			return x->pend[i].issued;
	return 1;
}

static int state_answered(struct ex *x)
{
	return x->state_reply[0] != '\0';
}

static int do_state(struct ex *x, const struct tc_step *st)
{
	int64_t start = x->io->now(x->io->ctx);
	int64_t within = st->within_us > 0 ? st->within_us : STATE_WITHIN_US;
	const char *want = tc_state_name(st->state);
	if (st->state_auto) {
		/* `state: auto` is the state the model is in: like `expect: auto`, it needs a model
		 * that still judges, and claims nothing once the model stopped. */
		if (!x->j.on || (x->j.stopped && strncmp(x->j.why, "abstained", 9) == 0)) {
			if (!x->j.on)
				set_error(x, "%s:%d:%d: 'state: auto' needs the reference model (run with "
					  "--profile NAME)", x->c->file, st->pos.line, st->pos.col);
			else
				set_error(x, "%s:%d:%d: 'state: auto' cannot be judged: the reference model %s",
					  x->c->file, st->pos.line, st->pos.col, x->j.why);
			return -1;
		}
		int ms = tc_judge_state(&x->j, start);
		if (ms < 0) {
			tc_result_tracef(x->r, "          state: auto at step %d not judged: the model %s\n",
					 x->cur_step, x->j.why);
			x->prev_end = x->io->now(x->io->ctx);
			return 0;
		}
		want = tc_state_name(ms);
	}
	x->state_listener = st->state_listener;
	for (;;) {
		char line[64];
		x->state_reply[0] = '\0';
		x->state_tag = ++x->next_tag;
		snprintf(line, sizeof(line), "%d STATE%s", x->state_tag,
			 st->state_listener ? " sock=listener" : "");
		if (agent_req(x, line) < 0)
			return -1;
		/* A silent agent is given a generous bound: it is an error, not a verdict. */
		if (pump(x, x->io->now(x->io->ctx) + 5000000, state_answered) < 0)
			return -1;
		if (!state_answered(x)) {
			set_error(x, "agent did not answer STATE within 5s at step %d", x->cur_step);
			return -1;
		}
		if (strcmp(x->state_reply, want) == 0) {
			add_event(x, x->io->now(x->io->ctx), TC_TE_STATE, x->cur_step, TC_TE_OK,
				  x->state_reply, "target");
			break;
		}
		int64_t now = x->io->now(x->io->ctx);
		/* The model's state moves on too while the step waits (a timer, an adopted
		 * alternative): `state: auto` compares with its state now. */
		if (st->state_auto) {
			int ms = tc_judge_state(&x->j, now);
			if (ms >= 0 && strcmp(tc_state_name(ms), want) != 0) {
				want = tc_state_name(ms);
				continue;
			}
		}
		if (now - start >= within) {
			struct tc_jverdict sv;
			if (st->state_auto &&
			    tc_judge_explain_state(&x->j, tc_state_parse(x->state_reply), now,
						   x->cur_step, &sv)) {
				/* An alternative of the profile explains the target's state (a permitted
				 * choice, or a SHOULD departure that sv records): the model adopts it. */
				if (sv.bad)
					fail_judged(x, x->cur_step, st->pos.line, "model", "state", want,
						    x->state_reply, NULL, sv.rule, sv.message, sv.level,
						    sv.req);
				add_event(x, now, TC_TE_STATE, x->cur_step, TC_TE_OK, x->state_reply,
					  "target");
				break;
			} else if (st->state_auto) {
				/* Only the model has an opinion here, so it is the model's failure. */
				char msg[512];
				snprintf(msg, sizeof(msg), "state: auto: the target is in %s, the model says "
					 "%s (rule: %s)", x->state_reply, want, x->j.last_rule);
				fail_judged(x, x->cur_step, st->pos.line, "model", "state", want,
					    x->state_reply, NULL, x->j.last_rule, msg, TC_LVL_MUST, "");
				tc_judge_diverged(&x->j, x->cur_step, "its state differs from the target's");
			} else {
				fail(x, x->cur_step, st->pos.line, "state", want, x->state_reply, NULL,
				     "target %sstate %s, expected %s (judge: target)",
				     st->state_listener ? "listener " : "", x->state_reply, want);
			}
			char d[64];
			snprintf(d, sizeof(d), "target; expected %s", want);
			add_event(x, now, TC_TE_STATE, x->cur_step, TC_TE_MISMATCH, x->state_reply, d);
			break;
		}
		if (pump(x, now + STATE_RETRY_US, NULL) < 0)
			return -1;
	}
	/* The second judge: the model's state must be the target's (docs/model.md). For the
	 * listener it is the model's listener; tc_judge_state first runs the model's timers up
	 * to now and says whether the model still judges. */
	int ms = st->state_auto ? -1 : tc_judge_state(&x->j, x->io->now(x->io->ctx));
	/* `within:` bounds when the state must be reached, for both judges: a model whose timer
	 * (a give-up, a TIME-WAIT end) is due a little later than the target's gets the rest of
	 * the bound, in real time, so its timers run against what the target sends meanwhile. */
	while (ms >= 0 && !st->state_listener && st->within_us > 0 &&
	       strcmp(tc_state_name(ms), x->state_reply) != 0 &&
	       strcmp(x->state_reply, want) == 0) {
		int64_t now = x->io->now(x->io->ctx);
		if (now - start >= within)
			break;
		int64_t until = now + STATE_RETRY_US;
		if (until > start + within)
			until = start + within;
		if (pump(x, until, NULL) < 0)
			return -1;
		ms = tc_judge_state(&x->j, x->io->now(x->io->ctx));
	}
	if (ms >= 0 && st->state_listener)
		ms = tc_model_listener_state(&x->j.m);
	if (st->state_auto && !x->j.stopped)
		tc_result_tracef(x->r, "          model state %s\n", want);
	if (ms >= 0) {
		const char *mn = tc_state_name(ms);
		int target_ok = strcmp(x->state_reply, want) == 0;
		char msg[512];
		struct tc_jverdict sv;
		/* An alternative of the profile (RFC 793's reset instead of RFC 5961's challenge
		 * ACK...) may explain the target's state: the model adopts it and judges on. */
		if (strcmp(mn, x->state_reply) != 0 &&
		    tc_judge_explain_state(&x->j, tc_state_parse(x->state_reply),
					   x->io->now(x->io->ctx), x->cur_step, &sv)) {
			if (sv.bad)
				fail_judged(x, x->cur_step, st->pos.line, "model", "state", mn,
					    x->state_reply, NULL, sv.rule, sv.message, sv.level, sv.req);
			mn = x->state_reply;
		}
		if (strcmp(mn, x->state_reply) != 0) {
			if (target_ok) {
				snprintf(msg, sizeof(msg), "the target is in %s as the case expects, but the "
					 "model says %s (rule: %s)", x->state_reply, mn, x->j.last_rule);
				fail_judged(x, x->cur_step, st->pos.line, "model", "state", mn, x->state_reply,
					    NULL, x->j.last_rule, msg, TC_LVL_MUST, "");
			} else if (x->r->nfailures > 0) {
				struct tc_failure *f = &x->r->failures[x->r->nfailures - 1];
				size_t n = strlen(f->message);
				snprintf(f->judge, sizeof(f->judge), "both");
				snprintf(f->rule, sizeof(f->rule), "%s", x->j.last_rule);
				snprintf(f->message + n, sizeof(f->message) - n, "; the model says %s", mn);
			}
			tc_judge_diverged(&x->j, x->cur_step, "its state differs from the target's");
		} else if (!target_ok && x->r->nfailures > 0) {
			struct tc_failure *f = &x->r->failures[x->r->nfailures - 1];
			size_t n = strlen(f->message);
			snprintf(f->message + n, sizeof(f->message) - n, " (the model agrees with the "
				 "target: %s)", x->j.last_rule);
		}
		tc_result_tracef(x->r, "          model state %s\n", mn);
	}
	tc_result_tracef(x->r, "%9.3f   state %s\n", rel_ms(x, x->io->now(x->io->ctx)),
			 x->state_reply);
	x->state_tag = 0;
	x->state_listener = 0;
	x->prev_end = x->io->now(x->io->ctx);
	return 0;
}

static int all_calls_settled(struct ex *x)
{
	for (int i = 0; i < x->npend; i++)
		if (!x->pend[i].done && !x->pend[i].late)
			return 0;
	return 1;
}

void tc_exec_case(const struct tc_case *c, const struct tc_exec_cfg *cfg, const struct tc_io *io,
		  struct tc_result *r)
{
	struct ex x;
	char line[256], a1[64], a2[64];
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.cfg = cfg;
	x.io = io;
	x.r = r;
	x.prng = cfg->seed ? cfg->seed : 1;
	r->seed = cfg->seed;
	x.cx.our_isn = c->isn_set ? c->isn : tc_prng(&x.prng);
	x.snd_nxt = x.cx.our_isn;
	x.peer_port = c->peer_port ? (uint16_t)c->peer_port
				   : (uint16_t)(32768 + tc_prng(&x.prng) % (60999 - 32768 + 1));
	x.t0 = io->now(io->ctx);
	x.prev_end = x.t0;
	x.case_deadline = x.t0 + c->timeout_us;
	tc_judge_init(&x.j, cfg->knobs, c, cfg->family, x.peer_port, x.cx.our_isn, r, x.t0);

	int af = cfg->family == TC_FAMILY_V4 ? 4 : 6;
	tc_result_tracef(r, "seed %u, our ISN %u, ports %d (target) %u (injector)\n", cfg->seed,
			 x.cx.our_isn, c->port, x.peer_port);
	int sys_af = af == 4 ? AF_INET : AF_INET6;
	if (!inet_ntop(sys_af, cfg->target_addr, a1, sizeof(a1)) ||
	    !inet_ntop(sys_af, cfg->peer_addr, a2, sizeof(a2))) {
		set_error(&x, "bad address");
		goto end;
	}
	snprintf(line, sizeof(line), "%d CONFIG family=%d local=%s port=%d peer=%s peer_port=%u",
		 ++x.next_tag, af, a1, c->port, a2, x.peer_port);
	if (agent_req(&x, line) < 0)
		goto end;

	for (int i = 0; i < c->nsteps && !x.errored; i++) {
		const struct tc_step *st = &c->steps[i];
		x.cur_step = i + 1;
		int64_t when = -1;
		if (st->at_us >= 0)
			when = x.t0 + st->at_us;
		else if (st->after_us >= 0)
			when = x.prev_end + st->after_us;
		if (when >= 0 && pump(&x, when, NULL) < 0)
			break;
		switch (st->kind) {
		case TC_STEP_SEND: do_send(&x, st); break;
		case TC_STEP_EXPECT: do_expect(&x, st); break;
		case TC_STEP_EXPECT_NONE: do_expect_none(&x, st); break;
		case TC_STEP_APP: do_app(&x, st); break;
		case TC_STEP_STATE: do_state(&x, st); break;
		case TC_STEP_WAIT:
			if (pump(&x, x.io->now(x.io->ctx) + st->wait_us, NULL) == 0)
				x.prev_end = x.io->now(x.io->ctx);
			break;
		}
	}
	x.cur_step = c->nsteps;
	/* App results are checked when they complete, at the latest by their deadline. */
	if (!x.errored)
		pump(&x, x.case_deadline, all_calls_settled);
	/* Whatever the target sent that no step expected is a failure (case-format.md). The
	 * settle window makes that deterministic for the target's immediate answers to the last
	 * step, which would otherwise be caught or missed depending on scheduling. */
	if (!x.errored) {
		int64_t now = x.io->now(x.io->ctx), until = now + SETTLE_US;
		/* Predictions the model made by now get their whole window (judge.h); later ones,
		 * of timers still running when the case ends, are not judged. */
		int64_t ms = tc_judge_settle(&x.j, now);
		if (ms > until)
			until = ms < x.case_deadline - 1 ? ms
				: x.case_deadline - 1 > until ? x.case_deadline - 1 : until;
		pump(&x, until, NULL);
		for (int i = 0; i < x.qn; i++) {
			if (is_ignored(&x, x.q[i].flags)) {
				mark_event(&x, x.qev[i], 0, TC_TE_IGNORED);
				model_verdict(&x, i, 0, 0, x.r->nfailures);
				continue;
			}
			if (duplicate_rst(&x, &x.q[i])) {
				mark_event(&x, x.qev[i], 0, TC_TE_IGNORED);
				tc_result_tracef(x.r, "          a copy of a reset the target sent before: "
						 "not a failure\n");
				model_verdict(&x, i, 0, 0, x.r->nfailures);
				continue;
			}
			int nfail_before = x.r->nfailures;
			mark_event(&x, x.qev[i], 0, TC_TE_UNEXPECTED);
			char segtext[512], fl[16];
			fmt_seg(&x, &x.q[i], 1, segtext, sizeof(segtext));
			tc_flags_str(x.q[i].flags, fl, sizeof(fl));
			fail(&x, 0, 0, "segment", "none", fl[0] ? fl : "\"\"", segtext,
			     "unexpected segment from the target: %s", segtext);
			unexpected_level(&x, &x.qv[i], &x.r->failures[x.r->nfailures - 1]);
			model_verdict(&x, i, 0, 0, nfail_before);
		}
	}
end:
	r->duration_ms = (io->now(io->ctx) - x.t0) / 1000;
	r->verdict = x.unsupported ? TC_V_SKIP
		     : x.errored ? TC_V_ERROR : tc_result_failure_verdict(r);
	free(x.q);
	free(x.qev);
	free(x.qv);
	tc_judge_summary(&x.j, r->model, sizeof(r->model));
	tc_judge_free(&x.j);
	if (r->model[0])
		tc_result_tracef(r, "model: %s\n", r->model);
}
