#!/bin/bash
# A scripted prompter (tattle ask --auto) answers allow-always: the held
# connection goes through, the rule file appears in the rules directory,
# and that rule governs the next connection once no prompter is left.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
RULES=$TT_TMP/rules
mkdir -p "$RULES"
tt_daemon --default-action deny --rules "$RULES" --socket "$SOCK" --prompt-timeout-ms 10000

"$TATTLE" ask --auto allow:always:exe --socket "$SOCK" >"$TT_TMP/ask.out" 2>&1 &
ASK=$!
tt_on_exit "kill $ASK 2>/dev/null"
sleep 0.5
out=$(tt_in "$TT_TOOLS/tconnect" -t 8000 -T prompt-always 127.0.0.1 8080) ||
	tt_fail "held connection was not allowed by the answer: $out; ask: $(cat "$TT_TMP/ask.out")"
tt_wait_events 1 "e['type']=='prompt' and e['dst']['port']==8080" >/dev/null ||
	tt_fail "no prompt event"
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='allow' and \
e['reason']=='prompt' and 'prompt_id' in e and e['dst']['port']==8080" >/dev/null ||
	tt_fail "no allow event with reason prompt"
exe=$(python3 -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['type'] == 'prompt': print(e['process']['exe']); break" "$TT_EVENTS")
[ -n "$exe" ] || tt_fail "prompt without an executable"
f=$(ls "$RULES"/*.json 2>/dev/null | head -1)
[ -n "$f" ] || tt_fail "no rule file written; ask said: $(cat "$TT_TMP/ask.out")"
python3 - "$f" "$exe" <<'PY' || tt_fail "rule file is not the expected OpenSnitch rule: $(cat "$f")"
import json, sys
r = json.load(open(sys.argv[1]))
op = r["operator"]
assert r["action"] == "allow" and r["duration"] == "always" and r["enabled"], r
assert op["type"] == "simple" and op["operand"] == "process.path" and op["data"] == sys.argv[2], op
PY
name=$(basename "$f" .json)
kill $ASK; wait $ASK 2>/dev/null || true
sleep 0.3
# No prompter now: the rule decides, not the default (deny).
out=$(tt_in "$TT_TOOLS/tconnect" -t 3000 127.0.0.1 8080) || tt_fail "rule did not allow: $out"
tt_wait_events 1 "e['type']=='connection' and e['reason']=='rule' and e['rule']=='$name'" \
	>/dev/null || tt_fail "next connection not decided by rule $name"
"$TATTLE" rules list --socket "$SOCK" | grep -q "^$name " || tt_fail "rules list lacks $name"
"$TATTLE" rules rm "$name" --socket "$SOCK" >/dev/null || tt_fail "rules rm failed"
[ ! -e "$f" ] || tt_fail "rule file still there after rm"
tt_daemon_stop
