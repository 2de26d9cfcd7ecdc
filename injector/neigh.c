/*
 * neigh.c - ARP and neighbour discovery answers for the injector's addresses (see neigh.h).
 *
 * Frames are read with the bounds-checked reader of decode.h and written field by field into
 * the caller's buffer; nothing casts a buffer to a header struct.
 */
#include "neigh.h"

#include <string.h>

#include "decode.h"

#define ETH_ARP 0x0806
#define ETH_IP6 0x86dd
#define ETH_VLAN 0x8100
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IPPROTO_ICMP6_ 58
#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t put_eth(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	put16(out + 12, type);
	return 14;
}

uint16_t tc_icmp6_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
			   size_t len)
{
	uint32_t acc = 0;
	for (int i = 0; i < 16; i += 2)
		acc += (uint32_t)((src[i] << 8) | src[i + 1]) + (uint32_t)((dst[i] << 8) | dst[i + 1]);
	acc += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	acc += IPPROTO_ICMP6_;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		if (i != 2) /* the checksum field itself */
			acc += (uint32_t)((msg[i] << 8) | msg[i + 1]);
	if (i < len)
		acc += (uint32_t)(msg[i] << 8);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint16_t c = (uint16_t)~acc;
	return c;
}

/* Reads the Ethernet header (one 802.1Q tag skipped); returns the EtherType, or 0. */
static uint16_t rd_eth(struct tc_rd *r, uint8_t src[6])
{
	uint8_t dst[6];
	tc_rd_bytes(r, dst, 6);
	tc_rd_bytes(r, src, 6);
	uint16_t type = tc_rd_u16(r);
	if (type == ETH_VLAN) {
		tc_rd_u16(r);
		type = tc_rd_u16(r);
	}
	return r->err ? 0 : type;
}

struct arp {
	uint16_t op;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
};

static int rd_arp(const uint8_t *frame, size_t len, uint8_t esrc[6], struct arp *a)
{
	struct tc_rd r;
	tc_rd_init(&r, frame, len);
	if (rd_eth(&r, esrc) != ETH_ARP)
		return -1;
	/* Ethernet (1) and IPv4 (0x0800), 6- and 4-byte addresses: RFC 826's only case here. */
	if (tc_rd_u16(&r) != 1 || tc_rd_u16(&r) != 0x0800 || tc_rd_u8(&r) != 6 || tc_rd_u8(&r) != 4)
		return -1;
	a->op = tc_rd_u16(&r);
	tc_rd_bytes(&r, a->sha, 6);
	tc_rd_bytes(&r, a->spa, 4);
	tc_rd_bytes(&r, a->tha, 6);
	tc_rd_bytes(&r, a->tpa, 4);
	return r.err ? -1 : 0;
}

struct nd {
	uint8_t esrc[6];
	uint8_t src[16], dst[16];
	uint8_t type;
	uint8_t target[16];
	int have_lla;
	uint8_t lla[6];     /* the source (NS) or target (NA) link-layer address option */
};

/* Reads an IPv6 neighbour solicitation or advertisement without extension headers, as RFC
 * 4861 7.1.1/7.1.2 require them to arrive: hop limit 255, code 0, at least 24 bytes. */
static int rd_nd(const uint8_t *frame, size_t len, struct nd *n)
{
	struct tc_rd r;
	tc_rd_init(&r, frame, len);
	if (rd_eth(&r, n->esrc) != ETH_IP6)
		return -1;
	uint32_t vtf = tc_rd_u32(&r);
	uint16_t plen = tc_rd_u16(&r);
	uint8_t nh = tc_rd_u8(&r);
	uint8_t hop = tc_rd_u8(&r);
	tc_rd_bytes(&r, n->src, 16);
	tc_rd_bytes(&r, n->dst, 16);
	if (r.err || (vtf >> 28) != 6 || nh != IPPROTO_ICMP6_ || hop != 255 || plen < 24 ||
	    r.off + plen > len)
		return -1;
	const uint8_t *msg = frame + r.off;
	n->type = msg[0];
	if ((n->type != ND_NS && n->type != ND_NA) || msg[1] != 0)
		return -1;
	uint16_t ck = (uint16_t)((msg[2] << 8) | msg[3]);
	if (ck != tc_icmp6_checksum(n->src, n->dst, msg, plen))
		return -1;
	memcpy(n->target, msg + 8, 16);
	n->have_lla = 0;
	size_t off = 24;
	while (off + 8 <= plen) {
		uint8_t t = msg[off], l = msg[off + 1];
		if (l == 0)
			return -1; /* RFC 4861 4.6: a zero length option makes the packet invalid */
		if ((size_t)l * 8 > plen - off)
			return -1;
		if ((t == ND_OPT_SLLA && n->type == ND_NS) || (t == ND_OPT_TLLA && n->type == ND_NA)) {
			memcpy(n->lla, msg + off + 2, 6);
			n->have_lla = 1;
		}
		off += (size_t)l * 8;
	}
	return 0;
}

static int is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static int is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Writes an IPv6 header and an ICMPv6 ND message (NS or NA) with one link-layer option. */
static int put_nd(uint8_t *out, size_t cap, const uint8_t edst[6], const uint8_t esrc[6],
		  const uint8_t src[16], const uint8_t dst[16], uint8_t type, uint32_t flags,
		  const uint8_t target[16], uint8_t opt_type, const uint8_t lla[6])
{
	const size_t mlen = 32;
	if (cap < 14 + 40 + mlen)
		return -1;
	size_t o = put_eth(out, edst, esrc, ETH_IP6);
	out[o] = 0x60;
	out[o + 1] = out[o + 2] = out[o + 3] = 0;
	put16(out + o + 4, (uint16_t)mlen);
	out[o + 6] = IPPROTO_ICMP6_;
	out[o + 7] = 255; /* RFC 4861 7.1: receivers drop ND with any other hop limit */
	memcpy(out + o + 8, src, 16);
	memcpy(out + o + 24, dst, 16);
	uint8_t *m = out + o + 40;
	memset(m, 0, mlen);
	m[0] = type;
	m[4] = (uint8_t)(flags >> 24);
	m[5] = (uint8_t)(flags >> 16);
	m[6] = (uint8_t)(flags >> 8);
	m[7] = (uint8_t)flags;
	memcpy(m + 8, target, 16);
	m[24] = opt_type;
	m[25] = 1;
	memcpy(m + 26, lla, 6);
	put16(m + 2, tc_icmp6_checksum(src, dst, m, mlen));
	return (int)(o + 40 + mlen);
}

int tc_neigh_answer(const struct tc_neigh_self *self, const uint8_t *frame, size_t len,
		    uint8_t *out, size_t cap)
{
	uint8_t esrc[6];
	if (!self || !frame || !out || cap < TC_NEIGH_FRAME_MAX)
		return 0;
	struct arp a;
	if (self->have_v4 && rd_arp(frame, len, esrc, &a) == 0) {
		if (a.op != ARP_REQUEST || memcmp(a.tpa, self->v4, 4) != 0 ||
		    memcmp(a.spa, self->target_v4, 4) != 0)
			return 0;
		/* RFC 826 "Packet Reception": swap sender and target, fill in our hardware
		 * address, set the opcode to reply, and send it to the requester. */
		memset(out, 0, TC_NEIGH_MIN_FRAME);
		size_t o = put_eth(out, a.sha, self->mac, ETH_ARP);
		put16(out + o, 1);
		put16(out + o + 2, 0x0800);
		out[o + 4] = 6;
		out[o + 5] = 4;
		put16(out + o + 6, ARP_REPLY);
		memcpy(out + o + 8, self->mac, 6);
		memcpy(out + o + 14, self->v4, 4);
		memcpy(out + o + 18, a.sha, 6);
		memcpy(out + o + 24, a.spa, 4);
		return TC_NEIGH_MIN_FRAME;
	}
	struct nd n;
	if (self->have_v6 && rd_nd(frame, len, &n) == 0) {
		if (n.type != ND_NS || memcmp(n.target, self->v6, 16) != 0)
			return 0;
		/* A solicitation from :: is duplicate address detection (RFC 4862 5.4.3): the
		 * address is not ours to defend. Answer only the target, from its address or its
		 * link-local one. */
		if (is_zero(n.src, 16))
			return 0;
		if (memcmp(n.src, self->target_v6, 16) != 0 && !is_link_local(n.src))
			return 0;
		const uint8_t *edst = n.have_lla ? n.lla : n.esrc;
		/* RFC 4861 7.2.4: a solicited advertisement to the solicitation's source, with
		 * the Solicited flag, Override set, and our link-layer address. */
		return put_nd(out, cap, edst, self->mac, self->v6, n.src, ND_NA, 0x60000000u,
			      self->v6, ND_OPT_TLLA, self->mac);
	}
	return 0;
}

int tc_neigh_solicit(const struct tc_neigh_self *self, int family, uint8_t *out, size_t cap)
{
	if (!self || !out || cap < TC_NEIGH_FRAME_MAX)
		return -1;
	if (family == 4) {
		memset(out, 0, TC_NEIGH_MIN_FRAME);
		size_t o = put_eth(out, bcast, self->mac, ETH_ARP);
		put16(out + o, 1);
		put16(out + o + 2, 0x0800);
		out[o + 4] = 6;
		out[o + 5] = 4;
		put16(out + o + 6, ARP_REQUEST);
		memcpy(out + o + 8, self->mac, 6);
		memcpy(out + o + 14, self->v4, 4);
		memset(out + o + 18, 0, 6);
		memcpy(out + o + 24, self->target_v4, 4);
		return TC_NEIGH_MIN_FRAME;
	}
	if (family == 6) {
		/* RFC 4291 2.7.1: ff02::1:ffXX:XXXX from the low 24 bits; RFC 2464 7: the
		 * multicast MAC is 33:33 and the group's last 32 bits. */
		uint8_t grp[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0};
		memcpy(grp + 13, self->target_v6 + 13, 3);
		uint8_t emac[6] = {0x33, 0x33, grp[12], grp[13], grp[14], grp[15]};
		return put_nd(out, cap, emac, self->mac, self->v6, grp, ND_NS, 0, self->target_v6,
			      ND_OPT_SLLA, self->mac);
	}
	return -1;
}

int tc_neigh_learn(const struct tc_neigh_self *self, int family, const uint8_t *frame,
		   size_t len, uint8_t mac[6])
{
	uint8_t esrc[6];
	if (!self || !frame)
		return 0;
	if (family == 4) {
		struct arp a;
		if (rd_arp(frame, len, esrc, &a) < 0 || a.op != ARP_REPLY ||
		    memcmp(a.spa, self->target_v4, 4) != 0)
			return 0;
		memcpy(mac, a.sha, 6);
		return 1;
	}
	if (family == 6) {
		struct nd n;
		if (rd_nd(frame, len, &n) < 0 || n.type != ND_NA || !n.have_lla ||
		    memcmp(n.target, self->target_v6, 16) != 0)
			return 0;
		memcpy(mac, n.lla, 6);
		return 1;
	}
	return 0;
}
