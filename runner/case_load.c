/*
 * case_load.c - the YAML case loader (case.h; format: shared/spec/case-format.md and the
 * project's docs/case-format.md, which also lists our extensions).
 *
 * libyaml's document API builds the whole node tree first; we then walk it with one function per
 * construct of the format. The walk is directed by the format, never generic, so a YAML alias
 * that refers to its own ancestor (libyaml allows such cycles) cannot make it recurse without end.
 *
 * Every error names FILE:LINE:COL and quotes the input at fault, because a case author must be
 * able to fix a case from the message alone. Unknown keys are errors, so a typo such as `wtihin:`
 * cannot silently turn a check off; keys that begin with `x-` are left for users' own tools.
 *
 * Memory: the struct tc_case being filled owns everything as soon as it is allocated, and the
 * counters (nsteps, nrefs, ...) are raised before an element is filled, so tc_case_free() on a
 * half-built case releases exactly what was allocated. On any error the loader calls it.
 */
#include "case.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../common/names.h"

#define MAX_FILE_BYTES (16u << 20) /* A case is a few hundred lines; this bounds a mistake. */
#define MAX_STEPS 4096
/* Keys per mapping: duplicate detection compares each key with the ones before it, so an
 * unbounded mapping (thousands of x- keys) would make loading quadratic. */
#define MAX_KEYS 256
#define MAX_APP_BYTES (1u << 20)
#define MAX_APP_LEN (1L << 24)
#define QUOTE_MAX 60

#define US_PER_MS 1000LL
#define US_PER_S 1000000LL

#define FOR_PAIRS(map, p) \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; p++)
#define FOR_ITEMS(seq, it) \
	for (yaml_node_item_t *it = (seq)->data.sequence.items.start; it < (seq)->data.sequence.items.top; it++)
#define NITEMS(seq) ((int)((seq)->data.sequence.items.top - (seq)->data.sequence.items.start))
#define NPAIRS(map) ((int)((map)->data.mapping.pairs.top - (map)->data.mapping.pairs.start))

struct ld {
	const char *name;
	const char *buf;
	size_t len;
	yaml_document_t *doc;
	char *err;
	size_t cap;
};

/* ------------------------------------------------------------------------------------------ */
/* Error reporting */

/* Appends s[0..n) to dst as it should appear between quotes: control bytes escaped, long input
 * cut, so a message stays one readable line whatever the input holds. */
static void quote_into(char *dst, size_t cap, const char *s, size_t n)
{
	size_t o = 0;
	if (cap == 0)
		return;
	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= QUOTE_MAX) {
			if (o + 4 < cap)
				o += (size_t)snprintf(dst + o, cap - o, "...");
			break;
		}
		if (c == '\'' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o < cap ? o : cap - 1] = '\0';
}

/* Finds the source text at a 0-based line and column. The document API gives line and column
 * reliably (index counts characters, not bytes), so the text is found by counting line breaks
 * as libyaml does (LF, CRLF, lone CR) and then UTF-8 characters. Returns the rest of that line. */
static const char *src_at(const struct ld *l, size_t line, size_t col, size_t *n)
{
	size_t i = 0, ln = 0;
	while (ln < line && i < l->len) {
		if (l->buf[i] == '\r' && i + 1 < l->len && l->buf[i + 1] == '\n')
			i++;
		if (l->buf[i] == '\n' || l->buf[i] == '\r')
			ln++;
		i++;
	}
	for (size_t c = 0; c < col && i < l->len && l->buf[i] != '\n' && l->buf[i] != '\r'; c++) {
		i++;
		while (i < l->len && ((unsigned char)l->buf[i] & 0xc0) == 0x80)
			i++;
	}
	size_t e = i;
	while (e < l->len && l->buf[e] != '\n' && l->buf[e] != '\r')
		e++;
	*n = e - i;
	return l->buf + i;
}

static int fail_at(struct ld *l, int line, int col, const char *q, size_t qn, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int fail_at(struct ld *l, int line, int col, const char *q, size_t qn, const char *fmt, ...)
{
	char msg[256], quoted[4 * QUOTE_MAX + 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	quote_into(quoted, sizeof(quoted), q ? q : "", q ? qn : 0);
	if (l->err && l->cap)
		snprintf(l->err, l->cap, "%s:%d:%d: %s: '%s'", l->name, line, col, msg, quoted);
	return -1;
}

static struct tc_pos pos_of(const yaml_node_t *n)
{
	struct tc_pos p = {(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
	return p;
}

/* The text a message quotes for a node: a scalar's value, or the first line of a collection's
 * source text. */
static void node_text(const struct ld *l, const yaml_node_t *n, const char **s, size_t *len)
{
	if (n->type == YAML_SCALAR_NODE) {
		*s = (const char *)n->data.scalar.value;
		*len = n->data.scalar.length;
		return;
	}
	*s = src_at(l, n->start_mark.line, n->start_mark.column, len);
	if (n->end_mark.line == n->start_mark.line && n->end_mark.column > n->start_mark.column &&
	    n->end_mark.column - n->start_mark.column < *len)
		*len = n->end_mark.column - n->start_mark.column;
}

static int fail(struct ld *l, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct ld *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	const char *s;
	size_t len;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	node_text(l, n, &s, &len);
	return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, s, len, "%s", msg);
}

/* The 1-based column of byte off inside a scalar, for pointing at one token of a value. Only
 * exact for single-line scalars without escapes; otherwise the scalar's own column is used. */
static int col_in(const yaml_node_t *n, int off)
{
	int col = (int)n->start_mark.column + 1;
	if (n->start_mark.line != n->end_mark.line || off < 0)
		return col;
	switch (n->data.scalar.style) {
	case YAML_PLAIN_SCALAR_STYLE:
		return col + off;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return col + 1 + off;
	default:
		return col;
	}
}

static int oom(struct ld *l)
{
	return fail_at(l, 1, 1, "", 0, "out of memory");
}

/* ------------------------------------------------------------------------------------------ */
/* Node helpers */

static yaml_node_t *node(struct ld *l, int idx)
{
	return yaml_document_get_node(l->doc, idx);
}

static int is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

static const char *sv(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A plain scalar that YAML reads as null: an empty value, `~` or `null`. A quoted "" is a string. */
static int is_null(const yaml_node_t *n)
{
	if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = sv(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int is_ext(const char *key)
{
	return key[0] == 'x' && key[1] == '-';
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static const char *kind_word(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar";
}

/* A scalar value for field `what`, as a C string: no null, no list or mapping, no NUL byte. */
static int get_str(struct ld *l, const yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(l, n, "'%s' needs a single value, not %s", what, kind_word(n));
	if (is_null(n))
		return fail(l, n, "'%s' has no value", what);
	if (strlen(sv(n)) != n->data.scalar.length)
		return fail(l, n, "'%s' contains a NUL byte", what);
	*out = sv(n);
	return 0;
}

static int dup_str(struct ld *l, const yaml_node_t *n, const char *what, char **out)
{
	const char *s;
	if (get_str(l, n, what, &s) < 0)
		return -1;
	free(*out);
	*out = strdup(s);
	if (!*out)
		return oom(l);
	return 0;
}

/*
 * Checks the key of one mapping pair: a scalar, not seen before in this mapping, and either in
 * allowed (NULL = anything), or an `x-` extension key. Returns the key text or NULL after
 * reporting. `where` completes "unknown ... ": "key in case", "field in send", ...
 */
static const char *pair_key(struct ld *l, const yaml_node_t *map, const yaml_node_pair_t *p,
			    const char *const *allowed, const char *where)
{
	yaml_node_t *k = node(l, p->key);
	if (!k)
		return fail_at(l, 1, 1, "", 0, "internal: dangling node"), NULL;
	if (NPAIRS(map) > MAX_KEYS) {
		fail(l, map, "too many keys in one mapping (%d, at most %d)", NPAIRS(map), MAX_KEYS);
		return NULL;
	}
	if (k->type != YAML_SCALAR_NODE || is_null(k)) {
		fail(l, k, "a key must be a name, not %s", is_null(k) ? "empty" : kind_word(k));
		return NULL;
	}
	if (strlen(sv(k)) != k->data.scalar.length) {
		fail(l, k, "a key contains a NUL byte");
		return NULL;
	}
	for (const yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *qk = node(l, q->key);
		if (is_scalar(qk) && qk->data.scalar.length == k->data.scalar.length &&
		    !memcmp(qk->data.scalar.value, k->data.scalar.value, k->data.scalar.length)) {
			fail(l, k, "duplicate key");
			return NULL;
		}
	}
	if (allowed && !is_ext(sv(k)) && !in_list(allowed, sv(k))) {
		fail(l, k, "unknown %s", where);
		return NULL;
	}
	return sv(k);
}


/* ------------------------------------------------------------------------------------------ */
/* Values */

/* Parses a number or expression into out; literal values are range-checked now, expressions with
 * names when the runner evaluates them. allow_bool admits true/false as 1/0 (for df). */
static int get_num(struct ld *l, const yaml_node_t *n, const char *what, int64_t lo, int64_t hi,
		   int allow_bool, struct tc_num *out)
{
	const char *s;
	char msg[160];
	int off = 0;
	int64_t v;

	if (get_str(l, n, what, &s) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	if (allow_bool && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!strcmp(s, "true") || !strcmp(s, "false"))) {
		tc_expr_lit(&out->expr, s[0] == 't');
	} else if (tc_expr_parse(s, &out->expr, msg, sizeof(msg), &off) < 0) {
		return fail_at(l, (int)n->start_mark.line + 1, col_in(n, off), s, strlen(s),
			       "bad number for '%s': %s", what, msg);
	}
	if (!out->expr.uses_names) {
		if (tc_expr_eval(&out->expr, NULL, &v, msg, sizeof(msg)) < 0)
			return fail(l, n, "bad number for '%s': %s", what, msg);
		if (v < lo || v > hi)
			return fail(l, n, "value out of range for '%s' (%lld..%lld)", what, (long long)lo,
				    (long long)hi);
	}
	out->set = 1;
	out->pos = pos_of(n);
	return 0;
}

/* A literal number (expressions of literals allowed, names not), range-checked. */
static int get_int(struct ld *l, const yaml_node_t *n, const char *what, int64_t lo, int64_t hi,
		   int64_t *out)
{
	struct tc_num num;
	char msg[160];
	if (get_num(l, n, what, lo, hi, 0, &num) < 0)
		return -1;
	if (num.expr.uses_names)
		return fail(l, n, "'%s' must be a literal number (names such as rcv_nxt are not allowed here)",
			    what);
	if (tc_expr_eval(&num.expr, NULL, out, msg, sizeof(msg)) < 0)
		return fail(l, n, "bad number for '%s': %s", what, msg);
	return 0;
}

static int get_dur(struct ld *l, const yaml_node_t *n, const char *what, int64_t *out)
{
	const char *s;
	if (get_str(l, n, what, &s) < 0)
		return -1;
	*out = tc_parse_duration(s);
	if (*out < 0)
		return fail(l, n, "bad duration for '%s' (write e.g. 500ms, 2s, 1.5s, 100us)", what);
	return 0;
}

static int get_flags(struct ld *l, const yaml_node_t *n, const char *what, uint8_t *out)
{
	const char *s;
	char bad = 0;
	if (n->type == YAML_SCALAR_NODE && is_null(n))
		return fail(l, n, "'%s' has no value (write \"\" for no flags)", what);
	if (get_str(l, n, what, &s) < 0)
		return -1;
	int m = tc_flags_parse(s, &bad);
	if (m < 0) {
		const char *at = strchr(s, bad);
		int off = at ? (int)(at - s) : 0;
		/* Point at the second occurrence when a letter is repeated. */
		if (bad && strchr("SAFRPUEC", bad) && at && strchr(at + 1, bad))
			return fail_at(l, (int)n->start_mark.line + 1,
				       col_in(n, (int)(strchr(at + 1, bad) - s)), &bad, 1,
				       "flag letter given twice in '%s'", what);
		return fail_at(l, (int)n->start_mark.line + 1, col_in(n, off), &bad, 1,
			       "bad flag letter in '%s' (letters are SAFRPUEC)", what);
	}
	*out = (uint8_t)m;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Hex bytes: pairs of hex digits, optionally separated by spaces, tabs, line breaks or colons
 * between bytes ("16 03 01", "16:03:01"). Fills buf (at most max bytes). Returns the count, or -1
 * with *bad_off at the fault and *too_long set when the only fault is length.
 */
static long parse_hex(const char *s, uint8_t *buf, size_t max, int *bad_off, int *too_long)
{
	size_t n = 0;
	int hi = -1;
	*too_long = 0;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (hi < 0 && (c == ' ' || c == '\t' || c == '\n' || c == ':'))
			continue;
		int v = hexval(c);
		if (v < 0) {
			*bad_off = (int)i;
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max) {
			*bad_off = (int)i;
			*too_long = 1;
			return -1;
		}
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		*bad_off = (int)strlen(s);
		return -1;
	}
	return (long)n;
}

/* Hex into a fresh buffer (*out, owned by the caller even on failure). */
static int get_hex(struct ld *l, const yaml_node_t *n, const char *what, size_t max, uint8_t **out,
		   size_t *nout)
{
	const char *s;
	int off = 0, too_long = 0;
	if (get_str(l, n, what, &s) < 0)
		return -1;
	size_t room = strlen(s) / 2 + 1;
	if (room > max + 1)
		room = max + 1;
	*out = malloc(room);
	if (!*out)
		return oom(l);
	long got = parse_hex(s, *out, max, &off, &too_long);
	if (got < 0 && too_long)
		return fail(l, n, "too many bytes in '%s' (at most %zu)", what, max);
	if (got < 0)
		return fail_at(l, (int)n->start_mark.line + 1, col_in(n, off), s, strlen(s),
			       "bad hex in '%s' at offset %d (pairs of hex digits, optionally separated "
			       "by spaces or colons)", what, off);
	*nout = (size_t)got;
	return 0;
}

/* A string's bytes (may contain NUL through YAML escapes) into a fresh buffer. */
static int get_bytes(struct ld *l, const yaml_node_t *n, const char *what, size_t max, uint8_t **out,
		     size_t *nout)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(l, n, "'%s' needs a string, not %s", what, kind_word(n));
	size_t len = n->data.scalar.length;
	if (len > max)
		return fail(l, n, "'%s' is too long (%zu bytes, at most %zu)", what, len, max);
	*out = malloc(len ? len : 1);
	if (!*out)
		return oom(l);
	memcpy(*out, n->data.scalar.value, len);
	*nout = len;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Case-level lists */

static int ok_any(const char *s)
{
	(void)s;
	return 1;
}

static int ok_profile(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* A list of strings, or one scalar taken as a list of one. */
static int get_strlist(struct ld *l, const yaml_node_t *n, const char *what, int (*ok)(const char *),
		       char ***arr, int *cnt)
{
	if (n->type == YAML_MAPPING_NODE)
		return fail(l, n, "'%s' needs a list, not a mapping", what);
	if (n->type == YAML_SCALAR_NODE) {
		*arr = calloc(1, sizeof(char *));
		if (!*arr)
			return oom(l);
		*cnt = 1;
		if (dup_str(l, n, what, &(*arr)[0]) < 0)
			return -1;
		if (!ok((*arr)[0]))
			return fail(l, n, "bad name in '%s'", what);
		return 0;
	}
	int total = NITEMS(n);
	*arr = calloc(total ? (size_t)total : 1, sizeof(char *));
	if (!*arr)
		return oom(l);
	FOR_ITEMS(n, it) {
		yaml_node_t *v = node(l, *it);
		if (!v)
			return oom(l);
		(*cnt)++;
		if (dup_str(l, v, what, &(*arr)[*cnt - 1]) < 0)
			return -1;
		if (!ok((*arr)[*cnt - 1]))
			return fail(l, v, "bad name in '%s'", what);
	}
	return 0;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 200)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static int parse_family_item(struct ld *l, const yaml_node_t *n, int *mask)
{
	const char *s;
	if (get_str(l, n, "family", &s) < 0)
		return -1;
	if (!strcmp(s, "ipv4"))
		*mask |= TC_FAM_MASK_V4;
	else if (!strcmp(s, "ipv6"))
		*mask |= TC_FAM_MASK_V6;
	else
		return fail(l, n, "bad family (ipv4 or ipv6)");
	return 0;
}

static int parse_family(struct ld *l, const yaml_node_t *n, int *out)
{
	int mask = 0;
	if (n->type == YAML_MAPPING_NODE)
		return fail(l, n, "'family' needs ipv4, ipv6 or a list of them, not a mapping");
	if (n->type == YAML_SCALAR_NODE) {
		if (parse_family_item(l, n, &mask) < 0)
			return -1;
	} else {
		if (NITEMS(n) == 0)
			return fail(l, n, "'family' is an empty list (leave it out to run both)");
		FOR_ITEMS(n, it) {
			yaml_node_t *v = node(l, *it);
			if (!v || parse_family_item(l, v, &mask) < 0)
				return -1;
		}
	}
	*out = mask;
	return 0;
}

static int parse_sysctl(struct ld *l, const yaml_node_t *n, struct tc_case *c)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "'sysctl' needs a mapping of name: value, not %s", kind_word(n));
	c->sysctls = calloc(NPAIRS(n) ? (size_t)NPAIRS(n) : 1, sizeof(*c->sysctls));
	if (!c->sysctls)
		return oom(l);
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, NULL, "sysctl");
		yaml_node_t *kn = node(l, p->key), *v = node(l, p->value);
		if (!k || !v)
			return -1;
		for (const char *s = k; *s; s++)
			if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
			      *s == '_' || *s == '-' || *s == '.' || *s == '/'))
				return fail(l, kn, "bad sysctl name");
		struct tc_sysctl *sc = &c->sysctls[c->nsysctls++];
		sc->pos = pos_of(kn);
		if (dup_str(l, kn, "sysctl", &sc->key) < 0 || dup_str(l, v, k, &sc->value) < 0)
			return -1;
	}
	return 0;
}

static int parse_ignore(struct ld *l, const yaml_node_t *n, struct tc_case *c)
{
	if (n->type == YAML_MAPPING_NODE)
		return fail(l, n, "'ignore' needs a list of flag sets, not a mapping");
	int total = n->type == YAML_SCALAR_NODE ? 1 : NITEMS(n);
	c->ignore_flags = calloc(total ? (size_t)total : 1, 1);
	if (!c->ignore_flags)
		return oom(l);
	if (n->type == YAML_SCALAR_NODE)
		return get_flags(l, n, "ignore", &c->ignore_flags[c->nignore++]);
	FOR_ITEMS(n, it) {
		yaml_node_t *v = node(l, *it);
		if (!v || get_flags(l, v, "ignore", &c->ignore_flags[c->nignore++]) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Options */

static int get_u32_pair(struct ld *l, const yaml_node_t *n, const char *what, const char *shape,
			uint32_t *a, uint32_t *b)
{
	int64_t x, y;
	if (n->type != YAML_SEQUENCE_NODE || NITEMS(n) != 2)
		return fail(l, n, "option '%s' takes %s", what, shape);
	yaml_node_t *n0 = node(l, n->data.sequence.items.start[0]);
	yaml_node_t *n1 = node(l, n->data.sequence.items.start[1]);
	if (!n0 || !n1 || get_int(l, n0, what, 0, UINT32_MAX, &x) < 0 || get_int(l, n1, what, 0, UINT32_MAX, &y) < 0)
		return -1;
	*a = (uint32_t)x;
	*b = (uint32_t)y;
	return 0;
}

/* Bytes an option takes on the wire (RFC 9293 3.2, RFC 7323 2.2 and 3.2, RFC 2018 2 and 3). */
static int opt_wire_len(const struct tc_optspec *o)
{
	if (o->is_raw)
		return o->raw_len;
	switch (o->kind) {
	case TC_OPT_EOL:
	case TC_OPT_NOP:
		return 1;
	case TC_OPT_MSS:
		return 4;
	case TC_OPT_WSCALE:
		return 3;
	case TC_OPT_SACK_OK:
		return 2;
	case TC_OPT_TS:
		return 10;
	case TC_OPT_SACK:
		return 2 + 8 * o->nsack;
	default:
		return 0;
	}
}

static int parse_opt_item(struct ld *l, const yaml_node_t *n, int is_expect, struct tc_optspec *o)
{
	o->pos = pos_of(n);
	if (n->type == YAML_SCALAR_NODE) {
		const char *s;
		if (get_str(l, n, "options", &s) < 0)
			return -1;
		int kind = tc_opt_parse(s);
		if (kind < 0)
			return fail(l, n, "unknown option (eol, nop, mss, wscale, sack_ok, sack, ts, or {raw: hex})");
		o->kind = kind;
		if (kind == TC_OPT_EOL || kind == TC_OPT_NOP || kind == TC_OPT_SACK_OK) {
			o->has_value = 1;
		} else if (is_expect) {
			o->has_value = 0; /* any value of this kind matches */
		} else {
			return fail(l, n, "option needs a value in a send (write e.g. {%s: ...})", s);
		}
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE || NPAIRS(n) != 1)
		return fail(l, n, "bad option (write a name such as nop, or one key such as {mss: 1460})");
	yaml_node_pair_t *p = n->data.mapping.pairs.start;
	yaml_node_t *kn = node(l, p->key), *v = node(l, p->value);
	const char *k = pair_key(l, n, p, NULL, "option");
	int64_t x;
	if (!k || !kn || !v)
		return -1;
	o->has_value = 1;
	if (!strcmp(k, "raw")) {
		const char *s;
		int off = 0, too_long = 0;
		if (get_str(l, v, "raw", &s) < 0)
			return -1;
		long got = parse_hex(s, o->raw, TC_MAX_OPT_BYTES, &off, &too_long);
		if (got < 0 && too_long)
			return fail(l, v, "raw option too long (at most %d bytes)", TC_MAX_OPT_BYTES);
		if (got < 0)
			return fail_at(l, (int)v->start_mark.line + 1, col_in(v, off), s, strlen(s),
				       "bad hex in raw option at offset %d", off);
		if (got == 0)
			return fail(l, v, "raw option needs at least one byte (the kind)");
		o->is_raw = 1;
		o->raw_len = (int)got;
		o->kind = o->raw[0];
		return 0;
	}
	int kind = tc_opt_parse(k);
	if (kind < 0)
		return fail(l, kn, "unknown option (eol, nop, mss, wscale, sack_ok, sack, ts, or {raw: hex})");
	o->kind = kind;
	switch (kind) {
	case TC_OPT_MSS:
		if (get_int(l, v, "mss", 0, 65535, &x) < 0)
			return -1;
		o->v[0] = (uint32_t)x;
		return 0;
	case TC_OPT_WSCALE:
		if (get_int(l, v, "wscale", 0, 255, &x) < 0)
			return -1;
		o->v[0] = (uint32_t)x;
		return 0;
	case TC_OPT_TS:
		return get_u32_pair(l, v, "ts", "[VAL, ECR]", &o->v[0], &o->v[1]);
	case TC_OPT_SACK:
		if (v->type != YAML_SEQUENCE_NODE || NITEMS(v) == 0)
			return fail(l, v, "option 'sack' takes a list of blocks [[L, R], ...]");
		FOR_ITEMS(v, it) {
			yaml_node_t *b = node(l, *it);
			if (!b)
				return -1;
			/* Four blocks fill 34 of the 40 option bytes (RFC 2018 3). */
			if (o->nsack >= TC_MAX_SACK_BLOCKS)
				return fail(l, b, "too many sack blocks (at most %d)", TC_MAX_SACK_BLOCKS);
			if (get_u32_pair(l, b, "sack", "blocks [L, R]", &o->v[2 * o->nsack],
					 &o->v[2 * o->nsack + 1]) < 0)
				return -1;
			o->nsack++;
		}
		return 0;
	default:
		return fail(l, kn, "option takes no value (write it as a plain name)");
	}
}

static int parse_options(struct ld *l, const yaml_node_t *n, int is_expect, struct tc_segspec *sg)
{
	int total = 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "'options' needs a list, not %s", kind_word(n));
	sg->options_set = 1;
	sg->options_pos = pos_of(n);
	FOR_ITEMS(n, it) {
		yaml_node_t *v = node(l, *it);
		if (!v)
			return -1;
		if (sg->noptions >= TC_MAX_OPTS)
			return fail(l, v, "too many options (at most %d)", TC_MAX_OPTS);
		struct tc_optspec *o = &sg->options[sg->noptions];
		memset(o, 0, sizeof(*o));
		if (parse_opt_item(l, v, is_expect, o) < 0)
			return -1;
		sg->noptions++;
		total += opt_wire_len(o);
	}
	/* The data offset is a 4-bit count of 32-bit words, so options can never exceed 40 bytes
	 * (RFC 9293 3.1); a send that asks for more could not be built. */
	if (!is_expect && total > TC_MAX_OPT_BYTES)
		return fail(l, n, "options take %d bytes, more than the %d a TCP header holds", total,
			    TC_MAX_OPT_BYTES);
	return 0;
}

static int parse_kinds(struct ld *l, const yaml_node_t *n, const char *what, int *kinds, int *nk,
		       struct tc_segspec *vals)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "'%s' needs a list of option names, not %s", what, kind_word(n));
	FOR_ITEMS(n, it) {
		yaml_node_t *v = node(l, *it);
		const char *s;
		int64_t k;
		if (!v)
			return -1;
		if (*nk >= TC_MAX_OPTS)
			return fail(l, v, "too many kinds in '%s' (at most %d)", what, TC_MAX_OPTS);
		/* `{mss: 1460}` in options_include (an extension): that kind with that value, so a
		 * case about the MSS can check it without fixing the rest of the list. */
		if (vals && v->type == YAML_MAPPING_NODE) {
			if (vals->ninclude_vals >= TC_MAX_INCLUDE_VALS)
				return fail(l, v, "too many options with values in '%s' (at most %d)", what,
					    TC_MAX_INCLUDE_VALS);
			struct tc_optspec *o = &vals->include_vals[vals->ninclude_vals];
			memset(o, 0, sizeof(*o));
			if (parse_opt_item(l, v, 1, o) < 0)
				return -1;
			if (o->is_raw)
				return fail(l, v, "'%s' takes option names or {kind: value}, not raw bytes", what);
			vals->ninclude_vals++;
			kinds[(*nk)++] = o->kind;
			continue;
		}
		if (get_str(l, v, what, &s) < 0)
			return -1;
		/* A number names a kind that has no name (an extension, for experimental options). */
		if (s[0] >= '0' && s[0] <= '9') {
			if (get_int(l, v, what, 0, 255, &k) < 0)
				return -1;
		} else if ((k = tc_opt_parse(s)) < 0) {
			return fail(l, v, "unknown option kind in '%s'", what);
		}
		kinds[(*nk)++] = (int)k;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* send / expect */

/*
 * `after:` / `at:` written inside a send or app mapping (an extension): there they can only mean
 * the step's start delay, the same as beside the step key, because neither has a timing check
 * of that name. Inside an expect, `after` is the arrival-time check instead.
 */
static int step_delay(struct ld *l, const yaml_node_t *kn, const yaml_node_t *v, struct tc_step *st)
{
	const char *k = sv(kn);
	int is_after = k[1] == 'f';
	if (st->after_us >= 0 || st->at_us >= 0)
		return fail(l, kn, "%s", st->after_us >= 0 && is_after ? "'after' given twice" :
			    st->at_us >= 0 && !is_after ? "'at' given twice" :
			    "'after' and 'at' cannot both be given");
	return get_dur(l, v, k, is_after ? &st->after_us : &st->at_us);
}

static const char *const seg_keys[] = {
	"flags", "seq", "ack", "seq_abs", "ack_abs", "win", "urg", "len", "data", "hex", "options",
	"checksum", "ttl", "tos", "df", "ip_id", "doff", "sport", "dport",
	/* expect only: */
	"options_include", "options_exclude", "within", "after", "tolerance", "flags_maybe",
	/* send only (an extension): */
	"at", NULL,
};

static int set_payload_kind(struct ld *l, const yaml_node_t *kn, struct tc_segspec *sg, enum tc_payload_kind k)
{
	if (sg->pl_kind != TC_PL_NONE)
		return fail(l, kn, "only one of len, data and hex may be given");
	sg->pl_kind = k;
	return 0;
}

static int parse_seg(struct ld *l, const yaml_node_t *n, int is_expect, struct tc_step *st)
{
	struct tc_segspec *sg = &st->seg;
	const char *what = is_expect ? "expect" : "send";
	const yaml_node_t *maybe_node = NULL;
	int64_t tol = -1;
	size_t maxpl = is_expect ? 65535 : TC_MAX_PAYLOAD;

	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "'%s' needs a mapping of fields%s", what, is_expect ? " or 'auto'" : "");
	if (!is_expect)
		sg->flags = TC_F_ACK; /* documented default for a send without flags */
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, seg_keys, is_expect ? "field in expect" : "field in send");
		yaml_node_t *kn = node(l, p->key), *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k))
			continue;
		if (!is_expect && (!strcmp(k, "after") || !strcmp(k, "at"))) {
			if (step_delay(l, kn, v, st) < 0)
				return -1;
			continue;
		}
		if (!is_expect && (!strcmp(k, "options_include") || !strcmp(k, "options_exclude") ||
				   !strcmp(k, "within") || !strcmp(k, "tolerance") ||
				   !strcmp(k, "flags_maybe")))
			return fail(l, kn, "field only allowed in expect");
		if (is_expect && !strcmp(k, "at"))
			return fail(l, kn, "unknown field in expect (to start the step at a time, put 'at:' "
				    "beside 'expect:')");
		if (is_expect && !strcmp(k, "checksum"))
			return fail(l, kn, "field only allowed in send");

		if (!strcmp(k, "flags")) {
			if (get_flags(l, v, "flags", &sg->flags) < 0)
				return -1;
			sg->flags_set = 1;
			sg->flags_pos = pos_of(v);
		} else if (!strcmp(k, "flags_maybe")) {
			if (get_flags(l, v, "flags_maybe", &sg->flags_maybe) < 0)
				return -1;
			if (!sg->flags_maybe)
				return fail(l, v, "'flags_maybe' needs at least one flag letter");
			maybe_node = v;
		} else if (!strcmp(k, "seq") || !strcmp(k, "seq_abs")) {
			if (sg->seq.set)
				return fail(l, kn, "seq and seq_abs cannot both be given");
			int abs = k[3] == '_';
			if (get_num(l, v, k, abs ? 0 : -(int64_t)UINT32_MAX, UINT32_MAX, 0, &sg->seq) < 0)
				return -1;
			sg->seq.abs = abs;
		} else if (!strcmp(k, "ack") || !strcmp(k, "ack_abs")) {
			if (sg->ack.set)
				return fail(l, kn, "ack and ack_abs cannot both be given");
			int abs = k[3] == '_';
			if (get_num(l, v, k, abs ? 0 : -(int64_t)UINT32_MAX, UINT32_MAX, 0, &sg->ack) < 0)
				return -1;
			sg->ack.abs = abs;
		} else if (!strcmp(k, "win")) {
			if (get_num(l, v, k, 0, 65535, 0, &sg->win) < 0)
				return -1;
		} else if (!strcmp(k, "urg")) {
			if (get_num(l, v, k, 0, 65535, 0, &sg->urg) < 0)
				return -1;
		} else if (!strcmp(k, "ttl")) {
			if (get_num(l, v, k, 0, 255, 0, &sg->ttl) < 0)
				return -1;
		} else if (!strcmp(k, "tos")) {
			if (get_num(l, v, k, 0, 255, 0, &sg->tos) < 0)
				return -1;
		} else if (!strcmp(k, "df")) {
			if (get_num(l, v, k, 0, 1, 1, &sg->df) < 0)
				return -1;
		} else if (!strcmp(k, "ip_id")) {
			if (get_num(l, v, k, 0, 65535, 0, &sg->ip_id) < 0)
				return -1;
		} else if (!strcmp(k, "doff")) {
			if (get_num(l, v, k, 0, 15, 0, &sg->doff) < 0)
				return -1;
		} else if (!strcmp(k, "sport")) {
			if (get_num(l, v, k, 0, 65535, 0, &sg->sport) < 0)
				return -1;
		} else if (!strcmp(k, "dport")) {
			if (get_num(l, v, k, 0, 65535, 0, &sg->dport) < 0)
				return -1;
		} else if (!strcmp(k, "len")) {
			if (set_payload_kind(l, kn, sg, TC_PL_LEN) < 0 ||
			    get_num(l, v, k, 0, (int64_t)maxpl, 0, &sg->len) < 0)
				return -1;
			sg->len_pos = pos_of(v);
		} else if (!strcmp(k, "data")) {
			if (set_payload_kind(l, kn, sg, TC_PL_BYTES) < 0 ||
			    get_bytes(l, v, k, maxpl, &sg->bytes, &sg->nbytes) < 0)
				return -1;
			sg->data_pos = pos_of(v);
		} else if (!strcmp(k, "hex")) {
			if (set_payload_kind(l, kn, sg, TC_PL_BYTES) < 0 ||
			    get_hex(l, v, k, maxpl, &sg->bytes, &sg->nbytes) < 0)
				return -1;
			sg->data_pos = pos_of(v);
		} else if (!strcmp(k, "options")) {
			if (parse_options(l, v, is_expect, sg) < 0)
				return -1;
		} else if (!strcmp(k, "options_include")) {
			if (parse_kinds(l, v, k, sg->include_kinds, &sg->ninclude, sg) < 0)
				return -1;
		} else if (!strcmp(k, "options_exclude")) {
			if (parse_kinds(l, v, k, sg->exclude_kinds, &sg->nexclude, NULL) < 0)
				return -1;
		} else if (!strcmp(k, "checksum")) {
			const char *s;
			if (get_str(l, v, k, &s) < 0)
				return -1;
			if (strcmp(s, "bad"))
				return fail(l, v, "'checksum' can only be 'bad'");
			sg->checksum_bad = 1;
		} else if (!strcmp(k, "within")) {
			if (get_dur(l, v, k, &st->within_us) < 0)
				return -1;
		} else if (!strcmp(k, "after")) {
			if (get_dur(l, v, k, &st->exp_after_us) < 0)
				return -1;
		} else if (!strcmp(k, "tolerance")) {
			if (get_dur(l, v, k, &tol) < 0)
				return -1;
		}
	}
	if (is_expect && !sg->flags_set)
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "flags", 5,
			       "missing required field in expect (write flags: \"\" for none)");
	/* A flag cannot be required and optional at once: that is a slip, not a wish. */
	if (maybe_node && (sg->flags & sg->flags_maybe)) {
		char both[16];
		tc_flags_str(sg->flags & sg->flags_maybe, both, sizeof(both));
		return fail_at(l, (int)maybe_node->start_mark.line + 1,
			       col_in(maybe_node, (int)(strchr(sv(maybe_node), both[0]) - sv(maybe_node))),
			       both, strlen(both), "flag in both 'flags' and 'flags_maybe'");
	}
	if (tol >= 0 && st->exp_after_us < 0) {
		FOR_PAIRS(n, p) {
			yaml_node_t *kn = node(l, p->key);
			if (is_scalar(kn) && !strcmp(sv(kn), "tolerance"))
				return fail(l, kn, "'tolerance' needs 'after' in the same expect");
		}
		return -1;
	}
	if (st->exp_after_us >= 0) {
		/* Timers are never exact: without a tolerance, allow 10% of the delay and at least
		 * 20 ms, which covers scheduling jitter on a loaded CI host. */
		if (tol < 0) {
			tol = st->exp_after_us / 10;
			if (tol < 20 * US_PER_MS)
				tol = 20 * US_PER_MS;
		}
		st->tolerance_us = tol;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* expect_none, state */

static int parse_expect_none(struct ld *l, const yaml_node_t *n, struct tc_step *st)
{
	static const char *const keys[] = {"for", "flags", NULL};
	int have_for = 0;
	if (n->type == YAML_SCALAR_NODE)
		return get_dur(l, n, "expect_none", &st->none_us);
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "'expect_none' needs a duration or {for: D, flags: F}");
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, keys, "field in expect_none");
		yaml_node_t *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k))
			continue;
		if (!strcmp(k, "for")) {
			if (get_dur(l, v, "for", &st->none_us) < 0)
				return -1;
			have_for = 1;
		} else {
			if (get_flags(l, v, "flags", &st->none_flags) < 0)
				return -1;
			st->none_flags_set = 1;
		}
	}
	if (!have_for)
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "for", 3,
			       "missing required field in expect_none");
	return 0;
}

static int get_state(struct ld *l, const yaml_node_t *n, int *out)
{
	const char *s;
	if (get_str(l, n, "state", &s) < 0)
		return -1;
	*out = tc_state_parse(s);
	if (*out < 0)
		return fail(l, n, "unknown state (LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, "
			    "FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, CLOSED)");
	return 0;
}

static int parse_state(struct ld *l, const yaml_node_t *n, struct tc_step *st)
{
	static const char *const keys[] = {"is", "within", "sock", NULL};
	int have_is = 0;
	/* `state: auto` (an extension): the state the reference model is in at that step. */
	if (is_scalar(n) && !strcmp(sv(n), "auto")) {
		st->state_auto = 1;
		return 0;
	}
	if (n->type == YAML_SCALAR_NODE)
		return get_state(l, n, &st->state);
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "'state' needs a state name or {is: NAME, within: D}");
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, keys, "field in state");
		yaml_node_t *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k))
			continue;
		if (!strcmp(k, "is")) {
			if (is_scalar(v) && !strcmp(sv(v), "auto"))
				st->state_auto = 1;
			else if (get_state(l, v, &st->state) < 0)
				return -1;
			have_is = 1;
		} else if (!strcmp(k, "sock")) {
			/* An extension: `sock: listener` asks for the listening socket's own state;
			 * `sock: conn` (the default) for the case's connection. */
			const char *s;
			if (get_str(l, v, "sock", &s) < 0)
				return -1;
			if (!strcmp(s, "listener"))
				st->state_listener = 1;
			else if (strcmp(s, "conn") != 0)
				return fail(l, v, "unknown sock in state (listener or conn)");
		} else if (get_dur(l, v, "within", &st->within_us) < 0) {
			return -1;
		}
	}
	if (!have_is)
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "is", 2,
			       "missing required field in state");
	/* The listener is LISTEN while open and CLOSED once closed; the model has no other
	 * state for it, so `auto` would only restate that. */
	if (st->state_listener && st->state_auto)
		return fail(l, n, "'state' with sock: listener needs a state name, not auto");
	if (st->state_listener && st->state != TC_ST_LISTEN && st->state != TC_ST_CLOSED)
		return fail(l, n, "a listener is LISTEN or CLOSED (state with sock: listener)");
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* app */

static const struct {
	const char *name;
	enum tc_app_call call;
	const char *const fields[3]; /* fields of this call beyond the common ones */
} app_calls[] = {
	{"listen", TC_APP_LISTEN, {"backlog"}},
	{"accept", TC_APP_ACCEPT, {NULL}},
	{"connect", TC_APP_CONNECT, {NULL}},
	{"write", TC_APP_WRITE, {"len", "data"}},
	{"read", TC_APP_READ, {"len"}},
	{"shutdown", TC_APP_SHUTDOWN, {"how"}},
	{"close", TC_APP_CLOSE, {NULL}},
	{"setsockopt", TC_APP_SETSOCKOPT, {"opt", "value"}},
	{"getsockopt", TC_APP_GETSOCKOPT, {"opt"}},
};
#define NCALLS ((int)(sizeof(app_calls) / sizeof(app_calls[0])))

static const char *const app_keys[] = {"call", "sock", "within", "expect", "backlog", "len", "data",
				       "how", "opt", "value", "after", "at", NULL};

static int find_call(struct ld *l, const yaml_node_t *n, int *idx)
{
	const char *s;
	if (get_str(l, n, "call", &s) < 0)
		return -1;
	for (int i = 0; i < NCALLS; i++)
		if (!strcmp(app_calls[i].name, s)) {
			*idx = i;
			return 0;
		}
	return fail(l, n, "unknown app call (listen, accept, connect, write, read, shutdown, close, "
		    "setsockopt, getsockopt)");
}

/* An option value: an integer, true/false, or a list of two integers (SO_LINGER [onoff, secs]). */
static int get_optval(struct ld *l, const yaml_node_t *n, const char *what, long *vals, int *nvals)
{
	int64_t x;
	if (n->type == YAML_SEQUENCE_NODE) {
		if (NITEMS(n) != 2)
			return fail(l, n, "'%s' needs a number, true/false or a list of two numbers", what);
		for (int i = 0; i < 2; i++) {
			yaml_node_t *v = node(l, n->data.sequence.items.start[i]);
			if (!v || get_int(l, v, what, INT32_MIN, INT32_MAX, &x) < 0)
				return -1;
			vals[i] = (long)x;
		}
		*nvals = 2;
		return 0;
	}
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!strcmp(sv(n), "true") || !strcmp(sv(n), "false"))) {
		vals[0] = sv(n)[0] == 't';
		*nvals = 1;
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE)
		return fail(l, n, "'%s' needs a number, true/false or a list of two numbers", what);
	if (get_int(l, n, what, INT32_MIN, INT32_MAX, &x) < 0)
		return -1;
	vals[0] = (long)x;
	*nvals = 1;
	return 0;
}

static int valid_errno(const char *s)
{
	if (!strcmp(s, "0"))
		return 1;
	if (s[0] != 'E' || !s[1] || strlen(s) >= 24)
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static int parse_app_expect(struct ld *l, const yaml_node_t *n, enum tc_app_call call, struct tc_appspec *a)
{
	static const char *const keys[] = {"ret", "errno", "data", "value", NULL};
	int64_t x;
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "app 'expect' needs a mapping such as {ret: 0}");
	a->exp_pos = pos_of(n);
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, keys, "field in app expect");
		yaml_node_t *kn = node(l, p->key), *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k))
			continue;
		if (!strcmp(k, "ret")) {
			if (get_int(l, v, "ret", -1, INT32_MAX, &x) < 0)
				return -1;
			a->exp_ret = (long)x;
			a->exp_ret_set = 1;
		} else if (!strcmp(k, "errno")) {
			const char *s;
			if (get_str(l, v, "errno", &s) < 0)
				return -1;
			if (!valid_errno(s))
				return fail(l, v, "bad errno name (write e.g. ECONNRESET, or 0 for none)");
			snprintf(a->exp_errno, sizeof(a->exp_errno), "%s", s);
			a->exp_errno_set = 1;
		} else if (!strcmp(k, "data")) {
			if (call != TC_APP_READ)
				return fail(l, kn, "field does not belong to this call (expect data is for read)");
			if (get_bytes(l, v, "data", MAX_APP_BYTES, &a->exp_data, &a->exp_ndata) < 0)
				return -1;
		} else {
			if (call != TC_APP_GETSOCKOPT)
				return fail(l, kn, "field does not belong to this call (expect value is for getsockopt)");
			if (get_optval(l, v, "value", a->exp_value, &a->exp_nvalue) < 0)
				return -1;
			a->exp_value_set = 1;
		}
	}
	return 0;
}

static int parse_app(struct ld *l, const yaml_node_t *n, struct tc_step *st, int *within_given)
{
	struct tc_appspec *a = &st->app;
	yaml_node_t *calln = NULL;
	int ci = -1, have_value = 0;
	int64_t x;

	if (n->type == YAML_SCALAR_NODE) {
		if (find_call(l, n, &ci) < 0)
			return -1;
		a->call = app_calls[ci].call;
		goto check_required;
	}
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "'app' needs a call name or a mapping {call: ...}");
	FOR_PAIRS(n, p) {
		yaml_node_t *kn = node(l, p->key);
		if (is_scalar(kn) && !strcmp(sv(kn), "call"))
			calln = node(l, p->value);
	}
	if (!calln)
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "call", 4,
			       "missing required field in app");
	if (find_call(l, calln, &ci) < 0)
		return -1;
	a->call = app_calls[ci].call;
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, app_keys, "field in app");
		yaml_node_t *kn = node(l, p->key), *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k) || !strcmp(k, "call"))
			continue;
		if (!strcmp(k, "sock")) {
			const char *s;
			if (get_str(l, v, k, &s) < 0)
				return -1;
			if (!strcmp(s, "listener"))
				a->sock = TC_SOCK_LISTENER;
			else if (!strcmp(s, "conn"))
				a->sock = TC_SOCK_CONN;
			else
				return fail(l, v, "bad 'sock' (listener or conn)");
			continue;
		}
		if (!strcmp(k, "within")) {
			if (get_dur(l, v, k, &a->within_us) < 0)
				return -1;
			*within_given = 1;
			continue;
		}
		if (!strcmp(k, "after") || !strcmp(k, "at")) {
			if (step_delay(l, kn, v, st) < 0)
				return -1;
			continue;
		}
		if (!strcmp(k, "expect")) {
			if (parse_app_expect(l, v, a->call, a) < 0)
				return -1;
			continue;
		}
		int belongs = 0;
		for (int i = 0; i < 3 && app_calls[ci].fields[i]; i++)
			if (!strcmp(app_calls[ci].fields[i], k))
				belongs = 1;
		if (!belongs)
			return fail(l, kn, "field does not belong to call '%s'", app_calls[ci].name);
		if (!strcmp(k, "backlog")) {
			if (get_int(l, v, k, 0, 65535, &x) < 0)
				return -1;
			a->backlog = (int)x;
		} else if (!strcmp(k, "len")) {
			if (a->data)
				return fail(l, kn, "only one of len and data may be given");
			if (get_int(l, v, k, 0, MAX_APP_LEN, &x) < 0)
				return -1;
			a->len = (long)x;
		} else if (!strcmp(k, "data")) {
			if (a->len >= 0)
				return fail(l, kn, "only one of len and data may be given");
			if (get_bytes(l, v, k, MAX_APP_BYTES, &a->data, &a->ndata) < 0)
				return -1;
		} else if (!strcmp(k, "how")) {
			const char *s;
			if (get_str(l, v, k, &s) < 0)
				return -1;
			if (!strcmp(s, "rd"))
				a->how = 0;
			else if (!strcmp(s, "wr"))
				a->how = 1;
			else if (!strcmp(s, "rdwr"))
				a->how = 2;
			else
				return fail(l, v, "bad 'how' (rd, wr or rdwr)");
		} else if (!strcmp(k, "opt")) {
			const char *s;
			if (get_str(l, v, k, &s) < 0)
				return -1;
			int ok = s[0] >= 'A' && s[0] <= 'Z' && strlen(s) < sizeof(a->opt);
			for (const char *q = s; ok && *q; q++)
				ok = (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_';
			if (!ok)
				return fail(l, v, "bad socket option name (write it as in C, e.g. SO_LINGER)");
			snprintf(a->opt, sizeof(a->opt), "%s", s);
		} else if (!strcmp(k, "value")) {
			if (get_optval(l, v, k, a->value, &a->nvalue) < 0)
				return -1;
			have_value = 1;
		}
	}
check_required:
	if ((a->call == TC_APP_SETSOCKOPT || a->call == TC_APP_GETSOCKOPT) && !a->opt[0])
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "opt", 3,
			       "missing required field for %s", app_calls[ci].name);
	if (a->call == TC_APP_SETSOCKOPT && !have_value)
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "value", 5,
			       "missing required field for setsockopt");
	if (a->call == TC_APP_SHUTDOWN && a->how < 0)
		return fail_at(l, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, "how", 3,
			       "missing required field for shutdown");
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Steps */

/* Whether mapping n (if it is one) has the key. */
static int map_has(struct ld *l, const yaml_node_t *n, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return 0;
	FOR_PAIRS(n, p) {
		yaml_node_t *k = node(l, p->key);
		if (is_scalar(k) && !strcmp(sv(k), key))
			return 1;
	}
	return 0;
}

static const char *const step_kinds[] = {"send", "expect", "expect_none", "app", "state", "wait", NULL};
static const char *const step_keys[] = {"send", "expect", "expect_none", "app", "state", "wait",
					"after", "at", "within", "level", "req", NULL};

/* A requirement level: MUST, SHOULD or MAY (an extension, docs/case-format.md "Levels"). */
static int get_level(struct ld *l, const yaml_node_t *n, const char *what, int *out)
{
	const char *s;
	if (get_str(l, n, what, &s) < 0)
		return -1;
	/* Upper case only, as state names are: one spelling per level in the suites. */
	int lv = tc_level_parse(s);
	if (lv < 0 || strcmp(s, tc_level_name(lv)) != 0)
		return fail(l, n, "bad level (MUST, SHOULD or MAY)");
	*out = lv;
	return 0;
}

/* A requirement id for `req:`: the spelling of refs (MUST-13, SHLD-18, RFC6298-2.4), short
 * enough for a failure's req field. */
static int get_req(struct ld *l, const yaml_node_t *n, char *out, size_t cap)
{
	const char *s;
	if (get_str(l, n, "req", &s) < 0)
		return -1;
	int ok = strlen(s) < cap;
	for (const char *q = s; ok && *q; q++)
		ok = (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
		     *q == '-' || *q == '.' || *q == '_';
	if (!ok)
		return fail(l, n, "bad requirement id (write it as in refs, e.g. SHLD-18 or RFC6298-2.4)");
	snprintf(out, cap, "%s", s);
	return 0;
}

/*
 * `level:` and `req:` beside a step key (an extension): the level of the case's own checks of
 * the step. A requirement id that implies a level (SHLD-18) gives it, and a `level:` beside it
 * must agree; an id that implies none (RFC6298-2.4) needs `level:`, because silently taking the
 * case's level would hold the step to MUST where its author meant a SHOULD. The level stays -1
 * when neither is given; resolve_levels() then gives it the case's.
 */
static int parse_step_level(struct ld *l, struct tc_step *st, const char *kind,
			    const yaml_node_t *levelk, const yaml_node_t *levelv,
			    const yaml_node_t *reqk, const yaml_node_t *reqv)
{
	st->level = -1;
	if (!levelk && !reqk)
		return 0;
	if (st->kind == TC_STEP_SEND || st->kind == TC_STEP_WAIT)
		return fail(l, levelk ? levelk : reqk, "'%s' does not apply to a %s step (it checks "
			    "nothing)", levelk ? "level" : "req", kind);
	if (levelv && get_level(l, levelv, "level", &st->level) < 0)
		return -1;
	if (reqv) {
		if (get_req(l, reqv, st->req, sizeof(st->req)) < 0)
			return -1;
		int implied = tc_level_of_req(st->req);
		if (implied >= 0 && levelv && implied != st->level)
			return fail(l, levelv, "level contradicts 'req: %s', which is a %s", st->req,
				    tc_level_name(implied));
		if (implied < 0 && !levelv)
			return fail(l, reqv, "requirement id implies no level (only MUST-n, SHLD-n and "
				    "MAY-n do): give 'level:' beside it");
		if (implied >= 0)
			st->level = implied;
	}
	return 0;
}

static int parse_step(struct ld *l, const yaml_node_t *n, struct tc_step *st)
{
	yaml_node_t *body = NULL, *kindk = NULL, *withinv = NULL, *withink = NULL;
	yaml_node_t *levelk = NULL, *levelv = NULL, *reqk = NULL, *reqv = NULL;
	int within_given = 0;

	st->pos = pos_of(n);
	st->after_us = -1;
	st->at_us = -1;
	st->exp_after_us = -1;
	st->app.backlog = -1;
	st->app.len = -1;
	st->app.how = -1;
	st->app.within_us = 1 * US_PER_S;
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "a step must be a mapping with one step key, such as app: listen");
	FOR_PAIRS(n, p) {
		const char *k = pair_key(l, n, p, step_keys, "step key");
		yaml_node_t *kn = node(l, p->key), *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k))
			continue;
		if (in_list(step_kinds, k)) {
			if (kindk)
				return fail(l, kn, "two step keys in one step (it already has '%s')", sv(kindk));
			kindk = kn;
			body = v;
		} else if (!strcmp(k, "after")) {
			if (st->at_us >= 0)
				return fail(l, kn, "'after' and 'at' cannot both be given");
			if (get_dur(l, v, k, &st->after_us) < 0)
				return -1;
		} else if (!strcmp(k, "at")) {
			if (st->after_us >= 0)
				return fail(l, kn, "'after' and 'at' cannot both be given");
			if (get_dur(l, v, k, &st->at_us) < 0)
				return -1;
		} else if (!strcmp(k, "level")) {
			levelk = kn;
			levelv = v;
		} else if (!strcmp(k, "req")) {
			reqk = kn;
			reqv = v;
		} else {
			withink = kn;
			withinv = v;
		}
	}
	if (!kindk)
		return fail(l, n, "step has no step key (send, expect, expect_none, app, state or wait)");

	const char *k = sv(kindk);
	if (!strcmp(k, "send")) {
		st->kind = TC_STEP_SEND;
		if (parse_seg(l, body, 0, st) < 0)
			return -1;
	} else if (!strcmp(k, "expect")) {
		st->kind = TC_STEP_EXPECT;
		st->within_us = 1 * US_PER_S;
		if (is_scalar(body) && !strcmp(sv(body), "auto")) {
			st->expect_auto = 1;
		} else {
			if (parse_seg(l, body, 1, st) < 0)
				return -1;
			within_given = map_has(l, body, "within");
		}
	} else if (!strcmp(k, "expect_none")) {
		st->kind = TC_STEP_EXPECT_NONE;
		if (parse_expect_none(l, body, st) < 0)
			return -1;
	} else if (!strcmp(k, "app")) {
		st->kind = TC_STEP_APP;
		if (parse_app(l, body, st, &within_given) < 0)
			return -1;
	} else if (!strcmp(k, "state")) {
		st->kind = TC_STEP_STATE;
		st->within_us = 300 * US_PER_MS;
		if (parse_state(l, body, st) < 0)
			return -1;
		within_given = map_has(l, body, "within");
	} else {
		st->kind = TC_STEP_WAIT;
		if (get_dur(l, body, "wait", &st->wait_us) < 0)
			return -1;
	}

	/* `within:` beside the step key is an extension for the short forms (`expect: auto`,
	 * `app: accept`, `state: X`), which have no mapping of their own to hold it. */
	if (withink) {
		if (st->kind != TC_STEP_EXPECT && st->kind != TC_STEP_APP && st->kind != TC_STEP_STATE)
			return fail(l, withink, "'within' does not apply to a %s step", k);
		if (within_given)
			return fail(l, withink, "'within' given twice");
		int64_t *dst = st->kind == TC_STEP_APP ? &st->app.within_us : &st->within_us;
		if (get_dur(l, withinv, "within", dst) < 0)
			return -1;
	}
	if (parse_step_level(l, st, k, levelk, levelv, reqk, reqv) < 0)
		return -1;
	return 0;
}

static int parse_steps(struct ld *l, const yaml_node_t *n, struct tc_case *c)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "'steps' needs a list of steps, not %s", kind_word(n));
	int total = NITEMS(n);
	if (total == 0)
		return fail(l, n, "'steps' is empty");
	if (total > MAX_STEPS)
		return fail(l, n, "too many steps (%d, at most %d)", total, MAX_STEPS);
	free(c->steps);
	c->steps = calloc((size_t)total, sizeof(*c->steps));
	if (!c->steps)
		return oom(l);
	FOR_ITEMS(n, it) {
		yaml_node_t *v = node(l, *it);
		if (!v)
			return -1;
		/* Counted before it is filled, so tc_case_free releases a half-built step. */
		struct tc_step *st = &c->steps[c->nsteps++];
		if (parse_step(l, v, st) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The case */

static const char *const case_keys[] = {"id", "title", "refs", "tags", "family", "role", "port",
					"timeout", "only", "except", "sysctl", "steps", "isn",
					"peer_port", "ignore", "level", "requires", NULL};

/* `requires: [ts, sack_ok, wscale]` (an extension): options the target must negotiate for the
 * case to mean anything; the executor skips the case when its SYN or SYN-ACK lacks one. */
static int parse_requires_item(struct ld *l, const yaml_node_t *n, unsigned *mask)
{
	const char *s;
	if (get_str(l, n, "requires", &s) < 0)
		return -1;
	if (!strcmp(s, "ts"))
		*mask |= TC_CAP_TS;
	else if (!strcmp(s, "sack_ok"))
		*mask |= TC_CAP_SACK_OK;
	else if (!strcmp(s, "wscale"))
		*mask |= TC_CAP_WSCALE;
	else
		return fail(l, n, "unknown capability in 'requires' (ts, sack_ok or wscale)");
	return 0;
}

static int parse_requires(struct ld *l, const yaml_node_t *n, unsigned *out)
{
	unsigned mask = 0;
	if (n->type == YAML_MAPPING_NODE)
		return fail(l, n, "'requires' needs a list such as [ts, sack_ok], not a mapping");
	if (n->type == YAML_SCALAR_NODE) {
		if (parse_requires_item(l, n, &mask) < 0)
			return -1;
	} else {
		FOR_ITEMS(n, it) {
			yaml_node_t *v = node(l, *it);
			if (!v || parse_requires_item(l, v, &mask) < 0)
				return -1;
		}
	}
	*out = mask;
	return 0;
}

/* Appends id to a comma-separated list in buf, as far as it fits whole. */
static void req_append(char *buf, size_t cap, const char *id)
{
	size_t n = strlen(buf), m = strlen(id);
	if (n + (n ? 1 : 0) + m + 1 > cap)
		return;
	snprintf(buf + n, cap - n, "%s%s", n ? "," : "", id);
}

/*
 * The levels of the case's own checks (docs/case-format.md "Levels"). Without a case `level:`,
 * the requirement ids in refs decide: a case that cites only SHLD-n and MAY-n ids checks a
 * SHOULD, so departing from it is a warn; one MUST-n, or no id at all, keeps it a MUST, so a
 * case never becomes softer than its author wrote it. Steps that say nothing take the case's.
 */
static void resolve_levels(struct tc_case *c, int case_level)
{
	if (case_level >= 0) {
		c->level = case_level;
	} else {
		int nmust = 0, nsoft = 0;
		for (int i = 0; i < c->nrefs; i++) {
			int lv = tc_level_of_req(c->refs[i]);
			if (lv == TC_LVL_MUST)
				nmust++;
			else if (lv > TC_LVL_MUST)
				nsoft++;
		}
		c->level = nsoft > 0 && nmust == 0 ? TC_LVL_SHOULD : TC_LVL_MUST;
		for (int i = 0; i < c->nrefs; i++) {
			int lv = tc_level_of_req(c->refs[i]);
			if (lv >= 0 && (lv == TC_LVL_MUST) == (c->level == TC_LVL_MUST))
				req_append(c->req, sizeof(c->req), c->refs[i]);
		}
	}
	for (int i = 0; i < c->nsteps; i++) {
		struct tc_step *st = &c->steps[i];
		if (st->level >= 0)
			continue;
		st->level = c->level;
		snprintf(st->req, sizeof(st->req), "%s", c->req);
	}
}

static int parse_case(struct ld *l, const yaml_node_t *root, struct tc_case *c)
{
	int64_t x;
	int have_steps = 0, case_level = -1;

	if (root->type != YAML_MAPPING_NODE)
		return fail(l, root, "top level must be a mapping with id, title and steps, not %s",
			    kind_word(root));
	FOR_PAIRS(root, p) {
		const char *k = pair_key(l, root, p, case_keys, "key in case");
		yaml_node_t *v = node(l, p->value);
		if (!k || !v)
			return -1;
		if (is_ext(k))
			continue;
		if (!strcmp(k, "id")) {
			if (dup_str(l, v, k, &c->id) < 0)
				return -1;
			if (!valid_id(c->id))
				return fail(l, v, "bad id (lower-case letters, digits and . _ - only)");
			c->id_pos = pos_of(v);
		} else if (!strcmp(k, "title")) {
			if (dup_str(l, v, k, &c->title) < 0)
				return -1;
		} else if (!strcmp(k, "refs")) {
			if (get_strlist(l, v, k, ok_any, &c->refs, &c->nrefs) < 0)
				return -1;
		} else if (!strcmp(k, "tags")) {
			if (get_strlist(l, v, k, ok_any, &c->tags, &c->ntags) < 0)
				return -1;
		} else if (!strcmp(k, "only")) {
			if (get_strlist(l, v, k, ok_profile, &c->only, &c->nonly) < 0)
				return -1;
		} else if (!strcmp(k, "except")) {
			if (get_strlist(l, v, k, ok_profile, &c->except, &c->nexcept) < 0)
				return -1;
		} else if (!strcmp(k, "family")) {
			if (parse_family(l, v, &c->families) < 0)
				return -1;
		} else if (!strcmp(k, "role")) {
			const char *s;
			if (get_str(l, v, k, &s) < 0)
				return -1;
			if (!strcmp(s, "server"))
				c->role = TC_ROLE_SERVER;
			else if (!strcmp(s, "client"))
				c->role = TC_ROLE_CLIENT;
			else
				return fail(l, v, "bad role (server or client)");
		} else if (!strcmp(k, "port")) {
			if (get_int(l, v, k, 1, 65535, &x) < 0)
				return -1;
			c->port = (int)x;
		} else if (!strcmp(k, "peer_port")) {
			if (get_int(l, v, k, 1, 65535, &x) < 0)
				return -1;
			c->peer_port = (int)x;
		} else if (!strcmp(k, "timeout")) {
			if (get_dur(l, v, k, &c->timeout_us) < 0)
				return -1;
			if (c->timeout_us == 0)
				return fail(l, v, "'timeout' must be more than zero");
		} else if (!strcmp(k, "isn")) {
			if (get_int(l, v, k, 0, UINT32_MAX, &x) < 0)
				return -1;
			c->isn = (uint32_t)x;
			c->isn_set = 1;
		} else if (!strcmp(k, "sysctl")) {
			if (parse_sysctl(l, v, c) < 0)
				return -1;
		} else if (!strcmp(k, "ignore")) {
			if (parse_ignore(l, v, c) < 0)
				return -1;
		} else if (!strcmp(k, "level")) {
			if (get_level(l, v, k, &case_level) < 0)
				return -1;
		} else if (!strcmp(k, "requires")) {
			if (parse_requires(l, v, &c->requires) < 0)
				return -1;
		} else if (!strcmp(k, "steps")) {
			if (parse_steps(l, v, c) < 0)
				return -1;
			have_steps = 1;
		}
	}
	int line = (int)root->start_mark.line + 1, col = (int)root->start_mark.column + 1;
	if (!c->id)
		return fail_at(l, line, col, "id", 2, "missing required key in case");
	if (!c->title)
		return fail_at(l, line, col, "title", 5, "missing required key in case");
	if (!have_steps)
		return fail_at(l, line, col, "steps", 5, "missing required key in case");
	resolve_levels(c, case_level);
	return 0;
}

static int yaml_fail(struct ld *l, yaml_parser_t *p)
{
	size_t line = p->problem_mark.line, col = p->problem_mark.column;
	const char *s;
	size_t n;
	char ctx[128] = "";

	/* Reader errors (bad UTF-8, control characters) carry a byte offset instead of a mark. */
	if (p->error == YAML_READER_ERROR) {
		line = col = 0;
		for (size_t i = 0; i < p->problem_offset && i < l->len; i++) {
			if (l->buf[i] == '\n') {
				line++;
				col = 0;
			} else if (((unsigned char)l->buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
	}
	if (p->context)
		snprintf(ctx, sizeof(ctx), " (%s)", p->context);
	s = src_at(l, line, 0, &n);
	/* At the end of the input the problem's own line is empty; the last line with text on it,
	 * where the unfinished construct is, is then the useful thing to show. */
	for (size_t back = line; back > 0 && line - back < 20; back--) {
		size_t blank = 0;
		while (blank < n && (s[blank] == ' ' || s[blank] == '\t'))
			blank++;
		if (blank < n)
			break;
		s = src_at(l, back - 1, 0, &n);
	}
	return fail_at(l, (int)line + 1, (int)col + 1, s, n, "YAML syntax error: %s%s",
		       p->problem ? p->problem : "unknown problem", ctx);
}

int tc_case_load_buf(const char *name, const char *buf, size_t len, struct tc_case *out, char *err,
		     size_t cap)
{
	struct ld l = {name ? name : "<buffer>", buf ? buf : "", buf ? len : 0, NULL, err, cap};
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	int have_doc = 0, have_doc2 = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (err && cap)
		err[0] = '\0';
	if (!yaml_parser_initialize(&parser))
		return oom(&l);
	yaml_parser_set_input_string(&parser, (const unsigned char *)l.buf, l.len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_fail(&l, &parser);
		goto out;
	}
	have_doc = 1;
	l.doc = &doc;

	out->file = strdup(l.name);
	if (!out->file) {
		oom(&l);
		goto out;
	}
	out->families = TC_FAM_MASK_V4 | TC_FAM_MASK_V6;
	out->role = TC_ROLE_SERVER;
	out->port = 8080;
	out->timeout_us = 10 * US_PER_S;

	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		fail_at(&l, 1, 1, "", 0, "empty file: a case is a mapping with id, title and steps");
		goto out;
	}
	if (parse_case(&l, root, out) < 0)
		goto out;

	/* One file holds one case; a second document is most likely a paste error. */
	if (!yaml_parser_load(&parser, &doc2)) {
		yaml_fail(&l, &parser);
		goto out;
	}
	have_doc2 = 1;
	yaml_node_t *r2 = yaml_document_get_root_node(&doc2);
	if (r2) {
		l.doc = &doc2;
		fail(&l, r2, "a case file holds one YAML document, this is a second one");
		goto out;
	}
	rc = 0;
out:
	if (have_doc2)
		yaml_document_delete(&doc2);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0)
		tc_case_free(out);
	return rc;
}

int tc_case_load(const char *path, struct tc_case *out, char *err, size_t cap)
{
	FILE *f;
	char *buf = NULL;
	size_t n = 0, room = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "rb");
	if (!f) {
		if (err && cap)
			snprintf(err, cap, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == room) {
			if (room >= MAX_FILE_BYTES) {
				if (err && cap)
					snprintf(err, cap, "%s: file too large (more than %u bytes)", path,
						 MAX_FILE_BYTES);
				goto out;
			}
			room = room ? room * 2 : 4096;
			char *nb = realloc(buf, room + 1);
			if (!nb) {
				if (err && cap)
					snprintf(err, cap, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, room - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				if (err && cap)
					snprintf(err, cap, "%s: cannot read: %s", path, strerror(errno));
				goto out;
			}
			break;
		}
	}
	rc = tc_case_load_buf(path, buf, n, out, err, cap);
out:
	free(buf);
	fclose(f);
	return rc;
}

static void free_strs(char **a, int n)
{
	for (int i = 0; a && i < n; i++)
		free(a[i]);
	free(a);
}

void tc_case_free(struct tc_case *c)
{
	if (!c)
		return;
	free(c->file);
	free(c->id);
	free(c->title);
	free_strs(c->refs, c->nrefs);
	free_strs(c->tags, c->ntags);
	free_strs(c->only, c->nonly);
	free_strs(c->except, c->nexcept);
	for (int i = 0; c->sysctls && i < c->nsysctls; i++) {
		free(c->sysctls[i].key);
		free(c->sysctls[i].value);
	}
	free(c->sysctls);
	free(c->ignore_flags);
	for (int i = 0; c->steps && i < c->nsteps; i++) {
		free(c->steps[i].seg.bytes);
		free(c->steps[i].app.data);
		free(c->steps[i].app.exp_data);
	}
	free(c->steps);
	memset(c, 0, sizeof(*c));
}

