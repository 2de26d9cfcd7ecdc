#!/bin/sh
# Runs cmocka test programs and prints their output; exits non-zero if any failed.
# Used by `make unit` / `make unit-asan`; `make test` uses tests/run-all.sh, which counts.
rc=0
for t in "$@"; do
	"$t" || rc=1
done
exit $rc
