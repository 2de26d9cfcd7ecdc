/*
 * test_netns.c - namespaces and links over rtnetlink (runner/targets/netns.h), against the real
 * kernel: a namespace made here is one `ip netns` sees, a veth pair lands with the indexes,
 * addresses and neighbour entries asked for, and each failure says what failed and why.
 * Needs root, like the linux target itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runner/targets/netns.h"

static char ns_a[64], ns_b[64];

/* Output of a shell command, for reading back what the kernel holds. */
static void sh_out(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	out[0] = '\0';
	if (!p)
		return;
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	pclose(p);
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_netns needs root (network namespaces)\n");
		return -1;
	}
	snprintf(ns_a, sizeof(ns_a), "tcpc-%d-unit-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "tcpc-%d-unit-b", (int)getpid());
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	char err[256];
	tc_netns_del(ns_a, err, sizeof(err));
	tc_netns_del(ns_b, err, sizeof(err));
	return 0;
}

static void test_namespaces_and_links(void **st)
{
	(void)st;
	char err[256], out[4096], cmd[512];
	assert_int_equal(tc_netns_add(ns_a, err, sizeof(err)), 0);
	assert_int_equal(tc_netns_add(ns_b, err, sizeof(err)), 0);
	/* A second namespace of the same name is refused, naming the file. */
	assert_int_equal(tc_netns_add(ns_a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ns_a));
	assert_non_null(strstr(err, "File exists"));

	sh_out("ip netns list", out, sizeof(out));
	assert_non_null(strstr(out, ns_a));

	char pa[128], pb[128];
	snprintf(pa, sizeof(pa), TC_NETNS_DIR "/%s", ns_a);
	snprintf(pb, sizeof(pb), TC_NETNS_DIR "/%s", ns_b);
	int fa = open(pa, O_RDONLY | O_CLOEXEC), fb = open(pb, O_RDONLY | O_CLOEXEC);
	assert_true(fa >= 0 && fb >= 0);
	int nla = tc_nl_open(fa, err, sizeof(err)), nlb = tc_nl_open(fb, err, sizeof(err));
	assert_true(nla >= 0 && nlb >= 0);

	const uint8_t ma[6] = {2, 0, 0, 0, 0, 0x0a}, mb[6] = {2, 0, 0, 0, 0, 0x0b};
	assert_int_equal(tc_nl_veth(nla, "ua", 30, ma, "ub", 31, mb, fb, err, sizeof(err)), 0);
	/* The same again: the kernel's reason comes back with the operation. */
	assert_int_equal(tc_nl_veth(nla, "ua", 30, ma, "ub", 31, mb, fb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "creating veth ua/ub"));

	uint8_t a4[4], a6[16], p4[4];
	inet_pton(AF_INET, "192.0.2.1", a4);
	inet_pton(AF_INET6, "2001:db8::1", a6);
	inet_pton(AF_INET, "192.0.2.2", p4);
	assert_int_equal(tc_nl_link_up(nlb, "lo", err, sizeof(err)), 0);
	assert_int_equal(tc_nl_addr(nlb, "ub", AF_INET, a4, 24, err, sizeof(err)), 0);
	assert_int_equal(tc_nl_addr(nlb, "ub", AF_INET6, a6, 64, err, sizeof(err)), 0);
	assert_int_equal(tc_nl_link_up(nlb, "ub", err, sizeof(err)), 0);
	assert_int_equal(tc_nl_neigh(nlb, "ub", AF_INET, p4, ma, err, sizeof(err)), 0);
	/* An interface that is not in that namespace (ua lives in the other one). */
	assert_int_equal(tc_nl_addr(nlb, "ua", AF_INET, a4, 24, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no interface ua"));

	snprintf(cmd, sizeof(cmd), "ip -n %s -o link show ub; ip -n %s -o addr show dev ub; "
		 "ip -n %s neigh show dev ub", ns_b, ns_b, ns_b);
	sh_out(cmd, out, sizeof(out));
	assert_non_null(strstr(out, "31: ub@"));
	assert_non_null(strstr(out, "link/ether 02:00:00:00:00:0b"));
	assert_non_null(strstr(out, "inet 192.0.2.1/24"));
	assert_non_null(strstr(out, "inet6 2001:db8::1/64"));
	assert_null(strstr(out, "tentative"));
	assert_non_null(strstr(out, "192.0.2.2 lladdr 02:00:00:00:00:0a PERMANENT"));
	snprintf(cmd, sizeof(cmd), "ip -n %s -o link show ua", ns_a);
	sh_out(cmd, out, sizeof(out));
	assert_non_null(strstr(out, "30: ua@"));

	close(nla);
	close(nlb);
	close(fa);
	close(fb);
	assert_int_equal(tc_netns_del(ns_a, err, sizeof(err)), 0);
	assert_int_equal(tc_netns_del(ns_b, err, sizeof(err)), 0);
	struct stat sb;
	assert_int_equal(stat(pa, &sb), -1);
	/* Deleting what is not there is not an error (a sweep may race a normal close). */
	assert_int_equal(tc_netns_del(ns_a, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaces_and_links),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
