#!/bin/bash
# tattle top in a real terminal (tmux): a real connection shows up in the
# per-application table; keys re-sort; q quits and restores the terminal.
. "$(dirname "$0")/lib.sh"
tt_require_root
command -v tmux >/dev/null || tt_fail "tmux missing (scripts/deps.sh installs it)"
tt_netns
tt_server 8080
SOCK=$TT_TMP/tattle.sock
tt_daemon --default-action allow --socket "$SOCK"
TMUX_S="tt-top-$$"
tmux new-session -d -s "$TMUX_S" -x 132 -y 40 bash --norc
tt_on_exit "tmux kill-session -t $TMUX_S 2>/dev/null"
tmux send-keys -t "$TMUX_S" "$TATTLE top --interval 200 --socket $SOCK; echo top-exit=\$?" Enter
sleep 1
out=$(tt_in "$TT_TOOLS/tconnect" -c 5 127.0.0.1 8080) || tt_fail "connect: $out"
row=""
for _ in $(seq 50); do
	row=$(tmux capture-pane -p -t "$TMUX_S" | grep "^tconnect " || true)
	# the table refreshes every 200 ms: wait until all five are counted
	[ -n "$row" ] && echo "$row" | grep -q "127.0.0.1:8080" &&
		[ "$(echo "$row" | awk '{print $3}')" = 5 ] && break
	sleep 0.1
done
[ -n "$row" ] || tt_fail "no tconnect row: $(tmux capture-pane -p -t "$TMUX_S")"
set -- $row
[ "$2" = 1 ] && [ "$3" = 5 ] && [ "$4" = 5 ] && [ "$5" = 0 ] ||
	tt_fail "row should read 1 process, 5 conns, 5 allowed, 0 denied: $row"
tmux send-keys -t "$TMUX_S" p
sleep 0.4
tmux capture-pane -p -t "$TMUX_S" | grep -q "sort: program" || tt_fail "p did not sort by program"
tmux send-keys -t "$TMUX_S" q
sleep 0.5
tmux send-keys -t "$TMUX_S" "stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)\$' | tr '\\n' ' '; echo" Enter
sleep 0.5
shown=$(tmux capture-pane -p -t "$TMUX_S")
echo "$shown" | grep -q "top-exit=0" || tt_fail "top did not exit 0 on q: $shown"
echo "$shown" | grep -q "^icanon echo" || tt_fail "terminal not restored: $shown"
tt_daemon_stop
