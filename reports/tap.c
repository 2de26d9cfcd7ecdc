/*
 * tap.c - TAP version 13 writer (see tap.h).
 */
#include "tap.h"

#include <string.h>

#include "../common/names.h"
#include "baseline.h"

/* A YAML double-quoted scalar (YAML 1.2 section 7.3.1): escapes keep any byte on one line. */
static void yq(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		switch (*p) {
		case '"': fputs("\\\"", out); p++; continue;
		case '\\': fputs("\\\\", out); p++; continue;
		case '\n': fputs("\\n", out); p++; continue;
		case '\t': fputs("\\t", out); p++; continue;
		case '\r': fputs("\\r", out); p++; continue;
		default: break;
		}
		int n = *p < 0x20 || *p == 0x7F ? 0 : tc_utf8_len(p);
		if (n == 0) {
			fprintf(out, "\\x%02x", *p);
			p++;
		} else {
			fwrite(p, 1, (size_t)n, out);
			p += n;
		}
	}
	fputc('"', out);
}

/*
 * Text on a test line: a '#' would start a directive and a newline would end the line, so both
 * are replaced; TAP 13 allows "\#" for a literal hash.
 */
static void line_text(FILE *out, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '#')
			fputs("\\#", out);
		else if (*p == '\n' || *p == '\r' || *p == '\t')
			fputc(' ', out);
		else
			fputc(*p, out);
	}
}

void tc_tap_write(FILE *out, const struct tc_report *rep)
{
	fprintf(out, "TAP version 13\n1..%d\n", rep->n);
	fprintf(out, "# tcpconform %s, target %s", rep->tool_version ? rep->tool_version : "?",
		rep->target ? rep->target : "?");
	if (rep->profile)
		fprintf(out, ", profile %s", rep->profile);
	fprintf(out, ", seed %u\n", rep->seed);
	for (int i = 0; i < rep->n; i++) {
		const struct tc_result *r = &rep->rs[i];
		const char *v = tc_report_verdict(rep, i);
		int bad = strcmp(v, "fail") == 0 || strcmp(v, "error") == 0 || strcmp(v, "known") == 0;
		fprintf(out, "%s %d - ", bad ? "not ok" : "ok", i + 1);
		line_text(out, r->id);
		fprintf(out, " [%s]", r->family);
		if (strcmp(v, "skip") == 0) {
			fputs(" # SKIP ", out);
			line_text(out, r->reason);
		} else if (strcmp(v, "known") == 0) {
			fputs(" # TODO known deviation: ", out);
			line_text(out, r->nfailures ? r->failures[0].message : "fails");
		} else if (strcmp(v, "fixed") == 0) {
			fputs(" # TODO fixed: listed in the baseline, but passes", out);
		} else if (strcmp(v, "warn") == 0) {
			/* Not a TAP directive, so a harness counts the test as passed: a SHOULD
			 * departure does not fail the run. The text names what was departed from. */
			fputs(" # warn ", out);
			const struct tc_failure *f0 = r->nfailures ? &r->failures[0] : NULL;
			if (f0) {
				char who[96];
				tc_failure_who(f0, who, sizeof(who));
				line_text(out, who);
				fputs(": ", out);
				line_text(out, f0->message);
				if (r->nfailures > 1)
					fprintf(out, " (and %d more)", r->nfailures - 1);
			} else {
				fputs("departs from a SHOULD", out);
			}
		}
		fputc('\n', out);
		int warn = strcmp(v, "warn") == 0;
		if (!bad && !warn)
			continue;
		fputs("  ---\n  message: ", out);
		if (r->verdict == TC_V_ERROR)
			yq(out, r->reason[0] ? r->reason : "error");
		else
			yq(out, r->nfailures ? r->failures[0].message : "failed");
		fprintf(out, "\n  severity: %s\n  file: ",
			strcmp(v, "error") == 0 ? "error" : warn ? "warn" : "fail");
		yq(out, r->file);
		fprintf(out, "\n  duration_ms: %lld\n", (long long)r->duration_ms);
		if (r->nfailures)
			fputs("  failures:\n", out);
		for (int j = 0; j < r->nfailures; j++) {
			const struct tc_failure *f = &r->failures[j];
			fprintf(out, "    - step: %d\n      line: %d\n      field: ", f->step, f->line);
			yq(out, f->field);
			fputs("\n      expected: ", out);
			yq(out, f->expected);
			fputs("\n      actual: ", out);
			yq(out, f->actual);
			fputs("\n      message: ", out);
			yq(out, f->message);
			if (f->judge[0]) {
				fputs("\n      judge: ", out);
				yq(out, f->judge);
			}
			if (f->rule[0]) {
				fputs("\n      rule: ", out);
				yq(out, f->rule);
			}
			fprintf(out, "\n      level: %s", tc_level_name(f->level));
			if (f->req[0]) {
				fputs("\n      req: ", out);
				yq(out, f->req);
			}
			int bm = tc_baseline_failure_mark(rep->baseline, r, j, rep->strict);
			if (bm != TC_BLF_NONE)
				fprintf(out, "\n      baseline: %s", bm == TC_BLF_LISTED ? "listed" : "new");
			if (f->segment[0]) {
				fputs("\n      segment: ", out);
				yq(out, f->segment);
			}
			fputc('\n', out);
		}
		fputs("  ...\n", out);
	}
}
