/*
 * shard.c - balanced, deterministic split of cases across shards (see shard.h).
 */
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tc_shard_parse(const char *s, int *k, int *n, char *err, size_t cap)
{
	char *end;
	long a = strtol(s, &end, 10);
	if (end == s || *end != '/')
		goto bad;
	const char *s2 = end + 1;
	long b = strtol(s2, &end, 10);
	if (end == s2 || *end || b < 1 || b > 1000 || a < 1 || a > b)
		goto bad;
	*k = (int)a;
	*n = (int)b;
	return 0;
bad:
	snprintf(err, cap, "--shard '%s': give K/N with 1 <= K <= N <= 1000 (e.g. 2/4)", s);
	return -1;
}

/* Setting up and tearing down a pair of namespaces with an agent costs about this much. */
#define CASE_SETUP_US 150000

int64_t tc_case_estimate_us(const struct tc_case *c)
{
	int64_t t = CASE_SETUP_US, at_max = 0;
	for (int i = 0; i < c->nsteps; i++) {
		const struct tc_step *s = &c->steps[i];
		if (s->after_us > 0)
			t += s->after_us;
		if (s->at_us > at_max)
			at_max = s->at_us;
		switch (s->kind) {
		case TC_STEP_WAIT: t += s->wait_us > 0 ? s->wait_us : 0; break;
		case TC_STEP_EXPECT_NONE: t += s->none_us > 0 ? s->none_us : 0; break;
		case TC_STEP_EXPECT:
			/* A timing check waits about as long as the delay it checks. */
			if (s->exp_after_us > 0)
				t += s->exp_after_us;
			break;
		default: break;
		}
	}
	if (at_max > t)
		t = at_max;
	int fams = ((c->families & TC_FAM_MASK_V4) ? 1 : 0) + ((c->families & TC_FAM_MASK_V6) ? 1 : 0);
	return t * (fams ? fams : 1);
}

struct item {
	int j;              /* position in idx / out */
	int64_t w;
	const char *id;
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return strcmp(x->id, y->id);
}

int tc_shard_assign(const struct tc_case *cases, const int *idx, int n, int nshards, int *out)
{
	if (n <= 0)
		return 0;
	if (nshards < 1)
		return -1;
	struct item *it = calloc((size_t)n, sizeof(*it));
	int64_t *load = calloc((size_t)nshards, sizeof(*load));
	if (!it || !load) {
		free(it);
		free(load);
		return -1;
	}
	for (int j = 0; j < n; j++) {
		it[j].j = j;
		it[j].w = tc_case_estimate_us(&cases[idx[j]]);
		it[j].id = cases[idx[j]].id;
	}
	/* Longest processing time first: within 4/3 of the best possible makespan. */
	qsort(it, (size_t)n, sizeof(*it), cmp_item);
	for (int j = 0; j < n; j++) {
		int best = 0;
		for (int s = 1; s < nshards; s++)
			if (load[s] < load[best])
				best = s;
		load[best] += it[j].w;
		out[it[j].j] = best + 1;
	}
	free(it);
	free(load);
	return 0;
}
