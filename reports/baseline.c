/*
 * baseline.c - known deviations (see baseline.h). Parsed with libyaml's document API; the file
 * is small and hand-edited, so the parser is strict (unknown keys are errors, to catch typos
 * such as `famliy:` that would otherwise widen a deviation silently).
 */
#include "baseline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "../common/names.h"
#include "report.h"

void tc_baseline_free(struct tc_baseline *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

static struct tc_deviation *add(struct tc_baseline *b)
{
	if (b->n == b->cap) {
		int nc = b->cap ? b->cap * 2 : 16;
		struct tc_deviation *nd = realloc(b->d, (size_t)nc * sizeof(*nd));
		if (!nd)
			return NULL;
		b->d = nd;
		b->cap = nc;
	}
	memset(&b->d[b->n], 0, sizeof(b->d[0]));
	return &b->d[b->n++];
}

static int where(char *err, size_t cap, const char *name, const yaml_node_t *n, const char *what,
		 const char *val)
{
	snprintf(err, cap, "%s:%lu:%lu: %s%s%s%s", name, (unsigned long)n->start_mark.line + 1,
		 (unsigned long)n->start_mark.column + 1, what, val ? ": '" : "", val ? val : "",
		 val ? "'" : "");
	return -1;
}

/* Copies a scalar into dst, refusing values that do not fit (a silently cut id would never
 * match). */
static int scalar(const char *name, yaml_node_t *n, const char *key, char *dst, size_t cap,
		  char *err, size_t ecap)
{
	if (n->type != YAML_SCALAR_NODE)
		return where(err, ecap, name, n, "expected a single value for", key);
	if (n->data.scalar.length >= cap)
		return where(err, ecap, name, n, "value too long for", key);
	memcpy(dst, n->data.scalar.value, n->data.scalar.length);
	dst[n->data.scalar.length] = '\0';
	return 0;
}

/* Parses a non-negative step number; -1 when it is not one. */
static int parse_step(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 100000)
		return -1;
	return (int)v;
}

/* One signature of a deviation's `failures:` list. */
static int load_sig(const char *name, yaml_document_t *doc, yaml_node_t *item,
		    struct tc_deviation *d, char *err, size_t cap)
{
	if (item->type != YAML_MAPPING_NODE)
		return where(err, cap, name, item,
			     "a failure must be a mapping such as {step: 9, field: after, judge: "
			     "model}", NULL);
	if (d->nsigs >= TC_BL_MAX_SIGS) {
		char msg[96];
		snprintf(msg, sizeof(msg), "more than %d failures in one deviation", TC_BL_MAX_SIGS);
		return where(err, cap, name, item, msg, NULL);
	}
	struct tc_bl_sig *g = &d->sigs[d->nsigs];
	memset(g, 0, sizeof(*g));
	g->step = -1;
	g->line = (int)item->start_mark.line + 1;
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE)
			return where(err, cap, name, item, "bad key in a failure", NULL);
		const char *key = (const char *)k->data.scalar.value;
		int rc;
		if (strcmp(key, "step") == 0) {
			char tmp[16];
			rc = scalar(name, v, key, tmp, sizeof(tmp), err, cap);
			if (rc == 0 && (g->step = parse_step(tmp)) < 0)
				return where(err, cap, name, v, "step must be a step number (0: after the "
								"last step)", tmp);
		} else if (strcmp(key, "field") == 0)
			rc = scalar(name, v, key, g->field, sizeof(g->field), err, cap);
		else if (strcmp(key, "judge") == 0) {
			rc = scalar(name, v, key, g->judge, sizeof(g->judge), err, cap);
			if (rc == 0 && strcmp(g->judge, "case") != 0 && strcmp(g->judge, "model") != 0 &&
			    strcmp(g->judge, "both") != 0)
				return where(err, cap, name, v, "judge must be case, model or both",
					     g->judge);
		} else if (strcmp(key, "req") == 0)
			rc = scalar(name, v, key, g->req, sizeof(g->req), err, cap);
		else if (strcmp(key, "rule") == 0)
			rc = scalar(name, v, key, g->rule, sizeof(g->rule), err, cap);
		else
			return where(err, cap, name, k,
				     "unknown key in a failure (known: step, field, judge, req, rule)",
				     key);
		if (rc < 0)
			return -1;
	}
	/* A signature must name a failure, not a whole judge's opinion of the case. */
	int named = (g->step >= 0 && g->field[0]) || g->req[0] || g->rule[0];
	if (!named)
		return where(err, cap, name, item,
			     "a failure needs step and field, or req, or rule", NULL);
	d->nsigs++;
	return 0;
}

static int load_dev(const char *name, yaml_document_t *doc, yaml_node_t *item,
		    struct tc_baseline *b, char *err, size_t cap)
{
	if (item->type != YAML_MAPPING_NODE)
		return where(err, cap, name, item, "a deviation must be a mapping with id:", NULL);
	struct tc_deviation *d = add(b);
	if (!d) {
		snprintf(err, cap, "%s: out of memory", name);
		return -1;
	}
	d->line = (int)item->start_mark.line + 1;
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE)
			return where(err, cap, name, item, "bad key in a deviation", NULL);
		const char *key = (const char *)k->data.scalar.value;
		int rc = 0;
		if (strcmp(key, "id") == 0)
			rc = scalar(name, v, key, d->id, sizeof(d->id), err, cap);
		else if (strcmp(key, "family") == 0) {
			rc = scalar(name, v, key, d->family, sizeof(d->family), err, cap);
			if (rc == 0 && strcmp(d->family, "ipv4") != 0 && strcmp(d->family, "ipv6") != 0)
				return where(err, cap, name, v, "family must be ipv4 or ipv6 (or absent for "
								"both)", d->family);
		} else if (strcmp(key, "reason") == 0)
			rc = scalar(name, v, key, d->reason, sizeof(d->reason), err, cap);
		else if (strcmp(key, "rfc") == 0)
			rc = scalar(name, v, key, d->rfc, sizeof(d->rfc), err, cap);
		else if (strcmp(key, "failures") == 0) {
			/* An empty list would silently mean the id-only form: refuse it. */
			if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top ==
								     v->data.sequence.items.start)
				return where(err, cap, name, v, "failures must be a non-empty list (leave "
								"it out to excuse the whole case)", NULL);
			for (yaml_node_item_t *it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top; it++) {
				yaml_node_t *s = yaml_document_get_node(doc, *it);
				if (!s || load_sig(name, doc, s, d, err, cap) < 0)
					return -1;
			}
		} else
			return where(err, cap, name, k,
				     "unknown key in a deviation (known: id, family, failures, reason, "
				     "rfc)", key);
		if (rc < 0)
			return -1;
	}
	if (!d->id[0])
		return where(err, cap, name, item, "a deviation needs an id:", NULL);
	for (int i = 0; i < b->n - 1; i++)
		if (strcmp(b->d[i].id, d->id) == 0 &&
		    (!b->d[i].family[0] || !d->family[0] || strcmp(b->d[i].family, d->family) == 0)) {
			char msg[200];
			snprintf(msg, sizeof(msg), "deviation listed twice (also on line %d)", b->d[i].line);
			return where(err, cap, name, item, msg, d->id);
		}
	return 0;
}

int tc_baseline_load_buf(const char *name, const char *buf, size_t len, struct tc_baseline *b,
			 char *err, size_t cap)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = -1, have_doc = 0;
	memset(b, 0, sizeof(*b));
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, cap, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, cap, "%s:%lu:%lu: not valid YAML: %s", name,
			 (unsigned long)parser.problem_mark.line + 1,
			 (unsigned long)parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "syntax error");
		goto out;
	}
	have_doc = 1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		rc = 0; /* an empty file: no deviations */
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		where(err, cap, name, root, "a baseline is a mapping with target: and deviations:", NULL);
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			where(err, cap, name, root, "bad key", NULL);
			goto out;
		}
		const char *key = (const char *)k->data.scalar.value;
		if (strcmp(key, "target") == 0) {
			if (scalar(name, v, key, b->target, sizeof(b->target), err, cap) < 0)
				goto out;
		} else if (strcmp(key, "deviations") == 0) {
			/* `deviations:` with nothing after it is an empty list. */
			if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
				continue;
			if (v->type != YAML_SEQUENCE_NODE) {
				where(err, cap, name, v, "deviations must be a list", NULL);
				goto out;
			}
			for (yaml_node_item_t *it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top; it++) {
				yaml_node_t *item = yaml_document_get_node(&doc, *it);
				if (!item || load_dev(name, &doc, item, b, err, cap) < 0)
					goto out;
			}
		} else {
			where(err, cap, name, k, "unknown key (known: target, deviations)", key);
			goto out;
		}
	}
	rc = 0;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0)
		tc_baseline_free(b);
	return rc;
}

int tc_baseline_load(const char *path, int missing_ok, struct tc_baseline *b, char *err,
		     size_t cap)
{
	memset(b, 0, sizeof(*b));
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, cap, "cannot read baseline %s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t n = 0, bcap = 0;
	int rc = -1;
	for (;;) {
		if (n == bcap) {
			if (bcap >= ((size_t)16 << 20)) {
				snprintf(err, cap, "%s: baseline larger than 16 MiB", path);
				goto out;
			}
			size_t nc = bcap ? bcap * 2 : 8192;
			char *nb = realloc(buf, nc);
			if (!nb) {
				snprintf(err, cap, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
			bcap = nc;
		}
		size_t r = fread(buf + n, 1, bcap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	rc = tc_baseline_load_buf(path, buf ? buf : "", n, b, err, cap);
out:
	fclose(f);
	free(buf);
	return rc;
}

int tc_baseline_check_target(const struct tc_baseline *b, const char *target, char *err,
			     size_t cap)
{
	if (b->target[0] && target && strcmp(b->target, target) != 0) {
		snprintf(err, cap, "the baseline is for target '%s', not '%s' (baselines are per "
				   "target)", b->target, target);
		return -1;
	}
	return 0;
}

int tc_baseline_copy(struct tc_baseline *dst, const struct tc_baseline *src)
{
	memset(dst, 0, sizeof(*dst));
	snprintf(dst->target, sizeof(dst->target), "%s", src->target);
	if (src->n == 0)
		return 0;
	dst->d = malloc((size_t)src->n * sizeof(*dst->d));
	if (!dst->d)
		return -1;
	memcpy(dst->d, src->d, (size_t)src->n * sizeof(*dst->d));
	dst->n = dst->cap = src->n;
	return 0;
}

int tc_baseline_warn_legacy(FILE *out, const char *name, const struct tc_baseline *b)
{
	/* The first few in full; the rest by line, so a large older file does not bury a run's
	 * output while every entry is still named. */
	enum { FULL = 5 };
	int k = 0;
	for (int i = 0; b && i < b->n; i++) {
		if (b->d[i].nsigs)
			continue;
		if (k < FULL)
			fprintf(out, "%s:%d: warning: deviation '%s'%s%s%s lists no failures: it excuses "
				     "every failure of the case (the older id-only form); name the failures "
				     "it excuses under failures: (--update-baseline writes them)\n",
				name, b->d[i].line, b->d[i].id, b->d[i].family[0] ? " [" : "",
				b->d[i].family, b->d[i].family[0] ? "]" : "");
		else
			fprintf(out, "%s%d", k == FULL ? "" : ", ", b->d[i].line);
		if (k == FULL - 1) {
			int more = 0;
			for (int j = i + 1; j < b->n; j++)
				more += b->d[j].nsigs == 0;
			if (more)
				fprintf(out, "%s: warning: %d more deviations in the id-only form, each "
					     "excusing a whole case, on lines ", name, more);
		}
		k++;
	}
	if (k > FULL)
		fputc('\n', out);
	return k;
}

const struct tc_deviation *tc_baseline_find(const struct tc_baseline *b, const struct tc_result *r)
{
	for (int i = 0; b && i < b->n; i++)
		if (strcmp(b->d[i].id, r->id) == 0 &&
		    (!b->d[i].family[0] || strcmp(b->d[i].family, r->family) == 0))
			return &b->d[i];
	return NULL;
}

int tc_bl_sig_matches(const struct tc_bl_sig *s, const struct tc_failure *f)
{
	/* Failures from result files of older versions have no judge: the case judged them. */
	const char *judge = f->judge[0] ? f->judge : "case";
	if (s->step >= 0 && s->step != f->step)
		return 0;
	if (s->field[0] && strcmp(s->field, f->field) != 0)
		return 0;
	if (s->judge[0] && strcmp(s->judge, judge) != 0)
		return 0;
	if (s->req[0] && strcmp(s->req, f->req) != 0)
		return 0;
	if (s->rule[0] && strcmp(s->rule, f->rule) != 0)
		return 0;
	return 1;
}

int tc_bl_needs_sig(const struct tc_failure *f, int strict)
{
	return strict || f->level == TC_LVL_MUST;
}

/* The verdict as the baseline sees it: under --strict a warn is a fail. */
static int eff_verdict(const struct tc_result *r, int strict)
{
	return r->verdict == TC_V_WARN && strict ? TC_V_FAIL : r->verdict;
}

static int listed(const struct tc_deviation *d, const struct tc_failure *f)
{
	for (int k = 0; k < d->nsigs; k++)
		if (tc_bl_sig_matches(&d->sigs[k], f))
			return 1;
	return 0;
}

int tc_baseline_classify(const struct tc_baseline *b, const struct tc_result *r, int strict)
{
	const struct tc_deviation *d = tc_baseline_find(b, r);
	switch (eff_verdict(r, strict)) {
	case TC_V_FAIL: {
		if (!d)
			return TC_BL_NONE;
		if (d->nsigs == 0)
			return TC_BL_KNOWN; /* the older id-only form excuses the whole case */
		int needed = 0;
		for (int j = 0; j < r->nfailures; j++) {
			if (!tc_bl_needs_sig(&r->failures[j], strict))
				continue;
			needed++;
			if (!listed(d, &r->failures[j]))
				return TC_BL_NEW;
		}
		/* A fail with no failure to match (a result file written under --strict, read
		 * without it) cannot be attributed to a listed deviation. */
		return needed ? TC_BL_KNOWN : TC_BL_NEW;
	}
	case TC_V_PASS:
		return d ? TC_BL_FIXED : TC_BL_NONE;
	default:
		/* A warn stays a warn, an error an error, whatever the baseline says. */
		return TC_BL_NONE;
	}
}

int tc_baseline_failure_mark(const struct tc_baseline *b, const struct tc_result *r, int j,
			     int strict)
{
	const struct tc_deviation *d = tc_baseline_find(b, r);
	if (!d || d->nsigs == 0 || j < 0 || j >= r->nfailures ||
	    !tc_bl_needs_sig(&r->failures[j], strict))
		return TC_BLF_NONE;
	return listed(d, &r->failures[j]) ? TC_BLF_LISTED : TC_BLF_NEW;
}

int tc_bl_sig_stale(const struct tc_deviation *d, int k, const struct tc_result *r, int strict)
{
	for (int j = 0; j < r->nfailures; j++)
		if (tc_bl_needs_sig(&r->failures[j], strict) &&
		    tc_bl_sig_matches(&d->sigs[k], &r->failures[j]))
			return 0;
	return 1;
}

void tc_baseline_apply(const struct tc_baseline *b, const struct tc_result *rs, int n, int strict,
		       unsigned char *marks, struct tc_bl_counts *k)
{
	memset(k, 0, sizeof(*k));
	for (int i = 0; i < n; i++) {
		const struct tc_result *r = &rs[i];
		int m = tc_baseline_classify(b, r, strict);
		const struct tc_deviation *d = tc_baseline_find(b, r);
		switch (eff_verdict(r, strict)) {
		case TC_V_FAIL:
			if (m == TC_BL_KNOWN)
				k->known++;
			else
				k->new_failures++;
			for (int s = 0; d && s < d->nsigs; s++)
				k->fixed_failures += tc_bl_sig_stale(d, s, r, strict);
			break;
		case TC_V_PASS:
			k->fixed += m == TC_BL_FIXED;
			break;
		case TC_V_WARN:
			k->warnings++;
			/* Listed, but it no longer breaks a MUST: the entry can go. */
			k->fixed += d != NULL;
			break;
		case TC_V_SKIP:
			break;
		default:
			k->errors++;
			break;
		}
		if (marks)
			marks[i] = (unsigned char)m;
	}
}

int tc_baseline_exit(const struct tc_bl_counts *k)
{
	return k->new_failures || k->errors ? 1 : 0;
}

void tc_bl_sig_str(const struct tc_bl_sig *s, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
#define PART(...)                                                                         \
	do {                                                                              \
		if (o < cap)                                                              \
			o += (size_t)snprintf(buf + o, cap - o, __VA_ARGS__);             \
	} while (0)
	PART("{");
	if (s->step >= 0)
		PART("step: %d", s->step);
	if (s->field[0])
		PART("%sfield: %s", o > 1 ? ", " : "", s->field);
	if (s->judge[0])
		PART("%sjudge: %s", o > 1 ? ", " : "", s->judge);
	if (s->req[0])
		PART("%sreq: %s", o > 1 ? ", " : "", s->req);
	if (s->rule[0])
		PART("%srule: \"%s\"", o > 1 ? ", " : "", s->rule);
	PART("}");
#undef PART
}

static int sig_equal(const struct tc_bl_sig *a, const struct tc_bl_sig *b)
{
	return a->step == b->step && strcmp(a->field, b->field) == 0 &&
	       strcmp(a->judge, b->judge) == 0 && strcmp(a->req, b->req) == 0 &&
	       strcmp(a->rule, b->rule) == 0;
}

static int has_sig(const struct tc_deviation *d, const struct tc_bl_sig *s)
{
	for (int k = 0; k < d->nsigs; k++)
		if (sig_equal(&d->sigs[k], s))
			return 1;
	return 0;
}

/* The signatures of r's failures that need one, deduplicated, in failure order. */
static void sigs_of(struct tc_deviation *d, const struct tc_result *r, int strict)
{
	d->nsigs = 0;
	for (int j = 0; j < r->nfailures && d->nsigs < TC_BL_MAX_SIGS; j++) {
		const struct tc_failure *f = &r->failures[j];
		if (!tc_bl_needs_sig(f, strict))
			continue;
		struct tc_bl_sig g;
		memset(&g, 0, sizeof(g));
		g.step = f->step;
		snprintf(g.field, sizeof(g.field), "%s", f->field);
		snprintf(g.judge, sizeof(g.judge), "%s", f->judge[0] ? f->judge : "case");
		snprintf(g.req, sizeof(g.req), "%s", f->req);
		/* A failure without a field (never written so by the checkers) is named by its
		 * rule, so the signature still names something. */
		if (!g.field[0] && !g.req[0])
			snprintf(g.rule, sizeof(g.rule), "%s", f->rule[0] ? f->rule : f->message);
		if (!has_sig(d, &g))
			d->sigs[d->nsigs++] = g;
	}
}

static void fill_new(struct tc_deviation *d, const struct tc_result *r, const char *family,
		     int strict)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->id, sizeof(d->id), "%s", r->id);
	snprintf(d->family, sizeof(d->family), "%s", family);
	sigs_of(d, r, strict);
	const struct tc_failure *first = NULL;
	for (int j = 0; j < r->nfailures && !first; j++)
		if (tc_bl_needs_sig(&r->failures[j], strict))
			first = &r->failures[j];
	snprintf(d->reason, sizeof(d->reason), "%s", first ? first->message : "fails");
	/* The requirements the failures name, else the case's refs. */
	size_t o = 0;
	for (int j = 0; j < d->nsigs && o < sizeof(d->rfc); j++) {
		if (!d->sigs[j].req[0] || strstr(d->rfc, d->sigs[j].req))
			continue;
		o += (size_t)snprintf(d->rfc + o, sizeof(d->rfc) - o, "%s%s", o ? ", " : "",
				      d->sigs[j].req);
	}
	for (int j = 0; !d->rfc[0] && j < r->nrefs && o < sizeof(d->rfc); j++)
		o += (size_t)snprintf(d->rfc + o, sizeof(d->rfc) - o, "%s%s", j ? ", " : "", r->refs[j]);
}

/* The result for (id, family) in this run, or NULL. */
static const struct tc_result *find_result(const struct tc_result *rs, int n, const char *id,
					   const char *family)
{
	for (int i = 0; i < n; i++)
		if (strcmp(rs[i].id, id) == 0 && strcmp(rs[i].family, family) == 0)
			return &rs[i];
	return NULL;
}

static int same_sigs(const struct tc_deviation *a, const struct tc_deviation *b)
{
	if (a->nsigs != b->nsigs)
		return 0;
	for (int k = 0; k < a->nsigs; k++)
		if (!has_sig(b, &a->sigs[k]))
			return 0;
	return 1;
}

int tc_baseline_update(struct tc_baseline *b, const struct tc_result *rs, int n, const char *target,
		       int strict)
{
	static const char *const fams[2] = {"ipv4", "ipv6"};
	struct tc_baseline nb;
	unsigned char *fresh = NULL; /* per entry of nb: written from this run's failure only */
	int fcap = 0;
	memset(&nb, 0, sizeof(nb));
	snprintf(nb.target, sizeof(nb.target), "%s", target ? target : b->target);
#define ADD(x, isfresh)                                                                    \
	do {                                                                               \
		if (nb.n + 1 > fcap) {                                                     \
			int nc = fcap ? fcap * 2 : 32;                                     \
			unsigned char *nf = realloc(fresh, (size_t)nc);                    \
			if (!nf)                                                           \
				goto oom;                                                  \
			fresh = nf;                                                        \
			fcap = nc;                                                         \
		}                                                                          \
		if (!((x) = add(&nb)))                                                     \
			goto oom;                                                          \
		fresh[nb.n - 1] = (isfresh);                                               \
	} while (0)
	/* Existing deviations, one family at a time (coalesced again below). */
	for (int i = 0; i < b->n; i++) {
		const struct tc_deviation *d = &b->d[i];
		for (int f = 0; f < 2; f++) {
			if (d->family[0] && strcmp(d->family, fams[f]) != 0)
				continue;
			const struct tc_result *r = find_result(rs, n, d->id, fams[f]);
			struct tc_deviation *x;
			if (!r || r->verdict == TC_V_SKIP || r->verdict == TC_V_ERROR) {
				/* A case not run (or skipped, or broken) tells nothing: keep it. */
				ADD(x, 0);
				*x = *d;
			} else if (eff_verdict(r, strict) == TC_V_FAIL) {
				/* The deviation as it is now, with the entry's own words. */
				ADD(x, 0);
				fill_new(x, r, fams[f], strict);
				snprintf(x->reason, sizeof(x->reason), "%s", d->reason);
				snprintf(x->rfc, sizeof(x->rfc), "%s", d->rfc);
			} else {
				continue; /* passes, or only warns: the entry goes */
			}
			x->line = 0;
			snprintf(x->family, sizeof(x->family), "%s", fams[f]);
		}
	}
	/* New failures. */
	for (int i = 0; i < n; i++) {
		const struct tc_result *r = &rs[i];
		if (eff_verdict(r, strict) != TC_V_FAIL || tc_baseline_find(b, r))
			continue;
		struct tc_deviation *x;
		ADD(x, 1);
		fill_new(x, r, r->family, strict);
	}
	/* Both families alike become one entry without a family. */
	for (int i = 0; i < nb.n; i++) {
		if (strcmp(nb.d[i].family, "ipv4") != 0)
			continue;
		for (int j = 0; j < nb.n; j++) {
			struct tc_deviation *a = &nb.d[i], *c = &nb.d[j];
			if (strcmp(c->family, "ipv6") != 0 || strcmp(a->id, c->id) != 0)
				continue;
			if (a->nsigs != c->nsigs || (a->nsigs && !same_sigs(a, c)) ||
			    strcmp(a->rfc, c->rfc) != 0 ||
			    (strcmp(a->reason, c->reason) != 0 && !(fresh[i] && fresh[j])))
				break;
			a->family[0] = '\0';
			nb.d[j] = nb.d[nb.n - 1];
			fresh[j] = fresh[nb.n - 1];
			nb.n--;
			break;
		}
	}
#undef ADD
	free(fresh);
	tc_baseline_free(b);
	*b = nb;
	return 0;
oom:
	free(fresh);
	tc_baseline_free(&nb);
	return -1;
}

static void yq(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7F)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static int cmp_dev(const void *a, const void *b)
{
	const struct tc_deviation *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : strcmp(x->family, y->family);
}

void tc_baseline_write(FILE *out, const struct tc_baseline *b)
{
	fputs("# Known deviations: the failures listed here do not fail a tcpconform run; any "
	      "other\n# failure of a listed case does (see docs/ci.md, suites/baselines/README.md).\n",
	      out);
	fputs("# `tcpconform run --baseline FILE --update-baseline` rewrites this file.\n", out);
	fputs("target: ", out);
	yq(out, b->target);
	if (b->n == 0) {
		fputs("\ndeviations: []\n", out);
		return;
	}
	fputs("\ndeviations:\n", out);
	struct tc_deviation *s = malloc((size_t)b->n * sizeof(*s));
	if (s) {
		memcpy(s, b->d, (size_t)b->n * sizeof(*s));
		qsort(s, (size_t)b->n, sizeof(*s), cmp_dev);
	}
	const struct tc_deviation *list = s ? s : b->d;
	for (int i = 0; i < b->n; i++) {
		const struct tc_deviation *d = &list[i];
		fputs("  - id: ", out);
		yq(out, d->id);
		if (d->family[0])
			fprintf(out, "\n    family: %s", d->family);
		if (d->nsigs)
			fputs("\n    failures:", out);
		for (int k = 0; k < d->nsigs; k++) {
			const struct tc_bl_sig *g = &d->sigs[k];
			int first = 1;
			fputs("\n      - {", out);
			if (g->step >= 0) {
				fprintf(out, "step: %d", g->step);
				first = 0;
			}
			const char *keys[4] = {"field", "judge", "req", "rule"};
			const char *vals[4] = {g->field, g->judge, g->req, g->rule};
			for (int q = 0; q < 4; q++) {
				if (!vals[q][0])
					continue;
				fprintf(out, "%s%s: ", first ? "" : ", ", keys[q]);
				yq(out, vals[q]);
				first = 0;
			}
			fputc('}', out);
		}
		fputs("\n    reason: ", out);
		yq(out, d->reason);
		fputs("\n    rfc: ", out);
		yq(out, d->rfc);
		fputc('\n', out);
	}
	free(s);
}

static void write_cb(FILE *out, const void *arg)
{
	tc_baseline_write(out, arg);
}

int tc_baseline_write_file(const char *path, const struct tc_baseline *b, char *err, size_t cap)
{
	return tc_write_atomic(path, write_cb, b, err, cap);
}
