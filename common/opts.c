/*
 * opts.c - TCP option list encoding and decoding (see seg.h).
 *
 * The rules are those of RFC 9293 3.2 (EOL, NOP and the kind/length/value layout, MSS with
 * length 4), RFC 7323 (window scale with length 3, timestamps with length 10) and RFC 2018
 * (SACK-permitted with length 2, SACK with length 2 + 8n).
 */
#include "seg.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/*
 * Serialises one option into tmp (at least TC_MAX_OPT_BYTES long). Returns its length, or -1
 * when the option cannot be expressed (an impossible SACK block count).
 */
static int encode_one(const struct tc_opt *o, uint8_t *tmp)
{
	/* Raw bytes win over the value fields: this is how malformed and unknown options, whose
	 * exact bytes are the point of the test, reach the wire unchanged. */
	if (o->raw_len > 0) {
		if (o->raw_len > TC_MAX_OPT_BYTES)
			return -1;
		memcpy(tmp, o->raw, o->raw_len);
		return o->raw_len;
	}
	switch (o->kind) {
	case TC_OPT_EOL:
	case TC_OPT_NOP:
		/* RFC 9293 3.2: these two kinds are a single byte with no length. */
		tmp[0] = o->kind;
		return 1;
	case TC_OPT_MSS:
		tmp[0] = TC_OPT_MSS;
		tmp[1] = 4;
		put16(tmp + 2, o->mss);
		return 4;
	case TC_OPT_WSCALE:
		tmp[0] = TC_OPT_WSCALE;
		tmp[1] = 3;
		tmp[2] = o->wscale;
		return 3;
	case TC_OPT_SACK_OK:
		tmp[0] = TC_OPT_SACK_OK;
		tmp[1] = 2;
		return 2;
	case TC_OPT_SACK:
		/* RFC 2018 3: at least one block, and at most four fit in the 40-byte option area. */
		if (o->nsack < 1 || o->nsack > TC_MAX_SACK_BLOCKS)
			return -1;
		tmp[0] = TC_OPT_SACK;
		tmp[1] = (uint8_t)(2 + 8 * o->nsack);
		for (int i = 0; i < o->nsack; i++) {
			put32(tmp + 2 + 8 * i, o->sack_l[i]);
			put32(tmp + 6 + 8 * i, o->sack_r[i]);
		}
		return 2 + 8 * o->nsack;
	case TC_OPT_TS:
		tmp[0] = TC_OPT_TS;
		tmp[1] = 10;
		put32(tmp + 2, o->ts_val);
		put32(tmp + 6, o->ts_ecr);
		return 10;
	default:
		/* An unknown kind without raw bytes has no value we could know about, so it is sent
		 * as the bare kind and a length of 2 (kind and length bytes only). */
		tmp[0] = o->kind;
		tmp[1] = 2;
		return 2;
	}
}

int tc_opts_encode(const struct tc_opt *opts, int n, uint8_t *out, size_t cap)
{
	size_t off = 0;
	uint8_t tmp[TC_MAX_OPT_BYTES];

	if (n < 0 || (n > 0 && (opts == NULL || out == NULL)))
		return -1;
	for (int i = 0; i < n; i++) {
		int k = encode_one(&opts[i], tmp);
		if (k < 0 || (size_t)k > cap - off)
			return -1;
		memcpy(out + off, tmp, (size_t)k);
		off += (size_t)k;
	}
	return (int)off;
}

/* Whether len is the one RFC-defined length for a known kind. Unknown kinds accept any length
 * of at least 2, since all we can check about them is the generic layout. */
static int length_ok(uint8_t kind, uint8_t len)
{
	switch (kind) {
	case TC_OPT_MSS:
		return len == 4;
	case TC_OPT_WSCALE:
		return len == 3;
	case TC_OPT_SACK_OK:
		return len == 2;
	case TC_OPT_SACK:
		return len >= 10 && (len - 2) % 8 == 0 && (len - 2) / 8 <= TC_MAX_SACK_BLOCKS;
	case TC_OPT_TS:
		return len == 10;
	default:
		return 1;
	}
}

static void keep_raw(struct tc_opt *o, const uint8_t *p, size_t n)
{
	if (n > TC_MAX_OPT_BYTES)
		n = TC_MAX_OPT_BYTES;
	memcpy(o->raw, p, n);
	o->raw_len = (uint8_t)n;
}

int tc_opts_decode(const uint8_t *buf, size_t len, struct tc_opt *opts, int cap)
{
	int n = 0;
	size_t i = 0;

	if (buf == NULL || opts == NULL)
		return 0;
	while (i < len && n < cap) {
		struct tc_opt *o = &opts[n++];
		memset(o, 0, sizeof(*o));
		o->kind = buf[i];
		if (o->kind == TC_OPT_EOL) {
			/* RFC 9293 3.2: EOL ends the option list; whatever follows is padding. It is
			 * still recorded so a checker can tell "ended by EOL" from "ran to the end". */
			break;
		}
		if (o->kind == TC_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2) {
			/* The kind byte is the last byte: the length byte itself is missing. */
			o->malformed = 1;
			keep_raw(o, buf + i, len - i);
			break;
		}
		o->len = buf[i + 1];
		if (o->len < 2 || o->len > len - i) {
			/* A length that cannot even cover kind and length, or that runs past the option
			 * area, leaves no trustworthy position for the next option (RFC 9293 3.2, MUST-7):
			 * keep what is there and stop. */
			o->malformed = 1;
			keep_raw(o, buf + i, len - i);
			break;
		}
		const uint8_t *v = buf + i + 2;
		if (!length_ok(o->kind, o->len)) {
			/* The length is self-consistent, so parsing can go on after it; only this option's
			 * value is unusable. */
			o->malformed = 1;
			keep_raw(o, buf + i, o->len);
		} else {
			switch (o->kind) {
			case TC_OPT_MSS:
				o->mss = get16(v);
				break;
			case TC_OPT_WSCALE:
				o->wscale = v[0];
				break;
			case TC_OPT_SACK_OK:
				break;
			case TC_OPT_SACK:
				o->nsack = (o->len - 2) / 8;
				for (int b = 0; b < o->nsack; b++) {
					o->sack_l[b] = get32(v + 8 * b);
					o->sack_r[b] = get32(v + 8 * b + 4);
				}
				break;
			case TC_OPT_TS:
				o->ts_val = get32(v);
				o->ts_ecr = get32(v + 4);
				break;
			default:
				/* Unknown kind: only its bytes can be kept. */
				keep_raw(o, buf + i, o->len);
				break;
			}
		}
		i += o->len;
	}
	return n;
}
