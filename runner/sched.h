/*
 * sched.h - find case files, select cases, and run them in parallel worker processes.
 *
 * Each (case, family) runs in its own forked worker with its own namespaces, so a crash or a
 * hang in one case is an `error` verdict for that case and the run goes on. Workers send their
 * struct tc_result back through a pipe (result.h).
 */
#ifndef TC_SCHED_H
#define TC_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "../common/result.h"
#include "target.h"

struct tc_knobs;

struct tc_caselist {
	struct tc_case *cases;
	int n, cap;
};

/*
 * tc_collect - load every case under the given paths (files, or folders searched recursively for
 * *.yaml, in sorted order). Stops at the first invalid file with its message in err (which quotes
 * file:line:column). A duplicate id across files is an error too. Returns 0 or -1.
 */
int tc_collect(char *const *paths, int npaths, struct tc_caselist *out, char *err, size_t cap);
void tc_caselist_free(struct tc_caselist *l);

struct tc_run_opts {
	const struct tc_target_ops *target;
	const char *target_arg;      /* target-specific argument, or NULL */
	const char *profile;         /* matched against a case's only/except (e.g. "linux") */
	/* The reference model's profile (--profile, runner/judge.h), the second judge of every
	 * case; NULL: no model. Independent of `profile` above. */
	const struct tc_knobs *knobs;
	int family_mask;             /* TC_FAM_MASK_*; 0 = as each case says */
	const char *filter;          /* glob on id, or NULL */
	const char *tag;             /* or NULL */
	int jobs;
	const char *pcap_dir;        /* or NULL */
	const char *agent_path;
	uint32_t seed;
	int verbose;
	/* --shard K/N (shard.h): run only this shard's cases; shard_n 0 = all cases. */
	int shard_k, shard_n;
	/* Called once before any case starts (skips may already have gone to on_result), with the
	 * number of results the run will produce (cases times families, skips included), e.g. for
	 * a progress line. May be NULL. */
	void (*on_start)(int total, void *arg);
	/* Called in the scheduler process for every finished result, in completion order. */
	void (*on_result)(const struct tc_result *r, void *arg);
	void *arg;
};

/*
 * tc_run - run the selected cases. Results (including skips) are appended to *results
 * (*nresults entries, caller frees each with tc_result_free and the array with free). Returns 0,
 * or -1 if the run could not proceed (err), or 1 if interrupted by SIGINT/SIGTERM.
 */
int tc_run(const struct tc_caselist *cases, const struct tc_run_opts *o,
	   struct tc_result **results, int *nresults, char *err, size_t cap);

#endif
