/*
 * fmt.c - tcpdump-style text for segments and option lists (see fmt.h).
 *
 * The output imitates tcpdump's so that people who debug TCP every day read it without a
 * legend. All writing goes through struct sbuf, which truncates instead of overflowing.
 */
#include "fmt.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/names.h"

struct sbuf {
	char *p;
	size_t cap, n;
};

static void sb_init(struct sbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->n = 0;
	if (cap > 0)
		p[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->cap == 0 || b->n >= b->cap - 1)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	/* On truncation vsnprintf reports the length it wanted; clamp to what was written. */
	b->n += (size_t)k < b->cap - b->n ? (size_t)k : b->cap - b->n - 1;
}

static void sb_hex(struct sbuf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(b, "%02x", p[i]);
}

/* The tcpdump names of option kinds; the case format's names (names.c) differ for sackOK and
 * TS because they follow YAML conventions rather than tcpdump's. */
static const char *tcpdump_opt_name(uint8_t kind)
{
	switch (kind) {
	case TC_OPT_EOL:
		return "eol";
	case TC_OPT_NOP:
		return "nop";
	case TC_OPT_MSS:
		return "mss";
	case TC_OPT_WSCALE:
		return "wscale";
	case TC_OPT_SACK_OK:
		return "sackOK";
	case TC_OPT_SACK:
		return "sack";
	case TC_OPT_TS:
		return "TS";
	default:
		return NULL;
	}
}

static void fmt_opt(struct sbuf *b, const struct tc_opt *o)
{
	const char *name = tcpdump_opt_name(o->kind);

	if (o->malformed) {
		/* Malformed options show their bytes so a reader can see exactly what was sent. */
		if (name)
			sb_printf(b, "%s", name);
		else
			sb_printf(b, "unknown-%u", o->kind);
		sb_printf(b, " [bad len %u] 0x", o->len);
		sb_hex(b, o->raw, o->raw_len);
		return;
	}
	switch (o->kind) {
	case TC_OPT_EOL:
	case TC_OPT_NOP:
	case TC_OPT_SACK_OK:
		sb_printf(b, "%s", name);
		break;
	case TC_OPT_MSS:
		sb_printf(b, "mss %u", o->mss);
		break;
	case TC_OPT_WSCALE:
		sb_printf(b, "wscale %u", o->wscale);
		break;
	case TC_OPT_SACK: {
		int n = o->nsack;
		if (n < 0)
			n = 0;
		if (n > TC_MAX_SACK_BLOCKS)
			n = TC_MAX_SACK_BLOCKS;
		sb_printf(b, "sack %d ", n);
		for (int i = 0; i < n; i++)
			sb_printf(b, "{%u:%u}", o->sack_l[i], o->sack_r[i]);
		break;
	}
	case TC_OPT_TS:
		sb_printf(b, "TS val %u ecr %u", o->ts_val, o->ts_ecr);
		break;
	default:
		sb_printf(b, "unknown-%u", o->kind);
		/* As tcpdump does, the value bytes after kind and length are shown in hex. */
		if (o->raw_len > 2) {
			sb_printf(b, " 0x");
			sb_hex(b, o->raw + 2, (size_t)o->raw_len - 2);
		}
		break;
	}
}

static void opts_into(struct sbuf *b, const struct tc_opt *opts, int n)
{
	for (int i = 0; i < n && i < TC_MAX_OPTS; i++) {
		if (i > 0)
			sb_printf(b, ",");
		fmt_opt(b, &opts[i]);
	}
}

const char *tc_opts_fmt(const struct tc_opt *opts, int n, char *buf, size_t cap)
{
	struct sbuf b;
	sb_init(&b, buf, cap);
	if (opts != NULL)
		opts_into(&b, opts, n);
	return buf;
}

/*
 * Whether to mark the checksum as bad. A segment to be sent says so with bad_checksum; a decoded
 * one with checksum_ok == 0. A segment still to be crafted has neither a checksum nor a verdict
 * (checksum 0, checksum_ok 0), and must not be marked, so a zero field without a verdict counts
 * as "not computed yet".
 */
static int cksum_bad(const struct tc_seg *s)
{
	return s->bad_checksum || (!s->checksum_ok && s->checksum != 0);
}

static void addr_port(struct sbuf *b, int family, const uint8_t *a, uint16_t port)
{
	char s[INET6_ADDRSTRLEN];
	if (inet_ntop(family == TC_FAMILY_V6 ? AF_INET6 : AF_INET, a, s, sizeof(s)) == NULL)
		snprintf(s, sizeof(s), "?");
	sb_printf(b, "%s.%u", s, port);
}

const char *tc_seg_fmt(const struct tc_seg *s, int rel, uint32_t seq_base, uint32_t ack_base,
		       char *buf, size_t cap)
{
	struct sbuf b;
	char fl[16];

	sb_init(&b, buf, cap);
	if (s == NULL)
		return buf;
	uint32_t seq = rel ? s->seq - seq_base : s->seq;
	uint32_t ack = rel ? s->ack - ack_base : s->ack;
	addr_port(&b, s->family, s->src, s->sport);
	sb_printf(&b, " > ");
	addr_port(&b, s->family, s->dst, s->dport);
	sb_printf(&b, ": Flags [%s]", tc_flags_tcpdump(s->flags, fl, sizeof(fl)));
	/* Like tcpdump, the sequence number is shown when it means something: the segment carries
	 * data or one of the flags that occupy or reset sequence space. */
	if (s->payload_len > 0 || (s->flags & (TC_F_SYN | TC_F_FIN | TC_F_RST))) {
		sb_printf(&b, ", seq %u", seq);
		if (s->payload_len > 0)
			sb_printf(&b, ":%u", (uint32_t)(seq + (uint32_t)s->payload_len));
	}
	if (s->flags & TC_F_ACK)
		sb_printf(&b, ", ack %u", ack);
	sb_printf(&b, ", win %u", s->win);
	if (s->flags & TC_F_URG)
		sb_printf(&b, ", urg %u", s->urg);
	if (s->nopts > 0) {
		sb_printf(&b, ", options [");
		opts_into(&b, s->opts, s->nopts);
		sb_printf(&b, "]");
	}
	sb_printf(&b, ", length %zu", s->payload_len);
	if (cksum_bad(s))
		sb_printf(&b, " [bad tcp cksum]");
	return buf;
}

const char *tc_seg_fmt_short(const struct tc_seg *s, int rel, uint32_t seq_base,
			     uint32_t ack_base, char *buf, size_t cap)
{
	struct sbuf b;
	char fl[16];

	sb_init(&b, buf, cap);
	if (s == NULL)
		return buf;
	uint32_t seq = rel ? s->seq - seq_base : s->seq;
	uint32_t ack = rel ? s->ack - ack_base : s->ack;
	/* The classic tcpdump form: first:last(length), last being first + length. */
	sb_printf(&b, "%s %u:%u(%zu)", tc_flags_tcpdump(s->flags, fl, sizeof(fl)), seq,
		  (uint32_t)(seq + (uint32_t)s->payload_len), s->payload_len);
	if (s->flags & TC_F_ACK)
		sb_printf(&b, " ack %u", ack);
	sb_printf(&b, " win %u", s->win);
	if (s->flags & TC_F_URG)
		sb_printf(&b, " urg %u", s->urg);
	if (s->nopts > 0) {
		sb_printf(&b, " <");
		opts_into(&b, s->opts, s->nopts);
		sb_printf(&b, ">");
	}
	if (cksum_bad(s))
		sb_printf(&b, " [bad tcp cksum]");
	return buf;
}
