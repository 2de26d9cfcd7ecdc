/*
 * json.h - the JSON result file (`--json FILE`). Field names are a contract for later tools:
 * {"cases": [{"id", "family", "verdict", "duration_ms", "failures": [{"step", "line", "field",
 * "expected", "actual", "message", ...}], ...}], "summary": {...}}. New fields may be added.
 */
#ifndef TC_JSON_H
#define TC_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "../common/result.h"

struct tc_json_meta {
	const char *tool_version;
	const char *target;
	uint32_t seed;
	double seconds;
	/* Optional (NULL: left out of the document). */
	const char *profile;
	const char *date;       /* ISO 8601 UTC, when the run started */
};

/* Writes the whole document to out. */
void tc_json_write(FILE *out, const struct tc_result *rs, int n, const struct tc_json_meta *m);

/* Writes to path atomically (a temporary file renamed into place), so an interrupted or failed
 * run never leaves a half-written report. Returns 0 or -1 with a message in err. */
int tc_json_write_file(const char *path, const struct tc_result *rs, int n,
		       const struct tc_json_meta *m, char *err, size_t cap);

/* Writes s as a JSON string literal (with quotes), escaping as RFC 8259 section 7 requires. */
void tc_json_str(FILE *out, const char *s);

#endif
