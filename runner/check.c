/*
 * check.c - field-by-field comparison of a captured segment with an `expect` step.
 */
#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/names.h"
#include "../injector/fmt.h"

uint32_t tc_rel_target_seq(const struct tc_seqctx *cx, uint32_t seq)
{
	return cx->target_isn_known ? seq - cx->target_isn : seq;
}

uint32_t tc_rel_our_seq(const struct tc_seqctx *cx, uint32_t seq)
{
	return seq - cx->our_isn;
}

/* The failure is recorded at the level of what it checks: lvl and req (NULL: none). */
static void add_fail_at(struct tc_result *r, int step, int line, const char *field,
			const char *expected, const char *actual, const char *segtext, int lvl,
			const char *req)
{
	struct tc_failure f;
	memset(&f, 0, sizeof(f));
	f.level = lvl;
	snprintf(f.req, sizeof(f.req), "%s", req ? req : "");
	f.step = step;
	f.line = line;
	snprintf(f.judge, sizeof(f.judge), "case");
	snprintf(f.field, sizeof(f.field), "%s", field);
	snprintf(f.expected, sizeof(f.expected), "%s", expected);
	snprintf(f.actual, sizeof(f.actual), "%s", actual);
	snprintf(f.message, sizeof(f.message), "%s: expected %s, got %s", field, expected, actual);
	snprintf(f.segment, sizeof(f.segment), "%s", segtext ? segtext : "");
	tc_result_add_failure(r, &f);
}

/* A failure of what the case's step checks: at the step's level (cx). */
static void add_fail(const struct tc_seqctx *cx, struct tc_result *r, int step, int line,
		     const char *field, const char *expected, const char *actual, const char *segtext)
{
	add_fail_at(r, step, line, field, expected, actual, segtext, cx->level, cx->req);
}

/* Evaluates an expectation number. Returns 0, or -1 with err set. */
static int eval(const struct tc_num *n, const struct tc_seqctx *cx, int64_t *out, char *err,
		size_t cap)
{
	char why[200];
	if (tc_expr_eval(&n->expr, cx->names, out, why, sizeof(why)) < 0) {
		snprintf(err, cap, "line %d:%d: cannot evaluate: %s", n->pos.line, n->pos.col, why);
		return -1;
	}
	return 0;
}

/* Compares one numeric field; relative seq/ack handling is done by the caller via conv. */
static int check_num(const struct tc_num *n, uint32_t actual_shown, uint32_t actual_abs,
		     const char *field, const struct tc_seqctx *cx, int step, int line,
		     struct tc_result *r, const char *segtext, char *err, size_t cap)
{
	int64_t v;
	char e[64], a[64];
	if (!n->set)
		return 0;
	if (eval(n, cx, &v, err, cap) < 0)
		return -1;
	uint32_t actual = n->abs ? actual_abs : actual_shown;
	if ((uint32_t)v == actual)
		return 0;
	snprintf(e, sizeof(e), "%" PRIu32, (uint32_t)v);
	if (n->abs)
		snprintf(a, sizeof(a), "%" PRIu32, actual);
	else
		snprintf(a, sizeof(a), "%" PRIu32 " (absolute %" PRIu32 ")", actual, actual_abs);
	add_fail(cx, r, step, n->pos.line ? n->pos.line : line, field, e, a, segtext);
	return 1;
}

static const char *kind_name(int kind, char *buf, size_t cap)
{
	const char *n = tc_opt_name(kind);
	if (n)
		return n;
	snprintf(buf, cap, "kind-%d", kind);
	return buf;
}

/* Writes the expected list in case-format words, for messages. */
static void fmt_expected_opts(const struct tc_optspec *o, int n, char *buf, size_t cap)
{
	size_t off = 0;
	char kb[16];
	buf[0] = '\0';
	for (int i = 0; i < n && off < cap; i++) {
		const char *k = kind_name(o[i].kind, kb, sizeof(kb));
		int w;
		if (o[i].is_raw)
			w = snprintf(buf + off, cap - off, "%sraw(kind %d)", i ? "," : "", o[i].kind);
		else if (!o[i].has_value || o[i].kind == TC_OPT_NOP || o[i].kind == TC_OPT_EOL ||
			 o[i].kind == TC_OPT_SACK_OK)
			w = snprintf(buf + off, cap - off, "%s%s", i ? "," : "", k);
		else if (o[i].kind == TC_OPT_TS)
			w = snprintf(buf + off, cap - off, "%sts %u %u", i ? "," : "", o[i].v[0], o[i].v[1]);
		else
			w = snprintf(buf + off, cap - off, "%s%s %u", i ? "," : "", k, o[i].v[0]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, cap, "(none)");
}

/* The number of decoded options that count for matching: trailing EOL padding is dropped. */
static int effective_opts(const struct tc_opt *act, int nact, int keep_eol)
{
	if (!keep_eol && nact > 0 && act[nact - 1].kind == TC_OPT_EOL)
		return nact - 1;
	return nact;
}

static int opt_value_matches(const struct tc_optspec *e, const struct tc_opt *a,
			     const struct tc_seqctx *cx)
{
	if (e->is_raw)
		return a->raw_len == e->raw_len && memcmp(a->raw, e->raw, (size_t)e->raw_len) == 0;
	if (a->malformed)
		return 0;
	if (!e->has_value)
		return 1;
	switch (e->kind) {
	case TC_OPT_MSS:
		return a->mss == e->v[0];
	case TC_OPT_WSCALE:
		return a->wscale == e->v[0];
	case TC_OPT_TS:
		return a->ts_val == e->v[0] && a->ts_ecr == e->v[1];
	case TC_OPT_SACK:
		/* SACK blocks the target sends name our sequence space, relative to our ISN. */
		if (a->nsack != e->nsack)
			return 0;
		for (int i = 0; i < e->nsack; i++)
			if (tc_rel_our_seq(cx, a->sack_l[i]) != e->v[2 * i] ||
			    tc_rel_our_seq(cx, a->sack_r[i]) != e->v[2 * i + 1])
				return 0;
		return 1;
	default:
		return 1;
	}
}

int tc_check_opts(const struct tc_optspec *exp, int nexp, const struct tc_opt *act, int nact,
		  const struct tc_seqctx *cx, char *why, size_t cap)
{
	int keep_eol = nexp > 0 && exp[nexp - 1].kind == TC_OPT_EOL && !exp[nexp - 1].is_raw;
	int n = effective_opts(act, nact, keep_eol);
	char kb[16], ob[200];
	for (int i = 0; i < nexp || i < n; i++) {
		if (i >= n) {
			snprintf(why, cap, "option %d (%s) missing", i + 1,
				 kind_name(exp[i].kind, kb, sizeof(kb)));
			return 1;
		}
		if (i >= nexp) {
			tc_opts_fmt(&act[i], 1, ob, sizeof(ob));
			snprintf(why, cap, "extra option %d (%s)", i + 1, ob);
			return 1;
		}
		if (exp[i].kind != act[i].kind || !opt_value_matches(&exp[i], &act[i], cx)) {
			tc_opts_fmt(&act[i], 1, ob, sizeof(ob));
			snprintf(why, cap, "option %d differs (got %s)", i + 1, ob);
			return 1;
		}
	}
	return 0;
}

static int has_kind(const struct tc_opt *act, int nact, int kind)
{
	for (int i = 0; i < nact; i++)
		if (act[i].kind == kind)
			return 1;
	return 0;
}

int tc_check_seg(const struct tc_segspec *e, const struct tc_seg *s, const struct tc_seqctx *cx,
		 int step, int line, struct tc_result *r, char *err, size_t cap)
{
	char segtext[512], ex[256], ac[256], why[200];
	int bad = 0, rc;
	tc_seg_fmt(s, 1, cx->target_isn_known ? cx->target_isn : 0, cx->our_isn, segtext,
		   sizeof(segtext));

	/* RFC 9293 3.1 (MUST-2): the sender must generate a correct checksum. A target segment
	 * with a wrong one is a failure whatever the case expects. */
	if (!s->checksum_ok) {
		add_fail_at(r, step, line, "checksum", "valid", "invalid", segtext, TC_LVL_MUST,
			    "MUST-2");
		bad++;
	}
	/* RFC 9293 3.2 (MUST-68): every option but EOL and NOP has a length field, and it must be
	 * consistent. A malformed option in what the target sends fails whatever the case
	 * expects, like a wrong checksum. */
	for (int i = 0; i < s->nopts; i++) {
		if (!s->opts[i].malformed)
			continue;
		char ob[200];
		tc_opts_fmt(&s->opts[i], 1, ob, sizeof(ob));
		add_fail_at(r, step, line, "options", "well-formed options (RFC 9293 3.2, MUST-68)", ob,
			    segtext, TC_LVL_MUST, "MUST-68");
		bad++;
		break;
	}
	/* Flags are exact, except those the case lets be either way (flags_maybe). */
	if (e->flags_set && (s->flags & (uint8_t)~e->flags_maybe) != e->flags) {
		char fe[16], fa[16], fm[16];
		tc_flags_str(e->flags, fe, sizeof(fe));
		tc_flags_str(s->flags, fa, sizeof(fa));
		tc_flags_str(e->flags_maybe, fm, sizeof(fm));
		if (e->flags_maybe)
			snprintf(ex, sizeof(ex), "%s (%s optional)", fe[0] ? fe : "\"\"", fm);
		else
			snprintf(ex, sizeof(ex), "%s", fe[0] ? fe : "\"\"");
		snprintf(ac, sizeof(ac), "%s", fa[0] ? fa : "\"\"");
		add_fail(cx, r, step, e->flags_pos.line ? e->flags_pos.line : line, "flags", ex, ac,
			 segtext);
		bad++;
	}

#define NUM(field, shown, abs_)                                                              \
	do {                                                                                 \
		rc = check_num(&e->field, (shown), (abs_), #field, cx, step, line, r, segtext, err, \
			       cap);                                                         \
		if (rc < 0)                                                                  \
			return -1;                                                           \
		bad += rc;                                                                   \
	} while (0)

	NUM(seq, tc_rel_target_seq(cx, s->seq), s->seq);
	NUM(ack, tc_rel_our_seq(cx, s->ack), s->ack);
	NUM(win, s->win, s->win);
	NUM(urg, s->urg, s->urg);
	NUM(ttl, s->ttl, s->ttl);
	NUM(tos, s->tos, s->tos);
	NUM(df, (uint32_t)s->df, (uint32_t)s->df);
	NUM(ip_id, s->ip_id, s->ip_id);
	NUM(doff, s->doff, s->doff);
	NUM(sport, s->sport, s->sport);
	NUM(dport, s->dport, s->dport);
#undef NUM

	if (e->pl_kind == TC_PL_LEN) {
		int64_t v;
		if (eval(&e->len, cx, &v, err, cap) < 0)
			return -1;
		if ((uint64_t)v != s->payload_len) {
			snprintf(ex, sizeof(ex), "%" PRId64, v);
			snprintf(ac, sizeof(ac), "%zu", s->payload_len);
			add_fail(cx, r, step, e->len.pos.line ? e->len.pos.line : line, "len", ex, ac, segtext);
			bad++;
		}
	} else if (e->pl_kind == TC_PL_BYTES) {
		int same = e->nbytes == s->payload_len && !s->payload_truncated &&
			   memcmp(e->bytes, s->payload, e->nbytes) == 0;
		if (!same) {
			size_t n = e->nbytes < 60 ? e->nbytes : 60;
			snprintf(ex, sizeof(ex), "%zu bytes \"%.*s%s\"", e->nbytes, (int)n,
				 (const char *)e->bytes, e->nbytes > n ? "..." : "");
			size_t m = s->payload_len < 60 ? s->payload_len : 60;
			snprintf(ac, sizeof(ac), "%zu bytes \"%.*s%s\"", s->payload_len, (int)m,
				 (const char *)s->payload, s->payload_len > m ? "..." : "");
			/* Payload bytes may be binary; the quoted form is for reading only. */
			for (char *p = ex; *p; p++)
				if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
					*p = '.';
			for (char *p = ac; *p; p++)
				if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
					*p = '.';
			add_fail(cx, r, step, e->data_pos.line ? e->data_pos.line : line, "data", ex, ac,
				 segtext);
			bad++;
		}
	}

	if (e->options_set &&
	    tc_check_opts(e->options, e->noptions, s->opts, s->nopts, cx, why, sizeof(why))) {
		fmt_expected_opts(e->options, e->noptions, ex, sizeof(ex));
		char ob[200];
		tc_opts_fmt(s->opts, s->nopts, ob, sizeof(ob));
		snprintf(ac, sizeof(ac), "%s (%s)", s->nopts ? ob : "(none)", why);
		add_fail(cx, r, step, e->options_pos.line ? e->options_pos.line : line, "options", ex, ac,
			 segtext);
		bad++;
	}
	for (int i = 0; i < e->ninclude; i++) {
		if (!has_kind(s->opts, s->nopts, e->include_kinds[i])) {
			char kb[16], ob[200];
			snprintf(ex, sizeof(ex), "includes %s",
				 kind_name(e->include_kinds[i], kb, sizeof(kb)));
			tc_opts_fmt(s->opts, s->nopts, ob, sizeof(ob));
			snprintf(ac, sizeof(ac), "%s", s->nopts ? ob : "(none)");
			add_fail(cx, r, step, e->options_pos.line ? e->options_pos.line : line,
				 "options_include", ex, ac, segtext);
			bad++;
		}
	}
	for (int i = 0; i < e->ninclude_vals; i++) {
		const struct tc_optspec *o = &e->include_vals[i];
		int found = 0;
		for (int k = 0; k < s->nopts && !found; k++)
			found = s->opts[k].kind == o->kind && opt_value_matches(o, &s->opts[k], cx);
		/* A missing kind was reported above; here only a present kind with another value. */
		if (!found && has_kind(s->opts, s->nopts, o->kind)) {
			char ob[200], vb[64];
			fmt_expected_opts(o, 1, vb, sizeof(vb));
			snprintf(ex, sizeof(ex), "includes %s", vb);
			tc_opts_fmt(s->opts, s->nopts, ob, sizeof(ob));
			snprintf(ac, sizeof(ac), "%s", ob);
			add_fail(cx, r, step, e->options_pos.line ? e->options_pos.line : line,
				 "options_include", ex, ac, segtext);
			bad++;
		}
	}
	for (int i = 0; i < e->nexclude; i++) {
		if (has_kind(s->opts, s->nopts, e->exclude_kinds[i])) {
			char kb[16], ob[200];
			snprintf(ex, sizeof(ex), "no %s", kind_name(e->exclude_kinds[i], kb, sizeof(kb)));
			tc_opts_fmt(s->opts, s->nopts, ob, sizeof(ob));
			snprintf(ac, sizeof(ac), "%s", ob);
			add_fail(cx, r, step, e->options_pos.line ? e->options_pos.line : line,
				 "options_exclude", ex, ac, segtext);
			bad++;
		}
	}
	return bad;
}
