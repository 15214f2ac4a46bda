#!/bin/sh
# run-py.sh - tattle-opensnitch's Python unit tests (tests/opensnitch/,
# against build/opensnitch from `make`); prints each failure and the
# summary line "python: N passed, N failed, N skipped".
cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-/usr/bin/python3}
if [ ! -f build/opensnitch/ui_pb2.py ]; then
	echo "FAIL python: build/opensnitch missing (make build/tattle-opensnitch)"
	echo "python: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
"$PYTHON" - <<'PY'
import sys
import unittest

sys.path[:0] = ["build/opensnitch", "tests/opensnitch"]
suite = unittest.defaultTestLoader.discover("tests/opensnitch",
                                            top_level_dir="tests/opensnitch")
res = unittest.TextTestRunner(stream=sys.stdout, verbosity=1).run(suite)
failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
skipped = len(res.skipped)
if res.testsRun == 0:
    failed = 1
print("python: %d passed, %d failed, %d skipped"
      % (res.testsRun - failed - skipped, failed, skipped))
sys.exit(1 if failed else 0)
PY
