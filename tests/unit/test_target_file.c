/*
 * test_target_file.c - `sysctl_map:` in target files (runner/targets/file.h, docs/targets.md):
 * parsing, errors quoting file:line:column, and the decision a tap target takes for each of a
 * case's sysctls (run, set through the harness, or skip with the reason).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runner/targets/file.h"

static char path[64];

static const char *write_tmp(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/tc-tf-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#define HEAD "target: tap\nname: st\nharness: [x]\n"

static void test_map_parsed(void **st)
{
	(void)st;
	struct tc_target_file tf;
	char err[512];
	const char *p = write_tmp(HEAD "sysctl_map:\n"
				  "  net.ipv4.tcp_rfc1337: {fixed: 1}\n"
				  "  net.ipv4.tcp_retries2:\n"
				  "    key: st.max_rtx\n"
				  "profile: lwip\n");
	int r = tc_target_file_load(p, &tf, err, sizeof(err));
	unlink(p);
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(tf.nsmap, 2);
	assert_string_equal(tf.smap[0].name, "net.ipv4.tcp_rfc1337");
	assert_int_equal(tf.smap[0].kind, TC_TF_MAP_FIXED);
	assert_string_equal(tf.smap[0].value, "1");
	assert_int_equal(tf.smap[0].line, 5);
	assert_string_equal(tf.smap[1].name, "net.ipv4.tcp_retries2");
	assert_int_equal(tf.smap[1].kind, TC_TF_MAP_KEY);
	assert_string_equal(tf.smap[1].key, "st.max_rtx");
	/* Keys after the map are still read. */
	assert_string_equal(tf.profile, "lwip");
	tc_target_file_free(&tf);
}

static void check_bad(const char *text, const char *want)
{
	struct tc_target_file tf;
	char err[512] = "", full[600];
	const char *p = write_tmp(text);
	int r = tc_target_file_load(p, &tf, err, sizeof(err));
	unlink(p);
	snprintf(full, sizeof(full), "%s:%s", p, want);
	if (r != -1 || strstr(err, full) == NULL)
		fail_msg("r=%d err=\"%s\" (want -1 and \"%s\")", r, err, full);
}

static void test_map_errors(void **st)
{
	(void)st;
	check_bad(HEAD "sysctl_map: 1\n", "4:13: sysctl_map: give a mapping");
	check_bad(HEAD "sysctl_map:\n  net.ipv4.tcp_rfc1337: 1\n",
		  "5:25: sysctl_map: net.ipv4.tcp_rfc1337: give {fixed: VALUE} or {key: SETTING}");
	check_bad(HEAD "sysctl_map:\n  net..x: {fixed: 1}\n", "5:3: sysctl_map: 'net..x' is not a sysctl name");
	check_bad(HEAD "sysctl_map:\n  net.a: {fixed: 1, key: b}\n",
		  "5:26: sysctl_map: net.a: give exactly one of fixed: and key:");
	check_bad(HEAD "sysctl_map:\n  net.a: {}\n", "5:11: sysctl_map: net.a: give exactly one");
	check_bad(HEAD "sysctl_map:\n  net.a: {value: 1}\n", "5:11: sysctl_map: net.a: unknown field 'value'");
	check_bad(HEAD "sysctl_map:\n  net.a: {key: ../x}\n", "5:16: sysctl_map: net.a: key: '../x' is not");
	check_bad(HEAD "sysctl_map:\n  net.a: {fixed: [1]}\n", "5:18: sysctl_map: net.a: values are single words");
	check_bad(HEAD "sysctl_map:\n  net.a: {fixed: 1}\n  net.a: {fixed: 2}\n",
		  "6:3: sysctl_map: 'net.a' is mapped twice (first at line 5)");
}

static void test_skip_decision(void **st)
{
	(void)st;
	struct tc_target_file tf;
	char err[512], why[700];
	const char *k = "unset";
	const char *p = write_tmp(HEAD "sysctl_map: {net.ipv4.tcp_rfc1337: {fixed: 1},\n"
				  "  net.ipv4.tcp_rmem: {fixed: \"4096 131072 6291456\"},\n"
				  "  net.ipv4.tcp_retries2: {key: st.max_rtx}}\n");
	int r = tc_target_file_load(p, &tf, err, sizeof(err));
	unlink(p);
	if (r != 0)
		fail_msg("%s", err);
	/* The value the stack always has: run, nothing to set. */
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rfc1337", "1", &k, why, sizeof(why)),
			 TC_TF_SC_RUN);
	assert_null(k);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rfc1337", "01", &k, why, sizeof(why)),
			 TC_TF_SC_RUN);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rmem", "4096  131072\t6291456", &k,
					       why, sizeof(why)), TC_TF_SC_RUN);
	/* Another value: skipped, and the reason says what the stack always does. */
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rfc1337", "0", &k, why, sizeof(why)),
			 TC_TF_SC_SKIP);
	assert_non_null(strstr(why, "sysctl net.ipv4.tcp_rfc1337: st always behaves as with 1, the "
				    "case needs 0"));
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rmem", "4096 131072", &k, why,
					       sizeof(why)), TC_TF_SC_SKIP);
	/* A mapped setting goes to the harness under its own name. */
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_retries2", "2", &k, why, sizeof(why)),
			 TC_TF_SC_SET);
	assert_string_equal(k, "st.max_rtx");
	/* No mapping: never run silently with the stack's defaults. */
	char want[600];
	snprintf(want, sizeof(want), "sysctl net.ipv4.tcp_fin_timeout has no mapping in %s", p);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_fin_timeout", "2", &k, why,
					       sizeof(why)), TC_TF_SC_SKIP);
	assert_string_equal(why, want);
	tc_target_file_free(&tf);

	/* Without sysctl_map every sysctl skips. */
	p = write_tmp(HEAD);
	assert_int_equal(tc_target_file_load(p, &tf, err, sizeof(err)), 0);
	unlink(p);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rfc1337", "1", &k, why, sizeof(why)),
			 TC_TF_SC_SKIP);
	tc_target_file_free(&tf);
}

/* The shipped lwIP target file loads and maps only what lwIP really has. */
static void test_lwip_file(void **st)
{
	(void)st;
	struct tc_target_file tf;
	char err[512], why[700];
	const char *k;
	int r = tc_target_file_load("suites/targets/lwip.yaml", &tf, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rfc1337", "1", &k, why, sizeof(why)),
			 TC_TF_SC_RUN);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rfc1337", "0", &k, why, sizeof(why)),
			 TC_TF_SC_SKIP);
	assert_int_equal(tc_target_file_sysctl(&tf, "net.ipv4.tcp_rto_min_us", "1000000", &k, why,
					       sizeof(why)), TC_TF_SC_SKIP);
	assert_string_equal(why, "sysctl net.ipv4.tcp_rto_min_us has no mapping in "
				 "suites/targets/lwip.yaml");
	tc_target_file_free(&tf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_parsed),
		cmocka_unit_test(test_map_errors),
		cmocka_unit_test(test_skip_decision),
		cmocka_unit_test(test_lwip_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
