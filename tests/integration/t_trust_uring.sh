#!/bin/bash
# Issue 14 item 4: io_uring is audited.  A short-lived program denied by
# rule connects through io_uring (IORING_OP_CONNECT / SENDMSG), on a
# normal fd, on a direct descriptor (in no /proc/PID/fd), from an io-wq
# thread (IOSQE_ASYNC) and from an SQPOLL thread.  Audit's io_uring_enter
# rules and the io_uring filter list name it (the socket() record or a
# /proc scan: exact; the op's destination: audit-dst), so the deny rule
# applies and no connection gets through.
# Where the submitting io_uring_enter also waits for the connect (-W,
# liburing's submit_and_wait), its record comes only after the verdict:
# such a direct-descriptor flow stays "none" and unattributed_action
# (deny here) decides it.  A flow is never named after another program.
# Runs with --no-bpf: the eBPF source names io_uring flows exactly
# (t_bpf_uring); this is what audit alone does.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_audit_guard
# Ports no other test uses: audit is host-wide, and another test's
# short-lived senders to the same destination make audit-dst ambiguous
# (then none, by design).
TCP=18931 UDP=18932
tt_server $TCP
cp "$TT_TOOLS/uringraw" "$TT_TMP/uringraw"
mkdir "$TT_TMP/rules"
cat >"$TT_TMP/rules/100-deny-uring.json" <<JSON
{"name":"100-deny-uring","enabled":true,"precedence":false,"action":"deny",
 "duration":"always","operator":{"type":"simple","operand":"process.path",
 "sensitive":false,"data":"$TT_TMP/uringraw","list":[]}}
JSON
tt_in python3 - "$TT_TMP/recv" $UDP <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[2])))
open(sys.argv[1], "w").write("0\n")
n = 0
while True:
    s.recv(2048)
    n += 1
    open(sys.argv[1], "w").write("%d\n" % n)
PY
tt_on_exit "kill $! 2>/dev/null"
tt_daemon --no-bpf --rules "$TT_TMP/rules" --default-action allow --unattributed-action deny
grep -q "io_uring" "$TT_TMP/daemon.err" && tt_log "$(grep io_uring "$TT_TMP/daemon.err")"

for v in "-m tcp" "-S -m tcp" "-D -m tcp" "-A -D -m tcp" "-P -D -m tcp" \
	"-D -m ff" "-W -D -m ff" "-W -D -m tcp" "-W -A -D -m tcp"; do
	port=$TCP
	case $v in *ff*) port=$UDP ;; esac
	: >"$TT_TMP/before"
	n0=$(tt_count_events "e['type']=='connection' and e['dst']['port']==$port")
	rc=0
	out=$(tt_in "$TT_TMP/uringraw" $v 127.0.0.1 $port) || rc=$?
	case $v in
	*tcp*) [ "$rc" -eq 3 ] || tt_fail "uringraw $v: connected (rc $rc, $out): the deny rule did not apply" ;;
	*) [ "$rc" -eq 0 ] || tt_fail "uringraw $v failed: $out" ;;
	esac
	tt_wait_events $((n0 + 1)) "e['type']=='connection' and e['dst']['port']==$port" \
		>/dev/null || tt_fail "uringraw $v: no connection event"
	python3 - "$TT_EVENTS" "$n0" "$port" "$TT_TMP/uringraw" "$v" <<'PY' || tt_fail "uringraw $v: see above"
import json, sys
path, n0, port, exe, v = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
evs = [e for e in map(json.loads, open(path))
       if e["type"] == "connection" and e["dst"]["port"] == port][n0:]
srcs = sorted({(e["attribution"]["source"], e["reason"], e["verdict"]) for e in evs})
print("# %-14s %s" % (v, srcs), file=sys.stderr)
for e in evs:
    p = e["process"]
    if p and p.get("exe") != exe:
        sys.exit("named after %s (pid %s), not %s" % (p.get("exe"), p.get("pid"), exe))
    if e["verdict"] == "allow":
        sys.exit("allowed: %s" % e["reason"])
if "-D" in v and any(e["process"] for e in evs):
    open(path + ".named", "a").write(v + "\n")
PY
done
# A direct descriptor is in no fd table: only the io_uring audit records
# can name it (on main, with --no-bpf, never).  Each variant is named
# when its record arrives before the verdict; under a host-wide audit
# backlog (other tests) one may miss and be none, so at least one must
# be named (-W tcp cannot be: its record follows the verdict).
[ -s "$TT_EVENTS.named" ] || tt_fail "no direct-descriptor flow named by audit"
tt_log "named by audit: $(tr '\n' ',' <"$TT_EVENTS.named")"
sleep 0.3
[ "$(cat "$TT_TMP/recv")" = 0 ] || tt_fail "denied io_uring datagrams arrived: $(cat "$TT_TMP/recv")"
tt_daemon_stop
