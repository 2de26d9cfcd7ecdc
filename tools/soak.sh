#!/usr/bin/env bash
# tools/soak.sh - runs suites/ SOAK_RUNS times (default 20) against the local Linux kernel with
# the project's usual run options (those of `make run`: the Linux baseline, default jobs) and
# prints every (case, family) whose verdict differed between runs, with the verdicts each run
# gave, then a count. Exit status: 0 when every run agreed, 1 when any verdict differed, 2 for
# bad usage, 3 when a run could not be made at all (not root, no namespaces).
#
#   make soak                                   # 20 runs of everything (minutes each)
#   SOAK_RUNS=2 tools/soak.sh --filter 'reset.*'   # extra arguments go to every run
#
# Each run gets its own random seed (printed by tcpconform), so ports, ISNs and timing differ
# from run to run, as they do between CI runs. A flake is a verdict that changes; a failure
# that is always there is not one (the baseline is about those).
set -u
BUILD=${BUILD:-build}
TC="$BUILD/tcpconform"
RUNS=${SOAK_RUNS:-20}
SUITES=${SOAK_SUITES:-suites/}
case "$RUNS" in
'' | *[!0-9]*) echo "soak: SOAK_RUNS='$RUNS' is not a number" >&2; exit 2 ;;
esac
if [ "$RUNS" -lt 2 ]; then
	echo "soak: SOAK_RUNS=$RUNS: give at least 2 runs to compare" >&2
	exit 2
fi
if [ ! -x "$TC" ]; then
	echo "soak: $TC not found (run make first)" >&2
	exit 2
fi
tmp=$(mktemp -d /tmp/tc-soak-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

for i in $(seq 1 "$RUNS"); do
	start=$(date +%s)
	"$TC" run --baseline suites/baselines/linux.yaml --no-progress --json "$tmp/run-$i.json" \
		"$@" $SUITES >"$tmp/run-$i.out" 2>&1
	st=$?
	# 0 and 1 are verdicts (1: new failures); anything else means the run did not happen.
	if [ "$st" -gt 1 ] || [ ! -s "$tmp/run-$i.json" ]; then
		echo "soak: run $i failed (exit $st):" >&2
		tail -5 "$tmp/run-$i.out" >&2
		exit 3
	fi
	echo "soak: run $i/$RUNS: $(tail -1 "$tmp/run-$i.out") ($(( $(date +%s) - start ))s)"
done

python3 - "$tmp" "$RUNS" <<'PY'
import json, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
seen = {}   # (id, family) -> verdict of each run ("-" when the run did not have it)
for i in range(1, runs + 1):
    with open(f"{tmp}/run-{i}.json") as f:
        for c in json.load(f)["cases"]:
            seen.setdefault((c["id"], c["family"]), ["-"] * runs)[i - 1] = c["verdict"]
diff = sorted(k for k, v in seen.items() if len(set(v)) > 1)
for cid, fam in diff:
    v = seen[(cid, fam)]
    counts = ", ".join(f"{n}x {x}" for x, n in sorted(((x, v.count(x)) for x in set(v)),
                                                     key=lambda t: -t[1]))
    print(f"DIFFERED  {cid} [{fam}]: {counts}; by run: {' '.join(v)}")
print(f"soak: {len(diff)} of {len(seen)} (case, family) results differed across {runs} runs")
sys.exit(1 if diff else 0)
PY
