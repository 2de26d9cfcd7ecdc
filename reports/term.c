/*
 * term.c - terminal report (see term.h).
 */
#include "term.h"

#include <string.h>

void tc_counts_add(struct tc_counts *k, const struct tc_result *r)
{
	switch (r->verdict) {
	case TC_V_PASS: k->passed++; break;
	case TC_V_FAIL: k->failed++; break;
	case TC_V_SKIP: k->skipped++; break;
	default: k->errors++; break;
	}
}

void tc_term_result(FILE *out, const struct tc_result *r, int verbose)
{
	tc_term_result_as(out, r, verbose, NULL);
}

void tc_term_result_as(FILE *out, const struct tc_result *r, int verbose, const char *as)
{
	static const char *const tags[] = {"PASS ", "FAIL ", "ERROR", "SKIP "};
	const char *tag = as ? as : r->verdict >= 0 && r->verdict < 4 ? tags[r->verdict] : "?    ";
	fprintf(out, "%s %s [%s] %lldms", tag, r->id, r->family, (long long)r->duration_ms);
	if (r->reason[0])
		fprintf(out, "  -- %s", r->reason);
	fputc('\n', out);
	for (int i = 0; i < r->nfailures; i++) {
		const struct tc_failure *f = &r->failures[i];
		if (f->step > 0)
			fprintf(out, "      %s:%d: step %d: %s: expected %s, got %s\n", r->file, f->line,
				f->step, f->field, f->expected, f->actual);
		else
			fprintf(out, "      %s: after the last step: %s\n", r->file, f->message);
		if (f->segment[0] && f->step > 0)
			fprintf(out, "        received: %s\n", f->segment);
	}
	if (verbose && r->trace && r->trace[0]) {
		fprintf(out, "      trace:\n");
		const char *p = r->trace;
		while (*p) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);
			fprintf(out, "        %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
	fflush(out);
}

void tc_term_summary(FILE *out, const struct tc_counts *k, double seconds)
{
	fprintf(out, "\n%d cases run in %.1fs\n",
		k->passed + k->failed + k->errors + k->skipped + (k->known > 0 ? k->known : 0),
		seconds);
	if (k->known >= 0)
		fprintf(out, "%d passed, %d failed, %d skipped, %d errors, %d known deviations\n",
			k->passed, k->failed, k->skipped, k->errors, k->known);
	else
		fprintf(out, "%d passed, %d failed, %d skipped, %d errors\n", k->passed, k->failed,
			k->skipped, k->errors);
	fflush(out);
}
