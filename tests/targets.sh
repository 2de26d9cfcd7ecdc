#!/bin/bash
# The targets beyond the local kernel (docs/targets.md), as run-all.sh section 10. Prints
# "ok - ..." / "not ok - ..." lines.
#   a. every suite case against lwIP on TAP (suites/targets/lwip.yaml), judged with its
#      baseline: no new failure; errors only where docs/deviations/lwip.md explains them
#   b. nothing left behind by that run (namespaces, TAP devices, harness processes)
#   c. a harness killed mid-case: that case is an `error`, nothing is left behind
#   d. a harness that hangs (SIGSTOP) mid-case: `error`, nothing is left behind
set -u
BUILD=${1:-build}
TC=$BUILD/tcpconform
tmp=$(mktemp -d /tmp/tcpconform-targets.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $1"; }
ko() { echo "not ok - $1${2:+: $2}"; }

if [ ! -x "$BUILD/tcpconform-lwip" ]; then
	ko "lwIP harness built" "$BUILD/tcpconform-lwip missing (is liblwip-dev installed?)"
	exit 0
fi

# Leftovers of runner pid $1: namespaces, TAP devices in our namespace, harness processes.
leftovers() {
	local pid=$1 marker=$2 out=""
	out+=$(ip netns list | grep "^tcpc-$pid-" | tr '\n' ' ')
	out+=$(ip -o link show | grep -o 'tc-tap[^:]*' | tr '\n' ' ')
	out+=$(pgrep -f "$marker" | tr '\n' ' ')
	echo "$out"
}

# a/b. The whole suite against lwIP. The baseline (named by the target file) excuses known
# deviations; errors still count, except the ones docs/deviations/lwip.md lists as lwIP's
# slowness outrunning a case's own timeout.
allowed_errors="options.wscale.above-14.treated-as-14"
"$TC" run --target tap --target-file suites/targets/lwip.yaml --no-progress \
	--json "$tmp/lwip.json" suites/ >"$tmp/lwip.out" 2>&1 &
pid=$!
wait $pid
st=$?
summary=$(grep -E '^baseline .*new failures' "$tmp/lwip.out" | tail -1)
counts=$(tail -3 "$tmp/lwip.out" | grep -E 'passed, .* failed' | tail -1)
python3 - "$tmp/lwip.json" "$allowed_errors" >"$tmp/judge.out" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
allowed = set(sys.argv[2].split())
bad = []
for r in d["cases"]:
    v = r["verdict"]
    if v == "error" and r["id"] not in allowed:
        bad.append("error %s [%s]: %s" % (r["id"], r["family"], r.get("reason", "")[:200]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
judge=$?
new=$(printf '%s\n' "$summary" | sed -n 's/.*: \([0-9]*\) new failures.*/\1/p')
if [ -n "$new" ] && [ "$new" -eq 0 ] && [ "$judge" -eq 0 ]; then
	ok "suites against lwIP on TAP: $counts; $summary"
else
	grep -E '^(FAIL|ERROR)' "$tmp/lwip.out" | head -40
	cat "$tmp/judge.out"
	ko "suites against lwIP on TAP" "exit $st; $counts; $summary"
fi
left=$(leftovers $pid "$BUILD/tcpconform-lwip --tap")
[ -z "$left" ] && ok "the lwIP run left no namespace, TAP device or harness" ||
	ko "the lwIP run left things behind" "$left"

# c/d. A harness that dies or hangs mid-case. The harness is a copy of tcpconform-lwip under a
# unique name, started by a wrapper that kills (or stops) it 0.3s after start; the case
# (SYN-ACK retransmission, ~3s) is still running then.
cp "$BUILD/tcpconform-lwip" "$tmp/dying-lwip"
for how in KILL STOP; do
	cat >"$tmp/dying-$how.yaml" <<EOF
name: dying-lwip-$how
target: tap
profile: lwip
harness: ["/bin/sh", "-c", "\"\$0\" \"\$@\" & p=\$!; sleep 0.3; kill -$how \$p; [ $how = STOP ] && exec sleep 600; wait", "$tmp/dying-lwip",
          "--tap", "{tap}", "--mac", "{target_mac}", "--ipv4", "{target4}/24"]
target_mac: "02:00:00:00:00:01"
target4: 192.0.2.1
peer4: 192.0.2.2
EOF
	"$TC" run --target tap --target-file "$tmp/dying-$how.yaml" --no-progress --family ipv4 \
		--json "$tmp/dying-$how.json" --filter handshake.synack-retransmit suites/ \
		>"$tmp/dying-$how.out" 2>&1 &
	pid=$!
	wait $pid
	st=$?
	verdict=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["cases"]; print(r[0]["verdict"] if len(r)==1 else "results: %d" % len(r))' "$tmp/dying-$how.json" 2>&1)
	reason=$(grep -E '^ERROR' "$tmp/dying-$how.out" | head -1)
	what="killed"
	[ "$how" = STOP ] && what="that hangs"
	if [ "$st" -eq 1 ] && [ "$verdict" = "error" ]; then
		ok "a harness $what mid-case makes the case an error ($reason)"
	else
		cat "$tmp/dying-$how.out"
		ko "a harness ${how} mid-case makes the case an error" "exit $st, verdict $verdict"
	fi
	left=$(leftovers $pid "$tmp/dying-lwip")
	[ -z "$left" ] && ok "nothing left behind after the harness $how (namespace, TAP, process)" ||
		ko "leftovers after the harness $how" "$left"
done
