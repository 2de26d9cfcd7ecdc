/*
 * fake_io.h - the in-memory backend of runner/io.h that the executor's unit tests share: a
 * virtual clock and a queue of timed events (segments from the target, agent lines, the agent's
 * end). Each test file scripts its own target on top of it (what to answer to a send or an agent
 * request) by pushing events; this part keeps time and hands events out in time order, gives
 * the agent answers a fake has nothing special to say about (fio_agent_default), runs a case
 * through the executor (fio_exec) and finds a failure in its result (fio_failure).
 *
 * A test's fake struct must start with a `struct fio`, so the same context pointer serves both.
 * Header-only (static functions): every test program is built from one test file.
 */
#ifndef TC_TEST_FAKE_IO_H
#define TC_TEST_FAKE_IO_H

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../common/seg.h"
#include "../../runner/case.h"
#include "../../runner/exec.h"
#include "../../runner/io.h"

#define FIO_MAX_EVENTS 64
#define FIO_T0 1000000000 /* the virtual clock's start, microseconds */

struct fio_event {
	int64_t at;
	int kind;             /* TC_EV_SEG, TC_EV_AGENT or TC_EV_AGENT_EOF */
	struct tc_seg seg;
	char line[256];
};

struct fio {
	int64_t now;
	struct fio_event ev[FIO_MAX_EVENTS];
	int nev;
	char cur[256];        /* the line handed out by the last wait */
	uint16_t peer_port;   /* the injector's port: set by the test's send, used for replies */
};

static inline void fio_init(struct fio *q)
{
	memset(q, 0, sizeof(*q));
	q->now = FIO_T0;
}

static inline struct fio_event *fio_push(struct fio *q, int64_t at, int kind)
{
	assert_true(q->nev < FIO_MAX_EVENTS);
	struct fio_event *e = &q->ev[q->nev++];
	memset(e, 0, sizeof(*e));
	e->at = at;
	e->kind = kind;
	return e;
}

/* A segment from the target (192.0.2.1:8080) to the injector; returns it for further fields. */
static inline struct tc_seg *fio_push_seg(struct fio *q, int64_t at, uint8_t flags, uint32_t seq,
					   uint32_t ack, size_t len)
{
	struct tc_seg *s = &fio_push(q, at, TC_EV_SEG)->seg;
	s->family = TC_FAMILY_V4;
	inet_pton(AF_INET, "192.0.2.1", s->src);
	inet_pton(AF_INET, "192.0.2.2", s->dst);
	s->sport = 8080;
	s->dport = q->peer_port;
	s->flags = flags;
	s->seq = seq;
	s->ack = ack;
	s->win = 64240;
	s->doff = 5;
	s->checksum_ok = 1;
	s->payload_len = len;
	s->ts_us = at;
	return s;
}

/* Sets s's options from raw bytes, as the decoder would have seen them on the wire. */
static inline void fio_set_opts(struct tc_seg *s, const uint8_t *bytes, size_t n)
{
	memcpy(s->opt_bytes, bytes, n);
	s->opt_len = n;
	s->nopts = tc_opts_decode(s->opt_bytes, s->opt_len, s->opts, TC_MAX_OPTS);
	s->doff = (uint8_t)(5 + (n + 3) / 4);
}

static inline void fio_push_line(struct fio *q, int64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void fio_push_line(struct fio *q, int64_t at, const char *fmt, ...)
{
	struct fio_event *e = fio_push(q, at, TC_EV_AGENT);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->line, sizeof(e->line), fmt, ap);
	va_end(ap);
}

/* tc_io.wait: the earliest event due by deadline, in push order among equal times (the order
 * a real capture would deliver them); otherwise the clock jumps to the deadline. */
static inline int fio_wait(void *ctx, int64_t deadline, struct tc_ev *ev, char *err, size_t cap)
{
	struct fio *q = ctx;
	(void)err;
	(void)cap;
	int best = -1;
	for (int i = 0; i < q->nev; i++)
		if (q->ev[i].at <= deadline && (best < 0 || q->ev[i].at < q->ev[best].at))
			best = i;
	if (best < 0) {
		if (deadline > q->now)
			q->now = deadline;
		return 0;
	}
	struct fio_event e = q->ev[best];
	memmove(&q->ev[best], &q->ev[best + 1], (size_t)(q->nev - best - 1) * sizeof(q->ev[0]));
	q->nev--;
	if (e.at > q->now)
		q->now = e.at;
	ev->kind = e.kind;
	if (e.kind == TC_EV_SEG)
		ev->seg = e.seg;
	snprintf(q->cur, sizeof(q->cur), "%s", e.line);
	ev->line = q->cur;
	return 1;
}

static inline int64_t fio_now(void *ctx)
{
	return ((struct fio *)ctx)->now;
}

/*
 * The first failure of r whose judge is judge, whose field is field and whose level is level
 * (NULL or -1: any). A missing failure comes back as an entry with judge and field "(none)"
 * and level -1, so the assertions that follow fail with a readable message instead of a null
 * dereference, and an assertion on the level of a failure that is not there fails too.
 */
static inline const struct tc_failure *fio_failure(const struct tc_result *r, const char *judge,
						   const char *field, int level)
{
	static const struct tc_failure none = {.judge = "(none)", .field = "(none)", .level = -1};
	for (int i = 0; i < r->nfailures; i++) {
		const struct tc_failure *f = &r->failures[i];
		if ((!judge || strcmp(f->judge, judge) == 0) && (!field || strcmp(f->field, field) == 0) &&
		    (level < 0 || f->level == level))
			return f;
	}
	return &none;
}

/* The answer of a fake agent that has nothing special to say, at time at: "TAG OK" to CONFIG,
 * "TAG OK state=STATE" to STATE, and a call done with ret=0 errno=0 to anything else. */
static inline void fio_agent_default(struct fio *q, int64_t at, int tag, const char *verb,
				     const char *call, const char *state)
{
	if (strcmp(verb, "CONFIG") == 0)
		fio_push_line(q, at, "%d OK", tag);
	else if (strcmp(verb, "STATE") == 0)
		fio_push_line(q, at, "%d OK state=%s", tag, state);
	else
		fio_push_line(q, at, "%d DONE call=%s ret=0 errno=0", tag, call);
}

/* Runs the case yaml against the fake (whose struct starts with a struct fio) through the
 * executor; knobs NULL runs without the reference model. The caller frees *r. */
static inline void fio_exec(void *fake,
			    int (*send)(void *, const struct tc_seg *, int64_t *, char *, size_t),
			    int (*agent)(void *, const char *, char *, size_t), const char *yaml,
			    const struct tc_knobs *knobs, uint32_t seed, struct tc_result *r)
{
	struct tc_case c;
	char err[512];
	if (tc_case_load_buf("t.yaml", yaml, strlen(yaml), &c, err, sizeof(err)) != 0)
		fail_msg("case did not load: %s", err);
	struct tc_io io = {fake, send, fio_wait, agent, fio_now};
	struct tc_exec_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.family = TC_FAMILY_V4;
	cfg.seed = seed;
	cfg.knobs = knobs;
	inet_pton(AF_INET, "192.0.2.1", cfg.target_addr);
	inet_pton(AF_INET, "192.0.2.2", cfg.peer_addr);
	memset(r, 0, sizeof(*r));
	tc_exec_case(&c, &cfg, &io, r);
	tc_case_free(&c);
}

#endif
