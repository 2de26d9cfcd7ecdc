#!/bin/sh
# model-mutate.sh - proves the model's unit tests bite: runner/model/model.c built with
# -DTC_MODEL_MUTATE=R_NAME switches rule R_NAME off (its entry in the rule table of model.c,
# `rule_off`), and the named test must then fail.
# Used by tests/run-all.sh section 8. The last line is "N of M mutations caught".
set -u
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d /tmp/tcpconform-mutate.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
CFLAGS="-std=gnu11 -O0 -I. -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE"
SRC="tests/unit/test_model_states.c runner/model/model.c runner/model/profile.c common/names.c common/opts.c common/duration.c runner/case_load.c runner/expr.c"
LIBS="-lyaml -lcmocka"
# rule switched off    test that must fail    what the mutation breaks
cat >"$tmp/list" <<'LIST'
R_RST_CHALLENGE      test_grid_established  RFC 5961 3.2: an in-window RST not at RCV.NXT resets instead of a challenge ACK
R_LISTEN_ACK         test_grid_listen       RFC 9293 3.10.7.2: an ACK in LISTEN is ignored instead of drawing a RST
R_FIN_FW2            test_grid_fin_wait_2   RFC 9293 3.10.7.4 eighth: a FIN in FIN-WAIT-2 does not enter TIME-WAIT
R_TABLE6_RIGHT_EDGE  test_grid_established  RFC 9293 Table 6: the right window edge is taken as inside
R_SS_RST_NEEDS_ACK   test_grid_syn_sent     RFC 9293 3.10.7.3: a RST without ACK in SYN-SENT is accepted
R_CLOSED_NO_ACK      test_grid_closed       RFC 9293 3.10.7.1: the RST,ACK for a segment without ACK acks SEG.SEQ
R_HOLD_OOO           test_grid_fin_wait_1   RFC 9293 SHLD-31: the ACK of out-of-order text is processed at once
LIST
# shellcheck disable=SC2086
if ! gcc $CFLAGS -o "$tmp/base" $SRC $LIBS || ! "$tmp/base" >"$tmp/base.out" 2>&1; then
	cat "$tmp/base.out" 2>/dev/null
	echo "the unmutated model fails its own tests"
	exit 1
fi
caught=0
total=0
while read -r n name why; do
	total=$((total + 1))
	# shellcheck disable=SC2086
	if ! gcc $CFLAGS -DTC_MODEL_MUTATE="$n" -o "$tmp/m$n" $SRC $LIBS; then
		echo "mutation $n does not build"
		continue
	fi
	"$tmp/m$n" >"$tmp/m$n.out" 2>&1
	if grep -q "^\[  FAILED  \] $name\$" "$tmp/m$n.out"; then
		caught=$((caught + 1))
		echo "caught mutation $n ($why) in $name"
	else
		echo "MISSED mutation $n ($why): $name did not fail"
	fi
done <"$tmp/list"
echo "$caught of $total mutations caught"
[ "$caught" -eq "$total" ]
