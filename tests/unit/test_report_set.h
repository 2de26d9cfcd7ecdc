/*
 * test_report_set.h - a fixed set of results for the report tests: one of each display verdict
 * (fail with two mismatches and a full ladder, error, skip, known deviation, fixed, a pass
 * whose id holds a '#', and a warn whose only failure departs from a SHOULD, judged by the
 * model), with a control character, a stray 0xff byte, UTF-8 and markup in the
 * texts, so every writer's escaping is exercised.
 */
#ifndef TEST_REPORT_SET_H
#define TEST_REPORT_SET_H

#include <stdio.h>
#include <string.h>

#include "../../reports/report.h"
#include "../../common/names.h"
#include "../../common/result.h"

struct set {
	struct tc_result rs[7];
	unsigned char marks[7];
	struct tc_report rep;
};

static inline void set_event(struct tc_result *r, int64_t t, int kind, int step, int status,
			     const char *text, const char *detail)
{
	struct tc_tevent e;
	memset(&e, 0, sizeof(e));
	e.t_us = t;
	e.kind = kind;
	e.step = step;
	e.status = status;
	snprintf(e.text, sizeof(e.text), "%s", text);
	snprintf(e.detail, sizeof(e.detail), "%s", detail);
	tc_result_add_event(r, &e);
}

static inline void set_base(struct tc_result *r, const char *id, const char *fam, int verdict,
			    int64_t ms)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->family, sizeof(r->family), "%s", fam);
	snprintf(r->file, sizeof(r->file), "suites/%s.yaml", id);
	snprintf(r->title, sizeof(r->title), "Title of %s", id);
	r->verdict = verdict;
	r->duration_ms = ms;
	r->seed = 1000 + (uint32_t)ms;
}

static inline void set_build(struct set *s)
{
	struct tc_failure f;
	memset(s, 0, sizeof(*s));
	struct tc_result *r = &s->rs[0];
	set_base(r, "reset.in-window", "ipv6", TC_V_FAIL, 1234);
	snprintf(r->title, sizeof(r->title), "Un titre accentu\xc3\xa9 \"quoted\"");
	tc_result_add_ref(r, "RFC9293-3.10.7.4");
	tc_result_add_ref(r, "MUST-1");
	tc_result_add_tag(r, "rst");
	tc_result_add_tag(r, "window");
	memset(&f, 0, sizeof(f));
	f.step = 3;
	f.line = 12;
	snprintf(f.judge, sizeof(f.judge), "case");
	snprintf(f.field, sizeof(f.field), "ack");
	snprintf(f.expected, sizeof(f.expected), "1");
	snprintf(f.actual, sizeof(f.actual), "2\nsecond line \x01");
	snprintf(f.message, sizeof(f.message), "ack: expected 1, got 2");
	snprintf(f.rule, sizeof(f.rule), "RFC 9293 3.10.7.4: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
	snprintf(f.segment, sizeof(f.segment), "2001:db8::1.8080 > 2001:db8::2.40000: Flags [S.]");
	snprintf(f.req, sizeof(f.req), "MUST-1");
	tc_result_add_failure(r, &f);
	memset(&f, 0, sizeof(f));
	f.step = 6;
	f.line = 20;
	snprintf(f.judge, sizeof(f.judge), "case");
	snprintf(f.field, sizeof(f.field), "segment");
	snprintf(f.expected, sizeof(f.expected), "a segment with flags AF");
	snprintf(f.actual, sizeof(f.actual), "none");
	snprintf(f.message, sizeof(f.message), "no segment arrived within 0.3s (expected flags AF)");
	tc_result_add_failure(r, &f);
	set_event(r, 10, TC_TE_APP_CALL, 1, TC_TE_OK, "listen", "CALL listen");
	set_event(r, 90, TC_TE_APP_DONE, 1, TC_TE_OK, "listen", "ret=0 errno=0");
	set_event(r, 130, TC_TE_SENT, 2, TC_TE_OK, "S 0:0(0) win 65535 <mss 1460>", "");
	set_event(r, 170, TC_TE_RECV, 3, TC_TE_MISMATCH, "S. 0:0(0) ack 2 win 64800 <mss 1440>", "");
	set_event(r, 200, TC_TE_RECV, 0, TC_TE_UNEXPECTED, "R 1:1(0) win 0", "");
	set_event(r, 220, TC_TE_RECV, 0, TC_TE_IGNORED, ". 1:1(0) ack 1 win 502", "");
	set_event(r, 2500, TC_TE_STATE, 5, TC_TE_MISMATCH, "ESTABLISHED", "target; expected CLOSE_WAIT");
	set_event(r, 300700, TC_TE_MISSING, 6, TC_TE_MISMATCH, "AF", "expected, never arrived");
	tc_result_tracef(r, "    0.130 > S 0:0(0)\n    0.170 < S. 0:0(0) ack 2 <b>bold</b>\n");

	r = &s->rs[1];
	set_base(r, "reset.in-window", "ipv4", TC_V_ERROR, 10);
	tc_result_add_ref(r, "RFC9293-3.10.7.4");
	tc_result_add_tag(r, "rst");
	snprintf(r->reason, sizeof(r->reason), "unknown sysctl 'net.ipv4.nope' (bad \xff byte)");
	tc_result_tracef(r, "setup failed\n");

	r = &s->rs[2];
	set_base(r, "handshake.passive-open", "ipv4", TC_V_SKIP, 0);
	tc_result_add_ref(r, "RFC9293-3.5");
	tc_result_add_tag(r, "handshake");
	snprintf(r->reason, sizeof(r->reason), "not for profile 'linux' (only/except)");

	r = &s->rs[3];
	set_base(r, "teardown.fin-wait-2", "ipv4", TC_V_FAIL, 2000);
	snprintf(r->title, sizeof(r->title), "<b>bold</b> title");
	tc_result_add_ref(r, "RFC9293-3.6");
	memset(&f, 0, sizeof(f));
	f.step = 4;
	f.line = 9;
	snprintf(f.judge, sizeof(f.judge), "case");
	snprintf(f.field, sizeof(f.field), "flags");
	snprintf(f.expected, sizeof(f.expected), "F.");
	snprintf(f.actual, sizeof(f.actual), "R.");
	snprintf(f.message, sizeof(f.message), "flags: expected F., got R.");
	tc_result_add_failure(r, &f);
	set_event(r, 100, TC_TE_RECV, 4, TC_TE_MISMATCH, "R. 5:5(0) ack 3 win 0", "");
	s->marks[3] = TC_BL_KNOWN;

	r = &s->rs[4];
	set_base(r, "teardown.fin-wait-2", "ipv6", TC_V_PASS, 1900);
	tc_result_add_ref(r, "RFC9293-3.6");
	set_event(r, 100, TC_TE_RECV, 4, TC_TE_OK, "F. 5:5(0) ack 3 win 502", "");
	s->marks[4] = TC_BL_FIXED;

	r = &s->rs[5];
	set_base(r, "zz.odd#id", "ipv4", TC_V_PASS, 5);
	set_event(r, 1, TC_TE_SENT, 1, TC_TE_OK, "S 0:0(0) win 65535", "");

	/* A warn: the model saw a retransmission before RFC 6298's 1 s minimum, a SHOULD. */
	r = &s->rs[6];
	set_base(r, "timers.rto.initial", "ipv4", TC_V_PASS, 1500);
	tc_result_add_ref(r, "RFC6298-2.1");
	memset(&f, 0, sizeof(f));
	f.step = 7;
	f.line = 30;
	snprintf(f.judge, sizeof(f.judge), "model");
	snprintf(f.field, sizeof(f.field), "after");
	snprintf(f.expected, sizeof(f.expected), ">= 1000 ms");
	snprintf(f.actual, sizeof(f.actual), "210 ms");
	snprintf(f.message, sizeof(f.message), "retransmission after 210 ms, before the 1 s minimum RTO");
	snprintf(f.rule, sizeof(f.rule), "RFC 6298 2.4: the RTO SHOULD be rounded up to 1 second");
	f.level = TC_LVL_SHOULD;
	snprintf(f.req, sizeof(f.req), "RFC6298-2.4");
	tc_result_add_failure(r, &f);
	r->verdict = tc_result_failure_verdict(r);
	set_event(r, 210000, TC_TE_RECV, 7, TC_TE_MISMATCH, "S 0:0(0) win 65535", "");

	s->rep.rs = s->rs;
	s->rep.n = 7;
	s->rep.marks = s->marks;
	s->rep.tool_version = "0.1.0";
	s->rep.target = "linux";
	s->rep.profile = "linux";
	s->rep.date = "2024-05-01T12:00:00Z";
	s->rep.seed = 77;
	s->rep.seconds = 2.5;
}

static inline void set_free(struct set *s)
{
	for (int i = 0; i < 7; i++)
		tc_result_free(&s->rs[i]);
}

#endif
