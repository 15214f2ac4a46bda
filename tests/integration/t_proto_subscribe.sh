#!/bin/bash
# A subscriber on the control socket receives the events of real
# connections, filtered as asked; every line it gets validates against
# proto/schema; control commands answer over the same socket.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
SOCK=$TT_TMP/run/tattle.sock
tt_daemon --default-action allow --no-audit --socket "$SOCK"
[ -S "$SOCK" ] || tt_fail "no socket at $SOCK"
[ "$(stat -c %a "$SOCK")" = 660 ] || tt_fail "socket mode $(stat -c %a "$SOCK"), want 660"

"$TATTLE" watch --json --socket "$SOCK" >"$TT_TMP/all.jsonl" 2>"$TT_TMP/watch.err" &
W1=$!
"$TATTLE" watch --json --socket "$SOCK" --type connection --verdict deny \
	>"$TT_TMP/deny.jsonl" 2>>"$TT_TMP/watch.err" &
W2=$!
tt_on_exit "kill $W1 $W2 2>/dev/null"
sleep 0.5
out=$(tt_in "$TT_TOOLS/tconnect" -c 3 127.0.0.1 8080) || tt_fail "connect: $out"
out=$(tt_in "$TT_TOOLS/tconnect" -u ::1 8080) || tt_fail "udp connect: $out"
for _ in $(seq 50); do
	[ "$(grep -c '"type":"connection"' "$TT_TMP/all.jsonl")" -ge 4 ] && break
	sleep 0.1
done
n=$(grep -c '"dst":{"ip":"127.0.0.1","port":8080' "$TT_TMP/all.jsonl" || true)
[ "$n" -eq 3 ] || tt_fail "subscriber saw $n TCP connection events, want 3"
grep -q '"proto":"udp","family":"ipv6"' "$TT_TMP/all.jsonl" || tt_fail "no UDP event"
[ ! -s "$TT_TMP/deny.jsonl" ] || tt_fail "deny-only subscriber got allow events"

# Same events as the log, seq for seq.
python3 - "$TT_TMP/all.jsonl" "$TT_EVENTS" <<'PY' || tt_fail "socket and log disagree"
import json, sys
sock = {json.loads(l)["seq"] for l in open(sys.argv[1]) if '"connection"' in l}
log = {json.loads(l)["seq"] for l in open(sys.argv[2]) if '"connection"' in l}
sys.exit(0 if sock and sock <= log else 1)
PY

# Requests: every reply and event line validates against the schemas.
python3 - "$SOCK" "$TT_ROOT/proto/schema" "$TT_TMP/all.jsonl" <<'PY' || tt_fail "protocol check failed"
import json, os, socket, sys
sock, sdir, events = sys.argv[1:4]
try:
    import jsonschema
    schemas = {f[:-5]: json.load(open(os.path.join(sdir, f))) for f in os.listdir(sdir)}
except ImportError:
    schemas = None
def check(o):
    if schemas is None:
        return
    name = "event-" + o["type"] if "type" in o else "reply"
    jsonschema.validate(o, schemas[name], cls=jsonschema.Draft202012Validator)
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
reqs = ['{"id":1,"cmd":"stats"}', '{"id":2,"cmd":"connections.list","args":{"limit":2}}',
        '{"id":3,"cmd":"config.get"}', '{"id":4,"cmd":"bogus"}', 'not json',
        '{"id":6,"cmd":"rules.list"}', '{"id":7,"cmd":"prompt.answer","args":{"prompt_id":9,"action":"allow"}}']
s.sendall(("\n".join(reqs) + "\n").encode())
f = s.makefile()
rep = [json.loads(f.readline()) for _ in reqs]
for r in rep:
    check(r)
assert rep[0]["ok"] and rep[0]["result"]["verdicts"]["allow"] >= 4, rep[0]
assert len(rep[1]["result"]["connections"]) == 2, rep[1]
assert rep[2]["result"]["default_action"] == "allow", rep[2]
assert rep[3]["error"]["code"] == "unknown-command" and rep[3]["id"] == 4, rep[3]
assert rep[4]["error"]["code"] == "bad-json" and rep[4]["id"] is None, rep[4]
assert rep[6]["error"]["code"] == "no-such-prompt", rep[6]
for line in open(events):
    check(json.loads(line))
print("ok")
PY
kill $W1 $W2 2>/dev/null
out=$("$TATTLE" stats --socket "$SOCK") || tt_fail "tattle stats failed"
echo "$out" | grep -q '^verdicts .*allow [1-9]' || tt_fail "stats: $out"
"$TATTLE" metrics --socket "$SOCK" >"$TT_TMP/m.prom" || tt_fail "tattle metrics failed"
grep -q '^tattle_verdicts_total{verdict="allow"} [1-9]' "$TT_TMP/m.prom" || tt_fail "metrics: no allow count"
grep -q '^tattle_verdict_latency_seconds_bucket{le="+Inf"} [1-9]' "$TT_TMP/m.prom" || tt_fail "metrics: no histogram"
tail -1 "$TT_TMP/m.prom" | grep -q '^# EOF$' || tt_fail "metrics: no # EOF"
tt_daemon_stop
[ ! -e "$SOCK" ] || tt_fail "socket left after exit"
