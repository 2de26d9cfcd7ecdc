/*
 * craft.h - build Ethernet frames carrying one TCP segment with libnet, and inject them.
 *
 * Every field of a case's `send` step maps onto struct tc_seg (common/seg.h). Crafting goes
 * through libnet's builders (tcp options, tcp, ipv4/ipv6, ethernet). Two things libnet derives
 * by itself are deliberately overridable because conformance cases need them wrong: the TCP
 * data offset (seg->doff != 0 is forced into the header after building) and the checksum
 * (seg->bad_checksum flips it after libnet computed the right one).
 */
#ifndef TC_CRAFT_H
#define TC_CRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/seg.h"

struct tc_injector;

/*
 * tc_injector_open - open libnet in link-layer advanced mode on ifname (in the caller's current
 * network namespace). src_mac/dst_mac are the Ethernet addresses put on every frame.
 * Returns a handle, or NULL with a message in err. Free with tc_injector_close().
 */
struct tc_injector *tc_injector_open(const char *ifname, const uint8_t src_mac[6],
				     const uint8_t dst_mac[6], char *err, size_t cap);

/*
 * tc_craft - build the frame for seg into buf (cap bytes). seg->opt_bytes/opt_len are sent as
 * the option area (padded with EOL bytes to a multiple of 4, as RFC 9293 3.1 requires);
 * payload/payload_len as the data. Returns the frame length, or -1 with a message in err.
 * The handle's libnet context is cleared before and after, so calls are independent.
 */
int tc_craft(struct tc_injector *inj, const struct tc_seg *seg, uint8_t *buf, size_t cap,
	     char *err, size_t errcap);

/* tc_inject - write one frame on the wire. Returns 0 or -1 with a message in err. */
int tc_inject(struct tc_injector *inj, const uint8_t *frame, size_t len, char *err, size_t cap);

void tc_injector_close(struct tc_injector *inj);

/*
 * Checksum helpers (RFC 9293 3.1: one's complement sum over the pseudo-header, header and data;
 * RFC 8200 8.1 for the IPv6 pseudo-header). tcp points at the TCP header, len is the TCP length.
 * Returns the value to place in the header (the field itself is treated as zero).
 */
uint16_t tc_tcp_checksum(int family, const uint8_t *src, const uint8_t *dst, const uint8_t *tcp,
			 size_t len);

#endif
