/*
 * test_neigh.c - ARP/ND answers of the injector (injector/neigh.h) and target files
 * (runner/targets/file.h).
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

#include "injector/neigh.h"
#include "runner/targets/file.h"

static const uint8_t MAC_INJ[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t MAC_TGT[6] = {2, 0, 0, 0, 0, 1};

static void self_init(struct tc_neigh_self *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->mac, MAC_INJ, 6);
	s->have_v4 = s->have_v6 = 1;
	const uint8_t v4[4] = {192, 0, 2, 2}, t4[4] = {192, 0, 2, 1};
	memcpy(s->v4, v4, 4);
	memcpy(s->target_v4, t4, 4);
	const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	const uint8_t t6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	memcpy(s->v6, v6, 16);
	memcpy(s->target_v6, t6, 16);
}

/* The target's view: the same link with the roles swapped, so the target's solicitation can be
 * built with tc_neigh_solicit and answered by the injector's tc_neigh_answer. */
static void target_view(const struct tc_neigh_self *inj, struct tc_neigh_self *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->mac, MAC_TGT, 6);
	t->have_v4 = t->have_v6 = 1;
	memcpy(t->v4, inj->target_v4, 4);
	memcpy(t->target_v4, inj->v4, 4);
	memcpy(t->v6, inj->target_v6, 16);
	memcpy(t->target_v6, inj->v6, 16);
}

static void test_arp_request_answered(void **st)
{
	(void)st;
	struct tc_neigh_self inj, tgt;
	uint8_t q[TC_NEIGH_FRAME_MAX], a[TC_NEIGH_FRAME_MAX], mac[6];
	self_init(&inj);
	target_view(&inj, &tgt);
	int n = tc_neigh_solicit(&tgt, 4, q, sizeof(q));
	assert_int_equal(n, TC_NEIGH_MIN_FRAME);
	int m = tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a));
	assert_int_equal(m, TC_NEIGH_MIN_FRAME);
	/* The reply goes to the asker, from us, and says our MAC has our address. */
	assert_memory_equal(a, MAC_TGT, 6);
	assert_memory_equal(a + 6, MAC_INJ, 6);
	assert_int_equal(a[21], 2); /* ARP reply */
	assert_int_equal(tc_neigh_learn(&tgt, 4, a, (size_t)m, mac), 1);
	assert_memory_equal(mac, MAC_INJ, 6);
}

static void test_arp_other_sender_or_target_ignored(void **st)
{
	(void)st;
	struct tc_neigh_self inj, tgt;
	uint8_t q[TC_NEIGH_FRAME_MAX], a[TC_NEIGH_FRAME_MAX];
	self_init(&inj);
	target_view(&inj, &tgt);
	int n = tc_neigh_solicit(&tgt, 4, q, sizeof(q));
	q[14 + 17] = 99; /* sender address 192.0.2.99: not the target */
	assert_int_equal(tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a)), 0);
	n = tc_neigh_solicit(&tgt, 4, q, sizeof(q));
	q[14 + 27] = 7; /* asks for 192.0.2.7: not ours */
	assert_int_equal(tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a)), 0);
	/* Truncated: not ours to answer, and no read past the end. */
	n = tc_neigh_solicit(&tgt, 4, q, sizeof(q));
	assert_int_equal(tc_neigh_answer(&inj, q, 30, a, sizeof(a)), 0);
}

static void test_ns_answered_with_valid_na(void **st)
{
	(void)st;
	struct tc_neigh_self inj, tgt;
	uint8_t q[TC_NEIGH_FRAME_MAX], a[TC_NEIGH_FRAME_MAX], mac[6];
	self_init(&inj);
	target_view(&inj, &tgt);
	int n = tc_neigh_solicit(&tgt, 6, q, sizeof(q));
	assert_true(n > 0);
	/* To the solicited-node group of our address (RFC 4291 2.7.1). */
	assert_int_equal(q[0], 0x33);
	assert_int_equal(q[2], 0xff);
	int m = tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a));
	assert_int_equal(m, 14 + 40 + 32);
	assert_memory_equal(a, MAC_TGT, 6);
	assert_int_equal(a[14 + 40], 136);   /* neighbour advertisement */
	assert_int_equal(a[14 + 40 + 4], 0x60); /* Solicited, Override */
	assert_int_equal(a[14 + 7], 255);    /* hop limit */
	/* tc_neigh_learn verifies the checksum before it believes the MAC. */
	assert_int_equal(tc_neigh_learn(&tgt, 6, a, (size_t)m, mac), 1);
	assert_memory_equal(mac, MAC_INJ, 6);
	a[m - 1] ^= 1;
	assert_int_equal(tc_neigh_learn(&tgt, 6, a, (size_t)m, mac), 0);
}

static void test_ns_dad_and_bad_checksum_ignored(void **st)
{
	(void)st;
	struct tc_neigh_self inj, tgt;
	uint8_t q[TC_NEIGH_FRAME_MAX], a[TC_NEIGH_FRAME_MAX];
	self_init(&inj);
	target_view(&inj, &tgt);
	int n = tc_neigh_solicit(&tgt, 6, q, sizeof(q));
	q[n - 1] ^= 0xff; /* corrupt the option: checksum no longer matches */
	assert_int_equal(tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a)), 0);
	/* A duplicate address detection probe comes from :: (RFC 4862 5.4.3). */
	memset(tgt.v6, 0, 16);
	n = tc_neigh_solicit(&tgt, 6, q, sizeof(q));
	assert_int_equal(tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a)), 0);
	/* A solicitation from a global address that is not the target's. */
	tgt.v6[0] = 0x20;
	tgt.v6[15] = 9;
	n = tc_neigh_solicit(&tgt, 6, q, sizeof(q));
	assert_int_equal(tc_neigh_answer(&inj, q, (size_t)n, a, sizeof(a)), 0);
	assert_int_equal(tc_neigh_solicit(&tgt, 5, q, sizeof(q)), -1);
	assert_int_equal(tc_neigh_solicit(&tgt, 6, q, 10), -1);
}

static const char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/tc-target-file-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_target_file_good(void **st)
{
	(void)st;
	struct tc_target_file tf;
	char err[512];
	const char *p = write_tmp("target: tap\nname: x\nprofile: lwip\nbaseline: b.yaml\n"
				  "harness: [\"{bin}/h\", \"--tap\", \"{tap}\"]\ntarget4: 192.0.2.1\n"
				  "peer6: \"2001:db8::2\"\nstartup_timeout: 2.5\n");
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), 0);
	unlink(p);
	assert_string_equal(tf.profile, "lwip");
	assert_int_equal(tf.argc, 3);
	assert_string_equal(tf.argv[2], "{tap}");
	assert_int_equal(tf.startup_ms, 2500);
	assert_string_equal(tf.baseline, "/tmp/b.yaml");
	char out[64];
	const char *vars[] = {"bin", "/b", "tap", "tc-tap", NULL};
	assert_int_equal(tc_target_file_expand(tf.argv[0], vars, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "/b/h");
	assert_int_equal(tc_target_file_expand("{nope}", vars, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown placeholder '{nope}'"));
	tc_target_file_free(&tf);
}

static void test_target_file_errors(void **st)
{
	(void)st;
	struct tc_target_file tf;
	char err[512];
	const char *p = write_tmp("target: tap\nharness: [x]\ncolour: blue\n");
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3:1: unknown key 'colour'"));
	unlink(p);
	p = write_tmp("target: tap\nharness: [x]\ntarget4: 2001:db8::1\n");
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3:10: target4: not an IPv4 address"));
	unlink(p);
	p = write_tmp("target: tap\n");
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs 'harness'"));
	unlink(p);
	p = write_tmp("target: linux\nharness: [x]\n");
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "want tap or remote"));
	unlink(p);
	p = write_tmp("target: tap\nharness: [x]\ntarget_mac: 02:00\n");
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "target_mac: '02:00' is not an Ethernet address"));
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_request_answered),
		cmocka_unit_test(test_arp_other_sender_or_target_ignored),
		cmocka_unit_test(test_ns_answered_with_valid_na),
		cmocka_unit_test(test_ns_dad_and_bad_checksum_ignored),
		cmocka_unit_test(test_target_file_good),
		cmocka_unit_test(test_target_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
