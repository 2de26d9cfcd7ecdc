/*
 * test_fmt.c - exact tcpdump-style strings from injector/fmt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "../../common/seg.h"
#include "../../injector/fmt.h"

static void seg4(struct tc_seg *s, const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
	memset(s, 0, sizeof(*s));
	s->family = TC_FAMILY_V4;
	inet_pton(AF_INET, src, s->src);
	inet_pton(AF_INET, dst, s->dst);
	s->sport = sp;
	s->dport = dp;
	s->checksum_ok = 1;
}

static void add_opts(struct tc_seg *s, const uint8_t *b, size_t n)
{
	memcpy(s->opt_bytes, b, n);
	s->opt_len = n;
	s->nopts = tc_opts_decode(b, n, s->opts, TC_MAX_OPTS);
}

static void test_syn_ack_relative(void **state)
{
	(void)state;
	struct tc_seg s;
	char buf[512];
	static const uint8_t o[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0, 1, 3, 3, 7};
	seg4(&s, "192.0.2.1", 8080, "192.0.2.2", 40000);
	s.flags = TC_F_SYN | TC_F_ACK;
	s.seq = 1000;
	s.ack = 2001;
	s.win = 65160;
	add_opts(&s, o, sizeof(o));
	assert_string_equal(tc_seg_fmt(&s, 1, 1000, 2000, buf, sizeof(buf)),
			    "192.0.2.1.8080 > 192.0.2.2.40000: Flags [S.], seq 0, ack 1, win 65160, "
			    "options [mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7], length 0");
	assert_string_equal(tc_seg_fmt(&s, 0, 1000, 2000, buf, sizeof(buf)),
			    "192.0.2.1.8080 > 192.0.2.2.40000: Flags [S.], seq 1000, ack 2001, win 65160, "
			    "options [mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7], length 0");
	assert_string_equal(tc_seg_fmt_short(&s, 1, 1000, 2000, buf, sizeof(buf)),
			    "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7>");
}

static void test_data_and_bare_ack(void **state)
{
	(void)state;
	struct tc_seg s;
	char buf[256];
	seg4(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.flags = TC_F_PSH | TC_F_ACK;
	s.seq = 100;
	s.ack = 7;
	s.win = 512;
	s.payload_len = 5;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [P.], seq 100:105, ack 7, win 512, length 5");
	assert_string_equal(tc_seg_fmt_short(&s, 1, 99, 0, buf, sizeof(buf)),
			    "P. 1:6(5) ack 7 win 512");
	/* A bare ACK carries no sequence space, so tcpdump leaves seq out. */
	s.flags = TC_F_ACK;
	s.payload_len = 0;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 7, win 512, length 0");
	/* RST without ACK: seq shown, ack not. */
	s.flags = TC_F_RST;
	s.win = 0;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [R], seq 100, win 0, length 0");
	s.flags = 0;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [none], win 0, length 0");
	s.flags = TC_F_SYN | TC_F_ECE | TC_F_CWR | TC_F_URG;
	s.urg = 9;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [SUEW], seq 100, win 0, urg 9, length 0");
}

static void test_relative_wraps(void **state)
{
	(void)state;
	struct tc_seg s;
	char buf[256];
	seg4(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.flags = TC_F_FIN | TC_F_ACK;
	s.seq = 5;
	s.ack = 0xfffffffe;
	assert_string_equal(tc_seg_fmt(&s, 1, 10, 0xfffffff0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [F.], seq 4294967291, ack 14, win 0, length 0");
	/* The end of a data range wraps modulo 2^32 too. */
	s.seq = 0xfffffffe;
	s.payload_len = 4;
	s.flags = TC_F_ACK;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "10.0.0.1.1 > 10.0.0.2.2: Flags [.], seq 4294967294:2, ack 4294967294, "
			    "win 0, length 4");
}

static void test_ipv6_and_checksum_mark(void **state)
{
	(void)state;
	struct tc_seg s;
	char buf[256];
	memset(&s, 0, sizeof(s));
	s.family = TC_FAMILY_V6;
	inet_pton(AF_INET6, "2001:db8::1", s.src);
	inet_pton(AF_INET6, "fe80::a:b", s.dst);
	s.sport = 443;
	s.dport = 50000;
	s.flags = TC_F_FIN | TC_F_ACK;
	s.seq = 10;
	s.ack = 20;
	s.win = 100;
	s.checksum_ok = 1;
	s.checksum = 0xabcd;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "2001:db8::1.443 > fe80::a:b.50000: Flags [F.], seq 10, ack 20, win 100, "
			    "length 0");
	/* A decoded segment whose checksum did not verify. */
	s.checksum_ok = 0;
	assert_string_equal(tc_seg_fmt(&s, 0, 0, 0, buf, sizeof(buf)),
			    "2001:db8::1.443 > fe80::a:b.50000: Flags [F.], seq 10, ack 20, win 100, "
			    "length 0 [bad tcp cksum]");
	assert_string_equal(tc_seg_fmt_short(&s, 0, 0, 0, buf, sizeof(buf)),
			    "F. 10:10(0) ack 20 win 100 [bad tcp cksum]");
	/* A segment to be sent, not yet crafted: no checksum, no verdict, no mark. */
	s.checksum = 0;
	assert_string_equal(tc_seg_fmt_short(&s, 0, 0, 0, buf, sizeof(buf)),
			    "F. 10:10(0) ack 20 win 100");
	/* A segment to be sent with a deliberately wrong checksum. */
	s.bad_checksum = 1;
	assert_string_equal(tc_seg_fmt_short(&s, 0, 0, 0, buf, sizeof(buf)),
			    "F. 10:10(0) ack 20 win 100 [bad tcp cksum]");
}

static void test_option_forms(void **state)
{
	(void)state;
	struct tc_opt o[TC_MAX_OPTS];
	char buf[256];
	static const uint8_t sack[] = {1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff,
				       0, 0, 0, 4, 0};
	int n = tc_opts_decode(sack, sizeof(sack), o, TC_MAX_OPTS);
	assert_string_equal(tc_opts_fmt(o, n, buf, sizeof(buf)),
			    "nop,nop,sack 2 {1:2}{4294967295:4},eol");
	static const uint8_t unk[] = {254, 4, 0xf9, 0x89, 77, 2};
	n = tc_opts_decode(unk, sizeof(unk), o, TC_MAX_OPTS);
	assert_string_equal(tc_opts_fmt(o, n, buf, sizeof(buf)), "unknown-254 0xf989,unknown-77");
	/* Malformed: wrong length for the kind (parsing continues), then one past the end. */
	static const uint8_t bad[] = {2, 3, 0x99, 3, 3, 14, 8, 10, 0, 0};
	n = tc_opts_decode(bad, sizeof(bad), o, TC_MAX_OPTS);
	assert_string_equal(tc_opts_fmt(o, n, buf, sizeof(buf)),
			    "mss [bad len 3] 0x020399,wscale 14,TS [bad len 10] 0x080a0000");
	static const uint8_t lone[] = {1, 200};
	n = tc_opts_decode(lone, sizeof(lone), o, TC_MAX_OPTS);
	assert_string_equal(tc_opts_fmt(o, n, buf, sizeof(buf)), "nop,unknown-200 [bad len 0] 0xc8");
	assert_string_equal(tc_opts_fmt(o, 0, buf, sizeof(buf)), "");
}

static void test_truncation(void **state)
{
	(void)state;
	struct tc_seg s;
	char buf[64];
	seg4(&s, "192.0.2.1", 8080, "192.0.2.2", 40000);
	s.flags = TC_F_SYN;
	memset(buf, 'x', sizeof(buf));
	tc_seg_fmt(&s, 0, 0, 0, buf, 20);
	assert_string_equal(buf, "192.0.2.1.8080 > 19");
	/* Nothing is written past cap. */
	assert_int_equal(buf[20], 'x');
	buf[0] = 'q';
	tc_seg_fmt(&s, 0, 0, 0, buf, 0);
	assert_int_equal(buf[0], 'q');
	tc_seg_fmt_short(&s, 0, 0, 0, buf, 1);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_ack_relative),
		cmocka_unit_test(test_data_and_bare_ack),
		cmocka_unit_test(test_relative_wraps),
		cmocka_unit_test(test_ipv6_and_checksum_mark),
		cmocka_unit_test(test_option_forms),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
