/*
 * jsonread.c - the JSON reader (see jsonread.h). A recursive-descent parser over RFC 8259's
 * grammar, bounded in depth so a hostile file cannot exhaust the stack.
 */
#include "jsonread.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *end, *start;
	char *err;
	size_t cap;
	int failed;
};

/* Records the first error with its line and column (1-based, counted in bytes). */
static void fail(struct parser *ps, const char *what)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	int line = 1, col = 1;
	for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(ps->err, ps->cap, "line %d, column %d: %s", line, col, what);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

void tc_jv_free(struct tc_jv *v)
{
	if (!v)
		return;
	free(v->str);
	for (int i = 0; i < v->n; i++) {
		if (v->items)
			tc_jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

/* A growable byte buffer for decoding strings. */
struct buf {
	char *p;
	size_t n, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 32;
		while (nc < b->n + n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static int put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_put(b, u, n);
}

static int hex4(struct parser *ps, uint32_t *out)
{
	uint32_t v = 0;
	if (ps->end - ps->p < 4) {
		fail(ps, "truncated \\u escape");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		char c = ps->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
		else {
			fail(ps, "bad hex digit in \\u escape");
			return -1;
		}
	}
	ps->p += 4;
	*out = v;
	return 0;
}

/* Parses a string literal at ps->p (which is at the opening quote). */
static int parse_string(struct parser *ps, char **out, size_t *outlen)
{
	struct buf b = {0};
	ps->p++; /* the quote */
	if (buf_put(&b, "", 0) < 0)
		goto oom;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			fail(ps, "control character in a string (RFC 8259 section 7 requires an escape)");
			goto bad;
		}
		if (c != '\\') {
			const char *run = ps->p;
			while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
			       (unsigned char)*ps->p >= 0x20)
				ps->p++;
			if (buf_put(&b, run, (size_t)(ps->p - run)) < 0)
				goto oom;
			continue;
		}
		ps->p++;
		if (ps->p >= ps->end) {
			fail(ps, "unterminated escape");
			goto bad;
		}
		char e = *ps->p++;
		const char *lit = NULL;
		switch (e) {
		case '"': lit = "\""; break;
		case '\\': lit = "\\"; break;
		case '/': lit = "/"; break;
		case 'b': lit = "\b"; break;
		case 'f': lit = "\f"; break;
		case 'n': lit = "\n"; break;
		case 'r': lit = "\r"; break;
		case 't': lit = "\t"; break;
		case 'u': {
			uint32_t cp;
			if (hex4(ps, &cp) < 0)
				goto bad;
			/* A high surrogate followed by a low one is one code point; a lone
			 * surrogate cannot be UTF-8, so it becomes U+FFFD. */
			if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
			    ps->p[1] == 'u') {
				const char *save = ps->p;
				uint32_t lo;
				ps->p += 2;
				if (hex4(ps, &lo) < 0)
					goto bad;
				if (lo >= 0xDC00 && lo <= 0xDFFF)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				else {
					ps->p = save;
					cp = 0xFFFD;
				}
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD;
			}
			if (put_utf8(&b, cp) < 0)
				goto oom;
			continue;
		}
		default:
			ps->p--;
			fail(ps, "unknown escape in a string");
			goto bad;
		}
		if (buf_put(&b, lit, 1) < 0)
			goto oom;
	}
	if (ps->p >= ps->end) {
		fail(ps, "unterminated string");
		goto bad;
	}
	ps->p++; /* closing quote */
	*out = b.p;
	*outlen = b.n;
	return 0;
oom:
	fail(ps, "out of memory");
bad:
	free(b.p);
	return -1;
}

static int parse_number(struct parser *ps, struct tc_jv *v)
{
	const char *s = ps->p;
	const char *q = s;
	/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
	if (q < ps->end && *q == '-')
		q++;
	if (q < ps->end && *q == '0')
		q++;
	else if (q < ps->end && *q >= '1' && *q <= '9')
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	else
		goto bad;
	if (q < ps->end && *q == '.') {
		q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			goto bad;
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			goto bad;
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	char tmp[64];
	size_t n = (size_t)(q - s);
	if (n >= sizeof(tmp)) {
		fail(ps, "number too long");
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v->type = TC_J_NUM;
	v->num = strtod(tmp, NULL);
	ps->p = q;
	return 0;
bad:
	ps->p = q;
	fail(ps, "malformed number");
	return -1;
}

static int parse_value(struct parser *ps, struct tc_jv *v, int depth);

/* Appends a zeroed item to an array or object; returns it or NULL. */
static struct tc_jv *grow(struct parser *ps, struct tc_jv *v, int *cap, int with_keys)
{
	if (v->n == *cap) {
		int nc = *cap ? *cap * 2 : 8;
		struct tc_jv *ni = realloc(v->items, (size_t)nc * sizeof(*ni));
		if (!ni) {
			fail(ps, "out of memory");
			return NULL;
		}
		v->items = ni;
		if (with_keys) {
			char **nk = realloc(v->keys, (size_t)nc * sizeof(*nk));
			if (!nk) {
				fail(ps, "out of memory");
				return NULL;
			}
			v->keys = nk;
		}
		*cap = nc;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	if (with_keys)
		v->keys[v->n] = NULL;
	return &v->items[v->n++];
}

static int parse_container(struct parser *ps, struct tc_jv *v, int depth, int is_obj)
{
	int cap = 0;
	char close = is_obj ? '}' : ']';
	v->type = is_obj ? TC_J_OBJ : TC_J_ARR;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		char *key = NULL;
		size_t klen;
		if (is_obj) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a string key");
				return -1;
			}
			if (parse_string(ps, &key, &klen) < 0)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':' after a key");
				return -1;
			}
			ps->p++;
		}
		struct tc_jv *item = grow(ps, v, &cap, is_obj);
		if (!item) {
			free(key);
			return -1;
		}
		if (is_obj)
			v->keys[v->n - 1] = key;
		if (parse_value(ps, item, depth + 1) < 0)
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		fail(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return -1;
	}
}

static int literal(struct parser *ps, const char *word, struct tc_jv *v, enum tc_jtype t)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
		fail(ps, "unexpected character (expected a value)");
		return -1;
	}
	ps->p += n;
	v->type = t;
	return 0;
}

static int parse_value(struct parser *ps, struct tc_jv *v, int depth)
{
	if (depth > TC_JSON_MAX_DEPTH) {
		fail(ps, "nesting too deep");
		return -1;
	}
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end of input (expected a value)");
		return -1;
	}
	switch (*ps->p) {
	case '{': return parse_container(ps, v, depth, 1);
	case '[': return parse_container(ps, v, depth, 0);
	case '"':
		v->type = TC_J_STR;
		return parse_string(ps, &v->str, &v->len);
	case 't': return literal(ps, "true", v, TC_J_TRUE);
	case 'f': return literal(ps, "false", v, TC_J_FALSE);
	case 'n': return literal(ps, "null", v, TC_J_NULL);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, v);
		fail(ps, "unexpected character (expected a value)");
		return -1;
	}
}

int tc_json_parse(const char *buf, size_t len, struct tc_jv *out, char *err, size_t cap)
{
	struct parser ps = {buf, buf + len, buf, err, cap, 0};
	memset(out, 0, sizeof(*out));
	/* A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1 allows ignoring it). */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;
	if (parse_value(&ps, out, 0) < 0)
		goto bad;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters after the document");
		goto bad;
	}
	return 0;
bad:
	tc_jv_free(out);
	return -1;
}

const struct tc_jv *tc_jv_get(const struct tc_jv *v, const char *key)
{
	if (!v || v->type != TC_J_OBJ || !v->keys)
		return NULL;
	for (int i = 0; i < v->n; i++)
		if (v->keys[i] && strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const char *tc_jv_str(const struct tc_jv *v, const char *dflt)
{
	return v && v->type == TC_J_STR && v->str ? v->str : dflt;
}

double tc_jv_num(const struct tc_jv *v, double dflt)
{
	return v && v->type == TC_J_NUM ? v->num : dflt;
}
