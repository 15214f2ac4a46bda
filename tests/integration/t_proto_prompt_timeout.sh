#!/bin/bash
# A prompter that never answers: the held connection gets the default
# action after the prompt timeout, with reason prompt-timeout; further
# connections to the same destination join the open prompt.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
tt_daemon --default-action deny --socket "$SOCK" --prompt-timeout-ms 1500

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
sleep 0.5
start=$(date +%s%N)
tt_in "$TT_TOOLS/tconnect" -t 4000 127.0.0.1 8080 >"$TT_TMP/c.out" &
C=$!
wait $C && tt_fail "connect succeeded under default deny with an unanswered prompt"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tt_wait_events 1 "e['type']=='connection' and e['reason']=='prompt-timeout' and \
e['verdict']=='deny'" >/dev/null || tt_fail "no prompt-timeout event"
n=$(tt_count_events "e['type']=='prompt'")
[ "$n" -ge 1 ] || tt_fail "no prompt event"
grep -q '"type":"prompt"' "$TT_TMP/prompts.jsonl" || tt_fail "prompter did not get the prompt"
# The TCP retransmissions of the same connect join the open prompt.
n=$(tt_count_events "e['type']=='prompt' and e['dst']['port']==8080")
tt_log "$n prompt events for 1 connect (retransmits join); blocked ${ms} ms"
[ "$ms" -ge 1400 ] || tt_fail "decided after ${ms} ms, before the 1500 ms prompt timeout"
# The timed-out connection's event still names the program the prompt
# asked about (it was known: the prompt carried it).
tt_wait_events 1 "e['type']=='connection' and e['reason']=='prompt-timeout' and \
e['process'] is not None and (e['process']['exe'] or '').endswith('/tconnect')" >/dev/null ||
	tt_fail "prompt-timeout event does not name the program"
tt_daemon_stop
