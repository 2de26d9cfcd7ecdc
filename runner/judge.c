/*
 * judge.c - the reference model as the second judge of a run (judge.h, docs/model.md).
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/names.h"
#include "../injector/fmt.h"
#include "targets/sim.h"

/* A window is closed only this long after its end, so a segment captured just in time but
 * still on its way through the capture buffer is not reported missing. */
#define GRACE_US 200000

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

enum { TRIG_SEG = 1, TRIG_TICK, TRIG_STATE };
static int explain(struct tc_judge *j, int trig, int64_t now, int target_state,
		   const struct tc_rtxobs *o, struct tc_kalt *chosen);

static void stop(struct tc_judge *j, int step, const char *fmt, const char *why)
{
	if (j->stopped)
		return;
	j->stopped = 1;
	j->stop_step = step;
	snprintf(j->why, sizeof(j->why), fmt, why);
	if (j->replay) {
		/* A replay that diverges does not explain the run; one that abstains may, for a
		 * permitted choice the model does not follow (replay_run). */
		if (strncmp(j->why, "abstained", 9) != 0)
			j->rbad = 1;
		j->npred = 0;
		return;
	}
	j->npred = 0;
	if (j->r)
		tc_result_tracef(j->r, "          model: %s\n", j->why);
}

static void check_lost(struct tc_judge *j, int step)
{
	if (j->m.lost)
		stop(j, step, "abstained: %s", j->m.lost_why);
}

/* A fresh model for the run with knobs k: what tc_judge_init sets up, and each replay. */
static void model_start(struct tc_judge *j, const struct tc_knobs *k)
{
	tc_model_init(&j->m, k);
	j->m.ipv6 = j->family == TC_FAMILY_V6;
	/* The veth of the Linux target (docs/running.md) and the simulator of lint: 1500 bytes. */
	j->m.mtu = 1500;
	j->m.port = (uint16_t)j->c->port;
	j->m.peer_port = j->peer_port;
}

void tc_judge_init(struct tc_judge *j, const struct tc_knobs *k, const struct tc_case *c, int family,
		   uint16_t peer_port, uint32_t our_isn, struct tc_result *r, int64_t t0)
{
	memset(j, 0, sizeof(*j));
	if (!k)
		return;
	j->on = 1;
	j->c = c;
	j->r = r;
	j->t0 = j->mtime = j->last_input = t0;
	j->our_isn = our_isn;
	j->family = family;
	j->peer_port = peer_port;
	model_start(j, k);
	char why[200];
	if (tc_judge_case_knobs(&j->m.k, c, why, sizeof(why)) < 0) {
		stop(j, 0, "abstained: %s", why);
		return;
	}
	/* Replays start from these knobs (the sysctls applied), plus the adopted alternatives. */
	j->k0 = j->m.k;
}

int tc_judge_case_knobs(struct tc_knobs *k, const struct tc_case *c, char *why, size_t cap)
{
	int is_linux = strcmp(k->name, "linux") == 0;
	for (int i = 0; i < c->nsysctls; i++) {
		if (tc_knobs_sysctl(k, c->sysctls[i].key, c->sysctls[i].value) || !is_linux)
			continue;
		snprintf(why, cap, "sysctl %s is not modelled", c->sysctls[i].key);
		return -1;
	}
	return 0;
}

void tc_judge_free(struct tc_judge *j)
{
	free(j->log);
	j->log = NULL;
	j->nlog = 0;
}

/* Keeps an input for replays; past TC_JUDGE_MAXLOG no alternative can be tried any more. */
static void log_input(struct tc_judge *j, int kind, int64_t ts, int step, const struct tc_seg *s,
		      const struct tc_mcall_in *in)
{
	if (j->replay || j->log_full)
		return;
	if (!j->log) {
		j->log = malloc(TC_JUDGE_MAXLOG * sizeof(*j->log));
		if (!j->log) {
			j->log_full = 1;
			return;
		}
	}
	if (j->nlog >= TC_JUDGE_MAXLOG) {
		j->log_full = 1;
		return;
	}
	struct tc_jlog *e = &j->log[j->nlog++];
	e->kind = kind;
	e->ts = ts;
	e->step = step;
	if (s)
		e->s = *s;
	if (in)
		e->in = *in;
}

static int step_line(const struct tc_judge *j, int step)
{
	return step >= 1 && step <= j->c->nsteps ? j->c->steps[step - 1].pos.line : 0;
}

static void add_fail(struct tc_judge *j, int step, const char *field, const char *expected,
		     const char *actual, const char *segment, const char *message, const char *rule,
		     int level, const char *req)
{
	if (level != TC_LVL_MUST)
		j->nshould++;
	if (j->replay) {
		if (level == TC_LVL_MUST)
			j->rbad = 1;
		return;
	}
	struct tc_failure f;
	memset(&f, 0, sizeof(f));
	f.step = step;
	f.line = step_line(j, step);
	snprintf(f.judge, sizeof(f.judge), "model");
	snprintf(f.field, sizeof(f.field), "%s", field);
	snprintf(f.expected, sizeof(f.expected), "%s", expected);
	snprintf(f.actual, sizeof(f.actual), "%s", actual);
	snprintf(f.segment, sizeof(f.segment), "%s", segment ? segment : "");
	snprintf(f.message, sizeof(f.message), "%s", message);
	snprintf(f.rule, sizeof(f.rule), "%s", rule);
	f.level = level;
	snprintf(f.req, sizeof(f.req), "%s", req ? req : "");
	tc_result_add_failure(j->r, &f);
	tc_result_tracef(j->r, "FAIL step %d line %d (model, %s%s%s): %s\n", step, f.line,
			 tc_level_name(level), f.req[0] ? " " : "", f.req, message);
	j->nfail++;
}

static void pred_fmt(const struct tc_judge *j, const struct tc_mseg *p, char *buf, size_t cap)
{
	tc_mseg_fmt(p, j->m.iss_known ? j->m.iss : 0, j->our_isn, buf, cap);
}

static double rel_ms(const struct tc_judge *j, int64_t t)
{
	return (double)(t - j->t0) / 1000.0;
}

/* What the retransmission timer was when it fired (for learning its value, profile.h). */
struct rtxinfo {
	int rtx;
	int64_t armed;
	int backoff;
};

/* The window of a prediction made at the model's clock: see judge.h. */
static void set_window(const struct tc_judge *j, struct tc_jpred *q, int64_t timer_span)
{
	if (timer_span > 0) {
		int64_t early = max64(TC_JUDGE_TIMER_EARLY_US, timer_span / 5);
		/* A delayed ACK may come any time up to the model's maximum delay. */
		if (q->p.pure_ack)
			early = max64(timer_span, j->m.k.ack_delay_max_us);
		q->lo = q->p.earliest - early;
		q->hi = q->p.latest + max64(TC_JUDGE_LATE_US, timer_span / 4);
	} else {
		q->lo = q->p.earliest - TC_JUDGE_EARLY_US;
		q->hi = q->p.latest + TC_JUDGE_LATE_US;
	}
}

/* Adds the model's output to the outstanding predictions. timer_span > 0: made by a timer that
 * ran that long (its window scales with it); ri: made by the retransmission timer. */
static void take(struct tc_judge *j, const struct tc_mout *o, int step, int64_t timer_span,
		 const struct rtxinfo *ri)
{
	if (o->rule[0])
		snprintf(j->last_rule, sizeof(j->last_rule), "%s", o->rule);
	for (int i = 0; i < o->nseg && !j->stopped; i++) {
		if (j->npred >= TC_JUDGE_MAXP) {
			stop(j, step, "abstained: %s", "more outstanding predictions than the judge keeps");
			return;
		}
		struct tc_jpred *q = &j->pred[j->npred++];
		q->p = o->seg[i];
		q->step = step;
		q->cause = j->mtime;
		q->rtx = ri ? ri->rtx : 0;
		q->rtx_armed = ri ? ri->armed : 0;
		q->rtx_backoff = ri ? ri->backoff : 0;
		set_window(j, q, timer_span);
	}
	check_lost(j, step);
}

/* Fires the model's timers due at d (its next deadline) at time at <= d: at d itself when time
 * has reached it, earlier when the target's timer ran faster and a segment it sent at `at` shows
 * it fired. The model's clock is then the observed time, never the deadline: the model has no
 * clock of its own (model.h), so a deadline passed to it as `now` would date everything after it
 * (the prediction for an app write that follows, say) at a time that has not come yet. The
 * timer's window still scales with how long the model's timer ran (d - last_input). */
static void fire_at(struct tc_judge *j, int64_t d, int64_t at, int step)
{
	struct tc_mout o;
	struct rtxinfo ri = {d == j->m.t_rtx, d - j->m.rto, j->m.nrtx};
	int64_t span = d - j->last_input;
	if (span <= 0)
		span = 1;
	if (at < d) {
		int64_t *t[5] = {&j->m.t_rtx, &j->m.t_tw, &j->m.t_fw2, &j->m.t_ka, &j->m.t_delack};
		for (int i = 0; i < 5; i++)
			if (*t[i] == d)
				*t[i] = at;
	}
	tc_model_timer(&j->m, at, &o);
	j->mtime = max64(j->mtime, at);
	j->last_input = at;
	take(j, &o, step, span, &ri);
}

/* Fires the model's timers due at or before t, in order. */
static void fire_timers(struct tc_judge *j, int64_t t, int step)
{
	for (int guard = 0; guard < 64 && !j->stopped; guard++) {
		int64_t d = tc_model_next_deadline(&j->m);
		if (!d || d > t)
			return;
		fire_at(j, d, d, step);
	}
}

/* The target sent, at ts, a segment that only the model's next timer explains, though the
 * timer is not due yet: fires it at ts (never later than its deadline, never before the
 * model's clock). */
static void fire_early(struct tc_judge *j, int64_t ts)
{
	int64_t d = tc_model_next_deadline(&j->m);
	if (!d)
		return;
	int64_t at = max64(ts, j->mtime);
	fire_at(j, d, at < d ? at : d, 0);
}

void tc_judge_sent(struct tc_judge *j, const struct tc_seg *s, int64_t ts, int step)
{
	if (!j->on || j->stopped)
		return;
	log_input(j, 1, ts, step, s, NULL);
	fire_timers(j, ts, step);
	if (j->stopped)
		return;
	struct tc_mout o;
	j->mtime = max64(j->mtime, ts);
	tc_model_segment(&j->m, s, j->mtime, &o);
	j->last_input = j->mtime;
	take(j, &o, step, 0, NULL);
}

void tc_judge_mcall(const struct tc_appspec *a, int tag, struct tc_mcall_in *in)
{
	memset(in, 0, sizeof(*in));
	in->tag = tag;
	in->len = -1;
	switch (a->call) {
	case TC_APP_LISTEN: in->call = TC_MC_LISTEN; break;
	case TC_APP_ACCEPT: in->call = TC_MC_ACCEPT; break;
	case TC_APP_CONNECT: in->call = TC_MC_CONNECT; break;
	case TC_APP_WRITE:
		in->call = TC_MC_SEND;
		in->data = a->data;
		in->len = a->data ? (long)a->ndata : a->len >= 0 ? a->len : 0;
		break;
	case TC_APP_READ:
		in->call = TC_MC_RECEIVE;
		in->len = a->len >= 0 ? a->len : 65536;
		break;
	case TC_APP_SHUTDOWN: in->call = TC_MC_SHUTDOWN; in->how = a->how; break;
	case TC_APP_CLOSE: in->call = TC_MC_CLOSE; break;
	case TC_APP_SETSOCKOPT: {
		int o = tc_model_opt_parse(a->opt);
		in->call = TC_MC_SETOPT;
		in->opt = o < 0 ? TC_MO_OTHER : o;
		in->nvalue = a->nvalue;
		in->value[0] = a->value[0];
		in->value[1] = a->value[1];
		break;
	}
	case TC_APP_GETSOCKOPT: in->call = TC_MC_GETOPT; break;
	default: in->call = 0; break;
	}
}

static void call_in(struct tc_judge *j, const struct tc_mcall_in *in, int64_t ts, int step)
{
	if (!j->on || j->stopped)
		return;
	log_input(j, 2, ts, step, NULL, in);
	fire_timers(j, ts, step);
	if (j->stopped)
		return;
	struct tc_mout o;
	j->mtime = max64(j->mtime, ts);
	tc_model_call(&j->m, in, j->mtime, &o);
	j->last_input = j->mtime;
	take(j, &o, step, 0, NULL);
}

void tc_judge_call(struct tc_judge *j, const struct tc_appspec *a, int tag, int64_t ts, int step)
{
	struct tc_mcall_in in;
	tc_judge_mcall(a, tag, &in);
	call_in(j, &in, ts, step);
}

static void drop(struct tc_judge *j, int i)
{
	memmove(&j->pred[i], &j->pred[i + 1], (size_t)(j->npred - i - 1) * sizeof(j->pred[0]));
	j->npred--;
}

/* The first outstanding prediction s matches in fields and time, or -1. */
static int match(const struct tc_judge *j, const struct tc_seg *s)
{
	char f[32], why[256];
	for (int i = 0; i < j->npred; i++) {
		const struct tc_jpred *q = &j->pred[i];
		if (s->ts_us >= q->lo && s->ts_us <= q->hi && !tc_mseg_check(&q->p, s, f, sizeof(f),
									       why, sizeof(why)))
			return i;
	}
	return -1;
}

/* How early a timer due at d may show on the wire (see take()). */
static int64_t timer_early(const struct tc_judge *j, int64_t d)
{
	int64_t span = d - j->last_input;
	if (d == j->m.t_delack)
		return max64(span, j->m.k.ack_delay_max_us);
	return max64(TC_JUDGE_TIMER_EARLY_US, span / 5);
}

/*
 * The segment a running timer of the model would send, when it matches s in every field but
 * the time: the target's timer ran at another speed than the model's (a retransmission before
 * the model's RTO). Fills q (window as take() gives it) and returns 2; 1 when it only has the
 * same flags (q is then the closest explanation), 0 when the timer sends nothing like s.
 */
static int peek_timer(const struct tc_judge *j, const struct tc_seg *s, struct tc_jpred *q)
{
	char f[32], why[256];
	int64_t d = tc_model_next_deadline(&j->m);
	if (!d)
		return 0;
	struct tc_model *m = malloc(sizeof(*m));
	struct tc_mout *o = malloc(sizeof(*o));
	int found = 0;
	if (m && o) {
		*m = j->m;
		struct rtxinfo ri = {d == m->t_rtx, d - m->rto, m->nrtx};
		tc_model_timer(m, d, o);
		for (int i = 0; i < o->nseg && found < 2; i++) {
			int full = !tc_mseg_check(&o->seg[i], s, f, sizeof(f), why, sizeof(why));
			/* Same flags but another field: the closest explanation, not a timing one. */
			if (!full && (found || (o->seg[i].flags & ~o->seg[i].flags_maybe) !=
					       (s->flags & ~o->seg[i].flags_maybe)))
				continue;
			memset(q, 0, sizeof(*q));
			q->p = o->seg[i];
			q->rtx = ri.rtx;
			q->rtx_armed = ri.armed;
			q->rtx_backoff = ri.backoff;
			set_window(j, q, d - j->last_input > 0 ? d - j->last_input : 1);
			found = full ? 2 : 1;
		}
	}
	free(m);
	free(o);
	return found;
}

/* The timer observation behind an unexplained segment at ts, from the prediction q that
 * matches it in everything but time (profile.h struct tc_rtxobs). */
static void rtx_obs(const struct tc_judge *j, const struct tc_jpred *q, int64_t ts, struct tc_rtxobs *o)
{
	memset(o, 0, sizeof(*o));
	if (!q || !q->rtx)
		return;
	o->valid = 1;
	o->span = ts - q->rtx_armed;
	o->backoff = q->rtx_backoff;
	o->rtt_valid = j->m.rtt_valid;
	o->srtt = j->m.srtt;
	o->rttvar = j->m.rttvar;
}

/* The note or failure text of an adopted alternative. */
static void adopted_text(const struct tc_judge *j, const struct tc_kalt *a, char *buf, size_t cap)
{
	/* A permitted choice the model does not follow (replay_run's abstention) ends its judging. */
	snprintf(buf, cap, "the model adopts %s and %s", a->text,
		 j->stopped ? "abstains from here on (it does not model what follows)" : "judges on");
}

void tc_judge_segment(struct tc_judge *j, const struct tc_seg *s, struct tc_jverdict *v)
{
	char segtext[512], ptext[256], f[32], why[256];
	memset(v, 0, sizeof(*v));
	if (!j->on || j->stopped)
		return;
	log_input(j, 3, s->ts_us, 0, s, NULL);
	/* Timers due by the capture time have fired at the target already. */
	fire_timers(j, s->ts_us, 0);
	if (j->stopped)
		return;
	v->judged = 1;
	tc_model_learn(&j->m, s);
	int i = match(j, s);
	/* A target timer may run a little faster than the model's: a segment that only a timer
	 * could explain fires it early, within the timer's tolerance. */
	for (int guard = 0; i < 0 && guard < 8 && !j->stopped; guard++) {
		int64_t d = tc_model_next_deadline(&j->m);
		if (!d || s->ts_us < d - timer_early(j, d))
			break;
		fire_early(j, s->ts_us);
		i = match(j, s);
	}
	if (j->stopped) {
		v->judged = 0;
		return;
	}
	if (i >= 0) {
		snprintf(v->rule, sizeof(v->rule), "%s", j->pred[i].p.rule);
		if (s->flags & TC_F_RST) {
			j->have_rst = 1;
			j->rst_seq = s->seq;
			j->rst_ack = s->ack;
			j->rst_flags = s->flags;
		}
		drop(j, i);
		/* RFC 9293 3.8.6.3 allows an ACK to ride on a later segment: a pure ACK the model
		 * predicted before this one is covered by its acknowledgment. */
		if (s->flags & TC_F_ACK)
			for (int k = 0; k < j->npred;) {
				const struct tc_jpred *q = &j->pred[k];
				if (q->p.pure_ack && q->lo <= s->ts_us && (int32_t)(q->p.ack - s->ack) <= 0)
					drop(j, k);
				else
					k++;
			}
		return;
	}
	/* A copy of the reset the model already accepted changes nothing at the peer (the
	 * connection is gone there; a RST in CLOSED is discarded, RFC 9293 3.10.7.1), and no
	 * requirement limits a close or an abort to one reset: not a failure. */
	if (j->have_rst && (s->flags & TC_F_RST) && s->payload_len == 0 && s->seq == j->rst_seq &&
	    (s->flags & ~TC_F_ACK) == (j->rst_flags & ~TC_F_ACK) &&
	    (!(s->flags & TC_F_ACK) || s->ack == j->rst_ack)) {
		snprintf(v->rule, sizeof(v->rule), "a copy of the reset the target sent before");
		return;
	}
	/* No prediction fits. What explains the difference best: a prediction right in every field
	 * but the time (a timing objection), the segment a running timer would send later (also
	 * timing), the closest prediction (same flags first), or nothing. */
	tc_seg_fmt(s, 1, j->m.iss_known ? j->m.iss : 0, j->our_isn, segtext, sizeof(segtext));
	int best = -1, timing = 0;
	struct tc_jpred peek;
	const struct tc_jpred *q = NULL;
	for (int k = 0; k < j->npred && best < 0; k++)
		if (!tc_mseg_check(&j->pred[k].p, s, f, sizeof(f), why, sizeof(why)))
			best = k, timing = 1;
	int pk = best >= 0 ? 0 : peek_timer(j, s, &peek);
	if (best >= 0) {
		q = &j->pred[best];
	} else if (pk == 2) {
		q = &peek;
		timing = 1;
	} else {
		for (int k = 0; k < j->npred && best < 0; k++)
			if ((j->pred[k].p.flags & ~j->pred[k].p.flags_maybe) ==
			    (s->flags & ~j->pred[k].p.flags_maybe))
				best = k;
		if (best < 0 && pk == 1)
			q = &peek;
		else if (best < 0 && j->npred > 0)
			best = 0;
		if (best >= 0)
			q = &j->pred[best];
	}
	v->bad = 1;
	v->level = TC_LVL_MUST;
	if (q) {
		pred_fmt(j, &q->p, ptext, sizeof(ptext));
		if (timing) {
			snprintf(f, sizeof(f), "after");
			snprintf(why, sizeof(why), "it came at %.3f ms, the model predicted it between "
				 "%.3f and %.3f ms", rel_ms(j, s->ts_us), rel_ms(j, q->lo), rel_ms(j, q->hi));
		} else {
			tc_mseg_check(&q->p, s, f, sizeof(f), why, sizeof(why));
		}
		snprintf(v->field, sizeof(v->field), "%s", f);
		snprintf(v->expected, sizeof(v->expected), "%s", ptext);
		snprintf(v->rule, sizeof(v->rule), "%s", q->p.rule);
		snprintf(v->message, sizeof(v->message), "the target sent %s; the model predicted %s "
			 "(%s)", segtext, ptext, why);
		/* Only the time of a segment can be a SHOULD-level difference: a segment the
		 * model did not predict at all means its TCB no longer describes the target. */
		if (timing) {
			v->level = q->p.level;
			snprintf(v->req, sizeof(v->req), "%s", q->p.req);
			/* A bare ACK sooner than the model's delay: acknowledging at once departs at
			 * most from RFC 9293 3.8.6.3's SHOULD on delayed ACKs (SHLD-18); only a delay
			 * past 500 ms breaks a MUST (MUST-40). */
			if (q->p.flags == TC_F_ACK && q->p.len == 0 && s->ts_us < q->lo &&
			    v->level == TC_LVL_MUST) {
				v->level = TC_LVL_SHOULD;
				snprintf(v->req, sizeof(v->req), "SHLD-18");
			}
			/* A data segment at another time than predicted keeps the level of the rule
			 * that predicted it (docs/model.md "Levels"). The model dates a prediction at
			 * the input that causes it and never runs its clock past the input it
			 * processes (fire_at), so data earlier than the window of an immediate send
			 * (RFC 9293 3.10.2, MUST) went out before the write or the ACK that lets it
			 * go: not a question of timing. A timer's data carries its timer's level
			 * (a retransmission RFC6298-2.4 SHOULD, a keep-alive probe MAY-5). */
		}
	} else {
		int64_t d = tc_model_next_deadline(&j->m);
		snprintf(v->field, sizeof(v->field), "segment");
		snprintf(v->expected, sizeof(v->expected), "none");
		snprintf(v->rule, sizeof(v->rule), "%s", j->last_rule);
		if (d)
			snprintf(v->message, sizeof(v->message), "the target sent %s; the model predicted "
				 "nothing (its next timer is due at %.3f ms)", segtext, rel_ms(j, d));
		else
			snprintf(v->message, sizeof(v->message), "the target sent %s; the model predicted "
				 "nothing", segtext);
	}
	/* An alternative the profile layer offers may explain the whole run, this segment
	 * included: adopt it and judge on (judge.h). */
	struct tc_rtxobs obs;
	struct tc_kalt alt;
	rtx_obs(j, timing ? q : NULL, s->ts_us, &obs);
	if (explain(j, TRIG_SEG, s->ts_us, -1, &obs, &alt)) {
		char t[200];
		adopted_text(j, &alt, t, sizeof(t));
		size_t n = strlen(v->message);
		snprintf(v->message + n, sizeof(v->message) - n, "; %s", t);
		v->bad = alt.level != TC_LVL_MAY;
		v->level = alt.level;
		snprintf(v->req, sizeof(v->req), "%s", alt.req);
		if (v->bad)
			j->nshould++;
		return;
	}
	if (v->level != TC_LVL_MUST) {
		/* A SHOULD-level segment at another time than the model's: one failure of that
		 * level, and the model judges on without the prediction. A segment of a timer not
		 * due yet fires that timer now, so its prediction is not owed a second time. */
		j->nshould++;
		if (best >= 0) {
			drop(j, best);
		} else if (q == &peek) {
			fire_early(j, s->ts_us);
			for (int k = 0; k < j->npred; k++)
				if (!tc_mseg_check(&j->pred[k].p, s, f, sizeof(f), why, sizeof(why))) {
					drop(j, k);
					break;
				}
		}
		if (!j->replay)
			tc_result_tracef(j->r, "          model: %s-level difference, judging on\n",
					 tc_level_name(v->level));
		return;
	}
	if (best >= 0)
		drop(j, best);
	char w[64];
	snprintf(w, sizeof(w), "%s", v->field);
	stop(j, 0, "diverged: its first disagreement with the target was on the %s of a segment", w);
}

void tc_judge_tick(struct tc_judge *j, int64_t now)
{
	char ptext[256], msg[512];
	if (!j->on || j->stopped)
		return;
	fire_timers(j, now, 0);
	for (int i = 0; i < j->npred && !j->stopped;) {
		const struct tc_jpred *q = &j->pred[i];
		if (now <= q->hi + GRACE_US) {
			i++;
			continue;
		}
		pred_fmt(j, &q->p, ptext, sizeof(ptext));
		snprintf(msg, sizeof(msg), "the model predicted %s by %.3f ms; nothing came (rule: %s)",
			 ptext, rel_ms(j, q->hi), q->p.rule);
		int step = q->step, level = q->p.level;
		char rule[TC_MODEL_RULE], req[32];
		snprintf(rule, sizeof(rule), "%s", q->p.rule);
		snprintf(req, sizeof(req), "%s", q->p.req);
		struct tc_kalt alt;
		/* An alternative that explains the silence comes first, whatever the level: its model
		 * describes the target from here on (a missing challenge ACK from a target that
		 * resets as RFC 793 did is one SHOULD departure, and the connection is then gone). */
		if (explain(j, TRIG_TICK, now, -1, NULL, &alt)) {
			/* The adopted model does not predict the segment that did not come. */
			char t[200];
			adopted_text(j, &alt, t, sizeof(t));
			size_t n = strlen(msg);
			snprintf(msg + n, sizeof(msg) - n, "; %s", t);
			if (alt.level != TC_LVL_MAY)
				add_fail(j, step, "segment", ptext, "none", NULL, msg, rule, alt.level, alt.req);
			i = 0;
			continue;
		}
		add_fail(j, step, "segment", ptext, "none", NULL, msg, rule, level, req);
		if (level == TC_LVL_MUST) {
			stop(j, step, "diverged: %s", "a segment it predicted did not come");
		} else {
			/* RFC 2119: a SHOULD may be departed from; the model judges on without it. */
			drop(j, i);
		}
	}
}

/* ---- alternatives: replay the run under other knob values ---- */

/* Replays j's inputs on rj, a fresh judge with knobs k; then the trigger: for TRIG_SEG the
 * segment is the log's last input, TRIG_TICK closes the windows due by now, TRIG_STATE asks
 * for the state at now. 1 when the replay explains everything. */
static int replay_run(const struct tc_judge *j, struct tc_judge *rj, const struct tc_knobs *k,
		      int trig, int64_t now, int target_state)
{
	memset(rj, 0, sizeof(*rj));
	rj->on = 1;
	rj->replay = 1;
	rj->c = j->c;
	rj->t0 = rj->mtime = rj->last_input = j->t0;
	rj->our_isn = j->our_isn;
	rj->family = j->family;
	rj->peer_port = j->peer_port;
	model_start(rj, k);
	struct tc_jverdict v;
	int i = 0;
	for (; i < j->nlog && !rj->stopped && !rj->rbad; i++) {
		const struct tc_jlog *e = &j->log[i];
		tc_judge_tick(rj, e->ts);
		switch (e->kind) {
		case 1: tc_judge_sent(rj, &e->s, e->ts, e->step); break;
		case 2: call_in(rj, &e->in, e->ts, e->step); break;
		default: tc_judge_segment(rj, &e->s, &v); break;
		}
	}
	if (trig == TRIG_TICK)
		tc_judge_tick(rj, now);
	if (rj->rbad || rj->nshould > j->nshould)
		return 0;
	/* A replay that agreed with everything and then abstained (the choice leads where the
	 * model does not follow, e.g. a TIME-WAIT reopened by a new SYN) explains the run only
	 * for the caller to stop judging: 2. */
	if (rj->stopped) {
		/* Only an abstention at the trigger: nothing the target sent came between the
		 * input the replay abstained at and the segment being explained (for any other
		 * trigger, or a later segment, the abstention would excuse what it never saw). */
		if (strncmp(rj->why, "abstained", 9) != 0 || trig != TRIG_SEG)
			return 0;
		for (int k = i; k < j->nlog - 1; k++)
			if (j->log[k].kind == 3)
				return 0;
		return 2;
	}
	if (trig == TRIG_STATE)
		return tc_judge_state(rj, now) == target_state;
	return 1;
}

static int explain(struct tc_judge *j, int trig, int64_t now, int target_state,
		   const struct tc_rtxobs *o, struct tc_kalt *chosen)
{
	struct tc_kalt cand[16];
	if (j->replay || j->log_full || !j->log || j->nreplay >= TC_JUDGE_MAXREPLAY)
		return 0;
	int n = tc_kalt_candidates(&j->m.k, o, cand, 16);
	struct tc_judge *rj = n ? malloc(sizeof(*rj)) : NULL;
	int ok = 0;
	for (int c = 0; rj && c < n && !ok && j->nreplay < TC_JUDGE_MAXREPLAY; c++) {
		int slot = j->nadopt;
		for (int a = 0; a < j->nadopt; a++)
			if (j->adopted[a].id == cand[c].id)
				slot = a;
		if (slot == TC_JUDGE_MAXALT)
			continue;
		/* The profile's knobs, the alternatives adopted before (this knob's replaced). */
		struct tc_knobs k = j->k0;
		for (int a = 0; a < j->nadopt; a++)
			if (a != slot)
				tc_kalt_apply(&k, &j->adopted[a]);
		tc_kalt_apply(&k, &cand[c]);
		j->nreplay++;
		int rr = replay_run(j, rj, &k, trig, now, target_state);
		/* Only a choice the RFCs permit may end the judging by abstention. */
		if (!rr || (rr == 2 && (cand[c].level != TC_LVL_MAY || !cand[c].abstain_flags ||
					(j->log[j->nlog - 1].s.flags & cand[c].abstain_flags) !=
						cand[c].abstain_flags)))
			continue;
		ok = 1;
		*chosen = cand[c];
		j->adopted[slot] = cand[c];
		if (slot == j->nadopt)
			j->nadopt++;
		/* The replay's TCB, predictions and clocks are the run's from now on. */
		j->m = rj->m;
		memcpy(j->pred, rj->pred, sizeof(j->pred));
		j->npred = rj->npred;
		j->mtime = rj->mtime;
		j->last_input = rj->last_input;
		snprintf(j->last_rule, sizeof(j->last_rule), "%s", rj->last_rule);
		size_t l = strlen(j->notes);
		snprintf(j->notes + l, sizeof(j->notes) - l, "%s%s (%s%s%s)", l ? "; " : "",
			 cand[c].knob, tc_level_name(cand[c].level), cand[c].req[0] ? " " : "",
			 cand[c].req);
		if (j->r)
			tc_result_tracef(j->r, "          model: adopts %s\n", cand[c].text);
		if (rr == 2) {
			char why[256];
			snprintf(why, sizeof(why), "%s (after adopting %s)", rj->why + 11, cand[c].knob);
			stop(j, rj->stop_step, "abstained: %s", why);
		}
	}
	free(rj);
	return ok;
}

int tc_judge_explain_state(struct tc_judge *j, int target_state, int64_t now, int step,
			   struct tc_jverdict *v)
{
	struct tc_kalt alt;
	if (v)
		memset(v, 0, sizeof(*v));
	if (!j->on || j->stopped || j->replay || target_state < 0)
		return 0;
	if (!explain(j, TRIG_STATE, now, target_state, NULL, &alt))
		return 0;
	if (v) {
		v->judged = 1;
		v->bad = alt.level != TC_LVL_MAY;
		v->level = alt.level;
		v->step = step;
		snprintf(v->req, sizeof(v->req), "%s", alt.req);
		snprintf(v->field, sizeof(v->field), "state");
		snprintf(v->expected, sizeof(v->expected), "%s", "");
		snprintf(v->rule, sizeof(v->rule), "%s", j->last_rule);
		char t[200];
		adopted_text(j, &alt, t, sizeof(t));
		snprintf(v->message, sizeof(v->message), "the target is in %s where the profile's "
			 "model was not; %s", tc_state_name(target_state), t);
	}
	if (v && v->bad)
		j->nshould++;
	return 1;
}

int64_t tc_judge_next(const struct tc_judge *j)
{
	if (!j->on || j->stopped)
		return 0;
	int64_t best = tc_model_next_deadline(&j->m);
	for (int i = 0; i < j->npred; i++) {
		int64_t t = j->pred[i].hi + GRACE_US + 1;
		if (!best || t < best)
			best = t;
	}
	return best;
}

int64_t tc_judge_settle(const struct tc_judge *j, int64_t now)
{
	int64_t until = 0;
	if (!j->on || j->stopped)
		return 0;
	for (int i = 0; i < j->npred; i++)
		if (j->pred[i].lo <= now)
			until = max64(until, j->pred[i].hi + GRACE_US + 1);
	return until;
}

int tc_judge_pending(const struct tc_judge *j, char *buf, size_t cap)
{
	if (cap)
		buf[0] = '\0';
	if (!j->on || j->stopped || j->npred == 0)
		return 0;
	pred_fmt(j, &j->pred[0].p, buf, cap);
	return j->npred;
}

void tc_judge_drop_first(struct tc_judge *j)
{
	if (j->npred > 0)
		drop(j, 0);
}

int tc_judge_state(struct tc_judge *j, int64_t now)
{
	if (!j->on || j->stopped)
		return -1;
	fire_timers(j, now, 0);
	if (j->stopped)
		return -1;
	return tc_model_state(&j->m);
}

void tc_judge_diverged(struct tc_judge *j, int step, const char *what)
{
	if (j->on)
		stop(j, step, "diverged: %s", what);
}

int tc_judge_names(const struct tc_judge *j, int64_t names[4], char *err, size_t cap)
{
	if (!j->on) {
		snprintf(err, cap, "the names rcv_nxt, rcv_wnd, snd_nxt and snd_una need the reference "
			 "model (run with --profile NAME)");
		return -1;
	}
	if (j->stopped) {
		snprintf(err, cap, "the reference model no longer judges this run (%s), so it cannot "
			 "give rcv_nxt, rcv_wnd, snd_nxt or snd_una", j->why);
		return -1;
	}
	if (tc_model_names(&j->m, j->our_isn, names) < 0) {
		snprintf(err, cap, "rcv_nxt, rcv_wnd, snd_nxt and snd_una are not known before the "
			 "connection's first SYN");
		return -1;
	}
	return 0;
}

void tc_judge_label(const struct tc_judge *j, char *buf, size_t cap)
{
	if (!j->on)
		snprintf(buf, cap, "%s", "");
	else if (j->stopped)
		snprintf(buf, cap, "%s", strncmp(j->why, "abstained", 9) == 0 ? "abstained" : "diverged");
	else
		snprintf(buf, cap, "%s", tc_state_name(tc_model_state(&j->m)));
}

void tc_judge_summary(const struct tc_judge *j, char *buf, size_t cap)
{
	if (!j->on)
		snprintf(buf, cap, "%s", "");
	else if (j->stopped && j->stop_step)
		snprintf(buf, cap, "profile %s: %s (step %d)", j->m.k.name, j->why, j->stop_step);
	else if (j->stopped)
		snprintf(buf, cap, "profile %s: %s", j->m.k.name, j->why);
	else
		snprintf(buf, cap, "profile %s: judged every segment and state", j->m.k.name);
	/* The alternatives it adopted on the way (a permitted choice is recorded only here). */
	if (j->on && j->notes[0]) {
		size_t n = strlen(buf);
		snprintf(buf + n, cap > n ? cap - n : 0, "; adopted: %s", j->notes);
	}
}
