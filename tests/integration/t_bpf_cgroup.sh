#!/bin/bash
# A container's one-shot sender, named from its eBPF record's cgroup id.
# The test makes a Docker-shaped cgroup (…/docker-<64 hex>.scope) under the
# cgroup2 mount; a real process placed in it sends ONE UDP datagram and
# exits at once, so /proc has nothing to say when tattled decides: the
# record's cgroup id, walked to its path on the worker, names the unit and
# container.
#  1. default allow + a process.container deny rule: the datagram is
#     dropped, the event names the container and the rule;
#  2. default deny + a process.container allow rule: it is delivered; the
#     same sender in a plain cgroup is denied by the default;
#  3. a live sender that moves between the cgroups while sending: each
#     datagram is placed where it was sent from, whatever /proc said when
#     tattled read it (the record, made at send time, wins: "moved").
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
[ -n "$(tt_cgroup2_mount)" ] || tt_fail "no cgroup2 mount on this host"
tt_netns
mnt=$(tt_cgroup2_mount)
top="tattle-it-$$.slice"
cid=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
tt_cgroup "$top/docker-$cid.scope"
ctr_cg=$TT_CG
tt_cgroup "$top/plain-$$.scope"
plain_cg=$TT_CG
ctr_path="/${ctr_cg#"$mnt"/}"
cp "$TT_TOOLS/churn" "$TT_TMP/oneshot"
SOCK=$TT_TMP/tattle.sock

# A UDP receiver in the namespace: one line per datagram, its source port.
tt_in python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 9099))
print("ready", flush=True)
while True:
    _, a = s.recvfrom(2048)
    print(a[1], flush=True)
' >"$TT_TMP/recv.out" 2>&1 &
for _ in $(seq 50); do grep -q ready "$TT_TMP/recv.out" && break; sleep 0.05; done
grep -q ready "$TT_TMP/recv.out" || tt_fail "UDP receiver did not start"

received() { grep -qx "$1" "$TT_TMP/recv.out"; }

# One datagram from port SPORT by a one-shot process in cgroup CG.
oneshot() {	# cg sport
	tt_in_cgroup "$1" "$TT_TMP/oneshot" -m ff -s "$2" 127.0.0.1 9099 ||
		tt_fail "one-shot sender failed"
}

# The first connection event from SPORT, as JSON (fails after 5 s).
event_of() {
	tt_wait_events 1 "e['type']=='connection' and e['src']['port']==$1" >/dev/null ||
		tt_fail "no event for the datagram from port $1"
	python3 - "$TT_EVENTS" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] == "connection" and e["src"]["port"] == int(sys.argv[2]):
        print(json.dumps(e))
        break
PY
}

# check EVENT_JSON PYTHON_PREDICATE MESSAGE
check() {
	python3 -c 'import json,sys; e=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$1" "$2" || { tt_log "event: $1"; tt_fail "$3"; }
}

stat_of() {	# python expression over the stats object `s`
	"$TATTLE" stats --json --socket "$SOCK" >"$TT_TMP/stats.json" ||
		tt_fail "tattle stats"
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$TT_TMP/stats.json" "$1"
}

rule() {	# dir name action operator-json
	printf '{"name":"%s","enabled":true,"action":"%s","duration":"always","operator":%s}\n' \
		"$2" "$3" "$4" >"$1/$2.json"
}
ctr_op='{"type":"simple","operand":"process.container","data":"'"$cid"'"}'

# ---- 1. default allow, deny the container
tt_log "phase 1 at $(date +%T.%N)"
mkdir "$TT_TMP/deny"
rule "$TT_TMP/deny" 100-deny-ctr deny "$ctr_op"
tt_daemon --default-action allow --rules "$TT_TMP/deny" --socket "$SOCK"
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
oneshot "$ctr_cg" 31001
e=$(event_of 31001)
check "$e" "e['verdict']=='deny' and e['reason']=='rule' and e['rule']=='100-deny-ctr'" \
	"container deny rule did not block the one-shot sender"
check "$e" "e['attribution']['source']=='bpf' and e['process']['exe']=='$TT_TMP/oneshot'" \
	"one-shot sender not attributed from its eBPF record"
check "$e" "e['process']['container']=={'runtime':'docker','id':'$cid'} and \
e['process']['unit']=='docker-$cid.scope' and e['process']['cgroup']=='$ctr_path'" \
	"event does not name the container from the record's cgroup"
# the same executable in another cgroup: allowed by default
oneshot "$plain_cg" 31002
e=$(event_of 31002)
check "$e" "e['verdict']=='allow' and e['reason']=='default' and \
e['process']['container'] is None and e['process']['cgroup'].endswith('/plain-$$.scope')" \
	"plain-cgroup sender not allowed by default with its own cgroup"
for _ in $(seq 40); do received 31002 && break; sleep 0.05; done
received 31002 || tt_fail "allowed datagram not delivered"
received 31001 && tt_fail "denied datagram was delivered"
[ "$(stat_of "s['worker']['cgroup_walks']")" -ge 2 ] ||
	tt_fail "no cgroup walk on the worker for two new cgroup ids"
[ "$(stat_of "s['cgroup_waits']")" -ge 2 ] ||
	tt_fail "packets did not wait for their cgroup's path"
# a second sender of the known container: answered from the loop's cache
oneshot "$ctr_cg" 31003
e=$(event_of 31003)
check "$e" "e['verdict']=='deny' and e['process']['container']['id']=='$cid'" \
	"second one-shot sender in the container not denied"
waits=$(stat_of "s['cgroup_waits']")
[ "$waits" -eq 2 ] || tt_fail "a cached cgroup id waited again ($waits waits, want 2)"
tt_log "verdict_us: first of its cgroup (walked) $(event_of 31001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict_us"])'), cached $(echo "$e" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict_us"])'); walked $(stat_of "s['worker']['cgroup_walked_dirs']") dirs in $(stat_of "s['worker']['cgroup_walks']") walks"
tt_daemon_stop

# ---- 2. default deny, allow the container
tt_log "phase 2 at $(date +%T.%N)"
mkdir "$TT_TMP/allow"
rule "$TT_TMP/allow" 100-allow-ctr allow "$ctr_op"
: >"$TT_EVENTS"
tt_daemon --default-action deny --rules "$TT_TMP/allow" --socket "$SOCK"
oneshot "$ctr_cg" 31011
oneshot "$plain_cg" 31012
e=$(event_of 31011)
check "$e" "e['verdict']=='allow' and e['rule']=='100-allow-ctr' and \
e['attribution']['source']=='bpf' and e['process']['container']['id']=='$cid'" \
	"container allow rule did not allow the one-shot sender"
e=$(event_of 31012)
check "$e" "e['verdict']=='deny' and e['reason']=='default'" \
	"plain-cgroup sender not denied by default"
for _ in $(seq 40); do received 31011 && break; sleep 0.05; done
received 31011 || tt_fail "datagram allowed by the container rule not delivered"
received 31012 && tt_fail "default-denied datagram was delivered"

# ---- 3. moved: the record wins over what tattled read from /proc
tt_log "phase 3 at $(date +%T.%N)"
# A live sender in the plain cgroup sends (tattled reads /proc and caches
# it there), moves into the container, sends from a new socket (a socket's
# owner is recorded at its first send), moves back: whatever
# tattled read, the record of each datagram places it where it sent from.
# ip netns exec mounts its own /sys: the cgroup files are opened before
# (fds 3 and 4) and the sender writes "0" (itself) to them.
tt_in_cgroup "$plain_cg" python3 -c '
import os, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 31021))
s.sendto(b"x", ("127.0.0.1", 9099))
time.sleep(0.3)
os.write(3, b"0")
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t.bind(("127.0.0.1", 31022))
t.sendto(b"y", ("127.0.0.1", 9099))
os.write(4, b"0")
time.sleep(2)
' 3>"$ctr_cg/cgroup.procs" 4>"$plain_cg/cgroup.procs" &
mover=$!
tt_wait_events 1 "e['type']=='connection' and e['src']['port']==31022" >/dev/null ||
	tt_fail "no event for the moving sender's second datagram"
n=$(tt_count_events "e['type']=='connection' and e['src']['port']==31021 and \
e['verdict']=='deny' and e['process']['container'] is None and \
e['process']['cgroup'].endswith('/plain-$$.scope')")
[ "$n" -eq 1 ] || tt_fail "first datagram (sent from the plain cgroup) not denied there"
n=$(tt_count_events "e['type']=='connection' and e['src']['port']==31022 and \
e['verdict']=='allow' and e['rule']=='100-allow-ctr' and \
e['process']['container']['id']=='$cid' and e['process']['cgroup']=='$ctr_path'")
[ "$n" -eq 1 ] || tt_fail "second datagram (sent from the container) not placed there"
moved=$(stat_of "s['bpf']['cgroup_moved']")
[ "$moved" -ge 1 ] || tt_fail "the record's cgroup did not override /proc's (moved $moved)"
tt_log "stats: cgroup_moved $moved, cgroup_from_record $(stat_of "s['bpf']['cgroup_from_record']"), exited_owners $(stat_of "s['bpf']['exited_owners']")"
wait "$mover" || tt_fail "moving sender failed"
tt_daemon_stop
tt_bpf_none_left || tt_fail "BPF programs left attached"
