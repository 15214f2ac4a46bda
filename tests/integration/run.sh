#!/bin/sh
# run.sh - run every tests/integration/t_*.sh; print one line per test and
# the summary line "integration: N passed, N failed, N skipped".
# In CI as root a skip counts as a failure.
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0 skip=0 failed=""
for t in tests/integration/t_*.sh; do
	[ -n "${TT_ONLY:-}" ] && case $t in *"$TT_ONLY"*) ;; *) continue ;; esac
	start=$(date +%s)
	bash "$t" >"/tmp/tattle-it-$$.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	name=$(basename "$t" .sh)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   $name (${secs}s)"
	elif [ $rc -eq 77 ] && ! { [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; }; then
		skip=$((skip + 1)); echo "skip $name: $(grep SKIP /tmp/tattle-it-$$.log | tail -1)"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL $name (exit $rc, ${secs}s)"; sed 's/^/    /' "/tmp/tattle-it-$$.log"
	fi
	[ -n "${TT_VERBOSE:-}" ] && sed 's/^/    /' "/tmp/tattle-it-$$.log"
done
rm -f "/tmp/tattle-it-$$.log"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
