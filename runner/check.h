/*
 * check.h - compare a captured segment with a case's `expect`, field by field.
 *
 * Every mismatching field becomes one struct tc_failure naming the field, the expected and the
 * actual value, so a reader sees all that is wrong with a segment at once, not only the first.
 */
#ifndef TC_CHECK_H
#define TC_CHECK_H

#include <stdint.h>

#include "../common/seg.h"
#include "case.h"
#include "../common/result.h"

/*
 * Sequence-number context. In an `expect`, seq counts from the target's ISN and ack from ours
 * (case-format.md "Numbers and time"). Before the target's SYN has been seen its ISN is unknown
 * and relative values are compared as absolute ones (documented in docs/case-format.md).
 */
struct tc_seqctx {
	uint32_t our_isn;
	int target_isn_known;
	uint32_t target_isn;
	const int64_t *names;   /* values of rcv_nxt, rcv_wnd, snd_nxt, snd_una, or NULL */
	/* The level and requirement the failures of a check are recorded with: the step's
	 * (case.h). Zeroed, a check is MUST-level. Checks the RFC makes MUSTs whatever the case
	 * says (a valid checksum, well-formed options) keep their own. */
	int level;              /* enum tc_level */
	const char *req;        /* or NULL */
};

/* The target's sequence number seq, relative to its ISN (or absolute when unknown). */
uint32_t tc_rel_target_seq(const struct tc_seqctx *cx, uint32_t seq);
/* Our sequence number seq (what the target acknowledges), relative to our ISN. */
uint32_t tc_rel_our_seq(const struct tc_seqctx *cx, uint32_t seq);

/*
 * tc_check_seg - check s against e. For each mismatching field, appends a failure for step
 * (1-based) at YAML line `line` to r, judge "case", at cx->level and cx->req. Flags are exact
 * but for e->flags_maybe, which may be set or not. Returns the number of mismatching fields, or
 * -1 if an expectation could not be evaluated (err says why: e.g. a name needing the model).
 */
int tc_check_seg(const struct tc_segspec *e, const struct tc_seg *s, const struct tc_seqctx *cx,
		 int step, int line, struct tc_result *r, char *err, size_t cap);

/*
 * tc_check_opts - match an expected options list against decoded options: same kinds in the
 * same order, values compared where the expectation gives one. A trailing EOL and the zero bytes
 * after it (padding) are ignored unless the expectation lists eol. Returns 0 on a match, else 1
 * with a description of the first difference in why.
 */
int tc_check_opts(const struct tc_optspec *exp, int nexp, const struct tc_opt *act, int nact,
		  const struct tc_seqctx *cx, char *why, size_t cap);

#endif
