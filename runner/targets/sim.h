/*
 * sim.h - the model playing the target: a struct tc_io (runner/io.h) whose "target" is the
 * reference model with a virtual clock. `tcpconform lint` runs a case's steps through the real
 * executor against it, with no network, no root and no waiting: every explicit expectation the
 * model contradicts becomes an ordinary failure, which lint reports with the model's rule.
 */
#ifndef TC_SIM_H
#define TC_SIM_H

#include "../case.h"
#include "../exec.h"
#include "../io.h"
#include "../../common/result.h"
#include "../model/model.h"

struct tc_sim;

/*
 * tc_sim_new - a simulated target for case c with knobs k (the case's sysctls applied when the
 * profile is "linux"). Fills io and cfg (addresses, family). r is the result the executor will
 * fill: the simulator notes how many failures it held when the model stopped modelling the case.
 * Returns NULL on allocation failure.
 */
struct tc_sim *tc_sim_new(const struct tc_case *c, const struct tc_knobs *k, int family,
			  struct tc_result *r, struct tc_io *io, struct tc_exec_cfg *cfg);
void tc_sim_free(struct tc_sim *s);

/* 1 when the model stopped modelling the case (why, and the failures recorded before, are set). */
int tc_sim_lost(const struct tc_sim *s, const char **why, int *nfail_before);

/* The rule of the model's last decision before virtual time t_us (for findings). */
const char *tc_sim_rule_before(const struct tc_sim *s, int64_t t_us);

/* Maps a socket option name to enum tc_mopt; -1 if the model does not know its effect. */
int tc_model_opt_parse(const char *name);

#endif
