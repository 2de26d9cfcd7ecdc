/*
 * progress.h - what a run prints while it runs.
 *
 * Live mode (stdout is a terminal, no --no-progress): one progress line at the bottom,
 * "[ 37/120] 30 pass  2 fail  0 error  5 skip  1 warn | 0:14 elapsed, ETA 0:31", redrawn in
 * place (carriage return and erase-line), with each failure, error or warning printed above it
 * as it happens.
 * Plain mode (a pipe, a CI log, --no-progress): one line per result, as tc_term_result prints
 * them, and no control characters at all.
 */
#ifndef TC_PROGRESS_H
#define TC_PROGRESS_H

#include <stdio.h>

#include "../common/result.h"
#include "term.h"

struct tc_progress {
	FILE *out;
	int live;           /* redraw a progress line (a terminal) */
	int verbose;        /* print every result with its trace */
	int width;          /* terminal columns; the line is cut to fit so it never wraps */
	int total;          /* results expected; 0 until known */
	int done;
	struct tc_counts k;
	double t0;          /* start time (seconds, any monotonic clock) */
	int shown;          /* the progress line is on screen */
	/* With a baseline: failure lines say whether the baseline lists them (term.h). */
	const struct tc_baseline *bl;
	int strict;
};

/* live: use the progress line; width: terminal columns (0: 80). */
void tc_progress_init(struct tc_progress *p, FILE *out, int live, int verbose, int width, double now);
void tc_progress_total(struct tc_progress *p, int total, double now);
/* Records a result and prints what the mode says. note (or NULL) is printed under a failure,
 * e.g. "known deviation (baseline)". */
void tc_progress_result(struct tc_progress *p, const struct tc_result *r, const char *note,
			double now);
/* Removes the progress line before the summary. */
void tc_progress_end(struct tc_progress *p);

/* Formats the progress line (without control characters) into buf, cut to width columns. */
void tc_progress_format(const struct tc_progress *p, double now, char *buf, size_t cap);

/* Terminal width of fd, or 0 if unknown. */
int tc_term_width(int fd);

#endif
