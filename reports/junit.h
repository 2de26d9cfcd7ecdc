/*
 * junit.h - JUnit XML (`--junit FILE`), the de-facto format CI systems read (GitHub Actions test
 * reporters, GitLab's junit artifacts, Jenkins' junit step). tests/schema/junit.xsd describes
 * exactly what we write.
 *
 * One <testsuite> per area (the case id before its first dot), one <testcase> per case and
 * family: name "ID [FAMILY]", classname the area. A fail has a <failure> whose message is the
 * first mismatch and whose body lists every mismatch field by field (with the model's rule when
 * there is one); an error has an <error>; a skip a <skipped>. A known deviation (the baseline lists
 * the failure) is a <skipped> whose message starts "known deviation", so CI stays green on it; a
 * fixed one passes with a <system-out> note. Failing cases carry their trace in <system-out>.
 */
#ifndef TC_JUNIT_H
#define TC_JUNIT_H

#include <stdio.h>

#include "report.h"

void tc_junit_write(FILE *out, const struct tc_report *rep);

#endif
