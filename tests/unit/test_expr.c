/*
 * test_expr.c - unit tests for case-number expressions (runner/expr.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../runner/expr.h"

/* Parses and evaluates text with the given names (or NULL); fails the test on any error. */
static int64_t ev(const char *text, const int64_t *names)
{
	struct tc_expr e;
	char err[200] = "";
	int off = -1;
	int64_t v = 0;
	if (tc_expr_parse(text, &e, err, sizeof(err), &off) != 0)
		fail_msg("parse '%s': %s", text, err);
	if (tc_expr_eval(&e, names, &v, err, sizeof(err)) != 0)
		fail_msg("eval '%s': %s", text, err);
	return v;
}

/* Asserts that parsing fails with exactly msg and offset. */
static void parse_fails(const char *text, const char *msg, int want_off)
{
	struct tc_expr e;
	char err[200] = "";
	int off = -1;
	assert_int_equal(tc_expr_parse(text, &e, err, sizeof(err), &off), -1);
	assert_string_equal(err, msg);
	assert_int_equal(off, want_off);
	assert_int_equal(e.n, 0);
}

/* Asserts that parsing succeeds and evaluation fails with exactly msg. */
static void eval_fails(const char *text, const int64_t *names, const char *msg)
{
	struct tc_expr e;
	char err[200] = "";
	int64_t v = 12345;
	assert_int_equal(tc_expr_parse(text, &e, err, sizeof(err), NULL), 0);
	assert_int_equal(tc_expr_eval(&e, names, &v, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
	assert_int_equal(v, 12345); /* out untouched on failure */
}

static void test_literals(void **state)
{
	(void)state;
	assert_int_equal(ev("0", NULL), 0);
	assert_int_equal(ev("42", NULL), 42);
	assert_int_equal(ev("0x10", NULL), 16);
	assert_int_equal(ev("0XfF", NULL), 255);
	assert_int_equal(ev("  7  ", NULL), 7);
	assert_int_equal(ev("4294967295", NULL), 4294967295LL);
	assert_int_equal(ev("9223372036854775807", NULL), INT64_MAX);
	struct tc_expr e;
	assert_int_equal(tc_expr_parse("5", &e, NULL, 0, NULL), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.uses_names, 0);
}

static void test_precedence(void **state)
{
	(void)state;
	assert_int_equal(ev("1 + 2 * 3", NULL), 7);
	assert_int_equal(ev("2 * 3 + 1", NULL), 7);
	assert_int_equal(ev("10 - 4 - 3", NULL), 3);    /* left-associative */
	assert_int_equal(ev("100 / 10 / 5", NULL), 2);  /* left-associative */
	assert_int_equal(ev("8 - 6 / 2", NULL), 5);
	assert_int_equal(ev("-2 * 3", NULL), -6);
	assert_int_equal(ev("2 * -3", NULL), -6);
	assert_int_equal(ev("- -5", NULL), 5);
	assert_int_equal(ev("1 - -1", NULL), 2);
	assert_int_equal(ev("7 / 2", NULL), 3);
	assert_int_equal(ev("-7 / 2", NULL), -3);       /* truncates toward zero, as C does */
}

static void test_parentheses(void **state)
{
	(void)state;
	assert_int_equal(ev("(1 + 2) * 3", NULL), 9);
	assert_int_equal(ev("2 * (3 + 4) - 1", NULL), 13);
	assert_int_equal(ev("((((1))))", NULL), 1);
	assert_int_equal(ev("-(2 + 3)", NULL), -5);
	assert_int_equal(ev("(10 - (4 - 3))", NULL), 9);
	/* Postfix form of (1+2)*3 is 1 2 + 3 * */
	struct tc_expr e;
	assert_int_equal(tc_expr_parse("(1+2)*3", &e, NULL, 0, NULL), 0);
	assert_int_equal(e.n, 5);
	assert_int_equal(e.it[2].tok, TC_EX_ADD);
	assert_int_equal(e.it[4].tok, TC_EX_MUL);
}

static void test_names(void **state)
{
	(void)state;
	int64_t names[TC_NAME_COUNT] = {[TC_NAME_RCV_NXT] = 1000, [TC_NAME_RCV_WND] = 500,
					[TC_NAME_SND_NXT] = 77, [TC_NAME_SND_UNA] = 70};
	assert_int_equal(ev("rcv_nxt + rcv_wnd - 1", names), 1499);
	assert_int_equal(ev("snd_nxt - snd_una", names), 7);
	assert_int_equal(ev("rcv_nxt+rcv_wnd/2", names), 1250);
	struct tc_expr e;
	assert_int_equal(tc_expr_parse("rcv_nxt + 1", &e, NULL, 0, NULL), 0);
	assert_int_equal(e.uses_names, 1);
	assert_int_equal(tc_expr_parse("1 + 1", &e, NULL, 0, NULL), 0);
	assert_int_equal(e.uses_names, 0);
}

static void test_names_without_values(void **state)
{
	(void)state;
	eval_fails("rcv_nxt + 1", NULL, "'rcv_nxt' has no value here (names need the reference model's view)");
	eval_fails("1 + snd_una", NULL, "'snd_una' has no value here (names need the reference model's view)");
}

static void test_division_by_zero(void **state)
{
	(void)state;
	eval_fails("1 / 0", NULL, "division by zero");
	eval_fails("5 / (3 - 3)", NULL, "division by zero");
	int64_t names[TC_NAME_COUNT] = {0};
	eval_fails("10 / rcv_wnd", names, "division by zero");
}

static void test_overflow(void **state)
{
	(void)state;
	const char *msg = "arithmetic overflow (expressions use signed 64-bit integers)";
	eval_fails("9223372036854775807 + 1", NULL, msg);
	eval_fails("-9223372036854775807 - 2", NULL, msg);
	eval_fails("4294967296 * 4294967296", NULL, msg);
	eval_fails("(-9223372036854775807 - 1) / -1", NULL, msg);
	eval_fails("-(-9223372036854775807 - 1)", NULL, msg);
	assert_int_equal(ev("-9223372036854775807 - 1", NULL), INT64_MIN);
	parse_fails("9223372036854775808", "bad number '9223372036854775808' at offset 0", 0);
	parse_fails("0x10000000000000000", "bad number '0x10000000000000000' at offset 0", 0);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	parse_fails("", "empty expression at offset 0", 0);
	parse_fails("   ", "empty expression at offset 3", 3);
	parse_fails("1 +", "expression ends where a number or name is expected at offset 3", 3);
	parse_fails("rcv_nxt + foo", "unknown name 'foo' at offset 10 (names: rcv_nxt, rcv_wnd, snd_nxt, snd_una)", 10);
	parse_fails("rcv_nxtx", "unknown name 'rcv_nxtx' at offset 0 (names: rcv_nxt, rcv_wnd, snd_nxt, snd_una)", 0);
	parse_fails("1 2", "expected an operator or ')' but found '2' at offset 2", 2);
	parse_fails("1 * * 2", "expected a number, a name or '(' but found '*' at offset 4", 4);
	parse_fails("+1", "expected a number, a name or '(' but found '+' at offset 0", 0);
	parse_fails("(1 + 2", "unclosed '(' at offset 0", 0);
	parse_fails("1 + 2)", "unbalanced ')' at offset 5", 5);
	parse_fails("()", "expected a number, a name or '(' but found ')' at offset 1", 1);
	parse_fails("12ab", "bad number '12ab' at offset 0", 0);
	parse_fails("0x", "bad number '0x' at offset 0", 0);
	parse_fails("0xfg", "bad number '0xfg' at offset 0", 0);
	parse_fails("1 % 2", "expected an operator or ')' but found '%' at offset 2", 2);
	parse_fails("1 + $", "expected a number, a name or '(' but found '$' at offset 4", 4);
}

static void test_too_long(void **state)
{
	(void)state;
	/* 16 ones and 15 pluses: 31 postfix items fit; 17 ones (33 items) do not. */
	char buf[200] = "1";
	for (int i = 0; i < 15; i++)
		strcat(buf, "+1");
	assert_int_equal(ev(buf, NULL), 16);
	strcat(buf, "+1");
	struct tc_expr e;
	char err[200];
	int off = -1;
	assert_int_equal(tc_expr_parse(buf, &e, err, sizeof(err), &off), -1);
	assert_non_null(strstr(err, "expression too long"));
	/* Deep nesting is bounded too, without overflowing the operator stack. */
	char deep[200];
	memset(deep, '(', 100);
	deep[100] = '\0';
	assert_int_equal(tc_expr_parse(deep, &e, err, sizeof(err), &off), -1);
	assert_string_equal(err, "expression too deeply nested at offset 64");
}

static void test_lit_and_malformed_eval(void **state)
{
	(void)state;
	struct tc_expr e;
	int64_t v = 0;
	char err[100];
	tc_expr_lit(&e, -42);
	assert_int_equal(tc_expr_eval(&e, NULL, &v, err, sizeof(err)), 0);
	assert_int_equal(v, -42);
	/* A hand-built postfix form that is not well formed is refused, not trusted. */
	memset(&e, 0, sizeof(e));
	e.n = 1;
	e.it[0].tok = TC_EX_ADD;
	assert_int_equal(tc_expr_eval(&e, NULL, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "malformed expression");
	memset(&e, 0, sizeof(e));
	assert_int_equal(tc_expr_eval(&e, NULL, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "empty expression");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_parentheses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_without_values),
		cmocka_unit_test(test_division_by_zero),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_lit_and_malformed_eval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
