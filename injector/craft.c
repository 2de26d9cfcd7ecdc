/*
 * craft.c - build Ethernet frames carrying one TCP segment with libnet, and inject them
 * (see craft.h).
 *
 * libnet is used in link-layer advanced mode so that the whole frame can be culled into our own
 * buffer before it is sent: the runner records, prints and checks exactly the bytes that go on
 * the wire, and the two fields conformance cases need wrong (data offset, checksum) can be
 * patched after libnet has built a correct frame.
 */
#include "craft.h"

#include <libnet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_LEN 14
#define IP4_LEN 20
#define IP6_LEN 40
#define TCP_LEN 20

struct tc_injector {
	libnet_t *l;
	uint8_t src_mac[6], dst_mac[6];
};

struct tc_injector *tc_injector_open(const char *ifname, const uint8_t src_mac[6],
				     const uint8_t dst_mac[6], char *err, size_t cap)
{
	char ebuf[LIBNET_ERRBUF_SIZE];
	struct tc_injector *inj = NULL;

	if (ifname == NULL || src_mac == NULL || dst_mac == NULL) {
		snprintf(err, cap, "injector: interface name and MAC addresses are required");
		return NULL;
	}
	inj = calloc(1, sizeof(*inj));
	if (inj == NULL) {
		snprintf(err, cap, "injector: out of memory");
		return NULL;
	}
	ebuf[0] = '\0';
	/* libnet_init takes a non-const device name in 1.1.6; it does not modify it. */
	inj->l = libnet_init(LIBNET_LINK_ADV, (char *)(uintptr_t)ifname, ebuf);
	if (inj->l == NULL) {
		snprintf(err, cap, "injector: cannot open interface \"%s\": %s", ifname,
			 ebuf[0] ? ebuf : "libnet_init failed");
		free(inj);
		return NULL;
	}
	memcpy(inj->src_mac, src_mac, 6);
	memcpy(inj->dst_mac, dst_mac, 6);
	return inj;
}

void tc_injector_close(struct tc_injector *inj)
{
	if (inj == NULL)
		return;
	if (inj->l != NULL)
		libnet_destroy(inj->l);
	free(inj);
}

/* The 16-bit one's complement sum of RFC 1071, accumulated without folding. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)((p[i] << 8) | p[i + 1]);
	/* An odd trailing byte is summed as if padded with a zero byte (RFC 9293 3.1). */
	if (i < n)
		acc += (uint32_t)(p[i] << 8);
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

uint16_t tc_tcp_checksum(int family, const uint8_t *src, const uint8_t *dst, const uint8_t *tcp,
			 size_t len)
{
	uint32_t acc = 0;
	uint8_t ph[40];
	size_t phlen;

	if (family == TC_FAMILY_V6) {
		/* RFC 8200 8.1: source, destination, 32-bit upper-layer length, three zero bytes
		 * and the next header value. */
		memcpy(ph, src, 16);
		memcpy(ph + 16, dst, 16);
		ph[32] = (uint8_t)(len >> 24);
		ph[33] = (uint8_t)(len >> 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = IPPROTO_TCP;
		phlen = 40;
	} else {
		/* RFC 9293 3.1: source, destination, a zero byte, the protocol and the TCP length. */
		memcpy(ph, src, 4);
		memcpy(ph + 4, dst, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		phlen = 12;
	}
	acc = sum16(acc, ph, phlen);
	/* The checksum field itself (bytes 16 and 17) counts as zero. */
	if (len >= 18) {
		acc = sum16(acc, tcp, 16);
		acc = sum16(acc, tcp + 18, len - 18);
	} else if (len > 16) {
		acc = sum16(acc, tcp, 16);
	} else {
		acc = sum16(acc, tcp, len);
	}
	return (uint16_t)~fold(acc);
}

static int l3_len(int family)
{
	return family == TC_FAMILY_V6 ? IP6_LEN : IP4_LEN;
}

int tc_craft(struct tc_injector *inj, const struct tc_seg *seg, uint8_t *buf, size_t cap,
	     char *err, size_t errcap)
{
	uint8_t opts[TC_MAX_OPT_BYTES];
	size_t optlen;
	uint8_t *pkt = NULL;
	uint32_t pktlen = 0;
	int ret = -1;

	if (inj == NULL || seg == NULL || buf == NULL) {
		snprintf(err, errcap, "craft: missing injector, segment or buffer");
		return -1;
	}
	if (seg->family != TC_FAMILY_V4 && seg->family != TC_FAMILY_V6) {
		snprintf(err, errcap, "craft: family %d is neither 4 nor 6", seg->family);
		return -1;
	}
	if (seg->opt_len > TC_MAX_OPT_BYTES) {
		snprintf(err, errcap, "craft: %zu option bytes exceed the %d-byte option space",
			 seg->opt_len, TC_MAX_OPT_BYTES);
		return -1;
	}
	if (seg->payload_len > TC_MAX_PAYLOAD) {
		snprintf(err, errcap, "craft: payload of %zu bytes exceeds %d", seg->payload_len,
			 TC_MAX_PAYLOAD);
		return -1;
	}
	if (seg->doff > 15) {
		snprintf(err, errcap, "craft: data offset %u does not fit in 4 bits", seg->doff);
		return -1;
	}

	/* RFC 9293 3.1: the header ends on a 32-bit boundary, and the padding is zeros, which is
	 * also the EOL kind, so the list reads the same with or without it. */
	memcpy(opts, seg->opt_bytes, seg->opt_len);
	optlen = seg->opt_len;
	while (optlen % 4 != 0)
		opts[optlen++] = TC_OPT_EOL;

	size_t tcplen = TCP_LEN + optlen + seg->payload_len;
	size_t l3 = (size_t)l3_len(seg->family);
	size_t total = ETH_LEN + l3 + tcplen;
	if (total > cap) {
		snprintf(err, errcap, "craft: frame of %zu bytes does not fit in a %zu-byte buffer",
			 total, cap);
		return -1;
	}

	libnet_t *l = inj->l;
	libnet_clear_packet(l);

	/* libnet 1.1.x links blocks from the innermost header outwards: options, TCP, IP,
	 * Ethernet. */
	if (optlen > 0 && libnet_build_tcp_options(opts, (uint32_t)optlen, l, 0) == -1) {
		snprintf(err, errcap, "craft: tcp options: %s", libnet_geterror(l));
		goto out;
	}
	if (libnet_build_tcp(seg->sport, seg->dport, seg->seq, seg->ack, seg->flags, seg->win, 0,
			     seg->urg, (uint16_t)tcplen,
			     seg->payload_len ? seg->payload : NULL, (uint32_t)seg->payload_len, l,
			     0) == -1) {
		snprintf(err, errcap, "craft: tcp header: %s", libnet_geterror(l));
		goto out;
	}
	if (seg->family == TC_FAMILY_V4) {
		uint32_t s, d;
		memcpy(&s, seg->src, 4);
		memcpy(&d, seg->dst, 4);
		if (libnet_build_ipv4((uint16_t)(IP4_LEN + tcplen), seg->tos, seg->ip_id,
				      seg->df ? IP_DF : 0, seg->ttl, IPPROTO_TCP, 0, s, d, NULL, 0,
				      l, 0) == -1) {
			snprintf(err, errcap, "craft: ipv4 header: %s", libnet_geterror(l));
			goto out;
		}
	} else {
		struct libnet_in6_addr s, d;
		memcpy(&s, seg->src, 16);
		memcpy(&d, seg->dst, 16);
		if (libnet_build_ipv6(seg->tos, 0, (uint16_t)tcplen, IPPROTO_TCP, seg->ttl, s, d,
				      NULL, 0, l, 0) == -1) {
			snprintf(err, errcap, "craft: ipv6 header: %s", libnet_geterror(l));
			goto out;
		}
	}
	if (libnet_build_ethernet(inj->dst_mac, inj->src_mac,
				  seg->family == TC_FAMILY_V4 ? ETHERTYPE_IP : ETHERTYPE_IPV6, NULL,
				  0, l, 0) == -1) {
		snprintf(err, errcap, "craft: ethernet header: %s", libnet_geterror(l));
		goto out;
	}
	if (libnet_adv_cull_packet(l, &pkt, &pktlen) == -1) {
		snprintf(err, errcap, "craft: cull: %s", libnet_geterror(l));
		goto out;
	}
	if (pktlen != total) {
		snprintf(err, errcap, "craft: libnet built %u bytes, expected %zu", pktlen, total);
		goto out;
	}
	memcpy(buf, pkt, total);

	uint8_t *tcp = buf + ETH_LEN + l3;
	if (seg->doff != 0) {
		/* A forced data offset replaces the high nibble of byte 12 only; the low nibble holds
		 * reserved bits that must stay as libnet set them (RFC 9293 3.1). */
		tcp[12] = (uint8_t)((seg->doff << 4) | (tcp[12] & 0x0f));
	}
	/* The checksum is always recomputed over the final bytes: it makes a forced data offset
	 * consistent, and it protects against any libnet case that gets it wrong (the unit tests
	 * check that libnet 1.1.6 itself is right for IPv4 and IPv6, with and without options). */
	uint16_t sum = tc_tcp_checksum(seg->family, seg->src, seg->dst, tcp, tcplen);
	if (seg->bad_checksum) {
		/* Inverting the low byte always changes the value and never maps a checksum onto its
		 * one's complement twin (0x0000 <-> 0xffff), which receivers would accept. */
		sum ^= 0x00ff;
	}
	tcp[16] = (uint8_t)(sum >> 8);
	tcp[17] = (uint8_t)sum;
	ret = (int)total;
out:
	if (pkt != NULL)
		libnet_adv_free_packet(l, pkt);
	libnet_clear_packet(l);
	return ret;
}

int tc_inject(struct tc_injector *inj, const uint8_t *frame, size_t len, char *err, size_t cap)
{
	if (inj == NULL || frame == NULL || len == 0 || len > UINT32_MAX) {
		snprintf(err, cap, "inject: no injector or empty frame");
		return -1;
	}
	/* libnet_adv_write_link takes a non-const buffer in 1.1.6 but only reads it. */
	int n = libnet_adv_write_link(inj->l, (uint8_t *)(uintptr_t)frame, (uint32_t)len);
	if (n < 0 || (size_t)n != len) {
		snprintf(err, cap, "inject: wrote %d of %zu bytes: %s", n, len, libnet_geterror(inj->l));
		return -1;
	}
	return 0;
}
