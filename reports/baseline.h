/*
 * baseline.h - known deviations (`--baseline FILE`, one file per target).
 *
 * A stack under test may deviate from an RFC knowingly; CI should then fail only on what is
 * new. The file is YAML:
 *
 *   target: linux                # the target it belongs to (checked against the run)
 *   deviations:
 *     - id: reset.challenge-ack.rate-limited   # case id (required)
 *       family: ipv4             # ipv4 or ipv6; absent: both
 *       reason: "rate limit shared across sockets"
 *       rfc: "RFC5961-4.2"
 *
 * A failing result that a deviation lists is a known deviation (TC_BL_KNOWN: shown, does not
 * fail the run); a passing one is fixed (TC_BL_FIXED: reported, does not fail the run either).
 * Errors always count: a baseline excuses a stack's behaviour, never a broken harness or case.
 * Exit code 1 is for new failures and errors only.
 */
#ifndef TC_BASELINE_H
#define TC_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "../runner/result.h"

struct tc_deviation {
	char id[128];
	char family[8];         /* "" = both families */
	char reason[512];
	char rfc[128];
	int line;               /* where it was in the file (0 when added by an update) */
};

struct tc_baseline {
	char target[64];
	struct tc_deviation *d;
	int n, cap;
};

/* Parses a baseline. Errors quote "FILE:LINE:COL: what". Returns 0 or -1. */
int tc_baseline_load_buf(const char *name, const char *buf, size_t len, struct tc_baseline *b,
			 char *err, size_t cap);
/* Reads a file; with missing_ok, a file that does not exist is an empty baseline. */
int tc_baseline_load(const char *path, int missing_ok, struct tc_baseline *b, char *err,
		     size_t cap);
void tc_baseline_free(struct tc_baseline *b);

/* Checks that the baseline belongs to target (or names none). Returns 0 or -1 with err. */
int tc_baseline_check_target(const struct tc_baseline *b, const char *target, char *err,
			     size_t cap);

struct tc_bl_counts {
	int new_failures;   /* fails the baseline does not list */
	int errors;         /* errors, listed or not */
	int known;          /* listed fails */
	int fixed;          /* listed passes */
};

/* The deviation that covers a result (same id; same family or none given), or NULL. */
const struct tc_deviation *tc_baseline_find(const struct tc_baseline *b, const struct tc_result *r);

/* Marks each result (marks[i] = enum tc_bl_mark, see report.h) and counts the outcome. b may be
 * NULL (no baseline: every failure is new). */
void tc_baseline_apply(const struct tc_baseline *b, const struct tc_result *rs, int n,
		       unsigned char *marks, struct tc_bl_counts *k);

/* The run's exit status by these counts: 1 for new failures or errors, else 0. */
int tc_baseline_exit(const struct tc_bl_counts *k);

/*
 * Rewrites b from this run (`--update-baseline`): failures become deviations (keeping an
 * existing entry's reason and rfc), deviations whose cases now pass are dropped, and deviations
 * for cases this run did not run (another shard, a filter) are kept. Returns 0 or -1.
 */
int tc_baseline_update(struct tc_baseline *b, const struct tc_result *rs, int n, const char *target);

/* Writes the YAML form; tc_baseline_write_file writes atomically. */
void tc_baseline_write(FILE *out, const struct tc_baseline *b);
int tc_baseline_write_file(const char *path, const struct tc_baseline *b, char *err, size_t cap);

#endif
