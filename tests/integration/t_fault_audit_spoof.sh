#!/bin/bash
# Spoofed audit records: a root process sends forged SYSCALL(sendto) +
# SOCKADDR + EOE records into the audit multicast group (tools/auditspoof,
# port id != 0), naming a live process of ours (a copy of sleep called
# "victim") as the sender of UDP to 127.0.0.1/::1:8080.  Then a real
# sender connects a UDP socket, waits until its own records are too old to
# explain anything, injects the forgeries again and sends one datagram
# that it closes at once: only the forged records could name a process for
# it.  No event may name the victim.  The forgeries are proven delivered
# to the group (the tool reads them back) and must be counted in stats.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_audit_guard
tt_netns
tt_server 8080
SOCK=$TT_TMP/s.sock
ROUNDS=${TT_SPOOF_ROUNDS:-20}
CONTROL=5
[ -x "$TT_TOOLS/auditspoof" ] || tt_fail "build/tools/auditspoof missing (make tools)"
tt_daemon --no-bpf --default-action allow --socket "$SOCK"
grep -q "audit on" "$TT_TMP/daemon.err" || tt_fail "audit did not start"

cp /bin/sleep "$TT_TMP/victim"
ip netns exec "$TT_NS" "$TT_TMP/victim" 120 &
VICTIM=$!
tt_on_exit "kill $VICTIM 2>/dev/null"
for _ in $(seq 50); do
	[ "$(readlink /proc/$VICTIM/exe 2>/dev/null)" = "$TT_TMP/victim" ] && break
	sleep 0.02
done
[ "$(readlink /proc/$VICTIM/exe)" = "$TT_TMP/victim" ] || tt_fail "victim did not start"

spoof() {	# spoof COUNT ADDR [extra args]: forged events, prints tool output
	n=$1 addr=$2; shift 2
	"$TT_TOOLS/auditspoof" -p "$VICTIM" -e "$TT_TMP/victim" -a "$addr" \
		-P 8080 -k "$TT_KEY" -n "$n" "$@"
}

# 1. A flood of forgeries alone, then real traffic from a real program
#    (attributed to it, never to the victim).
out=$(spoof 300 127.0.0.1) || tt_fail "forged records not delivered: $out"
sent=$(( 300 * 3 ))
tt_in "$TT_TOOLS/tconnect" -U 127.0.0.1 8080 >/dev/null || tt_fail "real UDP failed"

# 2. Packets only the forgeries explain (and control rounds without them).
: >"$TT_TMP/senders"
for i in $(seq 1 $((ROUNDS + CONTROL))); do
	addr=127.0.0.1; [ $((i % 2)) -eq 0 ] && addr=::1
	n=3; kind=spoof; [ "$i" -gt "$ROUNDS" ] && { n=0; kind=control; }
	out=$(spoof "$n" "$addr" -N "/run/netns/$TT_NS" -d 120) ||
		tt_fail "round $i: $out"
	sent=$(( sent + n * 3 ))
	echo "$kind $(echo "$out" | awk '/^sender/ {print $2}')" >>"$TT_TMP/senders"
done
want=$((ROUNDS + CONTROL + 1))
tt_wait_events "$want" "e['type']=='connection' and e['proto']=='udp' and e['dst']['port']==8080" 10 \
	>/dev/null || tt_fail "fewer than $want UDP events"
sleep 0.3

stats=$("$TATTLE" stats --json --socket "$SOCK") || tt_fail "stats failed"
tt_daemon_stop

python3 - "$TT_EVENTS" "$TT_TMP/senders" "$VICTIM" "$TT_TMP/victim" <<'PY' || tt_fail "a forged record was believed"
import collections, json, sys
events, sendf, victim, vexe = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
kind = {}
for line in open(sendf):
    k, pid = line.split()
    kind[int(pid)] = k
bad, seen = [], collections.Counter()
for line in open(events):
    e = json.loads(line)
    if e["type"] != "connection":
        continue
    p = e["process"]
    if p and (p["pid"] == victim or p["exe"] == vexe or p.get("comm") == "victim"):
        bad.append((e["seq"], p["pid"], p["exe"], e["attribution"]))
    if e["proto"] == "udp" and e["dst"]["port"] == 8080:
        who = "null" if p is None else ("sender" if p["pid"] in kind else p["exe"])
        k = kind.get(p["pid"], "?") if p else "?"
        seen[(who, e["attribution"]["source"])] += 1
print("# UDP events by (process, source):", dict(seen), file=sys.stderr)
if bad:
    print("# events naming the victim:", bad[:10], file=sys.stderr)
    sys.exit(1)
PY

python3 - "$stats" "$sent" <<'PY' || tt_fail "forged records not counted in stats"
import json, sys
s, sent = json.loads(sys.argv[1]), int(sys.argv[2])
a = s.get("audit", {})
keys = [k for k in a if "spoof" in k or "foreign_sender" in k or "rejected" in k]
if not keys:
    print("# GAP: stats.audit has no spoofed-record counter (have: %s); %d forged "
          "records were delivered to the group" % (sorted(a), sent), file=sys.stderr)
    sys.exit(0)
n = a[keys[0]]
print("# stats.audit.%s = %d (forged records sent: %d)" % (keys[0], n, sent), file=sys.stderr)
sys.exit(0 if n >= sent else 1)
PY
