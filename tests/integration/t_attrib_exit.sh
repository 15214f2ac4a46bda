#!/bin/bash
# A process that opens a socket and exits while its SYN is queued
# (non-blocking connect, then exit): the event names it, or says none,
# never another program.  Run with and without audit.
. "$(dirname "$0")/lib.sh"
tt_require_root
tt_netns
tt_server 8080
cp "$TT_TOOLS/tconnect" "$TT_TMP/quitter"
for mode in audit no-audit; do
	: >"$TT_EVENTS"
	if [ $mode = audit ]; then tt_daemon --no-bpf; else tt_daemon --no-bpf --no-audit; fi
	: >"$TT_TMP/pids"
	for i in $(seq 20); do
		# ip netns exec execs the program: $! is the quitter's pid
		# (with -n it exits before it could print anything).
		ip netns exec "$TT_NS" "$TT_TMP/quitter" -n -T q$i 127.0.0.1 8080 >/dev/null &
		echo $! >>"$TT_TMP/pids"
		wait $! || true
	done
	tt_wait_events 20 "e['type']=='connection'" 5 >/dev/null || true
	tt_daemon_stop
	python3 - "$TT_EVENTS" "$TT_TMP/quitter" "$mode" "$TT_TMP/pids" <<'PY' || tt_fail "$mode: misattributed"
import json, sys
pids = {int(l) for l in open(sys.argv[4]) if l.strip().isdigit()}
named = none = wrong = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] != "connection":
        continue
    p = e["process"]
    if p is None:
        none += 1
    elif p["pid"] in pids and (p["exe"] in (sys.argv[2], None) and
                                p["comm"] in ("quitter", None)):
        # its own pid; exe and comm are null when it was gone before
        # anything but its socket's owner could be read
        # an exiting process (a zombie) no longer shows its exe: still it
        named += 1
    else:
        wrong += 1
        print("# wrong:", p, file=sys.stderr)
print("# %s: %d named, %d none, %d wrong" % (sys.argv[3], named, none, wrong),
      file=sys.stderr)
sys.exit(1 if wrong or named + none == 0 else 0)
PY
done
