/*
 * result.c - results: failures, trace, and the serialisation used between worker and scheduler.
 *
 * The wire form is one record per line, "KEY VALUE", where VALUE has backslash escapes for
 * backslash, newline and tab. It is private to the two ends of one pipe in one run, so it needs no
 * versioning, only to be lossless for any byte content.
 */
#include "result.h"

#include "names.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const verdict_names[TC_V_COUNT] = {"pass", "fail", "error", "skip", "warn"};

const char *tc_verdict_name(int v)
{
	return (v >= 0 && v < TC_V_COUNT) ? verdict_names[v] : "?";
}

int tc_result_add_failure(struct tc_result *r, const struct tc_failure *f)
{
	if (r->nfailures == r->capfailures) {
		int ncap = r->capfailures ? r->capfailures * 2 : 4;
		struct tc_failure *n = realloc(r->failures, (size_t)ncap * sizeof(*n));
		if (!n)
			return -1;
		r->failures = n;
		r->capfailures = ncap;
	}
	r->failures[r->nfailures++] = *f;
	return 0;
}

int tc_result_add_event(struct tc_result *r, const struct tc_tevent *e)
{
	/* Like the trace, events of a runaway case are capped. */
	if (r->nevents >= 20000)
		return -1;
	if (r->nevents == r->capevents) {
		int ncap = r->capevents ? r->capevents * 2 : 32;
		struct tc_tevent *n = realloc(r->events, (size_t)ncap * sizeof(*n));
		if (!n)
			return -1;
		r->events = n;
		r->capevents = ncap;
	}
	r->events[r->nevents] = *e;
	return r->nevents++;
}

void tc_result_tracef(struct tc_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	/* Traces of runaway cases are capped so one case cannot exhaust memory or the report. */
	if (r->trace_len + (size_t)need + 1 > (1u << 20))
		return;
	if (r->trace_len + (size_t)need + 1 > r->trace_cap) {
		size_t ncap = r->trace_cap ? r->trace_cap : 1024;
		while (ncap < r->trace_len + (size_t)need + 1)
			ncap *= 2;
		char *n = realloc(r->trace, ncap);
		if (!n)
			return;
		r->trace = n;
		r->trace_cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(r->trace + r->trace_len, r->trace_cap - r->trace_len, fmt, ap);
	va_end(ap);
	r->trace_len += (size_t)need;
}

void tc_result_add_ref(struct tc_result *r, const char *ref)
{
	if (r->nrefs >= 0 && r->nrefs < TC_RESULT_MAX_REFS)
		snprintf(r->refs[r->nrefs++], sizeof(r->refs[0]), "%s", ref ? ref : "");
}

void tc_result_add_tag(struct tc_result *r, const char *tag)
{
	if (r->ntags >= 0 && r->ntags < TC_RESULT_MAX_REFS)
		snprintf(r->tags[r->ntags++], sizeof(r->tags[0]), "%s", tag ? tag : "");
}

void tc_result_free(struct tc_result *r)
{
	free(r->failures);
	free(r->events);
	free(r->trace);
	r->failures = NULL;
	r->events = NULL;
	r->nevents = r->capevents = 0;
	r->trace = NULL;
	r->nfailures = r->capfailures = 0;
	r->trace_len = r->trace_cap = 0;
}

/* A growable buffer for building the serialised form. */
struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_putc(struct sbuf *b, char c)
{
	if (b->oom)
		return;
	if (b->n + 1 >= b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 4096;
		char *n = realloc(b->p, ncap);
		if (!n) {
			b->oom = 1;
			return;
		}
		b->p = n;
		b->cap = ncap;
	}
	b->p[b->n++] = c;
}

static void sb_field(struct sbuf *b, const char *key, const char *val)
{
	for (const char *k = key; *k; k++)
		sb_putc(b, *k);
	sb_putc(b, ' ');
	for (const char *v = val ? val : ""; *v; v++) {
		switch (*v) {
		case '\\': sb_putc(b, '\\'); sb_putc(b, '\\'); break;
		case '\n': sb_putc(b, '\\'); sb_putc(b, 'n'); break;
		case '\t': sb_putc(b, '\\'); sb_putc(b, 't'); break;
		default: sb_putc(b, *v);
		}
	}
	sb_putc(b, '\n');
}

static void sb_int(struct sbuf *b, const char *key, long long v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%lld", v);
	sb_field(b, key, tmp);
}

int tc_result_write(int fd, const struct tc_result *r)
{
	struct sbuf b = {0};
	int rc = -1;
	sb_field(&b, "id", r->id);
	sb_field(&b, "file", r->file);
	sb_field(&b, "title", r->title);
	sb_field(&b, "family", r->family);
	sb_int(&b, "verdict", r->verdict);
	sb_int(&b, "duration_ms", r->duration_ms);
	sb_int(&b, "seed", r->seed);
	sb_field(&b, "reason", r->reason);
	sb_field(&b, "model", r->model);
	for (int i = 0; i < r->nrefs && i < TC_RESULT_MAX_REFS; i++)
		sb_field(&b, "ref", r->refs[i]);
	for (int i = 0; i < r->ntags && i < TC_RESULT_MAX_REFS; i++)
		sb_field(&b, "tag", r->tags[i]);
	for (int i = 0; i < r->nfailures; i++) {
		const struct tc_failure *f = &r->failures[i];
		sb_int(&b, "f.step", f->step);
		sb_int(&b, "f.line", f->line);
		sb_field(&b, "f.judge", f->judge);
		sb_field(&b, "f.field", f->field);
		sb_field(&b, "f.expected", f->expected);
		sb_field(&b, "f.actual", f->actual);
		sb_field(&b, "f.message", f->message);
		sb_field(&b, "f.segment", f->segment);
		sb_field(&b, "f.rule", f->rule);
		sb_int(&b, "f.level", f->level);
		sb_field(&b, "f.req", f->req);
	}
	for (int i = 0; i < r->nevents; i++) {
		const struct tc_tevent *e = &r->events[i];
		char head[96];
		snprintf(head, sizeof(head), "%lld %d %d %d", (long long)e->t_us, e->kind, e->step,
			 e->status);
		sb_field(&b, "e.head", head);
		sb_field(&b, "e.text", e->text);
		sb_field(&b, "e.detail", e->detail);
		sb_field(&b, "e.model", e->model);
	}
	sb_field(&b, "trace", r->trace ? r->trace : "");
	sb_field(&b, "end", "");
	if (b.oom)
		goto out;
	for (size_t off = 0; off < b.n;) {
		ssize_t w = write(fd, b.p + off, b.n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)w;
	}
	rc = 0;
out:
	free(b.p);
	return rc;
}

/* Unescapes src[0..n) into a fresh string. */
static char *unescape(const char *src, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (src[i] == '\\' && i + 1 < n) {
			i++;
			*o++ = src[i] == 'n' ? '\n' : src[i] == 't' ? '\t' : src[i];
		} else {
			*o++ = src[i];
		}
	}
	*o = '\0';
	return out;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

int tc_result_read(const char *buf, size_t len, struct tc_result *r)
{
	struct tc_failure cur;
	int have_cur = 0, rc = -1;
	memset(r, 0, sizeof(*r));
	memset(&cur, 0, sizeof(cur));
	size_t i = 0;
	while (i < len) {
		const char *line = buf + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		i += ll + 1;
		const char *sp = memchr(line, ' ', ll);
		if (!sp)
			goto out;
		size_t kl = (size_t)(sp - line);
		char key[32];
		if (kl >= sizeof(key))
			goto out;
		memcpy(key, line, kl);
		key[kl] = '\0';
		char *val = unescape(sp + 1, ll - kl - 1);
		if (!val)
			goto out;
		if (strncmp(key, "f.", 2) == 0 && strcmp(key, "f.step") == 0) {
			if (have_cur && tc_result_add_failure(r, &cur) < 0) {
				free(val);
				goto out;
			}
			memset(&cur, 0, sizeof(cur));
			have_cur = 1;
			cur.step = atoi(val);
		} else if (strcmp(key, "f.line") == 0) cur.line = atoi(val);
		else if (strcmp(key, "f.judge") == 0) copy_str(cur.judge, sizeof(cur.judge), val);
		else if (strcmp(key, "f.field") == 0) copy_str(cur.field, sizeof(cur.field), val);
		else if (strcmp(key, "f.expected") == 0) copy_str(cur.expected, sizeof(cur.expected), val);
		else if (strcmp(key, "f.actual") == 0) copy_str(cur.actual, sizeof(cur.actual), val);
		else if (strcmp(key, "f.message") == 0) copy_str(cur.message, sizeof(cur.message), val);
		else if (strcmp(key, "f.segment") == 0) copy_str(cur.segment, sizeof(cur.segment), val);
		else if (strcmp(key, "f.rule") == 0) copy_str(cur.rule, sizeof(cur.rule), val);
		else if (strcmp(key, "f.level") == 0) cur.level = atoi(val);
		else if (strcmp(key, "f.req") == 0) copy_str(cur.req, sizeof(cur.req), val);
		else if (strcmp(key, "e.head") == 0) {
			struct tc_tevent e;
			long long t;
			memset(&e, 0, sizeof(e));
			if (sscanf(val, "%lld %d %d %d", &t, &e.kind, &e.step, &e.status) != 4 ||
			    tc_result_add_event(r, &e) < 0) {
				free(val);
				goto out;
			}
			r->events[r->nevents - 1].t_us = t;
		} else if (strcmp(key, "e.text") == 0 && r->nevents > 0)
			copy_str(r->events[r->nevents - 1].text, sizeof(r->events[0].text), val);
		else if (strcmp(key, "e.detail") == 0 && r->nevents > 0)
			copy_str(r->events[r->nevents - 1].detail, sizeof(r->events[0].detail), val);
		else if (strcmp(key, "e.model") == 0 && r->nevents > 0)
			copy_str(r->events[r->nevents - 1].model, sizeof(r->events[0].model), val);
		else if (strcmp(key, "model") == 0) copy_str(r->model, sizeof(r->model), val);
		else if (strcmp(key, "id") == 0) copy_str(r->id, sizeof(r->id), val);
		else if (strcmp(key, "file") == 0) copy_str(r->file, sizeof(r->file), val);
		else if (strcmp(key, "title") == 0) copy_str(r->title, sizeof(r->title), val);
		else if (strcmp(key, "family") == 0) copy_str(r->family, sizeof(r->family), val);
		else if (strcmp(key, "verdict") == 0) r->verdict = atoi(val);
		else if (strcmp(key, "duration_ms") == 0) r->duration_ms = atoll(val);
		else if (strcmp(key, "seed") == 0) r->seed = (uint32_t)strtoul(val, NULL, 10);
		else if (strcmp(key, "reason") == 0) copy_str(r->reason, sizeof(r->reason), val);
		else if (strcmp(key, "ref") == 0) tc_result_add_ref(r, val);
		else if (strcmp(key, "tag") == 0) tc_result_add_tag(r, val);
		else if (strcmp(key, "trace") == 0) {
			free(r->trace);
			r->trace = val;
			r->trace_len = strlen(val);
			r->trace_cap = r->trace_len + 1;
			val = NULL;
		} else if (strcmp(key, "end") == 0) {
			free(val);
			if (have_cur && tc_result_add_failure(r, &cur) < 0)
				goto out;
			return 0;
		}
		free(val);
	}
out:
	tc_result_free(r);
	return rc;
}

int tc_result_failure_verdict(const struct tc_result *r)
{
	int v = TC_V_PASS;
	for (int i = 0; i < r->nfailures; i++) {
		if (r->failures[i].level == TC_LVL_MUST)
			return TC_V_FAIL;
		/* A MAY is a choice the RFCs leave open: not taking it is noted, never a warn. */
		if (r->failures[i].level == TC_LVL_SHOULD)
			v = TC_V_WARN;
	}
	return v;
}
