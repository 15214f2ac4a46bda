#!/bin/sh
# run.sh SECONDS FUZZER... - run each libFuzzer target for SECONDS over a
# scratch copy of its seed corpus (tests/fuzz/corpus/<name>); findings are
# kept in build/fuzz/findings/.  Prints "fuzz: N passed, N failed".
secs=$1; shift
pass=0 fail=0
mkdir -p build/fuzz/findings
for f in "$@"; do
	name=$(basename "$f" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="build/fuzz/findings/$name-" "$work" \
		>"build/fuzz/$name.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "build/fuzz/$name.log" | tail -1)
		echo "ok   fuzz_$name: ${runs:-done} in ${secs}s"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz_$name: see build/fuzz/$name.log"
		tail -30 "build/fuzz/$name.log" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
	rm -rf "$work"
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
