/*
 * test_profile.c - the profile loader (runner/model/profile.h, docs/model.md "Profiles"): where
 * a profile is found, that suites/profiles/rfc9293.yaml says what the built-in defaults say, and
 * each error with its exact file:line:column message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runner/model/model.h"
#include "../../runner/model/profile.h"

static int load(const char *text, struct tc_knobs *k, char *err, size_t cap)
{
	err[0] = '\0';
	return tc_profile_load_buf("t.yaml", text, strlen(text), k, err, cap);
}

/* Each wrong profile is rejected with the position of the offending node. */
static void test_errors_exact(void **u)
{
	(void)u;
	struct tc_knobs k;
	char err[256];
	const char *bad[][2] = {
		{"syn_opts: mss\n", "t.yaml:1:11: syn_opts: expected a list of option names: 'mss'"},
		{"rfc1337: &a true\npaws: *a\n", "t.yaml:2:7: aliases are not allowed in a profile"},
		{"paws: true\nrto_min: 5 parsecs\n",
		 "t.yaml:2:10: rto_min: expected a duration such as 200ms or 60s: '5 parsecs'"},
		{"keepalive_cnt: 1x\n", "t.yaml:1:16: keepalive_cnt: expected a non-negative integer: '1x'"},
		{"time_wait_us: 1s\n", "t.yaml:1:1: unknown knob: 'time_wait_us'"},
		{"syn_opts: [mss, [ts]]\n", "t.yaml:1:17: a list is not allowed here (knob 'syn_opts')"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(bad[i][0], &k, err, sizeof(err)), -1);
		if (strcmp(err, bad[i][1]) != 0)
			print_message("got: %s\n", err);
		assert_string_equal(err, bad[i][1]);
	}
}

/* Profiles start from the rfc9293 values; a duration knob drops its _us suffix; an empty
 * option list (an empty value) clears it; "0" is a zero duration (no timeout). */
static void test_values(void **u)
{
	(void)u;
	struct tc_knobs k, d;
	char err[256];
	assert_int_equal(load("syn_opts:\nfin_wait_2: 0\ntime_wait: 60s\nnagle_fin_push: on\n", &k,
			      err, sizeof(err)), 0);
	tc_knobs_rfc9293(&d);
	assert_int_equal(k.syn_opts, 0);
	assert_int_equal(k.fin_wait_2_us, 0);
	assert_int_equal(k.time_wait_us, 60000000);
	assert_int_equal(k.nagle_fin_push, 1);
	assert_int_equal(k.rto_min_us, d.rto_min_us);
	assert_string_equal(k.name, "t");
}

/* suites/profiles/rfc9293.yaml is the standard read strictly, exactly as the built-in defaults
 * (used when no profile directory is found) are. */
static void test_rfc9293_file_matches_builtin(void **u)
{
	(void)u;
	struct tc_knobs f, d;
	char err[256];
	memset(&f, 0, sizeof(f));
	assert_int_equal(tc_profile_load_file("suites/profiles/rfc9293.yaml", &f, err, sizeof(err)), 0);
	tc_knobs_rfc9293(&d);
	assert_string_equal(f.name, "rfc9293");
	assert_memory_equal(&f, &d, sizeof(f));
}

/* Where a profile comes from: a path ending in .yaml; a name in $TCPCONFORM_PROFILES, then
 * suites/profiles, then next to the executable; rfc9293 is built in when no file is found; a
 * file over 64 KiB is refused. */
static void test_lookup(void **u)
{
	(void)u;
	struct tc_knobs k;
	char err[512], dir[] = "/tmp/tc-profile-XXXXXX", path[PATH_MAX], cwd[PATH_MAX];
	assert_int_equal(tc_profile_load("suites/profiles/linux.yaml", &k, err, sizeof(err)), 0);
	assert_string_equal(k.name, "linux");
	assert_int_equal(k.rto_min_us, 200000);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mine.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("rto_min: 300ms\n", f);
	fclose(f);
	assert_int_equal(setenv("TCPCONFORM_PROFILES", dir, 1), 0);
	assert_int_equal(tc_profile_load("mine", &k, err, sizeof(err)), 0);
	assert_string_equal(k.name, "mine");
	assert_int_equal(k.rto_min_us, 300000);
	unsetenv("TCPCONFORM_PROFILES");

	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 70000 / 10; i++)
		fputs("# padding\n", f);
	fclose(f);
	assert_int_equal(tc_profile_load_file(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "big.yaml: a profile is at most 64 KiB"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/mine.yaml", dir);
	unlink(path);
	rmdir(dir);

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	int rc1 = tc_profile_load("rfc9293", &k, err, sizeof(err));
	int rc2 = tc_profile_load("linux", &k, err, sizeof(err));
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc1, 0);
	assert_int_equal(rc2, -1);
	assert_string_equal(err, "unknown profile 'linux' (no linux.yaml in $TCPCONFORM_PROFILES or "
				 "suites/profiles)");
	assert_int_equal(tc_profile_load("Linux", &k, err, sizeof(err)), -1);
	assert_string_equal(err, "profile name 'Linux': use lower-case letters, digits, - and _");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_exact),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_rfc9293_file_matches_builtin),
		cmocka_unit_test(test_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
