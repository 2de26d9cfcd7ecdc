/*
 * profile.h - model profiles as data: suites/profiles/NAME.yaml sets the knobs of struct
 * tc_knobs (model.h) by name. A profile starts from the rfc9293 defaults (tc_knobs_rfc9293)
 * and overrides what it lists, so each file only says where its stack differs.
 */
#ifndef TC_PROFILE_H
#define TC_PROFILE_H

#include <stddef.h>

#include "model.h"

/*
 * tc_profile_load_file - parse one profile file into k. Returns 0, or -1 with
 * "FILE:LINE:COL: message: 'input'" in err (unknown knob, bad value, not a mapping...).
 */
int tc_profile_load_file(const char *path, struct tc_knobs *k, char *err, size_t cap);
int tc_profile_load_buf(const char *name, const char *buf, size_t len, struct tc_knobs *k,
			char *err, size_t cap);

/*
 * tc_profile_load - find the profile NAME (a path ending in .yaml, or a name looked up in
 * $TCPCONFORM_PROFILES, suites/profiles under the current directory, next to the program
 * (../suites/profiles, ../share/tcpconform/suites/profiles)) and load it. The built-in rfc9293
 * defaults are used for "rfc9293" when no file is found. Returns 0 or -1 with err.
 */
int tc_profile_load(const char *name, struct tc_knobs *k, char *err, size_t cap);

/*
 * Alternatives (docs/model.md "Alternatives"): for some knobs a target may take another value
 * than its profile's and still conform, or depart only from a SHOULD. The judge (judge.c) asks
 * for the alternatives worth trying when the target disagrees with the model, replays the run
 * with each, and adopts one that explains everything seen. This table is the metadata: which
 * knobs have alternatives, how an alternative value is derived, and the requirement level of
 * taking it.
 */

/* What the judge saw of the retransmission timer behind an unexplained segment: the segment
 * came span microseconds after the timer was armed, which had been backed off `backoff` times
 * (RFC 6298 5.5); rtt_valid says whether an RTT sample had set the RTO (RFC 6298 2.2/2.3, so
 * the RTO is the rounded-up minimum of 2.4), else it is the initial RTO of 2.1. */
struct tc_rtxobs {
	int valid;
	int64_t span;
	int backoff;
	int rtt_valid;
	int64_t srtt, rttvar;
};

/* Alternative timer values outside [TC_ALT_RTO_FLOOR_US, TC_ALT_RTO_CEIL_US] are not offered:
 * a retransmission sooner than a tenth of RFC 6298's 1 s, or later than RFC 6298 2.5's 60 s
 * maximum, is not explained away as a timer choice. */
#define TC_ALT_RTO_FLOOR_US 100000
#define TC_ALT_RTO_CEIL_US 60000000

struct tc_kalt {
	int id;                /* index in the metadata table (tc_kalt_apply uses it) */
	char knob[32];         /* the knob's name as in a profile file ("rto_min") */
	int64_t value;         /* the alternative value */
	int level;             /* enum tc_level: TC_LVL_SHOULD departs from a SHOULD; TC_LVL_MAY is
				* a choice the RFCs permit (no failure, a note) */
	char req[32];          /* the requirement a SHOULD departure is against, e.g. "RFC6298-2.4" */
	char text[160];        /* "rto_min 200ms (RFC 6298 2.4 SHOULD round the RTO up to 1 s)" */
	/* A permitted choice the model does not follow (it abstains once it takes it) explains
	 * only a target segment carrying all these flags, at once (0: never by abstaining): a
	 * TIME-WAIT reopened by a new SYN answers with a SYN-ACK. */
	uint8_t abstain_flags;
};

/*
 * tc_kalt_candidates - the alternatives to try against knobs k (the profile's knobs with the
 * alternatives already adopted) for a disagreement; o (may be NULL or !valid) is the timer
 * observation, from which a timer knob's value is learned (never from a fixed list). Writes at
 * most cap candidates to out, in the order they should be tried; returns how many.
 */
int tc_kalt_candidates(const struct tc_knobs *k, const struct tc_rtxobs *o, struct tc_kalt *out,
		       int cap);
/* Sets the alternative's knob in k. */
void tc_kalt_apply(struct tc_knobs *k, const struct tc_kalt *a);

#endif
