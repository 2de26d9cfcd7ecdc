/*
 * coverage.h - which RFC 9293 requirements the suites test (issue 4's coverage table).
 *
 * Requirement ids and sentences come from a TSV file (id TAB sentence, with a header line; the
 * project keeps RFC 9293's in suites/requirements/). A YAML file maps the ids that cannot be
 * tested on the wire to the reason. A case covers an id when its `refs` cite it.
 */
#ifndef TC_COVERAGE_H
#define TC_COVERAGE_H

#include <stdio.h>

#include "sched.h"

struct tc_req {
	char id[16];            /* "MUST-13" */
	char *sentence;         /* owned */
	char *untestable;       /* the reason, or NULL (owned) */
	int *cases;             /* indexes into the case list (owned) */
	int ncases;
};

struct tc_coverage {
	struct tc_req *reqs;
	int n;
};

/*
 * tc_coverage_build - load the requirements (req_path) and the untestable list (untestable_path,
 * may be NULL) and match them against the cases. An id in the untestable list that is not a
 * requirement is an error (a typo must not hide a gap). Returns 0, or -1 with err (quoting
 * file:line:column for the YAML file).
 */
int tc_coverage_build(const char *req_path, const char *untestable_path,
		      const struct tc_caselist *cases, struct tc_coverage *out, char *err,
		      size_t cap);
void tc_coverage_free(struct tc_coverage *cv);

/* The level of an id: "MUST", "SHLD", "MAY", "REC" (the part before the dash). */
const char *tc_req_level(const char *id, char *buf, size_t cap);

/* Prints the table as text (one line per requirement) or as Markdown (docs/coverage.md). */
void tc_coverage_print(FILE *out, const struct tc_coverage *cv, const struct tc_caselist *cases,
		       int markdown);

/* The number of MUST requirements that are neither covered nor listed as untestable. */
int tc_coverage_uncovered_musts(const struct tc_coverage *cv);

/* The number of requirements listed as untestable that a case cites all the same: one of the
 * two is wrong (a stale entry, or a case claiming what it cannot show). */
int tc_coverage_contradictions(const struct tc_coverage *cv, FILE *report);

#endif
