/*
 * html.h - the HTML report (`--html FILE`): one self-contained file (inline CSS, JavaScript and
 * SVG; nothing fetched, so it works from file:// with no network) for people to read.
 *
 * Contents: the run's facts (target, profile, tool version, date, duration, seed); totals by
 * verdict (warn with its own colour), by area and by requirement (the coverage view: each
 * requirement cited or named by a failure passes, fails, warns, is a known deviation or is
 * untested, with the MUST failures naming it apart from the SHOULD warnings); filters by verdict,
 * area and tag and a search box; then every case and family with its title, refs, tags and
 * verdict, the failure explained field by field (who judged it, its level and requirement, the
 * model's rule when there is one, and whether a baseline lists it), a link to its pcap, and a ladder diagram in SVG: injector and target as
 * two lanes, time flowing down, each segment an arrow labelled tcpdump-style; missing segments
 * dashed, unexpected and mismatching ones in red, states and app calls marked on the target's
 * side.
 *
 * Stable hooks for tests and tools: every case is a <details class="case" id="case-N"> with
 * data-v (display verdict), data-area, data-tags; every ladder is <svg class="ladder">; the
 * filters are #f-verdict input[type=checkbox], #f-area, #f-tag and #f-search. When the script has
 * run without error, <body> gets data-js="ok".
 */
#ifndef TC_HTML_H
#define TC_HTML_H

#include <stdio.h>

#include "report.h"

void tc_html_write(FILE *out, const struct tc_report *rep);

/* The ladder diagram of one result as an inline <svg> (used by the HTML report). */
void tc_html_ladder(FILE *out, const struct tc_result *r, const char *target_name);

/* Shared pieces of the report's page, also used by the comparison page (compare.h). */
void tc_html_head(FILE *out, const char *title);
void tc_html_foot(FILE *out);

#endif
