/*
 * judge_fixture.h - the fixture the unit tests of the judge (runner/judge.h) share: one loaded
 * case, one result and one judge as file statics with cmocka setup/teardown, and builders for
 * the segments and application calls a test feeds the judge.
 *
 * Used by test_judge.c, test_judge_alt.c and test_model_verdicts.c. Header-only (static
 * functions, marked unused where a test does not call them), so every test program stays one
 * test file and the Makefile's tests/unit/test_*.c rule builds it unchanged.
 *
 * The connection: the peer (the injector, port 40000, ISN PISN) talks to the target (port 8080,
 * ISN TISN, window JF_TWND); times are in microseconds from T0, MS apart.
 */
#ifndef TC_TEST_JUDGE_FIXTURE_H
#define TC_TEST_JUDGE_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "../../common/names.h"
#include "../../common/seg.h"
#include "../../runner/case.h"
#include "../../runner/judge.h"

#define PISN 1000u
#define TISN 5000u
#define T0 1000000000LL
#define MS 1000LL
#define JF_TWND 1000u /* the window the target advertises */

/* The case id of the fixture's case; a test may define its own before including this. */
#ifndef JF_CASE_ID
#define JF_CASE_ID "t.j"
#endif

#define JF_UNUSED __attribute__((unused))

static struct tc_case kase;
static struct tc_result res;
static struct tc_judge J;

/* A passive open with one SYN and a wait: the judge needs a case, and tests that need other
 * steps or sysctls reload kase from their own text. */
static const char *yaml = "id: " JF_CASE_ID "\ntitle: t\nisn: 1000\nsteps:\n"
			  "  - app: listen\n"
			  "  - send: {flags: S, seq: 0}\n"
			  "  - wait: 1s\n";

/* cmocka group or test setup: loads the case and clears the result. */
static JF_UNUSED int setup(void **st)
{
	(void)st;
	char err[256];
	if (tc_case_load_buf("t.yaml", yaml, strlen(yaml), &kase, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	memset(&res, 0, sizeof(res));
	return 0;
}

/* Frees what setup and the test made (the judge, the case, the result). */
static JF_UNUSED int teardown(void **st)
{
	(void)st;
	tc_judge_free(&J);
	tc_case_free(&kase);
	tc_result_free(&res);
	return 0;
}

/* A segment from the peer to the target (from_target 0) or back (1), stamped ts; no payload
 * bytes but 'x', no options but a SYN's MSS 1460. */
static JF_UNUSED struct tc_seg mkseg(int from_target, uint8_t flags, uint32_t seq, uint32_t ack,
				     size_t len, int64_t ts)
{
	struct tc_seg s;
	memset(&s, 0, sizeof(s));
	s.family = TC_FAMILY_V4;
	s.sport = from_target ? 8080 : 40000;
	s.dport = from_target ? 40000 : 8080;
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.win = from_target ? JF_TWND : 65535;
	s.payload_len = len;
	memset(s.payload, 'x', len);
	s.ts_us = ts;
	if (flags & TC_F_SYN) {
		s.opts[0].kind = TC_OPT_MSS;
		s.opts[0].len = 4;
		s.opts[0].mss = 1460;
		s.nopts = 1;
	}
	return s;
}

/* The peer sends a segment at ts (step 2 of the case). */
static JF_UNUSED void sent(uint8_t flags, uint32_t seq, uint32_t ack, size_t len, int64_t ts)
{
	struct tc_seg s = mkseg(0, flags, seq, ack, len, ts);
	tc_judge_sent(&J, &s, ts, 2);
}

/* The target sends a segment at ts: the judge's verdict on it. */
static JF_UNUSED struct tc_jverdict got(uint8_t flags, uint32_t seq, uint32_t ack, size_t len,
					int64_t ts)
{
	struct tc_jverdict v;
	struct tc_seg s = mkseg(1, flags, seq, ack, len, ts);
	tc_judge_segment(&J, &s, &v);
	return v;
}

/* The application call `call` (len bytes for a write; the others pass their own len) made at
 * ts, as case line `line`, step `step`: the numbers the judge writes into failures. */
static JF_UNUSED void jf_call(int call, long len, int line, int64_t ts, int step)
{
	struct tc_appspec a;
	memset(&a, 0, sizeof(a));
	a.call = call;
	a.len = len;
	tc_judge_call(&J, &a, line, ts, step);
}

#endif
