/*
 * test_kit.c - the harness kit (tests/stacks/kit/kit.h) behind a fake stack: request lines in,
 * reply lines out, as the runner sees a harness. Each test runs kit_run() in a child process
 * whose stdin and stdout are pipes to the test, because the kit owns both and ends the process
 * when the session ends.
 *
 * The fake stack completes a connect 50 ms after it started and has data to read 50 ms after
 * a read began, so a call that completes later is seen as PENDING, then DONE; it knows one
 * option (TCP_NODELAY), and its table holds a connection only while the socket is open.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/names.h"
#include "runner/agent/proto.h"
#include "tests/stacks/kit/kit.h"

/* ---- The fake stack ---- */

#define NSOCK 8
static struct {
	int used, connected, listening;
	long long ready_at; /* connect: when it completes; read: when data is there (0: not set) */
	long long data_at;
} F[NSOCK];

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int f_socket(void *ctx, int family, int *err)
{
	(void)ctx;
	(void)family;
	for (int i = 0; i < NSOCK; i++)
		if (!F[i].used) {
			memset(&F[i], 0, sizeof(F[i]));
			F[i].used = 1;
			return i;
		}
	*err = EMFILE;
	return -1;
}

static int f_bind(void *ctx, int s, const struct sockaddr_storage *l, int *err)
{
	(void)ctx, (void)s, (void)l, (void)err;
	return 0;
}

static int f_listen(void *ctx, int s, int backlog, int *err)
{
	(void)ctx, (void)backlog, (void)err;
	F[s].listening = 1;
	return 0;
}

static int f_connect(void *ctx, int s, const struct sockaddr_storage *p, int *err)
{
	(void)ctx, (void)p, (void)err;
	F[s].ready_at = now_ms() + 50;
	return KIT_AGAIN;
}

static int f_connected(void *ctx, int s, int *err)
{
	(void)ctx, (void)err;
	if (now_ms() < F[s].ready_at)
		return KIT_AGAIN;
	F[s].connected = 1;
	return 0;
}

static int f_accept(void *ctx, int l, int *err)
{
	(void)ctx, (void)l, (void)err;
	return KIT_AGAIN; /* nobody ever connects to the fake stack */
}

static long f_write(void *ctx, int s, const void *b, size_t n, int *err)
{
	(void)ctx, (void)b;
	if (!F[s].connected) {
		*err = ENOTCONN;
		return -1;
	}
	return (long)n;
}

static long f_read(void *ctx, int s, void *b, size_t n, int *err)
{
	(void)ctx;
	if (!F[s].connected) {
		*err = ENOTCONN;
		return -1;
	}
	if (!F[s].data_at)
		F[s].data_at = now_ms() + 50;
	if (now_ms() < F[s].data_at)
		return KIT_AGAIN;
	if (n > 5)
		n = 5;
	memcpy(b, "hello", n);
	return (long)n;
}

static int f_shutdown(void *ctx, int s, int how, int *err)
{
	(void)ctx, (void)s, (void)how, (void)err;
	return 0;
}

static int f_close(void *ctx, int s, int *err)
{
	(void)ctx, (void)err;
	F[s].used = 0;
	return 0;
}

static int f_sockopt(void *ctx, int s, int set, enum ag_opt opt, int value[2], int *err,
		     char *why, size_t cap)
{
	(void)ctx, (void)s, (void)set, (void)err;
	if (opt != AG_O_TCP_NODELAY) {
		snprintf(why, cap, "%s is not in the fake stack", ag_opt_name(opt));
		return KIT_UNSUPPORTED;
	}
	value[0] = 1;
	return 0;
}

/* ESTABLISHED while a connected socket is open; else nothing in the table. */
static int f_state(void *ctx, const struct sockaddr_storage *l, const struct sockaddr_storage *p,
		   int listener, struct kit_found *found, char *extra, size_t extracap, char *err,
		   size_t cap)
{
	(void)ctx, (void)l, (void)p, (void)listener, (void)err, (void)cap;
	found->accept_queue = -1;
	for (int i = 0; i < NSOCK; i++)
		if (F[i].used && F[i].connected) {
			snprintf(extra, extracap, " fake_state=est");
			return TC_ST_ESTABLISHED;
		}
	return KIT_STATE_NONE;
}

static const struct kit_stack fake = {
	.name = "tcpconform-fake",
	.os = "fake",
	.socket = f_socket,
	.bind = f_bind,
	.listen = f_listen,
	.connect = f_connect,
	.connected = f_connected,
	.accept = f_accept,
	.write = f_write,
	.read = f_read,
	.shutdown = f_shutdown,
	.close = f_close,
	.sockopt = f_sockopt,
	.state = f_state,
	.tick_ms = 5,
};

/* ---- The session: a child running the kit, pipes to it ---- */

static struct {
	pid_t pid;
	int to, from;
	char buf[AG_MAX_LINE * 2];
	size_t have;
} S;

static int setup(void **state)
{
	int in[2], out[2];
	(void)state;
	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	S.pid = fork();
	if (S.pid < 0)
		return -1;
	if (S.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		_exit(kit_run(&fake));
	}
	close(in[0]);
	close(out[1]);
	S.to = in[1];
	S.from = out[0];
	S.have = 0;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int teardown(void **state)
{
	int st;
	(void)state;
	close(S.to);
	close(S.from);
	kill(S.pid, SIGKILL);
	waitpid(S.pid, &st, 0);
	return 0;
}

static void send_line(const char *line)
{
	char b[1024];
	int n = snprintf(b, sizeof(b), "%s\n", line);
	assert_int_equal(write(S.to, b, (size_t)n), n);
}

/* The next reply line (without "\n"), within 2 s; fails the test otherwise. */
static const char *next_line(void)
{
	static char line[AG_MAX_LINE + 1];
	for (;;) {
		char *nl = memchr(S.buf, '\n', S.have);
		if (nl) {
			size_t n = (size_t)(nl - S.buf);
			memcpy(line, S.buf, n);
			line[n] = '\0';
			memmove(S.buf, nl + 1, S.have - n - 1);
			S.have -= n + 1;
			return line;
		}
		struct pollfd p = {.fd = S.from, .events = POLLIN};
		if (poll(&p, 1, 2000) != 1)
			fail_msg("no reply from the kit within 2 s");
		ssize_t r = read(S.from, S.buf + S.have, sizeof(S.buf) - S.have);
		if (r <= 0)
			fail_msg("the kit closed its output");
		S.have += (size_t)r;
	}
}

/*
 * Checks one reply line against what is expected: its tag and kind and, for DONE, call, ret and
 * errno; for OK, an expected "key=value" among its pairs (NULL: none); for ERR, the code and a
 * piece of its text. Returns 0, or -1 with the first difference in why, naming the field, the
 * expected and the actual value.
 */
struct want {
	const char *tag;
	enum ag_reply_kind kind;
	enum ag_call call;
	long long ret;
	const char *errno_name;
	const char *code, *text; /* ERR; text also OK's "key=value" */
};

static int check_reply(const char *line, const struct want *w, char *why, size_t cap)
{
	static struct ag_reply r;
	char err[256], v[256];
	if (ag_reply_parse(line, strlen(line), &r, err, sizeof(err)) != 0) {
		snprintf(why, cap, "reply \"%s\" unreadable: %s", line, err);
		return -1;
	}
	if (strcmp(r.tag, w->tag) != 0) {
		snprintf(why, cap, "tag: expected %s, got %s (\"%s\")", w->tag, r.tag, line);
		return -1;
	}
	if (r.kind != w->kind) {
		snprintf(why, cap, "kind: expected %d, got %d (\"%s\")", w->kind, r.kind, line);
		return -1;
	}
	if ((r.kind == AG_R_DONE || r.kind == AG_R_PENDING) && r.call != w->call) {
		snprintf(why, cap, "call: expected %s, got %s", ag_call_name(w->call),
			 ag_call_name(r.call));
		return -1;
	}
	if (r.kind == AG_R_DONE && r.ret != w->ret) {
		snprintf(why, cap, "ret: expected %lld, got %lld (\"%s\")", w->ret, r.ret, line);
		return -1;
	}
	if (r.kind == AG_R_DONE && strcmp(r.errno_name, w->errno_name ? w->errno_name : "0")) {
		snprintf(why, cap, "errno: expected %s, got %s", w->errno_name ? w->errno_name : "0",
			 r.errno_name);
		return -1;
	}
	if (r.kind == AG_R_ERR && (strcmp(r.code, w->code) != 0 || !strstr(r.text, w->text))) {
		snprintf(why, cap, "ERR: expected %s with \"%s\", got %s \"%s\"", w->code, w->text,
			 r.code, r.text);
		return -1;
	}
	if (r.kind == AG_R_OK && w->text) {
		char key[64];
		const char *eq = strchr(w->text, '=');
		snprintf(key, sizeof(key), "%.*s", (int)(eq - w->text), w->text);
		if (!ag_reply_get(&r, key, v, sizeof(v)) || strcmp(v, eq + 1) != 0) {
			snprintf(why, cap, "%s: expected %s, got %s", key, eq + 1,
				 ag_reply_get(&r, key, v, sizeof(v)) ? v : "(absent)");
			return -1;
		}
	}
	return 0;
}

static void expect(const struct want *w)
{
	char why[512];
	const char *line = next_line();
	if (check_reply(line, w, why, sizeof(why)) != 0)
		fail_msg("%s", why);
}

#define OK(tag_, text_) (&(struct want){.tag = tag_, .kind = AG_R_OK, .text = text_})
#define PENDING(tag_, call_) (&(struct want){.tag = tag_, .kind = AG_R_PENDING, .call = call_})
#define DONE(tag_, call_, ret_, errno_) \
	(&(struct want){.tag = tag_, .kind = AG_R_DONE, .call = call_, .ret = ret_, \
			.errno_name = errno_})
#define ERR(tag_, code_, text_) \
	(&(struct want){.tag = tag_, .kind = AG_R_ERR, .code = code_, .text = text_})

static void hello_and_config(void)
{
	const char *hello = next_line();
	assert_string_equal(hello, "HELLO tcpconform-fake 1 os=fake");
	send_line("1 CONFIG family=4 local=192.0.2.1 port=8080 peer=192.0.2.2 peer_port=40000");
	expect(OK("1", NULL));
}

/* ---- Tests ---- */

/* A connect the stack completes later: PENDING at once, DONE when the stack has done it; a read
 * likewise, with its data. */
static void test_pending_then_done(void **state)
{
	(void)state;
	hello_and_config();
	send_line("2 CALL connect");
	expect(PENDING("2", AG_C_CONNECT));
	expect(DONE("2", AG_C_CONNECT, 0, "0"));
	send_line("3 CALL read len=100");
	expect(PENDING("3", AG_C_READ));
	const char *l = next_line();
	assert_string_equal(l, "3 DONE call=read ret=5 errno=0 data=68656c6c6f");
	send_line("4 CALL write len=3000");
	expect(DONE("4", AG_C_WRITE, 3000, "0"));
}

/* A malformed line is ERR BADREQ with its tag, quoting the offending word; one without a
 * readable tag is answered with "*". */
static void test_badreq_quotes_line(void **state)
{
	(void)state;
	hello_and_config();
	send_line("7 CALL frobnicate");
	expect(ERR("7", "BADREQ", "frobnicate"));
	send_line("x!y PING");
	expect(ERR(AG_TAG_UNKNOWN, "BADREQ", ""));
	send_line("8 PING");
	expect(OK("8", NULL));
}

/* An option the stack lacks is ERR UNSUPPORTED with the stack's reason; one it has is DONE. */
static void test_unsupported_option(void **state)
{
	(void)state;
	hello_and_config();
	send_line("2 CALL setsockopt opt=TCP_CORK value=1");
	expect(ERR("2", "UNSUPPORTED", "TCP_CORK is not in the fake stack"));
	send_line("3 CALL getsockopt opt=TCP_NODELAY");
	const char *l = next_line();
	assert_string_equal(l, "3 DONE call=getsockopt ret=0 errno=0 value=1");
}

/* STATE: a tuple never synchronized, with the listener open, is LISTEN (RFC 9293 3.10.7.4); a
 * connection the kit connected is CLOSED once the stack's table no longer has it, even with
 * the listener still open. */
static void test_state_closed_once_gone(void **state)
{
	(void)state;
	hello_and_config();
	send_line("2 CALL listen");
	expect(DONE("2", AG_C_LISTEN, 0, "0"));
	send_line("3 STATE");
	expect(OK("3", "state=LISTEN"));
	send_line("4 CALL connect");
	expect(PENDING("4", AG_C_CONNECT));
	expect(DONE("4", AG_C_CONNECT, 0, "0"));
	send_line("5 STATE");
	expect(OK("5", "state=ESTABLISHED"));
	send_line("6 CALL close sock=conn");
	expect(DONE("6", AG_C_CLOSE, 0, "0"));
	send_line("7 STATE");
	expect(OK("7", "state=CLOSED"));
	send_line("8 STATE sock=listener");
	expect(OK("8", "state=LISTEN"));
}

/* close of a socket with a pending call completes that call first, with EBADF. */
static void test_close_busy_socket(void **state)
{
	(void)state;
	hello_and_config();
	send_line("2 CALL listen");
	expect(DONE("2", AG_C_LISTEN, 0, "0"));
	send_line("3 CALL accept");
	expect(PENDING("3", AG_C_ACCEPT));
	send_line("4 CALL close sock=listener");
	expect(DONE("3", AG_C_ACCEPT, -1, "EBADF"));
	expect(DONE("4", AG_C_CLOSE, 0, "0"));
}

/* The checker catches a wrong answer: a DONE whose ret is not the expected one fails, naming
 * the field, the expected and the actual value; so do a wrong errno, kind and state. */
static void test_wrong_answer_is_caught(void **state)
{
	char why[512];
	(void)state;
	assert_int_equal(check_reply("4 DONE call=write ret=0 errno=0",
				     DONE("4", AG_C_WRITE, 5, "0"), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ret: expected 5, got 0"));
	assert_int_equal(check_reply("4 DONE call=write ret=-1 errno=EPIPE",
				     DONE("4", AG_C_WRITE, -1, "ECONNRESET"), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "errno: expected ECONNRESET, got EPIPE"));
	assert_int_equal(check_reply("4 PENDING call=write", DONE("4", AG_C_WRITE, 0, "0"), why,
				     sizeof(why)), -1);
	assert_non_null(strstr(why, "kind: expected"));
	assert_int_equal(check_reply("5 OK state=LISTEN", OK("5", "state=CLOSED"), why,
				     sizeof(why)), -1);
	assert_non_null(strstr(why, "state: expected CLOSED, got LISTEN"));
	assert_int_equal(check_reply("5 OK state=CLOSED", OK("5", "state=CLOSED"), why,
				     sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pending_then_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_badreq_quotes_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_closed_once_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_busy_socket, setup, teardown),
		cmocka_unit_test(test_wrong_answer_is_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
