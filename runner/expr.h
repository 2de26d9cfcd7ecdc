/*
 * expr.h - arithmetic expressions in case numbers (case-format.md "Numbers and time"):
 * literals (decimal or 0x hex), the names rcv_nxt rcv_wnd snd_nxt snd_una, + - * / and
 * parentheses. Parsed once at load time into postfix form; evaluated at run time with the
 * names supplied by the caller (the reference model's view of the target).
 */
#ifndef TC_EXPR_H
#define TC_EXPR_H

#include <stddef.h>
#include <stdint.h>

#define TC_EXPR_MAX 32

enum tc_expr_tok { TC_EX_LIT = 1, TC_EX_NAME, TC_EX_ADD, TC_EX_SUB, TC_EX_MUL, TC_EX_DIV, TC_EX_NEG };
enum tc_expr_name { TC_NAME_RCV_NXT = 0, TC_NAME_RCV_WND, TC_NAME_SND_NXT, TC_NAME_SND_UNA, TC_NAME_COUNT };

struct tc_expr {
	int n;                       /* number of postfix items; 0 = empty */
	struct { int tok; int64_t v; } it[TC_EXPR_MAX];
	int uses_names;              /* 1 if any TC_EX_NAME appears */
};

/*
 * tc_expr_parse - parse text into e. Returns 0, or -1 with a message in err naming what is wrong
 * and the offset (0-based) in *bad_off, so the loader can report line:column.
 */
int tc_expr_parse(const char *text, struct tc_expr *e, char *err, size_t cap, int *bad_off);
/*
 * tc_expr_eval - evaluate. names[] gives the value of each tc_expr_name, or NULL if no names are
 * available (then an expression with names fails). Arithmetic is on int64_t. Returns 0 or -1
 * (division by zero, missing names) with a message in err.
 */
int tc_expr_eval(const struct tc_expr *e, const int64_t *names, int64_t *out, char *err, size_t cap);
/* Convenience: a literal-only expression holding v. */
void tc_expr_lit(struct tc_expr *e, int64_t v);

#endif
