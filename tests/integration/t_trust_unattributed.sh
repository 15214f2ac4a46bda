#!/bin/bash
# Issue 14 items 4 and 17: a connection no process can be found for (a
# raw socket: no UDP socket, no fd, no audit record) is decided by
# unattributed_action, not the default action; and with a prompter
# connected it is asked about, the prompt showing what is known (uid,
# destination, "process": null).
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080

# A UDP receiver that counts what reaches it.
recv_start() {
	tt_in python3 - "$1" "$TT_TMP/recv.$1" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
n = 0
open(sys.argv[2], "w").write("0\n")
while True:
    s.recv(2048)
    n += 1
    open(sys.argv[2], "w").write("%d\n" % n)
PY
	tt_on_exit "kill $! 2>/dev/null"
	for _ in $(seq 50); do [ -s "$TT_TMP/recv.$1" ] && return 0; sleep 0.05; done
	tt_fail "receiver on $1 did not start"
}
recv_start 9999
recv_start 9998

# 1: default allow, unknown = deny.
tt_daemon --no-audit --default-action allow --unattributed-action deny
tt_in python3 "$TT_ROOT/tests/tools/rawudp.py" 127.0.0.1 9999 3 >/dev/null
tt_wait_events 3 "e['type']=='connection' and e['dst']['port']==9999 and \
e['verdict']=='deny' and e['reason']=='unattributed' and e['process'] is None \
and e['attribution']['source']=='none'" >/dev/null ||
	tt_fail "unattributed packets not denied with reason unattributed"
sleep 0.3
[ "$(cat "$TT_TMP/recv.9999")" = 0 ] || tt_fail "denied raw datagrams arrived"
# An attributed connection still gets the default action.
out=$(tt_in "$TT_TOOLS/tconnect" -t 3000 127.0.0.1 8080) ||
	tt_fail "attributed connect not allowed by the default: $out"
tt_wait_events 1 "e['type']=='connection' and e['dst']['port']==8080 and \
e['verdict']=='allow' and e['reason']=='default' and e['process']" >/dev/null ||
	tt_fail "attributed connect not decided by the default action"
tt_daemon_stop

# 2: a prompter is connected: the unknown connection is asked about.
: >"$TT_EVENTS"
SOCK=$TT_TMP/tattle.sock
tt_daemon --no-audit --default-action deny --socket "$SOCK" --prompt-timeout-ms 8000
python3 - "$SOCK" "$TT_TMP/prompter.out" <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"id":1,"cmd":"prompt.register"}\n')
out = open(sys.argv[2], "w", buffering=1)
n = 2
for line in s.makefile():
    out.write(line)
    e = json.loads(line)
    if e.get("type") == "prompt":
        # A lasting answer needs a program to name: refused.
        s.sendall(json.dumps({"id": n, "cmd": "prompt.answer", "args": {
            "prompt_id": e["prompt_id"], "action": "allow",
            "duration": "always", "scope": "exe"}}).encode() + b"\n")
        s.sendall(json.dumps({"id": n + 1, "cmd": "prompt.answer", "args": {
            "prompt_id": e["prompt_id"], "action": "allow",
            "duration": "once", "scope": "exe"}}).encode() + b"\n")
        n += 2
PY
P=$!
tt_on_exit "kill $P 2>/dev/null"
sleep 0.5
tt_in python3 "$TT_ROOT/tests/tools/rawudp.py" 127.0.0.1 9998 1 >/dev/null
tt_wait_events 1 "e['type']=='prompt' and e['dst']['port']==9998 and \
e['process'] is None and e['uid']==0" >/dev/null ||
	tt_fail "no prompt for the unattributed connection"
tt_wait_events 1 "e['type']=='connection' and e['dst']['port']==9998 and \
e['verdict']=='allow' and e['reason']=='prompt'" >/dev/null ||
	tt_fail "the once answer did not decide the unattributed connection"
for _ in $(seq 40); do [ "$(cat "$TT_TMP/recv.9998")" = 1 ] && break; sleep 0.05; done
[ "$(cat "$TT_TMP/recv.9998")" = 1 ] || tt_fail "the allowed datagram did not arrive"
grep -q '"code":"bad-args"' "$TT_TMP/prompter.out" ||
	tt_fail "a lasting answer for an unknown process was not refused: $(cat "$TT_TMP/prompter.out")"
tt_daemon_stop
