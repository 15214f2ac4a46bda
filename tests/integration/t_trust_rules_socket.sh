#!/bin/bash
# Issue 14 items 5 and 9, over the socket with real packets.
# 5: rules.disable/enable write the rule's own file (010-file.json holds
#    rule "deny-x"), so the watcher's reload keeps the new state and
#    reports no duplicate.
# 9: process.env rules apply from files (checked against the process that
#    made the connection) and are refused over the socket.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
tt_server 8081
R=$TT_TMP/rules
mkdir -p "$R"
cat >"$R/010-file.json" <<JSON
{"name":"deny-x","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"simple","operand":"dest.port",
 "sensitive":false,"data":"8080"}}
JSON
cat >"$R/020-env.json" <<JSON
{"name":"deny-env","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"list","operand":"list","list":[
 {"type":"simple","operand":"process.env.TT_BLOCK","sensitive":false,"data":"yes"},
 {"type":"simple","operand":"dest.port","sensitive":false,"data":"8081"}]}}
JSON
SOCK=$TT_TMP/tattle.sock
tt_daemon --default-action allow --rules "$R" --no-audit --socket "$SOCK"

denied() { ! tt_in "$TT_TOOLS/tconnect" -t 600 127.0.0.1 "$1" >/dev/null; }
denied 8080 || tt_fail "deny-x did not deny at start"
"$TATTLE" rules disable deny-x --socket "$SOCK" >/dev/null || tt_fail "disable failed"
denied 8080 && tt_fail "disabled rule still denies"
sleep 1.5	# the watcher's reload (debounce ~100 ms) has run
denied 8080 && tt_fail "the reload restored the disabled rule"
[ -e "$R/deny-x.json" ] && tt_fail "disable wrote deny-x.json beside the rule's own file"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["enabled"] is not False)' \
	"$R/010-file.json" || tt_fail "010-file.json not disabled: $(cat "$R/010-file.json")"
"$TATTLE" rules enable deny-x --socket "$SOCK" >/dev/null || tt_fail "enable failed"
sleep 1.5
denied 8080 || tt_fail "enabled rule does not deny after the reload"
n=$(tt_count_events "e['type']=='warning' and 'duplicate' in e.get('message','')")
[ "$n" -eq 0 ] || tt_fail "$n duplicate-rule warnings after enable/disable"
ls "$R"/.* 2>/dev/null | grep -q 'json\.' && tt_fail "temporary file left: $(ls -a "$R")"

# process.env from a file: only the process that has it set is denied.
tt_in env TT_BLOCK=yes "$TT_TOOLS/tconnect" -t 600 127.0.0.1 8081 >/dev/null &&
	tt_fail "process.env rule did not deny the process with TT_BLOCK=yes"
tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8081 >/dev/null ||
	tt_fail "process.env rule denied a process without TT_BLOCK"
tt_wait_events 1 "e['type']=='connection' and e['rule']=='deny-env'" >/dev/null ||
	tt_fail "no event naming deny-env"
# ... and never over the socket.
cat >"$TT_TMP/env.json" <<JSON
{"name":"oracle","enabled":true,"precedence":false,"action":"allow",
 "duration":"until restart","operator":{"type":"regexp",
 "operand":"process.env.HOME","sensitive":false,"data":"^/r"}}
JSON
if out=$("$TATTLE" rules add --file "$TT_TMP/env.json" --socket "$SOCK" 2>&1); then
	tt_fail "a process.env rule was accepted over the socket: $out"
fi
echo "$out" | grep -q "only loaded from rule files" || tt_fail "unclear refusal: $out"
tt_daemon_stop
