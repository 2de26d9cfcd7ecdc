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

#endif
