/*
 * judge.h - the reference model (runner/model/model.h) as the second judge of a run.
 *
 * The executor (exec.c) feeds the judge everything it feeds the target, in the same order and
 * with the same times: every injected segment, every app call, and the passing of time. The
 * judge keeps the model's outstanding predictions, each with a time window, and checks every
 * segment the target sends against them. The rules (docs/model.md "The model in a run"):
 *
 * - a captured segment that matches no outstanding prediction (flags exactly, modulo
 *   flags_maybe; seq, ack, length, option kinds; inside the window) is a model failure;
 * - a prediction whose window closes unmatched is a model failure, except a pure ACK that a
 *   later segment carrying the same or a later acknowledgment superseded;
 * - when the model is `lost` (the case left what it models) it abstains from then on;
 * - after its first disagreement the model's TCB no longer describes the target, so it stops
 *   judging too ("diverged"): one deviation is reported once, not as a cascade.
 */
#ifndef TC_JUDGE_H
#define TC_JUDGE_H

#include <stdint.h>

#include "case.h"
#include "model/model.h"
#include "result.h"

#define TC_JUDGE_MAXP 32

/* How late a target may answer an immediate prediction, and how early it may appear (the
 * capture clock and the send clock are the same, but stamps are taken at different layers). */
#define TC_JUDGE_LATE_US 1000000
#define TC_JUDGE_EARLY_US 5000
/* A timer's prediction: due within max(TIMER_EARLY, span/5) before and max(LATE, span/4)
 * after the model's deadline (span: how long the timer ran). */
#define TC_JUDGE_TIMER_EARLY_US 20000

struct tc_jpred {
	struct tc_mseg p;
	int64_t lo, hi;         /* the window the target's segment must fall in */
	int step;               /* the step whose event made the prediction (0: none) */
};

/* The model's view of one captured segment, kept until the executor consumes the segment. */
struct tc_jverdict {
	int judged;             /* 0: the model abstained (or there is no model) */
	int bad;                /* 1: the model disagrees */
	char field[32];
	char expected[256];     /* what the model predicted, "nothing" */
	char message[512];
	char rule[TC_MODEL_RULE];
};

struct tc_judge {
	int on;                 /* a model judges this run */
	struct tc_model m;
	const struct tc_case *c;
	struct tc_result *r;
	int64_t t0;             /* case start, for messages */
	int64_t mtime;          /* the model's clock: never goes back */
	int64_t last_input;     /* when the model last got an event (a timer's span starts there) */
	uint32_t our_isn;
	int stopped;            /* abstained or diverged: no more judging */
	int stop_step;
	char why[256];          /* why it stopped ("" while judging) */
	char last_rule[TC_MODEL_RULE];
	struct tc_jpred pred[TC_JUDGE_MAXP];
	int npred;
	int nfail;              /* model failures recorded (for the summary) */
};

/*
 * tc_judge_init - start judging case c on family with knobs k (NULL: no model; every other
 * function is then a no-op). peer_port is the injector's port, our_isn our ISN. For the linux
 * profile, the case's sysctls the model knows change the knobs; one it does not know makes the
 * model abstain from the start.
 */
void tc_judge_init(struct tc_judge *j, const struct tc_knobs *k, const struct tc_case *c, int family,
		   uint16_t peer_port, uint32_t our_isn, struct tc_result *r, int64_t t0);

/* We injected s at ts, for step (1-based). */
void tc_judge_sent(struct tc_judge *j, const struct tc_seg *s, int64_t ts, int step);
/* The app call a (agent tag) was issued at ts. */
void tc_judge_call(struct tc_judge *j, const struct tc_appspec *a, int tag, int64_t ts, int step);
/*
 * The target sent s (s->ts_us is its capture time): the model learns from it and matches it.
 * Fills v (v->judged 0 when the model does not judge).
 */
void tc_judge_segment(struct tc_judge *j, const struct tc_seg *s, struct tc_jverdict *v);
/* Time passed up to now: fires due model timers, and closes prediction windows (each window
 * closing unmatched becomes a failure with judge "model" in the result). */
void tc_judge_tick(struct tc_judge *j, int64_t now);
/* The next time tc_judge_tick has something to do, or 0. */
int64_t tc_judge_next(const struct tc_judge *j);
/* When every prediction due by now has had its window closed (for the end of a case), or 0. */
int64_t tc_judge_settle(const struct tc_judge *j, int64_t now);
/* Number of outstanding predictions, and the first one (formatted) in buf. */
int tc_judge_pending(const struct tc_judge *j, char *buf, size_t cap);
/* Drops the first outstanding prediction (expect: auto gave up on it). */
void tc_judge_drop_first(struct tc_judge *j);
/* The model's state (enum tc_state), or -1 when it does not judge. */
int tc_judge_state(struct tc_judge *j, int64_t now);
/* The model disagreed with the target on something the executor checked (a state): stop. */
void tc_judge_diverged(struct tc_judge *j, int step, const char *what);
/* Values of the names rcv_nxt, rcv_wnd, snd_nxt, snd_una; 0, or -1 with why in err. */
int tc_judge_names(const struct tc_judge *j, int64_t names[4], char *err, size_t cap);
/* A short label of the model's state for events: "ESTABLISHED", "abstained", or "". */
void tc_judge_label(const struct tc_judge *j, char *buf, size_t cap);
/* The case-level note for the result's `model` field. */
void tc_judge_summary(const struct tc_judge *j, char *buf, size_t cap);

/* Maps a case's app call to the model's (the same mapping the simulator uses). */
void tc_judge_mcall(const struct tc_appspec *a, int tag, struct tc_mcall_in *in);

#endif
