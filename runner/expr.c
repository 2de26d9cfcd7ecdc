/*
 * expr.c - arithmetic expressions in case numbers (see expr.h and case-format.md "Numbers and
 * time").
 *
 * The text is turned into postfix form once, at load time, with Dijkstra's shunting-yard
 * algorithm, so a syntax error is reported while the case is loaded (with the offset of the bad
 * token) and evaluation at run time is a simple stack walk. Evaluation is on int64_t; an
 * overflow is reported as an error instead of wrapping, because signed overflow in C is undefined
 * and a silently wrapped sequence number would make a case test something other than what its
 * author wrote.
 */
#include "expr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const name_text[TC_NAME_COUNT] = {
	[TC_NAME_RCV_NXT] = "rcv_nxt",
	[TC_NAME_RCV_WND] = "rcv_wnd",
	[TC_NAME_SND_NXT] = "snd_nxt",
	[TC_NAME_SND_UNA] = "snd_una",
};

/* Operator-stack entries: the binary and unary operators plus an open parenthesis. */
#define OP_LPAREN 100

static int prec(int tok)
{
	switch (tok) {
	case TC_EX_ADD:
	case TC_EX_SUB:
		return 1;
	case TC_EX_MUL:
	case TC_EX_DIV:
		return 2;
	case TC_EX_NEG:
		return 3;
	default:
		return 0;
	}
}

static void set_err(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	if (!err || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

/* Length of the token starting at s, used to quote it in messages (at least one character). */
static int tok_len(const char *s)
{
	int n = 0;
	if (isalnum((unsigned char)s[0]) || s[0] == '_') {
		while (n < 40 && (isalnum((unsigned char)s[n]) || s[n] == '_'))
			n++;
		return n;
	}
	return 1;
}

static int push_out(struct tc_expr *e, int tok, int64_t v, char *err, size_t cap, int off, int *bad_off)
{
	if (e->n >= TC_EXPR_MAX) {
		set_err(err, cap, "expression too long (at most %d numbers and operators) at offset %d",
			TC_EXPR_MAX, off);
		*bad_off = off;
		return -1;
	}
	e->it[e->n].tok = tok;
	e->it[e->n].v = v;
	e->n++;
	return 0;
}

/* Parses a literal at s (decimal or 0x hex). Returns its length, or -1 if malformed/too big. */
static int parse_lit(const char *s, int64_t *out)
{
	uint64_t v = 0;
	int i = 0, base = 10, digits = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (;; i++) {
		int d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	/* "0x" alone, or digits running into letters ("12ab", "0x1g"), is not a number. */
	if (digits == 0 || isalnum((unsigned char)s[i]) || s[i] == '_')
		return -1;
	*out = (int64_t)v;
	return i;
}

int tc_expr_parse(const char *text, struct tc_expr *e, char *err, size_t cap, int *bad_off)
{
	int ops[TC_EXPR_MAX * 2], op_off[TC_EXPR_MAX * 2];
	int nops = 0;
	int want_operand = 1;
	int dummy;
	size_t i = 0;

	if (!bad_off)
		bad_off = &dummy;
	*bad_off = 0;
	memset(e, 0, sizeof(*e));
	if (!text) {
		set_err(err, cap, "empty expression at offset 0");
		return -1;
	}
	while (text[i]) {
		char c = text[i];
		int off = (int)i;
		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		if (want_operand) {
			if (isdigit((unsigned char)c)) {
				int64_t v;
				int n = parse_lit(text + i, &v);
				if (n < 0) {
					set_err(err, cap, "bad number '%.*s' at offset %d",
						tok_len(text + i), text + i, off);
					goto fail;
				}
				if (push_out(e, TC_EX_LIT, v, err, cap, off, bad_off) < 0)
					goto fail_set;
				i += (size_t)n;
				want_operand = 0;
			} else if (isalpha((unsigned char)c) || c == '_') {
				int n = tok_len(text + i), k;
				for (k = 0; k < TC_NAME_COUNT; k++)
					if ((int)strlen(name_text[k]) == n &&
					    strncmp(text + i, name_text[k], (size_t)n) == 0)
						break;
				if (k == TC_NAME_COUNT || isalnum((unsigned char)text[i + (size_t)n]) ||
				    text[i + (size_t)n] == '_') {
					set_err(err, cap,
						"unknown name '%.*s' at offset %d (names: rcv_nxt, rcv_wnd, "
						"snd_nxt, snd_una)", n, text + i, off);
					goto fail;
				}
				if (push_out(e, TC_EX_NAME, k, err, cap, off, bad_off) < 0)
					goto fail_set;
				e->uses_names = 1;
				i += (size_t)n;
				want_operand = 0;
			} else if (c == '(' || c == '-') {
				if (nops >= (int)(sizeof(ops) / sizeof(ops[0]))) {
					set_err(err, cap, "expression too deeply nested at offset %d", off);
					goto fail;
				}
				/* A minus where an operand is due is unary: it binds tighter than any
				 * binary operator and is right-associative, so it is pushed without
				 * popping anything. */
				ops[nops] = c == '(' ? OP_LPAREN : TC_EX_NEG;
				op_off[nops++] = off;
				i++;
			} else {
				set_err(err, cap, "expected a number, a name or '(' but found '%.*s' at offset %d",
					tok_len(text + i), text + i, off);
				goto fail;
			}
			continue;
		}
		/* An operand has just been read: a binary operator or ')' must follow. */
		if (c == '+' || c == '-' || c == '*' || c == '/') {
			int tok = c == '+' ? TC_EX_ADD : c == '-' ? TC_EX_SUB : c == '*' ? TC_EX_MUL : TC_EX_DIV;
			/* All binary operators are left-associative: pop everything of equal or higher
			 * precedence before pushing. */
			while (nops > 0 && ops[nops - 1] != OP_LPAREN && prec(ops[nops - 1]) >= prec(tok)) {
				nops--;
				if (push_out(e, ops[nops], 0, err, cap, op_off[nops], bad_off) < 0)
					goto fail_set;
			}
			if (nops >= (int)(sizeof(ops) / sizeof(ops[0]))) {
				set_err(err, cap, "expression too deeply nested at offset %d", off);
				goto fail;
			}
			ops[nops] = tok;
			op_off[nops++] = off;
			want_operand = 1;
			i++;
		} else if (c == ')') {
			while (nops > 0 && ops[nops - 1] != OP_LPAREN) {
				nops--;
				if (push_out(e, ops[nops], 0, err, cap, op_off[nops], bad_off) < 0)
					goto fail_set;
			}
			if (nops == 0) {
				set_err(err, cap, "unbalanced ')' at offset %d", off);
				goto fail;
			}
			nops--; /* drop the '(' */
			i++;
		} else {
			set_err(err, cap, "expected an operator or ')' but found '%.*s' at offset %d",
				tok_len(text + i), text + i, off);
			goto fail;
		}
		continue;
fail:
		*bad_off = off;
		goto fail_set;
	}
	if (want_operand) {
		if (e->n == 0 && nops == 0)
			set_err(err, cap, "empty expression at offset %d", (int)i);
		else
			set_err(err, cap, "expression ends where a number or name is expected at offset %d",
				(int)i);
		*bad_off = (int)i;
		goto fail_set;
	}
	while (nops > 0) {
		nops--;
		if (ops[nops] == OP_LPAREN) {
			set_err(err, cap, "unclosed '(' at offset %d", op_off[nops]);
			*bad_off = op_off[nops];
			goto fail_set;
		}
		if (push_out(e, ops[nops], 0, err, cap, op_off[nops], bad_off) < 0)
			goto fail_set;
	}
	return 0;
fail_set:
	memset(e, 0, sizeof(*e));
	return -1;
}

int tc_expr_eval(const struct tc_expr *e, const int64_t *names, int64_t *out, char *err, size_t cap)
{
	int64_t st[TC_EXPR_MAX];
	int sp = 0;

	if (!e || e->n <= 0 || e->n > TC_EXPR_MAX) {
		set_err(err, cap, "empty expression");
		return -1;
	}
	for (int i = 0; i < e->n; i++) {
		int tok = e->it[i].tok;
		int64_t a, b, r;
		switch (tok) {
		case TC_EX_LIT:
			st[sp++] = e->it[i].v;
			continue;
		case TC_EX_NAME:
			if (e->it[i].v < 0 || e->it[i].v >= TC_NAME_COUNT) {
				set_err(err, cap, "bad name index %lld", (long long)e->it[i].v);
				return -1;
			}
			if (!names) {
				set_err(err, cap, "'%s' has no value here (names need the reference model's view)",
					name_text[e->it[i].v]);
				return -1;
			}
			st[sp++] = names[e->it[i].v];
			continue;
		case TC_EX_NEG:
			/* Checked even though the parser never builds such a form, because a
			 * struct tc_expr can be filled by hand. */
			if (sp < 1)
				goto malformed;
			if (st[sp - 1] == INT64_MIN)
				goto overflow;
			st[sp - 1] = -st[sp - 1];
			continue;
		case TC_EX_ADD:
		case TC_EX_SUB:
		case TC_EX_MUL:
		case TC_EX_DIV:
			if (sp < 2)
				goto malformed;
			b = st[--sp];
			a = st[--sp];
			if (tok == TC_EX_ADD) {
				if (__builtin_add_overflow(a, b, &r))
					goto overflow;
			} else if (tok == TC_EX_SUB) {
				if (__builtin_sub_overflow(a, b, &r))
					goto overflow;
			} else if (tok == TC_EX_MUL) {
				if (__builtin_mul_overflow(a, b, &r))
					goto overflow;
			} else {
				if (b == 0) {
					set_err(err, cap, "division by zero");
					return -1;
				}
				if (a == INT64_MIN && b == -1)
					goto overflow;
				r = a / b; /* C division: truncates toward zero */
			}
			st[sp++] = r;
			continue;
		default:
			goto malformed;
		}
	}
	if (sp != 1)
		goto malformed;
	*out = st[0];
	return 0;
malformed:
	set_err(err, cap, "malformed expression");
	return -1;
overflow:
	set_err(err, cap, "arithmetic overflow (expressions use signed 64-bit integers)");
	return -1;
}

void tc_expr_lit(struct tc_expr *e, int64_t v)
{
	memset(e, 0, sizeof(*e));
	e->n = 1;
	e->it[0].tok = TC_EX_LIT;
	e->it[0].v = v;
}
