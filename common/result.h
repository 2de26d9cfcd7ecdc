/*
 * result.h - the outcome of one case run on one address family: verdict, failures, trace.
 *
 * Results cross a process boundary (each case runs in a forked worker, see sched.h), so they are
 * plain data with fixed-size strings plus a heap-allocated list, serialised by tc_result_write()
 * and read back by tc_result_read().
 */
#ifndef TC_RESULT_H
#define TC_RESULT_H

#include <stddef.h>
#include <stdint.h>

#define TC_RESULT_MAX_REFS 16 /* refs and tags kept per result; more are dropped */

/* TC_V_WARN: the target departed only from SHOULD-level requirements (case-format.md
 * "Verdicts"); it is appended so the numbers of the older verdicts stay what they were. */
enum tc_verdict { TC_V_PASS = 0, TC_V_FAIL, TC_V_ERROR, TC_V_SKIP, TC_V_WARN, TC_V_COUNT };

const char *tc_verdict_name(int v);

/* One mismatch, field by field, as the issue and the reports require. */
struct tc_failure {
	int step;               /* 1-based step number; 0 for the case as a whole */
	int line;               /* YAML line of the step (or of the field) */
	char judge[8];          /* "case" today; "model" and "both" once the model judges */
	char field[32];         /* e.g. "ack", "flags", "state", "ret", "segment" */
	char expected[256];
	char actual[256];
	char message[512];      /* one readable sentence */
	char segment[512];      /* the segment actually received, tcpdump-style, or "" */
	char rule[160];         /* the reference model's rule (judge "model"/"both"), or "" */
	int level;              /* enum tc_level (common/names.h) of the requirement broken */
	char req[48];           /* that requirement: "MUST-13", "SHLD-18", "RFC6298-2.4", or "" */
};


/*
 * One event of a run, in time order, for ladder diagrams and explanations: what was sent and
 * received, app calls and their results, state checks, segments that were expected but never
 * came. Times are relative to the case start.
 */
enum tc_tevent_kind {
	TC_TE_SENT = 1,     /* we injected a segment */
	TC_TE_RECV,         /* the target sent a segment */
	TC_TE_APP_CALL,     /* an app call was issued at the target */
	TC_TE_APP_DONE,     /* an app call completed */
	TC_TE_STATE,        /* a state check: text = the target's state */
	TC_TE_MISSING,      /* an expected segment that did not arrive: text = what was expected */
};
#define TC_TE_OK 0          /* matched what a step expected, or needed no check */
#define TC_TE_MISMATCH 1    /* consumed by a step, but some field differed */
#define TC_TE_UNEXPECTED 2  /* a segment no step expected */
#define TC_TE_IGNORED 3     /* a segment skipped because of the case's `ignore:` */

struct tc_tevent {
	int64_t t_us;           /* microseconds since the case started */
	int kind;               /* enum tc_tevent_kind */
	int step;               /* 1-based step that produced or consumed it; 0 if none */
	int status;             /* TC_TE_* status */
	char text[224];         /* short tcpdump form of a segment, the call, or the state */
	char detail[160];       /* e.g. "ret=0 errno=0", or the model's state/rule later */
	/* The reference model's state after this event ("ESTABLISHED"), "abstained" or "diverged"
	 * once it stopped judging (runner/judge.h), "" without a model. JSON: "model". */
	char model[24];
};

struct tc_result {
	char id[128];
	char file[512];
	char title[256];
	char family[8];         /* "ipv4" / "ipv6" */
	int verdict;
	int64_t duration_ms;
	char reason[512];       /* skip or error reason */
	/* The case's requirement references and tags (case.h), copied so reports built from
	 * results alone (merged shards, the JSON file) can group by requirement and tag. */
	char refs[TC_RESULT_MAX_REFS][48];
	int nrefs;
	char tags[TC_RESULT_MAX_REFS][32];
	int ntags;
	struct tc_failure *failures;
	int nfailures, capfailures;
	struct tc_tevent *events; /* the run's events in time order (owned) */
	int nevents, capevents;
	char *trace;            /* text log of the run (sent/received segments, app calls), owned */
	size_t trace_len, trace_cap;
	uint32_t seed;
	/* The reference model's note on the run (runner/judge.h): "profile P: judged every segment
	 * and state", or "profile P: abstained: why (step N)"; "" without a model. JSON: "model". */
	char model[256];
};

/* Appends a failure (copying *f). Returns 0, or -1 on allocation failure. */
int tc_result_add_failure(struct tc_result *r, const struct tc_failure *f);
/* Appends an event; returns its index, or -1 on allocation failure (the event is dropped). */
int tc_result_add_event(struct tc_result *r, const struct tc_tevent *e);
/* Appends formatted text to the trace. */
void tc_result_tracef(struct tc_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append a requirement reference / a tag (truncated to fit; beyond TC_RESULT_MAX_REFS dropped). */
void tc_result_add_ref(struct tc_result *r, const char *ref);
void tc_result_add_tag(struct tc_result *r, const char *tag);
void tc_result_free(struct tc_result *r);
/* The verdict failures give: fail when one of them breaks a MUST, warn when all are SHOULD or
 * MAY departures, pass when there are none. */
int tc_result_failure_verdict(const struct tc_result *r);

/* Serialise r to fd (a pipe). Returns 0 or -1. */
int tc_result_write(int fd, const struct tc_result *r);
/* Parse one serialised result from buf (len bytes). Returns 0 or -1. */
int tc_result_read(const char *buf, size_t len, struct tc_result *r);

#endif
