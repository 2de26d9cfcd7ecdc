/*
 * tap.h - TAP version 13 (`--tap FILE`, "-" for stdout), as read by prove and CI TAP consumers.
 *
 * One test point per case and family, "ok N - ID [FAMILY]". A skip is "ok ... # SKIP reason".
 * A fail or error is "not ok" followed by a YAML diagnostic block (message, severity, file and
 * the failures field by field). A known deviation is "not ok ... # TODO known deviation: ...", so a
 * TAP harness does not count it as failing; a fixed one is "ok ... # TODO fixed: ...", which a
 * harness reports as "unexpectedly succeeded". A warn (only SHOULD-level departures) is
 * "ok ... # warn LEVEL/REQ: message" with the same YAML block (severity: warn): `# warn` is no
 * TAP directive, so the test counts as passed.
 */
#ifndef TC_TAP_H
#define TC_TAP_H

#include <stdio.h>

#include "report.h"

void tc_tap_write(FILE *out, const struct tc_report *rep);

#endif
