/*
 * test_loader.c - unit tests for the YAML case loader (runner/case_load.c).
 *
 * Error tests compare the whole message, so each one pins the line, the column, the wording and
 * the quoted input: a change in any of them is a visible change in what case authors see.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/names.h"
#include "../../runner/case.h"

/* The lines every minimal case starts with; steps then begin on line 4. */
#define H "id: a\ntitle: t\nsteps:\n"

static int load(const char *yaml, struct tc_case *c, char *err, size_t cap)
{
	return tc_case_load_buf("t.yaml", yaml, strlen(yaml), c, err, cap);
}

/* Loads yaml, which must succeed; the caller frees. */
static void load_ok(const char *yaml, struct tc_case *c)
{
	char err[512] = "";
	if (load(yaml, c, err, sizeof(err)) != 0)
		fail_msg("load failed: %s\n--- input ---\n%s", err, yaml);
}

/* Loads yaml, which must fail with exactly want, and leave the case empty. */
static void load_err(const char *yaml, const char *want)
{
	struct tc_case c;
	char err[512] = "";
	memset(&c, 0x5a, sizeof(c));
	if (load(yaml, &c, err, sizeof(err)) == 0) {
		tc_case_free(&c);
		fail_msg("load succeeded, wanted: %s\n--- input ---\n%s", want, yaml);
	}
	if (strcmp(err, want) != 0)
		fail_msg("wrong error\n  got:  %s\n  want: %s\n--- input ---\n%s", err, want, yaml);
	assert_null(c.steps);
	assert_null(c.id);
	assert_null(c.file);
	assert_int_equal(c.nsteps, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Successful loads */

static const char spec_example[] =
	"id: reset.in-window-not-exact.challenge-ack     # unique\n"
	"title: An in-window RST that is not RCV.NXT draws a challenge ACK\n"
	"refs: [RFC5961-3.2, RFC9293-3.10.7.4]\n"
	"tags: [reset, rfc5961]\n"
	"family: [ipv4, ipv6]\n"
	"role: server\n"
	"port: 8080\n"
	"timeout: 10s\n"
	"only: [linux]\n"
	"except: []\n"
	"sysctl: {net.ipv4.tcp_invalid_ratelimit: 0}\n"
	"steps:\n"
	"  - app: listen\n"                                                   /* 13 */
	"  - send: {flags: S, seq: 0, win: 65535, options: [{mss: 1460}]}\n"   /* 14 */
	"  - expect: {flags: SA, ack: 1}\n"                                    /* 15 */
	"  - send: {flags: A, seq: 1, ack: 1}\n"                               /* 16 */
	"  - app: accept\n"                                                    /* 17 */
	"  - state: ESTABLISHED\n"                                             /* 18 */
	"  - send: {flags: R, seq: 101}\n"                                     /* 19 */
	"  - expect: {flags: A, seq: 1, ack: 1}\n"                             /* 20 */
	"  - state: ESTABLISHED\n";                                            /* 21 */

static int64_t lit(const struct tc_num *n)
{
	int64_t v = -999;
	char err[100];
	assert_int_equal(n->set, 1);
	assert_int_equal(tc_expr_eval(&n->expr, NULL, &v, err, sizeof(err)), 0);
	return v;
}

static void test_spec_example(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(spec_example, &c);
	assert_string_equal(c.file, "t.yaml");
	assert_string_equal(c.id, "reset.in-window-not-exact.challenge-ack");
	assert_int_equal(c.id_pos.line, 1);
	assert_int_equal(c.id_pos.col, 5);
	assert_string_equal(c.title, "An in-window RST that is not RCV.NXT draws a challenge ACK");
	assert_int_equal(c.nrefs, 2);
	assert_string_equal(c.refs[0], "RFC5961-3.2");
	assert_string_equal(c.refs[1], "RFC9293-3.10.7.4");
	assert_int_equal(c.ntags, 2);
	assert_string_equal(c.tags[1], "rfc5961");
	assert_int_equal(c.families, TC_FAM_MASK_V4 | TC_FAM_MASK_V6);
	assert_int_equal(c.role, TC_ROLE_SERVER);
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.timeout_us, 10000000);
	assert_int_equal(c.nonly, 1);
	assert_string_equal(c.only[0], "linux");
	assert_int_equal(c.nexcept, 0);
	assert_int_equal(c.nsysctls, 1);
	assert_string_equal(c.sysctls[0].key, "net.ipv4.tcp_invalid_ratelimit");
	assert_string_equal(c.sysctls[0].value, "0");
	assert_int_equal(c.sysctls[0].pos.line, 11);
	assert_int_equal(c.sysctls[0].pos.col, 10);
	assert_int_equal(c.isn_set, 0);

	assert_int_equal(c.nsteps, 9);
	assert_int_equal(c.steps[0].kind, TC_STEP_APP);
	assert_int_equal(c.steps[0].app.call, TC_APP_LISTEN);
	assert_int_equal(c.steps[0].app.backlog, -1);
	assert_int_equal(c.steps[0].app.within_us, 1000000);
	assert_int_equal(c.steps[0].pos.line, 13);
	assert_int_equal(c.steps[0].pos.col, 5);
	assert_int_equal(c.steps[0].after_us, -1);
	assert_int_equal(c.steps[0].at_us, -1);

	const struct tc_step *s = &c.steps[1];
	assert_int_equal(s->kind, TC_STEP_SEND);
	assert_int_equal(s->pos.line, 14);
	assert_int_equal(s->seg.flags_set, 1);
	assert_int_equal(s->seg.flags, TC_F_SYN);
	assert_int_equal(s->seg.flags_pos.line, 14);
	assert_int_equal(s->seg.flags_pos.col, 19);
	assert_int_equal(lit(&s->seg.seq), 0);
	assert_int_equal(s->seg.seq.abs, 0);
	assert_int_equal(s->seg.seq.pos.col, 27);
	assert_int_equal(lit(&s->seg.win), 65535);
	assert_int_equal(s->seg.win.pos.col, 35);
	assert_int_equal(s->seg.ack.set, 0);
	assert_int_equal(s->seg.options_set, 1);
	assert_int_equal(s->seg.noptions, 1);
	assert_int_equal(s->seg.options[0].kind, TC_OPT_MSS);
	assert_int_equal(s->seg.options[0].has_value, 1);
	assert_int_equal(s->seg.options[0].v[0], 1460);
	assert_int_equal(s->seg.options[0].pos.col, 52);
	assert_int_equal(s->seg.pl_kind, TC_PL_NONE);

	s = &c.steps[2];
	assert_int_equal(s->kind, TC_STEP_EXPECT);
	assert_int_equal(s->seg.flags, TC_F_SYN | TC_F_ACK);
	assert_int_equal(lit(&s->seg.ack), 1);
	assert_int_equal(s->seg.seq.set, 0);
	assert_int_equal(s->seg.options_set, 0);
	assert_int_equal(s->within_us, 1000000);
	assert_int_equal(s->exp_after_us, -1);
	assert_int_equal(s->expect_auto, 0);

	assert_int_equal(c.steps[4].app.call, TC_APP_ACCEPT);
	assert_int_equal(c.steps[5].kind, TC_STEP_STATE);
	assert_int_equal(c.steps[5].state, TC_ST_ESTABLISHED);
	assert_int_equal(c.steps[5].within_us, 300000);
	assert_int_equal(c.steps[6].seg.flags, TC_F_RST);
	assert_int_equal(lit(&c.steps[6].seg.seq), 101);
	assert_int_equal(c.steps[8].pos.line, 21);
	tc_case_free(&c);
	assert_null(c.steps);
	tc_case_free(&c); /* freeing twice is harmless: free zeroes the struct */
}

static void test_defaults_and_scalars(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok("id: x.y_z-1\ntitle: \"t\"\nfamily: ipv6\nrole: client\nport: 0x50\ntimeout: 1.5s\n"
		"isn: 4294967295\npeer_port: 40000\nignore: [A, \"\", FA]\nrefs: MUST-13\n"
		"x-owner: {anything: [goes]}\n" "steps:\n  - wait: 100us\n", &c);
	assert_int_equal(c.families, TC_FAM_MASK_V6);
	assert_int_equal(c.role, TC_ROLE_CLIENT);
	assert_int_equal(c.port, 80);
	assert_int_equal(c.timeout_us, 1500000);
	assert_int_equal(c.isn_set, 1);
	assert_int_equal(c.isn, 4294967295u);
	assert_int_equal(c.peer_port, 40000);
	assert_int_equal(c.nignore, 3);
	assert_int_equal(c.ignore_flags[0], TC_F_ACK);
	assert_int_equal(c.ignore_flags[1], 0);
	assert_int_equal(c.ignore_flags[2], TC_F_FIN | TC_F_ACK);
	assert_int_equal(c.nrefs, 1);
	assert_string_equal(c.refs[0], "MUST-13");
	assert_int_equal(c.steps[0].kind, TC_STEP_WAIT);
	assert_int_equal(c.steps[0].wait_us, 100);
	tc_case_free(&c);

	load_ok(H "  - wait: 1s\n", &c);
	assert_int_equal(c.families, TC_FAM_MASK_V4 | TC_FAM_MASK_V6);
	assert_int_equal(c.role, TC_ROLE_SERVER);
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.timeout_us, 10000000);
	assert_int_equal(c.peer_port, 0);
	assert_int_equal(c.nignore, 0);
	tc_case_free(&c);
}

static void test_send_fields(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H
		"  - send: {flags: PA, seq: rcv_nxt + rcv_wnd - 1, ack_abs: 0xffffffff, win: 0, urg: 3,\n"
		"           ttl: 1, tos: 0xb8, df: true, ip_id: 65535, doff: 15, sport: 1, dport: 65535,\n"
		"           hex: \"de ad:BE ef\", checksum: bad}\n"
		"  - send: {flags: \"\", seq_abs: 7, data: \"hi\\0there\", df: 0}\n"
		"  - send: {seq: -1, len: 1500}\n"
		"  - send: {flags: A, after: 250ms}\n"
		"  - send: {flags: A, at: 1s}\n",
		&c);
	assert_int_equal(c.steps[3].after_us, 250000);
	assert_int_equal(c.steps[3].at_us, -1);
	assert_int_equal(c.steps[4].at_us, 1000000);
	assert_int_equal(c.steps[4].after_us, -1);
	const struct tc_segspec *g = &c.steps[0].seg;
	assert_int_equal(g->flags, TC_F_PSH | TC_F_ACK);
	assert_int_equal(g->seq.set, 1);
	assert_int_equal(g->seq.expr.uses_names, 1);
	int64_t names[TC_NAME_COUNT] = {[TC_NAME_RCV_NXT] = 100, [TC_NAME_RCV_WND] = 50};
	int64_t v;
	assert_int_equal(tc_expr_eval(&g->seq.expr, names, &v, NULL, 0), 0);
	assert_int_equal(v, 149);
	assert_int_equal(g->ack.abs, 1);
	assert_int_equal(lit(&g->ack), 0xffffffffLL);
	assert_int_equal(lit(&g->win), 0);
	assert_int_equal(lit(&g->urg), 3);
	assert_int_equal(lit(&g->ttl), 1);
	assert_int_equal(lit(&g->tos), 0xb8);
	assert_int_equal(lit(&g->df), 1);
	assert_int_equal(lit(&g->ip_id), 65535);
	assert_int_equal(lit(&g->doff), 15);
	assert_int_equal(lit(&g->sport), 1);
	assert_int_equal(lit(&g->dport), 65535);
	assert_int_equal(g->ttl.pos.line, 5);
	assert_int_equal(g->pl_kind, TC_PL_BYTES);
	assert_int_equal(g->nbytes, 4);
	assert_memory_equal(g->bytes, "\xde\xad\xbe\xef", 4);
	assert_int_equal(g->data_pos.line, 6);
	assert_int_equal(g->data_pos.col, 17);
	assert_int_equal(g->checksum_bad, 1);

	g = &c.steps[1].seg;
	assert_int_equal(g->flags_set, 1);
	assert_int_equal(g->flags, 0);
	assert_int_equal(g->seq.abs, 1);
	assert_int_equal(lit(&g->seq), 7);
	assert_int_equal(g->nbytes, 8); /* the NUL escape is kept: data is bytes, not a C string */
	assert_memory_equal(g->bytes, "hi\0there", 8);
	assert_int_equal(lit(&g->df), 0);
	assert_int_equal(g->checksum_bad, 0);

	g = &c.steps[2].seg;
	assert_int_equal(g->flags_set, 0);
	assert_int_equal(g->flags, TC_F_ACK); /* documented default for a send */
	assert_int_equal(lit(&g->seq), -1);
	assert_int_equal(g->pl_kind, TC_PL_LEN);
	assert_int_equal(lit(&g->len), 1500);
	assert_int_equal(g->len_pos.line, 8);
	tc_case_free(&c);
}

static void test_options(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H
		"  - send: {flags: S, options: [{mss: 1460}, nop, {wscale: 14}, sack_ok, {ts: [4294967295, 0]}, eol]}\n"
		"  - send: {flags: A, options: [{sack: [[1, 2], [3, 4], [5, 6], [7, 8]]}, {raw: \"fe0401ff\"}]}\n"
		"  - expect: {flags: SA, options: [mss, nop, wscale, sack_ok, ts, sack, {mss: 536}],\n"
		"             options_include: [mss, 30], options_exclude: [ts]}\n"
		"  - send: {flags: S, options: []}\n",
		&c);
	const struct tc_segspec *g = &c.steps[0].seg;
	assert_int_equal(g->noptions, 6);
	assert_int_equal(g->options[0].kind, TC_OPT_MSS);
	assert_int_equal(g->options[1].kind, TC_OPT_NOP);
	assert_int_equal(g->options[2].kind, TC_OPT_WSCALE);
	assert_int_equal(g->options[2].v[0], 14);
	assert_int_equal(g->options[3].kind, TC_OPT_SACK_OK);
	assert_int_equal(g->options[4].kind, TC_OPT_TS);
	assert_int_equal(g->options[4].v[0], 4294967295u);
	assert_int_equal(g->options[4].v[1], 0);
	assert_int_equal(g->options[5].kind, TC_OPT_EOL);
	assert_int_equal(g->options_pos.col, 31);

	g = &c.steps[1].seg;
	assert_int_equal(g->options[0].kind, TC_OPT_SACK);
	assert_int_equal(g->options[0].nsack, 4);
	assert_int_equal(g->options[0].v[6], 7);
	assert_int_equal(g->options[0].v[7], 8);
	assert_int_equal(g->options[1].is_raw, 1);
	assert_int_equal(g->options[1].kind, 0xfe);
	assert_int_equal(g->options[1].raw_len, 4);
	assert_memory_equal(g->options[1].raw, "\xfe\x04\x01\xff", 4);

	g = &c.steps[2].seg;
	assert_int_equal(g->noptions, 7);
	for (int i = 0; i < 6; i++)
		if (g->options[i].kind != TC_OPT_NOP && g->options[i].kind != TC_OPT_SACK_OK)
			assert_int_equal(g->options[i].has_value, 0);
	assert_int_equal(g->options[6].has_value, 1);
	assert_int_equal(g->options[6].v[0], 536);
	assert_int_equal(g->ninclude, 2);
	assert_int_equal(g->include_kinds[0], TC_OPT_MSS);
	assert_int_equal(g->include_kinds[1], 30);
	assert_int_equal(g->nexclude, 1);
	assert_int_equal(g->exclude_kinds[0], TC_OPT_TS);

	assert_int_equal(c.steps[3].seg.options_set, 1);
	assert_int_equal(c.steps[3].seg.noptions, 0);
	tc_case_free(&c);
}

static void test_expect_timing(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H
		"  - expect: {flags: A, after: 100ms}\n"
		"  - expect: {flags: A, after: 1s}\n"
		"  - expect: {flags: A, after: 3s, tolerance: 1s, within: 5s}\n"
		"  - expect: auto\n"
		"  - expect: auto\n    within: 2s\n"
		"  - send: {flags: A}\n    after: 50ms\n"
		"  - wait: 1s\n    at: 2s\n",
		&c);
	/* Default tolerance: 10% of after, but at least 20 ms. */
	assert_int_equal(c.steps[0].exp_after_us, 100000);
	assert_int_equal(c.steps[0].tolerance_us, 20000);
	assert_int_equal(c.steps[1].tolerance_us, 100000);
	assert_int_equal(c.steps[2].exp_after_us, 3000000);
	assert_int_equal(c.steps[2].tolerance_us, 1000000);
	assert_int_equal(c.steps[2].within_us, 5000000);
	assert_int_equal(c.steps[2].after_us, -1);
	assert_int_equal(c.steps[3].expect_auto, 1);
	assert_int_equal(c.steps[3].within_us, 1000000);
	assert_int_equal(c.steps[4].within_us, 2000000);
	assert_int_equal(c.steps[5].after_us, 50000);
	assert_int_equal(c.steps[5].at_us, -1);
	assert_int_equal(c.steps[6].at_us, 2000000);
	assert_int_equal(c.steps[6].after_us, -1);
	tc_case_free(&c);
}

static void test_expect_none_state_wait(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H
		"  - expect_none: 500ms\n"
		"  - expect_none: {for: 1s, flags: R}\n"
		"  - state: {is: TIME_WAIT, within: 2s}\n"
		"  - state: CLOSED\n    within: 1s\n"
		"  - wait: 2m\n",
		&c);
	assert_int_equal(c.steps[0].kind, TC_STEP_EXPECT_NONE);
	assert_int_equal(c.steps[0].none_us, 500000);
	assert_int_equal(c.steps[0].none_flags_set, 0);
	assert_int_equal(c.steps[1].none_us, 1000000);
	assert_int_equal(c.steps[1].none_flags_set, 1);
	assert_int_equal(c.steps[1].none_flags, TC_F_RST);
	assert_int_equal(c.steps[2].state, TC_ST_TIME_WAIT);
	assert_int_equal(c.steps[2].within_us, 2000000);
	assert_int_equal(c.steps[3].state, TC_ST_CLOSED);
	assert_int_equal(c.steps[3].within_us, 1000000);
	assert_int_equal(c.steps[4].wait_us, 120000000);
	tc_case_free(&c);
}

static void test_app_calls(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H
		"  - app: {call: listen, backlog: 5, sock: listener}\n"
		"  - app: {call: read, len: 100, expect: {ret: 100, errno: ECONNRESET, data: \"ab\"}, within: 2s}\n"
		"  - app: {call: write, data: \"hello\"}\n"
		"  - app: {call: write, len: 1000, sock: conn}\n"
		"  - app: {call: shutdown, how: rdwr}\n"
		"  - app: {call: setsockopt, opt: SO_LINGER, value: [1, 0]}\n"
		"  - app: {call: setsockopt, opt: TCP_NODELAY, value: true}\n"
		"  - app: {call: getsockopt, opt: SO_RCVBUF, expect: {value: 65536, errno: 0}}\n"
		"  - app: connect\n    within: 3s\n"
		"  - app: {call: close, expect: {ret: -1, errno: EBADF}}\n"
		"  - app: {call: read, len: 1, after: 100ms}\n"
		"  - app: {call: accept, at: 2s}\n",
		&c);
	assert_int_equal(c.steps[10].after_us, 100000);
	assert_int_equal(c.steps[10].at_us, -1);
	assert_int_equal(c.steps[11].at_us, 2000000);
	const struct tc_appspec *a = &c.steps[0].app;
	assert_int_equal(a->call, TC_APP_LISTEN);
	assert_int_equal(a->backlog, 5);
	assert_int_equal(a->sock, TC_SOCK_LISTENER);
	a = &c.steps[1].app;
	assert_int_equal(a->call, TC_APP_READ);
	assert_int_equal(a->len, 100);
	assert_int_equal(a->exp_ret_set, 1);
	assert_int_equal(a->exp_ret, 100);
	assert_int_equal(a->exp_errno_set, 1);
	assert_string_equal(a->exp_errno, "ECONNRESET");
	assert_int_equal(a->exp_ndata, 2);
	assert_memory_equal(a->exp_data, "ab", 2);
	assert_int_equal(a->within_us, 2000000);
	assert_int_equal(a->exp_pos.line, 5);
	assert_int_equal(a->exp_pos.col, 41);
	a = &c.steps[2].app;
	assert_int_equal(a->ndata, 5);
	assert_memory_equal(a->data, "hello", 5);
	assert_int_equal(a->len, -1);
	assert_int_equal(c.steps[3].app.len, 1000);
	assert_int_equal(c.steps[3].app.sock, TC_SOCK_CONN);
	assert_int_equal(c.steps[4].app.how, 2);
	a = &c.steps[5].app;
	assert_string_equal(a->opt, "SO_LINGER");
	assert_int_equal(a->nvalue, 2);
	assert_int_equal(a->value[0], 1);
	assert_int_equal(a->value[1], 0);
	assert_int_equal(c.steps[6].app.nvalue, 1);
	assert_int_equal(c.steps[6].app.value[0], 1);
	a = &c.steps[7].app;
	assert_int_equal(a->call, TC_APP_GETSOCKOPT);
	assert_int_equal(a->exp_value_set, 1);
	assert_int_equal(a->exp_nvalue, 1);
	assert_int_equal(a->exp_value[0], 65536);
	assert_string_equal(a->exp_errno, "0");
	assert_int_equal(c.steps[8].app.call, TC_APP_CONNECT);
	assert_int_equal(c.steps[8].app.within_us, 3000000);
	assert_int_equal(c.steps[9].app.exp_ret, -1);
	assert_int_equal(c.steps[9].app.sock, TC_SOCK_DEFAULT);
	tc_case_free(&c);
}

static void test_durations(void **state)
{
	(void)state;
	assert_int_equal(tc_parse_duration("500ms"), 500000);
	assert_int_equal(tc_parse_duration("2s"), 2000000);
	assert_int_equal(tc_parse_duration("1.5s"), 1500000);
	assert_int_equal(tc_parse_duration("100us"), 100);
	assert_int_equal(tc_parse_duration("1m"), 60000000);
	assert_int_equal(tc_parse_duration("0s"), 0);
	assert_int_equal(tc_parse_duration("0.25ms"), 250);
	assert_int_equal(tc_parse_duration("1.0000005s"), 1000000); /* below 1us is dropped */
	assert_int_equal(tc_parse_duration("10"), -1);
	assert_int_equal(tc_parse_duration("s"), -1);
	assert_int_equal(tc_parse_duration("1.s"), -1);
	assert_int_equal(tc_parse_duration(".5s"), -1);
	assert_int_equal(tc_parse_duration("-1s"), -1);
	assert_int_equal(tc_parse_duration("1 s"), -1);
	assert_int_equal(tc_parse_duration("1h"), -1);
	assert_int_equal(tc_parse_duration("1sec"), -1);
	assert_int_equal(tc_parse_duration("9999999999s"), -1);
	assert_int_equal(tc_parse_duration(""), -1);
	assert_int_equal(tc_parse_duration(NULL), -1);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors, one test per class of the brief; each pins line:col and the quoted input. */

static void test_err_yaml_syntax(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\nsteps: [\n",
		 "t.yaml:4:1: YAML syntax error: did not find expected node content (while parsing a flow node): 'steps: ['");
	load_err("id: a\n  title: b\n",
		 "t.yaml:2:8: YAML syntax error: mapping values are not allowed in this context: '  title: b'");
	load_err("id: a\ntitle: \"t\n",
		 "t.yaml:3:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar): 'title: \"t'");
	load_err("id: a\ntitle: t\tx\x01\n",
		 "t.yaml:2:11: YAML syntax error: control characters are not allowed: 'title: t\\x09x\\x01'");
}

static void test_err_top_level(void **state)
{
	(void)state;
	load_err("- a\n- b\n", "t.yaml:1:1: top level must be a mapping with id, title and steps, not a list: '- a'");
	load_err("hello\n", "t.yaml:1:1: top level must be a mapping with id, title and steps, not a scalar: 'hello'");
	load_err("", "t.yaml:1:1: empty file: a case is a mapping with id, title and steps: ''");
	load_err("# only a comment\n", "t.yaml:1:1: empty file: a case is a mapping with id, title and steps: ''");
	load_err(H "  - wait: 1s\n---\nid: b\n",
		 "t.yaml:6:1: a case file holds one YAML document, this is a second one: 'id: b'");
}

static void test_err_unknown_case_key(void **state)
{
	(void)state;
	load_err(H "  - wait: 1s\ntimeuot: 5s\n", "t.yaml:5:1: unknown key in case: 'timeuot'");
	load_err("id: a\nTitle: t\nsteps: [{wait: 1s}]\n", "t.yaml:2:1: unknown key in case: 'Title'");
	load_err("id: a\n[x]: 1\n", "t.yaml:2:1: a key must be a name, not a list: '[x]'");
}

static void test_err_missing_required(void **state)
{
	(void)state;
	load_err("title: t\nsteps:\n  - wait: 1s\n", "t.yaml:1:1: missing required key in case: 'id'");
	load_err("id: a\nsteps:\n  - wait: 1s\n", "t.yaml:1:1: missing required key in case: 'title'");
	load_err("id: a\ntitle: t\n", "t.yaml:1:1: missing required key in case: 'steps'");
	load_err("id:\ntitle: t\nsteps: [{wait: 1s}]\n", "t.yaml:1:4: 'id' has no value: ''");
}

static void test_err_bad_id(void **state)
{
	(void)state;
	load_err("id: Reset.X\ntitle: t\nsteps: [{wait: 1s}]\n",
		 "t.yaml:1:5: bad id (lower-case letters, digits and . _ - only): 'Reset.X'");
	load_err("id: \"a b\"\ntitle: t\nsteps: [{wait: 1s}]\n",
		 "t.yaml:1:5: bad id (lower-case letters, digits and . _ - only): 'a b'");
	load_err("id: [a]\ntitle: t\nsteps: [{wait: 1s}]\n", "t.yaml:1:5: 'id' needs a single value, not a list: '[a]'");
}

static void test_err_duplicate_key(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\nid: b\nsteps: [{wait: 1s}]\n", "t.yaml:3:1: duplicate key: 'id'");
	load_err(H "  - send: {flags: S, win: 1, flags: A}\n", "t.yaml:4:30: duplicate key: 'flags'");
	load_err("id: a\ntitle: t\nsysctl: {a.b: 1, a.b: 2}\nsteps: [{wait: 1s}]\n", "t.yaml:3:18: duplicate key: 'a.b'");
}

static void test_err_steps_shape(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\nsteps: []\n", "t.yaml:3:8: 'steps' is empty: '[]'");
	load_err("id: a\ntitle: t\nsteps: {wait: 1s}\n", "t.yaml:3:8: 'steps' needs a list of steps, not a mapping: '{wait: 1s}'");
	load_err(H "  - wait\n",
		 "t.yaml:4:5: a step must be a mapping with one step key, such as app: listen: 'wait'");
	load_err(H "  - after: 1s\n",
		 "t.yaml:4:5: step has no step key (send, expect, expect_none, app, state or wait): 'after: 1s'");
	load_err(H "  - {x-note: hi}\n",
		 "t.yaml:4:5: step has no step key (send, expect, expect_none, app, state or wait): '{x-note: hi}'");
	load_err(H "  - wait: 1s\n    app: close\n",
		 "t.yaml:5:5: two step keys in one step (it already has 'wait'): 'app'");
	load_err(H "  - sned: {flags: S}\n", "t.yaml:4:5: unknown step key: 'sned'");
	load_err(H "  - wait: 1s\n    after: 1s\n    at: 2s\n", "t.yaml:6:5: 'after' and 'at' cannot both be given: 'at'");
	load_err(H "  - wait: 1s\n    within: 2s\n", "t.yaml:5:5: 'within' does not apply to a wait step: 'within'");
	load_err(H "  - expect: {flags: A, within: 1s}\n    within: 2s\n", "t.yaml:5:5: 'within' given twice: 'within'");
}

static void test_err_unknown_field(void **state)
{
	(void)state;
	load_err(H "  - send: {flags: S, wn: 5}\n", "t.yaml:4:22: unknown field in send: 'wn'");
	load_err(H "  - expect: {flags: A, foo: 1}\n", "t.yaml:4:24: unknown field in expect: 'foo'");
	load_err(H "  - app: {call: read, foo: 1}\n", "t.yaml:4:23: unknown field in app: 'foo'");
	load_err(H "  - expect: {flags: A, checksum: bad}\n", "t.yaml:4:24: field only allowed in send: 'checksum'");
	load_err(H "  - expect_none: {for: 1s, flag: R}\n", "t.yaml:4:28: unknown field in expect_none: 'flag'");
	load_err(H "  - state: {is: LISTEN, in: 1s}\n", "t.yaml:4:25: unknown field in state: 'in'");
	load_err(H "  - app: {call: read, expect: {ret: 1, erno: EAGAIN}}\n",
		 "t.yaml:4:40: unknown field in app expect: 'erno'");
	/* x- keys are the users' extension point and are accepted everywhere there are fields. */
	struct tc_case c;
	load_ok(H "  - send: {flags: S, x-why: because}\n    x-note: 1\n", &c);
	tc_case_free(&c);
}

static void test_err_flags(void **state)
{
	(void)state;
	load_err(H "  - send: {flags: SX}\n", "t.yaml:4:20: bad flag letter in 'flags' (letters are SAFRPUEC): 'X'");
	load_err(H "  - send: {flags: \"AX\"}\n", "t.yaml:4:21: bad flag letter in 'flags' (letters are SAFRPUEC): 'X'");
	load_err(H "  - send: {flags: sa}\n", "t.yaml:4:19: bad flag letter in 'flags' (letters are SAFRPUEC): 's'");
	load_err(H "  - send: {flags: SAS}\n", "t.yaml:4:21: flag letter given twice in 'flags': 'S'");
	load_err(H "  - send: {flags: }\n", "t.yaml:4:19: 'flags' has no value (write \"\" for no flags): ''");
	load_err(H "  - expect_none: {for: 1s, flags: Q}\n", "t.yaml:4:35: bad flag letter in 'flags' (letters are SAFRPUEC): 'Q'");
	load_err("id: a\ntitle: t\nignore: [A, Z]\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:13: bad flag letter in 'ignore' (letters are SAFRPUEC): 'Z'");
	load_err(H "  - expect: {ack: 1}\n",
		 "t.yaml:4:13: missing required field in expect (write flags: \"\" for none): 'flags'");
}

static void test_err_numbers(void **state)
{
	(void)state;
	load_err(H "  - send: {flags: S, seq: 1 + foo}\n",
		 "t.yaml:4:31: bad number for 'seq': unknown name 'foo' at offset 4 "
		 "(names: rcv_nxt, rcv_wnd, snd_nxt, snd_una): '1 + foo'");
	load_err(H "  - send: {flags: S, win: 12x}\n", "t.yaml:4:27: bad number for 'win': bad number '12x' at offset 0: '12x'");
	load_err(H "  - send: {flags: S, ack: \"(1 + 2\"}\n",
		 "t.yaml:4:28: bad number for 'ack': unclosed '(' at offset 0: '(1 + 2'");
	load_err(H "  - send: {flags: S, ack: 1 / 0}\n", "t.yaml:4:27: bad number for 'ack': division by zero: '1 / 0'");
	load_err(H "  - app: {call: read, len: rcv_wnd}\n",
		 "t.yaml:4:28: 'len' must be a literal number (names such as rcv_nxt are not allowed here): 'rcv_wnd'");
	load_err(H "  - send: {flags: S, win: [1]}\n", "t.yaml:4:27: 'win' needs a single value, not a list: '[1]'");
}

static void test_err_range(void **state)
{
	(void)state;
	load_err(H "  - send: {flags: S, win: 70000}\n", "t.yaml:4:27: value out of range for 'win' (0..65535): '70000'");
	load_err(H "  - send: {flags: S, doff: 16}\n", "t.yaml:4:28: value out of range for 'doff' (0..15): '16'");
	load_err(H "  - send: {flags: S, ttl: -1}\n", "t.yaml:4:27: value out of range for 'ttl' (0..255): '-1'");
	load_err(H "  - send: {flags: S, df: 2}\n", "t.yaml:4:26: value out of range for 'df' (0..1): '2'");
	load_err(H "  - send: {flags: S, seq_abs: -1}\n", "t.yaml:4:31: value out of range for 'seq_abs' (0..4294967295): '-1'");
	load_err(H "  - send: {flags: S, seq: 0x100000000}\n",
		 "t.yaml:4:27: value out of range for 'seq' (-4294967295..4294967295): '0x100000000'");
	load_err(H "  - send: {flags: S, len: 1501}\n", "t.yaml:4:27: value out of range for 'len' (0..1500): '1501'");
	load_err("id: a\ntitle: t\nport: 0\nsteps: [{wait: 1s}]\n", "t.yaml:3:7: value out of range for 'port' (1..65535): '0'");
	load_err("id: a\ntitle: t\nport: 65536\nsteps: [{wait: 1s}]\n", "t.yaml:3:7: value out of range for 'port' (1..65535): '65536'");
	load_err("id: a\ntitle: t\nisn: 4294967296\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:6: value out of range for 'isn' (0..4294967295): '4294967296'");
	load_err(H "  - app: {call: listen, backlog: -1}\n", "t.yaml:4:34: value out of range for 'backlog' (0..65535): '-1'");
}

static void test_err_duration(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\ntimeout: 10\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:10: bad duration for 'timeout' (write e.g. 500ms, 2s, 1.5s, 100us): '10'");
	load_err(H "  - wait: 2 hours\n", "t.yaml:4:11: bad duration for 'wait' (write e.g. 500ms, 2s, 1.5s, 100us): '2 hours'");
	load_err(H "  - expect: {flags: A, within: soon}\n",
		 "t.yaml:4:32: bad duration for 'within' (write e.g. 500ms, 2s, 1.5s, 100us): 'soon'");
	load_err(H "  - expect: {flags: A, tolerance: 5ms}\n",
		 "t.yaml:4:24: 'tolerance' needs 'after' in the same expect: 'tolerance'");
	load_err("id: a\ntitle: t\ntimeout: 0s\nsteps: [{wait: 1s}]\n", "t.yaml:3:10: 'timeout' must be more than zero: '0s'");
}

static void test_err_state(void **state)
{
	(void)state;
	const char *names = "(LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, "
			    "CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, CLOSED)";
	char want[400];
	snprintf(want, sizeof(want), "t.yaml:4:12: unknown state %s: 'ESTABLISHD'", names);
	load_err(H "  - state: ESTABLISHD\n", want);
	snprintf(want, sizeof(want), "t.yaml:4:17: unknown state %s: 'established'", names);
	load_err(H "  - state: {is: established}\n", want);
	load_err(H "  - state: {within: 1s}\n", "t.yaml:4:12: missing required field in state: 'is'");
}

static void test_err_family_role(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\nfamily: [ipv4, ipx]\nsteps: [{wait: 1s}]\n", "t.yaml:3:16: bad family (ipv4 or ipv6): 'ipx'");
	load_err("id: a\ntitle: t\nfamily: inet\nsteps: [{wait: 1s}]\n", "t.yaml:3:9: bad family (ipv4 or ipv6): 'inet'");
	load_err("id: a\ntitle: t\nfamily: []\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:9: 'family' is an empty list (leave it out to run both): '[]'");
	load_err("id: a\ntitle: t\nrole: listener\nsteps: [{wait: 1s}]\n", "t.yaml:3:7: bad role (server or client): 'listener'");
}

static void test_err_options(void **state)
{
	(void)state;
	const char *u = "unknown option (eol, nop, mss, wscale, sack_ok, sack, ts, or {raw: hex})";
	char want[300];
	snprintf(want, sizeof(want), "t.yaml:4:32: %s: 'foo'", u);
	load_err(H "  - send: {flags: S, options: [foo]}\n", want);
	snprintf(want, sizeof(want), "t.yaml:4:33: %s: 'md5'", u);
	load_err(H "  - send: {flags: S, options: [{md5: 1}]}\n", want);
	load_err(H "  - send: {flags: S, options: [{ts: 5}]}\n", "t.yaml:4:37: option 'ts' takes [VAL, ECR]: '5'");
	load_err(H "  - send: {flags: S, options: [{ts: [1, 2, 3]}]}\n", "t.yaml:4:37: option 'ts' takes [VAL, ECR]: '[1, 2, 3]'");
	load_err(H "  - send: {flags: S, options: [{sack: [1, 2]}]}\n", "t.yaml:4:40: option 'sack' takes blocks [L, R]: '1'");
	load_err(H "  - send: {flags: A, options: [{sack: [[1,2],[3,4],[5,6],[7,8],[9,10]]}]}\n",
		 "t.yaml:4:64: too many sack blocks (at most 4): '[9,10]'");
	load_err(H "  - send: {flags: S, options: [{raw: \"0g\"}]}\n",
		 "t.yaml:4:40: bad hex in raw option at offset 1: '0g'");
	load_err(H "  - send: {flags: S, options: [{raw: \"abc\"}]}\n",
		 "t.yaml:4:42: bad hex in raw option at offset 3: 'abc'");
	load_err(H "  - send: {flags: S, options: [{raw: \"\"}]}\n",
		 "t.yaml:4:38: raw option needs at least one byte (the kind): ''");
	load_err(H "  - send: {flags: S, options: [{raw: \"" "00112233445566778899" "00112233445566778899"
		 "00112233445566778899" "00112233445566778899" "aa\"}]}\n",
		 "t.yaml:4:38: raw option too long (at most 40 bytes): '001122334455667788990011223344556677889900112233445566778899...'");
	load_err(H "  - send: {flags: S, options: [{mss: 70000}]}\n", "t.yaml:4:38: value out of range for 'mss' (0..65535): '70000'");
	load_err(H "  - send: {flags: S, options: [{wscale: 256}]}\n", "t.yaml:4:41: value out of range for 'wscale' (0..255): '256'");
	load_err(H "  - send: {flags: S, options: [mss]}\n",
		 "t.yaml:4:32: option needs a value in a send (write e.g. {mss: ...}): 'mss'");
	load_err(H "  - send: {flags: S, options: [{nop: 1}]}\n", "t.yaml:4:33: option takes no value (write it as a plain name): 'nop'");
	load_err(H "  - send: {flags: S, options: [{mss: 1, wscale: 2}]}\n",
		 "t.yaml:4:32: bad option (write a name such as nop, or one key such as {mss: 1460}): '{mss: 1, wscale: 2}'");
	load_err(H "  - send: {flags: S, options: {mss: 1}}\n", "t.yaml:4:31: 'options' needs a list, not a mapping: '{mss: 1}'");
	load_err(H "  - send: {flags: S, options: [{ts: [1, 2]}, {ts: [1, 2]}, {ts: [1, 2]}, {ts: [1, 2]}, {ts: [1, 2]}]}\n",
		 "t.yaml:4:31: options take 50 bytes, more than the 40 a TCP header holds: "
		 "'[{ts: [1, 2]}, {ts: [1, 2]}, {ts: [1, 2]}, {ts: [1, 2]}, {ts...'");
	load_err(H "  - expect: {flags: S, options_include: [md5]}\n",
		 "t.yaml:4:42: unknown option kind in 'options_include': 'md5'");
	load_err(H "  - expect: {flags: S, options_exclude: [256]}\n",
		 "t.yaml:4:42: value out of range for 'options_exclude' (0..255): '256'");
}

static void test_err_payload_and_seq(void **state)
{
	(void)state;
	load_err(H "  - send: {flags: PA, len: 10, data: x}\n", "t.yaml:4:32: only one of len, data and hex may be given: 'data'");
	load_err(H "  - send: {flags: PA, hex: \"00\", len: 1}\n", "t.yaml:4:34: only one of len, data and hex may be given: 'len'");
	load_err(H "  - send: {flags: PA, hex: \"0 0\"}\n",
		 "t.yaml:4:30: bad hex in 'hex' at offset 1 (pairs of hex digits, optionally separated by spaces or colons): '0 0'");
	load_err(H "  - send: {flags: S, seq: 1, seq_abs: 2}\n", "t.yaml:4:30: seq and seq_abs cannot both be given: 'seq_abs'");
	load_err(H "  - send: {flags: S, ack_abs: 1, ack: 2}\n", "t.yaml:4:34: ack and ack_abs cannot both be given: 'ack'");
	load_err(H "  - send: {flags: S, options_include: [mss]}\n", "t.yaml:4:22: field only allowed in expect: 'options_include'");
	load_err(H "  - send: {flags: S, at: 1s}\n    at: 2s\n", "t.yaml:4:22: 'at' given twice: 'at'");
	load_err(H "  - expect: {flags: S, at: 1s}\n",
		 "t.yaml:4:24: unknown field in expect (to start the step at a time, put 'at:' beside 'expect:'): 'at'");
	load_err(H "  - send: {flags: S, within: 1s}\n", "t.yaml:4:22: field only allowed in expect: 'within'");
	load_err(H "  - send: {flags: S, checksum: good}\n", "t.yaml:4:32: 'checksum' can only be 'bad': 'good'");
	load_err(H "  - expect: something\n", "t.yaml:4:13: 'expect' needs a mapping of fields or 'auto': 'something'");
}

static void test_err_app(void **state)
{
	(void)state;
	const char *calls = "(listen, accept, connect, write, read, shutdown, close, setsockopt, getsockopt)";
	char want[300];
	snprintf(want, sizeof(want), "t.yaml:4:10: unknown app call %s: 'lisen'", calls);
	load_err(H "  - app: lisen\n", want);
	snprintf(want, sizeof(want), "t.yaml:4:17: unknown app call %s: 'bind'", calls);
	load_err(H "  - app: {call: bind}\n", want);
	load_err(H "  - app: {len: 1}\n", "t.yaml:4:10: missing required field in app: 'call'");
	load_err(H "  - app: {call: shutdown, how: both}\n", "t.yaml:4:32: bad 'how' (rd, wr or rdwr): 'both'");
	load_err(H "  - app: shutdown\n", "t.yaml:4:10: missing required field for shutdown: 'how'");
	load_err(H "  - app: {call: setsockopt, value: 1}\n", "t.yaml:4:10: missing required field for setsockopt: 'opt'");
	load_err(H "  - app: {call: setsockopt, opt: SO_LINGER}\n", "t.yaml:4:10: missing required field for setsockopt: 'value'");
	load_err(H "  - app: getsockopt\n", "t.yaml:4:10: missing required field for getsockopt: 'opt'");
	load_err(H "  - app: {call: read, how: rd}\n", "t.yaml:4:23: field does not belong to call 'read': 'how'");
	load_err(H "  - app: {call: accept, backlog: 1}\n", "t.yaml:4:25: field does not belong to call 'accept': 'backlog'");
	load_err(H "  - app: {call: write, len: 1, data: x}\n", "t.yaml:4:32: only one of len and data may be given: 'data'");
	load_err(H "  - app: {call: write, expect: {data: x}}\n",
		 "t.yaml:4:33: field does not belong to this call (expect data is for read): 'data'");
	load_err(H "  - app: {call: read, expect: {value: 1}}\n",
		 "t.yaml:4:32: field does not belong to this call (expect value is for getsockopt): 'value'");
	load_err(H "  - app: {call: read, expect: {errno: ECONN-RESET}}\n",
		 "t.yaml:4:39: bad errno name (write e.g. ECONNRESET, or 0 for none): 'ECONN-RESET'");
	load_err(H "  - app: {call: read, after: 1s}\n    after: 2s\n", "t.yaml:4:23: 'after' given twice: 'after'");
	load_err(H "  - app: {call: read, at: 1s}\n    after: 2s\n", "t.yaml:4:23: 'after' and 'at' cannot both be given: 'at'");
	load_err(H "  - app: {call: read, sock: both}\n", "t.yaml:4:29: bad 'sock' (listener or conn): 'both'");
	load_err(H "  - app: {call: setsockopt, opt: so_linger, value: 1}\n",
		 "t.yaml:4:34: bad socket option name (write it as in C, e.g. SO_LINGER): 'so_linger'");
	load_err(H "  - app: {call: setsockopt, opt: SO_LINGER, value: [1, 2, 3]}\n",
		 "t.yaml:4:52: 'value' needs a number, true/false or a list of two numbers: '[1, 2, 3]'");
}

static void test_err_misc(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\nsysctl: [a]\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:9: 'sysctl' needs a mapping of name: value, not a list: '[a]'");
	load_err("id: a\ntitle: t\nsysctl: {\"a b\": 1}\nsteps: [{wait: 1s}]\n", "t.yaml:3:10: bad sysctl name: 'a b'");
	load_err("id: a\ntitle: t\nonly: [\"linux kernel\"]\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:8: bad name in 'only': 'linux kernel'");
	load_err("id: a\ntitle: \"x\\0y\"\nsteps: [{wait: 1s}]\n", "t.yaml:2:8: 'title' contains a NUL byte: 'x\\x00y'");
	load_err(H "  - expect_none: {flags: R}\n", "t.yaml:4:18: missing required field in expect_none: 'for'");
	/* An alias cycle must neither hang nor crash the loader. */
	load_err("id: a\ntitle: t\nsteps: &s [*s]\n",
		 "t.yaml:3:8: a step must be a mapping with one step key, such as app: listen: '&s [*s]'");
}

static void test_err_limits(void **state)
{
	(void)state;
	/* 4096 steps load; 4097 are refused. */
	size_t cap = 64 + 4097 * 16;
	char *y = malloc(cap);
	assert_non_null(y);
	strcpy(y, H);
	for (int i = 0; i < 4096; i++)
		memcpy(y + strlen(H) + 14 * (size_t)i, "  - wait: 1ms\n", 15);
	struct tc_case c;
	load_ok(y, &c);
	assert_int_equal(c.nsteps, 4096);
	tc_case_free(&c);
	strcat(y, "  - wait: 1ms\n");
	load_err(y, "t.yaml:4:3: too many steps (4097, at most 4096): '- wait: 1ms'");
	/* A mapping with more than 256 keys is refused, even if they are all x- keys. */
	strcpy(y, "id: a\ntitle: t\nsteps: [{wait: 1s}]\n");
	for (int i = 0; i < 253; i++)
		sprintf(y + strlen(y), "x-%d: 1\n", i);
	load_ok(y, &c);
	tc_case_free(&c);
	strcat(y, "x-last: 1\n");
	load_err(y, "t.yaml:1:1: too many keys in one mapping (257, at most 256): 'id: a'");
	free(y);
	/* Too many options in an expect (no byte limit there, but a count limit). */
	char buf[600] = H "  - expect: {flags: A, options: [";
	for (int i = 0; i < 41; i++)
		strcat(buf, i ? ", nop" : "nop");
	strcat(buf, "]}\n");
	load_err(buf, "t.yaml:4:234: too many options (at most 40): 'nop'");
}

static void test_err_file(void **state)
{
	(void)state;
	struct tc_case c;
	char err[512];
	assert_int_equal(tc_case_load("/nonexistent/dir/x.yaml", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/dir/x.yaml: cannot open: No such file or directory");
	assert_null(c.steps);
	assert_int_equal(tc_case_load("/", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/: cannot read: Is a directory");

	char path[] = "/tmp/tc_loader_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *yaml = H "  - wait: 1s\n  - send: {flags: Z}\n";
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	char want[600];
	snprintf(want, sizeof(want), "%s:5:19: bad flag letter in 'flags' (letters are SAFRPUEC): 'Z'", path);
	assert_int_equal(tc_case_load(path, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	yaml = H "  - wait: 1s\n";
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	assert_int_equal(tc_case_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.file, path);
	assert_int_equal(c.nsteps, 1);
	tc_case_free(&c);

	/* A file the user cannot read: only meaningful when not running as root. */
	if (geteuid() != 0) {
		chmod(path, 0);
		assert_int_equal(tc_case_load(path, &c, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: cannot open: Permission denied", path);
		assert_string_equal(err, want);
	}
	unlink(path);
}

static void test_err_small_buffer(void **state)
{
	(void)state;
	/* A short message buffer truncates the message but never overflows. */
	struct tc_case c;
	char err[16];
	memset(err, 'x', sizeof(err));
	assert_int_equal(tc_case_load_buf("t.yaml", "id: a\n", 6, &c, err, 8), -1);
	assert_string_equal(err, "t.yaml:");
	assert_int_equal(err[8], 'x');
	assert_int_equal(tc_case_load_buf("t.yaml", "id: a\n", 6, &c, NULL, 0), -1);
}

/* ------------------------------------------------------------------------------------------ */
/* Every case in the repository's suites loads. */

static int suite_files, suite_failures;

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	size_t n = strlen(path);
	/* profiles/, baselines/ and targets/ hold other kinds of YAML, not cases (the runner's
	 * folder walk skips them the same way). */
	if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".yaml") != 0)
		return 0;
	if (strstr(path, "/profiles/") || strstr(path, "/baselines/") || strstr(path, "/targets/") ||
	    strstr(path, "/requirements/"))
		return 0;
	struct tc_case c;
	char err[512];
	suite_files++;
	if (tc_case_load(path, &c, err, sizeof(err)) != 0) {
		print_error("%s\n", err);
		suite_failures++;
		return 0;
	}
	tc_case_free(&c);
	return 0;
}

static void test_repo_suites(void **state)
{
	(void)state;
	const char *env = getenv("TC_SUITES_DIR");
	const char *cands[] = {env, "suites", "../suites", "../../suites", "../../../suites"};
	const char *dir = NULL;
	struct stat sb;
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (cands[i] && stat(cands[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			dir = cands[i];
			break;
		}
	if (!dir)
		skip();
	suite_files = suite_failures = 0;
	assert_int_equal(nftw(dir, visit, 16, FTW_PHYS), 0);
	if (suite_files == 0)
		skip();
	print_message("loaded %d case files from %s\n", suite_files, dir);
	assert_int_equal(suite_failures, 0);
}


/* ------------------------------------------------------------------------------------------ */
/* Extensions: levels, requires, flags_maybe */

static void test_levels(void **state)
{
	(void)state;
	struct tc_case c;
	/* No requirement id in refs: MUST, with no id to name. */
	load_ok("id: a\ntitle: t\nrefs: [RFC9293-3.5]\nsteps:\n  - expect: {flags: SA}\n", &c);
	assert_int_equal(c.level, TC_LVL_MUST);
	assert_string_equal(c.req, "");
	assert_int_equal(c.steps[0].level, TC_LVL_MUST);
	tc_case_free(&c);
	/* Only SHLD and MAY ids: the case's checks are SHOULD, and name those ids. */
	load_ok("id: a\ntitle: t\nrefs: [RFC9293-3.8.1, SHLD-18, MAY-3]\nsteps:\n"
		"  - expect: {flags: SA}\n", &c);
	assert_int_equal(c.level, TC_LVL_SHOULD);
	assert_string_equal(c.req, "SHLD-18,MAY-3");
	assert_int_equal(c.steps[0].level, TC_LVL_SHOULD);
	assert_string_equal(c.steps[0].req, "SHLD-18,MAY-3");
	tc_case_free(&c);
	/* One MUST among them keeps the case at MUST (a case never gets softer by a citation). */
	load_ok("id: a\ntitle: t\nrefs: [SHLD-18, MUST-13]\nsteps:\n  - expect: {flags: SA}\n", &c);
	assert_int_equal(c.level, TC_LVL_MUST);
	assert_string_equal(c.req, "MUST-13");
	tc_case_free(&c);
	/* A case `level:` wins over refs; a step's `req:` or `level:` wins over the case. */
	load_ok("id: a\ntitle: t\nrefs: [MUST-13]\nlevel: SHOULD\nsteps:\n"
		"  - expect: {flags: SA}\n"
		"  - expect: {flags: A}\n    req: MUST-20\n"
		"  - expect: {flags: A}\n    req: RFC6298-2.4\n    level: SHOULD\n"
		"  - state: CLOSED\n    level: MAY\n"
		"  - app: close\n    req: SHLD-5\n    level: SHOULD\n", &c);
	assert_int_equal(c.level, TC_LVL_SHOULD);
	assert_int_equal(c.steps[0].level, TC_LVL_SHOULD);
	assert_int_equal(c.steps[1].level, TC_LVL_MUST);
	assert_string_equal(c.steps[1].req, "MUST-20");
	assert_int_equal(c.steps[2].level, TC_LVL_SHOULD);
	assert_string_equal(c.steps[2].req, "RFC6298-2.4");
	assert_int_equal(c.steps[3].level, TC_LVL_MAY);
	assert_string_equal(c.steps[3].req, "");
	assert_int_equal(c.steps[4].level, TC_LVL_SHOULD);
	assert_string_equal(c.steps[4].req, "SHLD-5");
	tc_case_free(&c);
	/* Steps with neither take the case's level: steps parsed before refs are resolved too. */
	load_ok("id: a\ntitle: t\nsteps:\n  - expect: {flags: SA}\nrefs: [SHLD-9]\n", &c);
	assert_int_equal(c.steps[0].level, TC_LVL_SHOULD);
	assert_string_equal(c.steps[0].req, "SHLD-9");
	tc_case_free(&c);
}

static void test_err_levels(void **state)
{
	(void)state;
	load_err("id: a\ntitle: t\nlevel: should\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:8: bad level (MUST, SHOULD or MAY): 'should'");
	load_err("id: a\ntitle: t\nlevel: SHLD\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:8: bad level (MUST, SHOULD or MAY): 'SHLD'");
	load_err(H "  - expect: {flags: SA}\n    level: OPTIONAL\n",
		 "t.yaml:5:12: bad level (MUST, SHOULD or MAY): 'OPTIONAL'");
	load_err(H "  - expect: {flags: SA}\n    req: SHLD-18\n    level: MUST\n",
		 "t.yaml:6:12: level contradicts 'req: SHLD-18', which is a SHOULD: 'MUST'");
	load_err(H "  - expect: {flags: SA}\n    req: RFC6298-2.4\n",
		 "t.yaml:5:10: requirement id implies no level (only MUST-n, SHLD-n and MAY-n do): "
		 "give 'level:' beside it: 'RFC6298-2.4'");
	load_err(H "  - expect: {flags: SA}\n    req: \"SHLD 18\"\n",
		 "t.yaml:5:10: bad requirement id (write it as in refs, e.g. SHLD-18 or RFC6298-2.4): "
		 "'SHLD 18'");
	load_err(H "  - send: {flags: S}\n    level: SHOULD\n",
		 "t.yaml:5:5: 'level' does not apply to a send step (it checks nothing): 'level'");
	load_err(H "  - wait: 1s\n    req: SHLD-1\n",
		 "t.yaml:5:5: 'req' does not apply to a wait step (it checks nothing): 'req'");
}

static void test_requires(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok("id: a\ntitle: t\nrequires: [ts, sack_ok, wscale]\nsteps: [{wait: 1s}]\n", &c);
	assert_int_equal(c.requires, TC_CAP_TS | TC_CAP_SACK_OK | TC_CAP_WSCALE);
	tc_case_free(&c);
	load_ok("id: a\ntitle: t\nrequires: ts\nsteps: [{wait: 1s}]\n", &c);
	assert_int_equal(c.requires, TC_CAP_TS);
	tc_case_free(&c);
	load_ok(H "  - wait: 1s\n", &c);
	assert_int_equal(c.requires, 0);
	tc_case_free(&c);
	load_err("id: a\ntitle: t\nrequires: [ts, sack]\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:16: unknown capability in 'requires' (ts, sack_ok or wscale): 'sack'");
	load_err("id: a\ntitle: t\nrequires: {ts: 1}\nsteps: [{wait: 1s}]\n",
		 "t.yaml:3:11: 'requires' needs a list such as [ts, sack_ok], not a mapping: '{ts: 1}'");
}

static void test_include_values(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H "  - expect: {flags: S, options_include: [{mss: 1460}, sack_ok]}\n", &c);
	const struct tc_segspec *sg = &c.steps[0].seg;
	assert_int_equal(sg->ninclude, 2);
	assert_int_equal(sg->include_kinds[0], TC_OPT_MSS);
	assert_int_equal(sg->ninclude_vals, 1);
	assert_int_equal(sg->include_vals[0].v[0], 1460);
	tc_case_free(&c);
	load_err(H "  - expect: {flags: S, options_include: [{raw: \"0204\"}]}\n",
		 "t.yaml:4:42: 'options_include' takes option names or {kind: value}, not raw bytes: "
		 "'{raw: \"0204\"}'");
	load_err(H "  - expect: {flags: S, options_exclude: [{mss: 1}]}\n",
		 "t.yaml:4:42: 'options_exclude' needs a single value, not a mapping: '{mss: 1}'");
}

static void test_flags_maybe(void **state)
{
	(void)state;
	struct tc_case c;
	load_ok(H "  - expect: {flags: A, flags_maybe: P, len: 100}\n", &c);
	assert_int_equal(c.steps[0].seg.flags, TC_F_ACK);
	assert_int_equal(c.steps[0].seg.flags_maybe, TC_F_PSH);
	tc_case_free(&c);
	load_err(H "  - send: {flags: A, flags_maybe: P}\n",
		 "t.yaml:4:22: field only allowed in expect: 'flags_maybe'");
	load_err(H "  - expect: {flags: PA, flags_maybe: P}\n",
		 "t.yaml:4:38: flag in both 'flags' and 'flags_maybe': 'P'");
	load_err(H "  - expect: {flags: A, flags_maybe: PX}\n",
		 "t.yaml:4:38: bad flag letter in 'flags_maybe' (letters are SAFRPUEC): 'X'");
	load_err(H "  - expect: {flags: A, flags_maybe: \"\"}\n",
		 "t.yaml:4:37: 'flags_maybe' needs at least one flag letter: ''");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_defaults_and_scalars),
		cmocka_unit_test(test_send_fields),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_expect_timing),
		cmocka_unit_test(test_expect_none_state_wait),
		cmocka_unit_test(test_app_calls),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_top_level),
		cmocka_unit_test(test_err_unknown_case_key),
		cmocka_unit_test(test_err_missing_required),
		cmocka_unit_test(test_err_bad_id),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_steps_shape),
		cmocka_unit_test(test_err_unknown_field),
		cmocka_unit_test(test_err_flags),
		cmocka_unit_test(test_err_numbers),
		cmocka_unit_test(test_err_range),
		cmocka_unit_test(test_err_duration),
		cmocka_unit_test(test_err_state),
		cmocka_unit_test(test_err_family_role),
		cmocka_unit_test(test_err_options),
		cmocka_unit_test(test_err_payload_and_seq),
		cmocka_unit_test(test_err_app),
		cmocka_unit_test(test_err_misc),
		cmocka_unit_test(test_err_limits),
		cmocka_unit_test(test_err_file),
		cmocka_unit_test(test_err_small_buffer),
		cmocka_unit_test(test_repo_suites),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_err_levels),
		cmocka_unit_test(test_requires),
		cmocka_unit_test(test_flags_maybe),
		cmocka_unit_test(test_include_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
