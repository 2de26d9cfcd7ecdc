/*
 * compare.h - `tcpconform report compare A.json B.json ...`: a matrix of cases (rows: id and
 * family) by run (columns: usually one per target, e.g. Linux against a user-space stack), the
 * rows whose verdicts differ first. As text for the terminal and as a self-contained HTML page.
 */
#ifndef TC_COMPARE_H
#define TC_COMPARE_H

#include <stdio.h>

#include "load.h"

struct tc_compare {
	const struct tc_loaded *runs;
	int nruns;
	const char *const *labels;  /* column heading per run */
};

/* Rows of the matrix, differences first; returns the number of differing rows. */
int tc_compare_text(FILE *out, const struct tc_compare *c);
void tc_compare_html(FILE *out, const struct tc_compare *c);

#endif
