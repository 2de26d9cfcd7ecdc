/*
 * decode.c - Ethernet/IPv4/IPv6/TCP frame decoder with bounds-checked reads (see decode.h).
 *
 * Every byte is read through struct tc_rd, which refuses to go past the length it was given, so
 * a frame of any content can only produce TC_DEC_MALFORMED, never an out-of-bounds read.
 */
#include "decode.h"

#include <stdio.h>
#include <string.h>

#include "craft.h"

#define ETHERTYPE_V4 0x0800
#define ETHERTYPE_V6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define PROTO_TCP 6

/* IPv6 extension headers this decoder walks (RFC 8200 4.1) and the one it reports as OTHER. */
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60

void tc_rd_init(struct tc_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = 0;
}

/* Whether n more bytes are available; sets the sticky error when they are not. */
static int rd_have(struct tc_rd *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = 1;
		return 0;
	}
	return 1;
}

uint8_t tc_rd_u8(struct tc_rd *r)
{
	if (!rd_have(r, 1))
		return 0;
	return r->p[r->off++];
}

uint16_t tc_rd_u16(struct tc_rd *r)
{
	if (!rd_have(r, 2))
		return 0;
	uint16_t v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
	r->off += 2;
	return v;
}

uint32_t tc_rd_u32(struct tc_rd *r)
{
	if (!rd_have(r, 4))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
}

int tc_rd_bytes(struct tc_rd *r, uint8_t *out, size_t n)
{
	if (!rd_have(r, n))
		return -1;
	if (n > 0)
		memcpy(out, r->p + r->off, n);
	r->off += n;
	return 0;
}

int tc_rd_skip(struct tc_rd *r, size_t n)
{
	if (!rd_have(r, n))
		return -1;
	r->off += n;
	return 0;
}

/*
 * Decodes the TCP segment in tcp[0..len), where len is the length the IP header gives for it.
 */
static int decode_tcp(const uint8_t *tcp, size_t len, struct tc_seg *out, char *err, size_t cap)
{
	struct tc_rd r;

	tc_rd_init(&r, tcp, len);
	if (len < 20) {
		snprintf(err, cap, "TCP header truncated: %zu of 20 bytes", len);
		return TC_DEC_MALFORMED;
	}
	out->sport = tc_rd_u16(&r);
	out->dport = tc_rd_u16(&r);
	out->seq = tc_rd_u32(&r);
	out->ack = tc_rd_u32(&r);
	uint8_t b12 = tc_rd_u8(&r);
	out->doff = b12 >> 4;
	out->flags = tc_rd_u8(&r);
	out->win = tc_rd_u16(&r);
	out->checksum = tc_rd_u16(&r);
	out->urg = tc_rd_u16(&r);
	if (r.err) {
		snprintf(err, cap, "TCP header truncated");
		return TC_DEC_MALFORMED;
	}
	/* RFC 9293 3.1: the data offset counts the 20-byte fixed header, so anything below 5 is
	 * impossible, and it may not point past the segment's end. */
	if (out->doff < 5) {
		snprintf(err, cap, "TCP data offset %u is below the minimum of 5", out->doff);
		return TC_DEC_MALFORMED;
	}
	size_t hlen = (size_t)out->doff * 4;
	if (hlen > len) {
		snprintf(err, cap,
			 "TCP data offset %u (%zu bytes) runs past the end of the %zu-byte segment",
			 out->doff, hlen, len);
		return TC_DEC_MALFORMED;
	}
	out->opt_len = hlen - 20;
	if (tc_rd_bytes(&r, out->opt_bytes, out->opt_len) != 0) {
		snprintf(err, cap, "TCP options truncated");
		return TC_DEC_MALFORMED;
	}
	out->nopts = tc_opts_decode(out->opt_bytes, out->opt_len, out->opts, TC_MAX_OPTS);

	out->payload_len = len - hlen;
	size_t keep = out->payload_len;
	if (keep > TC_MAX_PAYLOAD) {
		keep = TC_MAX_PAYLOAD;
		out->payload_truncated = 1;
	}
	if (tc_rd_bytes(&r, out->payload, keep) != 0) {
		snprintf(err, cap, "TCP payload truncated");
		return TC_DEC_MALFORMED;
	}
	/* The pseudo-header uses the addresses of the IP header. With an IPv6 routing header
	 * RFC 8200 8.1 asks for the final destination instead; the links this tool drives carry no
	 * routing headers, so such a segment may be reported with a bad checksum.
	 * Verifying by recomputation: the sender's value equals ours, or is its one's complement
	 * twin 0xffff for a computed 0x0000 (both mean zero, RFC 1071). */
	uint16_t want = tc_tcp_checksum(out->family, out->src, out->dst, tcp, len);
	out->checksum_ok = out->checksum == want || (want == 0 && out->checksum == 0xffff);
	return TC_DEC_TCP;
}

static int decode_ipv4(struct tc_rd *r, struct tc_seg *out, char *err, size_t cap)
{
	size_t start = r->off;
	size_t avail = r->len - r->off;

	if (avail < 20) {
		snprintf(err, cap, "IPv4 header truncated: %zu of 20 bytes", avail);
		return TC_DEC_MALFORMED;
	}
	uint8_t vihl = tc_rd_u8(r);
	if ((vihl >> 4) != 4) {
		snprintf(err, cap, "IPv4 version field is %u, not 4", vihl >> 4);
		return TC_DEC_MALFORMED;
	}
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	out->family = TC_FAMILY_V4;
	out->tos = tc_rd_u8(r);
	size_t total = tc_rd_u16(r);
	out->ip_id = tc_rd_u16(r);
	uint16_t frag = tc_rd_u16(r);
	out->df = (frag & 0x4000) != 0;
	out->ttl = tc_rd_u8(r);
	uint8_t proto = tc_rd_u8(r);
	tc_rd_skip(r, 2); /* header checksum */
	tc_rd_bytes(r, out->src, 4);
	tc_rd_bytes(r, out->dst, 4);
	if (r->err) {
		snprintf(err, cap, "IPv4 header truncated");
		return TC_DEC_MALFORMED;
	}
	/* RFC 791 3.1: IHL is at least 5 words, and the total length covers the header. The total
	 * length, not the frame length, bounds the datagram: Ethernet pads short frames to 60
	 * bytes, and that padding is not payload. */
	if (ihl < 20) {
		snprintf(err, cap, "IPv4 header length %zu is below 20 bytes", ihl);
		return TC_DEC_MALFORMED;
	}
	if (total < ihl) {
		snprintf(err, cap, "IPv4 total length %zu is smaller than the header (%zu)", total, ihl);
		return TC_DEC_MALFORMED;
	}
	if (total > avail) {
		snprintf(err, cap, "IPv4 total length %zu exceeds the %zu bytes captured", total, avail);
		return TC_DEC_MALFORMED;
	}
	/* A fragment (more-fragments set or a non-zero offset) cannot be decoded as a whole TCP
	 * segment; reassembly is out of scope, so it is reported as something else. */
	if ((frag & 0x2000) || (frag & 0x1fff))
		return TC_DEC_OTHER;
	if (proto != PROTO_TCP)
		return TC_DEC_OTHER;
	return decode_tcp(r->p + start + ihl, total - ihl, out, err, cap);
}

static int decode_ipv6(struct tc_rd *r, struct tc_seg *out, char *err, size_t cap)
{
	size_t avail = r->len - r->off;

	if (avail < 40) {
		snprintf(err, cap, "IPv6 header truncated: %zu of 40 bytes", avail);
		return TC_DEC_MALFORMED;
	}
	uint32_t w0 = tc_rd_u32(r);
	if ((w0 >> 28) != 6) {
		snprintf(err, cap, "IPv6 version field is %u, not 6", (unsigned)(w0 >> 28));
		return TC_DEC_MALFORMED;
	}
	out->family = TC_FAMILY_V6;
	out->tos = (uint8_t)(w0 >> 20);
	size_t plen = tc_rd_u16(r);
	uint8_t nh = tc_rd_u8(r);
	out->ttl = tc_rd_u8(r);
	tc_rd_bytes(r, out->src, 16);
	tc_rd_bytes(r, out->dst, 16);
	if (r->err) {
		snprintf(err, cap, "IPv6 header truncated");
		return TC_DEC_MALFORMED;
	}
	if (plen > avail - 40) {
		snprintf(err, cap, "IPv6 payload length %zu exceeds the %zu bytes captured", plen,
			 avail - 40);
		return TC_DEC_MALFORMED;
	}
	/* From here on only the payload length counts, so trailing link padding is ignored. */
	struct tc_rd p;
	tc_rd_init(&p, r->p + r->off, plen);
	for (;;) {
		if (nh == PROTO_TCP)
			return decode_tcp(p.p + p.off, p.len - p.off, out, err, cap);
		if (nh == NH_FRAGMENT)
			return TC_DEC_OTHER;
		if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS)
			return TC_DEC_OTHER; /* ICMPv6, UDP, no next header, AH, ESP... */
		/* RFC 8200 4.3-4.6: next header, then the length in 8-octet units not counting the
		 * first 8 octets. Each step consumes at least 8 bytes, so the walk terminates. */
		uint8_t next = tc_rd_u8(&p);
		uint8_t hlen = tc_rd_u8(&p);
		if (p.err || tc_rd_skip(&p, (size_t)hlen * 8 + 6) != 0) {
			snprintf(err, cap, "IPv6 extension header %u truncated", nh);
			return TC_DEC_MALFORMED;
		}
		nh = next;
	}
}

int tc_decode_frame(const uint8_t *frame, size_t len, struct tc_seg *out, char *err, size_t cap)
{
	struct tc_rd r;
	char dummy[1];

	if (err == NULL || cap == 0) {
		err = dummy;
		cap = sizeof(dummy);
	}
	err[0] = '\0';
	if (out == NULL)
		return TC_DEC_MALFORMED;
	memset(out, 0, sizeof(*out));
	if (frame == NULL) {
		snprintf(err, cap, "no frame");
		return TC_DEC_MALFORMED;
	}
	tc_rd_init(&r, frame, len);
	if (len < 14) {
		snprintf(err, cap, "Ethernet header truncated: %zu of 14 bytes", len);
		return TC_DEC_MALFORMED;
	}
	tc_rd_skip(&r, 12); /* destination and source MAC */
	uint16_t type = tc_rd_u16(&r);
	if (type == ETHERTYPE_VLAN) {
		/* IEEE 802.1Q: a 2-byte tag control field, then the real EtherType. Only one tag is
		 * skipped; stacked tags do not occur on the links this tool drives. */
		tc_rd_skip(&r, 2);
		type = tc_rd_u16(&r);
		if (r.err) {
			snprintf(err, cap, "802.1Q tag truncated");
			return TC_DEC_MALFORMED;
		}
	}
	if (type == ETHERTYPE_V4)
		return decode_ipv4(&r, out, err, cap);
	if (type == ETHERTYPE_V6)
		return decode_ipv6(&r, out, err, cap);
	return TC_DEC_OTHER;
}
