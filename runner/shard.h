/*
 * shard.h - splitting a run across machines (`--shard K/N`).
 *
 * Every selected case goes to exactly one of N shards (disjoint and complete), decided only by
 * the set of cases, so every machine of a CI matrix computes the same split without talking to
 * the others. Shards are balanced by each case's expected duration, estimated from what the case
 * waits for (timers, expect_none, timing checks) rather than by count, because a few cases that
 * wait out retransmission timers take longer than dozens of quick ones.
 */
#ifndef TC_SHARD_H
#define TC_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"

/* Parses "K/N" (1 <= K <= N <= 1000). Returns 0 or -1 with a message in err. */
int tc_shard_parse(const char *s, int *k, int *n, char *err, size_t cap);

/* The expected duration of a case in microseconds, over all the families it runs on. */
int64_t tc_case_estimate_us(const struct tc_case *c);

/*
 * Assigns cases[idx[0..n)] to shards: out[j] in 1..nshards for case idx[j]. Longest expected
 * duration first, each to the currently lightest shard (ties: by id, then the lowest shard), so the
 * result is deterministic. Returns 0, or -1 on allocation failure.
 */
int tc_shard_assign(const struct tc_case *cases, const int *idx, int n, int nshards, int *out);

#endif
