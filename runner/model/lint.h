/*
 * lint.h - `tcpconform lint`: the cases checked against the reference model alone (lint.c).
 */
#ifndef TC_LINT_H
#define TC_LINT_H

/* Runs the lint command (argv[0] is "lint"). Returns the exit status: 0, 1 findings, 2 usage. */
int tc_lint_main(int argc, char **argv);

#endif
