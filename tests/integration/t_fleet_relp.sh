#!/bin/bash
# Fleet shipping through a real rsyslog pipeline, with a collector crash.
#
#   tattled (own netns) --RFC 5424 datagrams--> sender rsyslogd (imuxsock,
#   useSpecialParser off; action queue disk-assisted; omrelp)
#   --RELP over 127.0.0.1--> collector rsyslogd (imrelp, direct queue, so
#   a message is on disk before it is acknowledged; omfile %msg%)
#
# Both rsyslogd are private (own configs, pid files, work dirs, sockets
# under $TT_TMP; processInternalMessages="on" so they never write to the
# host's /dev/log) and are killed on any exit.  tattled starts before the
# sender rsyslogd (socket absent: events wait), then traffic of a few
# thousand connections runs while the sender is stalled with SIGSTOP for
# a second (its socket fills: EAGAIN) and the collector is SIGKILLed and
# restarted; then the sender is restarted once tattled is idle (its socket
# is made anew: tattled reconnects; its RELP queue may still be draining)
# and more traffic follows.  At the end every
# seq from 1 to the daemon's last reached the collector (duplicates from
# RELP retransmission are allowed and counted), every collected line is
# JSON with "host" (and its ECS form has host.name), the run's first
# event is a stats event with a run id, and tattled dropped nothing.
# tattled also writes the same events to a file: the reference for the
# last seq.
. "$(dirname "$0")/lib.sh"
tt_require_root

if ! command -v rsyslogd >/dev/null; then
	[ "${CI:-}" = true ] && tt_fail "rsyslogd missing (scripts/deps.sh installs rsyslog)"
	tt_skip "rsyslogd missing (apt-get install rsyslog rsyslog-relp)"
fi
RS_MODDIR=$(dirname "$(find /usr/lib -name imuxsock.so -path '*rsyslog*' 2>/dev/null | head -1)")
if [ ! -f "$RS_MODDIR/omrelp.so" ] || [ ! -f "$RS_MODDIR/imrelp.so" ]; then
	[ "${CI:-}" = true ] && tt_fail "rsyslog RELP modules missing (rsyslog-relp)"
	tt_skip "rsyslog RELP modules missing (apt-get install rsyslog-relp)"
fi

RS=$TT_TMP/rs
mkdir -p "$RS/sender" "$RS/collector"
RS_PIDS=""
rs_kill_all() {
	for p in $RS_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $RS_PIDS; do
		wait "$p" 2>/dev/null
	done
	RS_PIDS=""
}
tt_on_exit rs_kill_all
tt_on_exit 'touch $TT_TMP/stop'

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SOCK=$RS/sender/log.sock
OUT=$RS/collector/events.jsonl

ECS=$RS/collector/events-ecs.jsonl
RESUME=1	# action.resumeInterval: rsyslog's default is 30 s

# The recipe of docs/FLEET.md as shipped in docs/fleet/, with our paths,
# behind a global header of our own (a real host has it in rsyslog.conf).
rs_conf() {	# rs_conf NAME DROP-IN
	cat >"$RS/$1/rsyslog.conf" <<CONF
global(workDirectory="$RS/$1" processInternalMessages="on"
       maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
CONF
	sed -e "s|@SOCKET@|$SOCK|g; s|@COLLECTOR@|127.0.0.1|g; s|@PORT@|$PORT|g" \
	    -e "s|@RESUME@|$RESUME|g; s|@JSON_OUT@|$OUT|g; s|@ECS_OUT@|$ECS|g" \
	    "$TT_ROOT/docs/fleet/$2" >>"$RS/$1/rsyslog.conf"
	grep -q '@[A-Z_]*@' "$RS/$1/rsyslog.conf" && tt_fail "unfilled name in $2"
	cat >>"$RS/$1/rsyslog.conf" <<CONF
# Everything else (rsyslogd's own messages) stays in the test directory.
action(type="omfile" file="$RS/$1/internal.log")
CONF
	rsyslogd -N1 -f "$RS/$1/rsyslog.conf" >"$RS/$1/check.out" 2>&1 ||
		{ sed 's/^/#   /' "$RS/$1/check.out" >&2; tt_fail "rsyslog rejects $2"; }
}
rs_conf collector tattle-collector.conf
rs_conf sender tattle-sender.conf

# rs_start NAME: run a private rsyslogd in the foreground (-n: $! is it).
rs_start() {
	rsyslogd -n -f "$RS/$1/rsyslog.conf" -i "$RS/$1/rsyslogd.pid" \
		>>"$RS/$1/stderr" 2>&1 &
	eval "RS_PID_$1=$!"
	RS_PIDS="$RS_PIDS $!"
}
rs_wait_ready() {	# rs_wait_ready NAME TEST-COMMAND...
	name=$1; shift
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.05
	done
	sed 's/^/#   /' "$RS/$name/stderr" >&2
	tt_fail "rsyslogd $name did not become ready"
}
port_open() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; }

rs_start collector
rs_wait_ready collector port_open
# tattled starts before the sender rsyslogd: its socket is absent, the
# first events wait and go out once the socket appears.
QLEN=$(sysctl -n net.unix.max_dgram_qlen)
tt_netns
tt_server 8080
# --event-rate-per-exe 0: every connection its own line, as the line
# counts below expect (no folding into summaries).
tt_daemon --no-audit --default-action allow --host "fleet-test-host" \
	--log-events "syslog:$SOCK" --event-rate-per-exe 0
sleep 0.5
rs_start sender
rs_wait_ready sender test -S "$SOCK"

collected() { [ -f "$OUT" ] && wc -l <"$OUT" || echo 0; }

# Load: three loops of connections (v4 TCP, v6 TCP, v4 UDP) in the netns.
rm -f "$TT_TMP/stop"
LOAD=""
for args in "127.0.0.1" "::1" "-u 127.0.0.1"; do
	( for _ in $(seq 20); do
		[ -e "$TT_TMP/stop" ] && break
		ip netns exec "$TT_NS" "$TT_TOOLS/tconnect" -q -c 100 -t 1000 $args 8080 \
			>>"$TT_TMP/load.out" 2>&1
	  done ) &
	LOAD="$LOAD $!"
done

wait_collected() {	# wait_collected N: until the collector has N lines
	for _ in $(seq 600); do
		[ "$(collected)" -ge "$1" ] && return 0
		sleep 0.05
	done
	tt_fail "collector got only $(collected) lines, waited for $1"
}

# Stall the sender rsyslogd (SIGSTOP) for a second: its socket's queue
# (max_dgram_qlen) fills, tattled must queue on EAGAIN without blocking
# and catch up when the socket drains.
wait_collected 300
kill -STOP "$RS_PID_sender"
sleep 1
kill -CONT "$RS_PID_sender"
tt_log "sender rsyslogd stalled for 1 s after $(collected) lines"

# SIGKILL the collector mid-stream, restart it after the sender has
# noticed (resumeInterval 1 s): the sender's disk-assisted queue holds
# the stream meanwhile.
wait_collected 1500
before_kill=$(collected)
kill -KILL "$RS_PID_collector"
wait "$RS_PID_collector" 2>/dev/null || true
tt_log "collector SIGKILLed after $before_kill lines"
sleep 2
rs_start collector
rs_wait_ready collector port_open
tt_log "collector restarted"

wait $LOAD || true

# Restart the sender rsyslogd while tattled sends nothing (a datagram in
# its socket queue when it closes would be lost silently, see
# docs/FLEET.md): its socket is made anew, tattled's next send is
# refused, it connects to the new one; then some more traffic.  Its
# omrelp queue may still hold part of the collector outage's backlog (or
# not have reconnected yet): the recipe's queue.timeoutShutdown lets it
# drain instead of dropping the unacknowledged RELP window.
sleep 1
behind=$(python3 -c '
import json, sys
seen = set()
for l in open(sys.argv[2]):
    try:
        seen.add(json.loads(l)["seq"])
    except ValueError:
        pass
print(sum(1 for _ in open(sys.argv[1])) - len(seen))' "$TT_EVENTS" "$OUT")
tt_log "restarting sender rsyslogd with $behind events not yet at the collector"
kill -TERM "$RS_PID_sender"
wait "$RS_PID_sender" 2>/dev/null || true
rs_start sender
rs_wait_ready sender test -S "$SOCK"
tt_log "sender rsyslogd restarted"
ip netns exec "$TT_NS" "$TT_TOOLS/tconnect" -q -c 200 -t 1000 127.0.0.1 8080 \
	>>"$TT_TMP/load.out" 2>&1 || tt_fail "connections after the sender restart"
tt_daemon_stop
conns=$(tt_count_events "e['type']=='connection'")

LAST=$(python3 -c '
import json, sys
m = 0
for l in open(sys.argv[1]):
    m = max(m, json.loads(l)["seq"])
print(m)' "$TT_EVENTS")
[ "$conns" -ge 2000 ] || tt_fail "only $conns connection events (last seq $LAST)"
[ "$before_kill" -lt $((LAST / 2)) ] || tt_fail "collector killed after $before_kill of $LAST events: not mid-stream"

# Wait for the pipeline to deliver up to the last seq.
for _ in $(seq 600); do
	python3 - "$OUT" "$LAST" <<'PY' && break
import json, sys
seen = set()
for l in open(sys.argv[1]):
    try:
        seen.add(json.loads(l)["seq"])
    except ValueError:
        pass
sys.exit(0 if all(s in seen for s in range(1, int(sys.argv[2]) + 1)) else 1)
PY
	sleep 0.1
done

python3 - "$OUT" "$LAST" "$TT_TMP/daemon.err" "$QLEN" "$conns" "$ECS" \
	"$TT_ROOT/proto/schema" <<'PY' || tt_fail "collector check"
import collections, json, os, re, sys
out, last, err, qlen, conns = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
try:
    import jsonschema
    sdir = sys.argv[7]
    schemas = {f[:-5]: json.load(open(os.path.join(sdir, f))) for f in os.listdir(sdir)}
except ImportError:
    schemas = None
checked = collections.Counter()
count = collections.Counter()
bad = 0
first = None
for n, l in enumerate(open(out), 1):
    try:
        e = json.loads(l)
    except ValueError:
        bad += 1
        print("# line %d is not JSON: %r" % (n, l[:120]), file=sys.stderr)
        continue
    if schemas is not None and checked[e.get("type")] < 50:
        checked[e.get("type")] += 1
        try:
            jsonschema.validate(e, schemas["event-" + e["type"]],
                                cls=jsonschema.Draft202012Validator)
        except Exception as x:
            bad += 1
            print("# line %d does not match its schema: %s" % (n, str(x)[:300]), file=sys.stderr)
    if not isinstance(e.get("host"), str) or not e["host"]:
        bad += 1
        print("# line %d has no host: %r" % (n, l[:120]), file=sys.stderr)
    count[e["seq"]] += 1
    if e["seq"] == 1:
        first = e
missing = [s for s in range(1, last + 1) if s not in count]
dups = sum(c - 1 for c in count.values())
summary = open(err).read()
m = re.search(r"log syslog:\S+ sent (\d+), dropped (\d+), queued (\d+), "
              r"reconnects (\d+), deferred (\d+)", summary)
sent, dropped, queued, reconn, deferred = m.groups() if m else ("?",) * 5
print("# %s connection events; events: last seq %d, syslog sent %s, dropped %s, "
      "left queued %s, deferred by EAGAIN %s, reconnects %s; collector lines %d, "
      "distinct seqs %d, duplicates %d, missing %d; net.unix.max_dgram_qlen %s"
      % (conns, last, sent, dropped, queued, deferred, reconn,
         sum(count.values()), len(count), dups, len(missing), qlen), file=sys.stderr)
ok = m is not None and dropped == "0" and int(deferred) > 0 and int(reconn) > 0
if missing:
    print("# missing seqs (first 20): %s" % missing[:20], file=sys.stderr)
    ok = False
if bad:
    ok = False
if not first or first.get("type") != "stats" or not re.fullmatch(r"[0-9a-f]{32}", first.get("run", "")):
    print("# seq 1 is not a stats event with a run id: %r" % first, file=sys.stderr)
    ok = False
if first and first.get("host") != "fleet-test-host":
    print("# host is %r, want the --host value" % first.get("host"), file=sys.stderr)
    ok = False
ecs = 0
for n, l in enumerate(open(sys.argv[6]), 1):
    e = json.loads(l)
    if not e.get("host", {}).get("name") or "sequence" not in e.get("event", {}) \
       or "@timestamp" not in e:
        print("# ECS line %d lacks host.name, event.sequence or @timestamp: %r"
              % (n, l[:160]), file=sys.stderr)
        ok = False
    ecs += 1
print("# ECS lines %d; lines checked against proto/schema: %s" % (ecs,
      dict(checked) if schemas is not None else "none (no python3-jsonschema)"),
      file=sys.stderr)
if ecs < len(count):
    ok = False
sys.exit(0 if ok else 1)
PY
tt_log "ok"
