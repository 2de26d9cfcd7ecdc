/*
 * lint.h - `tcpconform lint`: the cases checked against the reference model alone (lint.c).
 */
#ifndef TC_LINT_H
#define TC_LINT_H

#include <stdio.h>

/* Runs the lint command (argv[0] is "lint"). Returns the exit status: 0, 1 findings, 2 usage. */
int tc_lint_main(int argc, char **argv);

/*
 * tc_lint_run - tc_lint_main with the report (findings, differences, the reviewed list's
 * problems, the summary line) written to out instead of stdout; usage and input errors still go
 * to stderr. Same exit status. For tests.
 */
int tc_lint_run(int argc, char **argv, FILE *out);

#endif
