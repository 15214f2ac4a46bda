#!/bin/sh
# run-unit.sh BIN... - run cmocka test binaries; print each binary's result
# and the summary line "unit: N passed, N failed, N skipped".
pass=0 fail=0 skip=0 bad=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
	if [ $rc -ne 0 ] || [ -n "$f" ]; then
		bad=$((bad + 1))
		[ -z "$f" ] && fail=$((fail + 1))
		echo "FAIL $(basename "$t") (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/    /'
	else
		echo "ok   $(basename "$t"): ${p:-0} passed${s:+, $s skipped}"
	fi
	if [ -n "$s" ] && [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
		printf '%s\n' "$out" | grep SKIP | sed 's/^/    /'
	fi
done
echo "unit: $pass passed, $fail failed, $skip skipped"
[ $bad -eq 0 ]
