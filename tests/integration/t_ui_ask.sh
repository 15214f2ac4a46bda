#!/bin/bash
# tattle ask in a real terminal (tmux): it shows the held connection
# (program, pid, destination, proto) and the key for "allow always"
# decides it and writes the rule.  The terminal is restored on q.
. "$(dirname "$0")/lib.sh"
tt_require_root
command -v tmux >/dev/null || tt_fail "tmux missing (scripts/deps.sh installs it)"
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
RULES=$TT_TMP/rules
mkdir -p "$RULES"
tt_daemon --default-action deny --rules "$RULES" --socket "$SOCK" --prompt-timeout-ms 15000
TMUX_S="tt-ask-$$"
tmux new-session -d -s "$TMUX_S" -x 132 -y 40 bash --norc
tt_on_exit "tmux kill-session -t $TMUX_S 2>/dev/null"
tmux send-keys -t "$TMUX_S" "$TATTLE ask --socket $SOCK; echo ask-exit=\$?" Enter
sleep 1
tt_in "$TT_TOOLS/tconnect" -t 12000 -T ui-ask 127.0.0.1 8080 >"$TT_TMP/c.out" 2>&1 &
C=$!
shown=""
for _ in $(seq 50); do
	shown=$(tmux capture-pane -p -t "$TMUX_S")
	echo "$shown" | grep -q "127.0.0.1:8080" && break
	sleep 0.1
done
echo "$shown" | grep -q "Program *tconnect" || tt_fail "ask does not show the program: $shown"
echo "$shown" | grep -q "Destination 127.0.0.1:8080 *tcp" || tt_fail "ask does not show the destination: $shown"
echo "$shown" | grep -q "Command .*ui-ask" || tt_fail "ask does not show the command line: $shown"
echo "$shown" | grep -q "User *root" || tt_fail "ask does not show the user: $shown"
tmux send-keys -t "$TMUX_S" A
wait $C || tt_fail "connection not allowed after 'A': $(cat "$TT_TMP/c.out")"
ls "$RULES"/allow-always-*.json >/dev/null 2>&1 || tt_fail "no allow-always rule file"
tmux send-keys -t "$TMUX_S" q
sleep 0.5
tmux send-keys -t "$TMUX_S" "stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)\$' | tr '\\n' ' '; echo" Enter
sleep 0.5
shown=$(tmux capture-pane -p -t "$TMUX_S")
echo "$shown" | grep -q "ask-exit=0" || tt_fail "ask did not exit 0 on q: $shown"
echo "$shown" | grep -q "^icanon echo" || tt_fail "terminal not restored: $shown"
tt_daemon_stop
