/*
 * test_agent_proto.c - the agent's request parser (runner/agent/proto.c). The agent is not part
 * of libtc, so the parser's source is included here directly; it is pure (no sockets), which
 * is what makes that possible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../runner/agent/proto.c"

static struct ag_request rq;
static char err[512];

static int parse(const char *line)
{
	err[0] = '\0';
	return ag_parse(line, strlen(line), &rq, err, sizeof(err));
}

/* A rejected line: -1, the given tag echoed, and a message containing want. */
static void check_bad_impl(const char *line, size_t len, const char *tag, const char *want,
			   const char *file, int lineno)
{
	int r;
	err[0] = '\0';
	r = ag_parse(line, len, &rq, err, sizeof(err));
	if (r != -1 || strcmp(rq.tag, tag) != 0 || strstr(err, want) == NULL)
		fail_msg("%s:%d: line \"%.60s\": r=%d tag=%s err=\"%s\" (want -1, tag %s, \"%s\")",
			 file, lineno, line, r, rq.tag, err, tag, want);
}
#define check_bad(line, tag, want) check_bad_impl(line, strlen(line), tag, want, __FILE__, __LINE__)

/* ---- Accepted requests ---- */

static void test_simple_verbs(void **state)
{
	(void)state;
	assert_int_equal(parse("1 PING"), 0);
	assert_string_equal(rq.tag, "1");
	assert_int_equal(rq.verb, AG_V_PING);
	assert_int_equal(parse("22 QUIT"), 0);
	assert_int_equal(rq.verb, AG_V_QUIT);
	assert_string_equal(rq.tag, "22");
	assert_int_equal(parse("12345678901234567890 STATE"), 0);
	assert_int_equal(rq.verb, AG_V_STATE);
	assert_string_equal(rq.tag, "12345678901234567890");
}

static void test_whitespace(void **state)
{
	(void)state;
	/* Runs of spaces separate fields; one trailing CR (telnet, nc -C) is tolerated. */
	assert_int_equal(parse("  7   PING  "), 0);
	assert_string_equal(rq.tag, "7");
	assert_int_equal(parse("8 PING\r"), 0);
	assert_int_equal(rq.verb, AG_V_PING);
	/* Empty and blank lines are ignored (return 1, no reply). */
	assert_int_equal(parse(""), 1);
	assert_int_equal(parse("    "), 1);
	assert_int_equal(parse("\r"), 1);
}

static void test_config_v4(void **state)
{
	const struct sockaddr_in *l = (const struct sockaddr_in *)&rq.local;
	const struct sockaddr_in *p = (const struct sockaddr_in *)&rq.peer;
	(void)state;
	assert_int_equal(parse("3 CONFIG family=4 local=192.0.2.1 port=8080 peer=192.0.2.2 "
			       "peer_port=40000"), 0);
	assert_int_equal(rq.verb, AG_V_CONFIG);
	assert_int_equal(rq.family, AF_INET);
	assert_int_equal(l->sin_family, AF_INET);
	assert_int_equal(ntohs(l->sin_port), 8080);
	assert_int_equal(ntohl(l->sin_addr.s_addr), 0xc0000201);
	assert_int_equal(ntohs(p->sin_port), 40000);
	assert_int_equal(ntohl(p->sin_addr.s_addr), 0xc0000202);
	/* Keys may come in any order. */
	assert_int_equal(parse("3 CONFIG peer_port=1 peer=10.0.0.2 port=65535 local=10.0.0.1 "
			       "family=4"), 0);
	assert_int_equal(ntohs(l->sin_port), 65535);
	assert_int_equal(ntohs(p->sin_port), 1);
}

static void test_config_v6(void **state)
{
	const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)&rq.local;
	const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)&rq.peer;
	(void)state;
	assert_int_equal(parse("4 CONFIG family=6 local=2001:db8::1 port=80 peer=2001:db8::2 "
			       "peer_port=1234"), 0);
	assert_int_equal(rq.family, AF_INET6);
	assert_int_equal(l->sin6_family, AF_INET6);
	assert_int_equal(ntohs(l->sin6_port), 80);
	assert_int_equal(l->sin6_addr.s6_addr[0], 0x20);
	assert_int_equal(l->sin6_addr.s6_addr[15], 1);
	assert_int_equal(p->sin6_addr.s6_addr[15], 2);
	assert_int_equal(ntohs(p->sin6_port), 1234);
}

static void test_calls_plain(void **state)
{
	(void)state;
	assert_int_equal(parse("5 CALL listen"), 0);
	assert_int_equal(rq.verb, AG_V_CALL);
	assert_int_equal(rq.call, AG_C_LISTEN);
	assert_int_equal(rq.backlog, 128);
	assert_int_equal(parse("5 CALL listen backlog=0"), 0);
	assert_int_equal(rq.backlog, 0);
	assert_int_equal(parse("5 CALL listen backlog=65535"), 0);
	assert_int_equal(rq.backlog, 65535);
	assert_int_equal(parse("6 CALL accept"), 0);
	assert_int_equal(rq.call, AG_C_ACCEPT);
	assert_int_equal(rq.sock, AG_S_DEFAULT);
	assert_int_equal(parse("6 CALL accept sock=listener"), 0);
	assert_int_equal(rq.sock, AG_S_LISTENER);
	assert_int_equal(parse("7 CALL connect"), 0);
	assert_int_equal(rq.call, AG_C_CONNECT);
	assert_int_equal(parse("8 CALL close sock=conn"), 0);
	assert_int_equal(rq.call, AG_C_CLOSE);
	assert_int_equal(rq.sock, AG_S_CONN);
	assert_int_equal(parse("8 CALL close sock=listener"), 0);
	assert_int_equal(rq.sock, AG_S_LISTENER);
}

static void test_calls_io(void **state)
{
	(void)state;
	assert_int_equal(parse("9 CALL write len=100000"), 0);
	assert_int_equal(rq.call, AG_C_WRITE);
	assert_int_equal(rq.has_data, 0);
	assert_int_equal(rq.len, 100000);
	assert_int_equal(parse("9 CALL write data=00ff7a"), 0);
	assert_int_equal(rq.has_data, 1);
	assert_int_equal(rq.len, 3);
	assert_int_equal(rq.data[0], 0x00);
	assert_int_equal(rq.data[1], 0xff);
	assert_int_equal(rq.data[2], 0x7a);
	assert_int_equal(parse("9 CALL write len=0 sock=conn"), 0);
	assert_int_equal(rq.len, 0);
	assert_int_equal(rq.sock, AG_S_CONN);
	assert_int_equal(parse("10 CALL read"), 0);
	assert_int_equal(rq.call, AG_C_READ);
	assert_int_equal(rq.len, AG_READ_MAX);
	assert_int_equal(parse("10 CALL read len=1"), 0);
	assert_int_equal(rq.len, 1);
	assert_int_equal(parse("11 CALL shutdown how=rd"), 0);
	assert_int_equal(rq.how, SHUT_RD);
	assert_int_equal(parse("11 CALL shutdown how=wr"), 0);
	assert_int_equal(rq.how, SHUT_WR);
	assert_int_equal(parse("11 CALL shutdown how=rdwr sock=conn"), 0);
	assert_int_equal(rq.how, SHUT_RDWR);
}

static void test_write_max_data(void **state)
{
	/* The largest data= that fits the line limit decodes in full. */
	size_t n = AG_DATA_MAX - 16, pre = strlen("1 CALL write data=");
	char *line = malloc(pre + 2 * n + 1);
	(void)state;
	assert_non_null(line);
	memcpy(line, "1 CALL write data=", pre);
	for (size_t i = 0; i < 2 * n; i++)
		line[pre + i] = "0123456789abcdef"[i % 16];
	line[pre + 2 * n] = '\0';
	assert_int_equal(parse(line), 0);
	assert_int_equal(rq.len, n);
	assert_int_equal(rq.data[0], 0x01);
	assert_int_equal(rq.data[n - 1], 0xef);
	free(line);
}

static void test_sockopts(void **state)
{
	(void)state;
	assert_int_equal(parse("12 CALL setsockopt opt=SO_LINGER value=1,0"), 0);
	assert_int_equal(rq.call, AG_C_SETSOCKOPT);
	assert_int_equal(rq.opt, AG_O_SO_LINGER);
	assert_int_equal(rq.nvalue, 2);
	assert_int_equal(rq.value[0], 1);
	assert_int_equal(rq.value[1], 0);
	assert_int_equal(parse("12 CALL setsockopt opt=TCP_KEEPIDLE value=7200 sock=listener"), 0);
	assert_int_equal(rq.opt, AG_O_TCP_KEEPIDLE);
	assert_int_equal(rq.nvalue, 1);
	assert_int_equal(rq.value[0], 7200);
	assert_int_equal(rq.sock, AG_S_LISTENER);
	/* Negative and extreme values pass, so a case can test how the stack rejects them. */
	assert_int_equal(parse("12 CALL setsockopt opt=TCP_USER_TIMEOUT value=-1"), 0);
	assert_int_equal(rq.value[0], -1);
	assert_int_equal(parse("12 CALL setsockopt opt=SO_RCVBUF value=2147483647"), 0);
	assert_int_equal(rq.value[0], 2147483647);
	assert_int_equal(parse("12 CALL setsockopt opt=SO_RCVBUF value=-2147483648"), 0);
	assert_int_equal(rq.value[0], -2147483647 - 1);
	assert_int_equal(parse("13 CALL getsockopt opt=TCP_CORK"), 0);
	assert_int_equal(rq.call, AG_C_GETSOCKOPT);
	assert_int_equal(rq.opt, AG_O_TCP_CORK);
	/* Every option name in the table parses back to itself. */
	for (int o = 0; o < AG_O_COUNT; o++) {
		char line[96];
		snprintf(line, sizeof(line), "1 CALL getsockopt opt=%s", ag_opt_name(o));
		assert_int_equal(parse(line), 0);
		assert_int_equal(rq.opt, o);
	}
}

/* ---- Rejected requests ---- */

static void test_bad_tag(void **state)
{
	(void)state;
	check_bad("PING", "*", "bad tag \"PING\"");
	check_bad("x1 PING", "*", "bad tag \"x1\"");
	check_bad("-1 PING", "*", "bad tag");
	check_bad("123456789012345678901 PING", "*", "bad tag");
	check_bad("1a PING", "*", "bad tag \"1a\"");
}

static void test_bad_verb(void **state)
{
	(void)state;
	check_bad("5", "5", "missing verb");
	check_bad("5 ping", "5", "unknown verb \"ping\"");
	check_bad("5 HELLO", "5", "unknown verb \"HELLO\"");
	check_bad("5 PING x", "5", "PING: expected key=value, got \"x\"");
	check_bad("5 QUIT now=1", "5", "QUIT: unknown key \"now\"");
	/* sock= became a STATE key (STATE sock=listener); other keys are still unknown. */
	check_bad("5 STATE now=1", "5", "STATE: unknown key \"now\"");
}

/* STATE sock=listener asks for the listener's own state; sock=conn is the default spelt out. */
static void test_state_sock(void **state)
{
	(void)state;
	assert_int_equal(parse("3 STATE"), 0);
	assert_int_equal(rq.sock, AG_S_DEFAULT);
	assert_int_equal(parse("4 STATE sock=listener"), 0);
	assert_int_equal(rq.verb, AG_V_STATE);
	assert_int_equal(rq.sock, AG_S_LISTENER);
	assert_int_equal(parse("5 STATE sock=conn"), 0);
	assert_int_equal(rq.sock, AG_S_CONN);
	/* A CALL's sock= before does not leak into a STATE without one. */
	assert_int_equal(parse("6 CALL close sock=listener"), 0);
	assert_int_equal(parse("7 STATE"), 0);
	assert_int_equal(rq.sock, AG_S_DEFAULT);
	check_bad("8 STATE sock=pre", "8", "STATE: bad sock \"pre\" (want listener or conn)");
	check_bad("9 STATE sock=listener sock=conn", "9", "STATE: key \"sock\" given twice");
	check_bad("10 STATE sock=", "10", "STATE");
}

static void test_bad_bytes(void **state)
{
	(void)state;
	/* The tag is echoed even when a later byte is bad, so the runner can match the ERR. */
	check_bad("6 PING\tx", "6", "byte 0x09 at column 7");
	check_bad("6 PING \x80", "6", "byte 0x80 at column 8");
	check_bad_impl("6 PING\0", 7, "6", "byte 0x00 at column 7", __FILE__, __LINE__);
	/* Only one trailing CR is tolerated; one in the middle is a bad byte. */
	check_bad("6 PI\rNG", "6", "byte 0x0d");
	check_bad("6 PING\r\r", "6", "byte 0x0d");
}

static void test_too_many_fields(void **state)
{
	(void)state;
	check_bad("9 CALL read a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10 k=11 l=12 m=13 n=14", "9",
		  "too many fields");
}

static void test_bad_config(void **state)
{
	(void)state;
	check_bad("1 CONFIG local=1.2.3.4 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "missing key \"family\"");
	check_bad("1 CONFIG family=4 port=1 peer=1.2.3.5 peer_port=2", "1", "missing key \"local\"");
	check_bad("1 CONFIG family=4 local=1.2.3.4 peer=1.2.3.5 peer_port=2", "1",
		  "missing key \"port\"");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=1 peer_port=2", "1", "missing key \"peer\"");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=1 peer=1.2.3.5", "1",
		  "missing key \"peer_port\"");
	check_bad("1 CONFIG family=5 local=1.2.3.4 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "family must be 4 or 6, got \"5\"");
	check_bad("1 CONFIG family=4 local=1.2.3 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "local=\"1.2.3\" is not an IPv4 address");
	check_bad("1 CONFIG family=4 local=::1 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "local=\"::1\" is not an IPv4 address");
	check_bad("1 CONFIG family=6 local=::1 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "peer=\"1.2.3.5\" is not an IPv6 address");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=0 peer=1.2.3.5 peer_port=2", "1",
		  "bad port for local: \"0\"");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=1 peer=1.2.3.5 peer_port=65536", "1",
		  "bad port for peer: \"65536\"");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=+1 peer=1.2.3.5 peer_port=2", "1",
		  "bad port for local: \"+1\"");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=1 peer=1.2.3.5 peer_port=2 x=1", "1",
		  "CONFIG: unknown key \"x\"");
	check_bad("1 CONFIG family=4 family=4 local=1.2.3.4 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "CONFIG: key \"family\" given twice");
	check_bad("1 CONFIG family=4 local=1.2.3.4 port=1 peer=1.2.3.5 peer_port", "1",
		  "CONFIG: expected key=value, got \"peer_port\"");
	check_bad("1 CONFIG family=4 local= port=1 peer=1.2.3.5 peer_port=2", "1",
		  "expected key=value, got \"local=\"");
	check_bad("1 CONFIG =4 local=1.2.3.4 port=1 peer=1.2.3.5 peer_port=2", "1",
		  "expected key=value, got \"=4\"");
	/* An address too long for any family must be rejected, not overflow the copy. */
	check_bad("1 CONFIG family=6 local=1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa "
		  "port=1 peer=::1 peer_port=2", "1", "is not an IPv6 address");
}

static void test_bad_calls(void **state)
{
	(void)state;
	check_bad("2 CALL", "2", "CALL: missing call name");
	check_bad("2 CALL bind", "2", "CALL: unknown call \"bind\"");
	check_bad("2 CALL LISTEN", "2", "CALL: unknown call \"LISTEN\"");
	check_bad("2 CALL listen sock=conn", "2", "CALL listen: unknown key \"sock\"");
	check_bad("2 CALL listen backlog=-1", "2", "CALL listen: bad backlog \"-1\"");
	check_bad("2 CALL listen backlog=65536", "2", "bad backlog \"65536\"");
	check_bad("2 CALL connect sock=conn", "2", "CALL connect: unknown key \"sock\"");
	check_bad("2 CALL accept sock=conn", "2", "CALL accept: bad sock \"conn\" (want listener)");
	check_bad("2 CALL close sock=pre", "2", "CALL close: bad sock \"pre\" (want listener or conn)");
	check_bad("2 CALL close now=1", "2", "CALL close: unknown key \"now\"");
	check_bad("2 CALL read len=1 len=2", "2", "CALL read: key \"len\" given twice");
}

static void test_bad_write_read(void **state)
{
	(void)state;
	check_bad("3 CALL write", "3", "give exactly one of len= and data=");
	check_bad("3 CALL write len=1 data=00", "3", "give exactly one of len= and data=");
	check_bad("3 CALL write len=abc", "3", "CALL write: bad len \"abc\"");
	check_bad("3 CALL write len=67108865", "3", "bad len \"67108865\"");
	check_bad("3 CALL write len=99999999999999999999999", "3", "bad len");
	check_bad("3 CALL write data=abc", "3", "data has 3 hex digits");
	check_bad("3 CALL write data=00AB", "3", "data is not lower-case hex at digit 2 ('AB')");
	check_bad("3 CALL write data=0g", "3", "data is not lower-case hex at digit 1 ('0g')");
	check_bad("3 CALL read len=0", "3", "CALL read: bad len \"0\" (want 1..32000)");
	check_bad("3 CALL read len=32001", "3", "bad len \"32001\"");
	check_bad("3 CALL shutdown", "3", "CALL shutdown: missing key \"how\"");
	check_bad("3 CALL shutdown how=both", "3", "bad how \"both\" (want rd, wr or rdwr)");
}

static void test_bad_write_too_long(void **state)
{
	/* One byte more than AG_DATA_MAX is refused with its size, not decoded past the buffer. */
	size_t n = AG_DATA_MAX + 1, pre = strlen("1 CALL write data=");
	char *line = malloc(pre + 2 * n + 1);
	(void)state;
	assert_non_null(line);
	memcpy(line, "1 CALL write data=", pre);
	memset(line + pre, 'a', 2 * n);
	line[pre + 2 * n] = '\0';
	check_bad(line, "1", "data has 65538 hex digits");
	free(line);
}

static void test_bad_sockopts(void **state)
{
	(void)state;
	check_bad("4 CALL setsockopt value=1", "4", "CALL setsockopt: missing key \"opt\"");
	check_bad("4 CALL setsockopt opt=TCP_NODELAY", "4", "missing key \"value\"");
	check_bad("4 CALL setsockopt opt=TCP_FASTOPEN value=1", "4",
		  "unknown option \"TCP_FASTOPEN\"");
	check_bad("4 CALL getsockopt opt=tcp_nodelay", "4", "unknown option \"tcp_nodelay\"");
	check_bad("4 CALL getsockopt opt=TCP_NODELAY value=1", "4",
		  "CALL getsockopt: unknown key \"value\"");
	check_bad("4 CALL setsockopt opt=SO_LINGER value=1", "4",
		  "bad value \"1\" for SO_LINGER (want N,N)");
	check_bad("4 CALL setsockopt opt=SO_LINGER value=1,", "4", "bad value \"1,\"");
	check_bad("4 CALL setsockopt opt=SO_LINGER value=1,2,3", "4", "bad value \"1,2,3\"");
	check_bad("4 CALL setsockopt opt=TCP_NODELAY value=1,0", "4",
		  "bad value \"1,0\" for TCP_NODELAY (want N)");
	check_bad("4 CALL setsockopt opt=TCP_NODELAY value=2147483648", "4", "bad value");
	check_bad("4 CALL setsockopt opt=TCP_NODELAY value=-2147483649", "4", "bad value");
	check_bad("4 CALL setsockopt opt=TCP_NODELAY value=-", "4", "bad value \"-\"");
	check_bad("4 CALL setsockopt opt=TCP_NODELAY value=1x", "4", "bad value \"1x\"");
}

static void test_long_token_quoted_short(void **state)
{
	/* A huge token is quoted cut short with "...", so the ERR line stays small. */
	char line[300];
	(void)state;
	snprintf(line, sizeof(line), "5 CALL %0200d", 0);
	check_bad(line, "5", "...\"");
	assert_true(strlen(err) < 120);
}

/* ---- Helpers ---- */

static void test_errno_names(void **state)
{
	char buf[32];
	(void)state;
	assert_string_equal(ag_errno_name(0, buf, sizeof(buf)), "0");
	assert_string_equal(ag_errno_name(ECONNRESET, buf, sizeof(buf)), "ECONNRESET");
	assert_string_equal(ag_errno_name(EPIPE, buf, sizeof(buf)), "EPIPE");
	assert_string_equal(ag_errno_name(EAGAIN, buf, sizeof(buf)), "EAGAIN");
	assert_string_equal(ag_errno_name(ECONNREFUSED, buf, sizeof(buf)), "ECONNREFUSED");
	assert_string_equal(ag_errno_name(ETIMEDOUT, buf, sizeof(buf)), "ETIMEDOUT");
	assert_string_equal(ag_errno_name(EBADF, buf, sizeof(buf)), "EBADF");
	assert_string_equal(ag_errno_name(ENOTCONN, buf, sizeof(buf)), "ENOTCONN");
	assert_string_equal(ag_errno_name(EOPNOTSUPP, buf, sizeof(buf)), "EOPNOTSUPP");
	assert_string_equal(ag_errno_name(99999, buf, sizeof(buf)), "ERRNO_99999");
}

static void test_hex_and_names(void **state)
{
	const uint8_t in[] = {0x00, 0x0f, 0xa0, 0xff};
	char out[9];
	(void)state;
	assert_int_equal(ag_hex_encode(in, 4, out, sizeof(out)), 0);
	assert_string_equal(out, "000fa0ff");
	assert_int_equal(ag_hex_encode(in, 4, out, 8), -1);
	assert_int_equal(ag_hex_encode(in, 0, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(ag_hex_encode(in, 0, out, 0), -1);
	assert_string_equal(ag_call_name(AG_C_GETSOCKOPT), "getsockopt");
	assert_string_equal(ag_call_name(AG_C_COUNT), "?");
	assert_string_equal(ag_call_name(-1), "?");
	assert_string_equal(ag_opt_name(AG_O_TCP_USER_TIMEOUT), "TCP_USER_TIMEOUT");
	assert_string_equal(ag_opt_name(AG_O_COUNT), "?");
	assert_int_equal(ag_opt_arity(AG_O_SO_LINGER), 2);
	assert_int_equal(ag_opt_arity(AG_O_TCP_NODELAY), 1);
}

/* Every prefix of every valid line either parses or is rejected with a message: no crash, no
 * read beyond len (ASan build), and never an empty message on rejection. */
static void test_prefixes_never_crash(void **state)
{
	static const char *lines[] = {
		"1 CONFIG family=6 local=2001:db8::1 port=80 peer=2001:db8::2 peer_port=1234",
		"2 CALL setsockopt opt=SO_LINGER value=1,-5 sock=conn",
		"3 CALL write data=00ff7a1b sock=listener",
		"4 CALL shutdown how=rdwr",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);
		for (size_t k = 0; k <= n; k++) {
			/* A heap copy of exactly k bytes, so ASan catches any over-read. */
			char *p = malloc(k ? k : 1);
			int r;
			assert_non_null(p);
			memcpy(p, lines[i], k);
			err[0] = '\0';
			r = ag_parse(p, k, &rq, err, sizeof(err));
			assert_true(r == 0 || r == 1 || (r == -1 && err[0] != '\0'));
			free(p);
		}
	}
}


/* The reply codec: what an agent formats, the runner reads back field for field. */
static void test_reply_round_trip(void **st)
{
	(void)st;
	static struct ag_reply r;
	char line[256], err[160];
	const uint8_t data[] = {'h', 'i', 0, 0xff};
	const int two[2] = {1, 30};
	int n = ag_fmt_done(line, sizeof(line), "17", AG_C_READ, 4, 0, data, sizeof(data), NULL, 0);
	assert_int_equal(n, (int)strlen(line));
	assert_string_equal(line, "17 DONE call=read ret=4 errno=0 data=686900ff");
	assert_int_equal(ag_reply_parse(line, (size_t)n, &r, err, sizeof(err)), 0);
	assert_string_equal(r.tag, "17");
	assert_int_equal(r.kind, AG_R_DONE);
	assert_int_equal(r.call, AG_C_READ);
	assert_int_equal(r.ret, 4);
	assert_string_equal(r.errno_name, "0");
	assert_int_equal(r.has_data, 1);
	assert_int_equal(r.ndata, 4);
	assert_memory_equal(r.data, data, 4);
	assert_int_equal(r.nvalue, 0);

	n = ag_fmt_done(line, sizeof(line), "3", AG_C_GETSOCKOPT, -1, ECONNRESET, NULL, 0, two, 2);
	assert_string_equal(line, "3 DONE call=getsockopt ret=-1 errno=ECONNRESET value=1,30");
	assert_int_equal(ag_reply_parse(line, (size_t)n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.ret, -1);
	assert_string_equal(r.errno_name, "ECONNRESET");
	assert_int_equal(r.nvalue, 2);
	assert_int_equal(r.value[0], 1);
	assert_int_equal(r.value[1], 30);
	assert_string_equal(r.value_text, "1,30");

	n = ag_fmt_pending(line, sizeof(line), "9", AG_C_ACCEPT);
	assert_string_equal(line, "9 PENDING call=accept");
	assert_int_equal(ag_reply_parse(line, (size_t)n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, AG_R_PENDING);
	assert_int_equal(r.call, AG_C_ACCEPT);

	n = ag_fmt_ok(line, sizeof(line), "5", "state=TIME_WAIT lwip_state=TIME_WAIT");
	assert_int_equal(ag_reply_parse(line, (size_t)n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, AG_R_OK);
	char v[32];
	assert_int_equal(ag_reply_get(&r, "state", v, sizeof(v)), 1);
	assert_string_equal(v, "TIME_WAIT");
	assert_int_equal(ag_reply_get(&r, "old", v, sizeof(v)), 0);

	/* Free text with a control byte cannot break the framing. */
	n = ag_fmt_err(line, sizeof(line), "6", "UNSUPPORTED", "TCP_CORK\non this stack");
	assert_string_equal(line, "6 ERR UNSUPPORTED TCP_CORK?on this stack");
	assert_int_equal(ag_reply_parse(line, (size_t)n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, AG_R_ERR);
	assert_string_equal(r.code, "UNSUPPORTED");
	assert_string_equal(r.text, "TCP_CORK?on this stack");

	/* A line that does not fit is refused, not cut. */
	assert_int_equal(ag_fmt_done(line, 20, "3", AG_C_READ, 4, 0, data, 4, NULL, 0), -1);
}

/* Wrong replies are errors that say what is wrong; unknown keys are not (versioning rule). */
static void test_reply_errors(void **st)
{
	(void)st;
	static struct ag_reply r;
	char err[160];
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{"4 DONE call=read errno=0", "ret="},
		{"4 DONE call=read ret=x errno=0", "ret="},
		{"4 DONE call=read ret=1", "errno="},
		{"4 DONE ret=1 errno=0", "call="},
		{"4 DONE call=read ret=1 errno=0 data=6g", "bad hex"},
		{"4 DONE call=read ret=1 errno=0 data=616", "even number"},
		{"4 DONE call=getsockopt ret=0 errno=0 value=1,", "bad value"},
		{"4 MAYBE", "unknown reply \"MAYBE\""},
		{"x4 OK", "bad tag \"x4\""},
		{"4", "tag and a kind"},
		{"4 ERR", "without a code"},
		{"4 OK state=\001", "not printable"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ag_reply_parse(bad[i].line, strlen(bad[i].line), &r, err, sizeof(err)),
				 -1);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].line, err, bad[i].msg);
	}
	const char *newer = "8 DONE call=sendfile ret=2 errno=0 took_us=31\r";
	assert_int_equal(ag_reply_parse(newer, strlen(newer), &r, err, sizeof(err)), 0);
	assert_int_equal(r.call, AG_C_COUNT);
	assert_int_equal(r.ret, 2);
	const char *star = "* ERR BADREQ bad tag";
	assert_int_equal(ag_reply_parse(star, strlen(star), &r, err, sizeof(err)), 0);
	assert_string_equal(r.tag, AG_TAG_UNKNOWN);
	assert_string_equal(r.code, "BADREQ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_verbs),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_config_v4),
		cmocka_unit_test(test_config_v6),
		cmocka_unit_test(test_calls_plain),
		cmocka_unit_test(test_calls_io),
		cmocka_unit_test(test_write_max_data),
		cmocka_unit_test(test_sockopts),
		cmocka_unit_test(test_bad_tag),
		cmocka_unit_test(test_bad_verb),
		cmocka_unit_test(test_state_sock),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_bad_write_read),
		cmocka_unit_test(test_bad_write_too_long),
		cmocka_unit_test(test_bad_sockopts),
		cmocka_unit_test(test_long_token_quoted_short),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_hex_and_names),
		cmocka_unit_test(test_prefixes_never_crash),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_reply_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
