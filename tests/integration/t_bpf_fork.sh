#!/bin/bash
# Forked children that never exec (bash subshells opening /dev/tcp and
# /dev/udp), 8 at a time, each gone before its packet is decided: every
# event names the child's pid and bash's resolved path, exactly, from the
# eBPF record (exec tracking keys paths by the executable's inode, so a
# child that never exec'd finds its parent's).
. "$(dirname "$0")/lib.sh"
tt_require_root
. "$(dirname "$0")/bpf_lib.sh"
tt_bpf_require
tt_netns
tt_server 8080
BASH_EXE=$(readlink -f "$(command -v bash)")
# A bash of our own, exec'd after tattled started, so no /proc read of
# this process happens before its children are gone.
tt_daemon
grep -q "attribution bpf" "$TT_TMP/daemon.err" || tt_fail "eBPF did not start"
tt_in bash -c '
	for i in $(seq 48); do
		case $((i % 3)) in
		0) ( echo $BASHPID tcp; exec 3<>/dev/tcp/127.0.0.1/8080 ) 2>/dev/null & ;;
		1) ( echo $BASHPID udp; exec 3<>/dev/udp/127.0.0.1/8080; echo x >&3 ) 2>/dev/null & ;;
		2) ( echo $BASHPID tcp6; exec 3<>/dev/tcp/::1/8080 ) 2>/dev/null & ;;
		esac
		[ $((i % 8)) -eq 0 ] && wait
	done
	wait' >"$TT_TMP/kids" || true
n=$(wc -l <"$TT_TMP/kids")
[ "$n" -eq 48 ] || tt_fail "only $n children ran"
tt_wait_events 48 "e['type']=='connection'" 10 >/dev/null || true
tt_daemon_stop
python3 - "$TT_EVENTS" "$TT_TMP/kids" "$BASH_EXE" <<'PY' || tt_fail "a forked child was not named exactly"
import json, sys
events, kids, bash = sys.argv[1:4]
want = {int(l.split()[0]) for l in open(kids)}
got, bad = {}, []
for line in open(events):
    e = json.loads(line)
    if e["type"] != "connection" or e["dst"]["port"] != 8080:
        continue
    p, a = e["process"], e["attribution"]
    pid = p["pid"] if p else None
    if pid in want and p["exe"] == bash and a["source"] == "bpf" and a["confidence"] == "exact":
        got[pid] = True
    else:
        bad.append((pid, p and p["exe"], a))
print("# %d of %d children named exactly (pid and %s)" % (len(got), len(want), bash), file=sys.stderr)
for b in bad[:5]:
    print("#   not:", b, file=sys.stderr)
sys.exit(0 if len(got) == len(want) and not bad else 1)
PY
tt_bpf_none_left || tt_fail "BPF programs left attached"
