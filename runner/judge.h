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
 * - on a disagreement the judge first looks for an alternative the profile layer offers
 *   (runner/model/profile.h tc_kalt_candidates: a learned RTO, challenge ACKs off, classic Nagle
 *   ...): it replays everything it was fed on a model with that knob changed, and when the
 *   replay explains everything seen so far it adopts the alternative and judges on. Departing
 *   from a SHOULD that way is one failure of level SHOULD with the knob's requirement; a choice
 *   the RFCs permit is no failure, only a note in the summary;
 * - otherwise the failure has the level of the prediction's rule (tc_mseg.level): a SHOULD-level
 *   prediction that does not come (or comes outside its window) is a SHOULD failure and the
 *   judge drops it and goes on; at MUST level the model's TCB no longer describes the target,
 *   so it stops judging ("diverged"): one deviation is reported once, not as a cascade.
 */
#ifndef TC_JUDGE_H
#define TC_JUDGE_H

#include <stdint.h>

#include "case.h"
#include "model/model.h"
#include "model/profile.h"
#include "../common/result.h"

#define TC_JUDGE_MAXP 32

/* How late a target may answer an immediate prediction, and how early it may appear (the
 * capture clock and the send clock are the same, but stamps are taken at different layers). */
#define TC_JUDGE_LATE_US 1000000
#define TC_JUDGE_EARLY_US 5000
/* A timer's prediction: due within max(TIMER_EARLY, span/5) before and max(LATE, span/4)
 * after the model's deadline (span: how long the timer ran). */
#define TC_JUDGE_TIMER_EARLY_US 20000

/* Bounds of the replay work (docs/model.md "Alternatives"): inputs logged (a case has fewer
 * than 200; past this no alternative is tried), alternatives adopted at once, replays per run. */
#define TC_JUDGE_MAXLOG 256
#define TC_JUDGE_MAXALT 4
#define TC_JUDGE_MAXREPLAY 48

struct tc_jpred {
	struct tc_mseg p;
	int64_t lo, hi;         /* the window the target's segment must fall in */
	int step;               /* the step whose event made the prediction (0: none) */
	int64_t cause;          /* the model's clock at the input that made it */
	/* Made by the retransmission timer: when it was armed, and how often backed off before. */
	int rtx;
	int64_t rtx_armed;
	int rtx_backoff;
};

/* One input of the run, kept so a disagreement can be replayed under an alternative. */
struct tc_jlog {
	int kind;               /* 1 sent, 2 app call, 3 captured segment */
	int64_t ts;
	int step;
	struct tc_mcall_in in;  /* kind 2 (data points into the case, which outlives the run) */
	struct tc_seg s;        /* kinds 1 and 3 */
};

/* The model's view of one captured segment, kept until the executor consumes the segment. */
struct tc_jverdict {
	int judged;             /* 0: the model abstained (or there is no model) */
	int bad;                /* 1: the model disagrees */
	char field[32];
	char expected[256];     /* what the model predicted, "nothing" */
	char message[512];
	char rule[TC_MODEL_RULE];
	int level;              /* enum tc_level of the disagreement (bad only) */
	char req[32];           /* its requirement, or "" */
	int step;               /* the step current when the segment was captured (exec.c) */
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
	/* The last reset the target sent that the model predicted: an identical copy of it is
	 * harmless (tc_judge_segment). */
	int have_rst;
	uint32_t rst_seq, rst_ack;
	uint8_t rst_flags;
	struct tc_jpred pred[TC_JUDGE_MAXP];
	int npred;
	int nfail;              /* model failures recorded (for the summary) */
	/* Alternatives: the knobs the run started with, the inputs so far, what was adopted. */
	struct tc_knobs k0;
	int family;
	uint16_t peer_port;
	struct tc_jlog *log;    /* heap, TC_JUDGE_MAXLOG entries once the first input came */
	int nlog;
	int log_full;           /* more inputs than the log keeps: no more alternatives */
	struct tc_kalt adopted[TC_JUDGE_MAXALT];
	int nadopt;
	int nreplay;
	int nshould;            /* SHOULD-level misses so far (a replay may not have more) */
	int replay;             /* this judge is a replay: no result, no log, no alternatives */
	int rbad;               /* replay: a MUST-level disagreement happened */
	char notes[384];        /* alternatives adopted, for the summary */
};

/*
 * tc_judge_init - start judging case c on family with knobs k (NULL: no model; every other
 * function is then a no-op). peer_port is the injector's port, our_isn our ISN. The case's
 * sysctls configure the knobs as tc_judge_case_knobs() says (under the linux profile, one the
 * model does not know makes it abstain from the start).
 */
void tc_judge_init(struct tc_judge *j, const struct tc_knobs *k, const struct tc_case *c, int family,
		   uint16_t peer_port, uint32_t our_isn, struct tc_result *r, int64_t t0);

/* Frees the input log (the judge may be initialised again afterwards). */
void tc_judge_free(struct tc_judge *j);

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
/*
 * The target reports state target_state (enum tc_state) at now and the model says otherwise:
 * looks for an alternative that explains it. Returns 1 when one was adopted (the model now
 * agrees; v, when not NULL, describes the deviation: v->bad with level SHOULD, or v->bad 0 for a
 * permitted choice), 0 when none explains it (the caller reports and calls tc_judge_diverged).
 */
int tc_judge_explain_state(struct tc_judge *j, int target_state, int64_t now, int step,
			   struct tc_jverdict *v);
/* The model disagreed with the target on something the executor checked (a state): stop. */
void tc_judge_diverged(struct tc_judge *j, int step, const char *what);
/* Values of the names rcv_nxt, rcv_wnd, snd_nxt, snd_una; 0, or -1 with why in err. */
int tc_judge_names(const struct tc_judge *j, int64_t names[4], char *err, size_t cap);
/* A short label of the model's state for events: "ESTABLISHED", "abstained", or "". */
void tc_judge_label(const struct tc_judge *j, char *buf, size_t cap);
/* The case-level note for the result's `model` field. */
void tc_judge_summary(const struct tc_judge *j, char *buf, size_t cap);

/*
 * tc_judge_case_knobs - applies the case's sysctls the model knows to k, under every profile: a
 * sysctl configures the stack for the run (retry counts, timeouts, RFC 1337, which options it
 * offers: parameters the RFCs leave to the implementation), so the model must judge the stack
 * as configured. One the model does not know is ignored by every profile but linux (they judge the
 * standard) and makes the linux profile abstain (-1, with why): it claims to model Linux. The
 * judge and the simulator of lint (sim.c) both use it, so a run and lint agree.
 */
int tc_judge_case_knobs(struct tc_knobs *k, const struct tc_case *c, char *why, size_t cap);

/* Maps a case's app call to the model's (the same mapping the simulator uses). */
void tc_judge_mcall(const struct tc_appspec *a, int tag, struct tc_mcall_in *in);

#endif
