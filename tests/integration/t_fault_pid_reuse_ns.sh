#!/bin/bash
# PID reuse forced with ns_last_pid, inside a pid namespace of our own
# (unshare --pid --fork --mount-proc) where tattled itself runs, so its
# view (/proc, pids in events) is that namespace and reuse there is reuse
# for it.  The kernel accepts audit control only from the initial pid
# namespace (tattled there says "audit rules: Operation not permitted"),
# so this runs --no-audit: it exercises sock_diag + /proc scans + the PID
# cache's start-time check, not the audit paths (t_fault_pid_reuse.sh
# covers those with host pids, via clone3 set_tid).  Each round: A (copy
# of tconnect named procA) makes a TCP or connected-UDP connection and
# exits; ns_last_pid is set so that B (procB) gets A's pid and connects
# the same way.  No event may name the other process; live flows must be
# named.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
command -v unshare >/dev/null || tt_skip "unshare missing"
cp "$TT_TOOLS/tconnect" "$TT_TMP/procA"
cp "$TT_TOOLS/tconnect" "$TT_TMP/procB"
ROUNDS=${TT_REUSE_ROUNDS:-10}

export TATTLED TT_NS TT_QUEUE TT_EVENTS TT_TMP ROUNDS
timeout 50 unshare --pid --fork --mount-proc bash -c '
set -u
"$TATTLED" --netns "/run/netns/$TT_NS" --queue "$TT_QUEUE" --socket "" \
	--log-events "$TT_EVENTS" --no-audit --default-action allow \
	2>"$TT_TMP/daemon.err" &
D=$!
for _ in $(seq 100); do
	grep -q "^tattled .*: queue" "$TT_TMP/daemon.err" && break
	sleep 0.05
done
grep -q "^tattled .*: queue" "$TT_TMP/daemon.err" || { echo "daemon did not start"; exit 1; }
: >"$TT_TMP/map"
i=0 taken=0
for r in $(seq "$ROUNDS"); do
	for kind in tcp udp; do
		for addr in 127.0.0.1 ::1; do
			i=$((i + 1))
			f=""; [ $kind = udp ] && f=-u
			ip netns exec "$TT_NS" "$TT_TMP/procA" -L -T a$i $f $addr 8080 >"$TT_TMP/a.out" || exit 1
			P=$(awk "\$2 == \"ok\" {print \$1}" "$TT_TMP/a.out")
			# Builtins only from here to the fork of B: the fork takes P.
			echo $((P - 1)) >/proc/sys/kernel/ns_last_pid
			ip netns exec "$TT_NS" "$TT_TMP/procB" -L -T b$i $f $addr 8080 >"$TT_TMP/b.out" || exit 1
			Q=$(awk "\$2 == \"ok\" {print \$1}" "$TT_TMP/b.out")
			if [ "$Q" != "$P" ]; then taken=$((taken + 1)); continue; fi
			echo "$i $kind $addr A $P $(awk "/^local/ {print \$2}" "$TT_TMP/a.out")" >>"$TT_TMP/map"
			echo "$i $kind $addr B $Q $(awk "/^local/ {print \$2}" "$TT_TMP/b.out")" >>"$TT_TMP/map"
		done
	done
done
echo "pairs $(( $(wc -l <"$TT_TMP/map") / 2 )) of $i (pid taken $taken)"
sleep 0.5
kill -TERM $D; wait $D; echo "daemon exit $?"
' >"$TT_TMP/ns.out" 2>&1 || tt_fail "pid namespace run failed: $(cat "$TT_TMP/ns.out")"
tt_log "$(grep ^pairs "$TT_TMP/ns.out")"
grep -q "daemon exit 0" "$TT_TMP/ns.out" || tt_fail "tattled did not exit 0: $(cat "$TT_TMP/ns.out")"
pairs=$(( $(wc -l <"$TT_TMP/map") / 2 ))
[ "$pairs" -ge $(( ROUNDS * 4 * 3 / 4 )) ] || tt_fail "only $pairs pid-reuse pairs"

python3 - "$TT_EVENTS" "$TT_TMP/map" "$TT_TMP" <<'PY' || tt_fail "a packet was attributed to the wrong process"
import collections, json, sys
events, mapf, tmp = sys.argv[1:4]
# A sender that drew the same source port as an earlier one to the same
# place shares its conntrack flow, which is no longer NEW: only the first
# is ever queued, so the 5-tuple's packet is the first sender's.
flows, shared = {}, 0
for line in open(mapf):
    i, kind, addr, who, pid, lport = line.split()
    key = (kind, addr, int(lport))
    if key in flows:
        shared += 1
        continue
    flows[key] = (who, int(pid), "%s%s" % (who.lower(), i))
stats, wrong, seen = collections.Counter(), [], set()
for line in open(events):
    e = json.loads(line)
    if e["type"] != "connection" or e["dst"]["port"] != 8080:
        continue
    key = (e["proto"], e["dst"]["ip"], e["src"]["port"])
    if key not in flows:
        continue
    seen.add(key)
    who, pid, tag = flows[key]
    p = e["process"]
    if p is None:
        v = "none"
    else:
        cmd = p.get("cmdline") or []
        ok = p["pid"] == pid and p["exe"] == "%s/proc%s" % (tmp, who) and (not cmd or tag in cmd)
        v = "right" if ok else "WRONG"
        if not ok:
            wrong.append((key[0], who, pid, tag, p["pid"], p["exe"].rsplit("/", 1)[-1],
                          cmd[2:4], e["attribution"]["source"]))
    stats[(key[0], who, v, e["attribution"]["source"])] += 1
for k in sorted(stats):
    print("# %s %s: %-5s %-9s %d" % (k + (stats[k],)), file=sys.stderr)
for w in wrong[:10]:
    print("#   WRONG", w, file=sys.stderr)
if shared:
    print("# %d flows shared an earlier flow's 5-tuple" % shared, file=sys.stderr)
missing = len(flows) - len(seen)
if missing:
    print("# %d flows without an event" % missing, file=sys.stderr)
none = sum(c for k, c in stats.items() if k[2] == "none")
if none:
    print("# %d live flows unattributed" % none, file=sys.stderr)
sys.exit(1 if wrong or missing or none else 0)
PY
