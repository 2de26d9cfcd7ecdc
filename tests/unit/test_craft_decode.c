/*
 * test_craft_decode.c - the crafter (libnet) against golden frames, the decoder against the
 * crafter and against hand-made broken frames, and libnet's own checksums against an
 * independent computation.
 *
 * libnet's link-layer mode needs a real, up interface, so the group set-up moves this process
 * into a fresh network namespace (unshare) and creates a veth pair there. The namespace dies
 * with the process, so nothing is left behind even if a test crashes.
 *
 * Golden files (tests/golden/craft_*.hex) were generated once with TC_GOLDEN_REGEN=1 and checked
 * with tshark; from then on any change in the bytes libnet produces fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <libnet.h>
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/seg.h"
#include "../../injector/craft.h"
#include "../../injector/decode.h"

#define IFA "tcgold0"
#define IFB "tcgold1"

static const uint8_t SRC_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t DST_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

static struct tc_injector *g_inj;
static char g_golden[PATH_MAX + 32];

/* ---- helpers independent of the code under test ---- */

/* RFC 1071 checksum over a flat buffer, written separately from craft.c on purpose. */
static uint16_t ref_cksum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The TCP checksum of a frame's segment computed from scratch (checksum field zeroed). */
static uint16_t ref_tcp_cksum(const uint8_t *f, size_t len)
{
	static uint8_t buf[4096];
	size_t n = 0, off;
	int v6 = f[12] == 0x86;
	if (v6) {
		off = 54;
		memcpy(buf, f + 22, 32);
		size_t tl = len - off;
		buf[32] = 0;
		buf[33] = 0;
		buf[34] = (uint8_t)(tl >> 8);
		buf[35] = (uint8_t)tl;
		buf[36] = buf[37] = buf[38] = 0;
		buf[39] = 6;
		n = 40;
	} else {
		off = 14 + (size_t)(f[14] & 0x0f) * 4;
		memcpy(buf, f + 26, 8);
		size_t tl = len - off;
		buf[8] = 0;
		buf[9] = 6;
		buf[10] = (uint8_t)(tl >> 8);
		buf[11] = (uint8_t)tl;
		n = 12;
	}
	memcpy(buf + n, f + off, len - off);
	buf[n + 16] = buf[n + 17] = 0;
	return ref_cksum(buf, n + len - off);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Finds tests/golden by walking up from the working directory and from the executable. */
static int find_golden(void)
{
	char start[2][PATH_MAX];
	if (getcwd(start[0], sizeof(start[0])) == NULL)
		start[0][0] = '\0';
	ssize_t k = readlink("/proc/self/exe", start[1], sizeof(start[1]) - 1);
	start[1][k > 0 ? k : 0] = '\0';
	for (int s = 0; s < 2; s++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", start[s]);
		for (int up = 0; up < 6 && dir[0]; up++) {
			struct stat st;
			snprintf(g_golden, sizeof(g_golden), "%s/tests/golden", dir);
			if (stat(g_golden, &st) == 0 && S_ISDIR(st.st_mode))
				return 0;
			char *slash = strrchr(dir, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
		}
	}
	return -1;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

static int group_setup(void **state)
{
	(void)state;
	char err[256];
	if (find_golden() != 0) {
		fprintf(stderr, "cannot find tests/golden\n");
		return -1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "test_craft_decode needs root (network namespace, veth)\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	if (sh("ip link add " IFA " type veth peer name " IFB) != 0 ||
	    sh("ip link set " IFA " up") != 0 || sh("ip link set " IFB " up") != 0)
		return -1;
	g_inj = tc_injector_open(IFA, SRC_MAC, DST_MAC, err, sizeof(err));
	if (g_inj == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tc_injector_close(g_inj);
	/* The namespace goes away with the process; deleting explicitly is for tidiness. */
	if (system("ip link del " IFA " 2>/dev/null") != 0)
		fprintf(stderr, "note: " IFA " already gone\n");
	return 0;
}

/* ---- the golden cases ---- */

static void v4addr(uint8_t *a, const char *s)
{
	memset(a, 0, 16);
	inet_pton(AF_INET, s, a);
}

static void v6addr(uint8_t *a, const char *s)
{
	inet_pton(AF_INET6, s, a);
}

static void base_v4(struct tc_seg *s)
{
	memset(s, 0, sizeof(*s));
	s->family = TC_FAMILY_V4;
	v4addr(s->src, "192.0.2.1");
	v4addr(s->dst, "192.0.2.2");
	s->ttl = 64;
	s->sport = 40000;
	s->dport = 8080;
	s->seq = 0x11223344;
	s->ack = 0;
	s->win = 65535;
}

static void base_v6(struct tc_seg *s)
{
	base_v4(s);
	s->family = TC_FAMILY_V6;
	v6addr(s->src, "2001:db8::1");
	v6addr(s->dst, "2001:db8::2");
}

static void set_opts(struct tc_seg *s, const uint8_t *b, size_t n)
{
	memcpy(s->opt_bytes, b, n);
	s->opt_len = n;
	s->nopts = tc_opts_decode(b, n, s->opts, TC_MAX_OPTS);
}

static void set_payload(struct tc_seg *s, const char *p)
{
	s->payload_len = strlen(p);
	memcpy(s->payload, p, s->payload_len);
}

static const uint8_t SYN_OPTS[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 5,
				   0, 0, 0, 0, 1, 3, 3, 7};

struct gcase {
	const char *name;
	void (*make)(struct tc_seg *);
	int expect; /* TC_DEC_* the decoder must return for the crafted frame */
};

static void mk_v4_syn_opts(struct tc_seg *s)
{
	base_v4(s);
	s->flags = TC_F_SYN;
	s->df = 1;
	s->ip_id = 0x1234;
	set_opts(s, SYN_OPTS, sizeof(SYN_OPTS));
}

static void mk_v4_data(struct tc_seg *s)
{
	base_v4(s);
	s->flags = TC_F_ACK | TC_F_PSH | TC_F_URG;
	s->ack = 0xfffffff0;
	s->urg = 3;
	s->ttl = 1;
	s->tos = 0xb8;
	s->ip_id = 0xbeef;
	s->win = 512;
	set_payload(s, "hello, world\n"); /* odd length: checks the trailing-byte rule */
}

static void mk_v4_bad_cksum(struct tc_seg *s)
{
	base_v4(s);
	s->flags = TC_F_RST | TC_F_ACK;
	s->ack = 1;
	s->bad_checksum = 1;
}

static void mk_v4_raw_opts(struct tc_seg *s)
{
	/* A malformed MSS (length 3) then an unknown kind 254 with 2 value bytes: 7 bytes,
	 * padded to 8 by one EOL. */
	static const uint8_t o[] = {2, 3, 0x99, 254, 4, 0xf9, 0x89};
	base_v4(s);
	s->flags = TC_F_SYN;
	s->ip_id = 7;
	set_opts(s, o, sizeof(o));
}

static void mk_v4_doff8(struct tc_seg *s)
{
	/* Data offset forced to 8 over 12 payload bytes: the receiver must take the first 12
	 * payload bytes as options: four NOPs, then a timestamp cut short by the offset. */
	base_v4(s);
	s->flags = TC_F_ACK;
	s->ack = 5;
	s->doff = 8;
	static const uint8_t p[12] = {1, 1, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0};
	memcpy(s->payload, p, sizeof(p));
	s->payload_len = sizeof(p);
}

static void mk_v4_doff4(struct tc_seg *s)
{
	base_v4(s);
	s->flags = TC_F_ACK;
	s->doff = 4;
}

static void mk_v4_doff15(struct tc_seg *s)
{
	base_v4(s);
	s->flags = TC_F_ACK;
	s->doff = 15;
	set_payload(s, "abcd");
}

static void mk_v4_ecn_syn(struct tc_seg *s)
{
	base_v4(s);
	s->flags = TC_F_SYN | TC_F_ECE | TC_F_CWR;
	s->tos = 0x02;
	s->df = 1;
	static const uint8_t o[] = {2, 4, 0x02, 0x18};
	set_opts(s, o, sizeof(o));
}

static void mk_v6_syn_opts(struct tc_seg *s)
{
	base_v6(s);
	s->flags = TC_F_SYN | TC_F_ACK;
	s->ack = 0x01020304;
	s->ttl = 255;
	s->tos = 0x20;
	set_opts(s, SYN_OPTS, sizeof(SYN_OPTS));
}

static void mk_v6_data(struct tc_seg *s)
{
	base_v6(s);
	s->flags = TC_F_ACK | TC_F_PSH | TC_F_FIN;
	s->ack = 42;
	s->ttl = 3;
	set_payload(s, "GET / HTTP/1.0\r\n\r\n!"); /* 19 bytes */
}

static void mk_v6_bad_cksum_opts(struct tc_seg *s)
{
	static const uint8_t o[] = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9};
	base_v6(s);
	s->flags = TC_F_ACK;
	s->ack = 1;
	s->bad_checksum = 1;
	set_opts(s, o, sizeof(o));
	set_payload(s, "xyz");
}

static const struct gcase CASES[] = {
	{"v4_syn_opts", mk_v4_syn_opts, TC_DEC_TCP},
	{"v4_data", mk_v4_data, TC_DEC_TCP},
	{"v4_bad_cksum", mk_v4_bad_cksum, TC_DEC_TCP},
	{"v4_raw_opts", mk_v4_raw_opts, TC_DEC_TCP},
	{"v4_doff8", mk_v4_doff8, TC_DEC_TCP},
	{"v4_doff4", mk_v4_doff4, TC_DEC_MALFORMED},
	{"v4_doff15", mk_v4_doff15, TC_DEC_MALFORMED},
	{"v4_ecn_syn", mk_v4_ecn_syn, TC_DEC_TCP},
	{"v6_syn_opts", mk_v6_syn_opts, TC_DEC_TCP},
	{"v6_data", mk_v6_data, TC_DEC_TCP},
	{"v6_bad_cksum_opts", mk_v6_bad_cksum_opts, TC_DEC_TCP},
};
#define NCASES (sizeof(CASES) / sizeof(CASES[0]))

static void write_golden(const char *name, const uint8_t *f, size_t n)
{
	char path[PATH_MAX + 128];
	snprintf(path, sizeof(path), "%s/craft_%s.hex", g_golden, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "# %s: frame built by tc_craft (libnet 1.1.6), %zu bytes, hex\n", name, n);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%02x%s", f[i], (i % 16 == 15 || i + 1 == n) ? "\n" : " ");
	assert_int_equal(fclose(fp), 0);
}

/* Reads a golden hex file: '#' lines are comments, the rest is whitespace-separated hex. */
static size_t read_golden(const char *name, uint8_t *f, size_t cap)
{
	char path[PATH_MAX + 128], line[512];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/craft_%s.hex", g_golden, name);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("missing golden file %s (regenerate with TC_GOLDEN_REGEN=1)", path);
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#')
			continue;
		char *p = line;
		unsigned v;
		int used;
		while (sscanf(p, " %2x%n", &v, &used) == 1) {
			assert_true(n < cap);
			f[n++] = (uint8_t)v;
			p += used;
		}
	}
	fclose(fp);
	return n;
}

/* Compares every field of the decoded segment with what was asked for. */
static void check_fields(const struct tc_seg *want, const struct tc_seg *got, const uint8_t *f,
			 size_t flen)
{
	size_t ab = want->family == TC_FAMILY_V4 ? 4 : 16;
	assert_int_equal(got->family, want->family);
	assert_memory_equal(got->src, want->src, ab);
	assert_memory_equal(got->dst, want->dst, ab);
	assert_int_equal(got->ttl, want->ttl);
	assert_int_equal(got->tos, want->tos);
	assert_int_equal(got->df, want->df);
	assert_int_equal(got->ip_id, want->family == TC_FAMILY_V4 ? want->ip_id : 0);
	assert_int_equal(got->sport, want->sport);
	assert_int_equal(got->dport, want->dport);
	assert_int_equal(got->seq, want->seq);
	assert_int_equal(got->ack, want->ack);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->win, want->win);
	assert_int_equal(got->urg, want->urg);
	assert_int_equal(got->checksum_ok, !want->bad_checksum);
	/* The checksum on the wire, independently: correct, or (for bad_checksum) different from
	 * the correct value and from its one's complement twin. */
	uint16_t ref = ref_tcp_cksum(f, flen);
	if (want->bad_checksum) {
		assert_int_not_equal(got->checksum, ref);
		assert_false(ref == 0 && got->checksum == 0xffff);
	} else {
		assert_int_equal(got->checksum, ref);
	}

	if (want->doff != 0) {
		/* A forced offset: the option area is whatever the offset covers. */
		assert_int_equal(got->doff, want->doff);
		size_t ol = (size_t)want->doff * 4 - 20;
		size_t body = want->opt_len + want->payload_len;
		assert_int_equal(got->opt_len, ol);
		assert_int_equal(got->payload_len, body - ol);
		uint8_t all[TC_MAX_OPT_BYTES + TC_MAX_PAYLOAD];
		memcpy(all, want->opt_bytes, want->opt_len);
		memcpy(all + want->opt_len, want->payload, want->payload_len);
		assert_memory_equal(got->opt_bytes, all, ol);
		assert_memory_equal(got->payload, all + ol, body - ol);
		return;
	}
	/* Options: as given, then EOL padding to a multiple of 4 (RFC 9293 3.1). */
	size_t padded = (want->opt_len + 3) / 4 * 4;
	assert_int_equal(got->doff, 5 + padded / 4);
	assert_int_equal(got->opt_len, padded);
	assert_memory_equal(got->opt_bytes, want->opt_bytes, want->opt_len);
	for (size_t i = want->opt_len; i < padded; i++)
		assert_int_equal(got->opt_bytes[i], TC_OPT_EOL);
	int extra = padded > want->opt_len ? 1 : 0; /* the padding decodes as one EOL entry */
	if (want->nopts > 0 && want->opts[want->nopts - 1].kind == TC_OPT_EOL)
		extra = 0;
	assert_int_equal(got->nopts, want->nopts + extra);
	for (int i = 0; i < want->nopts; i++) {
		const struct tc_opt *a = &want->opts[i], *b = &got->opts[i];
		assert_int_equal(b->kind, a->kind);
		assert_int_equal(b->len, a->len);
		assert_int_equal(b->malformed, a->malformed);
		assert_int_equal(b->mss, a->mss);
		assert_int_equal(b->wscale, a->wscale);
		assert_int_equal(b->ts_val, a->ts_val);
		assert_int_equal(b->ts_ecr, a->ts_ecr);
		assert_int_equal(b->nsack, a->nsack);
		assert_int_equal(b->raw_len, a->raw_len);
		assert_memory_equal(b->raw, a->raw, a->raw_len);
	}
	assert_int_equal(got->payload_len, want->payload_len);
	assert_memory_equal(got->payload, want->payload, want->payload_len);
	assert_false(got->payload_truncated);
}

/* Checks the network layer of a crafted frame without the decoder. */
static void check_l2_l3(const struct tc_seg *s, const uint8_t *f, size_t n)
{
	assert_memory_equal(f, DST_MAC, 6);
	assert_memory_equal(f + 6, SRC_MAC, 6);
	size_t body = 20 + (s->opt_len + 3) / 4 * 4 + s->payload_len;
	if (s->family == TC_FAMILY_V4) {
		assert_int_equal(get16(f + 12), 0x0800);
		assert_int_equal(f[14], 0x45);
		assert_int_equal(f[15], s->tos);
		assert_int_equal(get16(f + 16), n - 14); /* total length */
		assert_int_equal(get16(f + 16), 20 + body);
		assert_int_equal(get16(f + 18), s->ip_id);
		assert_int_equal(get16(f + 20), s->df ? 0x4000 : 0);
		assert_int_equal(f[22], s->ttl);
		assert_int_equal(f[23], 6);
		/* A correct header checksum sums, with itself included, to zero. */
		assert_int_equal(ref_cksum(f + 14, 20), 0);
	} else {
		assert_int_equal(get16(f + 12), 0x86dd);
		assert_int_equal(f[14] >> 4, 6);
		assert_int_equal((uint8_t)((f[14] << 4) | (f[15] >> 4)), s->tos);
		assert_int_equal(get16(f + 18), n - 54); /* payload length */
		assert_int_equal(get16(f + 18), body);
		assert_int_equal(f[20], 6);
		assert_int_equal(f[21], s->ttl);
	}
}

static void test_golden_frames(void **state)
{
	(void)state;
	int regen = getenv("TC_GOLDEN_REGEN") != NULL;
	for (size_t i = 0; i < NCASES; i++) {
		struct tc_seg s, d;
		uint8_t f[2048], g[2048];
		char err[256] = "";
		CASES[i].make(&s);
		int n = tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err));
		if (n < 0)
			fail_msg("%s: %s", CASES[i].name, err);
		if (regen)
			write_golden(CASES[i].name, f, (size_t)n);
		size_t gn = read_golden(CASES[i].name, g, sizeof(g));
		if (gn != (size_t)n || memcmp(f, g, gn) != 0)
			fail_msg("%s: crafted frame differs from golden file", CASES[i].name);
		check_l2_l3(&s, f, (size_t)n);
		int rc = tc_decode_frame(f, (size_t)n, &d, err, sizeof(err));
		if (rc != CASES[i].expect)
			fail_msg("%s: decode returned %d (%s)", CASES[i].name, rc, err);
		if (rc == TC_DEC_TCP)
			check_fields(&s, &d, f, (size_t)n);
	}
}

static void test_forced_doff_messages(void **state)
{
	(void)state;
	struct tc_seg s, d;
	uint8_t f[256];
	char err[256];
	mk_v4_doff4(&s);
	int n = tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err));
	assert_true(n > 0);
	assert_int_equal(f[14 + 20 + 12] >> 4, 4);
	assert_int_equal(tc_decode_frame(f, (size_t)n, &d, err, sizeof(err)), TC_DEC_MALFORMED);
	assert_string_equal(err, "TCP data offset 4 is below the minimum of 5");
	mk_v4_doff15(&s);
	n = tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err));
	assert_true(n > 0);
	/* Even with a lying offset the checksum is right, so only the offset is at fault. */
	assert_int_equal(get16(f + 34 + 16), ref_tcp_cksum(f, (size_t)n));
	assert_int_equal(tc_decode_frame(f, (size_t)n, &d, err, sizeof(err)), TC_DEC_MALFORMED);
	assert_string_equal(err,
			    "TCP data offset 15 (60 bytes) runs past the end of the 24-byte segment");
}

static void test_craft_rejects(void **state)
{
	(void)state;
	struct tc_seg s;
	uint8_t f[2048];
	char err[256];
	base_v4(&s);
	s.family = 5;
	assert_int_equal(tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err)), -1);
	assert_string_equal(err, "craft: family 5 is neither 4 nor 6");
	base_v4(&s);
	s.doff = 16;
	assert_int_equal(tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err)), -1);
	assert_string_equal(err, "craft: data offset 16 does not fit in 4 bits");
	base_v4(&s);
	s.opt_len = 41;
	assert_int_equal(tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err)), -1);
	assert_string_equal(err, "craft: 41 option bytes exceed the 40-byte option space");
	base_v4(&s);
	s.payload_len = 1501;
	assert_int_equal(tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err)), -1);
	assert_string_equal(err, "craft: payload of 1501 bytes exceeds 1500");
	base_v4(&s);
	assert_int_equal(tc_craft(g_inj, &s, f, 53, err, sizeof(err)), -1);
	assert_string_equal(err, "craft: frame of 54 bytes does not fit in a 53-byte buffer");
	/* And after failures the handle still works: the libnet context was cleared. */
	assert_int_equal(tc_craft(g_inj, &s, f, 54, err, sizeof(err)), 54);
	char err2[256];
	uint8_t mac[6] = {0};
	assert_null(tc_injector_open("tcnosuch9", mac, mac, err2, sizeof(err2)));
	assert_non_null(strstr(err2, "cannot open interface \"tcnosuch9\""));
}

static void test_full_size_and_max_options(void **state)
{
	(void)state;
	struct tc_seg s, d;
	uint8_t f[2048];
	char err[256];
	base_v6(&s);
	s.flags = TC_F_ACK;
	s.payload_len = TC_MAX_PAYLOAD;
	for (size_t i = 0; i < s.payload_len; i++)
		s.payload[i] = (uint8_t)(i * 7);
	uint8_t o[40];
	memset(o, 1, sizeof(o));
	set_opts(&s, o, sizeof(o));
	int n = tc_craft(g_inj, &s, f, sizeof(f), err, sizeof(err));
	assert_int_equal(n, 14 + 40 + 60 + 1500);
	assert_int_equal(tc_decode_frame(f, (size_t)n, &d, err, sizeof(err)), TC_DEC_TCP);
	check_fields(&s, &d, f, (size_t)n);
}

/*
 * libnet's own TCP checksum, before craft.c rewrites it: built directly with libnet for IPv4
 * and IPv6, with and without options, with even and odd payloads, and compared with both
 * tc_tcp_checksum and the independent reference.
 */
static void test_libnet_checksum(void **state)
{
	(void)state;
	char eb[LIBNET_ERRBUF_SIZE];
	libnet_t *l = libnet_init(LIBNET_LINK_ADV, (char *)IFA, eb);
	assert_non_null(l);
	static const uint8_t opts[12] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0};
	static const uint8_t pl[7] = "abcdefg";
	for (int v6 = 0; v6 < 2; v6++)
		for (int ol = 0; ol <= 12; ol += 12)
			for (int pn = 0; pn <= 7; pn += 3) {
				uint32_t tl = (uint32_t)(20 + ol + pn);
				libnet_clear_packet(l);
				if (ol)
					assert_int_not_equal(libnet_build_tcp_options(opts, (uint32_t)ol, l, 0), -1);
				assert_int_not_equal(libnet_build_tcp(1, 2, 3, 4, TH_SYN, 5, 0, 0, (uint16_t)tl,
								      pn ? pl : NULL, (uint32_t)pn, l, 0), -1);
				uint8_t a[16], b[16];
				if (v6) {
					struct libnet_in6_addr s6, d6;
					v6addr(a, "fe80::1");
					v6addr(b, "2001:db8:ffff::abcd");
					memcpy(&s6, a, 16);
					memcpy(&d6, b, 16);
					assert_int_not_equal(libnet_build_ipv6(0, 0, (uint16_t)tl, 6, 64, s6, d6,
									       NULL, 0, l, 0), -1);
				} else {
					uint32_t s4, d4;
					v4addr(a, "10.1.2.3");
					v4addr(b, "172.31.255.254");
					memcpy(&s4, a, 4);
					memcpy(&d4, b, 4);
					assert_int_not_equal(libnet_build_ipv4((uint16_t)(20 + tl), 0, 1, 0, 64, 6,
									       0, s4, d4, NULL, 0, l, 0), -1);
				}
				assert_int_not_equal(libnet_build_ethernet(DST_MAC, SRC_MAC,
									   v6 ? 0x86dd : 0x0800, NULL, 0,
									   l, 0), -1);
				uint8_t *pkt;
				uint32_t n;
				assert_int_not_equal(libnet_adv_cull_packet(l, &pkt, &n), -1);
				size_t off = v6 ? 54 : 34;
				assert_int_equal(n, off + tl);
				uint16_t lib = get16(pkt + off + 16);
				uint16_t ours = tc_tcp_checksum(v6 ? TC_FAMILY_V6 : TC_FAMILY_V4, a, b,
								pkt + off, tl);
				uint16_t ref = ref_tcp_cksum(pkt, n);
				libnet_adv_free_packet(l, pkt);
				if (lib != ref || ours != ref)
					fail_msg("v6=%d opts=%d payload=%d: libnet %04x ours %04x ref %04x", v6,
						 ol, pn, lib, ours, ref);
			}
	libnet_destroy(l);
}

/* ---- decoder on hand-made frames ---- */

/* Builds Ethernet + IPv4 (with optional IP options) + TCP by hand, checksums included. */
static size_t hand_v4(uint8_t *f, const uint8_t *ipopts, size_t ipol, uint8_t doff,
		      const uint8_t *tail, size_t tl)
{
	memset(f, 0, 14);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	size_t ihl = 20 + ipol;
	size_t tcplen = 20 + tl;
	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	ip[1] = 0;
	ip[2] = (uint8_t)((ihl + tcplen) >> 8);
	ip[3] = (uint8_t)(ihl + tcplen);
	memset(ip + 4, 0, 16);
	ip[8] = 64;
	ip[9] = 6;
	static const uint8_t addrs[8] = {198, 51, 100, 1, 198, 51, 100, 2};
	memcpy(ip + 12, addrs, 8);
	if (ipol > 0)
		memcpy(ip + 20, ipopts, ipol);
	uint16_t hc = ref_cksum(ip, ihl);
	ip[10] = (uint8_t)(hc >> 8);
	ip[11] = (uint8_t)hc;
	uint8_t *t = ip + ihl;
	memset(t, 0, 20);
	t[0] = 0x30, t[1] = 0x39; /* 12345 */
	t[2] = 0x00, t[3] = 0x50; /* 80 */
	t[7] = 1;                 /* seq 1 */
	t[12] = (uint8_t)(doff << 4);
	t[13] = TC_F_SYN;
	t[14] = 0x10; /* win 4096 */
	if (tl > 0)
		memcpy(t + 20, tail, tl);
	size_t n = 14 + ihl + tcplen;
	uint16_t c = ref_tcp_cksum(f, n);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	return n;
}

static void expect_malformed(const uint8_t *f, size_t n, const char *msg)
{
	struct tc_seg d;
	char err[256];
	int rc = tc_decode_frame(f, n, &d, err, sizeof(err));
	if (rc != TC_DEC_MALFORMED)
		fail_msg("expected malformed \"%s\", got %d (%s)", msg, rc, err);
	assert_string_equal(err, msg);
}

static void test_decode_v4_hand(void **state)
{
	(void)state;
	uint8_t f[2200];
	struct tc_seg d;
	char err[256];
	static const uint8_t mss[4] = {2, 4, 0x02, 0x18};
	size_t n = hand_v4(f, NULL, 0, 6, mss, 4);
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.sport, 12345);
	assert_int_equal(d.dport, 80);
	assert_int_equal(d.seq, 1);
	assert_int_equal(d.win, 4096);
	assert_int_equal(d.nopts, 1);
	assert_int_equal(d.opts[0].mss, 536);
	assert_true(d.checksum_ok);

	/* Ethernet padding: 58 bytes padded to 60 with non-zero junk must not become payload. */
	uint8_t p[64];
	memcpy(p, f, n);
	p[n] = 0xaa;
	p[n + 1] = 0xbb;
	assert_int_equal(tc_decode_frame(p, n + 2, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.payload_len, 0);
	assert_true(d.checksum_ok);

	/* IP options: IHL 6 with one word of NOPs; TCP starts after them. */
	static const uint8_t ipo[4] = {1, 1, 1, 0};
	n = hand_v4(f, ipo, 4, 5, (const uint8_t *)"data", 4);
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.sport, 12345);
	assert_int_equal(d.payload_len, 4);
	assert_memory_equal(d.payload, "data", 4);
	assert_true(d.checksum_ok);

	/* A corrupted payload byte fails the checksum. */
	f[n - 1] ^= 1;
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_false(d.checksum_ok);

	/* An oversize payload (2000 bytes, IPv4 allows it) is copied up to the limit. */
	static uint8_t big[2000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	n = hand_v4(f, NULL, 0, 5, big, sizeof(big));
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.payload_len, 2000);
	assert_true(d.payload_truncated);
	assert_memory_equal(d.payload, big, TC_MAX_PAYLOAD);
	assert_true(d.checksum_ok);
}

static void test_decode_v4_malformed(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = hand_v4(f, NULL, 0, 5, NULL, 0);
	uint8_t g[256];

	expect_malformed(f, 10, "Ethernet header truncated: 10 of 14 bytes");
	expect_malformed(NULL, 60, "no frame");
	expect_malformed(f, 30, "IPv4 header truncated: 16 of 20 bytes");
	memcpy(g, f, n);
	g[14] = 0x55;
	expect_malformed(g, n, "IPv4 version field is 5, not 4");
	memcpy(g, f, n);
	g[14] = 0x44;
	expect_malformed(g, n, "IPv4 header length 16 is below 20 bytes");
	memcpy(g, f, n);
	g[16] = 0, g[17] = 60;
	expect_malformed(g, n, "IPv4 total length 60 exceeds the 40 bytes captured");
	memcpy(g, f, n);
	g[16] = 0, g[17] = 19;
	expect_malformed(g, n, "IPv4 total length 19 is smaller than the header (20)");
	/* Total length 30: only 10 bytes of TCP. */
	memcpy(g, f, n);
	g[16] = 0, g[17] = 30;
	expect_malformed(g, n, "TCP header truncated: 10 of 20 bytes");
	memcpy(g, f, n);
	g[34 + 12] = 0x20;
	expect_malformed(g, n, "TCP data offset 2 is below the minimum of 5");
	memcpy(g, f, n);
	g[34 + 12] = 0x60;
	expect_malformed(g, n, "TCP data offset 6 (24 bytes) runs past the end of the 20-byte segment");
	/* The decoder never reads past len: every prefix of a valid frame is rejected cleanly. */
	for (size_t k = 0; k < n; k++) {
		struct tc_seg d;
		char err[128];
		uint8_t *copy = malloc(k ? k : 1);
		memcpy(copy, f, k);
		assert_int_equal(tc_decode_frame(copy, k, &d, err, sizeof(err)), TC_DEC_MALFORMED);
		assert_true(err[0] != '\0');
		free(copy);
	}
}

static void test_decode_other(void **state)
{
	(void)state;
	uint8_t f[256], g[256];
	struct tc_seg d;
	char err[128];
	size_t n = hand_v4(f, NULL, 0, 5, NULL, 0);
	memcpy(g, f, n);
	g[12] = 0x08, g[13] = 0x06; /* ARP */
	assert_int_equal(tc_decode_frame(g, n, &d, err, sizeof(err)), TC_DEC_OTHER);
	memcpy(g, f, n);
	g[23] = 17; /* UDP */
	assert_int_equal(tc_decode_frame(g, n, &d, err, sizeof(err)), TC_DEC_OTHER);
	memcpy(g, f, n);
	g[20] = 0x20; /* more fragments */
	assert_int_equal(tc_decode_frame(g, n, &d, err, sizeof(err)), TC_DEC_OTHER);
	memcpy(g, f, n);
	g[21] = 0x10; /* fragment offset 16 */
	assert_int_equal(tc_decode_frame(g, n, &d, err, sizeof(err)), TC_DEC_OTHER);
	memcpy(g, f, n);
	g[20] = 0x40; /* DF alone is not a fragment */
	assert_int_equal(tc_decode_frame(g, n, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_true(d.df);
}

static void test_decode_vlan(void **state)
{
	(void)state;
	uint8_t f[256], g[260];
	struct tc_seg d;
	char err[128];
	size_t n = hand_v4(f, NULL, 0, 5, (const uint8_t *)"vl", 2);
	memcpy(g, f, 12);
	g[12] = 0x81, g[13] = 0x00, g[14] = 0x20, g[15] = 0x07; /* priority 1, VLAN 7 */
	memcpy(g + 16, f + 12, n - 12);
	assert_int_equal(tc_decode_frame(g, n + 4, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.sport, 12345);
	assert_int_equal(d.payload_len, 2);
	assert_memory_equal(d.payload, "vl", 2);
	assert_true(d.checksum_ok);
	expect_malformed(g, 16, "802.1Q tag truncated");
	/* A second tag is not skipped: the frame is "something else". */
	uint8_t h[264];
	memcpy(h, g, 16);
	memcpy(h + 16, g + 12, n + 4 - 12);
	assert_int_equal(tc_decode_frame(h, n + 8, &d, err, sizeof(err)), TC_DEC_OTHER);
}

/* Builds an IPv6 frame by hand: ext holds extension headers (whose first byte chain ends in
 * TCP) and first_nh is the fixed header's next header. */
static size_t hand_v6(uint8_t *f, uint8_t first_nh, const uint8_t *ext, size_t el)
{
	memset(f, 0, 54);
	f[12] = 0x86, f[13] = 0xdd;
	uint8_t *ip = f + 14;
	ip[0] = 0x60;
	size_t plen = el + 20;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = first_nh;
	ip[7] = 64;
	v6addr(ip + 8, "2001:db8::a");
	v6addr(ip + 24, "2001:db8::b");
	if (el > 0)
		memcpy(ip + 40, ext, el);
	uint8_t *t = ip + 40 + el;
	memset(t, 0, 20);
	t[1] = 22, t[3] = 23, t[12] = 0x50, t[13] = TC_F_ACK;
	/* The checksum covers only the TCP segment, so the reference over the bytes after the
	 * extension headers is computed through tc_tcp_checksum with the addresses. */
	uint16_t c = tc_tcp_checksum(TC_FAMILY_V6, ip + 8, ip + 24, t, 20);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	return 54 + el + 20;
}

static void test_decode_v6_ext(void **state)
{
	(void)state;
	uint8_t f[512];
	struct tc_seg d;
	char err[128];
	/* Hop-by-hop (8 bytes, PadN) -> routing (16 bytes) -> destination options (8) -> TCP. */
	static const uint8_t ext[] = {
		43, 0, 1, 4, 0, 0, 0, 0,
		60, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		6, 0, 1, 4, 0, 0, 0, 0,
	};
	size_t n = hand_v6(f, 0, ext, sizeof(ext));
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.family, TC_FAMILY_V6);
	assert_int_equal(d.sport, 22);
	assert_int_equal(d.dport, 23);
	assert_int_equal(d.flags, TC_F_ACK);
	assert_int_equal(d.ttl, 64);
	assert_true(d.checksum_ok);
	/* Padding after the IPv6 payload is ignored too. */
	memset(f + n, 0xee, 6);
	assert_int_equal(tc_decode_frame(f, n + 6, &d, err, sizeof(err)), TC_DEC_TCP);
	assert_int_equal(d.payload_len, 0);

	/* A fragment header ends decoding as OTHER. */
	static const uint8_t frag[] = {6, 0, 0, 1, 0, 0, 0, 9};
	n = hand_v6(f, 44, frag, sizeof(frag));
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_OTHER);
	/* So does ICMPv6 or "no next header". */
	n = hand_v6(f, 58, NULL, 0);
	assert_int_equal(tc_decode_frame(f, n, &d, err, sizeof(err)), TC_DEC_OTHER);
	/* An extension header whose length runs past the payload. */
	static const uint8_t longext[] = {6, 9, 1, 4, 0, 0, 0, 0};
	n = hand_v6(f, 60, longext, sizeof(longext));
	expect_malformed(f, n, "IPv6 extension header 60 truncated");
	/* Payload length beyond the frame. */
	n = hand_v6(f, 6, NULL, 0);
	f[19] = 21;
	expect_malformed(f, n, "IPv6 payload length 21 exceeds the 20 bytes captured");
	f[19] = 20;
	f[14] = 0x40;
	expect_malformed(f, n, "IPv6 version field is 4, not 6");
	expect_malformed(f, 50, "IPv6 header truncated: 36 of 40 bytes");
}

static void test_reader(void **state)
{
	(void)state;
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7};
	struct tc_rd r;
	uint8_t out[8];
	tc_rd_init(&r, b, sizeof(b));
	assert_int_equal(tc_rd_u8(&r), 1);
	assert_int_equal(tc_rd_u16(&r), 0x0203);
	assert_int_equal(tc_rd_u32(&r), 0x04050607u);
	assert_int_equal(r.err, 0);
	assert_int_equal(tc_rd_u8(&r), 0);
	assert_int_equal(r.err, 1);
	/* Sticky: after an error nothing more is read, even what would fit. */
	tc_rd_init(&r, b, sizeof(b));
	assert_int_equal(tc_rd_skip(&r, 8), -1);
	assert_int_equal(tc_rd_u8(&r), 0);
	assert_int_equal(tc_rd_bytes(&r, out, 1), -1);
	tc_rd_init(&r, b, sizeof(b));
	assert_int_equal(tc_rd_skip(&r, 5), 0);
	assert_int_equal(tc_rd_u32(&r), 0);
	assert_int_equal(r.err, 1);
	tc_rd_init(&r, b, sizeof(b));
	assert_int_equal(tc_rd_bytes(&r, out, 7), 0);
	assert_memory_equal(out, b, 7);
	assert_int_equal(tc_rd_bytes(&r, out, 0), 0);
	assert_int_equal(tc_rd_bytes(&r, out, 1), -1);
	/* A huge skip must not wrap the offset around. */
	tc_rd_init(&r, b, sizeof(b));
	tc_rd_u8(&r);
	assert_int_equal(tc_rd_skip(&r, SIZE_MAX), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_frames),
		cmocka_unit_test(test_forced_doff_messages),
		cmocka_unit_test(test_craft_rejects),
		cmocka_unit_test(test_full_size_and_max_options),
		cmocka_unit_test(test_libnet_checksum),
		cmocka_unit_test(test_decode_v4_hand),
		cmocka_unit_test(test_decode_v4_malformed),
		cmocka_unit_test(test_decode_other),
		cmocka_unit_test(test_decode_vlan),
		cmocka_unit_test(test_decode_v6_ext),
		cmocka_unit_test(test_reader),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
