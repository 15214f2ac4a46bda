#!/bin/sh
# check.sh "UNIT..." "FUZZ..." FUZZ_SECONDS - make check's runner: unit
# tests (ASan+UBSan), tattle-opensnitch's Python unit tests, each fuzzer
# briefly, integration tests against the sanitized daemon, and two
# structure checks: no extern function goes uncalled
# (scripts/unused-externs.sh) and no include cycle between modules
# (scripts/include-cycles.py).  Ends with one summary line over all.
cd "$(dirname "$0")/.." || exit 1
unit=$1 fuzz=$2 secs=$3
rc=0
sh tests/run-unit.sh $unit | tee build/unit.log || rc=1
sh tests/run-py.sh | tee build/python.log || rc=1
[ -n "$fuzz" ] && { sh tests/fuzz/run.sh "$secs" $fuzz | tee build/fuzz.log || rc=1; }
TATTLED=build/san/tattled TATTLE=build/san/tattle sh tests/integration/run.sh |
	tee build/integration.log || rc=1
# Structure checks (issue 17), one counted line each.
structure() {	# name script description
	if $2 >"build/$1.out" 2>&1; then
		echo "$1: 1 passed, 0 failed" >"build/$1.log"
	else
		{ sed 's/^/    /' "build/$1.out"
		  echo "$1: 0 passed, 1 failed ($3)"; } >"build/$1.log"
		rc=1
	fi
	cat "build/$1.log"
}
structure unused "sh scripts/unused-externs.sh" "extern functions nothing calls"
structure cycles "python3 scripts/include-cycles.py" "include cycles between modules"
total() { sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" "build/$2.log" | tail -1; }
set -- $(total unit unit) $(total integration integration) $(total fuzz fuzz) \
	$(total python python) $(total unused unused) $(total cycles cycles)
p=$(( ${1:-0} + ${3:-0} + ${5:-0} + ${7:-0} + ${9:-0} + ${11:-0} ))
f=$(( ${2:-0} + ${4:-0} + ${6:-0} + ${8:-0} + ${10:-0} + ${12:-0} ))
s=$(sed -n 's/.*, \([0-9]*\) skipped$/\1/p' build/unit.log build/integration.log \
	build/python.log |
	awk '{s += $1} END {print s + 0}')
echo "check: $p passed, $f failed, $s skipped"
[ $rc -eq 0 ] && [ "$f" -eq 0 ]
