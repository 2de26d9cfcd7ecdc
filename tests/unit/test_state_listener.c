/*
 * test_state_listener.c - `state: {is: ..., sock: listener}` (docs/case-format.md): the loader
 * accepts it and rejects what cannot be meant, and the executor asks the agent for the
 * listener's own state (STATE sock=listener), fails the step on a wrong answer naming field,
 * expected and actual, and skips the case when the agent is older than the addition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/names.h"
#include "../../common/seg.h"
#include "../../runner/case.h"
#include "../../runner/exec.h"
#include "fake_io.h"

struct fake {
	struct fio q;              /* must come first (fake_io.h) */
	const char *conn_state;    /* answer to STATE */
	const char *listener_state; /* answer to STATE sock=listener; NULL: an old agent */
	int listener_asked;
};

static int f_send(void *ctx, const struct tc_seg *s, int64_t *ts, char *err, size_t cap)
{
	struct fake *f = ctx;
	(void)err;
	(void)cap;
	f->q.peer_port = s->sport;
	*ts = f->q.now;
	return 0;
}

static int f_agent(void *ctx, const char *line, char *err, size_t cap)
{
	struct fake *f = ctx;
	int tag;
	char verb[32], call[32] = "";
	int64_t at = f->q.now + 10;
	(void)err;
	(void)cap;
	if (sscanf(line, "%d %31s %31s", &tag, verb, call) < 2)
		return -1;
	if (strcmp(verb, "STATE") == 0 && strstr(line, "sock=listener")) {
		f->listener_asked++;
		if (f->listener_state)
			fio_push_line(&f->q, at, "%d OK state=%s", tag, f->listener_state);
		else
			fio_push_line(&f->q, at, "%d ERR BADREQ STATE: unknown key \"sock\"", tag);
	} else if (strcmp(verb, "STATE") == 0) {
		fio_push_line(&f->q, at, "%d OK state=%s", tag, f->conn_state);
	} else if (strcmp(verb, "CALL") == 0) {
		fio_push_line(&f->q, at, "%d DONE call=%s ret=0 errno=0", tag, call);
	} else {
		fio_push_line(&f->q, at, "%d OK", tag);
	}
	return 0;
}

#define CASE                                                                                 \
	"id: t.listener\ntitle: t\nsteps:\n"                                                 \
	"  - app: listen\n"                                                                  \
	"  - state: CLOSED\n"                                                                \
	"  - state: {is: LISTEN, sock: listener}\n"

/* The first failure on field (fake_io.h: a "(none)" entry if there is none). */
static const struct tc_failure *find(const struct tc_result *r, const char *field)
{
	return fio_failure(r, NULL, field, -1);
}

static void test_listener_pass(void **st)
{
	(void)st;
	struct fake f = {.conn_state = "CLOSED", .listener_state = "LISTEN"};
	struct tc_result r;
	fio_init(&f.q);
	fio_exec(&f, f_send, f_agent, CASE, NULL, 7, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "pass");
	assert_int_equal(f.listener_asked, 1);
	tc_result_free(&r);
}

/* A listener that is not listening (a wrong answer) fails the step: field, expected, actual. */
static void test_listener_wrong_answer_fails(void **st)
{
	(void)st;
	struct fake f = {.conn_state = "CLOSED", .listener_state = "CLOSED"};
	struct tc_result r;
	fio_init(&f.q);
	fio_exec(&f, f_send, f_agent, CASE, NULL, 7, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "fail");
	const struct tc_failure *x = find(&r, "state");
	assert_string_equal(x->field, "state");
	assert_string_equal(x->expected, "LISTEN");
	assert_string_equal(x->actual, "CLOSED");
	assert_int_equal(x->line, 6);
	assert_non_null(strstr(x->message, "listener"));
	tc_result_free(&r);
}

/* The connection's own state is asked without sock=: a wrong one still fails the step. */
static void test_conn_state_not_listener(void **st)
{
	(void)st;
	struct fake f = {.conn_state = "LISTEN", .listener_state = "LISTEN"};
	struct tc_result r;
	fio_init(&f.q);
	fio_exec(&f, f_send, f_agent, CASE, NULL, 7, &r);
	const struct tc_failure *x = find(&r, "state");
	assert_string_equal(x->expected, "CLOSED");
	assert_string_equal(x->actual, "LISTEN");
	assert_int_equal(x->line, 5);
	tc_result_free(&r);
}

/* An agent older than STATE sock=listener answers ERR BADREQ: a skip with the reason. */
static void test_old_agent_skips(void **st)
{
	(void)st;
	struct fake f = {.conn_state = "CLOSED", .listener_state = NULL};
	struct tc_result r;
	fio_init(&f.q);
	fio_exec(&f, f_send, f_agent, CASE, NULL, 7, &r);
	assert_string_equal(tc_verdict_name(r.verdict), "skip");
	assert_non_null(strstr(r.reason, "STATE sock=listener"));
	tc_result_free(&r);
}

static void load_ok(const char *yaml, struct tc_case *c)
{
	char err[512];
	if (tc_case_load_buf("t.yaml", yaml, strlen(yaml), c, err, sizeof(err)) != 0)
		fail_msg("load failed: %s", err);
}

static void load_bad(const char *yaml, const char *want)
{
	struct tc_case c;
	char err[512] = "";
	int r = tc_case_load_buf("t.yaml", yaml, strlen(yaml), &c, err, sizeof(err));
	if (r != -1 || !strstr(err, want))
		fail_msg("r=%d err=\"%s\" (want -1 and \"%s\")", r, err, want);
}

static void test_loader(void **st)
{
	(void)st;
	struct tc_case c;
	load_ok("id: a.b\ntitle: t\nsteps:\n  - state: {is: LISTEN, sock: listener}\n"
		"  - state: {sock: conn, is: CLOSED}\n  - state: CLOSED\n", &c);
	assert_int_equal(c.steps[0].state_listener, 1);
	assert_int_equal(c.steps[0].state, TC_ST_LISTEN);
	assert_int_equal(c.steps[1].state_listener, 0);
	assert_int_equal(c.steps[1].state, TC_ST_CLOSED);
	assert_int_equal(c.steps[2].state_listener, 0);
	tc_case_free(&c);
	load_bad("id: a.b\ntitle: t\nsteps:\n  - state: {is: LISTEN, sock: pre}\n",
		 "t.yaml:4:31: unknown sock in state (listener or conn): 'pre'");
	load_bad("id: a.b\ntitle: t\nsteps:\n  - state: {is: ESTABLISHED, sock: listener}\n",
		 "t.yaml:4:12: a listener is LISTEN or CLOSED");
	load_bad("id: a.b\ntitle: t\nsteps:\n  - state: {is: auto, sock: listener}\n",
		 "t.yaml:4:12: 'state' with sock: listener needs a state name");
	load_bad("id: a.b\ntitle: t\nsteps:\n  - state: {sock: listener}\n",
		 "missing required field in state");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listener_pass),
		cmocka_unit_test(test_listener_wrong_answer_fails),
		cmocka_unit_test(test_conn_state_not_listener),
		cmocka_unit_test(test_old_agent_skips),
		cmocka_unit_test(test_loader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
