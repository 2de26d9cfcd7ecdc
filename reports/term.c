/*
 * term.c - terminal report (see term.h).
 */
#include "term.h"

#include <string.h>

#include "baseline.h"
#include "report.h"

void tc_counts_add(struct tc_counts *k, const struct tc_result *r)
{
	switch (r->verdict) {
	case TC_V_PASS: k->passed++; break;
	case TC_V_FAIL: k->failed++; break;
	case TC_V_SKIP: k->skipped++; break;
	case TC_V_WARN: k->warned++; break;
	default: k->errors++; break;
	}
}

void tc_term_result(FILE *out, const struct tc_result *r, int verbose)
{
	tc_term_result_bl(out, r, verbose, NULL, NULL, 0);
}

void tc_term_result_as(FILE *out, const struct tc_result *r, int verbose, const char *as)
{
	tc_term_result_bl(out, r, verbose, as, NULL, 0);
}

void tc_term_result_bl(FILE *out, const struct tc_result *r, int verbose, const char *as,
		       const struct tc_baseline *bl, int strict)
{
	static const char *const tags[TC_V_COUNT] = {"PASS ", "FAIL ", "ERROR", "SKIP ", "WARN "};
	const char *tag = as ? as : r->verdict >= 0 && r->verdict < TC_V_COUNT ? tags[r->verdict]
									     : "?    ";
	fprintf(out, "%s %s [%s] %lldms", tag, r->id, r->family, (long long)r->duration_ms);
	if (r->reason[0])
		fprintf(out, "  -- %s", r->reason);
	fputc('\n', out);
	for (int i = 0; i < r->nfailures; i++) {
		const struct tc_failure *f = &r->failures[i];
		char line[2048];
		tc_failure_line(r->file, f, line, sizeof(line));
		int m = tc_baseline_failure_mark(bl, r, i, strict);
		fprintf(out, "      %s%s\n", line,
			m == TC_BLF_LISTED ? "  [in the baseline]"
			: m == TC_BLF_NEW  ? "  [new: not in the baseline]" : "");
		/* The model's rule says why it expected what it did (docs/model.md). */
		if (f->rule[0] && strcmp(f->judge, "case") != 0 && f->judge[0])
			fprintf(out, "        rule: %s\n", f->rule);
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
		k->passed + k->failed + k->errors + k->skipped + k->warned +
			(k->known > 0 ? k->known : 0),
		seconds);
	fprintf(out, "%d passed, %d failed, %d skipped, %d errors, %d warnings", k->passed, k->failed,
		k->skipped, k->errors, k->warned);
	if (k->known >= 0)
		fprintf(out, ", %d known deviations", k->known);
	fputc('\n', out);
	fflush(out);
}
