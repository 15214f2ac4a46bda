#!/bin/bash
# Issue 14 item 18: event volume under a flood.  One program's
# connections past event_rate_per_exe a second (same verdict and reason)
# are folded into summary "connection" events with "folded": N.  A flood
# gives far fewer lines than decisions, and the lines' counts (folded, or
# 1) add up exactly to the daemon's verdict counters: nothing is lost.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
SOCK=$TT_TMP/tattle.sock
tt_daemon --socket "$SOCK" --event-rate-per-exe 20
out=$(tt_in "$TT_TOOLS/flood" -d 3 -k 16 -c 0 127.0.0.1 20000 5000 8080) ||
	tt_fail "flood failed: $out"
tt_log "flood: $out"
sleep 2.5	# held packets decided, windows over, summaries out
"$TATTLE" stats --json --socket "$SOCK" >"$TT_TMP/stats.json" ||
	tt_fail "stats failed"
tt_daemon_stop
python3 - "$TT_TMP/stats.json" "$TT_EVENTS" "$TT_ROOT/proto/schema" <<'PY' || tt_fail "folded counts do not add up"
import json, os, sys
sdir = sys.argv[3]
schemas = {f[:-5]: json.load(open(os.path.join(sdir, f))) for f in os.listdir(sdir)}
def check(o, name):
    try:
        import jsonschema   # optional, as in t_proto_subscribe
    except ImportError:
        return
    jsonschema.validate(o, schemas[name], cls=jsonschema.Draft202012Validator)
st = json.load(open(sys.argv[1]))
check(dict(st, v=1, seq=1, type="stats", ts="2026-01-01T00:00:00Z"), "event-stats")
decided = sum(st["verdicts"].values())
lines = summaries = covered = 0
for l in open(sys.argv[2]):
    e = json.loads(l)
    if e["type"] != "connection":
        continue
    check(e, "event-connection")
    lines += 1
    n = e.get("folded", 1)
    assert n >= 1, e
    summaries += "folded" in e
    covered += n
print("# decided %d (stats), %d connection lines (%d summaries) covering %d, "
      "events_folded %d" % (decided, lines, summaries, covered, st["events_folded"]),
      file=sys.stderr)
assert decided >= 1000, "flood too small to show folding"
assert covered == decided, "lines cover %d of %d decisions" % (covered, decided)
assert summaries >= 1
assert lines * 10 <= decided, "%d lines for %d decisions: not folded" % (lines, decided)
PY
