/*
 * exec.h - run the steps of one case on one address family through a struct tc_io and judge
 * what comes back.
 */
#ifndef TC_EXEC_H
#define TC_EXEC_H

#include <signal.h>
#include <stdint.h>

#include "case.h"
#include "io.h"
#include "../common/result.h"

struct tc_knobs;

struct tc_exec_cfg {
	int family;                /* TC_FAMILY_V4 / TC_FAMILY_V6 */
	uint8_t target_addr[16];   /* the stack under test */
	uint8_t peer_addr[16];     /* the injector's address */
	uint32_t seed;             /* for our ISN, port and IP IDs when the case does not fix them */
	/* The reference model's profile (runner/model/model.h), or NULL: no model judge, and
	 * `expect: auto` and the names rcv_nxt... are errors. */
	const struct tc_knobs *knobs;
};

/* Set from a signal handler (SIGINT/SIGTERM): the current case stops with an `error` verdict. */
extern volatile sig_atomic_t tc_exec_interrupted;

/*
 * tc_exec_case - run c with cfg through io. Fills r (verdict, failures, trace, duration); the
 * caller sets r->id and friends beforehand if it wants. Never fails as a function: harness
 * problems become an `error` verdict with the reason in r->reason.
 */
void tc_exec_case(const struct tc_case *c, const struct tc_exec_cfg *cfg, const struct tc_io *io,
		  struct tc_result *r);

/* The filler written for `len: N` payloads, by us and by the agent: "0123456789" repeated. */
void tc_fill_pattern(uint8_t *buf, size_t n);

/* A small deterministic PRNG (xorshift32) so a seed reproduces a run's ISN, ports and IDs. */
uint32_t tc_prng(uint32_t *state);

#endif
