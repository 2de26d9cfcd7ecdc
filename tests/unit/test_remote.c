/*
 * test_remote.c - the remote target's settings (runner/targets/remote.c, through the target
 * table's configure/profile/baseline) and the agent protocol's SYSCTL request (the parser in
 * runner/agent/proto.c, included directly as test_agent_proto.c does: it is not part of libtc).
 *
 * What needs a wire (ARP resolution, the control connection, refusals of local --peer
 * addresses) is tested end to end in tests/targets.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../runner/agent/proto.c"
#include "../../runner/agent/state_bsd.h"
#include "runner/target.h"

static const struct tc_target_ops *remote(void)
{
	const struct tc_target_ops *t = tc_target_find("remote");
	assert_non_null(t);
	return t;
}

/* configure with the given args; returns its status, the message in err. */
static int conf(const char *iface, const char *host, const char *peer, const char *agent,
		const char *file, char *err, size_t cap)
{
	struct tc_target_args a = {.file = file, .iface = iface, .host = host, .peer = peer,
				   .agent = agent};
	err[0] = '\0';
	return remote()->configure(&a, err, cap);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test_remote.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_registered(void **state)
{
	(void)state;
	const struct tc_target_ops *t = remote();
	assert_int_equal(t->max_jobs, 1);
	assert_non_null(t->configure);
	assert_non_null(strstr(tc_target_names(), "remote"));
}

static void test_good_settings(void **state)
{
	(void)state;
	char err[1024];
	assert_int_equal(conf("eth1", "192.0.2.1,2001:db8::1", "2001:db8::2,192.0.2.2",
			      "127.0.0.1:7777", NULL, err, sizeof(err)), 0);
	assert_int_equal(conf("eth1", "2001:db8::1", "2001:db8::2", "[::1]:7777", NULL, err,
			      sizeof(err)), 0);
	/* A peer of a family without a host address is simply unused. */
	assert_int_equal(conf("eth1", "192.0.2.1", "192.0.2.2,2001:db8::2", "127.0.0.1:1", NULL,
			      err, sizeof(err)), 0);
	assert_null(remote()->baseline());
}

static void test_bad_settings(void **state)
{
	(void)state;
	char err[1024];
	assert_int_equal(conf(NULL, "192.0.2.1", "192.0.2.2", "127.0.0.1:7", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--target remote needs --iface IF"));
	assert_int_equal(conf("eth1", "192.0.2.1", NULL, "127.0.0.1:7", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--peer: give the injector's own test address for each family"));
	assert_int_equal(conf("eth1", "192.0.2.1,2001:db8::1", "192.0.2.2", "127.0.0.1:7", NULL,
			      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "for each family of --host (192.0.2.1,2001:db8::1)"));
	assert_int_equal(conf("eth1", "192.0.2.1,192.0.2.3", "192.0.2.2", "127.0.0.1:7", NULL, err,
			      sizeof(err)), -1);
	assert_non_null(strstr(err, "--host '192.0.2.1,192.0.2.3': give one IPv4 and/or one IPv6"));
	assert_int_equal(conf("eth1", "host.example", "192.0.2.2", "127.0.0.1:7", NULL, err,
			      sizeof(err)), -1);
	assert_non_null(strstr(err, "--host 'host.example'"));
	assert_int_equal(conf("eth1", "192.0.2.1", "192.0.2.1", "127.0.0.1:7", NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "--host and --peer must differ");
	assert_int_equal(conf("eth1", "192.0.2.1", "192.0.2.2", "127.0.0.1", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--agent '127.0.0.1': give HOST:PORT"));
	assert_int_equal(conf("eth1", "192.0.2.1", "192.0.2.2", "::1:7777", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "an IPv6 address as [ADDR]:PORT"));
	assert_int_equal(conf("eth1", "192.0.2.1", "192.0.2.2", "127.0.0.1:70000", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--agent '127.0.0.1:70000'"));
	assert_int_equal(conf("an-interface-name-too-long", "192.0.2.1", "192.0.2.2", "127.0.0.1:7",
			      NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "name too long"));
}

static void test_target_file(void **state)
{
	(void)state;
	char err[1024];
	char *p = write_tmp("name: board\ntarget: remote\niface: eth9\nagent: 127.0.0.1:7001\n"
			    "target4: 192.0.2.1\npeer4: 192.0.2.2\nprofile: freebsd\n"
			    "baseline: bl.yaml\nsysctl: skip\n");
	assert_int_equal(conf(NULL, NULL, NULL, NULL, p, err, sizeof(err)), 0);
	/* The file's profile wins over asking the agent; its baseline is relative to it. */
	assert_string_equal(remote()->profile(), "freebsd");
	assert_non_null(remote()->baseline());
	assert_non_null(strstr(remote()->baseline(), "/tmp/bl.yaml"));
	/* The command line overrides the file. */
	assert_int_equal(conf(NULL, "2001:db8::1", "2001:db8::2", NULL, p, err, sizeof(err)), 0);
	unlink(p);

	p = write_tmp("target: tap\nharness: [x]\n");
	assert_int_equal(conf(NULL, NULL, NULL, NULL, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a 'tap' target file; use --target tap"));
	unlink(p);
	p = write_tmp("target: remote\niface: eth9\nagent: 127.0.0.1:7001\ntarget4: 192.0.2.1\n"
		      "peer4: 192.0.2.2\ntarget_mac: 02:00:00:00:00:01\n");
	assert_int_equal(conf(NULL, NULL, NULL, NULL, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'harness' and 'target_mac' are for tap targets"));
	unlink(p);
	p = write_tmp("target: remote\nsysctl: maybe\n");
	assert_int_equal(conf(NULL, NULL, NULL, NULL, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2:9: sysctl: 'maybe' (want agent or skip)"));
	unlink(p);
}

/* Without a profile in a file, the agent's HELLO names it; with no agent, "remote". */
static void test_profile_without_agent(void **state)
{
	(void)state;
	char err[1024];
	/* Port 1 on the loopback: nobody listens, the connection is refused at once. */
	assert_int_equal(conf("lo", "192.0.2.1", "192.0.2.2", "127.0.0.1:1", NULL, err, sizeof(err)), 0);
	assert_string_equal(remote()->profile(), "remote");
}

static void test_sysctl_request(void **state)
{
	(void)state;
	static struct ag_request rq;
	char err[512];
	const char *l = "5 SYSCTL key=net.ipv4.tcp_rmem value=4096,131072,6291456";
	assert_int_equal(ag_parse(l, strlen(l), &rq, err, sizeof(err)), 0);
	assert_int_equal(rq.verb, AG_V_SYSCTL);
	assert_string_equal(rq.tag, "5");
	assert_string_equal(rq.sysctl_key, "net.ipv4.tcp_rmem");
	assert_string_equal(rq.sysctl_value, "4096 131072 6291456");
	l = "6 SYSCTL value=1 key=net.ipv4.tcp_rfc1337";
	assert_int_equal(ag_parse(l, strlen(l), &rq, err, sizeof(err)), 0);
	assert_string_equal(rq.sysctl_value, "1");
}

static void test_sysctl_request_errors(void **state)
{
	(void)state;
	static struct ag_request rq;
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{"1 SYSCTL key=net.ipv4.tcp_rfc1337", "SYSCTL: missing key \"value\""},
		{"1 SYSCTL value=1", "SYSCTL: missing key \"key\""},
		{"1 SYSCTL key=a value=1 key=b", "SYSCTL: key \"key\" given twice"},
		{"1 SYSCTL key=a value=1 mode=x", "SYSCTL: unknown key \"mode\""},
		{"1 SYSCTL key=net..ipv4 value=1", "SYSCTL: bad key \"net..ipv4\""},
		{"1 SYSCTL key=.net value=1", "SYSCTL: bad key \".net\""},
		{"1 SYSCTL key=net. value=1", "SYSCTL: bad key \"net.\""},
		{"1 SYSCTL key=net/ipv4/x value=1", "SYSCTL: bad key \"net/ipv4/x\""},
		{"1 SYSCTL key=../../etc value=1", "SYSCTL: bad key \"../../etc\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		assert_int_equal(ag_parse(bad[i].line, strlen(bad[i].line), &rq, err, sizeof(err)), -1);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("'%s': got '%s', want '%s...'", bad[i].line, err, bad[i].msg);
		assert_string_equal(rq.tag, "1");
	}
	char line[400], err[512];
	snprintf(line, sizeof(line), "2 SYSCTL key=net.%0130d value=1", 0);
	assert_int_equal(ag_parse(line, strlen(line), &rq, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 127 bytes"));
	snprintf(line, sizeof(line), "2 SYSCTL key=net.x value=%0256d", 0);
	assert_int_equal(ag_parse(line, strlen(line), &rq, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "SYSCTL: value longer than 255 bytes"));
}

/* The BSD numbering FreeBSD's and Darwin's agents report (netinet/tcp_fsm.h). */
static void test_bsd_states(void **state)
{
	(void)state;
	char err[128];
	static const char *const want[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
					   "ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING",
					   "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"};
	for (int i = 0; i < 11; i++) {
		int st = tc_bsd_state(i, err, sizeof(err));
		assert_true(st >= 0);
		assert_string_equal(tc_state_name(st), want[i]);
	}
	assert_int_equal(tc_bsd_state(11, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown BSD TCP state 11");
	assert_int_equal(tc_bsd_state(-1, err, sizeof(err)), -1);
	assert_true(tc_bsd_rank(TC_ST_ESTABLISHED) > tc_bsd_rank(TC_ST_TIME_WAIT));
	assert_true(tc_bsd_rank(TC_ST_TIME_WAIT) > tc_bsd_rank(TC_ST_CLOSED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_good_settings),
		cmocka_unit_test(test_bad_settings),
		cmocka_unit_test(test_target_file),
		cmocka_unit_test(test_profile_without_agent),
		cmocka_unit_test(test_sysctl_request),
		cmocka_unit_test(test_sysctl_request_errors),
		cmocka_unit_test(test_bsd_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
