#!/bin/sh
# model-coverage.sh [BUILD] [MIN] - line coverage (gcov) of the reference model's code
# (runner/model/model.c, profile.c, runner/judge.c) over its unit tests, built with --coverage
# in $BUILD/cov (its own directory: the normal objects are untouched). Fails below MIN percent
# (default 95). The last line is "model coverage: N% of L lines (MIN% required)".
set -u
BUILD=${1:-build}
MIN=${2:-95}
D=$BUILD/cov
rm -rf "$D"
mkdir -p "$D"
CF="-std=gnu11 -I. -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE -DTC_VERSION=\"cov\" -O0 -g"
COV="runner/model/model.c runner/model/profile.c runner/judge.c"
# Everything else of the library, plainly, so the tests link.
OTHER=$(ls common/*.c injector/*.c reports/*.c runner/*.c runner/model/*.c runner/targets/*.c \
	runner/cmd/*.c runner/agent/proto.c | grep -v -e '^runner/main.c$' \
	-e '^runner/judge.c$' -e '^runner/model/model.c$' -e '^runner/model/profile.c$')
for f in $COV; do
	cc $CF --coverage -c -o "$D/$(basename "$f" .c).o" "$f" || exit 1
done
for f in $OTHER; do
	cc $CF -c -o "$D/lib_$(echo "$f" | tr / _ | sed 's/\.c$//').o" "$f" || exit 1
done
ar rcs "$D/libcov.a" "$D"/*.o
# The model's own tests: tests/unit/test_model_*.c, the judge's (test_judge, test_judge_alt,
# test_exec_model)
# and the profile loader's (test_profile).
TESTS=$(ls tests/unit/test_model_*.c tests/unit/test_exec_model.c tests/unit/test_judge.c \
	tests/unit/test_judge_alt.c \
	tests/unit/test_profile.c 2>/dev/null | sed 's|.*/||; s|\.c$||')
for t in $TESTS; do
	cc $CF --coverage -o "$D/$t" "tests/unit/$t.c" "$D/libcov.a" -lnet -lpcap -lyaml -lpthread -lcmocka || exit 1
	"$D/$t" >"$D/$t.out" 2>&1 || { cat "$D/$t.out"; echo "model coverage: $t failed"; exit 1; }
done
total=0
covered=0
for f in $COV; do
	b=$(basename "$f" .c)
	line=$(cd "$D" && gcov -n -o . "$b.gcda" 2>/dev/null | grep -A1 "^File '.*$b.c'" | sed -n 's/^Lines executed:\([0-9.]*\)% of \([0-9]*\)/\1 \2/p')
	pct=${line% *}
	n=${line#* }
	[ -n "$line" ] || { echo "model coverage: no gcov data for $f"; exit 1; }
	c=$(awk -v p="$pct" -v n="$n" 'BEGIN { printf "%d", p * n / 100 + 0.5 }')
	echo "$f: $pct% of $n lines"
	total=$((total + n))
	covered=$((covered + c))
done
pct=$(awk -v c="$covered" -v t="$total" 'BEGIN { printf "%.1f", 100 * c / t }')
echo "model coverage: $pct% of $total lines ($MIN% required)"
awk -v p="$pct" -v m="$MIN" 'BEGIN { exit !(p + 0 >= m + 0) }'
