#!/bin/bash
# Issue 14 item 3: a socket inherited across fork.  M makes a TCP socket
# without CLOEXEC and forks; the parent execs an allowed program (a copy
# of tconnect, which makes its own allowed connection and then holds),
# the child connects the inherited socket.  Without audit the /proc scan
# finds both holders: they run different executables, so the child's
# connection is named after neither (never the allowed program) and the
# default deny applies.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
cp "$TT_TOOLS/tconnect" "$TT_TMP/allowed"
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-allow.json" <<JSON
{"name":"100-allow","enabled":true,"precedence":false,"action":"allow",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":true,"data":"$TT_TMP/allowed"}}
JSON
tt_daemon --default-action deny --no-audit --rules "$TT_TMP/rules"
# Not through tt_in: a backgrounded function is a subshell, and $! must be
# the pid that becomes the allowed program.
ip netns exec "$TT_NS" "$TT_TOOLS/inherit" "$TT_TMP/allowed" 127.0.0.1 8080 \
	-H -T parent 127.0.0.1 8080 >"$TT_TMP/inherit.out" 2>&1 &
parent=$!
tt_on_exit "kill -KILL $parent 2>/dev/null"
for _ in $(seq 100); do
	grep -qE "connected|failed" "$TT_TMP/inherit.out" && break
	sleep 0.05
done
out=$(grep -E "connected|failed" "$TT_TMP/inherit.out") ||
	tt_fail "the child said nothing: $(cat "$TT_TMP/inherit.out")"
child=${out%% *}
# The allowed program's own connection: allowed, named after it.
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='allow' and \
e['process'] and e['process']['pid']==$parent and \
e['process']['exe']=='$TT_TMP/allowed'" >/dev/null ||
	tt_fail "the allowed program's own connection was not allowed"
case $out in
*connected*) tt_fail "the child's connection on the inherited socket was allowed" ;;
esac
tt_wait_events 1 "e['type']=='connection' and e['verdict']=='deny' and \
e['dst']['port']==8080" >/dev/null || tt_fail "no deny event for the child"
n=$(tt_count_events "e['type']=='connection' and e['verdict']=='deny' and \
e['process'] is not None and e['process']['exe']=='$TT_TMP/allowed'")
[ "$n" -eq 0 ] || tt_fail "a denied connection was named after the allowed program"
kill -KILL "$parent" 2>/dev/null
wait "$parent" 2>/dev/null || true
tt_daemon_stop
