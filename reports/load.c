/*
 * load.c - result files back into results (see load.h). The JSON itself is read by jansson
 * (Debian's libjansson, RFC 8259); this file only maps the document onto struct tc_result and
 * says, naming the case and the field, where a document is not a result file.
 */
#include "load.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/names.h"

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

/* The string member `key` of o, or "" when it is absent or not a string. */
static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A number member as a double, kept inside (lo, hi) or 0: converting an out-of-range double to
 * an integer type is undefined in C, and a file may hold any number. */
static double num(const json_t *o, const char *key, double lo, double hi)
{
	double d = json_number_value(json_object_get(o, key));
	return d > lo && d < hi ? d : 0;
}

static void cp(char *dst, size_t cap, const json_t *o, const char *key)
{
	snprintf(dst, cap, "%s", str(o, key));
}

/* Checks that the optional members named in keys, when present, pass is (a type test). */
static int want(const json_t *c, const char *const *keys, size_t n, int (*is)(const json_t *),
		const char *name, const char *what, char *err, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(c, keys[i]);
		if (v && !is(v)) {
			snprintf(err, cap, "%s: %s: \"%s\" has the wrong type", name, what, keys[i]);
			return -1;
		}
	}
	return 0;
}

/* jansson's type tests are macros; these give want() something to point at. */
static int is_str(const json_t *v) { return json_is_string(v); }
static int is_num(const json_t *v) { return json_is_number(v); }
static int is_arr(const json_t *v) { return json_is_array(v); }

static const char *const kinds[] = {"", "sent", "recv", "app_call", "app_done", "state", "missing"};
static const char *const statuses[] = {"ok", "mismatch", "unexpected", "ignored"};

static int load_failure(const char *name, const char *what, const json_t *f, size_t i,
			struct tc_result *r, char *err, size_t cap)
{
	struct tc_failure x;
	if (!json_is_object(f)) {
		snprintf(err, cap, "%s: %s: failures[%zu] is not an object", name, what, i);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.step = (int)num(f, "step", -1e9, 1e9);
	x.line = (int)num(f, "line", -1e9, 1e9);
	cp(x.judge, sizeof(x.judge), f, "judge");
	cp(x.field, sizeof(x.field), f, "field");
	cp(x.expected, sizeof(x.expected), f, "expected");
	cp(x.actual, sizeof(x.actual), f, "actual");
	cp(x.message, sizeof(x.message), f, "message");
	cp(x.segment, sizeof(x.segment), f, "segment");
	cp(x.rule, sizeof(x.rule), f, "rule");
	cp(x.req, sizeof(x.req), f, "req");
	/* Files of older versions have no level: their failures all failed the case, so they
	 * read as MUST (the zero level, as in result.h). */
	const json_t *lv = json_object_get(f, "level");
	if (lv) {
		int l = json_is_string(lv) ? tc_level_parse(json_string_value(lv)) : -1;
		if (l < 0) {
			snprintf(err, cap, "%s: %s: failures[%zu]: \"level\" must be MUST, SHOULD or MAY",
				 name, what, i);
			return -1;
		}
		x.level = l;
	}
	if (tc_result_add_failure(r, &x) < 0) {
		snprintf(err, cap, "%s: out of memory", name);
		return -1;
	}
	return 0;
}

/* Returns 1 when the event was added, 0 when the result's event list is full, -1 on error. */
static int load_event(const char *name, const char *what, const json_t *e, size_t i,
		      struct tc_result *r, char *err, size_t cap)
{
	struct tc_tevent x;
	if (!json_is_object(e)) {
		snprintf(err, cap, "%s: %s: events[%zu] is not an object", name, what, i);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.t_us = (int64_t)num(e, "t_us", -1e15, 1e15);
	x.step = (int)num(e, "step", -1e9, 1e9);
	const char *k = str(e, "kind");
	for (int j = 1; j < 7; j++)
		if (strcmp(k, kinds[j]) == 0)
			x.kind = j;
	if (!x.kind) {
		snprintf(err, cap, "%s: %s: events[%zu]: unknown kind '%s'", name, what, i, k);
		return -1;
	}
	const char *st = str(e, "status");
	for (int j = 0; j < 4; j++)
		if (strcmp(st, statuses[j]) == 0)
			x.status = j;
	cp(x.text, sizeof(x.text), e, "text");
	cp(x.detail, sizeof(x.detail), e, "detail");
	cp(x.model, sizeof(x.model), e, "model");
	return tc_result_add_event(r, &x) < 0 ? 0 : 1;
}

static int load_case(const char *name, const json_t *c, size_t idx, struct tc_result *r,
		     char *err, size_t cap)
{
	static const char *const strs[] = {"family", "title", "file", "reason", "trace"};
	static const char *const nums[] = {"duration_ms", "seed"};
	static const char *const arrs[] = {"failures", "events", "refs", "tags"};
	char what[200];
	size_t i;
	const json_t *v;
	memset(r, 0, sizeof(*r));
	if (!json_is_object(c)) {
		snprintf(err, cap, "%s: cases[%zu] is not an object", name, idx);
		return -1;
	}
	if (!str(c, "id")[0]) {
		snprintf(err, cap, "%s: cases[%zu] has no \"id\"", name, idx);
		return -1;
	}
	snprintf(what, sizeof(what), "case %s", str(c, "id"));
	if (tc_verdict_parse(str(c, "verdict")) < 0) {
		snprintf(err, cap, "%s: %s: \"verdict\" must be pass, fail, error, skip or warn", name, what);
		return -1;
	}
	if (want(c, strs, 5, is_str, name, what, err, cap) < 0 ||
	    want(c, nums, 2, is_num, name, what, err, cap) < 0 ||
	    want(c, arrs, 4, is_arr, name, what, err, cap) < 0)
		return -1;
	cp(r->id, sizeof(r->id), c, "id");
	r->verdict = tc_verdict_parse(str(c, "verdict"));
	cp(r->family, sizeof(r->family), c, "family");
	cp(r->title, sizeof(r->title), c, "title");
	cp(r->file, sizeof(r->file), c, "file");
	cp(r->reason, sizeof(r->reason), c, "reason");
	cp(r->model, sizeof(r->model), c, "model"); /* optional (runner/judge.h) */
	r->duration_ms = (int64_t)num(c, "duration_ms", 0, 1e15);
	r->seed = (uint32_t)num(c, "seed", 0, 4294967296.0);
	json_array_foreach(json_object_get(c, "refs"), i, v)
		if (json_is_string(v))
			tc_result_add_ref(r, json_string_value(v));
	json_array_foreach(json_object_get(c, "tags"), i, v)
		if (json_is_string(v))
			tc_result_add_tag(r, json_string_value(v));
	json_array_foreach(json_object_get(c, "failures"), i, v)
		if (load_failure(name, what, v, i, r, err, cap) < 0)
			goto bad;
	json_array_foreach(json_object_get(c, "events"), i, v) {
		int rc = load_event(name, what, v, i, r, err, cap);
		if (rc < 0)
			goto bad;
		if (rc == 0)
			break; /* capped like a live run's events */
	}
	if (str(c, "trace")[0])
		tc_result_tracef(r, "%s", str(c, "trace"));
	return 0;
bad:
	tc_result_free(r);
	return -1;
}

/* Maps a parsed document onto out; takes the reference to doc (NULL: jansson's error in je). */
static int load_doc(const char *name, json_t *doc, const json_error_t *je, struct tc_loaded *out,
		    char *err, size_t cap)
{
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (!doc) {
		/* jansson names the character it stopped at; when the input ended early, the
		 * place to name is the one after the last character, where the missing text
		 * belongs (columns count characters, from 1). */
		int col = je->column + (json_error_code(je) == json_error_premature_end_of_input);
		snprintf(err, cap, "%s: not valid JSON: line %d, column %d: %s", name, je->line,
			 col > 0 ? col : 1, je->text);
		return -1;
	}
	const json_t *cases = json_object_get(doc, "cases");
	if (!json_is_array(cases)) {
		snprintf(err, cap, "%s: not a tcpconform result file (no \"cases\" list)", name);
		goto out;
	}
	cp(out->version, sizeof(out->version), doc, "version");
	cp(out->target, sizeof(out->target), doc, "target");
	cp(out->profile, sizeof(out->profile), doc, "profile");
	cp(out->date, sizeof(out->date), doc, "date");
	out->seed = (uint32_t)num(doc, "seed", 0, 4294967296.0);
	out->seconds = num(json_object_get(doc, "summary"), "duration_s", 0, 1e12);
	out->rs = calloc(json_array_size(cases) + 1, sizeof(*out->rs));
	if (!out->rs) {
		snprintf(err, cap, "%s: out of memory", name);
		goto out;
	}
	size_t i;
	const json_t *c;
	json_array_foreach(cases, i, c) {
		if (load_case(name, c, i, &out->rs[i], err, cap) < 0)
			goto out;
		out->n++;
	}
	rc = 0;
out:
	json_decref(doc);
	if (rc < 0)
		tc_loaded_free(out);
	return rc;
}

/* A "\u0000" inside a string is accepted (JSON_ALLOW_NUL) and cuts the C string short; our
 * writer never produces one, but a file that holds one is still a valid document. */
#define LOAD_FLAGS JSON_ALLOW_NUL

int tc_load_buf(const char *name, const char *buf, size_t len, struct tc_loaded *out, char *err,
		size_t cap)
{
	json_error_t je;
	/* A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1 allows ignoring it). */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	return load_doc(name, json_loadb(buf, len, LOAD_FLAGS, &je), &je, out, err, cap);
}

int tc_load_file(const char *path, struct tc_loaded *out, char *err, size_t cap)
{
	/* The whole file into memory first: jansson's own file reader takes a byte at a time
	 * through stdio and is a third slower on a full run's file (docs/architecture.md,
	 * "Design notes"). A pipe (`<(...)`) works too, so the size is not asked in advance. */
	char *buf = NULL, tmp[65536];
	size_t n = 0, r;
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	FILE *m = f ? open_memstream(&buf, &n) : NULL;
	if (!m) {
		snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
		fwrite(tmp, 1, r, m);
	int bad = ferror(f) || ferror(m);
	int e = errno;
	fclose(f);
	if (fclose(m) != 0 || bad) {
		snprintf(err, cap, "cannot read %s: %s", path, strerror(e));
		free(buf);
		return -1;
	}
	int rc = tc_load_buf(path, buf, n, out, err, cap);
	free(buf);
	return rc;
}
