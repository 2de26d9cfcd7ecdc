/*
 * report.h - what every report writer (HTML, JUnit, TAP, comparison) shares: the run being
 * reported, its baseline marks, the case's area, ordering, and writing a report file safely.
 *
 * Writers take a struct tc_report and never change the results. Results are reported in a fixed
 * order (tc_report_sort: by id, then family), so an unsharded run and merged shards of the same
 * run give the same documents byte for byte apart from timings.
 */
#ifndef TC_REPORT_H
#define TC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/result.h"

/* How a baseline of known deviations (baseline.h) classed a result. */
enum tc_bl_mark {
	TC_BL_NONE = 0,  /* not listed: the verdict stands */
	TC_BL_KNOWN,     /* a listed failure: a known deviation, does not fail the run */
	TC_BL_FIXED,     /* listed, but it now passes: reported so the baseline gets updated */
	TC_BL_NEW,       /* listed, but one of its MUST failures is not: a new failure, fails */
};

struct tc_baseline; /* baseline.h */

struct tc_report {
	const struct tc_result *rs;
	int n;
	const unsigned char *marks; /* per result enum tc_bl_mark, or NULL (no baseline) */
	/* The baseline behind marks (or NULL), so a writer can say of each failure whether the
	 * baseline lists it or it is new (tc_baseline_failure_mark); strict as given to it. */
	const struct tc_baseline *baseline;
	int strict;                 /* --strict: warn results were turned into fails */
	const char *tool_version;
	const char *target;
	const char *profile;        /* or NULL */
	const char *date;           /* ISO 8601 UTC start of the run, or NULL */
	uint32_t seed;
	double seconds;
	const char *pcap_href;      /* folder of the pcaps relative to the report, or NULL */
	const char *title;          /* optional heading; NULL for the default */
};

/* A writer of one format, for tc_report_write_file. */
typedef void (*tc_report_writer)(FILE *out, const struct tc_report *rep);

/*
 * The display verdict used by every report: "pass", "fail", "error", "skip", "warn" (departs
 * only from SHOULD-level requirements; does not fail the run), "known" (a failure the baseline
 * lists) or "fixed" (a pass the baseline lists).
 */
const char *tc_report_verdict(const struct tc_report *rep, int i);

/*
 * `--strict`: every warn result becomes a fail (its failures keep their SHOULD level, so the
 * reports still say what was departed from). Returns how many results changed.
 */
int tc_report_strict(struct tc_result *rs, int n);

/*
 * Who judged a failure and what it enforces, as every writer shows it: "model, SHOULD
 * RFC6298-2.4", "case, MUST MUST-13", "both, MUST" (no requirement named). An empty judge is
 * "case" (older result files).
 */
void tc_failure_who(const struct tc_failure *f, char *buf, size_t cap);

/*
 * One failure as one line, the same in the terminal, JUnit and the baseline's messages:
 * "FILE:LINE: step 7 (model, SHOULD RFC6298-2.4): after: expected X, got Y", or
 * "FILE: after the last step (case, MUST): MESSAGE" for step 0. No newline. file may be "".
 */
void tc_failure_line(const char *file, const struct tc_failure *f, char *buf, size_t cap);

/* The case's area: its id up to the first dot ("reset.in-window" -> "reset"). */
void tc_result_area(const struct tc_result *r, char *buf, size_t cap);

/* Sorts results by id, then family (stable order for reports and merging). */
void tc_report_sort(struct tc_result *rs, int n);

/*
 * Writes the report to path with writer: "-" is stdout; otherwise a temporary file renamed into
 * place, so a failed run never leaves half a report. Returns 0 or -1 with a message in err.
 */
int tc_report_write_file(const char *path, tc_report_writer writer, const struct tc_report *rep,
			 char *err, size_t cap);
/* The same for any writer: fn(out, arg) writes the content. */
int tc_write_atomic(const char *path, void (*fn)(FILE *out, const void *arg), const void *arg,
		    char *err, size_t cap);

/*
 * The path of `target` relative to the folder that will hold the file `from_file`, for links
 * inside a report (both may be relative to the current directory). Returns 0 or -1.
 */
int tc_relpath(const char *from_file, const char *target, char *out, size_t cap);

/* The current time as ISO 8601 UTC ("2024-05-01T12:00:00Z"). */
void tc_report_now(char *buf, size_t cap);

/*
 * Length of the valid UTF-8 sequence starting at p (1 to 4 bytes; shortest form only, no
 * surrogates, at most U+10FFFF), or 0 when the bytes at p are not valid UTF-8.
 */
int tc_utf8_len(const unsigned char *p);

/*
 * Writes s as XML/HTML character data (attr 0) or attribute value (attr 1): & < > " ' escaped;
 * characters XML 1.0 forbids (controls other than tab, newline, return) and bytes that are not
 * UTF-8 are written as the visible text "\xNN", so any segment or message stays well-formed.
 */
void tc_xml_text(FILE *out, const char *s, int attr);

#endif
