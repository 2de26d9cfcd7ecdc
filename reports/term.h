/*
 * term.h - the terminal report: one line per case and family as results arrive, the failure
 * details under a failing (or warning) line, and a closing summary line.
 */
#ifndef TC_TERM_H
#define TC_TERM_H

#include <stdio.h>

#include "../common/result.h"

struct tc_baseline; /* baseline.h */

struct tc_counts {
	int passed, failed, errors, skipped;
	int warned;       /* warn: departures from SHOULD-level requirements only */
	int known;        /* failures a baseline lists (not counted in failed); -1: no baseline */
};

void tc_counts_add(struct tc_counts *k, const struct tc_result *r);

/* Prints r to out; with verbose, also its trace. */
void tc_term_result(FILE *out, const struct tc_result *r, int verbose);
/* The same with the verdict tag replaced (e.g. "KNOWN" for a known deviation), if tag is set. */
void tc_term_result_as(FILE *out, const struct tc_result *r, int verbose, const char *tag);
/*
 * The same again, and with a baseline (bl non-NULL) that lists failures of this case, each
 * failure line ends in "[in the baseline]" or "[new: not in the baseline]" (baseline.h,
 * tc_baseline_failure_mark; strict as for the run).
 */
void tc_term_result_bl(FILE *out, const struct tc_result *r, int verbose, const char *tag,
		       const struct tc_baseline *bl, int strict);

/*
 * The last line: "N passed, N failed, N skipped, N errors, N warnings", plus
 * ", N known deviations" when a baseline was applied (known >= 0; failed then counts only the
 * new failures). Its first two fields keep the "N passed, N failed" shape CI scrapers read.
 */
void tc_term_summary(FILE *out, const struct tc_counts *k, double seconds);

#endif
