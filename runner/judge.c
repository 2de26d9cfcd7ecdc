/*
 * judge.c - the reference model as the second judge of a run (judge.h, docs/model.md).
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include "../common/names.h"
#include "../injector/fmt.h"
#include "model/sim.h"

/* A window is closed only this long after its end, so a segment captured just in time but
 * still on its way through the capture buffer is not reported missing. */
#define GRACE_US 200000

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static void stop(struct tc_judge *j, int step, const char *fmt, const char *why)
{
	if (j->stopped)
		return;
	j->stopped = 1;
	j->stop_step = step;
	snprintf(j->why, sizeof(j->why), fmt, why);
	j->npred = 0;
	if (j->r)
		tc_result_tracef(j->r, "          model: %s\n", j->why);
}

static void check_lost(struct tc_judge *j, int step)
{
	if (j->m.lost)
		stop(j, step, "abstained: %s", j->m.lost_why);
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
	tc_model_init(&j->m, k);
	j->m.ipv6 = family == TC_FAMILY_V6;
	/* The veth of the Linux target (docs/running.md) and the simulator of lint: 1500 bytes. */
	j->m.mtu = 1500;
	j->m.port = (uint16_t)c->port;
	j->m.peer_port = peer_port;
	/* A case's sysctls describe the Linux stack; other profiles judge the standard. The same
	 * rule as the simulator (sim.c), so lint and a run agree. */
	if (strcmp(k->name, "linux") == 0) {
		for (int i = 0; i < c->nsysctls; i++)
			if (!tc_knobs_sysctl(&j->m.k, c->sysctls[i].key, c->sysctls[i].value)) {
				char why[200];
				snprintf(why, sizeof(why), "sysctl %s is not modelled", c->sysctls[i].key);
				stop(j, 0, "abstained: %s", why);
				return;
			}
	}
}

static int step_line(const struct tc_judge *j, int step)
{
	return step >= 1 && step <= j->c->nsteps ? j->c->steps[step - 1].pos.line : 0;
}

static void add_fail(struct tc_judge *j, int step, const char *field, const char *expected,
		     const char *actual, const char *segment, const char *message, const char *rule)
{
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
	tc_result_add_failure(j->r, &f);
	tc_result_tracef(j->r, "FAIL step %d line %d (model): %s\n", step, f.line, message);
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

/* Adds the model's output to the outstanding predictions. timer_span > 0: made by a timer that
 * ran that long (its window scales with it). */
static void take(struct tc_judge *j, const struct tc_mout *o, int step, int64_t timer_span)
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
	check_lost(j, step);
}

/* Fires the model's timers due at or before t, in order. */
static void fire_timers(struct tc_judge *j, int64_t t, int step)
{
	for (int guard = 0; guard < 64 && !j->stopped; guard++) {
		int64_t d = tc_model_next_deadline(&j->m);
		if (!d || d > t)
			return;
		struct tc_mout o;
		int64_t span = d - j->last_input;
		if (span <= 0)
			span = 1;
		tc_model_timer(&j->m, d, &o);
		j->mtime = max64(j->mtime, d);
		j->last_input = d;
		take(j, &o, step, span);
	}
}

void tc_judge_sent(struct tc_judge *j, const struct tc_seg *s, int64_t ts, int step)
{
	if (!j->on || j->stopped)
		return;
	fire_timers(j, ts, step);
	if (j->stopped)
		return;
	struct tc_mout o;
	j->mtime = max64(j->mtime, ts);
	tc_model_segment(&j->m, s, j->mtime, &o);
	j->last_input = j->mtime;
	take(j, &o, step, 0);
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

void tc_judge_call(struct tc_judge *j, const struct tc_appspec *a, int tag, int64_t ts, int step)
{
	if (!j->on || j->stopped)
		return;
	fire_timers(j, ts, step);
	if (j->stopped)
		return;
	struct tc_mcall_in in;
	struct tc_mout o;
	tc_judge_mcall(a, tag, &in);
	j->mtime = max64(j->mtime, ts);
	tc_model_call(&j->m, &in, j->mtime, &o);
	j->last_input = j->mtime;
	take(j, &o, step, 0);
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

void tc_judge_segment(struct tc_judge *j, const struct tc_seg *s, struct tc_jverdict *v)
{
	char segtext[512], ptext[256], f[32], why[256];
	memset(v, 0, sizeof(*v));
	if (!j->on || j->stopped)
		return;
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
		fire_timers(j, d, 0);
		i = match(j, s);
	}
	if (j->stopped) {
		v->judged = 0;
		return;
	}
	if (i >= 0) {
		snprintf(v->rule, sizeof(v->rule), "%s", j->pred[i].p.rule);
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
	/* No prediction fits: the closest one (same flags first) explains the difference. */
	tc_seg_fmt(s, 1, j->m.iss_known ? j->m.iss : 0, j->our_isn, segtext, sizeof(segtext));
	int best = -1;
	for (int k = 0; k < j->npred && best < 0; k++)
		if ((j->pred[k].p.flags & ~j->pred[k].p.flags_maybe) == (s->flags & ~j->pred[k].p.flags_maybe))
			best = k;
	if (best < 0 && j->npred > 0)
		best = 0;
	v->bad = 1;
	if (best >= 0) {
		const struct tc_jpred *q = &j->pred[best];
		pred_fmt(j, &q->p, ptext, sizeof(ptext));
		if (tc_mseg_check(&q->p, s, f, sizeof(f), why, sizeof(why)) == 0) {
			snprintf(f, sizeof(f), "after");
			snprintf(why, sizeof(why), "it came at %.3f ms, the model predicted it between "
				 "%.3f and %.3f ms", rel_ms(j, s->ts_us), rel_ms(j, q->lo), rel_ms(j, q->hi));
		}
		snprintf(v->field, sizeof(v->field), "%s", f);
		snprintf(v->expected, sizeof(v->expected), "%s", ptext);
		snprintf(v->rule, sizeof(v->rule), "%s", q->p.rule);
		snprintf(v->message, sizeof(v->message), "the target sent %s; the model predicted %s "
			 "(%s)", segtext, ptext, why);
		drop(j, best);
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
	for (int i = 0; i < j->npred && !j->stopped; i++) {
		const struct tc_jpred *q = &j->pred[i];
		if (now <= q->hi + GRACE_US)
			continue;
		pred_fmt(j, &q->p, ptext, sizeof(ptext));
		snprintf(msg, sizeof(msg), "the model predicted %s by %.3f ms; nothing came (rule: %s)",
			 ptext, rel_ms(j, q->hi), q->p.rule);
		int step = q->step;
		char rule[TC_MODEL_RULE];
		snprintf(rule, sizeof(rule), "%s", q->p.rule);
		add_fail(j, step, "segment", ptext, "none", NULL, msg, rule);
		stop(j, step, "diverged: %s", "a segment it predicted did not come");
	}
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
}
