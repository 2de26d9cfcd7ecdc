/*
 * baseline.h - known deviations (`--baseline FILE`, one file per target).
 *
 * A stack under test may deviate from an RFC knowingly; CI should then fail only on what is
 * new. A baseline names deviations, not cases: each entry names a case and the failures of it
 * that it excuses, so a new failure in a listed case still fails the run. The file is YAML:
 *
 *   target: linux                # the target it belongs to (checked against the run)
 *   deviations:
 *     - id: reset.closing.rst-out-of-window.dropped   # case id (required)
 *       family: ipv4             # ipv4 or ipv6; absent: both
 *       failures:                # the failures it excuses, one signature each
 *         - {step: 9, field: after, judge: model, req: RFC6298-2.4}
 *       reason: "rate limit shared across sockets"
 *       rfc: "RFC5961-4.2"
 *
 * A signature matches a failure (struct tc_failure) when every key it gives is equal: step
 * (0 = after the last step), field, judge (case, model or both), req, rule. It must give step
 * and field together, or req, or rule; judge alone would excuse anything the judge says.
 *
 * Which failures need a signature: those that break a MUST (level TC_LVL_MUST). A result whose
 * failures are all SHOULD/MAY is `warn`, which never fails the run, so it needs no entry and a
 * baseline never changes it. With --strict (strict = 1) warn results are fails and every failure
 * needs a signature.
 *
 * A failing result is a known deviation (TC_BL_KNOWN: shown, does not fail the run) only when
 * every failure that needs a signature matches one of its entry's; otherwise it is new
 * (TC_BL_NEW when the case is listed, TC_BL_NONE when not) and fails the run, and
 * tc_baseline_failure_mark says which failure was new. A passing result whose case is listed is
 * fixed (TC_BL_FIXED); a signature that matches none of a failing or warning result's needed
 * failures is a fixed failure. Both are reported so the baseline can shrink, and neither fails
 * the run.
 *
 * The older form, an entry with no `failures:`, is still read: it excuses every failure of the
 * case, as it used to. tc_baseline_warn_legacy prints a warning naming file:line for each.
 *
 * Errors always count: a baseline excuses a stack's behaviour, never a broken harness or case.
 * Exit code 1 is for new failures and errors only.
 */
#ifndef TC_BASELINE_H
#define TC_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "../common/result.h"

#define TC_BL_MAX_SIGS 32       /* failures one entry may list */

/* One excused failure. Empty strings and step -1 mean "not given" (matches anything). */
struct tc_bl_sig {
	int step;               /* -1: any step; 0: after the last step */
	char field[32];
	char judge[8];          /* "", "case", "model" or "both" */
	char req[48];
	char rule[160];
	int line;               /* where it was in the file (0 when written by an update) */
};

struct tc_deviation {
	char id[128];
	char family[8];         /* "" = both families */
	char reason[512];
	char rfc[128];
	int line;               /* where it was in the file (0 when added by an update) */
	int nsigs;              /* 0: the older id-only form, excusing the whole case */
	struct tc_bl_sig sigs[TC_BL_MAX_SIGS];
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
/* Deep copy of src into dst (dst is overwritten). Returns 0 or -1 (out of memory). */
int tc_baseline_copy(struct tc_baseline *dst, const struct tc_baseline *src);

/* Prints "NAME:LINE: warning: ..." to out for every id-only entry; returns how many. */
int tc_baseline_warn_legacy(FILE *out, const char *name, const struct tc_baseline *b);

/* Checks that the baseline belongs to target (or names none). Returns 0 or -1 with err. */
int tc_baseline_check_target(const struct tc_baseline *b, const char *target, char *err,
			     size_t cap);

struct tc_bl_counts {
	int new_failures;   /* fails the baseline does not excuse (unlisted, or listed with a
			     * failure the entry does not name) */
	int errors;         /* errors, listed or not */
	int known;          /* fails whose every needed failure is listed */
	int fixed;          /* listed cases that pass (or only warn) now */
	int fixed_failures; /* listed failures that did not happen in a failing or warning case */
	int warnings;       /* warn results (never excused or failed by a baseline) */
};

/* The deviation that covers a result (same id; same family or none given), or NULL. */
const struct tc_deviation *tc_baseline_find(const struct tc_baseline *b, const struct tc_result *r);

/* Whether signature s names failure f. */
int tc_bl_sig_matches(const struct tc_bl_sig *s, const struct tc_failure *f);
/* Whether failure f needs a signature to be excused: MUST-level, or any level when strict. */
int tc_bl_needs_sig(const struct tc_failure *f, int strict);

/* How the baseline classes one result (enum tc_bl_mark). b may be NULL. */
int tc_baseline_classify(const struct tc_baseline *b, const struct tc_result *r, int strict);

/* Per failure: what a report says of failure j of r. */
enum tc_bl_fmark {
	TC_BLF_NONE = 0,    /* nothing to say: no baseline, the case is not listed (so every
			     * failure is new with it), the id-only form, or a SHOULD failure */
	TC_BLF_LISTED,      /* the case's entry names this failure */
	TC_BLF_NEW,         /* the case is listed, but not this failure: it fails the run */
};
int tc_baseline_failure_mark(const struct tc_baseline *b, const struct tc_result *r, int j,
			     int strict);
/* Whether signature k of d matches no failure of r that needs one (a fixed failure). */
int tc_bl_sig_stale(const struct tc_deviation *d, int k, const struct tc_result *r, int strict);

/* Marks each result (marks[i] = enum tc_bl_mark, see report.h) and counts the outcome. b may be
 * NULL (no baseline: every failure is new). */
void tc_baseline_apply(const struct tc_baseline *b, const struct tc_result *rs, int n, int strict,
		       unsigned char *marks, struct tc_bl_counts *k);

/* The run's exit status by these counts: 1 for new failures or errors, else 0. */
int tc_baseline_exit(const struct tc_bl_counts *k);

/* A signature in the file's own flow form: "{step: 9, field: after, judge: model, req: X}". */
void tc_bl_sig_str(const struct tc_bl_sig *s, char *buf, size_t cap);

/*
 * Rewrites b from this run (`--update-baseline`): for each case and family that failed, one
 * signature per failure that needs one (step, field, judge, and req when the failure names one;
 * none for SHOULD failures unless strict), keeping an existing entry's reason and rfc; entries of
 * cases that now pass or only warn are dropped; entries for cases this run did not run (another
 * shard, a filter), skipped or errored are kept as they were. Both families failing alike become
 * one entry without a family. Returns 0 or -1 (out of memory).
 */
int tc_baseline_update(struct tc_baseline *b, const struct tc_result *rs, int n, const char *target,
		       int strict);

/* Writes the YAML form; tc_baseline_write_file writes atomically. */
void tc_baseline_write(FILE *out, const struct tc_baseline *b);
int tc_baseline_write_file(const char *path, const struct tc_baseline *b, char *err, size_t cap);

#endif
