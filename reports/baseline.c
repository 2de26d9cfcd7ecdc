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
		int rc;
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
		else
			return where(err, cap, name, k,
				     "unknown key in a deviation (known: id, family, reason, rfc)", key);
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

const struct tc_deviation *tc_baseline_find(const struct tc_baseline *b, const struct tc_result *r)
{
	for (int i = 0; b && i < b->n; i++)
		if (strcmp(b->d[i].id, r->id) == 0 &&
		    (!b->d[i].family[0] || strcmp(b->d[i].family, r->family) == 0))
			return &b->d[i];
	return NULL;
}

void tc_baseline_apply(const struct tc_baseline *b, const struct tc_result *rs, int n,
		       unsigned char *marks, struct tc_bl_counts *k)
{
	memset(k, 0, sizeof(*k));
	for (int i = 0; i < n; i++) {
		const struct tc_deviation *d = tc_baseline_find(b, &rs[i]);
		unsigned char m = TC_BL_NONE;
		switch (rs[i].verdict) {
		case TC_V_FAIL:
			if (d) {
				m = TC_BL_KNOWN;
				k->known++;
			} else {
				k->new_failures++;
			}
			break;
		case TC_V_PASS:
			if (d) {
				m = TC_BL_FIXED;
				k->fixed++;
			}
			break;
		case TC_V_SKIP:
			break;
		default:
			k->errors++;
			break;
		}
		if (marks)
			marks[i] = m;
	}
}

int tc_baseline_exit(const struct tc_bl_counts *k)
{
	return k->new_failures || k->errors ? 1 : 0;
}

static void fill_new(struct tc_deviation *d, const struct tc_result *r, const char *family)
{
	snprintf(d->id, sizeof(d->id), "%s", r->id);
	snprintf(d->family, sizeof(d->family), "%s", family);
	snprintf(d->reason, sizeof(d->reason), "%s",
		 r->nfailures ? r->failures[0].message : "fails");
	size_t o = 0;
	for (int j = 0; j < r->nrefs && o < sizeof(d->rfc); j++)
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

int tc_baseline_update(struct tc_baseline *b, const struct tc_result *rs, int n, const char *target)
{
	static const char *const fams[2] = {"ipv4", "ipv6"};
	struct tc_baseline nb;
	memset(&nb, 0, sizeof(nb));
	snprintf(nb.target, sizeof(nb.target), "%s", target ? target : b->target);
	/* Existing deviations: kept for families that still fail or were not run. */
	for (int i = 0; i < b->n; i++) {
		const struct tc_deviation *d = &b->d[i];
		int keep[2] = {0, 0};
		for (int f = 0; f < 2; f++) {
			if (d->family[0] && strcmp(d->family, fams[f]) != 0)
				continue;
			const struct tc_result *r = find_result(rs, n, d->id, fams[f]);
			/* A case not run (or skipped, or broken) tells nothing: keep it. */
			keep[f] = !r || r->verdict != TC_V_PASS;
		}
		if (!keep[0] && !keep[1])
			continue;
		struct tc_deviation *x = add(&nb);
		if (!x)
			goto oom;
		*x = *d;
		x->line = 0;
		if (!d->family[0] && keep[0] != keep[1])
			snprintf(x->family, sizeof(x->family), "%s", keep[0] ? "ipv4" : "ipv6");
	}
	/* New failures. */
	for (int i = 0; i < n; i++) {
		const struct tc_result *r = &rs[i];
		if (r->verdict != TC_V_FAIL || tc_baseline_find(&nb, r))
			continue;
		/* Both families failing become one deviation without a family. */
		const char *other = strcmp(r->family, "ipv4") == 0 ? "ipv6" : "ipv4";
		const struct tc_result *o = find_result(rs, n, r->id, other);
		int both = o && o->verdict == TC_V_FAIL;
		struct tc_deviation *x = add(&nb);
		if (!x)
			goto oom;
		fill_new(x, r, both ? "" : r->family);
	}
	tc_baseline_free(b);
	*b = nb;
	return 0;
oom:
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
	fputs("# Known deviations: failures listed here do not fail a tcpconform run; see "
	      "docs/ci.md.\n", out);
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
