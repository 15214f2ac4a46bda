#!/bin/bash
# Issue 14 item 7: one user opening 64 prompts to new ports must not
# disable asking for everyone.  uid A (nobody) runs four programs that
# connect to 64 new ports while a prompter never answers: its prompts stop
# at its quota (16; 16 per executable too) and its further connections
# are denied with reason prompt-refused (a prompter is there: never the
# default), with a warning; uid B (root) is still asked.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
for p in a1 a2 a3 a4 b; do cp "$TT_TOOLS/tconnect" "$TT_TMP/$p"; done
chmod 755 "$TT_TMP" "$TT_TMP"/a?
tt_daemon --default-action allow --socket "$SOCK" --prompt-timeout-ms 30000

python3 - "$SOCK" "$TT_TMP/prompts.jsonl" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"id":1,"cmd":"prompt.register"}\n')
out = open(sys.argv[2], "w", buffering=1)
for line in s.makefile():
    out.write(line)
PY
P=$!
tt_on_exit "kill $P 2>/dev/null"
for _ in $(seq 100); do grep -q '"id":1' "$TT_TMP/prompts.jsonl" 2>/dev/null && break; sleep 0.05; done
grep -q '"ok":true' "$TT_TMP/prompts.jsonl" || tt_fail "prompter not registered"

# uid A: 4 programs x 16 new ports, each waiting in connect (alive, so
# attributed; the namespace's processes are killed at exit).
for p in a1 a2 a3 a4; do
	for i in $(seq 0 15); do
		port=$((10000 + ${p#a} * 100 + i))
		tt_in setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$TT_TMP/$p" -t 30000 127.0.0.1 "$port" >/dev/null 2>&1 &
	done
	sleep 0.2
done
tt_wait_events 64 "e['type'] in ('prompt','connection') and \
10100 <= e['dst']['port'] < 10500" 10 >/dev/null ||
	tt_fail "not every connection of uid A was prompted or decided"
# uid B is still asked.
tt_in "$TT_TMP/b" -t 30000 127.0.0.1 8080 >/dev/null 2>&1 &
tt_wait_events 1 "e['type']=='prompt' and e['dst']['port']==8080" 5 >/dev/null ||
	tt_fail "uid B's connection got no prompt: the table is held by uid A"
grep -q '"port":8080' "$TT_TMP/prompts.jsonl" || tt_fail "the prompter did not get B's prompt"
nprompt=$(tt_count_events "e['type']=='prompt' and 10100 <= e['dst']['port'] < 10500")
nrefused=$(tt_count_events "e['type']=='connection' and \
10100 <= e['dst']['port'] < 10500 and e['verdict']=='deny' and \
e['reason']=='prompt-refused'")
tt_log "uid A: $nprompt prompts, $nrefused denied as prompt-refused"
[ "$nprompt" -le 16 ] || tt_fail "uid A opened $nprompt prompts, quota is 16"
[ $((nprompt + nrefused)) -ge 64 ] ||
	tt_fail "uid A: $nprompt prompts + $nrefused refused < 64 connections"
n=$(tt_count_events "e['type']=='connection' and 10100 <= e['dst']['port'] < 10500 \
and e['verdict']=='allow'")
[ "$n" -eq 0 ] || tt_fail "$n connections of uid A allowed by the default while a prompter is there"
tt_wait_events 1 "e['type']=='warning' and e['code']=='prompt-refused'" >/dev/null ||
	tt_fail "no prompt-refused warning"

tt_daemon_stop
