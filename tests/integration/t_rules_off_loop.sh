#!/bin/bash
# Issue 17 item 7: the loop never waits for the disk.  Rule files written
# over the socket (an "always" rules.add, enable/disable, delete) are
# written, fsynced, renamed and unlinked by the worker thread, and each
# reply comes once the file is there.  strace follows every thread of
# tattled: no fsync, rename or unlink may come from the loop thread (the
# main thread, tid == pid), and the edits must each have hit the disk.
. "$(dirname "$0")/lib.sh"
tt_require_root
command -v strace >/dev/null || tt_fail "strace missing (scripts/deps.sh)"
tt_netns
tt_server 8080
R=$TT_TMP/rules
mkdir -p "$R"
SOCK=$TT_TMP/tattle.sock
tt_daemon --default-action allow --rules "$R" --no-audit --socket "$SOCK"

strace -f -qq -e trace=fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat \
	-o "$TT_TMP/strace" -p "$TT_DAEMON_PID" 2>"$TT_TMP/strace.err" &
ST=$!
tt_on_exit "kill $ST 2>/dev/null"
sleep 1		# attached to every thread
kill -0 "$ST" 2>/dev/null || tt_fail "strace did not attach: $(cat "$TT_TMP/strace.err")"

denied() { ! tt_in "$TT_TOOLS/tconnect" -t 600 127.0.0.1 8080 >/dev/null; }
T="$TATTLE"
"$T" rules add --name deny-8080 --action deny --port 8080 --socket "$SOCK" \
	>"$TT_TMP/add.out" || tt_fail "rules add failed"
# The reply came after the write: the file is there and the rule in force.
[ -s "$R/deny-8080.json" ] || tt_fail "reply before the file was written"
denied || tt_fail "the always rule does not deny"
"$T" rules disable deny-8080 --socket "$SOCK" >/dev/null || tt_fail "disable failed"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["enabled"] is not False)' \
	"$R/deny-8080.json" || tt_fail "disable answered before its file was written"
denied && tt_fail "disabled rule still denies"
"$T" rules enable deny-8080 --socket "$SOCK" >/dev/null || tt_fail "enable failed"
denied || tt_fail "enabled rule does not deny"
"$T" rules rm deny-8080 --socket "$SOCK" >/dev/null || tt_fail "delete failed"
[ -e "$R/deny-8080.json" ] && tt_fail "delete answered before the file was removed"
denied && tt_fail "deleted rule still denies"
# Pipelined on one connection: the second edit waits for the first's
# file and sees its rule; replies in order.
python3 - "$SOCK" <<'PY' || tt_fail "pipelined edits"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
rule = {"name": "p1", "action": "deny", "duration": "always",
        "operator": {"type": "simple", "operand": "dest.port", "data": "9"}}
s.sendall((json.dumps({"id": 1, "cmd": "rules.add", "args": {"rule": rule}}) + "\n" +
           json.dumps({"id": 2, "cmd": "rules.disable", "args": {"name": "p1"}}) + "\n" +
           json.dumps({"id": 3, "cmd": "rules.delete", "args": {"name": "p1"}}) + "\n").encode())
buf, got = b"", []
while len(got) < 3:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        o = json.loads(line)
        if "ok" in o:
            got.append(o)
ids = [o["id"] for o in got]
oks = [o["ok"] for o in got]
print("#", ids, oks, file=sys.stderr)
sys.exit(0 if ids == [1, 2, 3] and all(oks) else 1)
PY
sleep 0.3
kill "$ST" 2>/dev/null || true
wait "$ST" 2>/dev/null || true
pid=$TT_DAEMON_PID
# strace -f -o FILE prefixes each line with the tid.
on_loop=$(awk -v p="$pid" '$1 == p && /fsync|rename|unlink/' "$TT_TMP/strace")
off_loop=$(awk -v p="$pid" '$1 != p && /fsync\(/' "$TT_TMP/strace" | wc -l)
tt_log "fsyncs on other threads: $off_loop; on the loop thread: $(echo -n "$on_loop" | grep -c . || true)"
[ -z "$on_loop" ] || tt_fail "the loop thread touched the disk: $on_loop"
# 5 file writes (add, disable, enable, p1 add, p1 disable) x 2 fsyncs.
[ "$off_loop" -ge 10 ] || tt_fail "expected >= 10 fsyncs on the worker, saw $off_loop: $(head -20 "$TT_TMP/strace")"
tt_daemon_stop
