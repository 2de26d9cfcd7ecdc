/*
 * load.c - result files back into results (see load.h).
 */
#include "load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/names.h"
#include "jsonread.h"

int tc_verdict_parse(const char *s)
{
	for (int v = 0; v < TC_V_COUNT; v++)
		if (strcmp(s, tc_verdict_name(v)) == 0)
			return v;
	return -1;
}

void tc_loaded_free(struct tc_loaded *l)
{
	for (int i = 0; i < l->n; i++)
		tc_result_free(&l->rs[i]);
	free(l->rs);
	memset(l, 0, sizeof(*l));
}

/* A number field as an int, clamped: converting an out-of-range double is undefined in C. */
static int num_int(const struct tc_jv *v)
{
	double d = tc_jv_num(v, 0);
	if (!(d > -1e9 && d < 1e9))
		return 0;
	return (int)d;
}

static void cp(char *dst, size_t cap, const struct tc_jv *v)
{
	snprintf(dst, cap, "%s", tc_jv_str(v, ""));
}

/* Checks that an optional field, when present, has the type the format gives it. */
static int want(const struct tc_jv *v, enum tc_jtype t, const char *name, const char *what,
		const char *field, char *err, size_t cap)
{
	if (!v || v->type == t)
		return 0;
	snprintf(err, cap, "%s: %s: \"%s\" has the wrong type", name, what, field);
	return -1;
}

static const char *const kinds[] = {"", "sent", "recv", "app_call", "app_done", "state", "missing"};
static const char *const statuses[] = {"ok", "mismatch", "unexpected", "ignored"};

static int load_case(const char *name, const struct tc_jv *c, int idx, struct tc_result *r,
		     char *err, size_t cap)
{
	char what[200];
	memset(r, 0, sizeof(*r));
	if (!c || c->type != TC_J_OBJ) {
		snprintf(err, cap, "%s: cases[%d] is not an object", name, idx);
		return -1;
	}
	const struct tc_jv *id = tc_jv_get(c, "id"), *verdict = tc_jv_get(c, "verdict");
	if (!id || id->type != TC_J_STR || !id->str[0]) {
		snprintf(err, cap, "%s: cases[%d] has no \"id\"", name, idx);
		return -1;
	}
	snprintf(what, sizeof(what), "case %s", id->str);
	if (!verdict || verdict->type != TC_J_STR || tc_verdict_parse(verdict->str) < 0) {
		snprintf(err, cap, "%s: %s: \"verdict\" must be pass, fail, error, skip or warn", name, what);
		return -1;
	}
	static const char *const strs[] = {"family", "title", "file", "reason", "trace"};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (want(tc_jv_get(c, strs[i]), TC_J_STR, name, what, strs[i], err, cap) < 0)
			return -1;
	static const char *const nums[] = {"duration_ms", "seed"};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (want(tc_jv_get(c, nums[i]), TC_J_NUM, name, what, nums[i], err, cap) < 0)
			return -1;
	static const char *const arrs[] = {"failures", "events", "refs", "tags"};
	for (size_t i = 0; i < sizeof(arrs) / sizeof(arrs[0]); i++)
		if (want(tc_jv_get(c, arrs[i]), TC_J_ARR, name, what, arrs[i], err, cap) < 0)
			return -1;
	cp(r->id, sizeof(r->id), id);
	r->verdict = tc_verdict_parse(verdict->str);
	cp(r->family, sizeof(r->family), tc_jv_get(c, "family"));
	cp(r->title, sizeof(r->title), tc_jv_get(c, "title"));
	cp(r->file, sizeof(r->file), tc_jv_get(c, "file"));
	cp(r->reason, sizeof(r->reason), tc_jv_get(c, "reason"));
	cp(r->model, sizeof(r->model), tc_jv_get(c, "model")); /* optional (runner/judge.h) */
	double d = tc_jv_num(tc_jv_get(c, "duration_ms"), 0);
	r->duration_ms = d > 0 && d < 1e15 ? (int64_t)d : 0;
	double s = tc_jv_num(tc_jv_get(c, "seed"), 0);
	r->seed = s > 0 && s <= 4294967295.0 ? (uint32_t)s : 0;
	const struct tc_jv *refs = tc_jv_get(c, "refs"), *tags = tc_jv_get(c, "tags");
	for (int i = 0; refs && i < refs->n; i++)
		if (refs->items[i].type == TC_J_STR)
			tc_result_add_ref(r, refs->items[i].str);
	for (int i = 0; tags && i < tags->n; i++)
		if (tags->items[i].type == TC_J_STR)
			tc_result_add_tag(r, tags->items[i].str);
	const struct tc_jv *fs = tc_jv_get(c, "failures");
	for (int i = 0; fs && i < fs->n; i++) {
		const struct tc_jv *f = &fs->items[i];
		struct tc_failure x;
		if (f->type != TC_J_OBJ) {
			snprintf(err, cap, "%s: %s: failures[%d] is not an object", name, what, i);
			goto bad;
		}
		memset(&x, 0, sizeof(x));
		x.step = num_int(tc_jv_get(f, "step"));
		x.line = num_int(tc_jv_get(f, "line"));
		cp(x.judge, sizeof(x.judge), tc_jv_get(f, "judge"));
		cp(x.field, sizeof(x.field), tc_jv_get(f, "field"));
		cp(x.expected, sizeof(x.expected), tc_jv_get(f, "expected"));
		cp(x.actual, sizeof(x.actual), tc_jv_get(f, "actual"));
		cp(x.message, sizeof(x.message), tc_jv_get(f, "message"));
		cp(x.segment, sizeof(x.segment), tc_jv_get(f, "segment"));
		cp(x.rule, sizeof(x.rule), tc_jv_get(f, "rule"));
		cp(x.req, sizeof(x.req), tc_jv_get(f, "req"));
		/* Files of older versions have no level: their failures all failed the case, so
		 * they read as MUST (the zero level, as in result.h). */
		const struct tc_jv *lv = tc_jv_get(f, "level");
		if (lv) {
			int l = lv->type == TC_J_STR ? tc_level_parse(lv->str) : -1;
			if (l < 0) {
				snprintf(err, cap, "%s: %s: failures[%d]: \"level\" must be MUST, SHOULD "
						   "or MAY", name, what, i);
				goto bad;
			}
			x.level = l;
		}
		if (tc_result_add_failure(r, &x) < 0) {
			snprintf(err, cap, "%s: out of memory", name);
			goto bad;
		}
	}
	const struct tc_jv *es = tc_jv_get(c, "events");
	for (int i = 0; es && i < es->n; i++) {
		const struct tc_jv *e = &es->items[i];
		struct tc_tevent x;
		if (e->type != TC_J_OBJ) {
			snprintf(err, cap, "%s: %s: events[%d] is not an object", name, what, i);
			goto bad;
		}
		memset(&x, 0, sizeof(x));
		double t = tc_jv_num(tc_jv_get(e, "t_us"), 0);
		x.t_us = t > -1e15 && t < 1e15 ? (int64_t)t : 0;
		x.step = num_int(tc_jv_get(e, "step"));
		const char *k = tc_jv_str(tc_jv_get(e, "kind"), "");
		for (int j = 1; j < 7; j++)
			if (strcmp(k, kinds[j]) == 0)
				x.kind = j;
		if (!x.kind) {
			snprintf(err, cap, "%s: %s: events[%d]: unknown kind '%s'", name, what, i, k);
			goto bad;
		}
		const char *st = tc_jv_str(tc_jv_get(e, "status"), "ok");
		for (int j = 0; j < 4; j++)
			if (strcmp(st, statuses[j]) == 0)
				x.status = j;
		cp(x.text, sizeof(x.text), tc_jv_get(e, "text"));
		cp(x.detail, sizeof(x.detail), tc_jv_get(e, "detail"));
		cp(x.model, sizeof(x.model), tc_jv_get(e, "model"));
		if (tc_result_add_event(r, &x) < 0)
			break; /* capped like a live run's events */
	}
	const char *trace = tc_jv_str(tc_jv_get(c, "trace"), "");
	if (trace[0])
		tc_result_tracef(r, "%s", trace);
	return 0;
bad:
	tc_result_free(r);
	return -1;
}

int tc_load_buf(const char *name, const char *buf, size_t len, struct tc_loaded *out, char *err,
		size_t cap)
{
	struct tc_jv doc;
	char jerr[256];
	memset(out, 0, sizeof(*out));
	if (tc_json_parse(buf, len, &doc, jerr, sizeof(jerr)) < 0) {
		snprintf(err, cap, "%s: not valid JSON: %s", name, jerr);
		return -1;
	}
	int rc = -1;
	const struct tc_jv *cases = tc_jv_get(&doc, "cases");
	if (doc.type != TC_J_OBJ || !cases || cases->type != TC_J_ARR) {
		snprintf(err, cap, "%s: not a tcpconform result file (no \"cases\" list)", name);
		goto out;
	}
	cp(out->version, sizeof(out->version), tc_jv_get(&doc, "version"));
	cp(out->target, sizeof(out->target), tc_jv_get(&doc, "target"));
	cp(out->profile, sizeof(out->profile), tc_jv_get(&doc, "profile"));
	cp(out->date, sizeof(out->date), tc_jv_get(&doc, "date"));
	double s = tc_jv_num(tc_jv_get(&doc, "seed"), 0);
	out->seed = s > 0 && s <= 4294967295.0 ? (uint32_t)s : 0;
	double secs = tc_jv_num(tc_jv_get(tc_jv_get(&doc, "summary"), "duration_s"), 0);
	out->seconds = secs > 0 && secs < 1e12 ? secs : 0;
	out->rs = calloc((size_t)cases->n + 1, sizeof(*out->rs));
	if (!out->rs) {
		snprintf(err, cap, "%s: out of memory", name);
		goto out;
	}
	for (int i = 0; i < cases->n; i++) {
		if (load_case(name, &cases->items[i], i, &out->rs[i], err, cap) < 0)
			goto out;
		out->n++;
	}
	rc = 0;
out:
	tc_jv_free(&doc);
	if (rc < 0)
		tc_loaded_free(out);
	return rc;
}

int tc_load_file(const char *path, struct tc_loaded *out, char *err, size_t cap)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t n = 0, bcap = 0;
	for (;;) {
		if (n == bcap) {
			/* Result files of whole suites are a few MB; 1 GiB is far beyond any. */
			if (bcap >= ((size_t)1 << 30)) {
				snprintf(err, cap, "%s: file too large", path);
				goto bad;
			}
			size_t nc = bcap ? bcap * 2 : 65536;
			char *nb = realloc(buf, nc);
			if (!nb) {
				snprintf(err, cap, "%s: out of memory", path);
				goto bad;
			}
			buf = nb;
			bcap = nc;
		}
		size_t r = fread(buf + n, 1, bcap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
		goto bad;
	}
	fclose(f);
	int rc = tc_load_buf(path, buf, n, out, err, cap);
	free(buf);
	return rc;
bad:
	fclose(f);
	free(buf);
	return -1;
}
