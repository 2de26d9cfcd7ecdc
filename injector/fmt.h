/*
 * fmt.h - tcpdump-style text for a segment, for terminal failures, logs and reports.
 */
#ifndef TC_FMT_H
#define TC_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/seg.h"

/*
 * tc_seg_fmt - one line in the manner of tcpdump:
 *   "192.0.2.1.8080 > 192.0.2.2.40000: Flags [S.], seq 0, ack 1, win 65160,
 *    options [mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7], length 0"
 * (IPv6 as "2001:db8::1.8080"). When rel is nonzero, seq is shown minus seq_base and ack minus
 * ack_base (both modulo 2^32), as tcpdump does after the SYN; a bad checksum is marked
 * "[bad tcp cksum]". Returns buf.
 */
const char *tc_seg_fmt(const struct tc_seg *s, int rel, uint32_t seq_base, uint32_t ack_base,
		       char *buf, size_t cap);

/* Short form for ladder labels: "S. 0:0(0) ack 1 win 65160 <mss 1460,nop,wscale 7>". */
const char *tc_seg_fmt_short(const struct tc_seg *s, int rel, uint32_t seq_base,
			     uint32_t ack_base, char *buf, size_t cap);

/* The option list alone, as inside the brackets above: "mss 1460,nop,wscale 7". */
const char *tc_opts_fmt(const struct tc_opt *opts, int n, char *buf, size_t cap);

#endif
