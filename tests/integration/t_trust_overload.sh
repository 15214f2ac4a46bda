#!/bin/bash
# Issue 14 item 16: overload must not become an allow.  Without audit, a
# program denied by rule floods UDP from fresh sockets (each one a /proc
# scan for the worker, whose queue fills, and a held packet, until the
# pending table or the uid's share of it is full) while it makes TCP
# connects: none of its connects may be allowed.  Packets that wait for
# the worker are held (bounded); what overload decides gets
# unattributed_action (here deny under a default allow), is counted, and
# is reported in rate-limited warnings.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
cp "$TT_TOOLS/flood" "$TT_TMP/flood"
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-deny-flood.json" <<JSON
{"name":"100-deny-flood","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":false,"data":"$TT_TMP/flood","list":[]}}
JSON
SOCK=$TT_TMP/tattle.sock
# --no-bpf: the eBPF source names every packet at once, without /proc
# scans, so the worker is never the bottleneck; this is the audit-less
# /proc path the issue measured.
tt_daemon --no-audit --no-bpf --rules "$TT_TMP/rules" --socket "$SOCK" \
	--default-action allow --unattributed-action deny
out=$(tt_in "$TT_TMP/flood" -d ${TT_FLOOD_SECS:-6} -k 256 -c 20 -t 500 \
	127.0.0.1 20000 5000 8080) || tt_fail "flood failed: $out"
tt_log "flood: $out"
"$TATTLE" stats --json --socket "$SOCK" >"$TT_TMP/stats.json" ||
	tt_fail "stats failed"
# Overload shows in tattled's own tables (pending_*, overload: then a
# warning says so) or, when the loop is the bottleneck, as the kernel
# queue's drops; which one a run hits depends on the machine's load.
ours=$(python3 - "$TT_TMP/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
keys = ("pending_full", "pending_quota", "overload", "scans_deferred",
        "unattributed")
q = s["queue"]
print("# verdicts", s["verdicts"], "worker", s["worker"],
      " ".join("%s %s" % (k, s[k]) for k in keys),
      "queue drops", q["queue_dropped"] + q["user_dropped"], file=sys.stderr)
if s["pending_full"] + s["pending_quota"] + s["overload"] > 0:
    print("tables")
elif q["queue_dropped"] + q["user_dropped"] + q["enobufs"] > 0:
    print("queue")
else:
    print("none")
PY
)
[ "$ours" != none ] || tt_fail "no overload counted: the test did not overload"
tt_log "overload seen in: $ours"
n=$(tt_count_events "e['type']=='connection' and e['dst']['port']==8080 and \
e['verdict']=='allow'")
[ "$n" -eq 0 ] || tt_fail "$n TCP connects of the denied program allowed under overload"
case $out in *" tcp_ok 0 "*) ;; *) tt_fail "connects got through: $out" ;; esac
# Never a wrong process: a named 8080 connection is the flooder's.
n=$(tt_count_events "e['type']=='connection' and e['dst']['port']==8080 and \
e['process'] and e['process']['exe']!='$TT_TMP/flood'")
[ "$n" -eq 0 ] || tt_fail "$n connects named after another program"
if [ "$ours" = tables ]; then
	tt_wait_events 1 "e['type']=='warning' and e['code'] in ('overload','pending-full')" \
		>/dev/null || tt_fail "no overload warning event"
fi
n=$(tt_count_events "e['type']=='warning'")
tt_log "$n warning events"
[ "$n" -le 40 ] || tt_fail "$n warnings: not rate-limited"
tt_daemon_stop
