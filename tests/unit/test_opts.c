/*
 * test_opts.c - TCP option encoding and decoding (common/opts.c): exact bytes for every known
 * kind, round trips, and every class of malformed option list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/seg.h"

static struct tc_opt mk(uint8_t kind)
{
	struct tc_opt o;
	memset(&o, 0, sizeof(o));
	o.kind = kind;
	return o;
}

static void test_encode_known_kinds(void **state)
{
	(void)state;
	struct tc_opt o[7];
	o[0] = mk(TC_OPT_MSS);
	o[0].mss = 1460;
	o[1] = mk(TC_OPT_NOP);
	o[2] = mk(TC_OPT_WSCALE);
	o[2].wscale = 7;
	o[3] = mk(TC_OPT_SACK_OK);
	o[4] = mk(TC_OPT_TS);
	o[4].ts_val = 0x01020304;
	o[4].ts_ecr = 0xa0b0c0d0;
	o[5] = mk(TC_OPT_SACK);
	o[5].nsack = 1;
	o[5].sack_l[0] = 1000;
	o[5].sack_r[0] = 2000;
	o[6] = mk(TC_OPT_EOL);
	uint8_t out[40];
	static const uint8_t want[] = {
		2, 4, 0x05, 0xb4,  1,  3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0,
		5, 10, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0, 0,
	};
	int n = tc_opts_encode(o, 7, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_encode_sack_four_blocks(void **state)
{
	(void)state;
	struct tc_opt o = mk(TC_OPT_SACK);
	o.nsack = 4;
	for (int i = 0; i < 4; i++) {
		o.sack_l[i] = (uint32_t)(i * 100);
		o.sack_r[i] = (uint32_t)(i * 100 + 50);
	}
	uint8_t out[40];
	assert_int_equal(tc_opts_encode(&o, 1, out, sizeof(out)), 34);
	assert_int_equal(out[0], 5);
	assert_int_equal(out[1], 34);
	/* The last right edge: 350 = 0x015e. */
	assert_int_equal(out[32], 0x01);
	assert_int_equal(out[33], 0x5e);
}

static void test_encode_rejects_bad_input(void **state)
{
	(void)state;
	uint8_t out[40];
	struct tc_opt o = mk(TC_OPT_SACK);
	o.nsack = 0;
	assert_int_equal(tc_opts_encode(&o, 1, out, sizeof(out)), -1);
	o.nsack = 5;
	assert_int_equal(tc_opts_encode(&o, 1, out, sizeof(out)), -1);
	/* Does not fit: a 10-byte timestamp into 9 bytes. */
	struct tc_opt ts = mk(TC_OPT_TS);
	assert_int_equal(tc_opts_encode(&ts, 1, out, 9), -1);
	assert_int_equal(tc_opts_encode(&ts, 1, out, 10), 10);
	/* The total counts: 4 + 4 do not fit in 7. */
	struct tc_opt two[2] = {mk(TC_OPT_MSS), mk(TC_OPT_MSS)};
	assert_int_equal(tc_opts_encode(two, 2, out, 7), -1);
	assert_int_equal(tc_opts_encode(two, -1, out, 7), -1);
	assert_int_equal(tc_opts_encode(two, 0, out, 0), 0);
}

static void test_encode_raw_verbatim(void **state)
{
	(void)state;
	/* A malformed MSS (length 3) must go out byte for byte, ignoring the value fields. */
	struct tc_opt o = mk(TC_OPT_MSS);
	o.mss = 1460;
	o.raw[0] = 2;
	o.raw[1] = 3;
	o.raw[2] = 0x99;
	o.raw_len = 3;
	uint8_t out[8];
	assert_int_equal(tc_opts_encode(&o, 1, out, sizeof(out)), 3);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 0x99);
	/* An unknown kind without raw bytes goes out as kind + length 2. */
	struct tc_opt u = mk(99);
	assert_int_equal(tc_opts_encode(&u, 1, out, sizeof(out)), 2);
	assert_int_equal(out[0], 99);
	assert_int_equal(out[1], 2);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct tc_opt in[6], dec[TC_MAX_OPTS];
	in[0] = mk(TC_OPT_MSS);
	in[0].mss = 536;
	in[1] = mk(TC_OPT_SACK_OK);
	in[2] = mk(TC_OPT_TS);
	in[2].ts_val = 0xffffffff;
	in[2].ts_ecr = 1;
	in[3] = mk(TC_OPT_NOP);
	in[4] = mk(TC_OPT_WSCALE);
	in[4].wscale = 14;
	in[5] = mk(TC_OPT_SACK);
	in[5].nsack = 2;
	in[5].sack_l[0] = 1;
	in[5].sack_r[0] = 2;
	in[5].sack_l[1] = 0xfffffff0;
	in[5].sack_r[1] = 0x10;
	uint8_t buf[40];
	int n = tc_opts_encode(in, 6, buf, sizeof(buf));
	assert_int_equal(n, 4 + 2 + 10 + 1 + 3 + 18);
	int k = tc_opts_decode(buf, (size_t)n, dec, TC_MAX_OPTS);
	assert_int_equal(k, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(dec[i].kind, in[i].kind);
		assert_false(dec[i].malformed);
		assert_int_equal(dec[i].raw_len, 0);
	}
	assert_int_equal(dec[0].len, 4);
	assert_int_equal(dec[0].mss, 536);
	assert_int_equal(dec[1].len, 2);
	assert_int_equal(dec[2].ts_val, 0xffffffff);
	assert_int_equal(dec[2].ts_ecr, 1);
	assert_int_equal(dec[3].len, 0);
	assert_int_equal(dec[4].wscale, 14);
	assert_int_equal(dec[5].nsack, 2);
	assert_int_equal(dec[5].sack_l[1], 0xfffffff0);
	assert_int_equal(dec[5].sack_r[1], 0x10);
	/* And back again: decoding then encoding gives the same bytes. */
	uint8_t again[40];
	assert_int_equal(tc_opts_encode(dec, k, again, sizeof(again)), n);
	assert_memory_equal(again, buf, (size_t)n);
}

static void test_decode_eol_stops(void **state)
{
	(void)state;
	/* An MSS after EOL is padding garbage and must not be decoded. */
	static const uint8_t b[] = {1, 0, 2, 4, 5, 0xb4};
	struct tc_opt o[8];
	int k = tc_opts_decode(b, sizeof(b), o, 8);
	assert_int_equal(k, 2);
	assert_int_equal(o[0].kind, TC_OPT_NOP);
	assert_int_equal(o[1].kind, TC_OPT_EOL);
	assert_false(o[1].malformed);
	assert_int_equal(tc_opts_decode(b, 0, o, 8), 0);
}

static void test_decode_unknown_kept_raw(void **state)
{
	(void)state;
	static const uint8_t b[] = {254, 4, 0xf9, 0x89, 30, 2, 2, 4, 1, 0, 0};
	struct tc_opt o[8];
	int k = tc_opts_decode(b, sizeof(b), o, 8);
	assert_int_equal(k, 4);
	assert_int_equal(o[0].kind, 254);
	assert_int_equal(o[0].len, 4);
	assert_false(o[0].malformed);
	assert_int_equal(o[0].raw_len, 4);
	assert_memory_equal(o[0].raw, b, 4);
	assert_int_equal(o[1].kind, 30);
	assert_int_equal(o[1].raw_len, 2);
	assert_false(o[1].malformed);
	assert_int_equal(o[2].kind, TC_OPT_MSS);
	assert_int_equal(o[2].mss, 0x0100);
	assert_int_equal(o[3].kind, TC_OPT_EOL);
}

/* One decode expected to yield a malformed entry at index at, with the given raw bytes and
 * total entry count. */
static void expect_malformed(const uint8_t *b, size_t len, int want_n, int at, uint8_t kind,
			     uint8_t lenbyte, const uint8_t *raw, size_t rawlen)
{
	struct tc_opt o[TC_MAX_OPTS];
	int k = tc_opts_decode(b, len, o, TC_MAX_OPTS);
	assert_int_equal(k, want_n);
	assert_true(o[at].malformed);
	assert_int_equal(o[at].kind, kind);
	assert_int_equal(o[at].len, lenbyte);
	assert_int_equal(o[at].raw_len, rawlen);
	assert_memory_equal(o[at].raw, raw, rawlen);
	for (int i = 0; i < k; i++)
		if (i != at)
			assert_false(o[i].malformed);
}

static void test_malformed_missing_length_byte(void **state)
{
	(void)state;
	static const uint8_t b[] = {1, 2};
	expect_malformed(b, sizeof(b), 2, 1, TC_OPT_MSS, 0, b + 1, 1);
}

static void test_malformed_length_below_two(void **state)
{
	(void)state;
	/* Length 0 and 1 are impossible; parsing stops there, so the NOP after is not seen. */
	static const uint8_t b0[] = {2, 0, 1, 1};
	expect_malformed(b0, sizeof(b0), 1, 0, TC_OPT_MSS, 0, b0, 4);
	static const uint8_t b1[] = {1, 77, 1, 1};
	expect_malformed(b1, sizeof(b1), 2, 1, 77, 1, b1 + 1, 3);
}

static void test_malformed_length_past_end(void **state)
{
	(void)state;
	static const uint8_t b[] = {3, 3, 7, 8, 10, 0, 0, 0, 1};
	expect_malformed(b, sizeof(b), 2, 1, TC_OPT_TS, 10, b + 3, 6);
	/* Unknown kinds are checked the same way. */
	static const uint8_t u[] = {200, 5, 1};
	expect_malformed(u, sizeof(u), 1, 0, 200, 5, u, 3);
}

static void test_malformed_wrong_length_for_kind(void **state)
{
	(void)state;
	/* Each known kind with a self-consistent but wrong length: malformed, raw kept, and the
	 * following option is still decoded because the length says where it starts. */
	static const struct {
		uint8_t bytes[20];
		size_t len;
	} cases[] = {
		{{2, 3, 5, 1}, 4},                                      /* MSS length 3 */
		{{2, 6, 5, 0xb4, 0, 0, 1}, 7},                          /* MSS length 6 */
		{{3, 4, 7, 0, 1}, 5},                                   /* wscale length 4 */
		{{3, 2, 1}, 3},                                         /* wscale length 2 */
		{{4, 3, 0, 1}, 4},                                      /* sackOK length 3 */
		{{5, 2, 1}, 3},                                         /* SACK with no block */
		{{5, 9, 0, 0, 0, 1, 0, 0, 0, 1}, 10},                   /* SACK 2+8n violated */
		{{8, 8, 0, 0, 0, 1, 0, 0, 1}, 9},                       /* TS length 8 */
		{{8, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1}, 12},            /* TS length 11 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tc_opt o[8];
		int k = tc_opts_decode(cases[i].bytes, cases[i].len, o, 8);
		assert_int_equal(k, 2);
		assert_true(o[0].malformed);
		assert_int_equal(o[0].kind, cases[i].bytes[0]);
		assert_int_equal(o[0].len, cases[i].bytes[1]);
		assert_int_equal(o[0].raw_len, cases[i].bytes[1]);
		assert_memory_equal(o[0].raw, cases[i].bytes, cases[i].bytes[1]);
		assert_int_equal(o[1].kind, TC_OPT_NOP);
		assert_false(o[1].malformed);
		/* Re-encoding a malformed option reproduces its bytes. */
		uint8_t out[20];
		assert_int_equal(tc_opts_encode(o, k, out, sizeof(out)), (int)cases[i].len);
		assert_memory_equal(out, cases[i].bytes, cases[i].len);
	}
}

static void test_decode_sack_five_blocks_malformed(void **state)
{
	(void)state;
	/* 2 + 8*5 = 42 bytes cannot fit in a header and exceeds the four blocks we store. */
	uint8_t b[42] = {5, 42};
	expect_malformed(b, sizeof(b), 1, 0, TC_OPT_SACK, 42, b, 40);
}

static void test_decode_respects_cap(void **state)
{
	(void)state;
	uint8_t b[10];
	memset(b, 1, sizeof(b));
	struct tc_opt o[3];
	assert_int_equal(tc_opts_decode(b, sizeof(b), o, 3), 3);
	assert_int_equal(tc_opts_decode(b, sizeof(b), o, 0), 0);
	assert_int_equal(tc_opts_decode(NULL, 4, o, 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_known_kinds),
		cmocka_unit_test(test_encode_sack_four_blocks),
		cmocka_unit_test(test_encode_rejects_bad_input),
		cmocka_unit_test(test_encode_raw_verbatim),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_decode_eol_stops),
		cmocka_unit_test(test_decode_unknown_kept_raw),
		cmocka_unit_test(test_malformed_missing_length_byte),
		cmocka_unit_test(test_malformed_length_below_two),
		cmocka_unit_test(test_malformed_length_past_end),
		cmocka_unit_test(test_malformed_wrong_length_for_kind),
		cmocka_unit_test(test_decode_sack_five_blocks_malformed),
		cmocka_unit_test(test_decode_respects_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
