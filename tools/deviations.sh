#!/bin/sh
# deviations.sh [BUILD] - regenerate docs/deviations/linux.md from a real run: every suite
# against the local kernel, judged by the reference model's rfc9293 profile (needs root, like
# `make run`). The differences are case by case with the rule; tools/deviations.py explains.
set -u
BUILD=${1:-build}
out=$(mktemp /tmp/tcpconform-dev.XXXXXX.json)
"$BUILD/tcpconform" run --no-progress --profile rfc9293 --json "$out" suites/ >/dev/null 2>&1
rc=$?
if [ "$rc" -gt 1 ] || [ ! -s "$out" ]; then
	echo "deviations.sh: the run failed (exit $rc)" >&2
	rm -f "$out"
	exit 1
fi
mkdir -p docs/deviations
python3 tools/deviations.py gen "$out" docs/deviations/linux.md
rm -f "$out"
