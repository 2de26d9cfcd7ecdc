#!/bin/bash
# tests/reports.sh BUILD - the reports and CI gating, end to end (run by tests/run-all.sh, part 9).
# Prints one "ok - ..." or "not ok - ..." line per check; exits 1 if any check failed.
#   - JUnit validated against tests/schema/junit.xsd (xmllint); TAP read by Perl's TAP::Parser,
#     the parser behind `prove`, with exact counts and no parse errors
#   - a real run writes JSON, HTML, JUnit and TAP; the HTML opens in headless Chromium with no
#     script error, every case, ladder and filter in the DOM, and a screenshot is saved
#   - two shards merged give the same results and TAP as the unsharded run
#   - exit codes follow the baseline (new failure, known deviation, fixed, update, bad file);
#     entries name failures: a new failure in a listed case fails, id-only entries warn
#   - warn: exit 0, and 1 with --strict; TAP "ok ... # warn"
#   - the live progress line on a terminal (script(1) gives a pty), plain lines otherwise
#   - report compare: differences first, exit 1 when runs differ
set -u
BUILD=${1:-build}
TC=$BUILD/tcpconform
tmp=$(mktemp -d /tmp/tcpconform-reports.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
nfail=0
ok() { echo "ok - $1"; }
ko() { nfail=$((nfail + 1)); echo "not ok - $1${2:+: $2}"; }

# --- the formats on the golden result set ---
if out=$(xmllint --noout --schema tests/schema/junit.xsd tests/golden/report-set.junit.xml 2>&1); then
	ok "golden JUnit validates against tests/schema/junit.xsd"
else
	ko "golden JUnit validates" "$out"
fi
# The schema must be able to say no: an element JUnit readers do not know is rejected.
sed 's|<properties>|<bogus/><properties>|' tests/golden/report-set.junit.xml >"$tmp/bad.xml"
if xmllint --noout --schema tests/schema/junit.xsd "$tmp/bad.xml" >/dev/null 2>&1; then
	ko "the JUnit schema rejects an unknown element"
else
	ok "the JUnit schema rejects an unknown element"
fi

# tap_counts FILE: "run=N failed=N skipped=N todo=N todo_passed=N errors=N" via TAP::Parser.
tap_counts() {
	perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({source => $ARGV[0]});
		while (my $r = $p->next) {}
		my @e = $p->parse_errors;
		printf "run=%d failed=%d skipped=%d todo=%d todo_passed=%d errors=%d version=%d\n",
			scalar($p->tests_run), scalar(my @f = $p->failed), scalar(my @s = $p->skipped),
			scalar(my @t = $p->todo), scalar(my @tp = $p->todo_passed), scalar(@e),
			$p->version;
		print STDERR "$_\n" for @e;' "$1"
}
got=$(tap_counts tests/golden/report-set.tap 2>&1)
want="run=7 failed=2 skipped=1 todo=2 todo_passed=1 errors=0 version=13"
[ "$got" = "$want" ] && ok "golden TAP parses as TAP 13 ($got)" || ko "golden TAP" "got '$got', want '$want'"
# prove itself: the TODO (known deviation) does not fail it, the fail and the error do.
if prove -e cat tests/golden/report-set.tap >"$tmp/prove.out" 2>&1; then
	ko "prove fails on the golden TAP's failures"
elif grep -q "Failed tests:  1-2" "$tmp/prove.out" && grep -q "TODO passed:   5" "$tmp/prove.out"; then
	ok "prove reports tests 1-2 failed and test 5 as TODO passed"
else
	cat "$tmp/prove.out"; ko "prove output"
fi

# --- a real run with every format ---
mkdir -p "$tmp/cases"
# A case excluded for this target, so the report has a skip.
sed -e 's/^id: .*/id: zz.skipped-here/' -e 's/^steps:/except: [linux]\nsteps:/' \
	suites/handshake/passive-open.yaml >"$tmp/cases/skip.yaml"
cases=(suites/handshake/passive-open.yaml suites/handshake/closed-port.rst-ack.yaml
       tests/negative/wrong-ack.yaml tests/negative/missing-segment.yaml
       tests/negative/unexpected-segment.yaml tests/negative/wrong-state.yaml "$tmp/cases/skip.yaml")
R=$tmp/run
"$TC" run --no-progress --seed 4242 --json "$R.json" --html "$R.html" --junit "$R.xml" \
	--tap "$R.tap" --pcap-dir "$tmp/pcap" "${cases[@]}" >"$tmp/run.out" 2>&1
st=$?
nres=$(grep -c '"id": ' "$R.json" 2>/dev/null)
nskip=$(grep -c '"verdict": "skip"' "$R.json" 2>/dev/null)
if [ "$st" -eq 1 ] && [ -s "$R.html" ] && [ -s "$R.xml" ] && [ -s "$R.tap" ] && [ "$nres" -eq 14 ] && [ "$nskip" -eq 2 ]; then
	ok "a run writes JSON, HTML, JUnit and TAP ($nres results, $nskip skips, exit 1 for the failures)"
else
	cat "$tmp/run.out"; ko "a run writes all four reports" "exit $st, $nres results"
fi
out=$(xmllint --noout --schema tests/schema/junit.xsd "$R.xml" 2>&1) && ok "the run's JUnit validates" || ko "the run's JUnit validates" "$out"
got=$(tap_counts "$R.tap" 2>&1)
want="run=14 failed=8 skipped=2 todo=0 todo_passed=0 errors=0 version=13"
[ "$got" = "$want" ] && ok "the run's TAP parses ($got)" || ko "the run's TAP" "got '$got', want '$want'"
"$TC" run --no-progress --seed 4242 --tap - tests/negative/wrong-ack.yaml >"$tmp/stdout.tap" 2>"$tmp/stderr.txt"
if head -1 "$tmp/stdout.tap" | grep -qx "TAP version 13" && ! grep -q "passed," "$tmp/stdout.tap" &&
   grep -q "failed" "$tmp/stderr.txt"; then
	ok "--tap - keeps stdout pure TAP (the terminal report goes to stderr)"
else
	ko "--tap -" "$(head -3 "$tmp/stdout.tap")"
fi

# --- headless Chromium ---
chrome() { # chrome OUTFILE ARGS... : a fresh profile per run, no network, no sandbox (root)
	local prof
	prof=$(mktemp -d "$tmp/chrome.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --enable-logging=stderr --v=0 "${@:2}" >"$1" 2>"$1.log"
}
abs=$(readlink -f "$R.html")
if ! command -v chromium >/dev/null; then
	ko "headless Chromium" "chromium is not installed (tools/deps.sh installs it)"
else
	# The console check must be able to fail: a page with a script error is caught.
	printf '<!DOCTYPE html><body><script>notDefined();</script></body>' >"$tmp/err.html"
	chrome "$tmp/err.dom" --dump-dom "file://$tmp/err.html"
	grep -q "Uncaught" "$tmp/err.dom.log" && ok "the console check catches an uncaught script error" ||
		ko "the console check catches an uncaught script error"
	chrome "$tmp/dom.html" --dump-dom "file://$abs"
	ncase=$(grep -o '<details class="case"' "$tmp/dom.html" | wc -l)
	nsvg=$(grep -o '<svg class="ladder"' "$tmp/dom.html" | wc -l)
	nbox=$(grep -o '<input type="checkbox" name="v"' "$tmp/dom.html" | wc -l)
	problems=""
	grep -q '<body data-js="ok"' "$tmp/dom.html" || problems="$problems script-did-not-run"
	grep -q "Uncaught" "$tmp/dom.html.log" && problems="$problems $(grep -m1 Uncaught "$tmp/dom.html.log")"
	[ "$ncase" -eq 14 ] || problems="$problems cases=$ncase"
	[ "$nsvg" -eq 12 ] || problems="$problems ladders=$nsvg"
	[ "$nbox" -eq 7 ] || problems="$problems verdict-boxes=$nbox"
	for id in f-area f-tag f-search f-count coverage; do
		grep -q "id=\"$id\"" "$tmp/dom.html" || problems="$problems no-#$id"
	done
	grep -q '14 of 14 shown' "$tmp/dom.html" || problems="$problems count-not-rendered"
	# The failing case's ladder marks the mismatch and the missing segment.
	grep -q '<g class="ev bad" data-kind="2">' "$tmp/dom.html" || problems="$problems no-mismatch-arrow"
	grep -q '<g class="ev missing"' "$tmp/dom.html" || problems="$problems no-missing-arrow"
	grep -q '<g class="ev bad unexp"' "$tmp/dom.html" || problems="$problems no-unexpected-arrow"
	grep -q 'href="pcap/negative.wrong-ack.ipv4.pcap"' "$tmp/dom.html" || problems="$problems no-pcap-link"
	[ -z "$problems" ] && ok "Chromium renders the report: $ncase cases, $nsvg ladders, filters, no script error" ||
		ko "Chromium renders the report" "$problems"
	# The filter works in a real browser: a search in the URL hides the other cases.
	chrome "$tmp/dom2.html" --dump-dom "file://$abs#search=wrong-ack"
	shown=$(grep -o '<details class="case"[^>]*>' "$tmp/dom2.html" | grep -vc ' hidden')
	[ "$shown" -eq 2 ] && grep -q '2 of 14 shown' "$tmp/dom2.html" &&
		ok "the search filter leaves the 2 wrong-ack results visible" || ko "search filter" "$shown shown"
	chrome "$tmp/shot.out" --hide-scrollbars --window-size=1280,2000 \
		--screenshot="$(readlink -f "$BUILD")/report-screenshot.png" "file://$abs"
	[ -s "$BUILD/report-screenshot.png" ] && ok "screenshot saved as $BUILD/report-screenshot.png" ||
		ko "screenshot" "$(tail -3 "$tmp/shot.out.log")"
fi

# --- shards and merge ---
"$TC" run --no-progress --seed 4242 --shard 1/2 --json "$tmp/s1.json" "${cases[@]}" >"$tmp/s1.out" 2>&1
"$TC" run --no-progress --seed 4242 --shard 2/2 --json "$tmp/s2.json" "${cases[@]}" >"$tmp/s2.out" 2>&1
ids() { grep -o '"id": "[^"]*", "family": "[^"]*"' "$1" | sort; }
n1=$(ids "$tmp/s1.json" | wc -l); n2=$(ids "$tmp/s2.json" | wc -l)
both=$(comm -12 <(ids "$tmp/s1.json") <(ids "$tmp/s2.json") | wc -l)
if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ "$both" -eq 0 ] && [ "$((n1 + n2))" -eq 14 ] &&
   [ "$(sort <(ids "$tmp/s1.json") <(ids "$tmp/s2.json"))" = "$(ids "$R.json")" ]; then
	ok "shards 1/2 and 2/2 are disjoint and complete ($n1 + $n2 results)"
else
	ko "shards disjoint and complete" "$n1 + $n2, $both in both"
fi
"$TC" report merge "$tmp/m.json" "$tmp/s1.json" "$tmp/s2.json" --html "$tmp/m.html" \
	--junit "$tmp/m.xml" --tap "$tmp/m.tap" >"$tmp/merge.out" 2>&1
mst=$?
# Same report modulo timings: the TAP (without durations) and the JUnit (without times and
# traces) are identical, and so is the JSON once times and traces are left out.
strip_tap() { grep -v 'duration_ms:' "$1"; }
strip_xml() { sed -e 's/ time="[^"]*"//g' -e 's/ timestamp="[^"]*"//g' "$1" | sed '/<system-out>/,/<\/system-out>/d'; }
strip_json() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps([(c["id"], c["family"], c["verdict"], c["title"], c["refs"], c["tags"], c["reason"],
                   [(f["step"], f["line"], f["field"], f["expected"], f["actual"]) for f in c["failures"]],
                   [(e["kind"], e["step"], e["status"]) for e in c["events"]]) for c in d["cases"]],
                 indent=0))' "$1"; }
if [ "$mst" -eq 1 ] && diff <(strip_tap "$R.tap") <(strip_tap "$tmp/m.tap") >"$tmp/d1" &&
   diff <(strip_xml "$R.xml") <(strip_xml "$tmp/m.xml") >"$tmp/d2" &&
   diff <(strip_json "$R.json") <(strip_json "$tmp/m.json") >"$tmp/d3"; then
	ok "merging the two shards gives the unsharded run's JSON, JUnit and TAP (modulo timings)"
else
	cat "$tmp/merge.out"; head -20 "$tmp/d1" "$tmp/d2" "$tmp/d3" 2>/dev/null
	ko "merge equals the unsharded run" "exit $mst"
fi
"$TC" report merge "$tmp/m2.json" "$tmp/s1.json" "$tmp/s1.json" >"$tmp/overlap.out" 2>&1
[ $? -eq 2 ] && grep -q "shards must not overlap" "$tmp/overlap.out" && ok "merge refuses overlapping shards (exit 2)" ||
	ko "merge refuses overlapping shards" "$(cat "$tmp/overlap.out")"

# --- baselines: exit codes ---
fails=$(python3 -c '
import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    if c["verdict"] == "fail": print(c["id"])' "$R.json" | sort -u)
{ echo "target: linux"; echo "deviations:"
  for id in $fails; do echo "  - id: $id"; echo "    reason: deliberately wrong expectation"; done; } >"$tmp/bl.yaml"
"$TC" report merge "$tmp/b.json" "$R.json" --baseline "$tmp/bl.yaml" --junit "$tmp/b.xml" >"$tmp/bl.out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q "0 new failures, 0 errors, 8 known deviations, 0 fixed" "$tmp/bl.out" &&
	grep -q 'skipped="10"' "$tmp/b.xml" && ok "every failure listed: exit 0, 8 known deviations (JUnit: skipped)" ||
	ko "known deviations exit 0" "exit $st: $(cat "$tmp/bl.out")"
# Those entries are the older id-only form: read, obeyed, and warned about with file:line.
grep -q "bl.yaml:3: warning: deviation '.*' lists no failures: it excuses every failure" "$tmp/bl.out" &&
	ok "id-only baseline entries still excuse, with a warning naming file:line" ||
	ko "id-only entries warn" "$(head -3 "$tmp/bl.out")"
sed '/wrong-state/,+1d' "$tmp/bl.yaml" >"$tmp/bl2.yaml"
"$TC" report merge "$tmp/b.json" "$R.json" --baseline "$tmp/bl2.yaml" >"$tmp/bl2.out" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q "2 new failures" "$tmp/bl2.out" && ok "an unlisted failure is new: exit 1" ||
	ko "new failure exit 1" "exit $st: $(cat "$tmp/bl2.out")"
printf '  - id: handshake.passive-open\n    family: ipv4\n' >>"$tmp/bl.yaml"
"$TC" report merge "$tmp/b.json" "$R.json" --baseline "$tmp/bl.yaml" >"$tmp/bl3.out" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q "^FIXED handshake.passive-open \[ipv4\]" "$tmp/bl3.out" && ok "a listed case that passes is reported as fixed, exit 0" ||
	ko "fixed" "exit $st: $(cat "$tmp/bl3.out")"
cp "$tmp/bl2.yaml" "$tmp/bl4.yaml"
printf '  - id: handshake.passive-open\n' >>"$tmp/bl4.yaml"
"$TC" run --no-progress --seed 4242 --baseline "$tmp/bl4.yaml" --update-baseline "${cases[@]}" >"$tmp/bl4.out" 2>&1
st=$?
if [ "$st" -eq 1 ] && grep -q "negative.wrong-state" "$tmp/bl4.yaml" && ! grep -q "handshake.passive-open" "$tmp/bl4.yaml" &&
   "$TC" run --no-progress --seed 4242 --baseline "$tmp/bl4.yaml" "${cases[@]}" >"$tmp/bl5.out" 2>&1; then
	ok "run --update-baseline adds the new failure, drops the fixed case; the next run exits 0"
else
	cat "$tmp/bl4.out" "$tmp/bl4.yaml"; ko "--update-baseline" "exit $st"
fi
# The update wrote signatures, one per MUST failure; a listed case with one more MUST failure
# (added to the JSON here) is not a known deviation: exit 1 and the new failure is named.
if grep -q '    failures:' "$tmp/bl4.yaml" && grep -q '      - {step: ' "$tmp/bl4.yaml"; then
	ok "--update-baseline writes failure signatures ($(grep -c '      - {step: ' "$tmp/bl4.yaml") of them)"
else
	cat "$tmp/bl4.yaml"; ko "--update-baseline writes signatures"
fi
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cases"]:
    if c["id"] == "negative.wrong-ack" and c["family"] == "ipv4":
        c["failures"].append({"step": 99, "line": 1, "judge": "case", "rule": "", "level": "MUST",
                              "req": "", "field": "state", "expected": "CLOSING", "actual": "CLOSED",
                              "message": "state: expected CLOSING, got CLOSED", "segment": ""})
json.dump(d, open(sys.argv[2], "w"))' "$R.json" "$tmp/more.json"
"$TC" report merge "$tmp/more-out.json" "$R.json" --baseline "$tmp/bl4.yaml" >"$tmp/more0.out" 2>&1
st0=$?
"$TC" report merge "$tmp/more-out.json" "$tmp/more.json" --baseline "$tmp/bl4.yaml" >"$tmp/more.out" 2>&1
st=$?
[ "$st0" -eq 0 ] && [ "$st" -eq 1 ] && grep -q "1 new failures" "$tmp/more.out" &&
	grep -q "^NEW   negative.wrong-ack \[ipv4\] step 99 (case, MUST): state: expected CLOSING, got CLOSED" "$tmp/more.out" &&
	ok "a listed case with one more MUST failure fails the run, naming the new failure" ||
	ko "new failure in a listed case" "exit $st0/$st: $(cat "$tmp/more.out")"
# warn: a case whose only failure is a SHOULD passes the run (exit 0), --strict fails it.
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["cases"] = [c for c in d["cases"] if c["verdict"] != "fail"]
for c in d["cases"]:
    if c["id"] == "handshake.passive-open" and c["family"] == "ipv4":
        c["verdict"] = "warn"
        c["failures"] = [{"step": 2, "line": 9, "judge": "model", "rule": "RFC 6298 2.4", "level": "SHOULD",
                          "req": "RFC6298-2.4", "field": "after", "expected": ">= 1000 ms", "actual": "210 ms",
                          "message": "retransmission after 210 ms", "segment": ""}]
json.dump(d, open(sys.argv[2], "w"))' "$R.json" "$tmp/warn.json"
"$TC" report merge "$tmp/w1.json" "$tmp/warn.json" --tap "$tmp/w1.tap" --junit "$tmp/w1.xml" >"$tmp/w1.out" 2>&1
st=$?
"$TC" report merge "$tmp/w2.json" "$tmp/warn.json" --strict >"$tmp/w2.out" 2>&1
st2=$?
wt=$(tap_counts "$tmp/w1.tap" 2>&1)
[ "$st" -eq 0 ] && [ "$st2" -eq 1 ] && grep -q '^ok [0-9]* - handshake.passive-open \[ipv4\] # warn model, SHOULD RFC6298-2.4' "$tmp/w1.tap" &&
	[[ "$wt" == *"failed=0"* ]] && grep -q '"verdict": "warn"' "$tmp/w1.json" && grep -q '"verdict": "fail"' "$tmp/w2.json" &&
	xmllint --noout --schema tests/schema/junit.xsd "$tmp/w1.xml" 2>/dev/null &&
	ok "a warn exits 0 (TAP ok # warn, $wt), --strict makes it exit 1" ||
	ko "warn and --strict" "exit $st/$st2: $wt $(cat "$tmp/w1.out" "$tmp/w2.out")"
printf 'target: linux\ndeviations:\n  - id: x\n    famliy: ipv4\n' >"$tmp/bad.yaml"
"$TC" run --baseline "$tmp/bad.yaml" tests/negative/wrong-ack.yaml >"$tmp/bad.out" 2>&1
st=$?
[ "$st" -eq 2 ] && grep -q "bad.yaml:4:5: unknown key in a deviation" "$tmp/bad.out" && ok "a bad baseline is bad usage: exit 2 with file:line:column" ||
	ko "bad baseline" "exit $st: $(cat "$tmp/bad.out")"
printf 'target: freebsd\ndeviations: []\n' >"$tmp/other.yaml"
"$TC" run --baseline "$tmp/other.yaml" tests/negative/wrong-ack.yaml >"$tmp/other.out" 2>&1
[ $? -eq 2 ] && grep -q "the baseline is for target 'freebsd', not 'linux'" "$tmp/other.out" &&
	ok "a baseline of another target is refused" || ko "baseline target check" "$(cat "$tmp/other.out")"

# --- the terminal: live progress line on a pty, plain lines otherwise ---
two=(suites/handshake/passive-open.yaml tests/negative/wrong-ack.yaml)
TERM=xterm script -qfec "$TC run --seed 1 ${two[*]}" /dev/null >"$tmp/tty.out" 2>&1
if grep -q $'\r\e\[K\[4/4\] 2 pass  2 fail  0 error  0 skip' "$tmp/tty.out" &&
   grep -q $'\r\e\[KFAIL  negative.wrong-ack' "$tmp/tty.out" && ! grep -q "PASS  handshake" "$tmp/tty.out" &&
   grep -q "2 passed, 2 failed" "$tmp/tty.out"; then
	ok "on a terminal: one live progress line, failures printed above it, no pass lines"
else
	cat -A "$tmp/tty.out" | head -20; ko "live progress line"
fi
TERM=xterm script -qfec "$TC run --no-progress --seed 1 ${two[*]}" /dev/null >"$tmp/tty2.out" 2>&1
"$TC" run --seed 1 "${two[@]}" >"$tmp/pipe.out" 2>&1
if grep -q "PASS  handshake.passive-open" "$tmp/tty2.out" && ! grep -q $'\e' "$tmp/tty2.out" &&
   grep -q "PASS  handshake.passive-open" "$tmp/pipe.out" && ! grep -q $'\e\|\r' "$tmp/pipe.out"; then
	ok "--no-progress on a terminal and any pipe: plain lines, no control characters"
else
	cat -A "$tmp/tty2.out" | head; ko "plain output"
fi

# --- compare ---
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["target"] = "userstack"
for c in d["cases"]:
    if c["id"] == "handshake.passive-open" and c["family"] == "ipv6": c["verdict"] = "fail"
d["cases"] = [c for c in d["cases"] if c["id"] != "negative.wrong-state"]
json.dump(d, open(sys.argv[2], "w"))' "$R.json" "$tmp/other.json"
"$TC" report compare "$R.json" "$tmp/other.json" --html "$tmp/cmp.html" >"$tmp/cmp.out" 2>&1
st=$?
first=$(sed -n 2p "$tmp/cmp.out")
if [ "$st" -eq 1 ] && grep -q "14 cases, 3 differ" "$tmp/cmp.out" && [[ "$first" == *"<- differs"* ]] &&
   head -1 "$tmp/cmp.out" | grep -q "linux  *userstack"; then
	ok "report compare: a linux x userstack matrix, the 3 differences first, exit 1"
else
	cat "$tmp/cmp.out"; ko "report compare" "exit $st"
fi
if command -v chromium >/dev/null; then
	chrome "$tmp/cmp.dom" --dump-dom "file://$tmp/cmp.html"
	[ "$(grep -o '<tr class="diff">' "$tmp/cmp.dom" | wc -l)" -eq 3 ] && grep -q 'data-js="ok"' "$tmp/cmp.dom" &&
		! grep -q Uncaught "$tmp/cmp.dom.log" && ok "the comparison page renders in Chromium without script errors" ||
		ko "comparison page in Chromium"
fi
exit $((nfail > 0))
