#!/bin/bash
# The real OpenSnitch desktop GUI (Debian's python3-opensnitch-ui 1.5.8.1)
# under Xvfb, tattled in a namespace, tattle-opensnitch between them:
# - the GUI records the node (Subscribe + Ping);
# - connections of real processes land in the GUI's database with the
#   right program and destination, and in its per-program/port tables;
# - a pop-up nobody answers ends with the GUI's configured default (allow,
#   forever, this executable) applied by tattled: the held connection is
#   allowed and the rule file is in tattled's rules directory;
# - a click on the pop-up ("to port N", Deny) becomes a tattled rule under
#   the GUI's name plus a once answer for the held connection;
# - a rule made in the GUI's rules editor (driven with X input events via
#   xdotool: the GUI's own Notifications path, CHANGE_RULE) reaches tattled
#   and decides the next connection; the Rules tab's context menu disables
#   (DISABLE_RULE) and deletes (DELETE_RULE) it in tattled, and deleting
#   the GUI's copy of a pop-up answer deletes tattled's rule of that answer;
# - a rule file added to tattled's directory reaches the GUI's rules table;
# - the GUI's pause button makes tattled allow everything until resumed;
# - when the GUI goes away tattled is not left waiting (default at once),
#   and the bridge reconnects when the GUI comes back, or tattled does;
# - an answer given after tattled's prompt timeout still becomes a rule.
# Screenshots go to build/test-output/t_opensnitch_gui/ (TT_OUT).
. "$(dirname "$0")/lib.sh"
tt_require_root
PY=${PYTHON:-/usr/bin/python3}
BRIDGE=$TT_ROOT/build/tattle-opensnitch
OUT=${TT_OUT:-$TT_ROOT/build/test-output/$TT_NAME}
for c in Xvfb xdotool opensnitch-ui; do
	command -v "$c" >/dev/null || {
		[ "${CI:-}" = true ] && tt_fail "$c missing (scripts/deps.sh installs it)"
		tt_skip "$c missing (scripts/deps.sh installs it)"
	}
done
[ -x "$BRIDGE" ] || tt_fail "$BRIDGE missing: run make"
"$PY" -c 'import grpc, google.protobuf' || tt_fail "$PY lacks grpc/protobuf"
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.log

tt_netns
tt_server 8080
tt_server 8081
tt_server 8082
tt_server 8083
SOCK=$TT_TMP/tattle.sock
RULES=$TT_TMP/rules
GUI_HOME=$TT_TMP/home
GUI_DB=$TT_TMP/gui.db
GUI_SOCK=$TT_TMP/osui.sock
mkdir -p "$RULES" "$GUI_HOME/.config/opensnitch"
mkdir -m 0700 "$TT_TMP/xdg"
# Distinct executables, so each part of the test has its own program.
for n in popup click gui nogui; do cp "$TT_TOOLS/tconnect" "$TT_TMP/tc-$n"; done
cat >"$RULES/010-allow-8080.json" <<'EOF'
{"name": "010-allow-8080", "enabled": true, "precedence": true,
 "action": "allow", "duration": "always",
 "operator": {"type": "simple", "operand": "dest.port", "data": "8080"}}
EOF
# The GUI's QSettings: a file database the test can read, pop-ups time out
# after 4 s with allow / forever / this executable.
cat >"$GUI_HOME/.config/opensnitch/settings.conf" <<EOF
[global]
default_timeout=4
default_action=1
default_duration=7
default_target=0
default_popup_position=0

[database]
type=1
file=$GUI_DB

[notifications]
enabled=false
EOF

tt_daemon --no-audit --default-action deny --rules "$RULES" --socket "$SOCK" \
	--prompt-timeout-ms 20000

# ---- X server, GUI, bridge (all stopped on any exit)
Xvfb -displayfd 9 -screen 0 1280x900x24 -nolisten tcp \
	9>"$TT_TMP/display" >"$OUT/xvfb.log" 2>&1 &
XVFB=$!
tt_on_exit "kill $XVFB 2>/dev/null; wait $XVFB 2>/dev/null"
for _ in $(seq 100); do [ -s "$TT_TMP/display" ] && break; sleep 0.05; done
[ -s "$TT_TMP/display" ] || tt_fail "Xvfb did not start: $(cat "$OUT/xvfb.log")"
DISPLAY=:$(cat "$TT_TMP/display")
export DISPLAY

GUI=""
gui_start() {
	env HOME="$GUI_HOME" XDG_RUNTIME_DIR="$TT_TMP/xdg" QT_QPA_PLATFORM=xcb \
		opensnitch-ui --socket "unix://$GUI_SOCK" >>"$OUT/gui.log" 2>&1 &
	GUI=$!
}
gui_stop() {
	[ -n "$GUI" ] || return 0
	kill -TERM "$GUI" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$GUI" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$GUI" 2>/dev/null || true
	wait "$GUI" 2>/dev/null || true
	GUI=""
}
tt_on_exit gui_stop
gui_start

"$BRIDGE" --socket "$SOCK" --address "unix://$GUI_SOCK" >"$OUT/bridge.log" 2>&1 &
BR=$!
tt_on_exit "kill $BR 2>/dev/null; wait $BR 2>/dev/null"

# Query the GUI's database (read-only); one row per line, fields by '|'.
gui_db() {
	"$PY" - "$GUI_DB" "$1" <<'PY'
import sqlite3, sys
try:
    c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=5)
    for row in c.execute(sys.argv[2]):
        print("|".join(str(x) for x in row))
except sqlite3.Error:
    pass
PY
}
wait_db() {	# QUERY SECS: until the query returns a row; prints the rows
	for _ in $(seq $(($2 * 4))); do
		out=$(gui_db "$1")
		[ -n "$out" ] && { echo "$out"; return 0; }
		sleep 0.25
	done
	return 1
}
shot() {	# NAME [WINDOW]
	"$PY" "$TT_ROOT/tests/integration/xshot.py" "$OUT/$1.png" ${2:+"$2"} ||
		tt_log "screenshot $1 failed"
}
asked() { grep -c 'asking the GUI' "$OUT/bridge.log" || true; }
popup() {	# N0: wait for pop-up number N0+1, raised and painted; prints its id
	for _ in $(seq 60); do [ "$(asked)" -gt "$1" ] && break; sleep 0.25; done
	[ "$(asked)" -gt "$1" ] || return 1
	w=$(window '^OpenSnitch v1\.5' 15) || return 1
	sleep 1		# mapped; let it paint
	xdotool windowraise "$w"	# no window manager: the main window may cover it
	sleep 0.3
	echo "$w"
}
gone() {	# wait until no pop-up is shown (the GUI reuses one dialog)
	for _ in $(seq 40); do
		xdotool search --onlyvisible --name '^OpenSnitch v1\.5' >/dev/null 2>&1 ||
			return 0
		sleep 0.25
	done
	return 1
}
window() {	# NAME-REGEX SECS: id of the visible window with that title
	for _ in $(seq $(($2 * 4))); do
		w=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1)
		[ -n "$w" ] && { echo "$w"; return 0; }
		sleep 0.25
	done
	return 1
}
fail() { shot failure; tt_fail "$* (bridge log: $(tail -5 "$OUT/bridge.log"))"; }

# ---- 1. the node
wait_db "SELECT addr FROM nodes WHERE addr='/local' AND status LIKE '%online' \
AND daemon_version='1.5.8' AND version LIKE 'tattled %'" 30 >/dev/null ||
	fail "the GUI did not record the node"
tt_log "node online in the GUI"
# Without a tray the main window shows 10 s after start; wait for it, so it
# cannot come up over a pop-up later (there is no window manager here).
main=$(window '^OpenSnitch Network Statistics' 30) || fail "no main window"

# ---- 2. connection events with program and destination
out=$(tt_in "$TT_TOOLS/tconnect" -t 5000 127.0.0.1 8080) || fail "8080 refused: $out"
pid=$(tt_wait_events 1 "e['type']=='connection' and e['dst']['port']==8080" >/dev/null &&
	"$PY" -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['type'] == 'connection' and e['dst']['port'] == 8080: print(e['process']['pid']); break" "$TT_EVENTS")
[ -n "$pid" ] || fail "no connection event from tattled"
wait_db "SELECT * FROM connections WHERE process='$TT_TOOLS/tconnect' AND \
dst_ip='127.0.0.1' AND dst_port='8080' AND protocol='tcp' AND action='allow' \
AND pid='$pid' AND uid='0' AND rule='010-allow-8080'" 15 >/dev/null ||
	fail "connection not in the GUI's database: $(gui_db 'SELECT * FROM connections')"
wait_db "SELECT hits FROM procs WHERE what='$TT_TOOLS/tconnect'" 10 >/dev/null ||
	fail "program table empty: $(gui_db 'SELECT * FROM procs')"
wait_db "SELECT hits FROM ports WHERE what='8080'" 10 >/dev/null ||
	fail "port table empty: $(gui_db 'SELECT * FROM ports')"
tt_log "connection of pid $pid in the GUI"

# ---- 3. an unanswered pop-up: the GUI's default (allow forever, executable)
start=$(date +%s%N)
a0=$(asked)
tt_in "$TT_TMP/tc-popup" -t 25000 127.0.0.1 8081 >"$TT_TMP/popup.out" 2>&1 &
TC=$!
w=$(popup "$a0") || fail "no pop-up window"
shot popup
wait $TC || fail "held connection not allowed: $(cat "$TT_TMP/popup.out")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -ge 3500 ] || fail "answered after $ms ms: not the GUI's 4 s timeout"
[ "$ms" -lt 20000 ] || fail "answered after $ms ms: tattled's timeout, not the GUI"
tt_wait_events 1 "e['type']=='connection' and e['dst']['port']==8081 and \
e['verdict']=='allow' and e['reason']=='prompt'" >/dev/null ||
	fail "no allow with reason prompt for the pop-up"
f=$(grep -l "tc-popup" "$RULES"/*.json 2>/dev/null | head -1)
[ -n "$f" ] || fail "no rule file for the pop-up answer in $RULES"
"$PY" - "$f" "$TT_TMP/tc-popup" <<'PY' || fail "pop-up rule file: $(cat "$f")"
import json, sys
r = json.load(open(sys.argv[1]))
op = r["operator"]
assert r["action"] == "allow" and r["duration"] == "always" and r["enabled"], r
assert op["operand"] == "process.path" and op["data"] == sys.argv[2], op
PY
wait_db "SELECT name FROM rules WHERE operator_data='$TT_TMP/tc-popup' AND \
action='allow' AND duration='always'" 10 >/dev/null ||
	fail "pop-up rule not in the GUI: $(gui_db 'SELECT name FROM rules')"
tt_log "pop-up default applied after $ms ms: $(basename "$f")"

# ---- 3b. a clicked pop-up: "to port 8083", Deny (forever) -> rule + once
sed -i 's/^default_timeout=.*/default_timeout=60/' \
	"$GUI_HOME/.config/opensnitch/settings.conf"	# time to click
gone || fail "the first pop-up did not close"
a0=$(asked)
tt_in "$TT_TMP/tc-click" -t 5000 127.0.0.1 8083 >"$TT_TMP/click.out" 2>&1 &
TC=$!
w=$(popup "$a0") || fail "no pop-up window for the click"
eval "$(xdotool getwindowgeometry --shell "$w")"
xdotool mousemove $((X + 93)) $((Y + 288)) click 1	# target combo
sleep 0.5
xdotool key Down Down Return				# "to port 8083"
sleep 0.5
shot popup-click "$w"
xdotool mousemove $((X + 344)) $((Y + 288)) click 1	# Deny
tt_wait_events 1 "e['type']=='connection' and e['dst']['port']==8083 and \
e['verdict']=='deny' and e['reason']=='prompt'" 10 >/dev/null ||
	fail "clicked Deny did not deny the held connection"
wait $TC && fail "8083 connected despite Deny"
sed -i 's/^default_timeout=.*/default_timeout=4/' \
	"$GUI_HOME/.config/opensnitch/settings.conf"
[ -s "$RULES/deny-always-simple-8083.json" ] ||
	fail "no rule for the clicked answer: $(ls "$RULES")"
"$PY" - "$RULES/deny-always-simple-8083.json" <<'PY' || fail "clicked rule: $(cat "$RULES/deny-always-simple-8083.json")"
import json, sys
r = json.load(open(sys.argv[1]))
op = r["operator"]
assert r["action"] == "deny" and r["duration"] == "always" and r["enabled"], r
assert (op["type"], op["operand"], op["data"]) == ("simple", "dest.port", "8083"), op
PY
grep -l "tc-click" "$RULES"/*.json 2>/dev/null && fail "a port answer made an executable rule"
tt_log "clicked pop-up answer became rule deny-always-simple-8083"

# ---- 4. a rule made in the GUI's rules editor
xdotool windowraise "$main"
eval "$(xdotool getwindowgeometry --shell "$main")"
MX=$X MY=$Y
xdotool mousemove $((MX + 74)) $((MY + 17)) click 1	# "new rule" button
ed=$(window '^Rule$' 10) || fail "rules editor did not open"
eval "$(xdotool getwindowgeometry --shell "$ed")"
click() { xdotool mousemove $((X + $1)) $((Y + $2)) click 1; sleep 0.3; }
NAME=deny-gui-$$
click 298 23; xdotool type --delay 20 "$NAME"		# Name
click 63 84						# Enable
click 416 188; sleep 0.5; xdotool key End Return	# Duration: always
sleep 0.3
click 72 264						# From this executable
click 392 264; xdotool type --delay 10 "$TT_TMP/tc-gui"
sleep 0.3
shot rule-editor "$ed"
click 414 489						# Apply (deny is preset)
for _ in $(seq 40); do [ -s "$RULES/$NAME.json" ] && break; sleep 0.25; done
[ -s "$RULES/$NAME.json" ] || fail "GUI rule $NAME did not reach $RULES"
"$PY" - "$RULES/$NAME.json" "$TT_TMP/tc-gui" <<'PY' || fail "GUI rule file: $(cat "$RULES/$NAME.json")"
import json, sys
r = json.load(open(sys.argv[1]))
op = r["operator"]
assert r["action"] == "deny" and r["duration"] == "always" and r["enabled"], r
assert op["type"] == "simple" and op["operand"] == "process.path", op
assert op["data"] == sys.argv[2], op
PY
if out=$(tt_in "$TT_TMP/tc-gui" -t 3000 127.0.0.1 8082); then
	fail "GUI deny rule did not deny: $out"
fi
tt_wait_events 1 "e['type']=='connection' and e['dst']['port']==8082 and \
e['verdict']=='deny' and e['reason']=='rule' and e['rule']=='$NAME'" >/dev/null ||
	fail "8082 not denied by $NAME"
sleep 1
shot rule-applied "$ed"
click 328 491						# Close
xdotool search --onlyvisible --name '^Rule$' >/dev/null 2>&1 &&
	{ xdotool mousemove $((X + 300)) $((Y + 250)) key Escape; sleep 0.3; }
tt_log "GUI rule $NAME reached tattled and denied"

# ---- 4b. the Rules tab's context menu: Disable, then Delete
rule_menu() {	# NAME ITEM-DX ITEM-DY: filter the Rules tab, right-click row 1
	xdotool windowraise "$main"
	xdotool mousemove $((MX + 169)) $((MY + 51)) click 1	# Rules tab
	sleep 0.5
	xdotool mousemove $((MX + 378)) $((MY + 555)) click 1	# Filter
	xdotool key ctrl+a BackSpace
	xdotool type --delay 10 "$1"
	sleep 1
	xdotool mousemove $((MX + 361)) $((MY + 131)) click 3	# row 1
	sleep 0.7
	xdotool mousemove $((MX + 361 + $2)) $((MY + 131 + $3)) click 1
	sleep 0.7
}
confirm_yes() {	# the GUI's yes/no box, centred on the main window
	xdotool mousemove $((MX + 431)) $((MY + 300)) key alt+y
}
rule_menu "$NAME" 47 70					# Disable
for _ in $(seq 40); do
	grep -q '"enabled": *false' "$RULES/$NAME.json" 2>/dev/null && break
	sleep 0.25
done
grep -q '"enabled": *false' "$RULES/$NAME.json" ||
	fail "Disable in the GUI did not reach tattled: $(cat "$RULES/$NAME.json")"
grep -q "GUI DISABLE_RULE $NAME" "$OUT/bridge.log" || fail "no DISABLE_RULE"
rule_menu "$NAME" 44 145				# Delete
confirm_yes
for _ in $(seq 40); do [ -e "$RULES/$NAME.json" ] || break; sleep 0.25; done
[ ! -e "$RULES/$NAME.json" ] || fail "Delete in the GUI did not reach tattled"
tt_log "GUI Disable and Delete of $NAME reached tattled"

# ---- 4c. deleting the GUI's own copy of the pop-up answer deletes tattled's
gname=$(gui_db "SELECT name FROM rules WHERE operator_data='$TT_TMP/tc-popup' \
AND name LIKE 'allow-always-simple-%'" | head -1)
[ -n "$gname" ] || fail "the GUI has no rule of its own for the pop-up answer"
rule_menu "$gname" 44 145				# Delete
confirm_yes
for _ in $(seq 40); do [ -e "$f" ] || break; sleep 0.25; done
[ ! -e "$f" ] || fail "deleting $gname in the GUI left tattled's $(basename "$f")"
tt_log "GUI delete of $gname removed tattled's $(basename "$f" .json)"

# ---- 5. a rule added to tattled's directory reaches the GUI
cat >"$RULES/020-from-file.json" <<'EOF'
{"name": "020-from-file", "enabled": true, "precedence": false,
 "action": "reject", "duration": "always",
 "operator": {"type": "simple", "operand": "dest.port", "data": "9999"}}
EOF
wait_db "SELECT name FROM rules WHERE name='020-from-file' AND action='reject' \
AND operator_operand='dest.port' AND operator_data='9999'" 15 >/dev/null ||
	fail "tattled's new rule did not reach the GUI"
tt_log "rule file reached the GUI"
# ---- 5b. the pause button: tattled allows everything (a precedence rule)
# until resumed; connections are still shown.  (An ERROR answer here would
# crash this GUI: its main window's reply handler is broken.)
PAUSE='!opensnitch-gui-pause'
xdotool windowraise "$main"
xdotool mousemove $((MX + 843)) $((MY + 17)) click 1	# pause
for _ in $(seq 40); do
	"$TATTLE" rules list --socket "$SOCK" 2>/dev/null | grep -q "^$PAUSE " && break
	sleep 0.25
done
"$TATTLE" rules list --socket "$SOCK" | grep -q "^$PAUSE " ||
	fail "pausing in the GUI added no rule to tattled"
tt_in "$TT_TMP/tc-nogui" -t 3000 127.0.0.1 8081 >/dev/null ||
	fail "paused, yet a new program's connection was not allowed"
tt_wait_events 1 "e['type']=='connection' and e['rule']=='$PAUSE' and \
e['verdict']=='allow' and e['process']['exe']=='$TT_TMP/tc-nogui'" >/dev/null ||
	fail "paused: connection not decided by $PAUSE"
sleep 1
shot paused "$main"
xdotool mousemove $((MX + 843)) $((MY + 17)) click 1	# resume
for _ in $(seq 40); do
	"$TATTLE" rules list --socket "$SOCK" | grep -q "^$PAUSE " || break
	sleep 0.25
done
"$TATTLE" rules list --socket "$SOCK" | grep -q "^$PAUSE " &&
	fail "resuming in the GUI left $PAUSE in tattled"
kill -0 "$GUI" || fail "the GUI died on pause/resume"
tt_log "GUI pause/resume became tattled's $PAUSE rule"
xdotool windowraise "$main"
xdotool mousemove $((MX + 378)) $((MY + 555)) click 1	# clear the filter
xdotool key ctrl+a BackSpace
sleep 1
shot rules "$main"
xdotool mousemove $((MX + 38)) $((MY + 51)) click 1	# Events tab
sleep 1
shot main "$main"

# ---- 6. GUI gone: tattled decides at once; GUI back: reconnected
ended() { grep -c 'session ended' "$OUT/bridge.log" || true; }
e0=$(ended)
gui_stop
for _ in $(seq 40); do [ "$(ended)" -gt "$e0" ] && break; sleep 0.25; done
[ "$(ended)" -gt "$e0" ] || fail "bridge did not notice the GUI left"
# Default deny drops the SYN, so the client only times out: what counts is
# that tattled decided by default at once instead of holding it for a prompt.
if tt_in "$TT_TMP/tc-nogui" -t 2000 127.0.0.1 8081 >/dev/null; then
	fail "no GUI: default deny not applied"
fi
tt_wait_events 1 "e['type']=='connection' and e['reason']=='default' and \
e['verdict']=='deny' and e['verdict_us'] < 2000000 and e['process'] and \
e['process']['exe']=='$TT_TMP/tc-nogui'" >/dev/null ||
	fail "no prompt-free default decision while the GUI was away"
n0=$(grep -c 'GUI session up' "$OUT/bridge.log")
gui_start
for _ in $(seq 120); do
	[ "$(grep -c 'GUI session up' "$OUT/bridge.log")" -gt "$n0" ] && break
	sleep 0.25
done
[ "$(grep -c 'GUI session up' "$OUT/bridge.log")" -gt "$n0" ] ||
	fail "bridge did not reconnect to the restarted GUI"
tt_in "$TT_TOOLS/tconnect" -t 5000 127.0.0.1 8080 >/dev/null || fail "8080 refused"
wait_db "SELECT count(*) FROM connections WHERE dst_port='8080' \
GROUP BY dst_port HAVING count(*) >= 2" 15 >/dev/null ||
	fail "no events after the GUI restarted: $(gui_db 'SELECT * FROM connections')"
tt_log "reconnected after the GUI restarted"

# ---- 7. tattled restarts: the bridge reconnects to it
n0=$(grep -c 'GUI session up' "$OUT/bridge.log")
tt_daemon_stop
# Back with a prompt timeout (2 s) shorter than the GUI's (4 s), for step 8.
tt_daemon --no-audit --default-action deny --rules "$RULES" --socket "$SOCK" \
	--prompt-timeout-ms 2000
for _ in $(seq 120); do
	[ "$(grep -c 'GUI session up' "$OUT/bridge.log")" -gt "$n0" ] && break
	sleep 0.25
done
[ "$(grep -c 'GUI session up' "$OUT/bridge.log")" -gt "$n0" ] ||
	fail "bridge did not come back after tattled restarted"
tt_in "$TT_TOOLS/tconnect" -t 5000 127.0.0.1 8080 >/dev/null || fail "8080 refused"
wait_db "SELECT count(*) FROM connections WHERE dst_port='8080' \
GROUP BY dst_port HAVING count(*) >= 3" 15 >/dev/null ||
	fail "no events after tattled restarted: $(gui_db 'SELECT * FROM connections')"
tt_log "reconnected after tattled restarted"

# ---- 8. the GUI answers after tattled's timeout: the held connection got
# tattled's default (deny), the lasting answer still becomes a rule.
cp "$TT_TOOLS/tconnect" "$TT_TMP/tc-late"
a0=$(asked)
if tt_in "$TT_TMP/tc-late" -t 3000 127.0.0.1 8081 >/dev/null; then
	fail "tattled's prompt timeout did not apply its default"
fi
for _ in $(seq 40); do
	grep -q "answered after tattled's timeout: rule" "$OUT/bridge.log" && break
	sleep 0.25
done
late=$(grep -l "tc-late" "$RULES"/*.json 2>/dev/null | head -1)
[ -n "$late" ] || fail "the late answer left no rule"
tt_wait_events 1 "e['type']=='connection' and e['reason']=='prompt-timeout' \
and e['dst']['port']==8081 and e['verdict']=='deny'" >/dev/null ||
	fail "no prompt-timeout decision"
tt_in "$TT_TMP/tc-late" -t 3000 127.0.0.1 8081 >/dev/null ||
	fail "the late answer's rule did not allow the next connection"
[ "$(asked)" -eq $((a0 + 1)) ] || fail "asked again although the rule covers it"
tt_log "late answer kept as $(basename "$late" .json)"

kill -TERM $BR
rc=0; wait $BR || rc=$?
[ "$rc" -eq 0 ] || fail "tattle-opensnitch exited $rc on SIGTERM"
grep -q Traceback "$OUT/bridge.log" && fail "bridge raised: $(cat "$OUT/bridge.log")"
tt_daemon_stop
