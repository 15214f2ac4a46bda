#!/bin/bash
# user.name rules (issue 17 item 7): the name of the sender's uid is
# looked up on the worker thread, never on the verdict loop, and the
# packet waits for it: the rule still decides the first connection.
. "$(dirname "$0")/lib.sh"
tt_require_root
command -v setpriv >/dev/null || tt_skip "setpriv (util-linux) not installed"
NOBODY=$(getent passwd 65534 | cut -d: -f1)
[ -n "$NOBODY" ] || tt_skip "uid 65534 has no name here"
tt_netns
tt_server 8082
R=$TT_TMP/rules
mkdir -p "$R"
cat >"$R/010-user.json" <<JSON
{"name":"deny-nobody","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"list","operand":"list","list":[
 {"type":"simple","operand":"user.name","sensitive":false,"data":"$NOBODY"},
 {"type":"simple","operand":"dest.port","sensitive":false,"data":"8082"}]}}
JSON
tt_daemon --default-action allow --rules "$R" --no-audit

as_nobody() { tt_in setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# A copy nobody can run wherever the checkout is (a clone under a 0700
# directory is not searchable by uid 65534).
chmod 755 "$TT_TMP"
cp "$TT_TOOLS/tconnect" "$TT_TMP/tconnect"
chmod 755 "$TT_TMP/tconnect"
as_nobody test -x "$TT_TMP/tconnect" ||
	tt_fail "uid 65534 cannot run $TT_TMP/tconnect"
# the first connection of that user already waits for the look-up
as_nobody "$TT_TMP/tconnect" -t 600 127.0.0.1 8082 >/dev/null &&
	tt_fail "user.name rule did not deny $NOBODY's first connection"
as_nobody "$TT_TMP/tconnect" -t 600 127.0.0.1 8082 >/dev/null &&
	tt_fail "user.name rule did not deny $NOBODY again (cached name)"
tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8082 >/dev/null ||
	tt_fail "user.name rule denied root"
n=$(tt_wait_events 2 "e['type']=='connection' and e['rule']=='deny-nobody'") ||
	tt_fail "expected 2 events naming deny-nobody, got $n"
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='allow' and (e.get('dst') or {}).get('port')==8082" >/dev/null ||
	tt_fail "no allow event for root's connection"
tt_daemon_stop
