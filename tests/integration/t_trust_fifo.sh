#!/bin/bash
# Issue 14 item 6: a FIFO (or device, or symlink) in the rules directory
# or in a list directory never hangs tattled.  At start and after start:
# tattled keeps deciding packets, the list rule stays in force with its
# regular files, and a warning names each such file.  Over the socket a
# list directory outside the rules directory is refused.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_in ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
tt_server 8080 -a 127.0.0.1 -a 127.0.0.2
R=$TT_TMP/rules
mkdir -p "$R/lists"
echo 127.0.0.2 >"$R/lists/ips"
mkfifo "$R/lists/pipe"
mkfifo "$R/evil.json"
ln -s /dev/zero "$R/lists/zero"
cat >"$R/100-deny-listed.json" <<JSON
{"name":"100-deny-listed","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"lists","operand":"lists.ips",
 "sensitive":false,"data":"$R/lists"}}
JSON
SOCK=$TT_TMP/tattle.sock
# A daemon that opens the FIFO blocks here, before its chains exist.
tt_daemon --default-action allow --rules "$R" --no-audit --socket "$SOCK"

decides() {
	tt_in "$TT_TOOLS/tconnect" -t 1000 127.0.0.1 8080 >/dev/null ||
		tt_fail "$1: allowed connect failed"
	if tt_in "$TT_TOOLS/tconnect" -t 500 127.0.0.2 8080 >/dev/null; then
		tt_fail "$1: connect to a listed address was not denied"
	fi
	tt_wait_events 1 "e['type']=='connection' and e['dst']['ip']=='127.0.0.2' \
and e['verdict']=='deny' and e['rule']=='100-deny-listed'" >/dev/null ||
		tt_fail "$1: no deny event by the list rule"
}
decides "at start"
tt_wait_events 1 "e['type']=='warning' and e['code']=='rule-invalid' and \
e.get('file','').endswith('/evil.json') and 'regular' in e['message']" >/dev/null ||
	tt_fail "no warning naming the FIFO evil.json"
tt_wait_events 1 "e['type']=='warning' and e['code']=='list-file-skipped' and \
'$R/lists/pipe' in e['message']" >/dev/null ||
	tt_fail "no warning naming the FIFO in the list directory"

# After start: new FIFOs; the watcher reloads rules and lists.
echo 127.0.0.3 >>"$R/lists/ips"
mkfifo "$R/lists/pipe2"
mkfifo "$R/evil2.json"	# last: its warning means a reload saw all three
sleep 1
tt_wait_events 1 "e['type']=='warning' and e.get('file','').endswith('/evil2.json')" >/dev/null ||
	tt_fail "no warning naming evil2.json after start"
tt_in ip addr add 127.0.0.3/8 dev lo 2>/dev/null || true
if tt_in "$TT_TOOLS/tconnect" -t 500 127.0.0.3 8080 >/dev/null; then
	tt_fail "the list was not reloaded (127.0.0.3 passed)"
fi
decides "after start"
kill -0 "$TT_DAEMON_PID" || tt_fail "tattled died"

# Over the socket: a list directory outside the rules directory.
mkdir -p "$TT_TMP/elsewhere"
echo 127.0.0.9 >"$TT_TMP/elsewhere/ips"
cat >"$TT_TMP/outside.json" <<JSON
{"name":"200-outside","enabled":true,"precedence":false,"action":"deny",
 "duration":"until restart","operator":{"type":"lists","operand":"lists.ips",
 "sensitive":false,"data":"$TT_TMP/elsewhere"}}
JSON
if out=$("$TATTLE" rules add --file "$TT_TMP/outside.json" --socket "$SOCK" 2>&1); then
	tt_fail "a list directory outside the rules directory was accepted: $out"
fi
echo "$out" | grep -q "not under the rules directory" ||
	tt_fail "unclear refusal: $out"
# A symlink inside the rules directory that leads out is refused too.
ln -s "$TT_TMP/elsewhere" "$R/lists-link"
sed "s|$TT_TMP/elsewhere|$R/lists-link|" "$TT_TMP/outside.json" >"$TT_TMP/link.json"
if out=$("$TATTLE" rules add --file "$TT_TMP/link.json" --socket "$SOCK" 2>&1); then
	tt_fail "a symlinked list directory leading out was accepted: $out"
fi
# Inside is fine.
mkdir -p "$R/lists2"
echo 127.0.0.9 >"$R/lists2/ips"
sed "s|$TT_TMP/elsewhere|$R/lists2|" "$TT_TMP/outside.json" >"$TT_TMP/inside.json"
"$TATTLE" rules add --file "$TT_TMP/inside.json" --socket "$SOCK" >/dev/null ||
	tt_fail "a list directory under the rules directory was refused"
tt_daemon_stop
