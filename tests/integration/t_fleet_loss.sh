#!/bin/bash
# A syslog sink whose socket is absent for longer than its queue lasts:
# tattled keeps deciding (never blocks), queues what fits in
# --log-queue-bytes, drops the rest and counts it.  When a receiver binds
# the socket, tattled connects on its own, sends the queued messages in
# order, then reports the loss as a "warning" event (code
# "log-events-lost") to every sink, the syslog one included.  The
# receiver's seqs plus the reported count make up every event before the
# report; each datagram is one well-formed RFC 5424 message.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080

SOCK=$TT_TMP/log.sock
tt_daemon --no-audit --default-action allow --host "loss-test" \
	--log-events "syslog:$SOCK" --log-queue-bytes 8192

tt_in "$TT_TOOLS/tconnect" -q -c 100 -t 1000 127.0.0.1 8080 ||
	tt_fail "connections while the syslog socket is absent"
tt_wait_events 100 "e['type']=='connection'" >/dev/null ||
	tt_fail "tattled did not decide every connection while syslog was absent"

# The receiver: one datagram per line, until $TT_TMP/rx.stop exists.
python3 - "$SOCK" "$TT_TMP/rx.log" "$TT_TMP/rx.stop" <<'PY' &
import os, socket, sys
path, out, stop = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.1)
with open(out, "wb") as f:
    while not os.path.exists(stop):
        try:
            f.write(s.recv(65536) + b"\n")
            f.flush()
        except socket.timeout:
            pass
PY
RX=$!
tt_on_exit "touch $TT_TMP/rx.stop; kill $RX 2>/dev/null"

tt_wait_events 1 "e['type']=='warning' and e['code']=='log-events-lost'" 5 >/dev/null ||
	tt_fail "no log-events-lost warning after the socket appeared"
for _ in $(seq 50); do
	grep -q '"log-events-lost"' "$TT_TMP/rx.log" 2>/dev/null && break
	sleep 0.1
done
touch "$TT_TMP/rx.stop"
wait "$RX" || tt_fail "receiver failed"
tt_daemon_stop

python3 - "$TT_EVENTS" "$TT_TMP/rx.log" "$SOCK" <<'PY' || tt_fail "loss accounting"
import json, re, sys
events, rx, sock = sys.argv[1:4]
file_ev = [json.loads(l) for l in open(events)]
warn = [e for e in file_ev if e["type"] == "warning" and e.get("code") == "log-events-lost"]
assert len(warn) == 1, "want one loss report, got %d" % len(warn)
w = warn[0]
assert w["sink"] == "syslog:" + sock, w
before = {e["seq"] for e in file_ev if e["seq"] < w["seq"]}
hdr = re.compile(r'<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\S+) - (\{.*\})$')
got = []
for n, line in enumerate(open(rx, encoding="utf-8"), 1):
    m = hdr.match(line.rstrip("\n"))
    assert m, "datagram %d is not RFC 5424 as tattled writes it: %r" % (n, line[:160])
    pri, ts, host, app, pid, msgid, body = m.groups()
    e = json.loads(body)
    assert app == "tattled" and msgid == e["type"] and host == "loss-test" == e["host"], line[:160]
    assert int(pri) == 3 * 8 + (4 if e["type"] == "warning" else 6), (pri, e["type"])
    got.append(e["seq"])
assert got == sorted(got), "out of order: %s" % got[:20]
assert w["seq"] in got, "the report did not reach the syslog sink"
recv_before = {s for s in got if s < w["seq"]}
assert recv_before <= before
lost = before - recv_before
print("# %d events before the report: %d reached syslog, %d reported lost "
      "(dropped %d)" % (len(before), len(recv_before), len(lost), w["dropped"]),
      file=sys.stderr)
assert len(lost) == w["dropped"], (len(lost), w["dropped"])
assert w["dropped"] > 0 and len(recv_before) > 0
PY
tt_log "ok"
