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

#include "../runner/result.h"

/* How a baseline of known deviations (baseline.h) classed a result. */
enum tc_bl_mark {
	TC_BL_NONE = 0,  /* not listed: the verdict stands */
	TC_BL_KNOWN,     /* a listed failure: a known deviation, does not fail the run */
	TC_BL_FIXED,     /* listed, but it now passes: reported so the baseline gets updated */
};

struct tc_report {
	const struct tc_result *rs;
	int n;
	const unsigned char *marks; /* per result enum tc_bl_mark, or NULL (no baseline) */
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
 * The display verdict used by every report: "pass", "fail", "error", "skip", "known" (a failure
 * the baseline lists) or "fixed" (a pass the baseline lists).
 */
const char *tc_report_verdict(const struct tc_report *rep, int i);

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
