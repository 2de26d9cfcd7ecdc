/*
 * json.c - JSON results (see json.h).
 */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/names.h"
#include "report.h"
#include "term.h"

void tc_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		int u = *p >= 0x80 ? tc_utf8_len(p) : 0;
		if (u > 1) {
			/* Valid UTF-8 (a title, a reason) passes through as text. */
			fwrite(p, 1, (size_t)u, out);
			p += u - 1;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			/* Control characters must be escaped (RFC 8259 section 7). A byte >= 0x80
			 * that does not start valid UTF-8 cannot be said in JSON at all, so it
			 * becomes U+FFFD and the document stays valid whatever a segment held. */
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else if (*p >= 0x80)
				fputs("\\ufffd", out);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void tc_json_write(FILE *out, const struct tc_result *rs, int n, const struct tc_json_meta *m)
{
	struct tc_counts k = {0};
	fprintf(out, "{\n  \"tool\": \"tcpconform\",\n  \"version\": ");
	tc_json_str(out, m->tool_version);
	fprintf(out, ",\n  \"target\": ");
	tc_json_str(out, m->target);
	if (m->profile) {
		fprintf(out, ",\n  \"profile\": ");
		tc_json_str(out, m->profile);
	}
	if (m->date) {
		fprintf(out, ",\n  \"date\": ");
		tc_json_str(out, m->date);
	}
	fprintf(out, ",\n  \"seed\": %u,\n  \"cases\": [", m->seed);
	for (int i = 0; i < n; i++) {
		const struct tc_result *r = &rs[i];
		tc_counts_add(&k, r);
		fprintf(out, "%s\n    {\"id\": ", i ? "," : "");
		tc_json_str(out, r->id);
		fprintf(out, ", \"family\": ");
		tc_json_str(out, r->family);
		fprintf(out, ", \"verdict\": ");
		tc_json_str(out, tc_verdict_name(r->verdict));
		fprintf(out, ", \"duration_ms\": %lld, \"title\": ", (long long)r->duration_ms);
		tc_json_str(out, r->title);
		fprintf(out, ", \"file\": ");
		tc_json_str(out, r->file);
		fprintf(out, ", \"seed\": %u, \"reason\": ", r->seed);
		tc_json_str(out, r->reason);
		if (r->model[0]) {
			/* The reference model's note (runner/judge.h); absent without a model. */
			fprintf(out, ", \"model\": ");
			tc_json_str(out, r->model);
		}
		fprintf(out, ", \"refs\": [");
		for (int j = 0; j < r->nrefs && j < TC_RESULT_MAX_REFS; j++) {
			fputs(j ? ", " : "", out);
			tc_json_str(out, r->refs[j]);
		}
		fprintf(out, "], \"tags\": [");
		for (int j = 0; j < r->ntags && j < TC_RESULT_MAX_REFS; j++) {
			fputs(j ? ", " : "", out);
			tc_json_str(out, r->tags[j]);
		}
		fprintf(out, "]");
		fprintf(out, ",\n     \"failures\": [");
		for (int j = 0; j < r->nfailures; j++) {
			const struct tc_failure *f = &r->failures[j];
			fprintf(out, "%s\n       {\"step\": %d, \"line\": %d, \"judge\": ", j ? "," : "",
				f->step, f->line);
			tc_json_str(out, f->judge);
			fprintf(out, ", \"rule\": ");
			tc_json_str(out, f->rule);
			/* The level of the requirement broken and the requirement: MUST failures
			 * make a case fail, SHOULD/MAY ones only warn (case-format.md "Verdicts"). */
			fprintf(out, ", \"level\": ");
			tc_json_str(out, tc_level_name(f->level));
			fprintf(out, ", \"req\": ");
			tc_json_str(out, f->req);
			fprintf(out, ", \"field\": ");
			tc_json_str(out, f->field);
			fprintf(out, ", \"expected\": ");
			tc_json_str(out, f->expected);
			fprintf(out, ", \"actual\": ");
			tc_json_str(out, f->actual);
			fprintf(out, ", \"message\": ");
			tc_json_str(out, f->message);
			fprintf(out, ", \"segment\": ");
			tc_json_str(out, f->segment);
			fprintf(out, "}");
		}
		static const char *const kinds[] = {"?", "sent", "recv", "app_call", "app_done",
						    "state", "missing"};
		static const char *const statuses[] = {"ok", "mismatch", "unexpected", "ignored"};
		fprintf(out, "%s],\n     \"events\": [", r->nfailures ? "\n     " : "");
		for (int j = 0; j < r->nevents; j++) {
			const struct tc_tevent *e = &r->events[j];
			int k = e->kind >= 1 && e->kind <= 6 ? e->kind : 0;
			int st = e->status >= 0 && e->status <= 3 ? e->status : 0;
			fprintf(out, "%s\n       {\"t_us\": %lld, \"kind\": \"%s\", \"step\": %d, "
				     "\"status\": \"%s\", \"text\": ",
				j ? "," : "", (long long)e->t_us, kinds[k], e->step, statuses[st]);
			tc_json_str(out, e->text);
			fprintf(out, ", \"detail\": ");
			tc_json_str(out, e->detail);
			if (e->model[0]) {
				fprintf(out, ", \"model\": ");
				tc_json_str(out, e->model);
			}
			fprintf(out, "}");
		}
		fprintf(out, "%s],\n     \"trace\": ", r->nevents ? "\n     " : "");
		tc_json_str(out, r->trace ? r->trace : "");
		fprintf(out, "}");
	}
	fprintf(out, "%s],\n  \"summary\": {\"total\": %d, \"passed\": %d, \"failed\": %d, "
		     "\"errors\": %d, \"skipped\": %d, \"warnings\": %d, \"duration_s\": %.3f}\n}\n",
		n ? "\n  " : "", n, k.passed, k.failed, k.errors, k.skipped, k.warned, m->seconds);
}

int tc_json_write_file(const char *path, const struct tc_result *rs, int n,
		       const struct tc_json_meta *m, char *err, size_t cap)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	tc_json_write(f, rs, n, m);
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
