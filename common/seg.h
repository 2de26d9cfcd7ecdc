/*
 * seg.h - the host-order view of one TCP segment, shared by the crafter, the decoder, the
 * checker and the formatter.
 *
 * Wire format is kept apart from logic (design.md): injector/craft.c turns a struct tc_seg into
 * bytes, injector/decode.c turns bytes into a struct tc_seg, and nothing else touches raw
 * frames. The struct owns all of its memory (fixed-size buffers), so it can be copied with
 * plain assignment and never needs freeing.
 */
#ifndef TC_SEG_H
#define TC_SEG_H

#include <stddef.h>
#include <stdint.h>

/* TCP header flag bits as they sit in byte 13 of the header (RFC 9293 3.1, RFC 3168 for E/C). */
#define TC_F_FIN 0x01
#define TC_F_SYN 0x02
#define TC_F_RST 0x04
#define TC_F_PSH 0x08
#define TC_F_ACK 0x10
#define TC_F_URG 0x20
#define TC_F_ECE 0x40
#define TC_F_CWR 0x80

/* Option kinds this project names (RFC 9293 3.2, RFC 7323, RFC 2018). Others are handled raw. */
#define TC_OPT_EOL 0
#define TC_OPT_NOP 1
#define TC_OPT_MSS 2
#define TC_OPT_WSCALE 3
#define TC_OPT_SACK_OK 4
#define TC_OPT_SACK 5
#define TC_OPT_TS 8

/* The TCP option space is at most 40 bytes, because the data offset is a 4-bit count of words. */
#define TC_MAX_OPT_BYTES 40
#define TC_MAX_OPTS 40
#define TC_MAX_SACK_BLOCKS 4
/* Segments travel on an Ethernet link with MTU 1500 and segmentation offloads off, so no frame
 * carries more payload than this. Larger captured payloads are truncated and flagged. */
#define TC_MAX_PAYLOAD 1500

#define TC_FAMILY_V4 4
#define TC_FAMILY_V6 6

/*
 * One option in decoded form. A well-formed option of a known kind has its value fields set; an
 * option that is malformed (bad length, truncated) or of an unknown kind keeps its bytes in raw[]
 * with malformed or unknown set, so the checker and the formatter can still show it.
 */
struct tc_opt {
	uint8_t kind;
	uint8_t len;      /* The length byte as on the wire (0 for EOL and NOP, which have none). */
	int malformed;    /* Length byte impossible for the kind, or the option runs past the end. */
	uint16_t mss;
	uint8_t wscale;
	uint32_t ts_val, ts_ecr;
	int nsack;
	uint32_t sack_l[TC_MAX_SACK_BLOCKS], sack_r[TC_MAX_SACK_BLOCKS];
	uint8_t raw[TC_MAX_OPT_BYTES]; /* The option's own bytes, kind byte first. */
	uint8_t raw_len;
};

struct tc_seg {
	int family;          /* TC_FAMILY_V4 or TC_FAMILY_V6 */
	uint8_t src[16];     /* Network-order address; IPv4 uses the first 4 bytes. */
	uint8_t dst[16];
	uint8_t ttl;         /* IPv4 TTL or IPv6 hop limit. */
	uint8_t tos;         /* IPv4 TOS byte or IPv6 traffic class. */
	int df;              /* IPv4 don't-fragment bit; always 0 for IPv6. */
	uint16_t ip_id;      /* IPv4 identification; 0 for IPv6. */

	uint16_t sport, dport;
	uint32_t seq, ack;   /* Absolute 32-bit values as on the wire. */
	uint8_t flags;       /* TC_F_* bits. */
	uint16_t win, urg;
	uint8_t doff;        /* Data offset in 32-bit words as on the wire. When crafting, 0 means
	                      * "compute from the options" and any other value is forced. */
	uint16_t checksum;   /* As on the wire. */
	int checksum_ok;     /* Decode: 1 if the TCP checksum verified. */
	int bad_checksum;    /* Craft: 1 to send a deliberately wrong TCP checksum. */

	uint8_t opt_bytes[TC_MAX_OPT_BYTES]; /* The option area exactly as on the wire. */
	size_t opt_len;
	struct tc_opt opts[TC_MAX_OPTS];     /* Decoded view of opt_bytes, in order. */
	int nopts;

	uint8_t payload[TC_MAX_PAYLOAD];
	size_t payload_len;  /* Real payload length, even when truncated to TC_MAX_PAYLOAD. */
	int payload_truncated;

	int64_t ts_us;       /* Capture or send time, microseconds on the run's monotonic clock. */
};

/*
 * tc_opts_encode - serialise opts[0..n) into out (at most cap bytes) in order, exactly as given:
 * no padding is added, so the caller decides about trailing EOL/NOP. An option with raw_len > 0
 * is copied from raw[] verbatim, which is how malformed options are sent.
 * Returns the number of bytes written, or -1 if they do not fit in cap.
 */
int tc_opts_encode(const struct tc_opt *opts, int n, uint8_t *out, size_t cap);

/*
 * tc_opts_decode - parse an option area into opts (at most cap entries) following RFC 9293
 * 3.2: EOL ends the list, NOP is one byte, every other kind has a length byte. A length byte
 * below 2 or past the end makes that option malformed and ends parsing (MUST-7 says a receiver
 * must be prepared for it; we record it rather than guess). Returns the number of entries.
 */
int tc_opts_decode(const uint8_t *buf, size_t len, struct tc_opt *opts, int cap);

#endif
