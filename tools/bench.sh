#!/bin/sh
# `make bench`: figures, not assertions. Micro-benchmarks of the offline paths, then the cost of
# a case's environment (namespaces, veth, agent) and the wall time of the suites at several
# --jobs settings against the local kernel.
set -eu
B=${1:-build}
echo "== offline paths (build/bench)"
"$B/bench"
echo
echo "== per-case overhead: one trivial case (SYN to a closed port), 20 runs, --jobs 1"
t0=$(date +%s%N)
for _ in $(seq 1 20); do
	"$B/tcpconform" run --jobs 1 --family ipv4 suites/handshake/no-listener.rst-ack.yaml >/dev/null
done
t1=$(date +%s%N)
echo "  $(( (t1 - t0) / 20000000 )) ms per case run (set-up, case, tear-down, process start)"
echo
# --jobs 1 is left out: with the state-event matrix it takes minutes and says little more
# than the per-case overhead above times the number of case runs.
for j in 4 8 16; do
	t0=$(date +%s%N)
	"$B/tcpconform" run --jobs "$j" --json "$B/bench-$j.json" suites/ >/dev/null || true
	t1=$(date +%s%N)
	np=$(grep -c '"verdict": "pass"' "$B/bench-$j.json" || true)
	nt=$(grep -c '"verdict": ' "$B/bench-$j.json" || true)
	echo "== suites/ with --jobs $j: $(( (t1 - t0) / 1000000 )) ms wall, $np of $nt case runs passed"
done
