#!/bin/bash
# The client side of identity: tattle watch names the unit or container
# after program[pid]; tattle top (in tmux) switches its rows between
# program, unit and container with g; tattle rules shows a rule's
# description and nolog; tattle stats counts nolog decisions.  Real
# processes in a service-shaped cgroup and a Docker-shaped scope made by
# the test under the cgroup2 mount.
. "$(dirname "$0")/lib.sh"
tt_require_root
command -v tmux >/dev/null || tt_fail "tmux missing (scripts/deps.sh installs it)"
[ -n "$(tt_cgroup2_mount)" ] || tt_fail "no cgroup2 mount on this host"
tt_netns
tt_server 8080
tt_server 8081
unit="tt-ui-$$.service"
cid=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
tt_cgroup "tattle-it-$$.slice/$unit"
svc_cg=$TT_CG
tt_cgroup "tattle-it-$$.slice/docker-$cid.scope"
ctr_cg=$TT_CG
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-quiet.json" <<JSON
{"name":"100-quiet","enabled":true,"action":"allow","duration":"always",
 "nolog":true,"description":"port 8081 is chatty",
 "operator":{"type":"range","operand":"dest.port","data":"8081-8081"}}
JSON
SOCK=$TT_TMP/tattle.sock
tt_daemon --default-action allow --socket "$SOCK" --rules "$TT_TMP/rules"

"$TATTLE" rules list --socket "$SOCK" >"$TT_TMP/rules.out" || tt_fail "tattle rules"
grep -q "^100-quiet .*dest.port in 8081-8081" "$TT_TMP/rules.out" ||
	tt_fail "rules list: $(cat "$TT_TMP/rules.out")"
grep -q "\[nolog\] # port 8081 is chatty" "$TT_TMP/rules.out" ||
	tt_fail "description/nolog not shown: $(cat "$TT_TMP/rules.out")"

"$TATTLE" watch --socket "$SOCK" >"$TT_TMP/watch.out" 2>&1 &
W=$!
tt_on_exit "kill $W 2>/dev/null"
TMUX_S="tt-uiid-$$"
tmux new-session -d -s "$TMUX_S" -x 160 -y 40 bash --norc
tt_on_exit "tmux kill-session -t $TMUX_S 2>/dev/null"
tmux send-keys -t "$TMUX_S" "$TATTLE top --interval 200 --socket $SOCK" Enter
sleep 1
tt_in_cgroup "$svc_cg" "$TT_TOOLS/tconnect" -c 2 127.0.0.1 8080 >/dev/null ||
	tt_fail "connect from the service cgroup"
tt_in_cgroup "$ctr_cg" "$TT_TOOLS/tconnect" -c 3 127.0.0.1 8080 >/dev/null ||
	tt_fail "connect from the docker scope"
tt_in "$TT_TOOLS/tconnect" -c 2 127.0.0.1 8080 >/dev/null || tt_fail "plain connect"
tt_in "$TT_TOOLS/tconnect" -c 2 127.0.0.1 8081 >/dev/null || tt_fail "nolog connect"

short=${cid:0:12}
for _ in $(seq 50); do
	grep -q "{docker:$short}" "$TT_TMP/watch.out" &&
		grep -q "{$unit}" "$TT_TMP/watch.out" && break
	sleep 0.1
done
grep -Eq "ALLOW +tconnect\[[0-9]+\] \{$unit\} +-> 127\.0\.0\.1:8080 tcp default$" \
	"$TT_TMP/watch.out" || tt_fail "watch did not name the unit: $(cat "$TT_TMP/watch.out")"
grep -Eq "ALLOW +tconnect\[[0-9]+\] \{docker:$short\} +-> 127\.0\.0\.1:8080 tcp default$" \
	"$TT_TMP/watch.out" || tt_fail "watch did not name the container: $(cat "$TT_TMP/watch.out")"
grep -q "8081" "$TT_TMP/watch.out" && tt_fail "nolog connection shown by watch"

screen() { tmux capture-pane -p -t "$TMUX_S"; }
wait_screen() {	# regexp
	for _ in $(seq 40); do screen | grep -Eq "$1" && return 0; sleep 0.1; done
	tt_fail "top never showed /$1/: $(screen)"
}
wait_screen "^tconnect +3 +7 +7 +0 "
tmux send-keys -t "$TMUX_S" g
wait_screen "^UNIT "
wait_screen "^$unit +1 +2 +2 +0 "
wait_screen "^\(no unit\) "
tmux send-keys -t "$TMUX_S" g
wait_screen "^CONTAINER "
wait_screen "^docker:$short +1 +3 +3 +0 "
wait_screen "^\(host\) +2 +4 +4 +0 "
tmux send-keys -t "$TMUX_S" g
wait_screen "^PROGRAM "
tmux send-keys -t "$TMUX_S" q

"$TATTLE" stats --json --socket "$SOCK" >"$TT_TMP/stats.json" || tt_fail "tattle stats"
python3 - "$TT_TMP/stats.json" <<'PY' || tt_fail "stats: $(cat "$TT_TMP/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s.get("nolog", 0) >= 2 else 1)
PY
tt_daemon_stop
