#!/bin/bash
# Rules: default deny plus "allow process.path = <copy of tconnect named
# good>": short-lived good and bad processes (TCP and UDP) get allow and
# deny.  A rule file edited while running takes effect within a second;
# an invalid file is named in a warning and the others stay active.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
cp "$TT_TOOLS/tconnect" "$TT_TMP/good"
cp "$TT_TOOLS/tconnect" "$TT_TMP/bad"
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-allow-good.json" <<JSON
{"created":"2026-11-21T10:00:00Z","updated":"2026-11-21T10:00:00Z",
 "name":"100-allow-good","enabled":true,"precedence":false,"action":"allow",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":false,"data":"$TT_TMP/good","list":[]}}
JSON
echo '{"name": "broken", "action": ' >"$TT_TMP/rules/050-broken.json"
tt_daemon --default-action deny --rules "$TT_TMP/rules"
grep -q "050-broken.json" "$TT_TMP/daemon.err" || tt_fail "invalid file not named"
tt_wait_events 1 "e['type']=='warning' and e.get('file','').endswith('050-broken.json')" \
	>/dev/null || tt_fail "no warning event for the invalid file"

for proto in "" -u; do
	for addr in 127.0.0.1 ::1; do
		tt_in "$TT_TMP/good" -t 1000 $proto "$addr" 8080 >/dev/null ||
			tt_fail "good $proto $addr was not allowed"
		if tt_in "$TT_TMP/bad" -t 500 $proto "$addr" 8080 >/dev/null; then
			tt_fail "bad $proto $addr was not denied"
		fi
	done
done
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='allow' and \
e['reason']=='rule' and e['rule']=='100-allow-good' and e['process']['exe']=='$TT_TMP/good'")
[ "$n" -ge 4 ] || tt_fail "$n rule-allow events for good, want >= 4"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='deny' and \
e['reason']=='default' and e['process'] and e['process']['exe']=='$TT_TMP/bad'")
[ "$n" -ge 4 ] || tt_fail "$n default-deny events for bad, want >= 4"

# Edit while running: now deny good by a deny rule with a later name
# (deny wins whatever the order).
cat >"$TT_TMP/rules/200-deny-good.json" <<JSON
{"name":"200-deny-good","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":false,"data":"$TT_TMP/good"}}
JSON
sleep 1
if tt_in "$TT_TMP/good" -t 500 127.0.0.1 8080 >/dev/null; then
	tt_fail "edited rule not in effect after 1 s"
fi
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='deny' and \
e['rule']=='200-deny-good'" >/dev/null || tt_fail "no deny event naming the new rule"
rm "$TT_TMP/rules/200-deny-good.json"
sleep 1
tt_in "$TT_TMP/good" -t 1000 127.0.0.1 8080 >/dev/null ||
	tt_fail "removed deny rule still in effect after 1 s"
tt_daemon_stop
