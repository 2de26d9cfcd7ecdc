#!/bin/bash
# The targets beyond the local kernel (docs/targets.md), as run-all.sh section 10. Prints
# "ok - ..." / "not ok - ..." lines.
#   a. every suite case against each user-space stack on TAP (lwIP, gVisor's netstack, NetBSD:
#      suites/targets/NAME.yaml), judged with its baseline: no new failure; errors only where
#      docs/deviations/NAME.md explains them
#   b. nothing left behind by each run (namespaces, TAP devices, harness processes)
#   c. a harness killed mid-case: that case is an `error`, nothing is left behind
#   d. a harness that hangs (SIGSTOP) mid-case: `error`, nothing is left behind
#   e-k. the remote target (docs/targets.md "Remote hosts"): namespaces stand in for a host on
#      the wire; see the section below
set -u
BUILD=${1:-build}
TC=$BUILD/tcpconform
tmp=$(mktemp -d /tmp/tcpconform-targets.XXXXXX)
trap 'remote_cleanup; rm -rf "$tmp"' EXIT
remote_cleanup() { :; }
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

# a/b. The whole suite against each user-space stack on a TAP device (lwIP, gVisor's netstack,
# NetBSD's TCP as a rump kernel; a stack whose harness was not built is said so). The baseline
# the target file names excuses known deviations, failure by failure; errors still count, except
# the ones the stack's deviations document (docs/deviations/NAME.md) explains.
# stack_suite NAME HARNESS-BINARY ALLOWED-ERRORS [OPTIONAL-REASON]
# With OPTIONAL-REASON, a harness that was not built is a skip that says why (its stack comes
# from outside Debian's archive); without, it is a failure (tools/deps.sh installs what it needs).
stack_suite() {
	local name=$1 bin=$2 allowed=$3 optional=${4:-} label
	case $name in
	lwip) label="lwIP" ;;
	gvisor) label="gVisor's netstack" ;;
	netbsd) label="NetBSD's TCP (rump)" ;;
	*) label=$name ;;
	esac
	if [ ! -x "$BUILD/$bin" ]; then
		if [ -n "$optional" ]; then
			echo "# skip - suites against $label on TAP: $optional"
		else
			ko "suites against $label on TAP" "$BUILD/$bin was not built (tools/deps.sh installs what it needs)"
		fi
		return
	fi
	"$TC" run --target tap --target-file "suites/targets/$name.yaml" --no-progress \
		--json "$tmp/$name.json" suites/ >"$tmp/$name.out" 2>&1 &
	local pid=$!
	wait $pid
	local st=$?
	local summary counts judge new
	summary=$(grep -E '^baseline .*new failures' "$tmp/$name.out" | tail -1)
	counts=$(tail -3 "$tmp/$name.out" | grep -E 'passed, .* failed' | tail -1)
	python3 - "$tmp/$name.json" "$allowed" >"$tmp/judge-$name.out" 2>&1 <<'EOF'
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
		ok "suites against $label on TAP: $counts; $summary"
	else
		grep -E '^(FAIL|ERROR)' "$tmp/$name.out" | head -40
		cat "$tmp/judge-$name.out"
		ko "suites against $label on TAP" "exit $st; $counts; $summary"
	fi
	local left
	left=$(leftovers $pid "$BUILD/$bin --tap")
	[ -z "$left" ] && ok "the $label run left no namespace, TAP device or harness" ||
		ko "the $label run left things behind" "$left"
}
stack_suite lwip tcpconform-lwip "options.wscale.above-14.treated-as-14"
stack_suite gvisor tcpconform-gvisor ""
stack_suite netbsd tcpconform-netbsd "" "the rump kernel was not found (../shared/rump beside the checkout, or make RUMP=DIR; /work/shared/rump/README.md)"

# The harness kit's minimal example (docs/targets.md "Plug in your stack"; its stack is the
# kernel's own sockets behind a TAP device) judges like the linux target with the linux profile
# on the areas whose cases its kernel passes: every verdict a pass or a skip, nothing left behind.
if [ -x "$BUILD/tcpconform-example" ]; then
	"$TC" run --target tap --target-file suites/targets/example.yaml --no-progress \
		--json "$tmp/example.json" suites/handshake suites/reset suites/teardown suites/socket-api \
		>"$tmp/example.out" 2>&1 &
	pid=$!
	wait $pid
	st=$?
	counts=$(tail -3 "$tmp/example.out" | grep -E 'passed, .* failed' | tail -1)
	if [ "$st" -eq 0 ] && printf '%s\n' "$counts" | grep -q ' 0 failed, .* 0 errors'; then
		ok "the kit's example harness on handshake, reset, teardown, socket-api: $counts"
	else
		grep -E '^(FAIL|ERROR)' "$tmp/example.out" | head -20
		ko "the kit's example harness" "exit $st; $counts"
	fi
	left=$(leftovers $pid "$BUILD/tcpconform-example --tap")
	[ -z "$left" ] && ok "the example run left no namespace, TAP device or harness" ||
		ko "the example run left things behind" "$left"
else
	ko "the kit's example harness" "$BUILD/tcpconform-example was not built"
fi


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

# ---- The remote target ----
# Three namespace pairs stand in for three hosts on the wire: R$k is the "remote host" (its kernel
# under test: 192.0.2.1 and 2001:db8::1 on veth vR, default sysctls, `tcpconform-agent --listen
# 7777`, and a control address 198.18.0.1 on a second veth pair cR), I$k is the injector's side
# (veth vI with no test address and IPv6 off, and 198.18.0.2 on cI to reach the agent). The
# runner runs inside I$k (`ip netns exec`), in a namespace it did not create, and nothing
# configures R's neighbours: R resolves 192.0.2.2 / 2001:db8::2 by real ARP and ND, answered by
# the injector. Offloads are off on both veths, as docs/targets.md tells users to do on NICs.
#   e. the hand-written suites (the area folders below; not the 365 generated cases of
#      suites/state-event/, which would take this part from ~2 to ~6 minutes and exercise the
#      same injector and agent paths) through --target remote, in three shards (one per
#      namespace pair, run at the same time: a remote target runs one case at a time, and these
#      suites serially take about 4 minutes), compared per case and family with a --target
#      linux run: same verdicts (cases with sysctl: go through the agent's SYSCTL verb). A
#      difference is run again once on both targets, alone, before it counts: under the load of
#      a parallel `make test` a timing check can flip on either target, and the line says so
#   f. R learned the injector's addresses by ARP and ND (dynamic neighbour entries, vI's MAC)
#   g. SYSCTL: set while the control session lasts, restored when it ends; non-net.* keys and
#      malformed keys refused
#   h. a runner killed (SIGKILL) mid-case: the agent closes that session's sockets and restores
#      the case's sysctl; it then serves the next run
#   i. refusals and errors: a --peer address configured here (exit 3), an agent that does not
#      answer and a host that does not answer ARP (each an `error` with its reason, promptly),
#      `sysctl: skip` in a target file (the case is a `skip`)
RN="tcrm-$$"
agents=()
remote_cleanup() {
	for p in "${agents[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${agents[@]}"; do wait "$p" 2>/dev/null; done
	for k in 1 2 3; do
		# Whatever still runs inside a namespace dies with it: deleting the namespace alone
		# would leave such a process running in a namespace no one can reach.
		for ns in "$RN-R$k" "$RN-I$k"; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		done
	done
	agents=()
}
remote_setup() {
	local k=$1 R="$RN-R$1" I="$RN-I$1"
	ip netns add "$R" && ip netns add "$I" || return 1
	ip -n "$R" link set lo up && ip -n "$I" link set lo up &&
	ip link add vR netns "$R" type veth peer name vI netns "$I" &&
	ip link add cR netns "$R" type veth peer name cI netns "$I" &&
	ip netns exec "$I" sysctl -qw net.ipv6.conf.vI.disable_ipv6=1 &&
	ip -n "$R" addr add 192.0.2.1/24 dev vR &&
	ip -n "$R" -6 addr add 2001:db8::1/64 dev vR nodad &&
	ip -n "$R" addr add 198.18.0.1/30 dev cR &&
	ip -n "$I" addr add 198.18.0.2/30 dev cI || return 1
	ip netns exec "$R" ethtool -K vR rx off tx off sg off tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$I" ethtool -K vI rx off tx off sg off tso off gso off gro off >/dev/null 2>&1
	ip -n "$R" link set vR up && ip -n "$R" link set cR up &&
	ip -n "$I" link set vI up && ip -n "$I" link set cI up || return 1
	ip netns exec "$R" "$BUILD/tcpconform-agent" --listen 7777 2>"$tmp/agent-$k.err" &
	agents+=($!)
	eval "agent_pid_$k=$!"
	# The links' carrier, then the agent's port.
	for i in $(seq 100); do
		ip netns exec "$I" bash -c 'grep -q up /sys/class/net/vI/operstate &&
			exec 3<>/dev/tcp/198.18.0.1/7777' 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
remote_run() { # k, then tcpconform run arguments
	local k=$1
	shift
	ip netns exec "$RN-I$k" "$TC" run --target remote --iface vI --host 192.0.2.1,2001:db8::1 \
		--peer 192.0.2.2,2001:db8::2 --agent 198.18.0.1:7777 --no-progress --profile rfc9293 "$@"
}

if ! command -v ethtool >/dev/null; then
	ko "remote target" "ethtool missing (tools/deps.sh installs it)"
	exit 0
fi
# Not in a subshell: the agents' process ids must reach remote_cleanup.
if ! remote_setup 1 || ! remote_setup 2 || ! remote_setup 3; then
	ko "remote target: namespaces for the remote host and the injector could not be set up"
	exit 0
fi

# f's witness: R's neighbour events while the suites run. The entries themselves cannot be
# read afterwards: once the runs end nobody answers for 192.0.2.2, so a late retransmission
# from one of R's orphaned connections re-probes a STALE entry and leaves it FAILED.
ip -n "$RN-R1" monitor neigh >"$tmp/neigh.log" 2>&1 &
neigh_mon=$!
agents+=($neigh_mon)

# e. The suites both ways.
areas="suites/data suites/handshake suites/options suites/reset suites/robustness suites/sequence
suites/socket-api suites/teardown suites/timers"
t0=$(date +%s)
"$TC" run --target linux --no-progress --json "$tmp/r-linux.json" $areas >"$tmp/r-linux.out" 2>&1
for k in 1 2 3; do
	remote_run $k --shard $k/3 --json "$tmp/r-remote-$k.json" $areas >"$tmp/r-remote-$k.out" 2>&1 &
	eval "rpid_$k=$!"
done
wait $rpid_1 $rpid_2 $rpid_3
t1=$(date +%s)
# Compares the linux results (first file) with the remote ones (the others) per case and family;
# prints a summary line, the differences, and "RERUN id family" lines for them.
compare() {
	python3 - "$@" <<'PY'
import json, sys
lin = {(c["id"], c["family"]): c for c in json.load(open(sys.argv[1]))["cases"]}
rem = {}
for f in sys.argv[2:]:
    for c in json.load(open(f))["cases"]:
        rem[(c["id"], c["family"])] = c
diff, rerun = [], []
for k in sorted(set(lin) | set(rem)):
    a, b = lin.get(k), rem.get(k)
    if not a or not b:
        diff.append("%s [%s]: only in the %s run" % (k[0], k[1], "remote" if b else "linux"))
    elif a["verdict"] != b["verdict"]:
        diff.append("%s [%s]: linux %s, remote %s: %s" % (k[0], k[1], a["verdict"], b["verdict"],
                    (b.get("reason") or a.get("reason") or "")[:200]))
        rerun.append("RERUN %s %s" % k)
print("%d results each, %d differ" % (len(lin), len(diff)))
print("\n".join(diff + rerun))
sys.exit(1 if diff or not lin else 0)
PY
}
compare "$tmp/r-linux.json" "$tmp"/r-remote-[123].json >"$tmp/r-cmp.out" 2>&1
st=$?
summary=$(head -1 "$tmp/r-cmp.out")
if [ $st -ne 0 ] && grep -q '^RERUN ' "$tmp/r-cmp.out" && ! grep -q 'only in the' "$tmp/r-cmp.out"; then
	# Each difference once more, alone on both targets.
	grep -v '^RERUN ' "$tmp/r-cmp.out" | sed 's/^/# first run: /'
	st=0
	while read -r _ id fam; do
		"$TC" run --target linux --no-progress --family "$fam" --filter "$id" --json "$tmp/rr-l.json" \
			$areas >/dev/null 2>&1
		remote_run 1 --family "$fam" --filter "$id" --json "$tmp/rr-r.json" $areas >/dev/null 2>&1
		compare "$tmp/rr-l.json" "$tmp/rr-r.json" >"$tmp/rr.out" 2>&1 || { st=1; sed -n 2p "$tmp/rr.out"; }
	done < <(grep '^RERUN ' "$tmp/r-cmp.out")
	[ $st -eq 0 ] && summary="$summary at first, the same verdicts when run again alone"
fi
if [ $st -eq 0 ]; then
	ok "remote target: the hand-written suites through --target remote (3 shards, 3 namespace hosts) have the verdicts of --target linux: $summary ($((t1 - t0))s)"
else
	head -40 "$tmp/r-cmp.out"
	ko "remote target: verdicts differ from --target linux" "$summary"
fi

# f. Real ARP and ND: R's entries for the injector's addresses were learned, not configured:
# during the runs R's kernel reported entries for them at vI's MAC, and never static ones.
kill $neigh_mon 2>/dev/null
wait $neigh_mon 2>/dev/null
mac=$(ip netns exec "$RN-I1" cat /sys/class/net/vI/address)
n4=$(grep -m1 "^192\.0\.2\.2 dev vR lladdr $mac " "$tmp/neigh.log")
n6=$(grep -m1 "^2001:db8::2 dev vR lladdr $mac " "$tmp/neigh.log")
static=$(grep -E 'PERMANENT|NOARP' "$tmp/neigh.log" | head -1)
if [ -n "$n4" ] && [ -n "$n6" ] && [ -z "$static" ]; then
	ok "remote target: the host learned the injector's addresses by ARP and ND ($n4 / $n6)"
else
	ko "remote target: the host's neighbour entries" \
		"'${n4:-no 192.0.2.2 entry}' '${n6:-no 2001:db8::2 entry}' '${static}' (want lladdr $mac, dynamic; $(wc -l <"$tmp/neigh.log") events)"
fi

# g. SYSCTL over a control connection of our own, then after it ends.
ip netns exec "$RN-I1" python3 - "$RN-R1" >"$tmp/r-sysctl.out" 2>&1 <<'PY' &
import socket, subprocess, sys, time
ns = sys.argv[1]
def val():
    return subprocess.run(["ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/tcp_rfc1337"],
                          capture_output=True, text=True).stdout.strip()
s = socket.create_connection(("198.18.0.1", 7777), timeout=5)
f = s.makefile("rw")
def ask(line):
    f.write(line + "\n"); f.flush()
    return f.readline().strip()
hello = f.readline().strip()
before = val()
r1 = ask("1 SYSCTL key=net.ipv4.tcp_rfc1337 value=1")
during = val()
r2 = ask("2 SYSCTL key=net.ipv4.tcp_rfc1337 value=0")
r3 = ask("3 SYSCTL key=net.ipv4.tcp_rfc1337 value=1")
r4 = ask("4 SYSCTL key=kernel.hostname value=x")
r5 = ask("5 SYSCTL key=net..ipv4 value=1")
r6 = ask("6 SYSCTL key=net.ipv4.no_such_thing value=1")
# The file object holds the socket open: both must be closed for the session to end.
f.close()
s.close()
time.sleep(0.3)
after = val()
print("|".join([hello, before, r1, during, r2, r3, r4, r5, r6, after]))
PY
wait $!
IFS='|' read -r hello before r1 during r2 r3 r4 r5 r6 after <"$tmp/r-sysctl.out"
if [[ "$hello" == "HELLO tcpconform-agent 1 "* && "$before" == 0 && "$r1" == "1 OK old=0" &&
	"$during" == 1 && "$r2" == "2 OK old=1" && "$r3" == "3 OK old=0" && "$after" == 0 ]]; then
	ok "remote target: SYSCTL sets net.ipv4.tcp_rfc1337 for the session and the agent restores 0 when the connection ends"
else
	ko "remote target: SYSCTL set and restore" "$(cat "$tmp/r-sysctl.out")"
fi
if [[ "$r4" == "4 ERR UNSUPPORTED "*"only net.* settings"* && "$r5" == "5 ERR BADREQ SYSCTL: bad key"* &&
	"$r6" == "6 ERR UNSUPPORTED no such sysctl net.ipv4.no_such_thing"* ]]; then
	ok "remote target: SYSCTL refuses non-net.* keys, malformed keys and unknown settings"
else
	ko "remote target: SYSCTL refusals" "'$r4' '$r5' '$r6'"
fi

# h. A runner killed mid-case (SIGKILL to its whole process group): the agent notices the end
#    of the control connection, closes the case's listener and puts tcp_synack_retries back.
setsid ip netns exec "$RN-I2" "$TC" run --target remote --iface vI --host 192.0.2.1 \
	--peer 192.0.2.2 --agent 198.18.0.1:7777 --no-progress --family ipv4 \
	--filter handshake.synack-retries.exhausted suites/ >"$tmp/r-kill.out" 2>&1 &
kpid=$!
mid=""
for i in $(seq 40); do
	sleep 0.1
	mid=$(ip netns exec "$RN-R2" cat /proc/sys/net/ipv4/tcp_synack_retries)
	[ "$mid" = 1 ] && break
done
sleep 0.5
kill -KILL -- -"$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
for i in $(seq 20); do
	sleep 0.1
	restored=$(ip netns exec "$RN-R2" cat /proc/sys/net/ipv4/tcp_synack_retries)
	socks=$(ls -l /proc/"$agent_pid_2"/fd 2>/dev/null | grep -c socket)
	[ "$restored" = 5 ] && [ "$socks" = 1 ] && break
done
if [ "$mid" = 1 ] && [ "$restored" = 5 ] && [ "$socks" = 1 ]; then
	ok "remote target: runner killed mid-case: the agent closed the case's sockets and restored tcp_synack_retries (1 -> 5)"
else
	ko "remote target: runner killed mid-case" "sysctl during '$mid', after '$restored' (want 5); agent sockets $socks (want 1: its --listen socket)"
fi
remote_run 2 --family ipv4 --json "$tmp/r-after.json" --filter handshake.passive-open suites/ >"$tmp/r-after.out" 2>&1 &&
	ok "remote target: the agent serves the next run after that" ||
	ko "remote target: the next run after the kill" "$(tail -3 "$tmp/r-after.out")"

# i. Refusals and errors.
ip netns exec "$RN-I3" "$TC" run --target remote --iface vI --host 192.0.2.1 --peer 198.18.0.2 \
	--agent 198.18.0.1:7777 --no-progress --filter handshake.passive-open suites/ >"$tmp/r-local.out" 2>&1
st=$?
if [ "$st" -eq 3 ] && grep -q "peer 198.18.0.2 is configured on interface cI of this host" "$tmp/r-local.out"; then
	ok "remote target: a --peer address configured on this host is refused (exit 3)"
else
	ko "remote target: local --peer refused" "exit $st: $(head -2 "$tmp/r-local.out")"
fi
verdict_of() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["cases"]; print(" ".join(c["verdict"] for c in r) + "|" + (r[0].get("reason") or "" if r else ""))' "$1" 2>&1; }
s0=$(date +%s)
ip netns exec "$RN-I3" "$TC" run --target remote --iface vI --host 192.0.2.1 --peer 192.0.2.2 \
	--agent 198.18.0.1:7999 --no-progress --json "$tmp/r-noagent.json" --family ipv4 \
	--filter handshake.passive-open suites/ >"$tmp/r-noagent.out" 2>&1
st=$?
v=$(verdict_of "$tmp/r-noagent.json")
if [ "$st" -eq 1 ] && [[ "$v" == "error|cannot reach the agent at 198.18.0.1:7999: Connection refused"* ]]; then
	ok "remote target: an agent that is not there makes the case an error ($(( $(date +%s) - s0 ))s): ${v#*|}"
else
	ko "remote target: agent unreachable" "exit $st: $v"
fi
s0=$(date +%s)
ip netns exec "$RN-I3" "$TC" run --target remote --iface vI --host 192.0.2.99 --peer 192.0.2.2 \
	--agent 198.18.0.1:7777 --no-progress --json "$tmp/r-noarp.json" --family ipv4 \
	--filter handshake.passive-open suites/ >"$tmp/r-noarp.out" 2>&1
st=$?
v=$(verdict_of "$tmp/r-noarp.json")
if [ "$st" -eq 1 ] && [[ "$v" == "error|no ARP answer from 192.0.2.99 on vI"* ]]; then
	ok "remote target: a host that does not answer ARP makes the case an error ($(( $(date +%s) - s0 ))s): ${v#*|}"
else
	ko "remote target: no ARP answer" "exit $st: $v"
fi
cat >"$tmp/remote-skip.yaml" <<EOF2
name: ns-host
target: remote
iface: vI
agent: 198.18.0.1:7777
target4: 192.0.2.1
peer4: 192.0.2.2
profile: linux
sysctl: skip
EOF2
ip netns exec "$RN-I3" "$TC" run --target remote --target-file "$tmp/remote-skip.yaml" --no-progress \
	--json "$tmp/r-skip.json" --family ipv4 --filter 'handshake.synack-retr*' suites/ >"$tmp/r-skip.out" 2>&1
st=$?
v=$(verdict_of "$tmp/r-skip.json")
if [ "$st" -eq 0 ] && [[ "$v" == "pass skip|"* || "$v" == "skip pass|"* ]] &&
	grep -q "sysctl: skip" "$tmp/r-skip.json"; then
	ok "remote target: a target file with 'sysctl: skip' skips the case that sets a sysctl and runs the other"
else
	ko "remote target: sysctl: skip" "exit $st: $v"
fi
remote_cleanup
left=$(ip netns list | grep "^$RN-")
[ -z "$left" ] && ok "remote target: the test's namespaces and agents are gone" ||
	ko "remote target: leftovers" "$left"
