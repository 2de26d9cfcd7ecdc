/*
 * decode.h - turn a captured Ethernet frame into a struct tc_seg.
 *
 * All reads go through the bounds-checked reader below: no cast of the buffer to a header struct
 * and no read past len, whatever the frame holds (design.md; fuzzed by tests/fuzz).
 */
#ifndef TC_DECODE_H
#define TC_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/seg.h"

/* A bounds-checked cursor. Once a read fails, err sticks and every later read returns 0. */
struct tc_rd {
	const uint8_t *p;
	size_t len, off;
	int err;
};
void tc_rd_init(struct tc_rd *r, const uint8_t *p, size_t len);
uint8_t tc_rd_u8(struct tc_rd *r);
uint16_t tc_rd_u16(struct tc_rd *r);   /* network order in, host order out */
uint32_t tc_rd_u32(struct tc_rd *r);
int tc_rd_bytes(struct tc_rd *r, uint8_t *out, size_t n); /* 0 or -1 */
int tc_rd_skip(struct tc_rd *r, size_t n);

#define TC_DEC_TCP 0        /* a TCP segment: *out filled */
#define TC_DEC_OTHER 1      /* a well-formed frame that is not TCP over IPv4/IPv6 (ARP, ICMP...) */
#define TC_DEC_MALFORMED -1 /* truncated or inconsistent: err says where */

/*
 * tc_decode_frame - decode frame (len bytes, starting with the Ethernet header; one 802.1Q tag
 * is skipped). IPv6 extension headers before TCP are walked (hop-by-hop, routing, destination
 * options); a fragment is reported as TC_DEC_OTHER. The TCP checksum is verified into
 * out->checksum_ok. Returns one of TC_DEC_*.
 */
int tc_decode_frame(const uint8_t *frame, size_t len, struct tc_seg *out, char *err, size_t cap);

#endif
