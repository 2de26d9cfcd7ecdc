/*
 * duration.h - durations as every YAML file of tcpconform writes them. Pure: no I/O, no state.
 */
#ifndef TC_DURATION_H
#define TC_DURATION_H

#include <stdint.h>

/* Parses a duration "500ms", "2s", "1.5s", "100us" (also "1m"): a decimal number with an optional
 * fraction and one of the units us, ms, s, m. Returns microseconds, or -1 for anything else (no
 * unit, a sign, spaces, more than 9 digits on either side of the point, more than about 11 days). */
int64_t tc_parse_duration(const char *s);

#endif
