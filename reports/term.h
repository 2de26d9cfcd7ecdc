/*
 * term.h - the terminal report: one line per case and family as results arrive, the failure
 * details under a failing line, and a closing summary line.
 */
#ifndef TC_TERM_H
#define TC_TERM_H

#include <stdio.h>

#include "../runner/result.h"

struct tc_counts {
	int passed, failed, errors, skipped;
};

void tc_counts_add(struct tc_counts *k, const struct tc_result *r);

/* Prints r to out; with verbose, also its trace. */
void tc_term_result(FILE *out, const struct tc_result *r, int verbose);

/* The last line: "N passed, N failed, N skipped, N errors". */
void tc_term_summary(FILE *out, const struct tc_counts *k, double seconds);

#endif
